//! The `tierbook` binary: parse flags, run, print the error chain, exit
//! 0 (done), 1 (failed, with a message naming the file) or 2 (usage).

use clap::Parser;

fn main() {
    let cli = tierbook::cmd::Cli::parse();
    if let Err(err) = tierbook::cmd::run(cli) {
        eprintln!("error: {err:#}");
        std::process::exit(1);
    }
}
