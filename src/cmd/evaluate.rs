//! `tierbook evaluate`: ledgers (+ customer master, previous grades) → the
//! evaluation workbook for the review meeting, and optionally JSON.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use super::output::{xlsx_path, Body, Outputs};
use super::{ReadArgs, RunArgs};
use crate::labels::cli::cli;
use crate::labels::fill;
use crate::pipeline::{evaluate, Inputs};
use crate::read::IssueKind;
use crate::report::evaluation::Evaluation;

#[derive(Debug, Clone, Args)]
pub struct EvaluateArgs {
    /// Sales ledger files (xlsx, xlsm, xlsb, xls, ods, csv); all their sheets with a header are read.
    #[arg(required = true, value_name = "LEDGER")]
    pub ledgers: Vec<PathBuf>,
    /// Receipts ledgers (回款台账): the receivable metrics, credit ratings and aging.
    #[arg(long, value_name = "F")]
    pub receipts: Vec<PathBuf>,
    /// Customer master (客户档案): region, sales rep, first order date, terms, attributes.
    #[arg(long, value_name = "F")]
    pub customers: Vec<PathBuf>,
    /// Previous grades (上期等级), e.g. last year's final grade list.
    #[arg(long, value_name = "F")]
    pub previous: Vec<PathBuf>,
    /// The evaluation workbook to write (.xlsx); with --split-by it may be left out.
    #[arg(long, value_name = "F", value_parser = xlsx_path, required_unless_present = "split_by")]
    pub out: Option<PathBuf>,
    /// Also write one handout per region or sales rep (region|sales_rep), into --out-dir.
    #[arg(long, value_name = "BY", value_parser = super::handouts::parse_split, requires = "out_dir")]
    pub split_by: Option<crate::report::returnable::SplitBy>,
    /// Folder for the handouts (created if missing).
    #[arg(long, value_name = "D", requires = "split_by")]
    pub out_dir: Option<PathBuf>,
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub run: RunArgs,
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
                "timing: {what:<8} {:>8.3} s  peak {} MiB",
                self.start.elapsed().as_secs_f64(),
                peak_mib()
            );
            self.start = std::time::Instant::now();
        }
    }
}

/// The process's peak resident memory so far (Linux), in MiB; 0 elsewhere.
fn peak_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

impl Default for Timer {
    fn default() -> Self {
        Timer::new()
    }
}

pub fn run(args: EvaluateArgs) -> Result<()> {
    let inputs = Inputs {
        ledgers: args.ledgers.clone(),
        receipts: args.receipts.clone(),
        customers: args.customers.clone(),
        previous: args.previous.clone(),
    };
    let mut guarded = inputs.all();
    guarded.extend(args.read.rules.iter().cloned());
    let mut outs = Outputs::new(&guarded, args.run.force);
    let out = args.out.as_ref().map(|o| outs.add(o)).transpose()?;
    if let Some(dir) = &args.out_dir {
        super::handouts::prepare_dir(dir)?;
    }
    let json_out = args.run.json.as_ref().map(|j| outs.add(j)).transpose()?;
    let settings = args.read.settings(args.run.as_of, args.run.quiet)?;
    let mut timer = Timer::new();
    let done = evaluate(&inputs, &settings)?;
    timer.lap("read+grade");
    let ev = Evaluation::of(&done, &settings.rules, settings.lang);
    let book = out.as_ref().map(|_| ev.book().with_paper(args.run.paper));
    let handouts = match (args.split_by, &args.out_dir) {
        (Some(split), Some(dir)) => {
            super::handouts::handouts(&ev, split, dir, args.run.paper, &mut outs)?
        }
        _ => Vec::new(),
    };
    timer.lap("report");
    let json = crate::render::json::evaluation_json(&ev, &settings.rules.source);
    // The workbook is assembled straight into its temporary file.
    let write_xlsx = |f: &mut std::fs::File| match &book {
        Some(b) => crate::render::xlsx::write_xlsx(b, f),
        None => Ok(()),
    };
    let write_json = |w: &mut dyn std::io::Write| crate::render::json::write_pretty(w, &json);
    let mut files: Vec<(&Path, Body)> = Vec::new();
    if let Some(p) = &out {
        files.push((p.as_path(), Body::File(&write_xlsx)));
    }
    let write_handouts: Vec<_> = (handouts.iter())
        .map(|h| move |f: &mut std::fs::File| crate::render::xlsx::write_xlsx(&h.book, f))
        .collect();
    for (h, w) in handouts.iter().zip(&write_handouts) {
        files.push((h.path.as_path(), Body::File(w)));
    }
    if let Some(p) = &json_out {
        files.push((p.as_path(), Body::Stream(&write_json)));
    }
    outs.write_all(&files)?;
    timer.lap("write");
    if !args.run.quiet {
        let mut written: Vec<&Path> = args.out.iter().map(PathBuf::as_path).collect();
        written.extend(handouts.iter().map(|h| h.shown.as_path()));
        written.extend(args.run.json.as_deref());
        print_summary(&ev, &written);
    }
    Ok(())
}

fn print_summary(ev: &Evaluation, written: &[&Path]) {
    let c = cli(ev.lang);
    let t = &ev.model.totals;
    eprintln!(
        "{}",
        fill(
            c.summary_read,
            &[
                ("rows", &t.rows_read.to_string()),
                ("accepted", &t.accepted.to_string()),
                ("rejected", &t.rejected.to_string()),
                ("totals_rows", &t.totals_rows.to_string()),
                ("customers", &ev.model.customers.len().to_string()),
                ("as_of", &ev.model.period.as_of.to_string()),
            ]
        )
    );
    for (tier, label, n, sales, _) in ev.tier_table() {
        let sales = crate::text::fmt_money(sales);
        let n = n.to_string();
        let args = [
            ("tier", tier.as_str()),
            ("label", &label),
            ("customers", &n),
            ("sales", &sales),
        ];
        eprintln!("  {}", fill(c.summary_tier, &args));
    }
    let rejected = ev
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::Rejected)
        .count();
    let other = ev.issues.len() - rejected;
    if rejected > 0 || other > 0 {
        let sheet = crate::report::labels::texts(ev.lang).sheet_issues;
        let (rejected, other) = (rejected.to_string(), other.to_string());
        let args = [
            ("rejected", &*rejected),
            ("other", &other),
            ("sheet", sheet),
        ];
        eprintln!("  {}", fill(c.summary_issues, &args));
    }
    super::output::print_written(ev.lang, written.iter().copied());
}
