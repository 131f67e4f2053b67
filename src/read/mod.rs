//! Inputs → typed records + issues. The only module that touches calamine and
//! csv. One machinery for every input kind: [`source`] streams rows from any
//! format, [`header`] finds and maps the header row, [`value`] reads numbers
//! and dates, and a reader per kind ([`ledger`], [`tables`]) turns rows into
//! records, rejected rows and warnings.

pub mod cell;
pub mod csv;
pub mod header;
pub mod intern;
pub mod issue;
pub mod ledger;
pub mod prescan;
pub mod source;
pub mod tables;
pub mod value;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};

use rust_decimal::Decimal;

pub use cell::Cell;
pub use header::{Field, HeaderMap, HeaderMatcher, InputKind};
pub use issue::{Issue, IssueKind, Problem};
pub use ledger::{LedgerSheet, LedgerSheetReader, LineRecord};
pub use source::{Format, Limits, Source};
pub use value::{DayMonthOrder, Style};

/// A file that cannot be read at all, or a sheet that cannot, named.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("{path}, sheet \"{sheet}\": {message}")]
    Sheet {
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
}

impl SheetStats {
    /// Adds another sheet's counts (a file's sheets, a run's files).
    pub fn add(&mut self, other: &SheetStats) {
        self.rows_read += other.rows_read;
        self.accepted += other.accepted;
        self.rejected += other.rejected;
        self.totals_rows += other.totals_rows;
        self.accepted_amount += other.accepted_amount;
    }
}

/// Options shared by every reader.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Only these sheets (`--sheet`), when non-empty.
    pub sheets: Vec<String>,
    /// How numbers and dates are written (the rules; each workbook adds its date system).
    pub style: Style,
    pub limits: Limits,
    /// Worker threads for reading sheets in parallel (0: one per core).
    pub threads: usize,
    /// Show a progress bar on stderr when it is a terminal.
    pub progress: bool,
}

/// How a file's path is shown in messages and outputs: as the user gave it.
pub fn display_path(p: &Path) -> String {
    p.display().to_string()
}

/// The sheets to read, the notices about sheets left out, and the sources
/// opened while listing them.
type Plan = (Vec<Task>, Vec<Issue>, Vec<Option<Source>>);

/// A sheet to read: which file, which sheet.
struct Task {
    file_index: usize,
    sheet: String,
}

/// Lists the sheets to read in each file: worksheets only, restricted by
/// `--sheet`. Non-worksheets (charts, macros) become notices.
fn plan(files: &[PathBuf], opts: &ReadOptions) -> Result<Plan, ReadError> {
    let mut tasks = Vec::new();
    let mut notices = Vec::new();
    let mut opened = Vec::new();
    for (i, path) in files.iter().enumerate() {
        let src = Source::open(path, opts.limits)?;
        let infos = src.sheets();
        if !infos.iter().any(|s| s.is_worksheet) {
            notices.push(Issue {
                kind: IssueKind::Notice,
                file: display_path(path),
                sheet: String::new(),
                row: None,
                column: None,
                problem: Problem::SheetUnreadable {
                    message: "the workbook has no worksheets".into(),
                },
                cells: Vec::new(),
            });
        }
        for s in infos {
            if !opts.sheets.is_empty() && !opts.sheets.iter().any(|w| w == &s.name) {
                continue;
            }
            if !s.is_worksheet {
                notices.push(Issue {
                    kind: IssueKind::Notice,
                    file: display_path(path),
                    sheet: s.name.clone(),
                    row: None,
                    column: None,
                    problem: Problem::SheetUnreadable {
                        message: "not a worksheet (chart or macro sheet)".into(),
                    },
                    cells: Vec::new(),
                });
                continue;
            }
            tasks.push(Task {
                file_index: i,
                sheet: s.name,
            });
        }
        opened.push(Some(src));
    }
    Ok((tasks, notices, opened))
}

/// What [`read_ledgers`] produced: the sheets in input order, notices about
/// sheets left out, and the run's string table the sheets' lines refer to
/// (through each sheet's `remap`).
pub struct Ledgers {
    pub sheets: Vec<LedgerSheet>,
    pub issues: Vec<Issue>,
    pub strings: intern::Interner,
}

