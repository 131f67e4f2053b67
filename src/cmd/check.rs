//! `tierbook check`: a dry run over the inputs. Per file and sheet: the header
//! row found, each column's mapping, row counts and the first issues, in the
//! `--lang` language. Writes nothing; exits 1 when a file has no sheet whose
//! header maps the required columns.

use std::io::Write;
use std::path::{Path, PathBuf};

use anstyle::{AnsiColor, Style};
use anyhow::{bail, Context, Result};
use clap::Args;

use super::ReadArgs;
use crate::labels::cli::cli;
use crate::labels::{fill, Lang};
use crate::pipeline::{check, Inputs};
use crate::read::{FilesRead, InputKind, Issue, IssueKind, SheetRead, SheetStats, SheetSummary};
use crate::text::{display_width, group_thousands};

/// Colours on a terminal (`anstream` drops them elsewhere, and with `NO_COLOR`).
const BOLD: Style = Style::new().bold();
const HEAD: Style = Style::new().bold().underline();
const REJECTED: Style = AnsiColor::Red.on_default();
const WARNING: Style = AnsiColor::Yellow.on_default();
const NOTICE: Style = AnsiColor::Cyan.on_default();

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Sales ledger files to check.
    #[arg(value_name = "LEDGER")]
    pub ledgers: Vec<PathBuf>,
    /// Receipts ledgers (回款台账) to check.
    #[arg(long, value_name = "F")]
    pub receipts: Vec<PathBuf>,
    /// Customer master files to check.
    #[arg(long, value_name = "F")]
    pub customers: Vec<PathBuf>,
    /// Previous-grade files to check.
    #[arg(long, value_name = "F")]
    pub previous: Vec<PathBuf>,
    /// How many issues to show per file.
    #[arg(long, default_value_t = 5)]
    pub show: usize,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// One input file as `check` shows it: the sheets read from it and the
/// notices about sheets left out (the command line prints it, the web page
/// sends it as JSON).
pub struct FileView<'a, K> {
    pub kind: InputKind,
    pub path: &'a Path,
    /// The path as shown (as given).
    pub file: String,
    pub sheets: Vec<&'a SheetRead<K>>,
    /// Why sheets were left out: a skipped sheet's own notice and the file's.
    pub notices: Vec<&'a Issue>,
}

impl<'a, K> FileView<'a, K> {
    /// Every file of one kind, in the order given.
    pub fn all(kind: InputKind, files: &'a [PathBuf], read: &'a FilesRead<K>) -> Vec<Self> {
        files
            .iter()
            .enumerate()
            .map(|(fi, path)| {
                let file = crate::read::display_path(path);
                let sheets: Vec<&SheetRead<K>> = read
                    .sheets
                    .iter()
                    .filter(|s| s.summary.file_index == fi)
                    .collect();
                let notices: Vec<&Issue> = sheets
                    .iter()
                    .filter(|s| s.header.is_none())
                    .flat_map(|s| s.issues.iter().filter(|i| i.kind == IssueKind::Notice))
                    .chain(read.notices.iter().filter(|n| n.file == file))
                    .collect();
                FileView {
                    kind,
                    path,
                    file,
                    sheets,
                    notices,
                }
            })
            .collect()
    }

