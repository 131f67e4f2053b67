//! Grades → format-neutral sheets: which rows, columns, totals and roles.
//! Tests assert on these without unzipping anything; `render` writes them.

pub mod blocks;
pub mod evaluation;
pub mod finance;
pub mod labels;
pub mod model;
pub mod reasons;
pub mod reconcile;
