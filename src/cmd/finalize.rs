//! `tierbook finalize EVALUATION --out F`: the meeting's decisions read back
//! and the final grade list written (SPEC 7.4, see
//! [`crate::report::finalize`]); accepted as `--previous` next year.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::merge::{read_all, BackArgs};
use super::output::{xlsx_path, Body, Outputs};
use crate::labels::fill_owned;
use crate::labels::meeting::meeting;
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
        // In the language the evaluation workbook was made in.
        let lang = evaluation.stamp.lang;
        let counts = [
            ("customers", done.grades.len().to_string()),
            ("decision", count(Source::Decision).to_string()),
            ("proposal", count(Source::Proposal).to_string()),
            ("computed", count(Source::Computed).to_string()),
            ("flagged", flagged.to_string()),
            ("conflicts", done.conflicts.len().to_string()),
        ];
        eprintln!("{}", fill_owned(meeting(lang).cli_finalize, &counts));
        super::output::print_written(lang, [args.out.as_path()]);
    }
    Ok(())
}
