//! `tierbook check`: a dry run over the inputs. Per file and sheet: the header
//! row found, each column's mapping, row counts and the first issues. Writes
//! nothing; exits 1 when a file has no sheet whose header maps the required
//! columns.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;

use super::ReadArgs;
use crate::labels::Lang;
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

fn describe(i: &Issue, lang: Lang) -> String {
    let place = match (i.row, &i.column) {
        (Some(r), Some(c)) => format!("row {r}, column {c}: "),
        (Some(r), None) => format!("row {r}: "),
        _ => String::new(),
    };
    format!("{} {place}{}", i.kind.label(lang), i.problem.message(lang))
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
    println!("{} {file}", kind.as_str());
    for s in sheets {
        let sum = &s.summary;
        let st = &sum.stats;
        match sum.header_row {
            Some(r) => {
                println!(
                    "  sheet \"{}\": header at row {r}; {} rows read, {} accepted, {} rejected, {} totals rows",
                    sum.sheet, st.rows_read, st.accepted, st.rejected, st.totals_rows
                );
                let cols: Vec<String> = sum
                    .columns
                    .iter()
                    .map(|(f, h)| format!("{f} ← {h}"))
                    .collect();
                println!("    columns: {}", cols.join(", "));
            }
            None => println!("  sheet \"{}\": skipped", sum.sheet),
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
            println!("    … and {} more", issues.len() - show);
        }
    }
    for n in notices {
        println!("  sheet \"{}\": {}", n.sheet, n.problem.message(lang));
    }
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
                .map(|i| format!("sheet \"{}\": {}", i.sheet, i.problem.message(lang)))
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
    let lang = Lang::En;
    let read = check(&inputs, &settings)?;
    let mut failed: Vec<String> = Vec::new();
    let show = args.show;
    report_kind(
        InputKind::Ledger,
        &inputs.ledgers,
        &read.ledgers,
        show,
        lang,
        &mut failed,
    );
    report_kind(
        InputKind::Receipts,
        &inputs.receipts,
        &read.receipts,
        show,
        lang,
        &mut failed,
    );
    report_kind(
        InputKind::Customers,
        &inputs.customers,
        &read.customers,
        show,
        lang,
        &mut failed,
    );
    report_kind(
        InputKind::Previous,
        &inputs.previous,
        &read.previous,
        show,
        lang,
        &mut failed,
    );
    if !failed.is_empty() {
        bail!("{}", failed.join("\n"));
    }
    Ok(())
}
