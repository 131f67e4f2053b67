//! `tierbook reconcile`: ledgers + receipts (+ customer master) → the
//! finance reconciliation workbook of SPEC 7.5 (statements, open items,
//! unmatched receipts, control totals), and optionally JSON.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;

use super::evaluate::Timer;
use super::output::{xlsx_path, Body, Outputs, Staged};
use super::{ReadArgs, RunArgs};
use crate::labels::fill_owned;
use crate::labels::finance::finance;
use crate::pipeline::{gather, Inputs};
use crate::report::reconcile::Reconciliation;

#[derive(Debug, Clone, Args)]
pub struct ReconcileArgs {
    /// Sales ledger files (xlsx, xlsm, xlsb, xls, ods, csv); all their sheets with a header are read.
    #[arg(required = true, value_name = "LEDGER")]
    pub ledgers: Vec<PathBuf>,
    /// Receipts ledgers (回款台账) to reconcile the sales ledgers with.
    #[arg(long, required = true, value_name = "F")]
    pub receipts: Vec<PathBuf>,
    /// Customer master (客户档案): payment terms and credit limits.
    #[arg(long, value_name = "F")]
    pub customers: Vec<PathBuf>,
    /// The reconciliation workbook to write (.xlsx).
    #[arg(long, value_name = "F", value_parser = xlsx_path)]
    pub out: PathBuf,
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub run: RunArgs,
}

pub fn run(args: ReconcileArgs) -> Result<()> {
    let inputs = Inputs {
        ledgers: args.ledgers.clone(),
        receipts: args.receipts.clone(),
        customers: args.customers.clone(),
        previous: Vec::new(),
    };
    let mut guarded = inputs.all();
    guarded.extend(args.read.rules.iter().cloned());
    let mut outs = Outputs::new(&guarded, args.run.force);
    let out = outs.add(&args.out)?;
    let json_out = args.run.json.as_ref().map(|j| outs.add(j)).transpose()?;
    let mut settings = args.read.settings(args.run.as_of, args.run.quiet)?;
    settings.statements = true;
    let mut timer = Timer::new();
    let gathered = gather(&inputs, &settings)?;
    timer.lap("read+match");
    let rec = Reconciliation::of(&gathered, &settings.rules, settings.lang)
        .context(crate::report::reconcile::NO_RECEIPTS)?;
    let json = crate::render::json::reconciliation_json(&rec, &settings.rules.source);
    // The JSON is written on a second thread while the workbook is built and
    // assembled; both are put in place together.
    let staged = std::thread::scope(|scope| {
        let json_job = json_out.as_ref().map(|p| {
            let (outs, json) = (&outs, &json);
            scope.spawn(move || {
                let write = |w: &mut dyn std::io::Write| crate::render::json::write_pretty(w, json);
                outs.stage(&[(p.as_path(), Body::Stream(&write))])
            })
        });
        let book = rec.book().with_paper(args.run.paper);
        timer.lap("report");
        let write_xlsx = |f: &mut std::fs::File| crate::render::xlsx::write_xlsx(&book, f);
        let xlsx = outs.stage(&[(out.as_path(), Body::File(&write_xlsx))]);
        let json = json_job.map(|j| j.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        match (xlsx, json.transpose()) {
            (Ok(x), Ok(Some(j))) => Ok(Staged::join(x, j)),
            (Ok(x), Ok(None)) => Ok(x),
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
    })?;
    staged.commit()?;
    timer.lap("write");
    if !args.run.quiet {
        print_summary(&rec, &args.out, args.run.json.as_deref());
    }
    Ok(())
}

fn print_summary(rec: &Reconciliation, out: &Path, json: Option<&Path>) {
    let customers = rec.customers();
    let open: usize = customers
        .iter()
        .map(|&i| rec.finance.accounts[i].open_items.len())
        .sum();
    let args = [
        ("customers", customers.len().to_string()),
        ("open", open.to_string()),
        ("unmatched", rec.finance.unmatched.len().to_string()),
        ("as_of", rec.model.period.as_of.to_string()),
    ];
    eprintln!("{}", fill_owned(finance(rec.lang).cli_reconcile, &args));
    super::output::print_written(rec.lang, std::iter::once(out).chain(json));
}
