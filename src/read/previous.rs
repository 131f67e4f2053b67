//! Previous-grade rows (上期等级, SPEC 3.2): any sheet with a customer and a
//! grade column, including the workbook `finalize` writes.

use rust_decimal::Decimal;

use super::header::{Field, HeaderMap};
use super::issue::Problem;
use super::master::{text, who, Place, TableRows, Who};
use super::sheet::{Rejection, Row, RowKind};
use super::ReadError;

/// One previous-grade row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PreviousRecord {
    pub who: Who,
    pub place: Place,
    pub grade: String,
}

/// The previous-grades [`RowKind`].
pub type PreviousRows = TableRows<PreviousRecord>;

impl RowKind for PreviousRows {
    type Record = PreviousRecord;

    fn start(&mut self, header: &HeaderMap) {
        self.set_header(header);
    }

    fn read(
        &mut self,
        row: &Row,
        _warnings: &mut Vec<(Option<usize>, Problem)>,
    ) -> Result<PreviousRecord, Rejection> {
        let h = self.header()?;
        let who = who(h, row)?;
        let grade = text(h, row, Field::Grade).ok_or((
            Problem::MissingValue { field: "grade" },
            h.col(Field::Grade),
        ))?;
        Ok(PreviousRecord {
            who,
            place: self.place(row.number),
            grade,
        })
    }

    fn keep(&mut self, _row: &Row, record: PreviousRecord) -> Result<Decimal, ReadError> {
        self.records.push(record);
        Ok(Decimal::ZERO)
    }
}
