//! `tierbook serve`: flags → [`crate::serve::Config`], then serve until
//! interrupted.

use std::net::IpAddr;
use std::time::Duration;

use anyhow::Result;
use clap::Args;

use crate::serve::{self, Config};

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, value_name = "N", default_value_t = 8470)]
    pub port: u16,
    /// Open the page in the default browser once the server listens.
    #[arg(long)]
    pub open: bool,
    /// Address to listen on. Anything but 127.0.0.1 lets other computers
    /// reach the page (with the token); a warning says so.
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Most megabytes one upload (all its files together) may take.
    #[arg(long, value_name = "MB", default_value_t = 512)]
    pub max_upload_mb: u64,
    /// Seconds a run's outputs are kept for download (tests shorten it).
    #[arg(long, value_name = "S", default_value_t = 3600, hide = true)]
    pub keep_seconds: u64,
}

pub fn run(args: ServeArgs) -> Result<()> {
    serve::run(&Config {
        host: args.host,
        port: args.port,
        open: args.open,
        max_upload: args.max_upload_mb.saturating_mul(1 << 20),
        keep: Duration::from_secs(args.keep_seconds),
        grace: Duration::from_secs(10),
    })
}
