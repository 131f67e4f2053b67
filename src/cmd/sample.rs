//! `tierbook sample`: writes the synthetic ledger set. Files are generated in
//! a temporary folder inside the target and moved into place only when all
//! are written and none would replace an existing file (unless `--force`).

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;

use crate::sample::{generate, SampleOptions};

#[derive(Debug, Clone, Args)]
pub struct SampleArgs {
    /// Folder to write the files in (created if missing).
    #[arg(long, value_name = "D")]
    pub out_dir: PathBuf,
    /// Generate a big ledger of this many rows instead of the small sample set.
    #[arg(long, value_name = "N")]
    pub rows: Option<usize>,
    /// Random seed: the same seed gives the same files.
    #[arg(long, value_name = "S", default_value_t = 2025)]
    pub seed: u64,
    /// With --rows: write the ledger as CSV instead of xlsx.
    #[arg(long)]
    pub csv: bool,
    /// With --csv: encode the CSV as GBK.
    #[arg(long, requires = "csv")]
    pub gbk: bool,
    /// With --rows (xlsx): one shared-strings table, as Excel saves a workbook,
    /// instead of text in the cells, as streaming ERP exporters write.
    #[arg(long, requires = "rows", conflicts_with = "csv")]
    pub shared_strings: bool,
    /// With --rows: this many customers (default: one per 200 rows, 200 to 20,000).
    #[arg(long, value_name = "N", requires = "rows")]
    pub customers: Option<usize>,
    /// With --rows (xlsx): every month on one sheet, with 小计 rows, instead of a sheet a month.
    #[arg(long, requires = "rows", conflicts_with = "csv")]
    pub one_sheet: bool,
    /// With --rows: also write the receipts ledger (回款台账, about one receipt per order).
    #[arg(long, requires = "rows")]
    pub receipts: bool,
    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: SampleArgs) -> Result<()> {
    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("{}: cannot create the folder", args.out_dir.display()))?;
    // The staging folder is listed while it exists, so an interrupt removes it.
    let staging = super::signals::with_pending(|pending| {
        let dir = tempfile::Builder::new()
            .prefix(".tierbook-sample-")
            .tempdir_in(&args.out_dir)?;
        pending.add(dir.path());
        Ok::<_, std::io::Error>(dir)
    })
    .with_context(|| {
        format!(
            "{}: cannot create a temporary folder",
            args.out_dir.display()
        )
    })?;
    let done = run_in(&args, staging.path());
    super::signals::with_pending(|pending| {
        pending.forget(staging.path());
        drop(staging);
    });
    done
}

/// Generates the sample set in `staging` and moves it into the output folder.
fn run_in(args: &SampleArgs, staging: &std::path::Path) -> Result<()> {
    let opts = SampleOptions {
        rows: args.rows,
        seed: args.seed,
        csv: args.csv,
        gbk: args.gbk,
        shared_strings: args.shared_strings,
        customers: args.customers,
        one_sheet: args.one_sheet,
        receipts: args.receipts,
    };
    let report = generate(staging, &opts)?;
    let mut moves = Vec::new();
    for f in &report.files {
        let name = f.path.file_name().context("sample file without a name")?;
        let target = args.out_dir.join(name);
        if target.exists() && !args.force {
            bail!(
                "{}: already exists; use --force to replace it",
                target.display()
            );
        }
        moves.push((f.path.clone(), target));
    }
    for (from, to) in &moves {
        std::fs::rename(from, to)
            .with_context(|| format!("{}: cannot be written", to.display()))?;
    }
    if !args.quiet {
        for (_, to) in &moves {
            eprintln!("wrote {}", to.display());
        }
        eprintln!(
            "{} ledger rows ({} of them bad on purpose), latest date {}",
            report.ledger_rows,
            report.rejected.len(),
            report.as_of
        );
    }
    Ok(())
}
