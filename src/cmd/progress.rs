//! The progress bar of the command line: drawn on stderr when it is a
//! terminal, nothing otherwise (and nothing with `--quiet`, which installs
//! no bar). It shows the sheets read of all and the rows read so far, so a
//! one-sheet file of a million rows moves too; it appears only once a read
//! has taken longer than [`DELAY`], so short runs print nothing.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::labels::cli::cli;
use crate::labels::{fill, Lang};
use crate::progress::{Phase, Progress};
use crate::text::group_thousands;

/// How long a phase runs before its bar is drawn.
const DELAY: Duration = Duration::from_millis(400);

/// A bar on stderr while input files are read, in the `--lang` language.
pub struct TerminalBar {
    lang: Lang,
    state: Mutex<Option<Bar>>,
}

/// The bar of the phase under way.
struct Bar {
    bar: ProgressBar,
    started: Instant,
    shown: bool,
    /// What is read ("正在读取销售台账") and the rows read so far.
    what: String,
    rows: u64,
}

impl TerminalBar {
    pub fn new(lang: Lang) -> TerminalBar {
        TerminalBar {
            lang,
            state: Mutex::new(None),
        }
    }

    /// Runs `f` on the bar of the phase under way, then draws it once the
    /// phase has run for [`DELAY`].
    fn with_bar(&self, f: impl FnOnce(&mut Bar)) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        let Some(b) = state.as_mut() else { return };
        f(b);
        if !b.shown && b.started.elapsed() >= DELAY {
            b.shown = true;
            b.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

impl Progress for TerminalBar {
    fn begin(&self, phase: Phase, total: u64) {
        if !std::io::stderr().is_terminal() {
            return;
        }
        let c = cli(self.lang);
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        let template = format!("{{msg}} [{{bar:30}}] {}", c.progress_sheets);
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style.progress_chars("=> "));
        }
        let Phase::Reading(kind) = phase;
        let what = fill(c.progress_reading, &[("kind", c.kind(kind))]);
        bar.set_message(what.clone());
        if let Ok(mut state) = self.state.lock() {
            *state = Some(Bar {
                bar,
                started: Instant::now(),
                shown: false,
                what,
                rows: 0,
            });
        }
    }

    fn advance(&self, done: u64) {
        self.with_bar(|b| b.bar.inc(done));
    }

    fn rows(&self, n: u64) {
        let c = cli(self.lang);
        self.with_bar(|b| {
            b.rows += n;
            let rows = group_thousands(&b.rows.to_string());
            let rows = fill(c.progress_rows, &[("rows", &rows)]);
            b.bar.set_message(format!("{} · {rows}", b.what));
        });
    }

    fn end(&self) {
        if let Ok(mut state) = self.state.lock() {
            if let Some(b) = state.take() {
                b.bar.finish_and_clear();
            }
        }
    }
}