/// Reads every ledger sheet of every file, sheets in parallel, results in
/// input order (so outputs are identical to a one-thread run).
///
/// # Errors
/// A file that cannot be opened at all is an error naming it; a sheet that
/// cannot be read becomes a notice and the other sheets are kept.
pub fn read_ledgers(
    files: &[PathBuf],
    matcher: &HeaderMatcher,
    opts: &ReadOptions,
) -> Result<Ledgers, ReadError> {
    let (tasks, notices, opened) = plan(files, opts)?;
    if !opts.sheets.is_empty() && tasks.is_empty() {
        return Err(ReadError::file(
            files.first().map(|p| p.as_path()).unwrap_or(Path::new("")),
            format!("has no sheet named {}", opts.sheets.join(", ")),
        ));
    }
    let cores = match opts.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let threads = cores.clamp(1, tasks.len().max(1));
    // Fewer sheets than cores: each sheet's cells are parsed on a second thread.
    let pipeline = cores > tasks.len();
    let progress = progress_bar(opts.progress, tasks.len() as u64);
    let next = AtomicUsize::new(0);
    let pool: Mutex<Vec<Option<Source>>> = Mutex::new(opened);
    let (tx, rx) = mpsc::channel::<(usize, Result<LedgerSheet, ReadError>)>();
    let mut results: Vec<Option<Result<LedgerSheet, ReadError>>> =
        (0..tasks.len()).map(|_| None).collect();
    let mut strings = intern::Interner::default();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (tasks, next, pool, progress) = (&tasks, &next, &pool, &progress);
            scope.spawn(move || {
                let mut mine: Vec<Option<Source>> = (0..files.len()).map(|_| None).collect();
                loop {
                    let t = next.fetch_add(1, Ordering::Relaxed);
                    let Some(task) = tasks.get(t) else { break };
                    let result = read_one(files, task, matcher, opts, &mut mine, pool, pipeline);
                    if let Some(p) = progress {
                        p.inc(1);
                    }
                    if tx.send((t, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // Sheets' strings join the run's table in input order as soon as
        // every earlier sheet has: at most a few sheets' own tables live at once.
        let mut absorbed = 0;
        for (t, r) in rx {
            results[t] = Some(r);
            while let Some(slot) = results.get_mut(absorbed) {
                match slot {
                    Some(Ok(sheet)) => sheet.absorb_strings(&mut strings),
                    Some(Err(_)) => {}
                    None => break,
                }
                absorbed += 1;
            }
        }
    });
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    let mut sheets = Vec::with_capacity(tasks.len());
    let mut issues = notices;
    for (task, r) in tasks.iter().zip(results) {
        match r {
            Some(Ok(s)) => sheets.push(s),
            Some(Err(ReadError::Sheet { message, .. })) => issues.push(Issue {
                kind: IssueKind::Notice,
                file: display_path(&files[task.file_index]),
                sheet: task.sheet.clone(),
                row: None,
                column: None,
                problem: Problem::SheetUnreadable { message },
                cells: Vec::new(),
            }),
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
    Ok(Ledgers {
        sheets,
        issues,
        strings,
    })
}

fn read_one(
    files: &[PathBuf],
    task: &Task,
    matcher: &HeaderMatcher,
    opts: &ReadOptions,
    mine: &mut [Option<Source>],
    pool: &Mutex<Vec<Option<Source>>>,
    pipeline: bool,
) -> Result<LedgerSheet, ReadError> {
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
    let file = display_path(path);
    let style = Style {
        date_1904: src.date_1904(),
        ..opts.style
    };
    let mut reader = LedgerSheetReader::new(matcher, style, task.file_index, &file, &task.sheet)?;
    src.read_sheet(&task.sheet, &mut reader)?;
    reader.finish()
}

fn progress_bar(enabled: bool, len: u64) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !enabled || !std::io::stderr().is_terminal() || len < 2 {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} sheets")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message("reading");
    Some(bar)
}
