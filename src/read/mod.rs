//! Inputs → typed records + issues. The only module that touches calamine and
//! csv. One machinery for every input kind: [`source`] streams rows from any
//! format, [`header`] finds and maps the header row, [`value`] reads numbers
//! and dates, [`sheet`] classifies every row of a sheet (blank, totals, data,
//! rejected) for a [`sheet::RowKind`], and [`read_files`] reads every sheet of
//! every file of one kind in parallel, results in input order. The kinds:
//! [`ledger`] (sales lines, spilled), [`receipts`] (spilled), [`master`]
//! (customer master) and [`previous`] (previous grades).

pub mod cell;
pub mod csv;
pub mod evaluation_back;
pub mod header;
pub mod intern;
pub mod issue;
pub mod layout;
pub mod ledger;
pub mod master;
pub mod prescan;
pub mod previous;
pub mod receipts;
pub mod sheet;
pub mod source;
pub mod spill;
pub mod value;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};

use rust_decimal::Decimal;

pub use cell::Cell;
pub use header::{Field, HeaderMap, HeaderMatcher, InputKind};
pub use issue::{Issue, IssueKind, Problem};
pub use ledger::{LatestDates, LedgerRows, LineRecord};
pub use sheet::{CurrencySeen, RowKind, SheetRead, SheetReader, SheetSummary};
pub use source::{Format, Limits, RowVisitor, Source};
pub use value::{DayMonthOrder, Style};

/// A file that cannot be read at all, or a sheet that cannot, named.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: {message}")]
    File { path: String, message: String },
    /// A sheet that cannot be read; its other sheets are (a notice says so).
    #[error("{path}, sheet \"{sheet}\": {message}")]
    Sheet {
        path: String,
        sheet: String,
        message: String,
    },
    /// A sheet whose table cannot be read as it is laid out (two columns for
    /// one field, cells beyond the columns read): the run stops.
    #[error("{path}, sheet \"{sheet}\": {message}")]
    Table {
        path: String,
        sheet: String,
        message: String,
    },
}

impl ReadError {
    pub fn file(path: impl AsRef<Path>, message: impl Into<String>) -> Self {
        ReadError::File {
            path: path.as_ref().display().to_string(),
            message: message.into(),
        }
    }
    pub fn sheet(path: impl AsRef<Path>, sheet: &str, message: impl Into<String>) -> Self {
        ReadError::Sheet {
            path: path.as_ref().display().to_string(),
            sheet: sheet.to_string(),
            message: message.into(),
        }
    }
    pub fn io(path: impl AsRef<Path>, e: std::io::Error) -> Self {
        let message = match e.kind() {
            std::io::ErrorKind::NotFound => "file not found".to_string(),
            std::io::ErrorKind::PermissionDenied => {
                "permission denied: cannot read the file".to_string()
            }
            _ => format!("cannot be read ({e})"),
        };
        ReadError::file(path, message)
    }
}

/// Row counts of one sheet (SPEC 7.6: rows read = accepted + rejected + totals rows).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SheetStats {
    pub rows_read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub totals_rows: u64,
    pub accepted_amount: Decimal,
    /// Σ |accepted amount|: no sum of these amounts, in whatever order or
    /// grouping (per customer, per tier, over customers), is larger.
    pub gross: Decimal,
}

impl SheetStats {
    /// Adds another sheet's counts (a file's sheets, a run's files). The
    /// amounts of a run's inputs fit together ([`amounts_fit`]), so their
    /// sums cannot overflow.
    pub fn add(&mut self, other: &SheetStats) {
        self.rows_read += other.rows_read;
        self.accepted += other.accepted;
        self.rejected += other.rejected;
        self.totals_rows += other.totals_rows;
        self.accepted_amount += other.accepted_amount;
        self.gross += other.gross;
    }
}

/// Checks that the accepted amounts of every sheet of `sheets` (the sales
/// and receipts ledgers of a run), signs ignored, add up to a number a
/// decimal holds: then every total made of them later (over customers, over
/// tiers, balances of invoices less receipts) is exact and cannot overflow,
/// in whatever order it is summed (SPEC 10: an overflow is an error, never
/// a panic).
///
/// # Errors
/// [`ReadError::Sheet`] naming the sheet where the sum goes over.
pub fn amounts_fit<'a>(sheets: impl Iterator<Item = &'a SheetSummary>) -> Result<(), ReadError> {
    let mut gross = Decimal::ZERO;
    for s in sheets {
        gross = gross
            .checked_add(s.stats.gross)
            .ok_or_else(|| ReadError::Table {
                path: s.file.clone(),
                sheet: s.sheet.clone(),
                message: "with this sheet the amounts of the ledgers and receipts add up, \
                          signs ignored, to more than tierbook can compute with exactly \
                          (79,228,162,514,264,337,593,543,950,335); check the amount cells"
                    .to_string(),
            })?;
    }
    Ok(())
}

