//! Sales-ledger rows → line records (SPEC 3.3–3.5). Each sheet is read by one
//! [`LedgerSheetReader`]: it finds the header, classifies every row (blank,
//! totals, accepted, rejected), checks grand totals against the rows above,
//! and spills accepted lines to an anonymous temporary file in a compact
//! binary form, so memory follows customers and orders, never rows.

use std::borrow::Cow;
use std::fs::File;
use std::hash::Hasher;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::cell::Cell;
use super::header::{Field, HeaderMap, HeaderMatcher, HeaderSearch, Search};
use super::intern::{FxHasher, FxSet, Interner, NONE};
use super::issue::{Issue, IssueKind, Problem};
use super::source::RowVisitor;
use super::value::{parse_date, parse_number, totals_word, Style, TotalsKind, ValueError};
use super::{ReadError, SheetStats};

/// One accepted ledger line. Strings are numbers in the sheet's [`Interner`].
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
    /// Hash of the order number ([`NO_ORDER`] when none): orders are only
    /// counted and matched, so their texts are not kept.
    pub order: u64,
    pub region: u32,
    pub sales_rep: u32,
    pub due_date: Option<NaiveDate>,
    pub source_order: u64,
}

/// Fixed-layout records appended to an anonymous temporary file: written
/// through a buffer while a sheet is read, then sealed (the buffer is freed,
/// only the file handle stays) until the model reads them back, once or more.
struct TempRecords {
    writer: Option<BufWriter<File>>,
    file: Option<File>,
    count: u64,
    buffer: usize,
}

impl TempRecords {
    fn new(buffer: usize) -> std::io::Result<TempRecords> {
        Ok(TempRecords {
            writer: Some(BufWriter::with_capacity(buffer, tempfile::tempfile()?)),
            file: None,
            count: 0,
            buffer,
        })
    }

    fn push(&mut self, record: &[u8]) -> std::io::Result<()> {
        let Some(w) = self.writer.as_mut() else {
            return Err(std::io::Error::other("temporary records already sealed"));
        };
        w.write_all(record)?;
        self.count += 1;
        Ok(())
    }

    /// Flushes and frees the write buffer; later pushes fail.
    fn seal(&mut self) -> std::io::Result<()> {
        if let Some(w) = self.writer.take() {
            self.file = Some(w.into_inner().map_err(|e| e.into_error())?);
        }
        Ok(())
    }

    /// A reader from the first record (sealing first when needed).
    fn reader(&mut self) -> std::io::Result<BufReader<File>> {
        self.seal()?;
        let Some(f) = self.file.as_mut() else {
            return Err(std::io::Error::other("temporary records missing"));
        };
        f.seek(SeekFrom::Start(0))?;
        Ok(BufReader::with_capacity(self.buffer, f.try_clone()?))
    }
}

/// Accepted lines of one sheet, in an anonymous temporary file.
pub struct Spill {
    records: TempRecords,
}

const FLAG_QTY: u8 = 1;
const FLAG_PRICE: u8 = 2;
const FLAG_LIST: u8 = 4;
const FLAG_DUE: u8 = 8;
/// Bytes of a record after its flags byte, optional fields aside: row, date,
/// five string numbers, two order keys, amount.
const FIXED_LEN: usize = 4 + 4 + 5 * 4 + 2 * 8 + 16;

impl Spill {
    pub fn new() -> std::io::Result<Spill> {
        Ok(Spill {
            records: TempRecords::new(1 << 16)?,
        })
    }

    /// Lines written so far.
    pub fn count(&self) -> u64 {
        self.records.count
    }

    /// Frees the write buffer once the sheet is read.
    pub fn seal(&mut self) -> std::io::Result<()> {
        self.records.seal()
    }

