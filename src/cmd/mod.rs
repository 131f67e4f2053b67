//! Command-line flags and one module per subcommand, wiring the pipeline.
//! Library code never sees clap types: each subcommand turns its flags into
//! the options of the modules it calls.

pub mod check;
pub mod completions;
pub mod evaluate;
pub mod finalize;
pub mod handouts;
pub mod init;
pub mod man;
pub mod merge;
pub mod monthly;
pub mod output;
pub mod progress;
pub mod reconcile;
pub mod sample;
pub mod serve;
pub mod signals;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::labels::Lang;
use crate::pipeline::Settings;
use crate::read::Limits;
use crate::report::model::Paper;
use crate::rules::Rules;

/// tierbook: customer grading workbooks (客户分级评定表) from Excel sales ledgers.
#[derive(Debug, Parser)]
#[command(name = "tierbook", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Grade customers from sales ledgers and write the evaluation workbook for the review meeting.
    Evaluate(evaluate::EvaluateArgs),
    /// Reconcile the sales ledgers with the receipts: statements, open items, aging (finance).
    Reconcile(reconcile::ReconcileArgs),
    /// Dry run: show each sheet's header row, column mapping, row counts and first issues; write nothing.
    Check(check::CheckArgs),
    /// Write a realistic synthetic ledger set (ledger, receipts, customer master, previous grades).
    Sample(sample::SampleArgs),
    /// Write a starter rules file to edit.
    Init(init::InitArgs),
    /// Carry region chiefs' proposals and remarks from handouts into the evaluation workbook.
    Merge(merge::MergeArgs),
    /// Read the meeting's decisions back and write the final grade list.
    Finalize(finalize::FinalizeArgs),
    /// The monthly follow-up: new clients, formal evaluations due, top-tier alerts.
    Monthly(monthly::MonthlyArgs),
    /// A local web page (127.0.0.1 only) that checks and grades files dropped in a browser.
    Serve(serve::ServeArgs),
    /// Print the shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff).
    Man(man::ManArgs),
}

/// How to read inputs: flags shared by every command that reads data.
#[derive(Debug, Clone, Args)]
pub struct ReadArgs {
    /// Rules file (TOML); default: the built-in three-tier rules.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Language of the outputs: zh-CN, zh-TW or en.
    #[arg(long, value_name = "LANG", default_value = "zh-CN", value_parser = parse_lang)]
    pub lang: Lang,
    /// Read only this sheet of the ledgers (repeatable).
    #[arg(long = "sheet", value_name = "NAME")]
    pub sheets: Vec<String>,
    /// Most cells read from one sheet (a guard against hostile files); an .xls or .ods sheet,
    /// read whole, may span a grid of a 40th of it, blank cells included.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_cells)]
    pub max_cells: u64,
    /// Most megabytes a workbook may unpack to (a guard against zip bombs).
    #[arg(long, value_name = "MB", default_value_t = Limits::default().max_unzipped_bytes >> 20)]
    pub max_unzipped_mb: u64,
    /// Threads for reading sheets (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
}

/// Flags of the commands that compute and write results.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// As-of date (YYYY-MM-DD); default: the latest valid date in the sales ledgers.
    #[arg(long, value_name = "DATE", value_parser = parse_as_of)]
    pub as_of: Option<NaiveDate>,
    /// Also write the machine-readable result as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Replace existing output files.
    #[arg(long)]
    pub force: bool,
    /// Paper the workbooks print on: A4, or A3 for the ~30-column Evaluation form at a readable size.
    #[arg(long, value_name = "SIZE", default_value = "A4", value_parser = parse_paper)]
    pub paper: Paper,
}

/// `--paper`: A4 or A3 (any case).
pub fn parse_paper(s: &str) -> Result<Paper, String> {
    Paper::parse(s).ok_or_else(|| format!("\"{s}\" is not a paper size: use A4 or A3"))
}

