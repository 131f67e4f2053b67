//! Receipts-ledger rows (回款台账, SPEC 3.2) → receipt records, spilled like
//! ledger lines: date, customer, amount and, when the ledger says, the order
//! a receipt pays (applied to that order first, SPEC 5).

use std::io::Read;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::header::{Field, HeaderMap};
use super::intern::SheetStrings;
use super::issue::Problem;
use super::ledger::{dated_customer_row, ident_cow, name_cow, required_amount, temp_error};
use super::sheet::{Rejection, Row, RowKind};
use super::spill::{read_array, Put, Record, Spill, Take};
use super::value::Style;
use super::{ReadError, SheetTask};

/// One accepted receipt. Texts are numbers in the sheet's string table.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceiptRecord {
    /// 1-based Excel row (CSV: line number).
    pub row: u32,
    pub date: NaiveDate,
    pub id: u32,
    pub name: u32,
    pub amount: Decimal,
    /// The order the receipt names ([`crate::read::intern::NONE`] when none).
    pub order: u32,
}

const RECEIPT_LEN: usize = 4 + 4 + 3 * 4 + 16;

impl Record for ReceiptRecord {
    const MAX_LEN: usize = RECEIPT_LEN;

    fn encode(&self, out: &mut [u8]) -> usize {
        let mut p = Put::new(out);
        p.u32(self.row);
        p.date(self.date);
        p.u32(self.id);
        p.u32(self.name);
        p.u32(self.order);
        p.decimal(self.amount);
        p.len()
    }

    fn decode(r: &mut impl Read) -> std::io::Result<Self> {
        let buf = read_array::<RECEIPT_LEN>(r)?;
        let mut t = Take::new(&buf);
        let row = t.u32();
        let date = t.date()?;
        let (id, name, order) = (t.u32(), t.u32(), t.u32());
        Ok(ReceiptRecord {
            row,
            date,
            id,
            name,
            amount: t.decimal(),
            order,
        })
    }
}

/// The receipts [`RowKind`]: one sheet's accepted receipts.
pub struct ReceiptRows {
    style: Style,
    cols: [Option<usize>; 5],
    pub strings: SheetStrings,
    pub spill: Option<Spill<ReceiptRecord>>,
    /// Latest date of an accepted receipt.
    pub max_date: Option<NaiveDate>,
    file: String,
}

const DATE: usize = 0;
const ID: usize = 1;
const NAME: usize = 2;
const AMOUNT: usize = 3;
const ORDER: usize = 4;

impl ReceiptRows {
    /// A reader of the receipts sheet `task` names.
    ///
    /// # Errors
    /// The temporary file cannot be created.
    pub fn new(task: &SheetTask) -> Result<ReceiptRows, ReadError> {
        let file = task.file.as_str();
        Ok(ReceiptRows {
            style: task.style,
            cols: [None; 5],
            strings: SheetStrings::default(),
            spill: Some(Spill::new().map_err(|e| temp_error(file, e))?),
            max_date: None,
            file: file.to_string(),
        })
    }
}

impl RowKind for ReceiptRows {
    type Record = ReceiptRecord;

    fn start(&mut self, h: &HeaderMap) {
        self.cols = [
            h.col(Field::Date),
            h.col(Field::CustomerId),
            h.col(Field::CustomerName),
            h.col(Field::Amount),
            h.col(Field::OrderNo),
        ];
    }

    fn amount_column(&self) -> Option<usize> {
        self.cols[AMOUNT]
    }

    fn read(
        &mut self,
        row: &Row,
        _warnings: &mut Vec<(Option<usize>, Problem)>,
    ) -> Result<ReceiptRecord, Rejection> {
        let c = self.cols;
        let date = dated_customer_row(row, c[DATE], c[ID], c[NAME], c[AMOUNT], &self.style)?;
        let amount = required_amount(row, c[AMOUNT])?;
        let s = &mut self.strings;
        Ok(ReceiptRecord {
            row: row.number,
            date,
            id: s.intern_at(ID, ident_cow(row.cell(c[ID])).as_deref()),
            name: s.intern_at(NAME, name_cow(row.cell(c[NAME])).as_deref()),
            amount,
            order: s.intern_at(ORDER, ident_cow(row.cell(c[ORDER])).as_deref()),
        })
    }

    fn keep(&mut self, _row: &Row, rec: ReceiptRecord) -> Result<Decimal, ReadError> {
        if self.max_date.is_none_or(|m| rec.date > m) {
            self.max_date = Some(rec.date);
        }
        if let Some(spill) = self.spill.as_mut() {
            spill.push(&rec).map_err(|e| temp_error(&self.file, e))?;
        }
        Ok(rec.amount)
    }

    fn finish(&mut self, header: bool) -> Result<(), ReadError> {
        if !header {
            self.spill = None;
        }
        match self.spill.as_mut() {
            Some(s) => s.seal().map_err(|e| temp_error(&self.file, e)),
            None => Ok(()),
        }
    }
}
