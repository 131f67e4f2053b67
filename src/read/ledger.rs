//! Sales-ledger rows → line records (SPEC 3.2–3.5). [`LedgerRows`] is the
//! [`RowKind`] of the sales ledger: it reads each data row into a
//! [`LineRecord`] (or rejects it with the column at fault), interns the
//! row's texts in the sheet's string table, and spills accepted lines to an
//! anonymous temporary file in a compact binary form, so memory follows
//! customers and orders, never rows.

use std::borrow::Cow;
use std::hash::Hasher;
use std::io::Read;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::cell::Cell;
use super::header::{Field, HeaderMap};
use super::intern::{FxHasher, FxSet, SheetStrings, NONE};
use super::issue::Problem;
use super::sheet::{Rejection, Row, RowKind};
use super::spill::{day_number, read_array, FingerprintSpill, Put, Record, Spill, Take};
use super::value::{parse_date, parse_number, Style, ValueError};
use super::{ReadError, SheetTask};

/// One accepted ledger line. Texts are numbers in the sheet's string table
/// ([`NONE`] when the cell is empty).
#[derive(Debug, Clone, PartialEq)]
pub struct LineRecord {
    /// 1-based Excel row (CSV: line number).
    pub row: u32,
    pub date: NaiveDate,
    pub id: u32,
    pub name: u32,
    pub amount: Decimal,
    pub quantity: Option<Decimal>,
    /// The unit-price cell, when the sheet has that column and it is filled.
    pub unit_price: Option<Decimal>,
    pub list_price: Option<Decimal>,
    pub product: u32,
    /// The order number's text ([`NONE`] when none): open items, order
    /// upgrades and statements show it.
    pub order: u32,
    pub region: u32,
    pub sales_rep: u32,
    pub due_date: Option<NaiveDate>,
    /// The order a credit note reverses (原单号), when the ledger says.
    pub source_order: u32,
}

const FLAG_QTY: u8 = 1;
const FLAG_PRICE: u8 = 2;
const FLAG_LIST: u8 = 4;
const FLAG_DUE: u8 = 8;
/// Bytes of a record after its flags byte, optional fields aside: row, date,
/// seven string numbers, amount.
const FIXED_LEN: usize = 4 + 4 + 7 * 4 + 16;

impl Record for LineRecord {
    const MAX_LEN: usize = 1 + FIXED_LEN + 3 * 16 + 4;

    fn encode(&self, out: &mut [u8]) -> usize {
        let flags = (self.quantity.is_some() as u8 * FLAG_QTY)
            | (self.unit_price.is_some() as u8 * FLAG_PRICE)
            | (self.list_price.is_some() as u8 * FLAG_LIST)
            | (self.due_date.is_some() as u8 * FLAG_DUE);
        let mut p = Put::new(out);
        p.u8(flags);
        p.u32(self.row);
        p.date(self.date);
        for v in [
            self.id,
            self.name,
            self.product,
            self.region,
            self.sales_rep,
            self.order,
            self.source_order,
        ] {
            p.u32(v);
        }
        p.decimal(self.amount);
        for d in [self.quantity, self.unit_price, self.list_price]
            .into_iter()
            .flatten()
        {
            p.decimal(d);
        }
        if let Some(d) = self.due_date {
            p.date(d);
        }
        p.len()
    }

