//! The one sheet reader every input kind goes through (SPEC 3.1, 3.5, 7.6, 10).
//!
//! A [`SheetReader`] receives a sheet's rows from [`super::source`]: it
//! applies merged cells to the rows they span, looks for the header row (one
//! table, or several side by side), skips blank rows, counts and checks
//! totals rows, keeps the per-table counts, and hands every other row to the
//! table's [`RowKind`], which says what a row of that kind becomes (a ledger
//! line, a receipt, a customer-master row, a previous grade) or why it is
//! rejected. Rejected rows and warnings become [`Issue`]s naming file,
//! sheet, Excel row and column, with the row's raw cells.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::cell::Cell;
use super::header::{
    column_letter, Field, HeaderMap, HeaderMatcher, HeaderSearch, InputKind, Search,
    HEADER_SEARCH_ROWS,
};
use super::issue::{Issue, IssueKind, Problem};
use super::layout::{MergeFill, SheetLayout};
use super::ledger::ident_cow;
use super::source::RowVisitor;
use super::value::{parse_date, parse_number, totals_word, Style, TotalsKind, ValueError};
use super::{ReadError, SheetStats, SheetTask};

/// Why a row is not used, and the column at fault (when one is).
pub type Rejection = (Problem, Option<usize>);

/// One data row as a [`RowKind`] sees it.
pub struct Row<'r, 'c> {
    /// 1-based Excel row (CSV: line number).
    pub number: u32,
    pub cells: &'r [Cell<'c>],
    /// The kind's amount column read as a number (`Ok(None)` when the column
    /// is absent or the cell blank), read once for the row and the totals check.
    pub amount: Result<Option<Decimal>, ValueError>,
}

impl<'c> Row<'_, 'c> {
    /// The cell in column `col`, or an empty cell.
    pub fn cell(&self, col: Option<usize>) -> &Cell<'c> {
        cell_at(self.cells, col)
    }
}

/// The cell in column `col` of `cells`, or an empty cell.
pub fn cell_at<'c, 'a>(cells: &'c [Cell<'a>], col: Option<usize>) -> &'c Cell<'a> {
    static EMPTY: Cell<'static> = Cell::Empty;
    col.and_then(|c| cells.get(c)).unwrap_or(&EMPTY)
}

/// What a row of one input kind becomes. One value per table: it resolves
/// its columns when the header is found, reads each data row, and keeps what
/// it accepts (in memory or in a spill) until the sheet is done.
pub trait RowKind {
    /// An accepted row.
    type Record;

    /// The header row was found: resolve column indexes once.
    fn start(&mut self, header: &HeaderMap);

    /// The column whose amounts grand totals are checked against; `None`
    /// when the kind has none (no check).
    fn amount_column(&self) -> Option<usize> {
        None
    }

    /// Reads a data row: the record, or why the row is rejected. Warnings
    /// about a row that is kept go to `warnings` with their column.
    fn read(
        &mut self,
        row: &Row,
        warnings: &mut Vec<(Option<usize>, Problem)>,
    ) -> Result<Self::Record, Rejection>;

    /// Keeps an accepted record and returns its amount (zero for kinds
    /// without amounts), for the sheet's accepted-amount total.
    ///
    /// # Errors
    /// The record cannot be stored (a temporary file cannot be written).
    fn keep(&mut self, row: &Row, record: Self::Record) -> Result<Decimal, ReadError>;

    /// The sheet is done (`header` says whether a header was found): flush
    /// what is buffered.
    ///
    /// # Errors
    /// A temporary file cannot be flushed.
    fn finish(&mut self, _header: bool) -> Result<(), ReadError> {
        Ok(())
    }
}

/// One input table as the Summary, the JSON `inputs` and `check` show it
/// (a sheet holds one, or several side by side).
#[derive(Debug, Clone, PartialEq)]
pub struct SheetSummary {
    pub kind: InputKind,
    /// Index of the file among the files of its kind.
    pub file_index: usize,
    /// The path as the user gave it.
    pub file: String,
    pub sheet: String,
    /// 1-based Excel row of the header; `None` when the sheet was skipped.
    pub header_row: Option<u32>,
    /// Field name → header text.
    pub columns: BTreeMap<String, String>,
    pub stats: SheetStats,
}

/// A currency met in a table's currency column, and where first.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrencySeen {
    /// The currency in comparable form (`CNY` for 人民币, RMB, ¥ …).
    pub code: String,
    /// As written.
    pub raw: String,
    pub sheet: String,
    pub row: u32,
}

/// What reading one table produced.
pub struct SheetRead<K> {
    pub summary: SheetSummary,
    pub header: Option<HeaderMap>,
    /// Rejected rows, warnings, totals checks and the table's notices, in row order.
    pub issues: Vec<Issue>,
    /// The kind's own result (records, spills, strings).
    pub rows: K,
    /// The currencies of the currency column, each once, in order of appearance.
    pub currencies: Vec<CurrencySeen>,
}

/// Whether a row is blank, a totals row or data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowClass {
    Blank,
    Totals(TotalsKind),
    Data,
}

/// The columns where a totals word makes a row a totals row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TotalsColumns {
    pub date: Option<usize>,
    pub id: Option<usize>,
    pub name: Option<usize>,
    pub order: Option<usize>,
}

