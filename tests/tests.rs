//! Integration tests: the real binary on `samples/` and on fixtures built
//! here, workbooks and JSON read back. One crate, one module per area.
//!
//! The modules live in `tests/suite/` so that Cargo, which makes a test
//! target of every `tests/*.rs`, builds this one crate only.

#[path = "suite/util.rs"]
mod util;

#[path = "suite/fixture.rs"]
mod fixture;

#[path = "suite/commands.rs"]
mod commands;
#[path = "suite/corpus.rs"]
mod corpus;
#[path = "suite/csv_ledgers.rs"]
mod csv_ledgers;
#[path = "suite/evaluate.rs"]
mod evaluate;
#[path = "suite/lang.rs"]
mod lang;