    /// The issues listed under a sheet (a skipped sheet's notice is listed
    /// with the file's notices instead).
    pub fn sheet_issues(s: &'a SheetRead<K>) -> Vec<&'a Issue> {
        s.issues
            .iter()
            .filter(|i| s.summary.header_row.is_some() || i.kind != IssueKind::Notice)
            .collect()
    }

    /// The error when no sheet of the file has the required columns (in
    /// English: errors stay English).
    pub fn failure(&self) -> Option<String> {
        if !self.sheets.iter().all(|s| s.header.is_none()) {
            return None;
        }
        let why: Vec<String> = self
            .notices
            .iter()
            .map(|i| format!("sheet \"{}\": {}", i.sheet, i.problem.message(Lang::En)))
            .collect();
        Some(format!(
            "{}: no sheet has the required columns ({})",
            self.path.display(),
            why.join("; ")
        ))
    }
}

/// Prints one file: a table of its sheets (header row and counts, a total
/// row when there are several), the column mapping once when every sheet
/// shares it (else per sheet), the file's first `show` issues, and the
/// notices about sheets left out.
fn print_file<K>(
    out: &mut dyn Write,
    kind: InputKind,
    file: &str,
    sheets: &[&SheetRead<K>],
    notices: &[&Issue],
    show: usize,
    lang: Lang,
) -> std::io::Result<()> {
    let c = cli(lang);
    let read: Vec<&SheetSummary> = sheets
        .iter()
        .map(|s| &s.summary)
        .filter(|s| s.header_row.is_some())
        .collect();
    let head = fill(c.file, &[("kind", c.kind(kind)), ("file", file)]);
    writeln!(out, "{BOLD}{head}{BOLD:#}")?;
    if !read.is_empty() {
        print_table(out, &read, lang)?;
        print_columns(out, &read, lang)?;
    }
    let issues: Vec<&Issue> = sheets
        .iter()
        .filter(|s| s.summary.header_row.is_some())
        .flat_map(|s| s.issues.iter())
        .collect();
    if !issues.is_empty() {
        let (n, shown) = (issues.len().to_string(), show.min(issues.len()).to_string());
        let template = if issues.len() > show {
            c.issues_first
        } else {
            c.issues_all
        };
        writeln!(out, "  {}", fill(template, &[("n", &n), ("shown", &shown)]))?;
        let several = sheets.len() > 1;
        for i in issues.iter().take(show) {
            writeln!(out, "    {}", describe(i, lang, several))?;
        }
    }
    for n in notices {
        let message = n.problem.message(lang);
        let line = fill(
            c.sheet_notice,
            &[("message", &message), ("sheet", &n.sheet)],
        );
        writeln!(out, "  {NOTICE}{line}{NOTICE:#}")?;
    }
    Ok(())
}

/// The table of a file's sheets read: one row a sheet, a total row when
/// there are several; CJK text counts two columns; rejected rows in colour.
fn print_table(out: &mut dyn Write, read: &[&SheetSummary], lang: Lang) -> std::io::Result<()> {
    let c = cli(lang);
    let mut rows: Vec<[String; 6]> = read
        .iter()
        .map(|s| {
            let st = &s.stats;
            [
                s.sheet.clone(),
                s.header_row.map(|r| r.to_string()).unwrap_or_default(),
                group_thousands(&st.rows_read.to_string()),
                group_thousands(&st.accepted.to_string()),
                group_thousands(&st.rejected.to_string()),
                group_thousands(&st.totals_rows.to_string()),
            ]
        })
        .collect();
    if read.len() > 1 {
        let mut sum = SheetStats::default();
        read.iter().for_each(|s| sum.add(&s.stats));
        rows.push([
            c.table_total.to_string(),
            String::new(),
            group_thousands(&sum.rows_read.to_string()),
            group_thousands(&sum.accepted.to_string()),
            group_thousands(&sum.rejected.to_string()),
            group_thousands(&sum.totals_rows.to_string()),
        ]);
    }
    let head = c.table_head.map(str::to_string);
    let mut widths = [0usize; 6];
    for r in rows.iter().chain(std::iter::once(&head)) {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(display_width(cell));
        }
    }
    let line = |r: &[String; 6]| -> String {
        let mut s = String::new();
        for (i, (cell, w)) in r.iter().zip(widths).enumerate() {
            let pad = " ".repeat(w - display_width(cell));
            match i {
                0 => s.push_str(&format!("{cell}{pad}")),
                _ => s.push_str(&format!("  {pad}{cell}")),
            }
        }
        s.trim_end().to_string()
    };
    writeln!(out, "  {HEAD}{}{HEAD:#}", line(&head))?;
    let body = rows.len() - usize::from(read.len() > 1);
    for (i, r) in rows.iter().enumerate() {
        let text = line(r);
        let style = match (i < body, r[4] != "0") {
            (false, _) => BOLD,
            (true, true) => REJECTED,
            (true, false) => Style::new(),
        };
        writeln!(out, "  {style}{text}{style:#}")?;
    }
    Ok(())
}

