//! `tierbook man`: the man page (roff), generated from the command
//! definitions, printed on stdout: tierbook(1) with a section per
//! subcommand giving its synopsis, what it does and its options.

use anyhow::{Context, Result};
use clap::{Args, CommandFactory};

#[derive(Debug, Clone, Args)]
pub struct ManArgs {}

/// The man page of `tierbook` and its subcommands, as roff.
///
/// # Errors
/// Only when roff cannot be written to memory.
pub fn page() -> Result<String> {
    let cmd = super::Cli::command();
    let mut out = Vec::new();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    let mut page = String::from_utf8(out).context("the man page is not UTF-8")?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("tierbook {}", sub.get_name());
        let sub = sub
            .clone()
            .display_name(name.clone())
            .bin_name(name.clone());
        let man = clap_mangen::Man::new(sub.clone());
        let mut part = Vec::new();
        man.render_synopsis_section(&mut part)?;
        man.render_options_section(&mut part)?;
        let part = String::from_utf8(part).context("the man page is not UTF-8")?;
        // One section per subcommand: its synopsis, what it does, its options.
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        let head = format!(
            ".SH \"{}\"\n{}\n.PP\n",
            name.to_uppercase(),
            roff_text(&about)
        );
        let part = part
            .replace(".SH SYNOPSIS\n", &head)
            .replace(".SH OPTIONS\n", ".SS Options\n");
        page.push_str(&part);
    }
    page.push_str(EXIT_STATUS);
    let mut tail = Vec::new();
    man.render_version_section(&mut tail)?;
    page.push_str(&String::from_utf8(tail).context("the man page is not UTF-8")?);
    Ok(page)
}

/// The exit codes of SPEC 2.
const EXIT_STATUS: &str = ".SH \"EXIT STATUS\"
.TP
0
Done. Rows may have been rejected: stderr says how many and the Data Issues sheet lists them.
.TP
1
Failed, with a message naming the file (and sheet, row and column where they apply).
.TP
2
Usage error (an unknown flag, a value that is not valid).
";

/// Text for a roff line: backslashes and hyphens escaped, no leading dot.
fn roff_text(s: &str) -> String {
    let s = s.replace('\\', "\\e").replace('-', "\\-");
    match s.strip_prefix(['.', '\'']) {
        Some(_) => format!("\\&{s}"),
        None => s,
    }
}

pub fn run(_args: ManArgs) -> Result<()> {
    let page = page()?;
    std::io::Write::write_all(&mut std::io::stdout().lock(), page.as_bytes())
        .context("writing the man page")
}