/// Options shared by every reader.
#[derive(Clone, Default)]
pub struct ReadOptions {
    /// Only these sheets (`--sheet`), when non-empty.
    pub sheets: Vec<String>,
    /// How numbers and dates are written (the rules; each workbook adds its
    /// date system).
    pub style: Style,
    pub limits: Limits,
    /// Worker threads for reading sheets in parallel (0: one per core).
    pub threads: usize,
    /// Where reading reports how far it got.
    pub progress: Option<Arc<dyn crate::progress::Progress>>,
}

impl std::fmt::Debug for ReadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadOptions")
            .field("sheets", &self.sheets)
            .field("style", &self.style)
            .field("limits", &self.limits)
            .field("threads", &self.threads)
            .finish_non_exhaustive()
    }
}

/// A sales-ledger sheet as read.
pub type LedgerSheet = SheetRead<LedgerRows>;

/// How a file's path is shown in messages and outputs: as the user gave it.
pub fn display_path(p: &Path) -> String {
    p.display().to_string()
}

/// A sheet to read: which file, which sheet.
#[derive(Debug, Clone)]
pub struct SheetTask {
    pub file_index: usize,
    /// The path as the user gave it.
    pub file: String,
    pub sheet: String,
    /// How to read the sheet's numbers and dates (the workbook's date system included).
    pub style: Style,
    /// The sheet is hidden in its workbook (it is read all the same, with a notice).
    pub hidden: bool,
}

impl SheetTask {
    /// The sheet `sheet` of the first file `file`, read with `style`.
    pub fn new(file: &str, sheet: &str, style: Style) -> SheetTask {
        SheetTask {
            file_index: 0,
            file: file.to_string(),
            sheet: sheet.to_string(),
            style,
            hidden: false,
        }
    }
}

/// The sheets to read, the notices about sheets left out, and the sources
/// opened while listing them.
struct Plan {
    tasks: Vec<SheetTask>,
    notices: Vec<Issue>,
    opened: Vec<Option<Source>>,
}

fn notice(file: &str, sheet: &str, problem: Problem) -> Issue {
    Issue {
        kind: IssueKind::Notice,
        file: file.to_string(),
        sheet: sheet.to_string(),
        row: None,
        column: None,
        problem,
        cells: Vec::new(),
    }
}

/// Lists the sheets to read in each file: worksheets only, restricted by
/// `sheets` when it is not empty. Non-worksheets (charts, macros) become
/// notices.
///
/// # Errors
/// A file cannot be opened; `sheets` names no sheet of any file (the error
/// lists the sheets there are).
fn plan(files: &[PathBuf], sheets: &[String], opts: &ReadOptions) -> Result<Plan, ReadError> {
    let mut plan = Plan {
        tasks: Vec::new(),
        notices: Vec::new(),
        opened: Vec::new(),
    };
    let mut seen: Vec<String> = Vec::new();
    for (i, path) in files.iter().enumerate() {
        let src = Source::open(path, opts.limits)?;
        let file = display_path(path);
        let style = Style {
            date_1904: src.date_1904(),
            ..opts.style
        };
        let infos = src.sheets();
        if !infos.iter().any(|s| s.is_worksheet) {
            plan.notices.push(notice(&file, "", Problem::NoWorksheets));
        }
        for s in infos {
            seen.push(s.name.clone());
            if !sheets.is_empty() && !sheets.iter().any(|w| w == &s.name) {
                continue;
            }
            if !s.is_worksheet {
                plan.notices
                    .push(notice(&file, &s.name, Problem::NotAWorksheet));
                continue;
            }
            plan.tasks.push(SheetTask {
                file_index: i,
                file: file.clone(),
                sheet: s.name,
                style,
                hidden: s.hidden,
            });
        }
        plan.opened.push(Some(src));
    }
    if !sheets.is_empty() && plan.tasks.is_empty() {
        return Err(ReadError::file(
            files.first().map(|p| p.as_path()).unwrap_or(Path::new("")),
            format!(
                "has no sheet named {} (the sheets are: {})",
                sheets.join(", "),
                seen.join(", ")
            ),
        ));
    }
    Ok(plan)
}

/// Every sheet of every file of one kind, in input order, and the notices
/// about sheets left out or unreadable.
pub struct FilesRead<K> {
    pub sheets: Vec<SheetRead<K>>,
    pub notices: Vec<Issue>,
}

