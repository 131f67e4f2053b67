//! `finalize`: the meeting's decisions read back and the final grade list
//! written (SPEC 7.4).
//!
//! Per customer the final grade is the meeting decision, else the
//! proposal, else the computed grade. The workbook holds the final grade
//! list (customer, final grade, computed grade, where it came from,
//! previous grade, change, remarks) with the signature block, the change
//! log (a meeting decision that differs from the computed grade without a
//! remark is flagged "no reason given"), the counts per tier, and a Data Issues
//! sheet when rows came back duplicated, unknown, missing or edited. The
//! list reads as `--previous` next year (its grade column is 最终等级 /
//! Final grade). Figures come from the book the evaluation stored, never
//! from cells that came back.

use rust_decimal::Decimal;

use super::blocks::{issues_sheet, main_table, Frame};
use super::labels::texts;
use super::merge::{add_conflicts, invalid, Conflict, MeetingError, Opened};
use super::model::{Block, Book, ColKind, Column, PageSetup, Sheet, Table, Value};
use super::returnable::evaluation_table;
use crate::grade::Change;
use crate::labels::meeting::meeting;
use crate::labels::Lang;
use crate::model::{Period, Window};
use crate::read::evaluation_back::{tier_of, Returned};
use crate::rules::Rules;

/// Where a final grade came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Decision,
    Proposal,
    Computed,
}

/// One customer's final grade.
#[derive(Debug, Clone, PartialEq)]
pub struct FinalGrade {
    pub key: String,
    pub id: Option<String>,
    pub name: String,
    pub region: Option<String>,
    pub sales_rep: Option<String>,
    pub sales: Decimal,
    /// Tier indexes (best first).
    pub computed: usize,
    pub proposal: Option<usize>,
    pub decision: Option<usize>,
    pub final_grade: usize,
    pub source: Source,
    pub previous: Option<String>,
    pub change: Change,
    pub remarks: Option<String>,
}

impl FinalGrade {
    /// A meeting decision that differs from the computed grade with no remark.
    pub fn no_reason(&self) -> bool {
        self.source == Source::Decision
            && self.final_grade != self.computed
            && self.remarks.is_none()
    }
}

/// The final grades of an evaluation and their workbook.
pub struct Finalized {
    pub book: Book,
    /// In the final list's order.
    pub grades: Vec<FinalGrade>,
    pub conflicts: Vec<Conflict>,
}