    fn decode(r: &mut impl Read) -> std::io::Result<Self> {
        let flags = read_array::<1>(r)?[0];
        let decimals = [FLAG_QTY, FLAG_PRICE, FLAG_LIST]
            .iter()
            .filter(|&&f| flags & f != 0)
            .count();
        let len = FIXED_LEN + 16 * decimals + if flags & FLAG_DUE != 0 { 4 } else { 0 };
        let mut buf = [0u8; Self::MAX_LEN];
        r.read_exact(&mut buf[..len])?;
        let mut t = Take::new(&buf[..len]);
        let row = t.u32();
        let date = t.date()?;
        let mut ids = [0u32; 7];
        for v in &mut ids {
            *v = t.u32();
        }
        let amount = t.decimal();
        let mut dec = |f: u8| (flags & f != 0).then(|| t.decimal());
        let (quantity, unit_price, list_price) = (dec(FLAG_QTY), dec(FLAG_PRICE), dec(FLAG_LIST));
        let due_date = if flags & FLAG_DUE != 0 {
            Some(t.date()?)
        } else {
            None
        };
        Ok(LineRecord {
            row,
            date,
            id: ids[0],
            name: ids[1],
            amount,
            quantity,
            unit_price,
            list_price,
            product: ids[2],
            order: ids[5],
            region: ids[3],
            sales_rep: ids[4],
            due_date,
            source_order: ids[6],
        })
    }
}

/// The sales-ledger [`RowKind`]: what one ledger sheet's accepted lines
/// became.
pub struct LedgerRows {
    style: Style,
    cols: Cols,
    /// The sheet's strings, until they join the run's table.
    pub strings: SheetStrings,
    pub spill: Option<Spill<LineRecord>>,
    /// (row, fingerprint) of each accepted line, for the duplicate-row warning.
    pub fingerprints: Option<FingerprintSpill>,
    /// The latest dates of accepted lines, for the default as-of date.
    pub dates: LatestDates,
    /// (id, name) pairs seen together, as sheet string numbers, sorted.
    pub id_names: Vec<(u32, u32)>,
    id_name_set: FxSet<(u32, u32)>,
    /// The (id, name) pair last added to `id_name_set`.
    last_pair: (u32, u32),
    /// The file and sheet, for messages.
    file: String,
    sheet: String,
}

/// Column indexes resolved once per sheet.
#[derive(Debug, Clone, Copy, Default)]
struct Cols {
    date: Option<usize>,
    id: Option<usize>,
    name: Option<usize>,
    amount: Option<usize>,
    quantity: Option<usize>,
    unit_price: Option<usize>,
    list_price: Option<usize>,
    product: Option<usize>,
    order: Option<usize>,
    region: Option<usize>,
    sales_rep: Option<usize>,
    due_date: Option<usize>,
    source_order: Option<usize>,
}

impl Cols {
    fn of(h: &HeaderMap) -> Cols {
        Cols {
            date: h.col(Field::Date),
            id: h.col(Field::CustomerId),
            name: h.col(Field::CustomerName),
            amount: h.col(Field::Amount),
            quantity: h.col(Field::Quantity),
            unit_price: h.col(Field::UnitPrice),
            list_price: h.col(Field::ListPrice),
            product: h.col(Field::Product),
            order: h.col(Field::OrderNo),
            region: h.col(Field::Region),
            sales_rep: h.col(Field::SalesRep),
            due_date: h.col(Field::DueDate),
            source_order: h.col(Field::SourceOrder),
        }
    }
}

/// Slots of [`SheetStrings::intern_at`] per field.
mod slot {
    pub const ID: usize = 0;
    pub const NAME: usize = 1;
    pub const PRODUCT: usize = 2;
    pub const ORDER: usize = 3;
    pub const REGION: usize = 4;
    pub const REP: usize = 5;
    pub const SOURCE_ORDER: usize = 6;
}

/// An identifier cell as text, normalised like a name (SPEC 10: trimmed,
/// inner spaces collapsed, full-width folded, zero-width characters removed,
/// NFC); a number by its digits ("10023").
pub fn ident_text(c: &Cell) -> Option<String> {
    ident_cow(c).map(Cow::into_owned)
}

/// [`ident_text`] without copying a text cell that is already normal.
pub fn ident_cow<'c>(c: &'c Cell) -> Option<Cow<'c, str>> {
    let s = match c {
        Cell::Text(t) => crate::text::normalize_name_cow(t),
        Cell::Empty | Cell::Error(_) | Cell::NoValue => return None,
        other => Cow::Owned(other.display()),
    };
    (!s.is_empty()).then_some(s)
}

