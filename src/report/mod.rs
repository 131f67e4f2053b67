//! Grades → format-neutral sheets.

pub mod model;
