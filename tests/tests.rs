//! Integration tests: the real binary on `samples/` and on fixtures built
//! here, workbooks and JSON read back. One crate, one module per area.

mod util;

mod evaluate;
mod hardening;
mod properties;