impl TotalsColumns {
    pub fn of(h: &HeaderMap) -> TotalsColumns {
        TotalsColumns {
            date: h.col(Field::Date),
            id: h.col(Field::CustomerId),
            name: h.col(Field::CustomerName),
            order: h.col(Field::OrderNo),
        }
    }
}

/// Classifies a row under its header (SPEC 3.5, 10): blank (every cell
/// blank); a totals row when a totals word stands in its date, customer or
/// order cell or in its first non-empty cell, unless the row has both a
/// valid date and a customer ID; else data.
pub fn classify_row(cells: &[Cell], cols: &TotalsColumns, style: &Style) -> RowClass {
    let Some(first) = cells.iter().position(|c| !c.is_blank()) else {
        return RowClass::Blank;
    };
    if signature_line(cells) {
        return RowClass::Blank;
    }
    let word = |col: Option<usize>| cell_at(cells, col).as_text().and_then(totals_word);
    let found = [cols.date, cols.id, cols.name, cols.order, Some(first)]
        .into_iter()
        .find_map(word);
    let Some(kind) = found else {
        return RowClass::Data;
    };
    let dated = matches!(parse_date(cell_at(cells, cols.date), style), Ok(Some(_)));
    let has_id =
        cols.id.is_some() && word(cols.id).is_none() && !cell_at(cells, cols.id).is_blank();
    if dated && has_id {
        RowClass::Data
    } else {
        RowClass::Totals(kind)
    }
}

/// Whether a row holds only the labels of a form's signature line (填表：
/// 审核： 批准： 日期：): every non-blank cell a short text ending in a colon.
/// Such a row is no data and no note: it is passed over like a blank row.
pub fn signature_line(cells: &[Cell]) -> bool {
    cells.iter().filter(|c| !c.is_blank()).all(|c| {
        c.as_text().is_some_and(|t| {
            let t = t.trim_end_matches(['_', ' ', '\u{3000}']);
            t.chars().count() <= 8 && (t.ends_with(':') || t.ends_with('：'))
        })
    })
}

/// Makes the [`RowKind`] value of one table of a sheet.
pub type MakeKind<'m, K> = &'m (dyn Fn(&SheetTask) -> Result<K, ReadError> + Sync);

/// Reads one sheet row by row (a [`RowVisitor`]) for a [`RowKind`].
pub struct SheetReader<'m, K: RowKind> {
    fill: MergeFill,
    body: Body<'m, K>,
}

/// Everything of a [`SheetReader`] but the merged cells, which lend their
/// values to the rows this reads.
struct Body<'m, K: RowKind> {
    matcher: &'m HeaderMatcher,
    /// Makes the kind of a second table; `None`: one table per sheet.
    make: Option<MakeKind<'m, K>>,
    task: SheetTask,
    /// The kind of the first table, until its header is found.
    spare: Option<K>,
    search: Option<HeaderSearch<'m>>,
    tables: Vec<Table<K>>,
    /// Hidden rows (1-based, ascending) and how far rows have come in them.
    hidden: Vec<u32>,
    hidden_at: usize,
    csv: CsvShape,
    /// The first cell right of the columns read: (1-based row, 0-based column).
    beyond: Option<(u32, u32)>,
    warnings: Vec<(Option<usize>, Problem)>,
}

/// What the CSV reader says of its records (SPEC 10, CSV).
#[derive(Debug, Default)]
struct CsvShape {
    /// The record about to come as a row: first line, last line, fields as written.
    next: Option<(u32, u32, usize)>,
    /// The header record's fields: as written, and without trailing padding.
    header: Option<(usize, usize)>,
}

/// The running sums a grand total is compared with.
#[derive(Debug, Default)]
struct Sums {
    /// Since the previous grand total.
    segment: Decimal,
    /// Since the top of the table.
    table: Decimal,
    /// A sum went past what a decimal holds: totals are not checked.
    overflow: bool,
}

impl Sums {
    fn add(&mut self, a: Decimal) {
        match (self.segment.checked_add(a), self.table.checked_add(a)) {
            (Some(s), Some(t)) => (self.segment, self.table) = (s, t),
            _ => self.overflow = true,
        }
    }
}

/// What is known of a whole sheet row before its tables read it.
struct RowFacts {
    /// 1-based Excel row (CSV: line number).
    number: u32,
    /// Why the whole record is rejected (a CSV record of the wrong shape).
    rejected: Option<Problem>,
    hidden: bool,
}

/// One table of a sheet: its columns, header, kind and counts.
struct Table<K> {
    header: HeaderMap,
    /// The sheet column where the next table starts, if one does.
    end: Option<usize>,
    kind: K,
    style: Style,
    amount_col: Option<usize>,
    totals_cols: TotalsColumns,
    currency_col: Option<usize>,
    summary: SheetSummary,
    issues: Vec<Issue>,
    sums: Sums,
    currencies: Vec<CurrencySeen>,
    /// Hidden rows read, and the first.
    hidden: (u64, u32),
}

/// The error that stops a run for a table that cannot be read as laid out.
fn layout_error(task: &SheetTask, message: String) -> ReadError {
    ReadError::Table {
        path: task.file.clone(),
        sheet: task.sheet.clone(),
        message,
    }
}

