//! `tierbook check`: a dry run over the inputs. Per file and sheet: the header
//! row found, each column's mapping, row counts and the first issues. Writes
//! nothing; exits 1 when a file has no sheet whose header maps the required
//! columns.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;

use super::Common;
use crate::labels::cli::cli;
use crate::labels::{fill, Lang};
use crate::read::tables::{read_master, read_previous};
use crate::read::{read_ledgers, HeaderMatcher, InputKind, Issue, IssueKind, SheetStats};

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Sales ledger files to check.
    #[arg(value_name = "LEDGER")]
    pub ledgers: Vec<PathBuf>,
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
    pub common: Common,
}

struct SheetLine<'a> {
    sheet: &'a str,
    header_row: Option<u32>,
    columns: Vec<(String, String)>,
    stats: &'a SheetStats,
    issues: Vec<&'a Issue>,
}

fn print_file(
    kind: &str,
    file: &str,
    lines: &[SheetLine],
    notices: &[&Issue],
    show: usize,
    lang: Lang,
) {
    let c = cli(lang);
    println!("{}", fill(c.file, &[("kind", kind), ("file", file)]));
    for l in lines {
        match l.header_row {
            Some(r) => {
                let s = l.stats;
                println!(
                    "  {}",
                    fill(
                        c.sheet_read,
                        &[
                            ("header_row", &r.to_string()),
                            ("rows", &s.rows_read.to_string()),
                            ("accepted", &s.accepted.to_string()),
                            ("rejected", &s.rejected.to_string()),
                            ("totals_rows", &s.totals_rows.to_string()),
                            ("sheet", l.sheet),
                        ]
                    )
                );
                let cols: Vec<String> = l
                    .columns
                    .iter()
                    .map(|(f, h)| fill(c.column_map, &[("field", f), ("header", h)]))
                    .collect();
                let cols = cols.join(c.list_sep);
                println!("    {}", fill(c.columns, &[("columns", &cols)]));
            }
            None => println!("  {}", fill(c.sheet_skipped, &[("sheet", l.sheet)])),
        }
        for i in l.issues.iter().take(show) {
            println!("    {}", describe(i, lang));
        }
        if l.issues.len() > show {
            let n = (l.issues.len() - show).to_string();
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

pub fn run(args: CheckArgs) -> Result<()> {
    if args.common.json.is_some() {
        bail!("check writes nothing; --json is for evaluate");
    }
    if args.ledgers.is_empty() && args.customers.is_empty() && args.previous.is_empty() {
        bail!("nothing to check: give ledger files, --customers or --previous");
    }
    let rules = args.common.load_rules()?;
    let opts = crate::read::ReadOptions {
        progress: false,
        ..args.common.read_options(&rules)
    };
    let lang = args.common.lang;
    let mut failed: Vec<String> = Vec::new();
    let matcher = HeaderMatcher::new(InputKind::Ledger, rules.columns.get("ledger"));
    for file in &args.ledgers {
        let crate::read::Ledgers {
            sheets,
            issues: notices,
            ..
        } = read_ledgers(std::slice::from_ref(file), &matcher, &opts)?;
        let lines: Vec<SheetLine> = sheets
            .iter()
            .map(|s| SheetLine {
                sheet: &s.sheet,
                header_row: s.header.as_ref().map(|h| h.row),
                columns: s
                    .header
                    .as_ref()
                    .map(|h| h.columns().into_iter().collect())
                    .unwrap_or_default(),
                stats: &s.stats,
                issues: s.issues.iter().collect(),
            })
            .collect();
        let notices: Vec<&Issue> = notices.iter().collect();
        print_file(
            cli(lang).kind_ledger,
            &file.display().to_string(),
            &lines,
            &notices,
            args.show,
            lang,
        );
        if sheets.iter().all(|s| s.header.is_none()) {
            let missing: Vec<String> = sheets
                .iter()
                .flat_map(|s| s.issues.iter())
                .chain(notices.iter().copied())
                .filter(|i| i.kind == IssueKind::Notice)
                .map(|i| format!("sheet \"{}\": {}", i.sheet, i.problem.message(Lang::En)))
                .collect();
            failed.push(format!(
                "{}: no sheet has the required columns ({})",
                file.display(),
                missing.join("; ")
            ));
        }
    }
    let table_opts = crate::read::ReadOptions {
        sheets: Vec::new(),
        ..opts.clone()
    };
    for file in &args.customers {
        let m = HeaderMatcher::new(InputKind::Customers, rules.columns.get("customers"));
        let (sheets, issues) = read_master(std::slice::from_ref(file), &m, &table_opts)?;
        report_tables(
            cli(lang).kind_customers,
            file,
            sheets.iter().map(|s| (&s.sheet, &s.header, &s.stats)),
            &issues,
            args.show,
            lang,
            &mut failed,
        );
    }
    for file in &args.previous {
        let m = HeaderMatcher::new(InputKind::Previous, rules.columns.get("previous"));
        let (sheets, issues) = read_previous(std::slice::from_ref(file), &m, &table_opts)?;
        report_tables(
            cli(lang).kind_previous,
            file,
            sheets.iter().map(|s| (&s.sheet, &s.header, &s.stats)),
            &issues,
            args.show,
            lang,
            &mut failed,
        );
    }
    if !failed.is_empty() {
        bail!("{}", failed.join("\n"));
    }
    Ok(())
}

fn report_tables<'a>(
    kind: &str,
    file: &std::path::Path,
    sheets: impl Iterator<
        Item = (
            &'a String,
            &'a Option<crate::read::HeaderMap>,
            &'a SheetStats,
        ),
    >,
    issues: &[Issue],
    show: usize,
    lang: Lang,
    failed: &mut Vec<String>,
) {
    let sheets: Vec<_> = sheets.collect();
    let lines: Vec<SheetLine> = sheets
        .iter()
        .map(|(sheet, header, stats)| SheetLine {
            sheet,
            header_row: header.as_ref().map(|h| h.row),
            columns: header
                .as_ref()
                .map(|h| h.columns().into_iter().collect())
                .unwrap_or_default(),
            stats,
            issues: issues
                .iter()
                .filter(|i| &i.sheet == *sheet && i.kind != IssueKind::Notice)
                .collect(),
        })
        .collect();
    let notices: Vec<&Issue> = issues
        .iter()
        .filter(|i| i.kind == IssueKind::Notice)
        .collect();
    print_file(
        kind,
        &file.display().to_string(),
        &lines,
        &notices,
        show,
        lang,
    );
    if sheets.is_empty() {
        failed.push(format!(
            "{}: no sheet has the required columns",
            file.display()
        ));
    }
}
