//! `tierbook monthly LEDGER... [--receipts F] [--customers F] [--previous F]
//! --out F [--json F]`: the monthly follow-up workbook (SPEC 7.4, see
//! [`crate::report::monthly`]).

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use super::output::{xlsx_path, Body, Outputs};
use super::{ReadArgs, RunArgs};
use crate::labels::fill_owned;
use crate::labels::meeting::meeting;
use crate::pipeline::{evaluate, Inputs};
use crate::render::monthly_json::MonthlyJson;
use crate::report::evaluation::Evaluation;
use crate::report::monthly::Monthly;

#[derive(Debug, Clone, Args)]
pub struct MonthlyArgs {
    /// Sales ledger files (xlsx, xlsm, xlsb, xls, ods, csv).
    #[arg(required = true, value_name = "LEDGER")]
    pub ledgers: Vec<PathBuf>,
    /// Receipts ledgers (回款台账): receivables aging and overdue alerts.
    #[arg(long, value_name = "F")]
    pub receipts: Vec<PathBuf>,
    /// Customer master (客户档案): region, sales rep, first order date, terms.
    #[arg(long, value_name = "F")]
    pub customers: Vec<PathBuf>,
    /// The official grades (last meeting's final grade list).
    #[arg(long, value_name = "F")]
    pub previous: Vec<PathBuf>,
    /// The monthly workbook to write (.xlsx).
    #[arg(long, value_name = "F", value_parser = xlsx_path)]
    pub out: PathBuf,
    #[command(flatten)]
    pub read: ReadArgs,
    #[command(flatten)]
    pub run: RunArgs,
}

pub fn run(args: MonthlyArgs) -> Result<()> {
    let inputs = Inputs {
        ledgers: args.ledgers.clone(),
        receipts: args.receipts.clone(),
        customers: args.customers.clone(),
        previous: args.previous.clone(),
    };
    let mut guarded = inputs.all();
    guarded.extend(args.read.rules.iter().cloned());
    let mut outs = Outputs::new(&guarded, args.run.force);
    let out = outs.add(&args.out)?;
    let json_out = args.run.json.as_ref().map(|j| outs.add(j)).transpose()?;
    let mut settings = args.read.settings(args.run.as_of, args.run.quiet)?;
    settings.monthly = true;
    let done = evaluate(&inputs, &settings)?;
    let monthly = Monthly::of(Evaluation::of(&done, &settings.rules, settings.lang));
    let book = monthly.book().with_paper(args.run.paper);
    let json = MonthlyJson {
        monthly: &monthly,
        source: &settings.rules.source,
    };
    let write_xlsx = |f: &mut std::fs::File| crate::render::xlsx::write_xlsx(&book, f);
    let write_json = |w: &mut dyn std::io::Write| crate::render::json::write_pretty(w, &json);
    let mut files: Vec<(&Path, Body)> = vec![(out.as_path(), Body::File(&write_xlsx))];
    if let Some(p) = &json_out {
        files.push((p.as_path(), Body::Stream(&write_json)));
    }
    outs.write_all(&files)?;
    if !args.run.quiet {
        let overdue = monthly.due.iter().filter(|d| d.overdue).count();
        let lang = settings.lang;
        let counts = [
            ("as_of", done.gathered.model.period.as_of.to_string()),
            ("new", monthly.new_clients.len().to_string()),
            ("due", (monthly.due.len() - overdue).to_string()),
            ("past", overdue.to_string()),
            ("alerts", monthly.alerts.len().to_string()),
            ("changes", monthly.changes.len().to_string()),
        ];
        eprintln!("{}", fill_owned(meeting(lang).cli_monthly, &counts));
        let written = std::iter::once(&args.out).chain(args.run.json.iter());
        super::output::print_written(lang, written.map(PathBuf::as_path));
    }
    Ok(())
}
