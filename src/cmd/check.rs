//! `tierbook check`: a dry run over the inputs. Per file and sheet: the header
//! row found, each column's mapping, row counts and the first issues, in the
//! `--lang` language. Writes nothing; exits 1 when a file has no sheet whose
//! header maps the required columns.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use clap::Args;

use super::ReadArgs;
use crate::labels::cli::cli;
use crate::labels::{fill, Lang};
use crate::pipeline::{check, Inputs};
use crate::read::{FilesRead, InputKind, Issue, IssueKind, SheetRead};

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
    /// How many issues to show per sheet.
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

/// Prints one file's sheets: header row, counts, mapping, first issues;
/// then the notices about sheets left out.
fn print_file<K>(view: &FileView<K>, show: usize, lang: Lang) {
    let c = cli(lang);
    let (kind, file) = (view.kind, view.file.as_str());
    println!(
        "{}",
        fill(c.file, &[("kind", c.kind(kind)), ("file", file)])
    );
    for s in &view.sheets {
        let sum = &s.summary;
        match sum.header_row {
            Some(r) => {
                let st = &sum.stats;
                println!(
                    "  {}",
                    fill(
                        c.sheet_read,
                        &[
                            ("header_row", &r.to_string()),
                            ("rows", &st.rows_read.to_string()),
                            ("accepted", &st.accepted.to_string()),
                            ("rejected", &st.rejected.to_string()),
                            ("totals_rows", &st.totals_rows.to_string()),
                            ("sheet", &sum.sheet),
                        ]
                    )
                );
                let cols: Vec<String> = sum
                    .columns
                    .iter()
                    .map(|(f, h)| fill(c.column_map, &[("field", f), ("header", h)]))
                    .collect();
                let cols = cols.join(c.list_sep);
                println!("    {}", fill(c.columns, &[("columns", &cols)]));
            }
            None => println!("  {}", fill(c.sheet_skipped, &[("sheet", &sum.sheet)])),
        }
        let issues = FileView::sheet_issues(s);
        for i in issues.iter().take(show) {
            println!("    {}", describe(i, lang));
        }
        if issues.len() > show {
            let n = (issues.len() - show).to_string();
            println!("    {}", fill(c.more, &[("n", &n)]));
        }
    }
    for n in &view.notices {
        let message = n.problem.message(lang);
        println!(
            "  {}",
            fill(
                c.sheet_notice,
                &[("message", &message), ("sheet", &n.sheet)]
            )
        );
    }
}

/// One issue on one line: its kind, where it is and what is wrong.
fn describe(i: &Issue, lang: Lang) -> String {
    let c = cli(lang);
    let place = match (i.row, &i.column) {
        (Some(r), Some(col)) => fill(c.at_row_column, &[("row", &r.to_string()), ("column", col)]),
        (Some(r), None) => fill(c.at_row, &[("row", &r.to_string())]),
        _ => String::new(),
    };
    fill(
        c.issue,
        &[
            ("kind", i.kind.label(lang)),
            ("place", &place),
            ("message", &i.problem.message(lang)),
        ],
    )
}

/// Prints every file of one kind; the files with no usable sheet are added
/// to `failed`.
fn report_kind<K>(
    kind: InputKind,
    files: &[PathBuf],
    read: &FilesRead<K>,
    show: usize,
    lang: Lang,
    failed: &mut Vec<String>,
) {
    for view in FileView::all(kind, files, read) {
        print_file(&view, show, lang);
        failed.extend(view.failure());
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
    let settings = args.read.settings(None, true)?;
    let lang = settings.lang;
    let read = check(&inputs, &settings)?;
    let mut failed: Vec<String> = Vec::new();
    let (show, f) = (args.show, &mut failed);
    report_kind(
        InputKind::Ledger,
        &inputs.ledgers,
        &read.ledgers,
        show,
        lang,
        f,
    );
    report_kind(
        InputKind::Receipts,
        &inputs.receipts,
        &read.receipts,
        show,
        lang,
        f,
    );
    report_kind(
        InputKind::Customers,
        &inputs.customers,
        &read.customers,
        show,
        lang,
        f,
    );
    report_kind(
        InputKind::Previous,
        &inputs.previous,
        &read.previous,
        show,
        lang,
        f,
    );
    if !failed.is_empty() {
        bail!("{}", failed.join("\n"));
    }
    Ok(())
}