/// A currency cell in comparable form: trimmed, folded, upper case, with the
/// usual names of the renminbi as one.
fn currency_code(c: &Cell) -> Option<String> {
    let t = ident_cow(c)?.to_uppercase();
    Some(match t.as_str() {
        "人民币" | "人民幣" | "RMB" | "CNY" | "¥" | "￥" | "元" => "CNY".to_string(),
        _ => t,
    })
}

impl<K: RowKind> Table<K> {
    fn new(header: HeaderMap, mut kind: K, task: &SheetTask, kind_of: InputKind) -> Table<K> {
        kind.start(&header);
        Table {
            amount_col: kind.amount_column(),
            totals_cols: TotalsColumns::of(&header),
            currency_col: header.col(Field::Currency),
            summary: SheetSummary {
                kind: kind_of,
                file_index: task.file_index,
                file: task.file.clone(),
                sheet: task.sheet.clone(),
                header_row: Some(header.row),
                columns: header.columns(),
                stats: SheetStats::default(),
            },
            header,
            end: None,
            kind,
            style: task.style,
            issues: Vec::new(),
            sums: Sums::default(),
            currencies: Vec::new(),
            hidden: (0, 0),
        }
    }

    /// The part of a sheet row that is this table's.
    fn cells<'a, 'c>(&self, cells: &'a [Cell<'c>]) -> &'a [Cell<'c>] {
        let len = cells.len();
        let end = self.end.unwrap_or(len).min(len);
        &cells[self.header.start.min(end)..end]
    }

    fn issue(
        &self,
        kind: IssueKind,
        row: Option<u32>,
        column: Option<usize>,
        problem: Problem,
        cells: &[Cell],
    ) -> Issue {
        Issue {
            kind,
            file: self.summary.file.clone(),
            sheet: self.summary.sheet.clone(),
            row,
            column: column.map(|c| self.header.header_text(c)),
            problem,
            cells: cells.iter().map(Cell::display).collect(),
        }
    }

    /// Reads one row of this table: `cells` with merged values applied,
    /// `facts` what is known of the whole row. Whether it is blank, a totals
    /// row or data is judged on the row as written (a subtotal row under a
    /// merged customer stays a subtotal row).
    fn row(
        &mut self,
        cells: &[Cell],
        written: &[Cell],
        facts: &RowFacts,
        warnings: &mut Vec<(Option<usize>, Problem)>,
        task: &SheetTask,
    ) -> Result<(), ReadError> {
        let number = facts.number;
        if number == self.header.row {
            return Ok(());
        }
        let class = classify_row(written, &self.totals_cols, &self.style);
        if class == RowClass::Blank {
            return Ok(());
        }
        if facts.hidden {
            self.hidden.0 += 1;
            if self.hidden.1 == 0 {
                self.hidden.1 = number;
            }
        }
        self.summary.stats.rows_read += 1;
        if let Some(problem) = &facts.rejected {
            self.summary.stats.rejected += 1;
            let issue = self.issue(
                IssueKind::Rejected,
                Some(number),
                None,
                problem.clone(),
                cells,
            );
            self.issues.push(issue);
            return Ok(());
        }
        match class {
            RowClass::Totals(kind) => {
                self.summary.stats.totals_rows += 1;
                self.check_total(number, kind, cells);
                Ok(())
            }
            _ => self.data_row(number, cells, warnings, task),
        }
    }

    /// A grand total is compared, to the cent, with the readable amounts of
    /// the non-totals rows since the previous grand total of the table (or,
    /// failing that, since its top: a grand total of the grand totals).
    fn check_total(&mut self, row: u32, kind: TotalsKind, cells: &[Cell]) {
        let Some(col) = self.amount_col.filter(|_| kind == TotalsKind::Grand) else {
            return;
        };
        let says = parse_number(cell_at(cells, Some(col)), &self.style);
        let table = self.sums.table;
        let sums = std::mem::replace(
            &mut self.sums,
            Sums {
                table,
                ..Sums::default()
            },
        );
        self.sums.overflow = sums.overflow;
        let cents = |d: Decimal| d.round_dp(2);
        let problem = match says {
            Ok(Some(_)) | Err(_) if sums.overflow => (IssueKind::Notice, Problem::TotalsUnreadable),
            Ok(Some(s)) if cents(s) != cents(sums.segment) && cents(s) != cents(sums.table) => (
                IssueKind::TotalsMismatch,
                Problem::TotalsMismatch {
                    sheet_says: s,
                    rows_add_up: sums.segment,
                },
            ),
            Ok(_) => return,
            Err(_) => (IssueKind::Notice, Problem::TotalsUnreadable),
        };
        let issue = self.issue(problem.0, Some(row), Some(col), problem.1, cells);
        self.issues.push(issue);
    }

    fn data_row(
        &mut self,
        number: u32,
        cells: &[Cell],
        warnings: &mut Vec<(Option<usize>, Problem)>,
        task: &SheetTask,
    ) -> Result<(), ReadError> {
        let amount = match self.amount_col {
            Some(col) => parse_number(cell_at(cells, Some(col)), &self.style),
            None => Ok(None),
        };
        if let Ok(Some(a)) = amount {
            self.sums.add(a);
        }
        self.see_currency(number, cells);
        let row = Row {
            number,
            cells,
            amount,
        };
        let verdict = self.kind.read(&row, warnings);
        for (col, problem) in std::mem::take(warnings) {
            let issue = self.issue(IssueKind::Warning, Some(number), col, problem, cells);
            self.issues.push(issue);
        }
        match verdict {
            Ok(record) => {
                let amount = self.kind.keep(&row, record)?;
                let stats = &mut self.summary.stats;
                stats.accepted += 1;
                let too_large = |signs: &str| {
                    layout_error(
                        task,
                        format!("row {number}: the accepted amounts of the sheet add up{signs} to more than tierbook can hold exactly (79,228,162,514,264,337,593,543,950,335); check the amount cells"),
                    )
                };
                stats.accepted_amount =
                    (stats.accepted_amount.checked_add(amount)).ok_or_else(|| too_large(""))?;
                // Every later total (per customer, over customers) is at
                // most this.
                stats.gross = (stats.gross.checked_add(amount.abs()))
                    .ok_or_else(|| too_large(", signs ignored,"))?;
            }
            Err((problem, col)) => {
                self.summary.stats.rejected += 1;
                let issue = self.issue(IssueKind::Rejected, Some(number), col, problem, cells);
                self.issues.push(issue);
            }
        }
        Ok(())
    }

    fn see_currency(&mut self, number: u32, cells: &[Cell]) {
        let Some(col) = self.currency_col else { return };
        let cell = cell_at(cells, Some(col));
        if let (Cell::Text(t), Some(last)) = (cell, self.currencies.last()) {
            if t.as_ref() == last.raw {
                return;
            }
        }
        let Some(code) = currency_code(cell) else {
            return;
        };
        if self.currencies.iter().all(|c| c.code != code) {
            self.currencies.push(CurrencySeen {
                code,
                raw: cell.display(),
                sheet: self.summary.sheet.clone(),
                row: number,
            });
        }
    }

    /// Notices about the whole table, added after its rows.
    fn notice(&mut self, problem: Problem) {
        let issue = self.issue(IssueKind::Notice, None, None, problem, &[]);
        self.issues.push(issue);
    }

    fn finish(mut self) -> Result<SheetRead<K>, ReadError> {
        if self.hidden.0 > 0 {
            self.notice(Problem::HiddenRows {
                count: self.hidden.0,
                first: self.hidden.1,
            });
        }
        self.kind.finish(true)?;
        Ok(SheetRead {
            summary: self.summary,
            header: Some(self.header),
            issues: self.issues,
            rows: self.kind,
            currencies: self.currencies,
        })
    }
}

