//! `tierbook init`: writes a starter rules file (a copy of a template).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use super::output::{Body, Outputs};

#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// Folder to write the rules file in (default: the current folder).
    pub dir: Option<PathBuf>,
    /// Which template: three-tier (A/B/C) or four-tier (VIP/核心/重点/普通).
    #[arg(long, default_value = "three-tier", value_parser = ["three-tier", "four-tier"])]
    pub template: String,
    /// Replace an existing rules file.
    #[arg(long)]
    pub force: bool,
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: InitArgs) -> Result<()> {
    let dir = args.dir.unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("{}: cannot create the folder", dir.display()))?;
    let text = crate::rules::template_text(&args.template)
        .with_context(|| format!("no template named {}", args.template))?;
    let path = dir.join(format!("{}.toml", args.template));
    let mut outs = Outputs::new(&[], args.force);
    let target = outs.add(&path)?;
    outs.write_all(&[(target.as_path(), Body::Bytes(text.as_bytes()))])?;
    if !args.quiet {
        eprintln!(
            "wrote {}: edit it, then pass it with --rules",
            path.display()
        );
    }
    Ok(())
}
