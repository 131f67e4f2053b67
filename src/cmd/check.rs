//! `tierbook check`: a dry run over the inputs. Per file and sheet: the header
//! row found, each column's mapping, row counts and the first issues, in the
//! `--lang` language. Writes nothing; exits 1 when a file has no sheet whose
//! header maps the required columns.

use std::path::PathBuf;

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

/// Prints one file's sheets: header row, counts, mapping, first issues;
/// then the notices about sheets left out.
fn print_file<K>(
    kind: InputKind,
    file: &str,
    sheets: &[&SheetRead<K>],
    notices: &[&Issue],
    show: usize,
    lang: Lang,
) {
    let c = cli(lang);
    println!(
        "{}",
        fill(c.file, &[("kind", c.kind(kind)), ("file", file)])
    );
    for s in sheets {
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
        let issues: Vec<&Issue> = s
            .issues
            .iter()
            .filter(|i| sum.header_row.is_some() || i.kind != IssueKind::Notice)
            .collect();
        for i in issues.iter().take(show) {
            println!("    {}", describe(i, lang));
        }
        if issues.len() > show {
            let n = (issues.len() - show).to_string();
            println!("    {}", fill(c.more, &[("n", &n)]));
        }
    }
    for n in notices {
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
/// to `failed` (in English: errors stay English).
fn report_kind<K>(
    kind: InputKind,
    files: &[PathBuf],
    read: &FilesRead<K>,
    show: usize,
    lang: Lang,
    failed: &mut Vec<String>,
) {
    for (fi, path) in files.iter().enumerate() {
        let file = crate::read::display_path(path);
        let sheets: Vec<&SheetRead<K>> = read
            .sheets
            .iter()
            .filter(|s| s.summary.file_index == fi)
            .collect();
        // A skipped sheet's own notice says why; print it with the notices.
        let notices: Vec<&Issue> = sheets
            .iter()
            .filter(|s| s.header.is_none())
            .flat_map(|s| s.issues.iter().filter(|i| i.kind == IssueKind::Notice))
            .chain(read.notices.iter().filter(|n| n.file == file))
            .collect();
        print_file(kind, &file, &sheets, &notices, show, lang);
        if sheets.iter().all(|s| s.header.is_none()) {
            let why: Vec<String> = notices
                .iter()
                .map(|i| format!("sheet \"{}\": {}", i.sheet, i.problem.message(Lang::En)))
                .collect();
            failed.push(format!(
                "{}: no sheet has the required columns ({})",
                path.display(),
                why.join("; ")
            ));
        }
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