impl<'m, K: RowKind> Body<'m, K> {
    /// Starts the tables whose headers were found; two columns for one field
    /// stop the run.
    fn start_tables(&mut self, maps: Vec<HeaderMap>) -> Result<(), ReadError> {
        let kind_of = self.matcher.kind();
        for map in maps {
            if let Some((field, cols)) = map.conflicts.first() {
                let named: Vec<String> = cols.iter().map(|&c| map.column_named(c)).collect();
                let pick = map.headers.get(cols[0]).cloned().unwrap_or_default();
                return Err(layout_error(
                    &self.task,
                    format!(
                        "row {}: columns {} all map to {}; say which one to use in the rules file, e.g. [columns.{}] {} = \"{}\"",
                        map.row,
                        named.join(" and "),
                        field.name(),
                        kind_of.as_str(),
                        field.name(),
                        pick
                    ),
                ));
            }
            let kind = match (self.spare.take(), self.make) {
                (Some(k), _) => k,
                (None, Some(make)) => make(&self.task)?,
                (None, None) => break,
            };
            if let Some(last) = self.tables.last_mut() {
                last.end = Some(map.start);
            }
            self.tables.push(Table::new(map, kind, &self.task, kind_of));
        }
        Ok(())
    }

    /// A header to the right of the last table, in the first rows of the
    /// sheet, starts another table.
    fn more_tables(&mut self, row: u32, cells: &[Cell]) -> Result<(), ReadError> {
        let Some(last) = self.tables.last() else {
            return Ok(());
        };
        if self.make.is_none() || row > HEADER_SEARCH_ROWS || row == last.header.row {
            return Ok(());
        }
        let extent = last.header.start + last.header.headers.len();
        let Some(right) = cells
            .get(extent..)
            .filter(|r| r.iter().any(|c| !c.is_blank()))
        else {
            return Ok(());
        };
        let maps = self.matcher.tables(row, right, extent);
        self.start_tables(maps)
    }

    /// Why a CSV record is rejected as a whole: its quoted field ran across
    /// lines and left it with another number of fields than the header, or
    /// it has more fields than the header.
    fn csv_rejection(&self, shape: Option<(u32, u32, usize)>, width: usize) -> Option<Problem> {
        let ((first, last, fields), (header, header_width)) = (shape?, self.csv.header?);
        if last > first && fields != header {
            Some(Problem::QuotedAcrossLines {
                first,
                last,
                fields,
                header,
            })
        } else if width > header_width {
            Some(Problem::TooManyFields {
                fields: width,
                header: header_width,
            })
        } else {
            None
        }
    }

    fn is_hidden(&mut self, row: u32) -> bool {
        while self.hidden.get(self.hidden_at).is_some_and(|&h| h < row) {
            self.hidden_at += 1;
        }
        self.hidden.get(self.hidden_at) == Some(&row)
    }