/// `--lang`: zh-CN, zh-TW or en (case-insensitive, `_` for `-`).
pub fn parse_lang(s: &str) -> Result<Lang, String> {
    match s.trim().replace('_', "-").to_ascii_lowercase().as_str() {
        "zh-cn" | "zh" | "zh-hans" => Ok(Lang::ZhCn),
        "zh-tw" | "zh-hant" => Ok(Lang::ZhTw),
        "en" => Ok(Lang::En),
        _ => Err(format!("\"{s}\" is not a language: use zh-CN, zh-TW or en")),
    }
}

/// `--as-of`: exactly `YYYY-MM-DD`, a real calendar date.
pub fn parse_as_of(s: &str) -> Result<NaiveDate, String> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return Err(format!("\"{s}\" is not a date in the form YYYY-MM-DD"));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("\"{s}\" is not a calendar date (YYYY-MM-DD)"))
}

impl ReadArgs {
    /// The rules named by `--rules`, or the built-in three-tier rules.
    ///
    /// # Errors
    /// The file cannot be read or is not valid rules.
    pub fn load_rules(&self) -> Result<Rules> {
        match &self.rules {
            None => Ok(Rules::three_tier()),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("{}: cannot read the rules file", path.display()))?;
                Ok(Rules::from_toml(&text, &path.display().to_string())?)
            }
        }
    }

    /// The pipeline's settings: rules loaded, limits and threads as given,
    /// a progress bar on stderr unless `quiet`.
    ///
    /// # Errors
    /// As [`ReadArgs::load_rules`].
    pub fn settings(&self, as_of: Option<NaiveDate>, quiet: bool) -> Result<Settings> {
        let mut settings = Settings::new(self.load_rules()?);
        settings.as_of = as_of;
        settings.lang = self.lang;
        settings.limits = Limits {
            max_cells: self.max_cells,
            max_unzipped_bytes: self.max_unzipped_mb.saturating_mul(1 << 20),
        };
        settings.sheets = self.sheets.clone();
        settings.threads = self.threads;
        if !quiet {
            settings.progress = Arc::new(progress::TerminalBar::new(self.lang));
        }
        Ok(settings)
    }
}

/// Runs a parsed command line.
///
/// # Errors
/// The command failed; the message names the file (and sheet, row, column).
pub fn run(cli: Cli) -> Result<()> {
    signals::install().context("cannot listen for interrupts (SIGINT, SIGTERM, SIGHUP)")?;
    match cli.command {
        Command::Evaluate(a) => evaluate::run(a),
        Command::Reconcile(a) => reconcile::run(a),
        Command::Check(a) => check::run(a),
        Command::Sample(a) => sample::run(a),
        Command::Init(a) => init::run(a),
        Command::Merge(a) => merge::run(a),
        Command::Finalize(a) => finalize::run(a),
        Command::Monthly(a) => monthly::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Completions(a) => completions::run(a),
        Command::Man(a) => man::run(a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_is_strictly_iso() {
        assert_eq!(
            parse_as_of("2025-03-05").ok(),
            NaiveDate::from_ymd_opt(2025, 3, 5)
        );
        for bad in [
            "2025-3-5",
            "2025/03/05",
            "20250305",
            "2025-02-30",
            "2025-13-01",
            " 2025-03-05",
        ] {
            assert!(parse_as_of(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn paper_sizes() {
        assert_eq!(parse_paper("A4"), Ok(Paper::A4));
        assert_eq!(parse_paper("a3"), Ok(Paper::A3));
        assert!(parse_paper("Letter").is_err());
    }

    #[test]
    fn languages() {
        assert_eq!(parse_lang("zh-CN"), Ok(Lang::ZhCn));
        assert_eq!(parse_lang("zh_tw"), Ok(Lang::ZhTw));
        assert_eq!(parse_lang("EN"), Ok(Lang::En));
        assert!(parse_lang("fr").is_err());
    }
}