/// A name-like cell (customer name, region, rep) normalised (SPEC 3.3):
/// the same form as an identifier.
pub fn name_cow<'c>(c: &'c Cell) -> Option<Cow<'c, str>> {
    ident_cow(c)
}

/// Hash of a row's cells, for exact-duplicate detection.
pub fn fingerprint(cells: &[Cell]) -> u64 {
    let mut h = FxHasher::default();
    for (i, c) in cells.iter().enumerate() {
        if c.is_blank() {
            continue;
        }
        h.write_usize(i);
        match c {
            Cell::Text(t) => {
                h.write_u8(1);
                h.write(t.trim().as_bytes());
            }
            Cell::Number(f) => {
                h.write_u8(2);
                h.write_u64(f.to_bits());
            }
            Cell::Int(n) => {
                h.write_u8(2);
                h.write_u64((*n as f64).to_bits());
            }
            Cell::Date(d) => {
                h.write_u8(3);
                h.write_u32(day_number(*d) as u32);
            }
            other => {
                h.write_u8(4);
                h.write(other.display().as_bytes());
            }
        }
    }
    h.finish()
}

/// Turns a value error into the problem reported for `field`.
pub fn value_problem(e: ValueError, field: &'static str, c: &Cell) -> Problem {
    match e {
        ValueError::Unreadable => Problem::Unreadable {
            field,
            raw: c.display(),
        },
        ValueError::AmbiguousDate => Problem::AmbiguousDate { raw: c.display() },
        ValueError::NoSavedValue => Problem::NoSavedValue { field },
        ValueError::ErrorValue => Problem::ErrorValue {
            field,
            raw: c.display(),
        },
        ValueError::AmbiguousNumber => Problem::AmbiguousNumber {
            field,
            raw: c.display(),
        },
        ValueError::TooPrecise => Problem::TooPrecise {
            field,
            raw: c.display(),
        },
        ValueError::TooLarge => Problem::TooLarge {
            field,
            raw: c.display(),
        },
        ValueError::DateOutOfRange => Problem::DateOutOfRange {
            field,
            raw: c.display(),
        },
        ValueError::TimeOnly => Problem::TimeOnly {
            field,
            raw: c.display(),
        },
    }
}

/// Reads an optional number column: blank is `None`, unreadable rejects.
pub fn number_field(
    row: &Row,
    col: Option<usize>,
    field: &'static str,
    style: &Style,
) -> Result<Option<Decimal>, Rejection> {
    parse_number(row.cell(col), style).map_err(|e| (value_problem(e, field, row.cell(col)), col))
}

/// Reads an optional date column: blank is `None`, unreadable rejects.
pub fn date_field(
    row: &Row,
    col: Option<usize>,
    field: &'static str,
    style: &Style,
) -> Result<Option<NaiveDate>, Rejection> {
    parse_date(row.cell(col), style).map_err(|e| (value_problem(e, field, row.cell(col)), col))
}

/// The date of a row that must have a date and a customer (a ledger line, a
/// receipt), or why it is rejected: an amount with neither date nor
/// customer, a row of text only (a note), no date, an unreadable date, no
/// customer.
pub fn dated_customer_row(
    row: &Row,
    date_col: Option<usize>,
    id_col: Option<usize>,
    name_col: Option<usize>,
    amount_col: Option<usize>,
    style: &Style,
) -> Result<NaiveDate, Rejection> {
    let date = parse_date(row.cell(date_col), style);
    let has_customer =
        ident_cow(row.cell(id_col)).is_some() || name_cow(row.cell(name_col)).is_some();
    if !has_customer && !matches!(date, Ok(Some(_))) {
        if matches!(row.amount, Ok(Some(_))) {
            return Err((Problem::AmountWithoutDateOrCustomer, amount_col));
        }
        if row
            .cells
            .iter()
            .all(|x| x.is_blank() || matches!(x, Cell::Text(_)))
        {
            return Err((Problem::TextOnly, None));
        }
    }
    let date = match date {
        Ok(Some(d)) => d,
        Ok(None) => return Err((Problem::MissingValue { field: "date" }, date_col)),
        Err(e) => return Err((value_problem(e, "date", row.cell(date_col)), date_col)),
    };
    if !has_customer {
        return Err((Problem::NoCustomer, id_col.or(name_col)));
    }
    Ok(date)
}

