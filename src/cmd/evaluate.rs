//! `tierbook evaluate`: ledgers (+ customer master, previous grades) → the
//! evaluation workbook for the review meeting, and optionally JSON.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;

use super::output::{write_all, Body, Outputs};
use super::Common;
use crate::grade::grade_all;
use crate::model::ledger::{build, Model, ModelOptions};
use crate::read::tables::{read_master, read_previous, MasterRecord, PreviousRecord};
use crate::read::{read_ledgers, HeaderMatcher, InputKind, Issue, IssueKind};
use crate::report::evaluation::{Evaluation, InputSheet};
use crate::rules::Rules;

#[derive(Debug, Clone, Args)]
pub struct EvaluateArgs {
    /// Sales ledger files (xlsx, xlsm, xlsb, xls, ods, csv); all their sheets with a header are read.
    #[arg(required = true, value_name = "LEDGER")]
    pub ledgers: Vec<PathBuf>,
    /// Customer master (客户档案): region, sales rep, first order date, terms, attributes.
    #[arg(long, value_name = "F")]
    pub customers: Vec<PathBuf>,
    /// Previous grades (上期等级), e.g. last year's final grade list.
    #[arg(long, value_name = "F")]
    pub previous: Vec<PathBuf>,
    /// The evaluation workbook to write (.xlsx).
    #[arg(long, value_name = "F")]
    pub out: PathBuf,
    #[command(flatten)]
    pub common: Common,
}

/// Everything read and computed for an evaluation.
pub struct Gathered {
    pub rules: Rules,
    pub model: Model,
    pub inputs: Vec<InputSheet>,
    pub issues: Vec<Issue>,
    pub has_previous: bool,
}

/// Prints how long each phase took when `TIERBOOK_TIMINGS` is set (for profiling);
/// "write" is assembling the workbook into its file and streaming the JSON.
pub struct Timer {
    start: std::time::Instant,
    on: bool,
}

impl Timer {
    pub fn new() -> Timer {
        Timer {
            start: std::time::Instant::now(),
            on: std::env::var_os("TIERBOOK_TIMINGS").is_some(),
        }
    }
    pub fn lap(&mut self, what: &str) {
        if self.on {
            eprintln!(
                "timing: {what:<8} {:>8.3} s",
                self.start.elapsed().as_secs_f64()
            );
            self.start = std::time::Instant::now();
        }
    }
}

impl Default for Timer {
    fn default() -> Self {
        Timer::new()
    }
}

/// Reads every input and builds the model (shared by the commands that grade).
pub fn gather(
    ledgers: &[PathBuf],
    customers: &[PathBuf],
    previous: &[PathBuf],
    common: &Common,
) -> Result<Gathered> {
    let mut timer = Timer::new();
    let rules = common.load_rules()?;
    let opts = common.read_options(&rules);
    let ledger_matcher = HeaderMatcher::new(InputKind::Ledger, rules.columns.get("ledger"));
    let crate::read::Ledgers {
        sheets,
        mut issues,
        strings,
    } = read_ledgers(ledgers, &ledger_matcher, &opts)?;
    timer.lap("read");
    if sheets.iter().all(|s| s.header.is_none()) {
        let why: Vec<String> = issues
            .iter()
            .chain(sheets.iter().flat_map(|s| s.issues.iter()))
            .filter(|i| i.kind == IssueKind::Notice)
            .map(|i| {
                format!(
                    "  {} / {}: {}",
                    i.file,
                    i.sheet,
                    i.problem.message(crate::labels::Lang::En)
                )
            })
            .collect();
        bail!(
            "no sheet of the sales ledger has a header row with the required columns (date, customer, amount):\n{}",
            why.join("\n")
        );
    }
    let table_opts = crate::read::ReadOptions {
        sheets: Vec::new(),
        ..opts.clone()
    };
    let (master_sheets, master_issues) = read_master(
        customers,
        &HeaderMatcher::new(InputKind::Customers, rules.columns.get("customers")),
        &table_opts,
    )?;
    let (prev_sheets, prev_issues) = read_previous(
        previous,
        &HeaderMatcher::new(InputKind::Previous, rules.columns.get("previous")),
        &table_opts,
    )?;
    let mut inputs = Vec::new();
    let mut sheet_issues = Vec::new();
    for s in &sheets {
        sheet_issues.extend(s.issues.iter().cloned());
    }
    let master: Vec<MasterRecord> = master_sheets
        .iter()
        .flat_map(|s| s.records.iter().cloned())
        .collect();
    let prev: Vec<PreviousRecord> = prev_sheets
        .iter()
        .flat_map(|s| s.records.iter().cloned())
        .collect();
    let model = build(
        sheets,
        strings,
        &master,
        &prev,
        &ModelOptions {
            as_of: common.as_of,
            window_months: rules.window.months,
            new_client_months: rules.new_clients.months,
            annualize: rules.new_clients.annualize,
        },
    )?;
    timer.lap("model");
    for s in &model.sheets {
        inputs.push(InputSheet {
            kind: InputKind::Ledger,
            file: s.file.clone(),
            sheet: s.sheet.clone(),
            header_row: s.header_row,
            columns: s.columns.clone(),
            stats: s.stats.clone(),
        });
    }
    for (kind, list) in [
        (
            InputKind::Customers,
            master_sheets
                .iter()
                .map(|s| (&s.file, &s.sheet, &s.header, &s.stats))
                .collect::<Vec<_>>(),
        ),
        (
            InputKind::Previous,
            prev_sheets
                .iter()
                .map(|s| (&s.file, &s.sheet, &s.header, &s.stats))
                .collect(),
        ),
    ] {
        for (file, sheet, header, stats) in list {
            inputs.push(InputSheet {
                kind,
                file: file.clone(),
                sheet: sheet.clone(),
                header_row: header.as_ref().map(|h| h.row),
                columns: header.as_ref().map(|h| h.columns()).unwrap_or_default(),
                stats: stats.clone(),
            });
        }
    }
    let mut all = sheet_issues;
    all.append(&mut issues);
    all.extend(model.issues.iter().cloned());
    all.extend(master_issues);
    all.extend(prev_issues);
    Ok(Gathered {
        rules,
        model,
        inputs,
        issues: all,
        has_previous: !previous.is_empty(),
    })
}

