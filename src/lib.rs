//! tierbook: turns a company's Excel sales ledgers into the customer-grading
//! workbooks of its annual review meeting (客户分级管理).
//!
//! The pipeline runs one way: [`read`] turns input files into typed records and
//! issues, [`model`] folds records into per-customer facts, [`grade`] applies a
//! [`rules::Rules`] file to those facts, [`report`] lays the result out as
//! format-neutral sheets, and [`render`] writes them as xlsx or JSON. The
//! binary (`main.rs`) only parses flags and calls [`cmd`]; [`serve`] offers
//! the same pipeline as a local web page.

pub mod cmd;
pub mod grade;
pub mod labels;
pub mod model;
pub mod pipeline;
pub mod progress;
pub mod read;
pub mod render;
pub mod report;
pub mod rules;
pub mod sample;
pub mod serve;
pub mod text;
pub mod threads;