/// The amount of a row whose amount column is required.
pub fn required_amount(row: &Row, col: Option<usize>) -> Result<Decimal, Rejection> {
    match &row.amount {
        Ok(Some(a)) => Ok(*a),
        Ok(None) => Err((Problem::MissingValue { field: "amount" }, col)),
        Err(e) => Err((value_problem(*e, "amount", row.cell(col)), col)),
    }
}

pub(super) fn temp_error(file: &str, e: std::io::Error) -> ReadError {
    ReadError::file(file, format!("cannot write a temporary file: {e}"))
}

impl LedgerRows {
    /// A reader of the ledger sheet `task` names.
    ///
    /// # Errors
    /// The temporary files cannot be created.
    pub fn new(task: &SheetTask) -> Result<LedgerRows, ReadError> {
        let (file, sheet) = (task.file.as_str(), task.sheet.as_str());
        Ok(LedgerRows {
            style: task.style,
            cols: Cols::default(),
            strings: SheetStrings::default(),
            spill: Some(Spill::new().map_err(|e| temp_error(file, e))?),
            fingerprints: Some(FingerprintSpill::new().map_err(|e| temp_error(file, e))?),
            dates: LatestDates::default(),
            id_names: Vec::new(),
            id_name_set: FxSet::default(),
            last_pair: (NONE, NONE),
            file: file.to_string(),
            sheet: sheet.to_string(),
        })
    }

    /// The texts of an accepted row, interned.
    fn intern_texts(&mut self, row: &Row, rec: &mut LineRecord) {
        let c = self.cols;
        let s = &mut self.strings;
        rec.id = s.intern_at(slot::ID, ident_cow(row.cell(c.id)).as_deref());
        rec.name = s.intern_at(slot::NAME, name_cow(row.cell(c.name)).as_deref());
        rec.product = s.intern_at(slot::PRODUCT, ident_cow(row.cell(c.product)).as_deref());
        rec.region = s.intern_at(slot::REGION, name_cow(row.cell(c.region)).as_deref());
        rec.sales_rep = s.intern_at(slot::REP, name_cow(row.cell(c.sales_rep)).as_deref());
        rec.order = s.intern_at(slot::ORDER, ident_cow(row.cell(c.order)).as_deref());
        rec.source_order = s.intern_at(
            slot::SOURCE_ORDER,
            ident_cow(row.cell(c.source_order)).as_deref(),
        );
    }
}

impl RowKind for LedgerRows {
    type Record = LineRecord;

    fn start(&mut self, header: &HeaderMap) {
        self.cols = Cols::of(header);
    }

    fn amount_column(&self) -> Option<usize> {
        self.cols.amount
    }

