//! The one sheet reader every input kind goes through (SPEC 3.1, 3.5, 7.6).
//!
//! A [`SheetReader`] receives a sheet's rows from [`super::source`]: it looks
//! for the header row, skips blank rows, counts and checks totals rows,
//! keeps the per-sheet counts, and hands every other row to its [`RowKind`],
//! which says what a row of that kind becomes (a ledger line, a receipt, a
//! customer-master row, a previous grade) or why it is rejected. Rejected
//! rows and warnings become [`Issue`]s naming file, sheet, Excel row and
//! column, with the row's raw cells.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::cell::Cell;
use super::header::{HeaderMap, HeaderMatcher, HeaderSearch, InputKind, Search};
use super::issue::{Issue, IssueKind, Problem};
use super::source::RowVisitor;
use super::value::{parse_number, totals_word, Style, TotalsKind, ValueError};
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

/// What a row of one input kind becomes. One value per sheet: it resolves
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

/// One input sheet as the Summary, the JSON `inputs` and `check` show it.
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

/// What reading one sheet produced.
pub struct SheetRead<K> {
    pub summary: SheetSummary,
    pub header: Option<HeaderMap>,
    /// Rejected rows, warnings, totals checks and the sheet's notices, in row order.
    pub issues: Vec<Issue>,
    /// The kind's own result (records, spills, strings).
    pub rows: K,
}

/// Reads one sheet row by row (a [`RowVisitor`]) for a [`RowKind`].
pub struct SheetReader<'m, K: RowKind> {
    search: Option<HeaderSearch<'m>>,
    header: Option<HeaderMap>,
    amount_col: Option<usize>,
    kind: K,
    style: Style,
    summary: SheetSummary,
    issues: Vec<Issue>,
    /// Σ readable amounts of the non-totals rows so far (grand totals are
    /// compared with it).
    running_sum: Decimal,
    warnings: Vec<(Option<usize>, Problem)>,
}

/// Whether a row is blank, a totals row or data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowClass {
    Blank,
    Totals(TotalsKind),
    Data,
}

/// Classifies a row under its header: blank (every cell blank), a totals row
/// (a cell reading a totals word) or data.
pub fn classify_row(cells: &[Cell]) -> RowClass {
    if cells.iter().all(Cell::is_blank) {
        return RowClass::Blank;
    }
    match cells.iter().find_map(|c| c.as_text().and_then(totals_word)) {
        Some(kind) => RowClass::Totals(kind),
        None => RowClass::Data,
    }
}

impl<'m, K: RowKind> SheetReader<'m, K> {
    /// A reader of the sheet `task` names, for rows of `kind`.
    pub fn new(matcher: &'m HeaderMatcher, kind: K, task: &SheetTask) -> Self {
        SheetReader {
            search: Some(HeaderSearch::new(matcher)),
            header: None,
            amount_col: None,
            kind,
            style: task.style,
            summary: SheetSummary {
                kind: matcher.kind(),
                file_index: task.file_index,
                file: task.file.clone(),
                sheet: task.sheet.clone(),
                header_row: None,
                columns: BTreeMap::new(),
                stats: SheetStats::default(),
            },
            issues: Vec::new(),
            running_sum: Decimal::ZERO,
            warnings: Vec::new(),
        }
    }

    /// Ends the sheet: a sheet without a header becomes a notice.
    ///
    /// # Errors
    /// The kind cannot flush what it holds.
    pub fn finish(mut self) -> Result<SheetRead<K>, ReadError> {
        if let (None, Some(search)) = (&self.header, self.search.take()) {
            let problem = search.not_found();
            self.issues
                .push(self.issue(IssueKind::Notice, None, None, problem, &[]));
        }
        self.kind.finish(self.header.is_some())?;
        if let Some(h) = &self.header {
            self.summary.header_row = Some(h.row);
            self.summary.columns = h.columns();
        }
        Ok(SheetRead {
            summary: self.summary,
            header: self.header,
            issues: self.issues,
            rows: self.kind,
        })
    }