    pub fn push(&mut self, r: &LineRecord) -> std::io::Result<()> {
        let mut buf = [0u8; 128];
        let mut n = 0;
        let mut put = |bytes: &[u8]| {
            buf[n..n + bytes.len()].copy_from_slice(bytes);
            n += bytes.len();
        };
        let flags = (r.quantity.is_some() as u8 * FLAG_QTY)
            | (r.unit_price.is_some() as u8 * FLAG_PRICE)
            | (r.list_price.is_some() as u8 * FLAG_LIST)
            | (r.due_date.is_some() as u8 * FLAG_DUE);
        put(&[flags]);
        put(&r.row.to_le_bytes());
        put(&days(r.date).to_le_bytes());
        for v in [r.id, r.name, r.product, r.region, r.sales_rep] {
            put(&v.to_le_bytes());
        }
        put(&r.order.to_le_bytes());
        put(&r.source_order.to_le_bytes());
        put(&r.amount.serialize());
        for d in [r.quantity, r.unit_price, r.list_price]
            .into_iter()
            .flatten()
        {
            put(&d.serialize());
        }
        if let Some(d) = r.due_date {
            put(&days(d).to_le_bytes());
        }
        self.records.push(&buf[..n])
    }

    /// Ends writing and returns a reader over the records in order.
    pub fn finish(&mut self) -> std::io::Result<SpillReader> {
        Ok(SpillReader {
            reader: self.records.reader()?,
            left: self.records.count,
        })
    }
}

fn days(d: NaiveDate) -> i32 {
    chrono::Datelike::num_days_from_ce(&d)
}

fn from_days(n: i32) -> std::io::Result<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(n)
        .ok_or_else(|| std::io::Error::other("bad date in spill"))
}

/// The (row, fingerprint) pairs of one sheet's accepted lines, in an anonymous
/// temporary file, so duplicates can be found on another thread.
pub struct FingerprintSpill {
    records: TempRecords,
}

impl FingerprintSpill {
    pub fn new() -> std::io::Result<FingerprintSpill> {
        Ok(FingerprintSpill {
            records: TempRecords::new(1 << 15)?,
        })
    }

    pub fn push(&mut self, row: u32, fingerprint: u64) -> std::io::Result<()> {
        let mut buf = [0u8; 12];
        buf[..4].copy_from_slice(&row.to_le_bytes());
        buf[4..].copy_from_slice(&fingerprint.to_le_bytes());
        self.records.push(&buf)
    }

    /// Frees the write buffer once the sheet is read.
    pub fn seal(&mut self) -> std::io::Result<()> {
        self.records.seal()
    }

    /// Calls `each` with every (row, fingerprint) in order; may be called again.
    pub fn read_all(&mut self, mut each: impl FnMut(u32, u64)) -> std::io::Result<()> {
        let mut r = self.records.reader()?;
        for _ in 0..self.records.count {
            let b = read_array::<12>(&mut r)?;
            let row = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            let mut fp = [0u8; 8];
            fp.copy_from_slice(&b[4..]);
            each(row, u64::from_le_bytes(fp));
        }
        Ok(())
    }
}

/// Reads records back from a finished [`Spill`].
pub struct SpillReader {
    reader: BufReader<File>,
    left: u64,
}

impl SpillReader {
    pub fn next_record(&mut self) -> std::io::Result<Option<LineRecord>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let flags = read_array::<1>(&mut self.reader)?[0];
        let decimals = [FLAG_QTY, FLAG_PRICE, FLAG_LIST]
            .iter()
            .filter(|&&f| flags & f != 0)
            .count();
        let len = FIXED_LEN + 16 * decimals + if flags & FLAG_DUE != 0 { 4 } else { 0 };
        let mut buf = [0u8; 128];
        self.reader.read_exact(&mut buf[..len])?;
        let mut at = 0;
        let mut take = |n: usize| {
            let s = &buf[at..at + n];
            at += n;
            s
        };
        let u32_at = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let row = u32_at(take(4));
        let date = from_days(u32_at(take(4)) as i32)?;
        let mut ids = [0u32; 5];
        for v in &mut ids {
            *v = u32_at(take(4));
        }
        let u64_at = |b: &[u8]| {
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            u64::from_le_bytes(a)
        };
        let order = u64_at(take(8));
        let source_order = u64_at(take(8));
        let mut dec = || {
            let mut d = [0u8; 16];
            d.copy_from_slice(take(16));
            Decimal::deserialize(d)
        };
        let amount = dec();
        let quantity = (flags & FLAG_QTY != 0).then(&mut dec);
        let unit_price = (flags & FLAG_PRICE != 0).then(&mut dec);
        let list_price = (flags & FLAG_LIST != 0).then(&mut dec);
        let due_date = if flags & FLAG_DUE != 0 {
            Some(from_days(u32_at(take(4)) as i32)?)
        } else {
            None
        };
        Ok(Some(LineRecord {
            row,
            date,
            id: ids[0],
            name: ids[1],
            amount,
            quantity,
            unit_price,
            list_price,
            product: ids[2],
            order,
            region: ids[3],
            sales_rep: ids[4],
            due_date,
            source_order,
        }))
    }
}

