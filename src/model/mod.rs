//! Records → per-customer facts: aggregation of ledger lines into metrics.

mod duplicates;
pub mod ledger;
pub mod metrics;
pub use metrics::Metrics;

#[cfg(test)]
mod tests;