    fn issue(
        &self,
        kind: IssueKind,
        row: Option<u32>,
        column: Option<usize>,
        problem: Problem,
        cells: &[Cell],
    ) -> Issue {
        let column = column.map(|c| match &self.header {
            Some(h) => h.header_text(c),
            None => super::header::column_letter(c),
        });
        Issue {
            kind,
            file: self.summary.file.clone(),
            sheet: self.summary.sheet.clone(),
            row,
            column,
            problem,
            cells: cells.iter().map(Cell::display).collect(),
        }
    }

    fn offer_header(&mut self, row: u32, cells: &[Cell]) -> bool {
        let Some(search) = self.search.as_mut() else {
            return false;
        };
        match search.offer(row, cells) {
            Search::Found(map) => {
                self.kind.start(&map);
                self.amount_col = self.kind.amount_column();
                self.header = Some(map);
                true
            }
            Search::Continue => true,
            Search::GiveUp => false,
        }
    }

    /// A grand total is compared, to the cent, with the readable amounts of
    /// every non-totals row above it on the sheet.
    fn check_total(&mut self, row: u32, kind: TotalsKind, cells: &[Cell]) {
        let Some(col) = self.amount_col.filter(|_| kind == TotalsKind::Grand) else {
            return;
        };
        let problem = match parse_number(cell_at(cells, Some(col)), &self.style) {
            Ok(Some(says)) if says.round_dp(2) != self.running_sum.round_dp(2) => (
                IssueKind::TotalsMismatch,
                Problem::TotalsMismatch {
                    sheet_says: says,
                    rows_add_up: self.running_sum,
                },
            ),
            Ok(_) => return,
            Err(_) => (IssueKind::Notice, Problem::TotalsUnreadable),
        };
        let issue = self.issue(problem.0, Some(row), Some(col), problem.1, cells);
        self.issues.push(issue);
    }

    fn data_row(&mut self, number: u32, cells: &[Cell]) -> Result<(), ReadError> {
        let amount = match self.amount_col {
            Some(col) => parse_number(cell_at(cells, Some(col)), &self.style),
            None => Ok(None),
        };
        if let Ok(Some(a)) = amount {
            self.running_sum += a;
        }
        let row = Row {
            number,
            cells,
            amount,
        };
        let verdict = self.kind.read(&row, &mut self.warnings);
        for (col, problem) in std::mem::take(&mut self.warnings) {
            let issue = self.issue(IssueKind::Warning, Some(number), col, problem, cells);
            self.issues.push(issue);
        }
        match verdict {
            Ok(record) => {
                let amount = self.kind.keep(&row, record)?;
                self.summary.stats.accepted += 1;
                self.summary.stats.accepted_amount += amount;
            }
            Err((problem, col)) => {
                self.summary.stats.rejected += 1;
                let issue = self.issue(IssueKind::Rejected, Some(number), col, problem, cells);
                self.issues.push(issue);
            }
        }
        Ok(())
    }

    /// The kind being read (tests look at its records).
    pub fn kind(&self) -> &K {
        &self.kind
    }
}

impl<K: RowKind> RowVisitor for SheetReader<'_, K> {
    fn row(&mut self, row: u32, cells: &[Cell]) -> Result<bool, ReadError> {
        if self.header.is_none() {
            return Ok(self.offer_header(row, cells));
        }
        match classify_row(cells) {
            RowClass::Blank => {}
            RowClass::Totals(kind) => {
                self.summary.stats.rows_read += 1;
                self.summary.stats.totals_rows += 1;
                self.check_total(row, kind, cells);
            }
            RowClass::Data => {
                self.summary.stats.rows_read += 1;
                self.data_row(row, cells)?;
            }
        }
        Ok(true)
    }
}
