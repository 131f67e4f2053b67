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

    /// Reads one row of this table; `rejected` is a reason found for the
    /// whole record (a CSV record of the wrong shape).
    fn row(
        &mut self,
        number: u32,
        cells: &[Cell],
        rejected: Option<&Problem>,
        hidden: bool,
        warnings: &mut Vec<(Option<usize>, Problem)>,
        task: &SheetTask,
    ) -> Result<(), ReadError> {
        if number == self.header.row {
            return Ok(());
        }
        let class = classify_row(cells, &self.totals_cols, &self.style);
        if class == RowClass::Blank {
            return Ok(());
        }
        if hidden {
            self.hidden.0 += 1;
            if self.hidden.1 == 0 {
                self.hidden.1 = number;
            }
        }
        self.summary.stats.rows_read += 1;
        if let Some(problem) = rejected {
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
                stats.accepted_amount = stats.accepted_amount.checked_add(amount).ok_or_else(|| {
                    layout_error(
                        task,
                        format!("row {number}: the accepted amounts of the sheet add up to more than tierbook can hold exactly (79,228,162,514,264,337,593,543,950,335); check the amount cells"),
                    )
                })?;
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

    fn row(&mut self, row: u32, cells: &[Cell]) -> Result<bool, ReadError> {
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
        let rejected = self.csv_rejection(shape, cells.len());
        let hidden = self.is_hidden(row);
        for t in &mut self.tables {
            let part = t.cells(cells);
            t.row(
                row,
                part,
                rejected.as_ref(),
                hidden,
                &mut self.warnings,
                &self.task,
            )?;
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
        self.body.row(row, filled.as_deref().unwrap_or(cells))
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
