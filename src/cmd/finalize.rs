//! `tierbook finalize EVALUATION --out F`: the meeting's decisions read back
//! and the final grade list written (SPEC 7.4, see
//! [`crate::report::finalize`]); accepted as `--previous` next year.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::merge::{read_all, BackArgs};
use super::output::{xlsx_path, Body, Outputs};
use crate::report::finalize::{finalize, Source};

#[derive(Debug, Clone, Args)]
pub struct FinalizeArgs {
    /// The evaluation workbook with the meeting's decisions (after merge).
    #[arg(value_name = "EVALUATION")]
    pub evaluation: PathBuf,
    /// The final grade list to write (.xlsx).
    #[arg(long, value_name = "F", value_parser = xlsx_path)]
    pub out: PathBuf,
    #[command(flatten)]
    pub back: BackArgs,
}

pub fn run(args: FinalizeArgs) -> Result<()> {
    let mut inputs = vec![args.evaluation.clone()];
    inputs.extend(args.back.rules.iter().cloned());
    let mut outs = Outputs::new(&inputs, args.back.force);
    let out = outs.add(&args.out)?;
    let rules = args.back.rules()?;
    let mut read = read_all(&[args.evaluation.as_path()])?;
    let evaluation = read.remove(0);
    let mut done = finalize(&evaluation, rules)?;
    done.book = done.book.with_paper(args.back.paper);
    let write = |f: &mut std::fs::File| crate::render::xlsx::write_xlsx(&done.book, f);
    outs.write_all(&[(out.as_path(), Body::File(&write))])?;
    if !args.back.quiet {
        let count = |s: Source| done.grades.iter().filter(|g| g.source == s).count();
        let flagged = done.grades.iter().filter(|g| g.no_reason()).count();
        eprintln!(
            "{} customers: {} by meeting decision, {} by proposal, {} as computed; {} changed without a reason given; {} conflicts",
            done.grades.len(),
            count(Source::Decision),
            count(Source::Proposal),
            count(Source::Computed),
            flagged,
            done.conflicts.len()
        );
        eprintln!("wrote {}", args.out.display());
    }
    Ok(())
}
