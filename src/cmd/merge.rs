//! `tierbook merge EVALUATION HANDOUT... --out F`: proposals and remarks
//! from the handouts carried into the evaluation workbook by customer key;
//! the workbook is rebuilt from the data it stored, conflicts listed on its
//! Data Issues sheet (see [`crate::report::merge`]).

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use super::output::{xlsx_path, Body, Outputs};
use crate::labels::fill_owned;
use crate::labels::meeting::meeting;
use crate::read::evaluation_back::{read_returned, Returned};
use crate::read::Limits;
use crate::report::merge::merge;

#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// The evaluation workbook (written by evaluate, or by an earlier merge).
    #[arg(value_name = "EVALUATION")]
    pub evaluation: PathBuf,
    /// Handouts that came back, in any order.
    #[arg(value_name = "HANDOUT", required = true)]
    pub handouts: Vec<PathBuf>,
    /// The merged evaluation workbook to write (.xlsx).
    #[arg(long, value_name = "F", value_parser = xlsx_path)]
    pub out: PathBuf,
    #[command(flatten)]
    pub back: BackArgs,
}

/// Flags of the commands that read evaluation workbooks back.
#[derive(Debug, Clone, Args)]
pub struct BackArgs {
    /// Rules file (TOML) whose tiers proposals and decisions must name;
    /// default: the rules stored in the evaluation workbook.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Replace existing output files.
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Paper the workbook prints on: A4, or A3 for the ~30-column Evaluation form at a readable size.
    #[arg(long, value_name = "SIZE", default_value = "A4", value_parser = super::parse_paper)]
    pub paper: crate::report::model::Paper,
}

impl BackArgs {
    /// The rules of `--rules`, when given.
    ///
    /// # Errors
    /// The file cannot be read or is not valid rules.
    pub fn rules(&self) -> Result<Option<crate::rules::Rules>> {
        match &self.rules {
            None => Ok(None),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    anyhow::anyhow!("{}: cannot read the rules file ({e})", path.display())
                })?;
                let source = path.display().to_string();
                Ok(Some(crate::rules::Rules::from_toml(&text, &source)?))
            }
        }
    }
}

/// Reads every workbook given, in order.
///
/// # Errors
/// A workbook cannot be read back (see [`read_returned`]).
pub fn read_all(paths: &[&Path]) -> Result<Vec<Returned>> {
    Ok(paths
        .iter()
        .map(|p| read_returned(p, Limits::default()))
        .collect::<Result<Vec<_>, _>>()?)
}

pub fn run(args: MergeArgs) -> Result<()> {
    let mut inputs = vec![args.evaluation.clone()];
    inputs.extend(args.handouts.iter().cloned());
    inputs.extend(args.back.rules.iter().cloned());
    let mut outs = Outputs::new(&inputs, args.back.force);
    let out = outs.add(&args.out)?;
    let rules = args.back.rules()?;
    let mut paths: Vec<&Path> = vec![args.evaluation.as_path()];
    paths.extend(args.handouts.iter().map(PathBuf::as_path));
    let mut read = read_all(&paths)?;
    let evaluation = read.remove(0);
    let mut merged = merge(&evaluation, &read, rules)?;
    merged.book = merged.book.with_paper(args.back.paper);
    let write = |f: &mut std::fs::File| crate::render::xlsx::write_xlsx(&merged.book, f);
    outs.write_all(&[(out.as_path(), Body::File(&write))])?;
    if !args.back.quiet {
        // In the language the evaluation workbook was made in.
        let lang = evaluation.stamp.lang;
        let counts = [
            ("handouts", read.len().to_string()),
            ("proposals", merged.proposals.to_string()),
            ("conflicts", merged.conflicts.len().to_string()),
        ];
        eprintln!("{}", fill_owned(meeting(lang).cli_merge, &counts));
        super::output::print_written(lang, [args.out.as_path()]);
    }
    Ok(())
}
