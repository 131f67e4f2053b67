//! Command-line flags and one module per subcommand, wiring the pipeline.
//! Library code never sees clap types: each subcommand turns its flags into
//! the options of the modules it calls.

pub mod check;
pub mod evaluate;
pub mod init;
pub mod output;
pub mod sample;

use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::labels::Lang;
use crate::read::{DayMonthOrder, Limits, ReadOptions, Style};
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
    /// Dry run: show each sheet's header row, column mapping, row counts and first issues; write nothing.
    Check(check::CheckArgs),
    /// Write a realistic synthetic ledger set (ledger, receipts, customer master, previous grades).
    Sample(sample::SampleArgs),
    /// Write a starter rules file to edit.
    Init(init::InitArgs),
}

/// Flags shared by every command that reads data.
#[derive(Debug, Clone, Args)]
pub struct Common {
    /// Rules file (TOML); default: the built-in three-tier rules.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// As-of date (YYYY-MM-DD); default: the latest valid date in the sales ledgers.
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    pub as_of: Option<NaiveDate>,
    /// Language of the workbook: zh-CN, zh-TW or en.
    #[arg(long, value_enum, default_value = "zh-CN")]
    pub lang: Lang,
    /// Also write the machine-readable result as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Read only this sheet of the ledgers (repeatable).
    #[arg(long = "sheet", value_name = "NAME")]
    pub sheets: Vec<String>,
    /// Replace existing output files.
    #[arg(long)]
    pub force: bool,
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

fn parse_date_arg(s: &str) -> Result<NaiveDate, String> {
    crate::read::value::parse_date_text(s, DayMonthOrder::Reject)
        .map_err(|_| format!("\"{s}\" is not a date: use YYYY-MM-DD"))
}

impl Common {
    /// The rules named by `--rules`, or the built-in three-tier rules.
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

    pub fn read_options(&self, rules: &Rules) -> ReadOptions {
        ReadOptions {
            sheets: self.sheets.clone(),
            style: Style {
                order: match rules.day_first() {
                    Some(true) => DayMonthOrder::DayFirst,
                    Some(false) => DayMonthOrder::MonthFirst,
                    None => DayMonthOrder::Reject,
                },
                decimal_comma: rules.decimal_comma,
                // Each workbook's own date system is added where it is opened.
                date_1904: false,
            },
            limits: Limits {
                max_cells: self.max_cells,
                max_unzipped_bytes: self.max_unzipped_mb.saturating_mul(1 << 20),
            },
            threads: self.threads,
            progress: !self.quiet,
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Evaluate(a) => evaluate::run(a),
        Command::Check(a) => check::run(a),
        Command::Sample(a) => sample::run(a),
        Command::Init(a) => init::run(a),
    }
}
