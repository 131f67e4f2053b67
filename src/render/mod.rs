//! Sheets → xlsx and JSON. The only module that touches rust_xlsxwriter.
//!
//! [`xlsx`] turns a format-neutral [`crate::report::model::Book`] into the
//! bytes of a print-ready workbook: number formats by column kind, grade
//! colours, editable dropdown columns, freeze panes, print titles, page
//! header/footer and the signature block.

pub mod bundle;
mod chart;
pub mod handouts_json;
pub mod json;
pub mod monthly_json;
mod page;
mod style;
pub mod xlsx;