fn read_array<const N: usize>(r: &mut impl Read) -> std::io::Result<[u8; N]> {
    let mut b = [0u8; N];
    r.read_exact(&mut b)?;
    Ok(b)
}

/// What reading one ledger sheet produced.
pub struct LedgerSheet {
    pub file_index: usize,
    pub file: String,
    pub sheet: String,
    /// None when the sheet was skipped (no header, unreadable).
    pub header: Option<HeaderMap>,
    pub stats: SheetStats,
    pub issues: Vec<Issue>,
    /// The sheet's own strings, numbered in first-seen order, until
    /// [`LedgerSheet::absorb_strings`] moves them into the run's table.
    pub strings: Interner,
    /// Sheet string number → number in the run's table (after absorbing).
    pub remap: Vec<u32>,
    pub spill: Option<Spill>,
    /// (row, fingerprint) of each accepted line, for the duplicate-row warning.
    pub fingerprints: Option<FingerprintSpill>,
    /// Latest date of an accepted line.
    pub max_date: Option<NaiveDate>,
    /// (id, name) pairs seen together, as interned numbers.
    pub id_names: Vec<(u32, u32)>,
}

impl LedgerSheet {
    /// Moves the sheet's strings into the run's table, keeping only the
    /// mapping: sheets absorbed in input order number every string as one
    /// table read front to back would, and each sheet's copy is freed as soon
    /// as it is absorbed (a year of monthly sheets repeats every customer).
    pub fn absorb_strings(&mut self, run: &mut Interner) {
        let own = std::mem::take(&mut self.strings);
        self.remap = own.strings().iter().map(|t| run.intern(t)).collect();
    }
}

/// Reads one ledger sheet row by row (a [`RowVisitor`]).
pub struct LedgerSheetReader<'m> {
    search: Option<HeaderSearch<'m>>,
    style: Style,
    out: LedgerSheet,
    running_sum: Decimal,
    id_names: FxSet<(u32, u32)>,
    cols: Cols,
    /// The interned number of each string field of the previous accepted row.
    last: [u32; 7],
    /// The (id, name) pair last added to `id_names`.
    last_pair: (u32, u32),
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

fn cell<'c, 'a>(cells: &'c [Cell<'a>], col: Option<usize>) -> &'c Cell<'a> {
    static EMPTY: Cell<'static> = Cell::Empty;
    col.and_then(|c| cells.get(c)).unwrap_or(&EMPTY)
}

/// An identifier cell as text: trimmed text, a number by its digits ("10023").
pub fn ident_text(c: &Cell) -> Option<String> {
    ident_cow(c).map(Cow::into_owned)
}

fn ident_cow<'c>(c: &'c Cell) -> Option<Cow<'c, str>> {
    match c {
        Cell::Empty => None,
        Cell::Text(_) => c.as_text().filter(|t| !t.is_empty()).map(Cow::Borrowed),
        Cell::Error(_) | Cell::NoValue => None,
        other => Some(Cow::Owned(other.display())),
    }
}

fn name_cow<'c>(c: &'c Cell) -> Option<Cow<'c, str>> {
    let s = match c {
        Cell::Text(t) => crate::text::normalize_name_cow(t),
        Cell::Empty | Cell::Error(_) | Cell::NoValue => return None,
        other => Cow::Owned(other.display()),
    };
    (!s.is_empty()).then_some(s)
}

/// "No order number" in [`LineRecord::order`].
pub const NO_ORDER: u64 = 0;

