//! Integration tests: the real binary on `samples/` and on fixtures built
//! here, workbooks and JSON read back. One crate, one module per area.
//!
//! The modules live in `tests/suite/` (and `Cargo.toml` sets
//! `autotests = false`) so that Cargo builds this one crate only.

#[path = "suite/util.rs"]
mod util;

#[path = "suite/fixture.rs"]
mod fixture;

#[path = "suite/server.rs"]
mod server;
#[path = "suite/webdriver.rs"]
mod webdriver;

#[path = "suite/commands.rs"]
mod commands;
#[path = "suite/corpus.rs"]
mod corpus;
#[path = "suite/csv_ledgers.rs"]
mod csv_ledgers;
#[path = "suite/docs.rs"]
mod docs;
#[path = "suite/e2e.rs"]
mod e2e;
#[path = "suite/evaluate.rs"]
mod evaluate;
#[path = "suite/finance.rs"]
mod finance;
#[path = "suite/hardening.rs"]
mod hardening;
#[path = "suite/lang.rs"]
mod lang;
#[path = "suite/meeting.rs"]
mod meeting;
#[path = "suite/monthly.rs"]
mod monthly;
#[path = "suite/outputs.rs"]
mod outputs;
#[path = "suite/pipeline.rs"]
mod pipeline;
#[path = "suite/presentation.rs"]
mod presentation;
#[path = "suite/properties.rs"]
mod properties;
#[path = "suite/reading.rs"]
mod reading;
#[path = "suite/render.rs"]
mod render;
#[path = "suite/serve.rs"]
mod serve;