pub fn run(args: EvaluateArgs) -> Result<()> {
    let all_inputs: Vec<PathBuf> = args
        .ledgers
        .iter()
        .chain(&args.customers)
        .chain(&args.previous)
        .chain(args.common.rules.iter())
        .cloned()
        .collect();
    let mut outs = Outputs::new(&all_inputs, args.common.force);
    let out = outs.add(&args.out)?;
    let json_out = args.common.json.as_ref().map(|j| outs.add(j)).transpose()?;
    let g = gather(&args.ledgers, &args.customers, &args.previous, &args.common)?;
    let mut timer = Timer::new();
    let lang = args.common.lang;
    let previous: HashMap<String, String> = g
        .model
        .previous
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let grades = grade_all(&g.model.customers, &previous, &g.rules);
    timer.lap("grade");
    let ev = Evaluation {
        model: &g.model,
        grades: &grades,
        rules: &g.rules,
        lang,
        inputs: &g.inputs,
        issues: &g.issues,
        has_previous: g.has_previous,
        has_receivables: false,
    };
    let book = ev.book();
    timer.lap("report");
    let source = match &args.common.rules {
        Some(p) => p.display().to_string(),
        None => "built-in three-tier".to_string(),
    };
    let json = crate::render::json::evaluation_json(&ev, &source);
    // The workbook is assembled straight into its temporary file.
    let write_xlsx = |f: &mut std::fs::File| crate::render::xlsx::write_xlsx(&book, f);
    let write_json = |w: &mut dyn std::io::Write| crate::render::json::write_pretty(w, &json);
    let mut files: Vec<(&std::path::Path, Body)> = vec![(out.as_path(), Body::File(&write_xlsx))];
    if let Some(p) = &json_out {
        files.push((p.as_path(), Body::Stream(&write_json)));
    }
    write_all(&files)?;
    timer.lap("write");
    if !args.common.quiet {
        print_summary(&ev, &args.out, args.common.json.as_deref());
    }
    Ok(())
}

fn print_summary(ev: &Evaluation, out: &std::path::Path, json: Option<&std::path::Path>) {
    let t = &ev.model.totals;
    eprintln!(
        "tierbook: read {} rows ({} accepted, {} rejected, {} totals rows); {} customers graded as of {}",
        t.rows_read,
        t.accepted,
        t.rejected,
        t.totals_rows,
        ev.model.customers.len(),
        ev.model.as_of
    );
    for (tier, label, n, sales, _) in ev.tier_table() {
        eprintln!(
            "  {tier} ({label}): {n} customers, sales {}",
            crate::text::fmt_money(sales)
        );
    }
    let rejected = ev
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::Rejected)
        .count();
    let other = ev.issues.len() - rejected;
    if rejected > 0 || other > 0 {
        let sheet = crate::report::labels::texts(ev.lang).sheet_issues;
        eprintln!("  {rejected} rows rejected and {other} other issues: see the \"{sheet}\" sheet");
    }
    eprintln!("wrote {}", out.display());
    if let Some(j) = json {
        eprintln!("wrote {}", j.display());
    }
}
