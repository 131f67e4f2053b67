//! Customer-master rows (客户档案, SPEC 3.2): region, sales rep, first date,
//! terms, credit limit, special policy, and every other numeric column as an
//! attribute. Few rows, kept in memory as typed records.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::cell::Cell;
use super::header::{Field, HeaderMap};
use super::issue::Problem;
use super::ledger::{date_field, ident_text, number_field};
use super::sheet::{Rejection, Row, RowKind};
use super::value::{parse_number, Style};
use super::{ReadError, SheetTask};

/// Who a row is about: an ID and/or a normalised name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Who {
    pub id: Option<String>,
    pub name: Option<String>,
}

/// Where a row came from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Place {
    pub file: String,
    pub sheet: String,
    pub row: u32,
}

/// One customer-master row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MasterRecord {
    pub who: Who,
    pub place: Place,
    pub region: Option<String>,
    pub sales_rep: Option<String>,
    pub first_date: Option<NaiveDate>,
    pub terms_days: Option<i64>,
    pub credit_limit: Option<Decimal>,
    pub special_policy: Option<String>,
    /// Every other numeric column, by header text.
    pub attrs: BTreeMap<String, Decimal>,
    /// The row's cells as read, for a warning about it.
    pub cells: Vec<String>,
}

/// Rows of a small table kept in memory, with the header they were read under.
pub struct TableRows<R> {
    style: Style,
    header: Option<HeaderMap>,
    file: String,
    sheet: String,
    pub records: Vec<R>,
}

impl<R> TableRows<R> {
    /// Rows of the sheet `task` names.
    pub fn new(task: &SheetTask) -> TableRows<R> {
        TableRows {
            style: task.style,
            header: None,
            file: task.file.clone(),
            sheet: task.sheet.clone(),
            records: Vec::new(),
        }
    }

    /// Where row `row` of this sheet is.
    pub fn place(&self, row: u32) -> Place {
        Place {
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            row,
        }
    }
}

/// The customer-master [`RowKind`].
pub type MasterRows = TableRows<MasterRecord>;

/// Who a row of a small table is about; a row naming nobody is rejected (as
/// a note when it holds one text only).
pub fn who(h: &HeaderMap, row: &Row) -> Result<Who, Rejection> {
    let id = ident_text(row.cell(h.col(Field::CustomerId)));
    let name = text(h, row, Field::CustomerName);
    if id.is_none() && name.is_none() {
        let cells = row.cells;
        let all_text = cells
            .iter()
            .all(|c| c.is_blank() || matches!(c, Cell::Text(_)));
        let p = if all_text && cells.iter().filter(|c| !c.is_blank()).count() == 1 {
            Problem::TextOnly
        } else {
            Problem::NoCustomer
        };
        return Err((p, h.col(Field::CustomerId).or(h.col(Field::CustomerName))));
    }
    Ok(Who { id, name })
}

/// A text column normalised like a name; `None` when blank.
pub fn text(h: &HeaderMap, row: &Row, f: Field) -> Option<String> {
    match row.cell(h.col(f)) {
        Cell::Text(t) => Some(crate::text::normalize_name(t)).filter(|s| !s.is_empty()),
        Cell::Empty => None,
        other => Some(other.display()),
    }
}

/// Terms in whole days, 0 … 3650.
fn terms_days(h: &HeaderMap, row: &Row, style: &Style) -> Result<Option<i64>, Rejection> {
    let col = h.col(Field::TermsDays);
    match number_field(row, col, "terms_days", style)? {
        Some(t) if t.fract().is_zero() && t >= Decimal::ZERO && t <= Decimal::from(3650) => {
            Ok(i64::try_from(t).ok())
        }
        Some(_) => Err((
            Problem::Unreadable {
                field: "terms_days",
                raw: row.cell(col).display(),
            },
            col,
        )),
        None => Ok(None),
    }
}

/// Every numeric cell of a column no field maps, by header text.
fn attributes(h: &HeaderMap, row: &Row, style: &Style) -> BTreeMap<String, Decimal> {
    let mut attrs = BTreeMap::new();
    for (i, c) in row.cells.iter().enumerate() {
        if h.fields.values().any(|&m| m == i) {
            continue;
        }
        let header = h.headers.get(i).cloned().unwrap_or_default();
        if header.is_empty() {
            continue;
        }
        if let Ok(Some(v)) = parse_number(c, style) {
            attrs.insert(header, v);
        }
    }
    attrs
}

/// A row of a small table: what it is made of, read under its header.
pub trait TableRecord: Sized {
    /// Reads the row at `place`.
    ///
    /// # Errors
    /// Why the row is rejected, with the column at fault.
    fn read(h: &HeaderMap, row: &Row, place: Place, style: &Style) -> Result<Self, Rejection>;
}

impl<R: TableRecord> RowKind for TableRows<R> {
    type Record = R;

    fn start(&mut self, header: &HeaderMap) {
        self.header = Some(header.clone());
    }

    fn read(
        &mut self,
        row: &Row,
        _warnings: &mut Vec<(Option<usize>, Problem)>,
    ) -> Result<R, Rejection> {
        let h = self.header.as_ref().ok_or((Problem::NoCustomer, None))?;
        R::read(h, row, self.place(row.number), &self.style)
    }

    fn keep(&mut self, _row: &Row, record: R) -> Result<Decimal, ReadError> {
        self.records.push(record);
        Ok(Decimal::ZERO)
    }
}

impl TableRecord for MasterRecord {
    fn read(h: &HeaderMap, row: &Row, place: Place, style: &Style) -> Result<Self, Rejection> {
        let who = who(h, row)?;
        let first_date = date_field(row, h.col(Field::FirstDate), "first_date", style)?;
        let terms_days = terms_days(h, row, style)?;
        let credit_limit = number_field(row, h.col(Field::CreditLimit), "credit_limit", style)?;
        Ok(MasterRecord {
            who,
            place,
            region: text(h, row, Field::Region),
            sales_rep: text(h, row, Field::SalesRep),
            first_date,
            terms_days,
            credit_limit,
            special_policy: text(h, row, Field::SpecialPolicy),
            attrs: attributes(h, row, style),
            cells: row.cells.iter().map(Cell::display).collect(),
        })
    }
}