    /// Reads a sheet row: `cells` with merged values applied, `written` as read.
    fn row(&mut self, row: u32, cells: &[Cell], written: &[Cell]) -> Result<bool, ReadError> {
        let shape = self.csv.next.take();
        if self.tables.is_empty() {
            let Some(search) = self.search.as_mut() else {
                return Ok(false);
            };
            return match search.offer(row, cells) {
                Search::Found(maps) => {
                    self.search = None;
                    if let Some((_, _, fields)) = shape {
                        self.csv.header = Some((fields, cells.len()));
                    }
                    self.start_tables(maps)?;
                    Ok(true)
                }
                Search::Continue => Ok(true),
                Search::GiveUp => Ok(false),
            };
        }
        self.more_tables(row, cells)?;
        let facts = RowFacts {
            number: row,
            rejected: self.csv_rejection(shape, cells.len()),
            hidden: self.is_hidden(row),
        };
        for t in &mut self.tables {
            let (part, as_written) = (t.cells(cells), t.cells(written));
            t.row(part, as_written, &facts, &mut self.warnings, &self.task)?;
        }
        Ok(true)
    }

    fn sheet_notice(&self, problem: Problem, row: Option<u32>, cells: Vec<String>) -> Issue {
        Issue {
            kind: IssueKind::Notice,
            file: self.task.file.clone(),
            sheet: self.task.sheet.clone(),
            row,
            column: None,
            problem,
            cells,
        }
    }

    /// A sheet where no header was found: one result with the notice that
    /// says why, or an error when cells right of the columns read stand
    /// where a header could be (a table that starts out of reach).
    fn finish_without_header(mut self) -> Result<Vec<SheetRead<K>>, ReadError> {
        if let Some((row, col)) = self.beyond.filter(|b| b.0 <= HEADER_SEARCH_ROWS) {
            return Err(layout_error(
                &self.task,
                format!(
                    "a table starts right of the 1,024 columns tierbook reads (A to AMJ): its first cell is {}{}; move the table to the left, starting in column A",
                    column_letter(col as usize),
                    row
                ),
            ));
        }
        let (problem, row, cells) = match self.search.take() {
            Some(search) => search.not_found(),
            None => (Problem::SheetEmpty, None, Vec::new()),
        };
        let issue = self.sheet_notice(problem, row, cells);
        let mut kind = self
            .spare
            .take()
            .ok_or_else(|| layout_error(&self.task, "was not read (internal error)".into()))?;
        kind.finish(false)?;
        Ok(vec![SheetRead {
            summary: SheetSummary {
                kind: self.matcher.kind(),
                file_index: self.task.file_index,
                file: self.task.file.clone(),
                sheet: self.task.sheet.clone(),
                header_row: None,
                columns: BTreeMap::new(),
                stats: SheetStats::default(),
            },
            header: None,
            issues: vec![issue],
            rows: kind,
            currencies: Vec::new(),
        }])
    }
}

impl<'m, K: RowKind> SheetReader<'m, K> {
    fn with(
        matcher: &'m HeaderMatcher,
        make: Option<MakeKind<'m, K>>,
        kind: K,
        task: &SheetTask,
    ) -> Self {
        SheetReader {
            fill: MergeFill::default(),
            body: Body {
                matcher,
                make,
                task: task.clone(),
                spare: Some(kind),
                search: Some(HeaderSearch::new(matcher, make.is_some())),
                tables: Vec::new(),
                hidden: Vec::new(),
                hidden_at: 0,
                csv: CsvShape::default(),
                beyond: None,
                warnings: Vec::new(),
            },
        }
    }

    /// A reader of the sheet `task` names, for rows of `kind`: one table per
    /// sheet.
    pub fn new(matcher: &'m HeaderMatcher, kind: K, task: &SheetTask) -> Self {
        Self::with(matcher, None, kind, task)
    }

    /// A reader of the sheet `task` names that reads every table side by
    /// side, each with a kind from `make`.
    ///
    /// # Errors
    /// `make` fails for the first table.
    pub fn tables(
        matcher: &'m HeaderMatcher,
        make: MakeKind<'m, K>,
        task: &SheetTask,
    ) -> Result<Self, ReadError> {
        let kind = make(task)?;
        Ok(Self::with(matcher, Some(make), kind, task))
    }

    /// Ends the sheet: every table read, left to right; a sheet without a
    /// header is one result with a notice saying why.
    ///
    /// # Errors
    /// A kind cannot flush what it holds; the sheet's cells lie beyond the
    /// columns read.
    pub fn finish_tables(self) -> Result<Vec<SheetRead<K>>, ReadError> {
        let applied = self.fill.applied;
        let mut body = self.body;
        if body.tables.is_empty() {
            return body.finish_without_header();
        }
        let mut tables = std::mem::take(&mut body.tables);
        if let Some(first) = tables.first_mut() {
            if body.task.hidden {
                first.notice(Problem::HiddenSheet);
            }
            if applied > 0 {
                first.notice(Problem::MergedFilled { count: applied });
            }
        }
        if let (Some(last), Some((row, col))) = (tables.last_mut(), body.beyond) {
            last.notice(Problem::CellsBeyond {
                cell: format!("{}{}", column_letter(col as usize), row),
            });
        }
        tables.into_iter().map(Table::finish).collect()
    }

