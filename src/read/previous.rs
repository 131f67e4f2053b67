//! Previous-grade rows (上期等级, SPEC 3.2): any sheet with a customer and a
//! grade column, including the workbook `finalize` writes.

use super::cell::Cell;
use super::header::{Field, HeaderMap};
use super::issue::{Issue, IssueKind, Problem};
use super::master::{text, who, Place, TableRecord, TableRows, Who};
use super::sheet::{Rejection, Row};
use super::value::Style;
use crate::rules::Rules;

/// One previous-grade row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PreviousRecord {
    pub who: Who,
    pub place: Place,
    pub grade: String,
    /// The row's cells as read, for a warning about it.
    pub cells: Vec<String>,
}

/// The previous-grades [`RowKind`].
pub type PreviousRows = TableRows<PreviousRecord>;

impl TableRecord for PreviousRecord {
    fn read(h: &HeaderMap, row: &Row, place: Place, _style: &Style) -> Result<Self, Rejection> {
        let who = who(h, row)?;
        let grade = text(h, row, Field::Grade).ok_or((
            Problem::MissingValue { field: "grade" },
            h.col(Field::Grade),
        ))?;
        Ok(PreviousRecord {
            who,
            place,
            grade,
            cells: row.cells.iter().map(Cell::display).collect(),
        })
    }
}

/// A warning for each previous grade that names no tier of `rules` (after
/// trimming, case, full-width folding and the tier's label, as
/// [`Rules::tier_index`] reads them): such a customer has no previous grade
/// to compare with, and the Data Issues sheet says so.
pub fn unknown_grades(records: &[PreviousRecord], rules: &Rules) -> Vec<Issue> {
    let tiers: Vec<String> = rules.tiers.order.clone();
    records
        .iter()
        .filter(|r| rules.tier_index(&r.grade).is_none())
        .map(|r| Issue {
            kind: IssueKind::Warning,
            file: r.place.file.clone(),
            sheet: r.place.sheet.clone(),
            row: Some(r.place.row),
            column: None,
            problem: Problem::PreviousNotATier {
                grade: r.grade.clone(),
                tiers: tiers.clone(),
            },
            cells: r.cells.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(grade: &str, row: u32) -> PreviousRecord {
        PreviousRecord {
            who: Who {
                id: Some(format!("C{row}")),
                name: None,
            },
            place: Place {
                file: "上期.xlsx".into(),
                sheet: "等级".into(),
                row,
            },
            grade: grade.into(),
            cells: Vec::new(),
        }
    }

    #[test]
    fn grades_that_name_no_tier_are_warned_about() {
        let rules = Rules::three_tier();
        // Full-width letters are folded when the cell is read (`text`).
        let records: Vec<PreviousRecord> = ["A", "b", "A类客户", " C ", "优", "D", "A+"]
            .iter()
            .enumerate()
            .map(|(i, g)| record(g, i as u32 + 2))
            .collect();
        let rows: Vec<(Option<u32>, String)> = unknown_grades(&records, &rules)
            .into_iter()
            .map(|i| match i.problem {
                Problem::PreviousNotATier { grade, tiers } => {
                    assert_eq!(tiers, vec!["A", "B", "C"]);
                    (i.row, grade)
                }
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                (Some(6), "优".to_string()),
                (Some(7), "D".to_string()),
                (Some(8), "A+".to_string())
            ]
        );
    }
}