    fn read(
        &mut self,
        row: &Row,
        warnings: &mut Vec<(Option<usize>, Problem)>,
    ) -> Result<LineRecord, Rejection> {
        let c = self.cols;
        let style = &self.style;
        let date = dated_customer_row(row, c.date, c.id, c.name, c.amount, style)?;
        let quantity = number_field(row, c.quantity, "quantity", style)?;
        let unit_price = number_field(row, c.unit_price, "unit_price", style)?;
        let amount = match (&row.amount, quantity, unit_price) {
            (Ok(None), Some(q), Some(p)) => q * p,
            _ => required_amount(row, c.amount)?,
        };
        let list_price = number_field(row, c.list_price, "list_price", style)?;
        let due_date = date_field(row, c.due_date, "due_date", style)?;
        if let (Some(q), Some(p), true) = (quantity, unit_price, c.amount.is_some()) {
            if (q * p - amount).abs() > Decimal::new(1, 2) {
                warnings.push((
                    c.amount,
                    Problem::AmountMismatch {
                        amount,
                        quantity: q,
                        unit_price: p,
                    },
                ));
            }
        }
        let mut rec = LineRecord {
            row: row.number,
            date,
            id: NONE,
            name: NONE,
            amount,
            quantity,
            unit_price,
            list_price,
            product: NONE,
            order: NONE,
            region: NONE,
            sales_rep: NONE,
            due_date,
            source_order: NONE,
        };
        self.intern_texts(row, &mut rec);
        Ok(rec)
    }

    fn keep(&mut self, row: &Row, rec: LineRecord) -> Result<Decimal, ReadError> {
        self.dates.see(rec.date, &self.file, &self.sheet, rec.row);
        if rec.id != NONE && rec.name != NONE && self.last_pair != (rec.id, rec.name) {
            self.last_pair = (rec.id, rec.name);
            self.id_name_set.insert(self.last_pair);
        }
        if let Some(fps) = self.fingerprints.as_mut() {
            fps.push(rec.row, fingerprint(row.cells))
                .map_err(|e| temp_error(&self.file, e))?;
        }
        if let Some(spill) = self.spill.as_mut() {
            spill.push(&rec).map_err(|e| temp_error(&self.file, e))?;
        }
        Ok(rec.amount)
    }

    /// A sheet without a header keeps no spill; the others' write buffers
    /// are freed (only their files wait for the model).
    fn finish(&mut self, header: bool) -> Result<(), ReadError> {
        if !header {
            self.spill = None;
            self.fingerprints = None;
        }
        let mut pairs: Vec<(u32, u32)> =
            std::mem::take(&mut self.id_name_set).into_iter().collect();
        pairs.sort_unstable();
        self.id_names = pairs;
        let sealed = match (self.spill.as_mut(), self.fingerprints.as_mut()) {
            (Some(s), Some(f)) => s.seal().and_then(|()| f.seal()),
            (Some(s), None) => s.seal(),
            (None, Some(f)) => f.seal(),
            (None, None) => Ok(()),
        };
        sealed.map_err(|e| temp_error(&self.file, e))
    }
}

/// The latest dated row of the sales ledgers, and the latest date before it,
/// for the default as-of date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LatestDates {
    /// The latest date, with where it was read (file, sheet, row).
    pub latest: Option<(NaiveDate, String, String, u32)>,
    /// The latest date before `latest`.
    pub next: Option<NaiveDate>,
}

impl LatestDates {
    /// Takes one more dated row into account.
    pub fn see(&mut self, date: NaiveDate, file: &str, sheet: &str, row: u32) {
        match &self.latest {
            Some((d, ..)) if date == *d => {}
            Some((d, ..)) if date < *d => {
                if self.next.is_none_or(|n| date > n) {
                    self.next = Some(date);
                }
            }
            _ => {
                self.next = self.latest.as_ref().map(|l| l.0);
                self.latest = Some((date, file.to_string(), sheet.to_string(), row));
            }
        }
    }