    /// Ends a sheet read with [`SheetReader::new`] (one table).
    ///
    /// # Errors
    /// As [`SheetReader::finish_tables`].
    pub fn finish(self) -> Result<SheetRead<K>, ReadError> {
        let task = self.body.task.clone();
        self.finish_tables()?
            .into_iter()
            .next()
            .ok_or_else(|| layout_error(&task, "was not read (internal error)".into()))
    }
}

impl<K: RowKind> RowVisitor for SheetReader<'_, K> {
    fn row(&mut self, row: u32, cells: &[Cell]) -> Result<bool, ReadError> {
        self.fill.advance(row, cells, !self.body.tables.is_empty());
        let filled = self.fill.fill(row, cells);
        self.body
            .row(row, filled.as_deref().unwrap_or(cells), cells)
    }

    fn layout(&mut self, layout: SheetLayout) {
        self.fill = MergeFill::new(layout.merges);
        self.body.hidden = layout.hidden_rows;
        self.body.hidden_at = 0;
    }

    fn beyond(&mut self, row: u32, col: u32) {
        self.body.beyond.get_or_insert((row, col));
    }

    fn record_shape(&mut self, first: u32, last: u32, fields: usize) {
        self.body.csv.next = Some((first, last, fields));
    }
}

/// A row of text cells for unit tests (an empty text is an empty cell).
#[cfg(test)]
pub(crate) fn text_cells(texts: &[&'static str]) -> Vec<Cell<'static>> {
    texts
        .iter()
        .map(|s| match *s {
            "" => Cell::Empty,
            s => Cell::Text(std::borrow::Cow::Borrowed(s)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::layout::Merge;
    use crate::read::{LedgerRows, LedgerSheet, LineRecord};
    use std::str::FromStr;

    fn r(texts: &[&'static str]) -> Vec<Cell<'static>> {
        text_cells(texts)
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("test decimal")
    }

    /// What a test does to a reader before, between and after rows.
    enum Step {
        Row(Vec<Cell<'static>>),
        Shape(u32, u32, usize),
        Layout(SheetLayout),
        Beyond(u32, u32),
    }

    fn rows(rows: Vec<Vec<Cell<'static>>>) -> Vec<Step> {
        rows.into_iter().map(Step::Row).collect()
    }

    /// Reads steps through a many-table ledger reader; rows are numbered
    /// from 1 in order (a shape's first line numbers the next row).
    fn read(steps: Vec<Step>, hidden: bool) -> Result<Vec<LedgerSheet>, ReadError> {
        let m = HeaderMatcher::new(InputKind::Ledger, None);
        let mut task = SheetTask::new("t.xlsx", "1月", Style::default());
        task.hidden = hidden;
        let make = |t: &SheetTask| LedgerRows::new(t);
        let mut r = SheetReader::tables(&m, &make, &task)?;
        let mut number = 0;
        let mut next = None;
        for s in steps {
            match s {
                Step::Row(cells) => {
                    number = next.take().unwrap_or(number + 1);
                    if !r.row(number, &cells)? {
                        break;
                    }
                }
                Step::Shape(first, last, fields) => {
                    next = Some(first);
                    r.record_shape(first, last, fields);
                }
                Step::Layout(l) => r.layout(l),
                Step::Beyond(row, col) => r.beyond(row, col),
            }
        }
        r.finish_tables()
    }

    /// The error that ends reading `steps`, as text.
    fn error_of(steps: Vec<Step>) -> String {
        read(steps, false)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    fn records(sheet: &mut LedgerSheet) -> Vec<LineRecord> {
        let mut out = Vec::new();
        if let Some(spill) = sheet.rows.spill.as_mut() {
            let mut rd = spill.reader().expect("spill");
            while let Some(rec) = rd.next_record().expect("record") {
                out.push(rec);
            }
        }
        out
    }

    fn problems(sheet: &LedgerSheet, kind: IssueKind) -> Vec<(Option<u32>, Problem)> {
        sheet
            .issues
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| (i.row, i.problem.clone()))
            .collect()
    }

    fn header() -> Vec<Cell<'static>> {
        r(&["日期", "客户编码", "客户名称", "产品编码", "金额", "备注"])
    }

    #[test]
    fn a_totals_word_counts_only_in_the_date_customer_order_or_first_cell() {
        let cols = TotalsColumns {
            date: Some(0),
            id: Some(1),
            name: Some(2),
            order: None,
        };
        let s = Style::default();
        let class = |cells: Vec<Cell<'static>>| classify_row(&cells, &cols, &s);
        let data = RowClass::Data;
        let grand = RowClass::Totals(TotalsKind::Grand);
        assert_eq!(class(r(&["2025-03-05", "C1", "甲", "小计", "5"])), data);
        assert_eq!(class(r(&["2025-03-05", "C1", "甲", "", "5", "合计"])), data);
        assert_eq!(class(r(&["2025-03-05", "C1", "合计", "", "5"])), data);
        assert_eq!(class(r(&["", "", "合计", "", "5"])), grand);
        assert_eq!(class(r(&["2025-03-31", "", "本月合计", "", "5"])), grand);
        assert_eq!(class(r(&["2025-03-31", "合计", "", "", "5"])), grand);
        assert_eq!(class(r(&["", "", "", "Total:", "5"])), grand);
        assert_eq!(class(r(&["", " ", ""])), RowClass::Blank);
    }

    #[test]
    fn each_grand_total_is_checked_against_the_rows_since_the_previous_one() {
        let mut steps = vec![header()];
        steps.extend([
            r(&["2025-01-05", "C1", "甲", "", "100"]),
            r(&["2025-01-09", "C2", "乙", "", "50.5"]),
            r(&["本月合计", "", "", "", "150.50"]),
            r(&["2025-02-03", "C1", "甲", "", "200"]),
            r(&["2025-02-04", "", "", "", "7"]), // rejected, still summed
            r(&["本月合计", "", "", "", "207"]),
            r(&["2025-03-01", "C2", "乙", "", "1"]),
            r(&["本月合计", "", "", "", "2"]),
            r(&["总计", "", "", "", "358.5"]),
        ]);
        let sheets = read(rows(steps), false).expect("read");
        let s = &sheets[0];
        // Jan 150.50 and Feb 200 + 7 check out; March says 2 for 1; the
        // grand total of all (100 + 50.5 + 200 + 7 + 1 = 358.50) checks out.
        assert_eq!(
            problems(s, IssueKind::TotalsMismatch),
            vec![(
                Some(9),
                Problem::TotalsMismatch {
                    sheet_says: d("2"),
                    rows_add_up: d("1")
                }
            )]
        );
        assert_eq!(s.summary.stats.totals_rows, 4);
        assert_eq!(s.summary.stats.rejected, 1);
        assert_eq!(s.summary.stats.accepted, 4);
        assert_eq!(s.summary.stats.accepted_amount, d("351.5"));
    }

    #[test]
    fn a_merged_customer_applies_to_every_row_of_its_merge() {
        let mut layout = SheetLayout::default();
        // 日期 over rows 1-2 (a two-row header); B3:B5 and C3:C5 the customer.
        layout.add_merges([((0, 0), (1, 0)), ((2, 1), (4, 1)), ((2, 2), (4, 2))]);
        let steps = vec![
            Step::Layout(layout),
            Step::Row(r(&["日期", "客户", "", "销售"])),
            Step::Row(r(&["", "客户编码", "客户名称", "金额"])),
            Step::Row(r(&["2025-03-01", "C1", "华东机械", "10"])),
            Step::Row(r(&["2025-03-02", "", "", "20"])),
            Step::Row(r(&["2025-03-03", "", "", "30"])),
        ];
        // The header is row 2: 日期 comes down from row 1.
        let mut sheets = read(steps, false).expect("read");
        let s = &mut sheets[0];
        assert_eq!(s.header.as_ref().map(|h| h.row), Some(2));
        assert_eq!(s.summary.stats.accepted, 3);
        let recs = records(s);
        let ids: Vec<Option<&str>> = recs
            .iter()
            .map(|r| s.rows.strings.strings.get(r.id))
            .collect();
        assert_eq!(ids, vec![Some("C1"), Some("C1"), Some("C1")]);
        // Row 3 is the first row of its merges: 2 merges applied below the header.
        assert_eq!(
            problems(s, IssueKind::Notice),
            vec![(None, Problem::MergedFilled { count: 2 })]
        );
    }

    #[test]
    fn a_subtotal_row_under_a_merged_customer_stays_a_subtotal_row() {
        let mut layout = SheetLayout::default();
        // 日期 and 客户编码 merged over a customer's lines and its 小计 row.
        layout.add_merges([((1, 0), (3, 0)), ((1, 1), (3, 1))]);
        let steps = vec![
            Step::Layout(layout),
            Step::Row(r(&["日期", "客户编码", "产品编码", "金额"])),
            Step::Row(r(&["2025-03-01", "C1", "P1", "10"])),
            Step::Row(r(&["", "", "P2", "20"])),
            Step::Row(r(&["", "", "小计", "30"])),
        ];
        let sheets = read(steps, false).expect("read");
        let st = &sheets[0].summary.stats;
        assert_eq!((st.accepted, st.totals_rows), (2, 1));
        assert_eq!(st.accepted_amount, d("30"));
    }

    #[test]
    fn hidden_sheets_and_rows_are_read_with_a_notice() {
        let layout = SheetLayout {
            merges: Vec::new(),
            hidden_rows: vec![1, 3, 4, 9],
        };
        let mut steps = vec![Step::Layout(layout), Step::Row(header())];
        for _ in 0..4 {
            steps.push(Step::Row(r(&["2025-03-01", "C1", "甲", "", "1"])));
        }
        let sheets = read(steps, true).expect("read");
        assert_eq!(sheets[0].summary.stats.accepted, 4);
        assert_eq!(
            problems(&sheets[0], IssueKind::Notice),
            vec![
                (None, Problem::HiddenSheet),
                (None, Problem::HiddenRows { count: 2, first: 3 })
            ]
        );
    }

    #[test]
    fn cells_beyond_the_read_columns_are_a_notice_or_stop_a_table_out_of_reach() {
        let steps = vec![
            Step::Row(header()),
            Step::Row(r(&["2025-03-01", "C1", "甲", "", "1"])),
            Step::Beyond(2, 1030),
        ];
        let sheets = read(steps, false).expect("read");
        assert_eq!(
            problems(&sheets[0], IssueKind::Notice),
            vec![(
                None,
                Problem::CellsBeyond {
                    cell: "AMQ2".into()
                }
            )]
        );
        let steps = vec![Step::Row(r(&["销售台账"])), Step::Beyond(3, 1024)];
        let message = error_of(steps);
        assert_eq!(
            message,
            "t.xlsx, sheet \"1月\": a table starts right of the 1,024 columns tierbook reads (A to AMJ): its first cell is AMK3; move the table to the left, starting in column A"
        );
    }

    #[test]
    fn csv_records_wider_than_the_header_or_joined_across_lines_are_rejected() {
        let steps = vec![
            Step::Shape(1, 1, 6),
            Step::Row(r(&["日期", "客户编码", "客户名称", "金额", "备注"])),
            // An unquoted 12,345,678.90 in a comma CSV.
            Step::Shape(2, 2, 8),
            Step::Row(r(&["2025-03-05", "C1", "甲", "12", "345", "678.90"])),
            // Padded with empty fields, like the header: fine.
            Step::Shape(3, 3, 6),
            Step::Row(r(&["2025-03-06", "C1", "甲", "10"])),
            // A quote left open swallows lines 4 to 6.
            Step::Shape(4, 6, 3),
            Step::Row(r(&[
                "2025-03-07",
                "C2",
                "乙\n2025-03-08,C3,丙,5\n2025-03-09",
            ])),
            // A remark across two lines with the header's fields is kept.
            Step::Shape(7, 8, 6),
            Step::Row(r(&["2025-03-10", "C2", "乙", "4", "两行\n备注"])),
        ];
        let sheets = read(steps, false).expect("read");
        let s = &sheets[0];
        assert_eq!(
            problems(s, IssueKind::Rejected),
            vec![
                (
                    Some(2),
                    Problem::TooManyFields {
                        fields: 6,
                        header: 5
                    }
                ),
                (
                    Some(4),
                    Problem::QuotedAcrossLines {
                        first: 4,
                        last: 6,
                        fields: 3,
                        header: 6
                    }
                ),
            ]
        );
        assert_eq!(s.summary.stats.accepted, 2);
        assert_eq!(s.summary.stats.accepted_amount, d("14"));
    }

    #[test]
    fn tables_side_by_side_are_each_read() {
        let steps = rows(vec![
            r(&["一月", "", "", "", "二月"]),
            r(&["日期", "客户", "金额", "", "日期", "客户", "金额"]),
            r(&["2025-01-05", "甲", "10", "", "2025-02-05", "乙", "20"]),
            r(&["2025-01-06", "丙", "1"]),
            r(&["合计", "", "11", "", "合计", "", "21"]),
        ]);
        let mut sheets = read(steps, false).expect("read");
        assert_eq!(sheets.len(), 2);
        let amounts: Vec<Vec<Decimal>> = sheets
            .iter_mut()
            .map(|s| records(s).iter().map(|r| r.amount).collect())
            .collect();
        assert_eq!(amounts, vec![vec![d("10"), d("1")], vec![d("20")]]);
        assert_eq!(problems(&sheets[1], IssueKind::TotalsMismatch).len(), 1);
        assert_eq!(sheets[1].header.as_ref().map(|h| h.start), Some(4));
        assert_eq!(sheets[1].summary.stats.totals_rows, 1);
        // A second table whose header stands lower, right of the first.
        let steps = rows(vec![
            r(&["日期", "客户", "金额"]),
            r(&["2025-01-05", "甲", "10", "", "日期", "客户", "金额"]),
            r(&["2025-01-06", "丙", "1", "", "2025-02-05", "乙", "20"]),
        ]);
        let sheets = read(steps, false).expect("read");
        let accepted: Vec<(u32, u64)> = sheets
            .iter()
            .map(|s| (s.summary.header_row.unwrap_or(0), s.summary.stats.accepted))
            .collect();
        assert_eq!(accepted, vec![(1, 2), (2, 1)]);
    }

    #[test]
    fn two_columns_for_one_field_stop_the_run_with_the_fix() {
        let steps = rows(vec![r(&["日期", "客户", "金额", "价税合计"])]);
        let message = error_of(steps);
        assert_eq!(
            message,
            "t.xlsx, sheet \"1月\": row 1: columns C \"金额\" and D \"价税合计\" all map to amount; say which one to use in the rules file, e.g. [columns.ledger] amount = \"金额\""
        );
    }

    #[test]
    fn currencies_are_collected_once_each() {
        let steps = rows(vec![
            r(&["日期", "客户", "币种", "金额"]),
            r(&["2025-01-05", "甲", "人民币", "10"]),
            r(&["2025-01-06", "甲", "CNY", "10"]),
            r(&["2025-01-07", "甲", "usd", "10"]),
            r(&["2025-01-08", "甲", "USD", "10"]),
        ]);
        let sheets = read(steps, false).expect("read");
        let seen: Vec<(String, String, u32)> = sheets[0]
            .currencies
            .iter()
            .map(|c| (c.code.clone(), c.raw.clone(), c.row))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("CNY".into(), "人民币".into(), 2),
                ("USD".into(), "usd".into(), 4)
            ]
        );
    }

    #[test]
    fn merges_apply_before_the_row_reaches_the_tables() {
        let mut fill = MergeFill::new(vec![Merge {
            first_row: 2,
            last_row: 3,
            col: 0,
        }]);
        let cells = r(&["x"]);
        fill.advance(2, &cells, false);
        assert_eq!(fill.applied, 0, "merges above the header are not counted");
    }
}
