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