/// Each column's mapping: once when every sheet maps the same headers,
/// else per sheet.
fn print_columns(out: &mut dyn Write, read: &[&SheetSummary], lang: Lang) -> std::io::Result<()> {
    let c = cli(lang);
    let mapping = |s: &SheetSummary| -> String {
        let cols: Vec<String> = s
            .columns
            .iter()
            .map(|(f, h)| fill(c.column_map, &[("field", f), ("header", h)]))
            .collect();
        cols.join(c.list_sep)
    };
    let first = read[0];
    if read.iter().all(|s| s.columns == first.columns) {
        writeln!(
            out,
            "  {}",
            fill(c.columns, &[("columns", &mapping(first))])
        )?;
    } else {
        for s in read {
            let args = [("sheet", s.sheet.as_str()), ("columns", &mapping(s))];
            writeln!(out, "  {}", fill(c.sheet_columns, &args))?;
        }
    }
    Ok(())
}

/// One issue on one line, in its kind's colour: its kind, where it is
/// (the sheet too when the file has several) and what is wrong.
fn describe(i: &Issue, lang: Lang, with_sheet: bool) -> String {
    let c = cli(lang);
    let mut place = if with_sheet {
        fill(c.in_sheet, &[("sheet", &i.sheet)])
    } else {
        String::new()
    };
    match (i.row, &i.column) {
        (Some(r), Some(col)) => place.push_str(&fill(
            c.at_row_column,
            &[("row", &r.to_string()), ("column", col)],
        )),
        (Some(r), None) => place.push_str(&fill(c.at_row, &[("row", &r.to_string())])),
        _ if with_sheet => place.push_str(c.list_sep.trim_start()),
        _ => {}
    }
    let style = match i.kind {
        IssueKind::Rejected | IssueKind::TotalsMismatch | IssueKind::Conflict => REJECTED,
        IssueKind::Warning => WARNING,
        IssueKind::Notice => NOTICE,
    };
    let kind = format!("{style}{}{style:#}", i.kind.label(lang));
    fill(
        c.issue,
        &[
            ("kind", &kind),
            ("place", &place),
            ("message", &i.problem.message(lang)),
        ],
    )
}

/// Where `check` prints and what it found wrong.
struct Report<'a> {
    out: &'a mut dyn Write,
    show: usize,
    lang: Lang,
    /// Files with no usable sheet (in English: errors stay English).
    failed: Vec<String>,
}

impl Report<'_> {
    /// Prints every file of one kind; the files with no usable sheet are
    /// added to `failed`.
    fn kind<K>(&mut self, kind: InputKind, files: &[PathBuf], read: &FilesRead<K>) -> Result<()> {
        for view in FileView::all(kind, files, read) {
            print_file(
                self.out,
                kind,
                &view.file,
                &view.sheets,
                &view.notices,
                self.show,
                self.lang,
            )
            .context("writing to stdout")?;
            self.failed.extend(view.failure());
        }
        Ok(())
    }
}

pub fn run(args: CheckArgs) -> Result<()> {
    let inputs = Inputs {
        ledgers: args.ledgers.clone(),
        receipts: args.receipts.clone(),
        customers: args.customers.clone(),
        previous: args.previous.clone(),
    };
    if inputs.all().is_empty() {
        bail!("nothing to check: give ledger files, --receipts, --customers or --previous");
    }
    // A bar on stderr while a large file is read (a terminal only).
    let settings = args.read.settings(None, false)?;
    let read = check(&inputs, &settings)?;
    // Colour when stdout is a terminal (and NO_COLOR is not set).
    let mut stdout = anstream::stdout().lock();
    let mut report = Report {
        out: &mut stdout,
        show: args.show,
        lang: settings.lang,
        failed: Vec::new(),
    };
    report.kind(InputKind::Ledger, &inputs.ledgers, &read.ledgers)?;
    report.kind(InputKind::Receipts, &inputs.receipts, &read.receipts)?;
    report.kind(InputKind::Customers, &inputs.customers, &read.customers)?;
    report.kind(InputKind::Previous, &inputs.previous, &read.previous)?;
    if !report.failed.is_empty() {
        bail!("{}", report.failed.join("\n"));
    }
    Ok(())
}