/// The 64-bit key of an order number (never [`NO_ORDER`]).
pub fn order_key(order: Option<&str>) -> u64 {
    match order {
        None => NO_ORDER,
        Some(t) => {
            let mut h = FxHasher::default();
            h.write(t.as_bytes());
            h.finish().max(1)
        }
    }
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
                h.write_u32(days(*d) as u32);
            }
            other => {
                h.write_u8(4);
                h.write(other.display().as_bytes());
            }
        }
    }
    h.finish()
}

enum Outcome {
    /// The line and its row's fingerprint.
    Accepted(Box<LineRecord>, u64),
    Rejected(Problem, Option<usize>),
}

impl<'m> LedgerSheetReader<'m> {
    pub fn new(
        matcher: &'m HeaderMatcher,
        style: Style,
        file_index: usize,
        file: &str,
        sheet: &str,
    ) -> Result<Self, ReadError> {
        Ok(LedgerSheetReader {
            search: Some(HeaderSearch::new(matcher)),
            style,
            out: LedgerSheet {
                file_index,
                file: file.to_string(),
                sheet: sheet.to_string(),
                header: None,
                stats: SheetStats::default(),
                issues: Vec::new(),
                strings: Interner::default(),
                remap: Vec::new(),
                spill: Some(Spill::new().map_err(|e| {
                    ReadError::file(file, format!("cannot create a temporary file: {e}"))
                })?),
                fingerprints: Some(FingerprintSpill::new().map_err(|e| {
                    ReadError::file(file, format!("cannot create a temporary file: {e}"))
                })?),
                max_date: None,
                id_names: Vec::new(),
            },
            running_sum: Decimal::ZERO,
            id_names: FxSet::default(),
            cols: Cols::default(),
            last: [NONE; 7],
            last_pair: (NONE, NONE),
        })
    }

    /// Ends the sheet: a sheet without a header becomes a notice; the spills'
    /// write buffers are freed (only their files wait for the model).
    ///
    /// # Errors
    /// The temporary files cannot be flushed (disk full).
    pub fn finish(mut self) -> Result<LedgerSheet, ReadError> {
        if let (None, Some(search)) = (&self.out.header, self.search.take()) {
            let problem = search.not_found();
            self.out.issues.push(Issue {
                kind: IssueKind::Notice,
                file: self.out.file.clone(),
                sheet: self.out.sheet.clone(),
                row: None,
                column: None,
                problem,
                cells: Vec::new(),
            });
            self.out.spill = None;
            self.out.fingerprints = None;
        }
        let mut pairs: Vec<(u32, u32)> = self.id_names.into_iter().collect();
        pairs.sort_unstable();
        self.out.id_names = pairs;
        let sealed = match (self.out.spill.as_mut(), self.out.fingerprints.as_mut()) {
            (Some(s), Some(f)) => s.seal().and_then(|()| f.seal()),
            (Some(s), None) => s.seal(),
            (None, Some(f)) => f.seal(),
            (None, None) => Ok(()),
        };
        sealed.map_err(|e| {
            ReadError::file(
                &self.out.file,
                format!("cannot write a temporary file: {e}"),
            )
        })?;
        Ok(self.out)
    }

    fn issue(
        &mut self,
        kind: IssueKind,
        row: u32,
        column: Option<usize>,
        problem: Problem,
        cells: &[Cell],
    ) {
        let column = column.map(|c| match &self.out.header {
            Some(h) => h.header_text(c),
            None => super::header::column_letter(c),
        });
        self.out.issues.push(Issue {
            kind,
            file: self.out.file.clone(),
            sheet: self.out.sheet.clone(),
            row: Some(row),
            column,
            problem,
            cells: cells.iter().map(Cell::display).collect(),
        });
    }