    /// Merges another sheet's dates (sheets in input order: on a tie the
    /// earlier sheet's row is kept).
    pub fn merge(&mut self, other: &LatestDates) {
        if let Some((d, file, sheet, row)) = &other.latest {
            self.see(*d, file, sheet, *row);
        }
        if let Some(n) = other.next {
            if let Some((d, ..)) = &self.latest {
                if n < *d && self.next.is_none_or(|m| n > m) {
                    self.next = Some(n);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::header::{HeaderMatcher, InputKind};
    use crate::read::issue::IssueKind;
    use crate::read::source::RowVisitor;
    use crate::read::LedgerSheet;

    fn t(s: &'static str) -> Cell<'static> {
        crate::read::sheet::text_cells(&[s]).remove(0)
    }

    fn read(rows: Vec<Vec<Cell<'static>>>) -> (LedgerSheet, Vec<LineRecord>) {
        let m = HeaderMatcher::new(InputKind::Ledger, None);
        let kind =
            LedgerRows::new(&SheetTask::new("t.xlsx", "1月", Style::default())).expect("reader");
        let task = SheetTask::new("t.xlsx", "1月", Style::default());
        let mut r = crate::read::SheetReader::new(&m, kind, &task);
        for (i, cells) in rows.iter().enumerate() {
            if !r.row(i as u32 + 1, cells).expect("row") {
                break;
            }
        }
        let mut sheet = r.finish().expect("finish");
        let mut recs = Vec::new();
        if let Some(spill) = sheet.rows.spill.as_mut() {
            let mut rd = spill.reader().expect("finish");
            while let Some(rec) = rd.next_record().expect("record") {
                recs.push(rec);
            }
        }
        (sheet, recs)
    }

    #[test]
    fn title_rows_totals_and_rejections() {
        let (sheet, recs) = read(vec![
            vec![t("华东机械有限公司 销售台账 2025年3月")],
            vec![t("制表单位：促销科"), t(""), t("单位：元")],
            vec![],
            vec![
                t("日期"),
                t("客户编码"),
                t("客户名称"),
                t("数量"),
                t("单价"),
                t("金额"),
            ],
            vec![
                t("2025-03-05"),
                Cell::Int(10023),
                t("华东机械"),
                Cell::Int(2),
                Cell::Number(50.0),
                Cell::Number(100.0),
            ],
            vec![
                t("2025/3/6"),
                t(""),
                t(" 华南  贸易 "),
                t(""),
                t(""),
                t("¥1,234.50"),
            ],
            vec![t("2025-03-07"), t("C9"), t(""), t(""), t(""), t("待定")],
            vec![t("以下为退货冲红")],
            vec![t(""), t(""), t(""), t(""), t(""), Cell::Number(5.0)],
            vec![
                t("2025-03-08"),
                t("C9"),
                t(""),
                Cell::Int(-1),
                Cell::Number(30.0),
                t("(30.00)"),
            ],
            vec![t("合计"), t(""), t(""), t(""), t(""), Cell::Number(1309.5)],
        ]);
        assert_eq!(sheet.header.as_ref().map(|h| h.row), Some(4));
        assert_eq!(sheet.summary.stats.rows_read, 7);
        assert_eq!(sheet.summary.stats.accepted, 3);
        assert_eq!(sheet.summary.stats.rejected, 3);
        assert_eq!(sheet.summary.stats.totals_rows, 1);
        let rows: Vec<u32> = sheet
            .issues
            .iter()
            .filter(|i| i.kind == IssueKind::Rejected)
            .filter_map(|i| i.row)
            .collect();
        assert_eq!(rows, vec![7, 8, 9]);
        assert_eq!(
            sheet
                .issues
                .iter()
                .find(|i| i.row == Some(8))
                .map(|i| &i.problem),
            Some(&Problem::TextOnly)
        );
        assert_eq!(
            sheet
                .issues
                .iter()
                .find(|i| i.row == Some(9))
                .map(|i| &i.problem),
            Some(&Problem::AmountWithoutDateOrCustomer)
        );
        // 100 + 1234.50 + 5 (rejected row, readable) - 30 = 1309.50: the total matches.
        assert!(!sheet
            .issues
            .iter()
            .any(|i| i.kind == IssueKind::TotalsMismatch));
        assert_eq!(recs.len(), 3);
        assert_eq!(sheet.rows.strings.strings.get(recs[0].id), Some("10023"));
        assert_eq!(
            sheet.rows.strings.strings.get(recs[1].name),
            Some("华南 贸易")
        );
        assert_eq!(recs[1].amount, Decimal::new(12345, 1));
        assert_eq!(recs[2].amount, Decimal::new(-30, 0));
        assert_eq!(recs[2].quantity, Some(Decimal::from(-1)));
    }

    #[test]
    fn totals_mismatch_is_reported() {
        let (sheet, _) = read(vec![
            vec![t("日期"), t("客户"), t("金额")],
            vec![t("2025-03-05"), t("甲"), Cell::Number(100.0)],
            vec![t("小计"), t(""), Cell::Number(100.0)],
            vec![t("2025-03-06"), t("乙"), Cell::Number(200.0)],
            vec![t("总计"), t(""), Cell::Number(290.0)],
        ]);
        let m: Vec<&Problem> = sheet
            .issues
            .iter()
            .filter(|i| i.kind == IssueKind::TotalsMismatch)
            .map(|i| &i.problem)
            .collect();
        assert_eq!(
            m,
            vec![&Problem::TotalsMismatch {
                sheet_says: Decimal::from(290),
                rows_add_up: Decimal::from(300)
            }]
        );
        assert_eq!(sheet.summary.stats.totals_rows, 2);
    }

    #[test]
    fn sheet_without_header_is_a_notice() {
        let (sheet, recs) = read(vec![vec![t("说明")], vec![t("日期"), t("金额")]]);
        assert!(sheet.header.is_none());
        assert!(recs.is_empty());
        assert!(matches!(
            sheet.issues[0].problem,
            Problem::SheetSkipped { .. }
        ));
    }

    #[test]
    fn formula_without_value_and_ambiguous_date() {
        let (sheet, _) = read(vec![
            vec![t("日期"), t("客户"), t("金额")],
            vec![t("2025-03-05"), t("甲"), Cell::NoValue],
            vec![t("03/05/2025"), t("甲"), Cell::Number(1.0)],
        ]);
        assert_eq!(
            sheet.issues[0].problem,
            Problem::NoSavedValue { field: "amount" }
        );
        assert_eq!(sheet.issues[0].column.as_deref(), Some("金额"));
        assert_eq!(
            sheet.issues[1].problem,
            Problem::AmbiguousDate {
                raw: "03/05/2025".into()
            }
        );
    }

    #[test]
    fn amount_from_quantity_and_price_and_mismatch_warning() {
        let (sheet, recs) = read(vec![
            vec![t("日期"), t("客户"), t("数量"), t("单价"), t("金额")],
            vec![
                t("2025-03-05"),
                t("甲"),
                Cell::Int(3),
                Cell::Number(2.5),
                t(""),
            ],
            vec![
                t("2025-03-05"),
                t("甲"),
                Cell::Int(3),
                Cell::Number(2.5),
                Cell::Number(8.0),
            ],
        ]);
        assert_eq!(recs[0].amount, Decimal::new(75, 1));
        assert_eq!(sheet.issues.len(), 1);
        assert_eq!(sheet.issues[0].kind, IssueKind::Warning);
    }

    fn date(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("test date")
    }

    #[test]
    fn latest_dates_merge_across_sheets() {
        let mut a = LatestDates::default();
        a.see(date(2025, 1, 5), "a", "1月", 5);
        a.see(date(2025, 1, 9), "a", "1月", 6);
        let mut b = LatestDates::default();
        b.see(date(2025, 1, 7), "a", "2月", 5);
        a.merge(&b);
        assert_eq!(a.latest.as_ref().map(|l| l.0), Some(date(2025, 1, 9)));
        assert_eq!(a.next, Some(date(2025, 1, 7)));
        let mut c = LatestDates::default();
        c.see(date(2025, 3, 1), "a", "3月", 9);
        a.merge(&c);
        assert_eq!(
            a.latest.as_ref().map(|l| (l.0, l.3)),
            Some((date(2025, 3, 1), 9))
        );
        assert_eq!(a.next, Some(date(2025, 1, 9)));
    }
}
