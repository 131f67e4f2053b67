//! Previous-grade rows (上期等级, SPEC 3.2): any sheet with a customer and a
//! grade column, including the workbook `finalize` writes.

use super::header::{Field, HeaderMap};
use super::issue::Problem;
use super::master::{text, who, Place, TableRecord, TableRows, Who};
use super::sheet::{Rejection, Row};
use super::value::Style;

/// One previous-grade row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PreviousRecord {
    pub who: Who,
    pub place: Place,
    pub grade: String,
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
        Ok(PreviousRecord { who, place, grade })
    }
}