    fn classify(&mut self, row: u32, cells: &[Cell], c: &Cols) -> Outcome {
        let date = parse_date(cell(cells, c.date), &self.style);
        let id = ident_cow(cell(cells, c.id));
        let name = name_cow(cell(cells, c.name));
        let amount_cell = cell(cells, c.amount);
        let amount = parse_number(amount_cell, &self.style);
        let has_customer = id.is_some() || name.is_some();
        if let Ok(Some(a)) = amount {
            self.running_sum += a;
        }
        if !has_customer && !matches!(date, Ok(Some(_))) {
            if matches!(amount, Ok(Some(_))) {
                return Outcome::Rejected(Problem::AmountWithoutDateOrCustomer, c.amount);
            }
            if cells
                .iter()
                .all(|x| x.is_blank() || matches!(x, Cell::Text(_)))
            {
                return Outcome::Rejected(Problem::TextOnly, None);
            }
        }
        let date = match date {
            Ok(Some(d)) => d,
            Ok(None) => return Outcome::Rejected(Problem::MissingValue { field: "date" }, c.date),
            Err(e) => {
                return Outcome::Rejected(value_problem(e, "date", cell(cells, c.date)), c.date)
            }
        };
        if !has_customer {
            return Outcome::Rejected(Problem::NoCustomer, c.id.or(c.name));
        }
        let quantity = match parse_number(cell(cells, c.quantity), &self.style) {
            Ok(q) => q,
            Err(e) => {
                return Outcome::Rejected(
                    value_problem(e, "quantity", cell(cells, c.quantity)),
                    c.quantity,
                )
            }
        };
        let unit_price = match parse_number(cell(cells, c.unit_price), &self.style) {
            Ok(p) => p,
            Err(e) => {
                return Outcome::Rejected(
                    value_problem(e, "unit_price", cell(cells, c.unit_price)),
                    c.unit_price,
                )
            }
        };
        let amount = match amount {
            Ok(Some(a)) => a,
            Ok(None) => match (quantity, unit_price) {
                (Some(q), Some(p)) => q * p,
                _ => return Outcome::Rejected(Problem::MissingValue { field: "amount" }, c.amount),
            },
            Err(e) => return Outcome::Rejected(value_problem(e, "amount", amount_cell), c.amount),
        };
        let list_price = match parse_number(cell(cells, c.list_price), &self.style) {
            Ok(p) => p,
            Err(e) => {
                return Outcome::Rejected(
                    value_problem(e, "list_price", cell(cells, c.list_price)),
                    c.list_price,
                )
            }
        };
        let due_date = match parse_date(cell(cells, c.due_date), &self.style) {
            Ok(d) => d,
            Err(e) => {
                return Outcome::Rejected(
                    value_problem(e, "due_date", cell(cells, c.due_date)),
                    c.due_date,
                )
            }
        };
        if let (Some(q), Some(p), true) = (quantity, unit_price, c.amount.is_some()) {
            if (q * p - amount).abs() > Decimal::new(1, 2) {
                self.issue(
                    IssueKind::Warning,
                    row,
                    c.amount,
                    Problem::AmountMismatch {
                        amount,
                        quantity: q,
                        unit_price: p,
                    },
                    cells,
                );
            }
        }
        let s = &mut self.out.strings;
        let last = &mut self.last;
        // Consecutive rows often repeat a value (same order, customer, region):
        // compare with the previous row's text before hashing.
        let mut intern_opt = |slot: usize, v: Option<Cow<str>>| match v {
            None => NONE,
            Some(t) => match last[slot] {
                i if i != NONE && s.get(i) == Some(&*t) => i,
                _ => {
                    let i = s.intern(&t);
                    last[slot] = i;
                    i
                }
            },
        };
        let id = intern_opt(0, id);
        let name = intern_opt(1, name);
        let product = intern_opt(2, ident_cow(cell(cells, c.product)));
        let region = intern_opt(4, name_cow(cell(cells, c.region)));
        let sales_rep = intern_opt(5, name_cow(cell(cells, c.sales_rep)));
        let order = order_key(ident_cow(cell(cells, c.order)).as_deref());
        let source_order = order_key(ident_cow(cell(cells, c.source_order)).as_deref());
        Outcome::Accepted(
            Box::new(LineRecord {
                row,
                date,
                id,
                name,
                amount,
                quantity,
                unit_price,
                list_price,
                product,
                order,
                region,
                sales_rep,
                due_date,
                source_order,
            }),
            fingerprint(cells),
        )
    }
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

impl RowVisitor for LedgerSheetReader<'_> {
    fn row(&mut self, row: u32, cells: &[Cell]) -> Result<bool, ReadError> {
        if self.out.header.is_none() {
            let Some(search) = self.search.as_mut() else {
                return Ok(false);
            };
            return Ok(match search.offer(row, cells) {
                Search::Found(map) => {
                    self.cols = Cols::of(&map);
                    self.out.header = Some(map);
                    true
                }
                Search::Continue => true,
                Search::GiveUp => false,
            });
        }
        if cells.iter().all(Cell::is_blank) {
            return Ok(true);
        }
        if self.out.header.is_none() {
            return Ok(true);
        }
        let cols = self.cols;
        self.out.stats.rows_read += 1;
        if let Some(kind) = cells.iter().find_map(|c| c.as_text().and_then(totals_word)) {
            self.out.stats.totals_rows += 1;
            if kind == TotalsKind::Grand && cols.amount.is_some() {
                match parse_number(cell(cells, cols.amount), &self.style) {
                    Ok(Some(says)) => {
                        let cent = |d: Decimal| d.round_dp(2);
                        if cent(says) != cent(self.running_sum) {
                            let sum = self.running_sum;
                            self.issue(
                                IssueKind::TotalsMismatch,
                                row,
                                cols.amount,
                                Problem::TotalsMismatch {
                                    sheet_says: says,
                                    rows_add_up: sum,
                                },
                                cells,
                            );
                        }
                    }
                    Ok(None) => {}
                    Err(_) => self.issue(
                        IssueKind::Notice,
                        row,
                        cols.amount,
                        Problem::TotalsUnreadable,
                        cells,
                    ),
                }
            }
            return Ok(true);
        }
        match self.classify(row, cells, &cols) {
            Outcome::Accepted(rec, fp) => {
                self.out.stats.accepted += 1;
                self.out.stats.accepted_amount += rec.amount;
                if self.out.max_date.is_none_or(|m| rec.date > m) {
                    self.out.max_date = Some(rec.date);
                }
                if rec.id != NONE && rec.name != NONE && self.last_pair != (rec.id, rec.name) {
                    self.last_pair = (rec.id, rec.name);
                    self.id_names.insert(self.last_pair);
                }
                if let Some(fps) = self.out.fingerprints.as_mut() {
                    fps.push(rec.row, fp).map_err(|e| {
                        ReadError::file(
                            &self.out.file,
                            format!("cannot write a temporary file: {e}"),
                        )
                    })?;
                }
                if let Some(spill) = self.out.spill.as_mut() {
                    spill.push(&rec).map_err(|e| {
                        ReadError::file(
                            &self.out.file,
                            format!("cannot write a temporary file: {e}"),
                        )
                    })?;
                }
            }
            Outcome::Rejected(problem, col) => {
                self.out.stats.rejected += 1;
                self.issue(IssueKind::Rejected, row, col, problem, cells);
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::header::InputKind;
    use std::borrow::Cow;

    fn t(s: &'static str) -> Cell<'static> {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(Cow::Borrowed(s))
        }
    }

    fn read(rows: Vec<Vec<Cell<'static>>>) -> (LedgerSheet, Vec<LineRecord>) {
        let m = HeaderMatcher::new(InputKind::Ledger, None);
        let mut r =
            LedgerSheetReader::new(&m, Style::default(), 0, "t.xlsx", "1月").expect("reader");
        for (i, cells) in rows.iter().enumerate() {
            if !r.row(i as u32 + 1, cells).expect("row") {
                break;
            }
        }
        let mut sheet = r.finish().expect("finish");
        let mut recs = Vec::new();
        if let Some(spill) = sheet.spill.as_mut() {
            let mut rd = spill.finish().expect("finish");
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
        assert_eq!(sheet.stats.rows_read, 7);
        assert_eq!(sheet.stats.accepted, 3);
        assert_eq!(sheet.stats.rejected, 3);
        assert_eq!(sheet.stats.totals_rows, 1);
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
        assert_eq!(sheet.strings.get(recs[0].id), Some("10023"));
        assert_eq!(sheet.strings.get(recs[1].name), Some("华南 贸易"));
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
        assert_eq!(sheet.stats.totals_rows, 2);
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
}
