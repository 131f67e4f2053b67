//! The per-customer metrics of SPEC section 4, as the grader sees them.
//!
//! Money and ratios are exact decimals; "none" is `None`. The grader looks
//! metrics up by their SPEC name through [`Metrics::get`].

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Every metric name a rules file may use, besides `attr:<header>`.
pub const METRIC_NAMES: &[&str] = &[
    "sales",
    "prior_sales",
    "growth",
    "quantity",
    "orders",
    "months_active",
    "basis_sales",
    "price_index",
    "receipts",
    "collection_rate",
    "outstanding",
    "overdue",
    "max_days_overdue",
    "on_time_ratio",
    "avg_days_to_pay",
    "dso",
    "credit_usage",
];

/// Whether `name` is a metric a rules file may refer to.
pub fn is_metric_name(name: &str) -> bool {
    METRIC_NAMES.contains(&name)
        || name
            .strip_prefix("attr:")
            .is_some_and(|a| !a.trim().is_empty())
}

/// One customer's facts and metrics (SPEC 4).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metrics {
    /// Identity key (customer_id, else the normalised name; SPEC 3.3).
    pub key: String,
    pub id: Option<String>,
    pub name: String,
    pub region: Option<String>,
    pub sales_rep: Option<String>,
    pub sales: Decimal,
    pub prior_sales: Decimal,
    pub growth: Option<Decimal>,
    pub quantity: Decimal,
    pub orders: u64,
    pub first_date: Option<NaiveDate>,
    pub months_active: Option<i64>,
    pub provisional: bool,
    pub formal_evaluation_date: Option<NaiveDate>,
    pub basis_sales: Decimal,
    pub price_index: Option<Decimal>,
    /// Whether the customer has any ledger line dated in the window.
    pub has_window_lines: bool,
    // Receivables (None when no receipts ledger was given).
    pub receipts: Option<Decimal>,
    pub collection_rate: Option<Decimal>,
    pub outstanding: Option<Decimal>,
    pub overdue: Option<Decimal>,
    pub max_days_overdue: Option<i64>,
    pub on_time_ratio: Option<Decimal>,
    pub avg_days_to_pay: Option<Decimal>,
    pub dso: Option<Decimal>,
    pub credit_usage: Option<Decimal>,
    /// Aging buckets: not yet due first, then one per `receivables.aging_days` bucket.
    pub aging: Option<Vec<Decimal>>,
    /// Customer master's numeric columns, by header text.
    pub attrs: BTreeMap<String, Decimal>,
    pub special_policy: Option<String>,
    pub credit_limit: Option<Decimal>,
    pub terms_days: Option<i64>,
}

impl Metrics {
    /// The value of a metric by its SPEC name (`attr:<header>` for master
    /// attributes); `None` when the customer does not have it.
    pub fn get(&self, metric: &str) -> Option<Decimal> {
        if let Some(attr) = metric.strip_prefix("attr:") {
            return self.attrs.get(attr).copied();
        }
        match metric {
            "sales" => Some(self.sales),
            "prior_sales" => Some(self.prior_sales),
            "growth" => self.growth,
            "quantity" => Some(self.quantity),
            "orders" => Some(Decimal::from(self.orders)),
            "months_active" => self.months_active.map(Decimal::from),
            "basis_sales" => Some(self.basis_sales),
            "price_index" => self.price_index,
            "receipts" => self.receipts,
            "collection_rate" => self.collection_rate,
            "outstanding" => self.outstanding,
            "overdue" => self.overdue,
            "max_days_overdue" => self.max_days_overdue.map(Decimal::from),
            "on_time_ratio" => self.on_time_ratio,
            "avg_days_to_pay" => self.avg_days_to_pay,
            "dso" => self.dso,
            "credit_usage" => self.credit_usage,
            _ => None,
        }
    }
}
