//! How long work reports how far it got, without knowing who listens: the
//! command line draws a bar on a terminal, the web page streams it, tests
//! and quiet runs ignore it.

use crate::read::InputKind;

/// What is being done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Reading the sheets of one input kind (units: sheets).
    Reading(InputKind),
}

/// A listener for progress. Calls come from several threads.
pub trait Progress: Send + Sync {
    /// A phase starts with `total` units to do.
    fn begin(&self, phase: Phase, total: u64);
    /// `done` more units are done.
    fn advance(&self, done: u64);
    /// `n` more rows were read (within the phase's units: a one-sheet
    /// file still shows its progress). Called every few thousand rows.
    fn rows(&self, _n: u64) {}
    /// The phase is over.
    fn end(&self);
}

/// Progress nobody listens to.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Progress for Silent {
    fn begin(&self, _phase: Phase, _total: u64) {}
    fn advance(&self, _done: u64) {}
    fn end(&self) {}
}

/// Progress of work that runs while another phase is shown: held back until
/// [`Deferred::show`], then passed on (what was done so far first), so two
/// phases never draw over each other.
pub struct Deferred {
    inner: std::sync::Arc<dyn Progress>,
    state: std::sync::Mutex<Held>,
}

#[derive(Default)]
struct Held {
    shown: bool,
    begun: Option<(Phase, u64)>,
    done: u64,
    rows: u64,
    ended: bool,
}

impl Deferred {
    pub fn new(inner: std::sync::Arc<dyn Progress>) -> Self {
        Deferred {
            inner,
            state: std::sync::Mutex::new(Held::default()),
        }
    }

    /// From now on progress is passed on, starting with what was held.
    pub fn show(&self) {
        let mut h = self.held();
        if h.shown {
            return;
        }
        h.shown = true;
        if let Some((phase, total)) = h.begun {
            self.inner.begin(phase, total);
            if h.done > 0 {
                self.inner.advance(h.done);
            }
            if h.rows > 0 {
                self.inner.rows(h.rows);
            }
            if h.ended {
                self.inner.end();
            }
        }
    }

    fn held(&self) -> std::sync::MutexGuard<'_, Held> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Progress for Deferred {
    fn begin(&self, phase: Phase, total: u64) {
        let mut h = self.held();
        *h = Held {
            shown: h.shown,
            begun: Some((phase, total)),
            ..Held::default()
        };
        if h.shown {
            self.inner.begin(phase, total);
        }
    }

    fn advance(&self, done: u64) {
        let mut h = self.held();
        h.done += done;
        if h.shown {
            self.inner.advance(done);
        }
    }

    fn rows(&self, n: u64) {
        let mut h = self.held();
        h.rows += n;
        if h.shown {
            self.inner.rows(n);
        }
    }

    fn end(&self) {
        let mut h = self.held();
        h.ended = true;
        if h.shown {
            self.inner.end();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Records every call, in order.
    #[derive(Default)]
    struct Log(Mutex<Vec<String>>);

    impl Progress for Log {
        fn begin(&self, phase: Phase, total: u64) {
            let Phase::Reading(kind) = phase;
            self.push(format!("begin {} {total}", kind.as_str()));
        }
        fn advance(&self, done: u64) {
            self.push(format!("advance {done}"));
        }
        fn rows(&self, n: u64) {
            self.push(format!("rows {n}"));
        }
        fn end(&self) {
            self.push("end".to_string());
        }
    }

    impl Log {
        fn push(&self, s: String) {
            self.0.lock().expect("log").push(s);
        }
        fn calls(&self) -> Vec<String> {
            self.0.lock().expect("log").clone()
        }
    }

    #[test]
    fn deferred_progress_holds_back_then_replays_then_passes_on() {
        let log = Arc::new(Log::default());
        let d = Deferred::new(log.clone());
        d.begin(Phase::Reading(InputKind::Receipts), 3);
        d.advance(1);
        d.rows(5000);
        d.advance(1);
        assert!(log.calls().is_empty(), "nothing shown before show()");
        d.show();
        d.advance(1);
        d.end();
        d.show();
        assert_eq!(
            log.calls(),
            [
                "begin receipts 3",
                "advance 2",
                "rows 5000",
                "advance 1",
                "end"
            ]
        );
    }

    #[test]
    fn deferred_progress_of_finished_work_shows_it_whole() {
        let log = Arc::new(Log::default());
        let d = Deferred::new(log.clone());
        d.begin(Phase::Reading(InputKind::Receipts), 1);
        d.advance(1);
        d.end();
        d.show();
        assert_eq!(log.calls(), ["begin receipts 1", "advance 1", "end"]);
        // Nothing begun: nothing to show.
        let log = Arc::new(Log::default());
        Deferred::new(log.clone()).show();
        assert!(log.calls().is_empty());
    }
}