/// A text cell of a stored row.
fn text_at(t: &Table, row: &[Value], key: &str) -> Option<String> {
    match t.col(key).and_then(|c| row.get(c)) {
        Some(Value::Text(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

/// The change from the previous grade to the final one (a customer lost
/// stays lost whatever its grade).
fn change(rules: &Rules, previous: Option<&str>, lost: bool, final_grade: usize) -> Change {
    if lost {
        return Change::Lost;
    }
    match previous.and_then(|p| tier_of(rules, p)) {
        None => Change::New,
        Some(p) if final_grade < p => Change::Up,
        Some(p) if final_grade > p => Change::Down,
        Some(_) => Change::Same,
    }
}

/// Reads the decisions back and builds the final grade list (see the
/// module doc). `given`: rules from `--rules`, else the stored ones.
///
/// # Errors
/// [`MeetingError::Invalid`] listing every decision or proposal that names
/// no tier, and every customer whose rows disagree; a handout or damaged
/// stored data.
pub fn finalize(ev: &Returned, given: Option<Rules>) -> Result<Finalized, MeetingError> {
    let Opened {
        book,
        rules,
        customers,
        edits,
        out: (conflicts, bad),
        ..
    } = Opened::open(ev, given, true)?;
    let lang = ev.stamp.lang;
    if !bad.is_empty() {
        return Err(invalid(bad, &rules));
    }
    let Some(table) = evaluation_table(&book) else {
        return Err(MeetingError::Damaged {
            file: ev.file.clone(),
            what: "no evaluation table".into(),
        });
    };
    let mut grades = Vec::with_capacity(customers.len());
    for ((key, _), row) in customers.iter().zip(&table.rows) {
        let computed_text = text_at(table, row, "grade").unwrap_or_default();
        let computed = tier_of(&rules, &computed_text).ok_or_else(|| MeetingError::Damaged {
            file: ev.file.clone(),
            what: format!("the computed grade \"{computed_text}\" is not a tier of the rules"),
        })?;
        let e = edits.get(key);
        let (proposal, decision) = (e.and_then(|e| e.proposal), e.and_then(|e| e.decision));
        let (final_grade, source) = match (decision, proposal) {
            (Some(d), _) => (d, Source::Decision),
            (None, Some(p)) => (p, Source::Proposal),
            (None, None) => (computed, Source::Computed),
        };
        let previous = text_at(table, row, "previous_grade");
        let lost = text_at(table, row, "change").as_deref() == Some(Change::Lost.symbol());
        let sales = table
            .col("sales")
            .and_then(|c| row.get(c))
            .and_then(Value::number)
            .unwrap_or_default();
        grades.push(FinalGrade {
            key: key.clone(),
            id: text_at(table, row, "id"),
            name: text_at(table, row, "name").unwrap_or_default(),
            region: text_at(table, row, "region"),
            sales_rep: text_at(table, row, "sales_rep"),
            sales,
            computed,
            proposal,
            decision,
            final_grade,
            source,
            change: change(&rules, previous.as_deref(), lost, final_grade),
            previous,
            remarks: e.and_then(|e| e.remarks.clone()),
        });
    }
    grades.sort_by(|a, b| {
        a.final_grade
            .cmp(&b.final_grade)
            .then(b.sales.cmp(&a.sales))
    });
    let report = FinalReport {
        rules: &rules,
        lang,
        period: Period {
            as_of: ev.stamp.as_of,
            window: Window::new(ev.stamp.as_of, rules.window.months),
        },
        grades: &grades,
    };
    let book = report.book(&conflicts);
    Ok(Finalized {
        book,
        grades,
        conflicts,
    })
}

/// The sheets of the final grades.
struct FinalReport<'a> {
    rules: &'a Rules,
    lang: Lang,
    period: Period,
    grades: &'a [FinalGrade],
}

impl FinalReport<'_> {
    fn frame(&self) -> Frame<'_> {
        Frame {
            lang: self.lang,
            period: self.period,
            rules_name: &self.rules.name,
        }
    }

    fn tier(&self, t: usize) -> Value {
        Value::text(self.rules.tier_name(t))
    }

    fn source(&self, s: Source) -> Value {
        let m = meeting(self.lang);
        Value::text(match s {
            Source::Decision => m.source_decision,
            Source::Proposal => m.source_proposal,
            Source::Computed => m.source_computed,
        })
    }

    fn book(&self, conflicts: &[Conflict]) -> Book {
        let m = meeting(self.lang);
        let mut sheets = vec![self.final_list(), self.change_log(), self.counts()];
        if !conflicts.is_empty() {
            sheets.push(issues_sheet(&self.frame(), &[]));
        }
        let mut book = Book {
            title: format!("{} {}", m.title_final, self.period.as_of),
            created: self.period.as_of,
            sheets,
            hidden: None,
            tiers: self.rules.tiers.order.clone(),
        };
        add_conflicts(&mut book, conflicts, self.lang);
        book
    }

    /// 序号, customer ID, name, region, sales rep.
    fn identity(&self, n: usize, g: &FinalGrade) -> Vec<Value> {
        vec![
            Value::Int(n as i64 + 1),
            Value::opt_text(g.id.as_deref()),
            Value::text(&g.name),
            Value::opt_text(g.region.as_deref()),
            Value::opt_text(g.sales_rep.as_deref()),
        ]
    }

    fn final_list(&self) -> Sheet {
        let (t, m) = (texts(self.lang), meeting(self.lang));
        let mut columns = super::blocks::identity_columns(t, true);
        columns.extend([
            Column::new("final_grade", m.h_final, ColKind::Grade),
            Column::new("computed_grade", m.h_computed, ColKind::Grade),
            Column::new("source", m.h_source, ColKind::Text),
            Column::new("previous_grade", t.h_previous, ColKind::Text),
            Column::new("change", t.h_change, ColKind::Text),
            Column::new("remarks", t.h_remarks, ColKind::LongText).max_width(36.0),
        ]);
        let rows = (self.grades.iter().enumerate())
            .map(|(n, g)| {
                let mut row = self.identity(n, g);
                row.extend([
                    self.tier(g.final_grade),
                    self.tier(g.computed),
                    self.source(g.source),
                    Value::opt_text(g.previous.as_deref()),
                    Value::text(g.change.symbol()),
                    Value::opt_text(g.remarks.as_deref()),
                ]);
                row
            })
            .collect();
        let table = Table::new("final_grades", columns, rows).main(true);
        let frame = self.frame();
        // Eleven narrow columns: portrait holds twice the rows of landscape.
        let page = PageSetup {
            landscape: false,
            ..frame.page(m.title_final, 3, true)
        };
        frame.sheet(
            m.sheet_final,
            m.title_final,
            vec![Block::Table(table)],
            page,
        )
    }

    fn change_log(&self) -> Sheet {
        let (t, m) = (texts(self.lang), meeting(self.lang));
        let mut columns = super::blocks::identity_columns(t, true);
        columns.extend([
            Column::new("computed_grade", m.h_computed, ColKind::Grade),
            Column::new("proposed", t.h_proposed, ColKind::Grade),
            Column::new("decision", t.h_decision, ColKind::Grade),
            Column::new("adjusted", m.h_adjusted, ColKind::Grade),
            Column::new("source", m.h_source, ColKind::Text),
            Column::new("remarks", t.h_remarks, ColKind::LongText).max_width(36.0),
            Column::new("flag", m.h_flag, ColKind::Text),
        ]);
        let opt_tier = |x: Option<usize>| x.map_or(Value::Empty, |x| self.tier(x));
        let rows: Vec<Vec<Value>> = (self.grades.iter())
            .filter(|g| g.final_grade != g.computed)
            .enumerate()
            .map(|(n, g)| {
                let mut row = self.identity(n, g);
                row.extend([
                    self.tier(g.computed),
                    opt_tier(g.proposal),
                    opt_tier(g.decision),
                    self.tier(g.final_grade),
                    self.source(g.source),
                    Value::opt_text(g.remarks.as_deref()),
                    match g.no_reason() {
                        true => Value::text(m.no_reason),
                        false => Value::Empty,
                    },
                ]);
                row
            })
            .collect();
        let blocks = main_table("changes", columns, rows, m.empty_changes, false);
        let frame = self.frame();
        let page = frame.page(m.title_changes, 3, true);
        frame.sheet(m.sheet_changes, m.title_changes, blocks, page)
    }

    fn counts(&self) -> Sheet {
        let (t, m) = (texts(self.lang), meeting(self.lang));
        let columns = vec![
            Column::new("tier", t.h_tier, ColKind::Grade),
            Column::new("label", t.h_label, ColKind::Text),
            Column::new("customers", m.h_final_customers, ColKind::Integer),
            Column::new(
                "computed_customers",
                m.h_computed_customers,
                ColKind::Integer,
            ),
            Column::new("sales", m.h_final_sales, ColKind::Money),
        ];
        let mut total = (0i64, 0i64, Decimal::ZERO);
        let rows = (self.rules.tiers.order.iter().enumerate())
            .map(|(i, name)| {
                let finals = self.grades.iter().filter(|g| g.final_grade == i);
                let n = finals.clone().count() as i64;
                let sales: Decimal = finals.map(|g| g.sales).sum();
                let computed = self.grades.iter().filter(|g| g.computed == i).count() as i64;
                total = (total.0 + n, total.1 + computed, total.2 + sales);
                vec![
                    Value::text(name),
                    Value::text(self.rules.tier_label(name)),
                    Value::Int(n),
                    Value::Int(computed),
                    Value::Number(sales),
                ]
            })
            .collect();
        let table = Table::new("final_counts", columns, rows).with_total(vec![
            Value::text(t.total),
            Value::Empty,
            Value::Sum(total.0.into()),
            Value::Sum(total.1.into()),
            Value::Sum(total.2),
        ]);
        let frame = self.frame();
        let page = PageSetup {
            landscape: false,
            ..frame.page(m.title_counts, 0, true)
        };
        frame.sheet(
            m.sheet_counts,
            m.title_counts,
            vec![Block::Table(table.main(false))],
            page,
        )
    }
}
