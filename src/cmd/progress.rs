//! The progress bar of the command line: drawn on stderr when it is a
//! terminal, nothing otherwise.

use std::io::IsTerminal;
use std::sync::Mutex;

use crate::progress::{Phase, Progress};

/// A bar on stderr while sheets are read (only when stderr is a terminal
/// and there are at least two sheets).
#[derive(Default)]
pub struct TerminalBar {
    bar: Mutex<Option<indicatif::ProgressBar>>,
}

impl Progress for TerminalBar {
    fn begin(&self, phase: Phase, total: u64) {
        if !std::io::stderr().is_terminal() || total < 2 {
            return;
        }
        let bar = indicatif::ProgressBar::new(total);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} sheets")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        let Phase::Reading(kind) = phase;
        bar.set_message(format!("reading {}", kind.as_str()));
        if let Ok(mut b) = self.bar.lock() {
            *b = Some(bar);
        }
    }

    fn advance(&self, done: u64) {
        if let Ok(b) = self.bar.lock() {
            if let Some(bar) = b.as_ref() {
                bar.inc(done);
            }
        }
    }

    fn end(&self) {
        if let Ok(mut b) = self.bar.lock() {
            if let Some(bar) = b.take() {
                bar.finish_and_clear();
            }
        }
    }
}
