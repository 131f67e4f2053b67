//! `tierbook completions SHELL`: the shell completion script, generated from
//! the command definitions, printed on stdout.

use anyhow::{Context, Result};
use clap::{Args, CommandFactory};
use clap_complete::Shell;

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_name = "SHELL")]
    pub shell: Shell,
}

/// Writes the completion script of `shell` to `out`.
///
/// # Errors
/// `out` cannot be written.
pub fn write(shell: Shell, out: &mut dyn std::io::Write) -> Result<()> {
    let mut cmd = super::Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "tierbook", &mut buf);
    out.write_all(&buf).context("writing the completion script")
}

pub fn run(args: CompletionsArgs) -> Result<()> {
    write(args.shell, &mut std::io::stdout().lock())
}