impl<K> FilesRead<K> {
    /// Every issue: each sheet's in order, then the notices.
    pub fn issues(&self) -> impl Iterator<Item = &Issue> {
        self.sheets
            .iter()
            .flat_map(|s| s.issues.iter())
            .chain(self.notices.iter())
    }

    /// The sheets' summaries, in input order.
    pub fn summaries(&self) -> Vec<SheetSummary> {
        self.sheets.iter().map(|s| s.summary.clone()).collect()
    }

    /// Whether no sheet had a header with the required columns.
    pub fn no_header(&self) -> bool {
        self.sheets.iter().all(|s| s.header.is_none())
    }
}

/// How to read one kind of input.
pub struct KindReader<'a, F> {
    pub matcher: &'a HeaderMatcher,
    /// Makes the [`RowKind`] value for one sheet.
    pub make: F,
    /// Only these sheets (`--sheet`), when non-empty.
    pub sheets: &'a [String],
}

/// Reads every sheet of every file of one kind, sheets in parallel, results
/// in input order (so outputs are identical to a one-thread run). `absorb`
/// is called on each sheet in input order as soon as every earlier sheet is
/// done (the string tables join the run's there).
///
/// # Errors
/// A file that cannot be opened at all is an error naming it; a sheet that
/// cannot be read becomes a notice and the other sheets are kept.
pub fn read_files<K, F>(
    files: &[PathBuf],
    how: &KindReader<F>,
    opts: &ReadOptions,
    absorb: &mut dyn FnMut(&mut SheetRead<K>),
) -> Result<FilesRead<K>, ReadError>
where
    K: RowKind + Send,
    F: Fn(&SheetTask) -> Result<K, ReadError> + Sync,
{
    let Plan {
        tasks,
        notices,
        opened,
    } = plan(files, how.sheets, opts)?;
    let cores = crate::threads::cores(opts.threads);
    let threads = cores.clamp(1, tasks.len().max(1));
    // Fewer sheets than cores: each sheet's cells are parsed on a second thread.
    let pipeline = cores > tasks.len();
    if let Some(p) = &opts.progress {
        p.begin(
            crate::progress::Phase::Reading(how.matcher.kind()),
            tasks.len() as u64,
        );
    }
    let next = AtomicUsize::new(0);
    let pool: Mutex<Vec<Option<Source>>> = Mutex::new(opened);
    let (tx, rx) = mpsc::channel::<(usize, Result<Vec<SheetRead<K>>, ReadError>)>();
    let mut results: Vec<Option<Result<Vec<SheetRead<K>>, ReadError>>> =
        (0..tasks.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (tasks, next, pool) = (&tasks, &next, &pool);
            let progress = opts.progress.clone();
            scope.spawn(move || {
                let mut mine: Vec<Option<Source>> = (0..files.len()).map(|_| None).collect();
                loop {
                    let t = next.fetch_add(1, Ordering::Relaxed);
                    let Some(task) = tasks.get(t) else { break };
                    let result = read_one(files, task, how, opts, &mut mine, pool, pipeline);
                    if let Some(p) = &progress {
                        p.advance(1);
                    }
                    if tx.send((t, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut absorbed = 0;
        for (t, r) in rx {
            results[t] = Some(r);
            while let Some(slot) = results.get_mut(absorbed) {
                match slot {
                    Some(Ok(tables)) => tables.iter_mut().for_each(&mut *absorb),
                    Some(Err(_)) => {}
                    None => break,
                }
                absorbed += 1;
            }
        }
    });
    if let Some(p) = &opts.progress {
        p.end();
    }
    collect(tasks, results, notices, files)
}

/// The tables in input order; an unreadable sheet becomes a notice. A file
/// whose currency column holds more than one currency is an error.
fn collect<K>(
    tasks: Vec<SheetTask>,
    results: Vec<Option<Result<Vec<SheetRead<K>>, ReadError>>>,
    mut notices: Vec<Issue>,
    files: &[PathBuf],
) -> Result<FilesRead<K>, ReadError> {
    let mut sheets = Vec::with_capacity(tasks.len());
    for (task, r) in tasks.iter().zip(results) {
        match r {
            Some(Ok(tables)) => sheets.extend(tables),
            Some(Err(ReadError::Sheet { message, .. })) => notices.push(notice(
                &task.file,
                &task.sheet,
                Problem::SheetUnreadable { message },
            )),
            Some(Err(e)) => return Err(e),
            None => {
                return Err(ReadError::sheet(
                    &files[task.file_index],
                    &task.sheet,
                    "was not read (internal error)",
                ))
            }
        }
    }
    for (i, path) in files.iter().enumerate() {
        one_currency(path, sheets.iter().filter(|s| s.summary.file_index == i))?;
    }
    Ok(FilesRead { sheets, notices })
}

/// Refuses a file whose currency column holds more than one currency (SPEC
/// 9): its amounts would be added up as one.
fn one_currency<'a, K: 'a>(
    path: &Path,
    tables: impl Iterator<Item = &'a SheetRead<K>>,
) -> Result<(), ReadError> {
    let mut seen: Vec<&sheet::CurrencySeen> = Vec::new();
    for c in tables.flat_map(|t| t.currencies.iter()) {
        if seen.iter().all(|s| s.code != c.code) {
            seen.push(c);
        }
    }
    if seen.len() < 2 {
        return Ok(());
    }
    let listed: Vec<String> = seen
        .iter()
        .map(|c| format!("{} (first in sheet \"{}\", row {})", c.raw, c.sheet, c.row))
        .collect();
    Err(ReadError::file(
        path,
        format!(
            "its currency column holds more than one currency: {}; tierbook adds every amount as one currency, so split the file by currency or convert the amounts first",
            listed.join(", ")
        ),
    ))
}

fn read_one<K, F>(
    files: &[PathBuf],
    task: &SheetTask,
    how: &KindReader<F>,
    opts: &ReadOptions,
    mine: &mut [Option<Source>],
    pool: &Mutex<Vec<Option<Source>>>,
    pipeline: bool,
) -> Result<Vec<SheetRead<K>>, ReadError>
where
    K: RowKind,
    F: Fn(&SheetTask) -> Result<K, ReadError> + Sync,
{
    let path = &files[task.file_index];
    if mine[task.file_index].is_none() {
        // Take the source opened while planning, else open our own copy.
        let taken = pool
            .lock()
            .ok()
            .and_then(|mut p| p.get_mut(task.file_index).and_then(Option::take));
        mine[task.file_index] = Some(match taken {
            Some(s) => s,
            None => Source::open(path, opts.limits)?,
        });
    }
    let Some(src) = mine[task.file_index].as_mut() else {
        return Err(ReadError::file(path, "could not be opened"));
    };
    src.set_pipeline(pipeline);
    let mut reader = SheetReader::tables(how.matcher, &how.make, task)?;
    let mut counted = Counted {
        inner: &mut reader,
        progress: opts.progress.as_deref(),
        rows: 0,
    };
    src.read_sheet(&task.sheet, &mut counted)?;
    counted.flush();
    reader.finish_tables()
}

/// Rows between two progress reports.
const PROGRESS_ROWS: u64 = 1 << 14;

/// A row visitor that reports the rows it passes on to the progress listener.
struct Counted<'a, V: RowVisitor> {
    inner: &'a mut V,
    progress: Option<&'a dyn crate::progress::Progress>,
    /// Rows not reported yet.
    rows: u64,
}

impl<V: RowVisitor> Counted<'_, V> {
    fn flush(&mut self) {
        if let Some(p) = self.progress.filter(|_| self.rows > 0) {
            p.rows(self.rows);
        }
        self.rows = 0;
    }
}

impl<V: RowVisitor> RowVisitor for Counted<'_, V> {
    fn row(&mut self, row: u32, cells: &[Cell]) -> Result<bool, ReadError> {
        self.rows += 1;
        if self.rows == PROGRESS_ROWS {
            self.flush();
        }
        self.inner.row(row, cells)
    }

    fn layout(&mut self, layout: layout::SheetLayout) {
        self.inner.layout(layout);
    }

    fn beyond(&mut self, row: u32, col: u32) {
        self.inner.beyond(row, col);
    }

    fn record_shape(&mut self, first: u32, last: u32, fields: usize) {
        self.inner.record_shape(first, last, fields);
    }
}

/// What [`read_ledgers`] produced: the sheets in input order, notices about
/// sheets left out, and the run's string table the sheets' lines refer to
/// (through each sheet's string remap).
pub struct Ledgers {
    pub read: FilesRead<LedgerRows>,
    pub strings: intern::Interner,
}

/// Reads every sales-ledger sheet of every file; their strings join one
/// table for the run.
///
/// # Errors
/// As [`read_files`].
pub fn read_ledgers(
    files: &[PathBuf],
    matcher: &HeaderMatcher,
    opts: &ReadOptions,
) -> Result<Ledgers, ReadError> {
    let mut strings = intern::Interner::default();
    let how = KindReader {
        matcher,
        make: |t: &SheetTask| LedgerRows::new(t),
        sheets: &opts.sheets,
    };
    let read = read_files(files, &how, opts, &mut |s: &mut LedgerSheet| {
        s.rows.strings.absorb(&mut strings)
    })?;
    Ok(Ledgers { read, strings })
}
