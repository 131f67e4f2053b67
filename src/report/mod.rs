//! Grades → format-neutral sheets: which rows, columns, totals and roles.
//! Tests assert on these without unzipping anything; `render` writes them.

pub mod blocks;
pub mod evaluation;
pub mod finalize;
pub mod finance;
pub mod handouts;
pub mod labels;
pub mod merge;
pub mod model;
pub mod monthly;
pub mod reasons;
pub mod reconcile;
pub mod returnable;
pub mod stored;
