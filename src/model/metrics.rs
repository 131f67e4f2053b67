//! The per-customer metrics of SPEC section 4, as the grader sees them.
//!
//! Money and ratios are exact decimals; "none" is `None`. A rules file names
//! a metric by its SPEC name ([`Metric`]) or a customer master column
//! (`attr:<header>`); [`MetricRef`] is either, and [`Metrics::get`] looks
//! its value up.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

/// A metric of SPEC section 4 that a rules file may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    Sales,
    PriorSales,
    Growth,
    Quantity,
    Orders,
    MonthsActive,
    BasisSales,
    PriceIndex,
    Receipts,
    CollectionRate,
    Outstanding,
    Overdue,
    MaxDaysOverdue,
    OnTimeRatio,
    AvgDaysToPay,
    Dso,
    CreditUsage,
}

/// How a metric's values are shown in reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `¥6,200,000`
    Money,
    /// `95.5%`
    Percent,
    /// `1.050` (three decimals)
    Index,
    /// whole days, `120 天` / `120`
    Days,
    /// at most two decimals
    Number,
}

impl Metric {
    /// Every metric, in the order of SPEC section 4.
    pub const ALL: [Metric; 17] = [
        Metric::Sales,
        Metric::PriorSales,
        Metric::Growth,
        Metric::Quantity,
        Metric::Orders,
        Metric::MonthsActive,
        Metric::BasisSales,
        Metric::PriceIndex,
        Metric::Receipts,
        Metric::CollectionRate,
        Metric::Outstanding,
        Metric::Overdue,
        Metric::MaxDaysOverdue,
        Metric::OnTimeRatio,
        Metric::AvgDaysToPay,
        Metric::Dso,
        Metric::CreditUsage,
    ];

    /// The SPEC name, as a rules file and the JSON write it (`max_days_overdue`).
    pub fn name(self) -> &'static str {
        match self {
            Metric::Sales => "sales",
            Metric::PriorSales => "prior_sales",
            Metric::Growth => "growth",
            Metric::Quantity => "quantity",
            Metric::Orders => "orders",
            Metric::MonthsActive => "months_active",
            Metric::BasisSales => "basis_sales",
            Metric::PriceIndex => "price_index",
            Metric::Receipts => "receipts",
            Metric::CollectionRate => "collection_rate",
            Metric::Outstanding => "outstanding",
            Metric::Overdue => "overdue",
            Metric::MaxDaysOverdue => "max_days_overdue",
            Metric::OnTimeRatio => "on_time_ratio",
            Metric::AvgDaysToPay => "avg_days_to_pay",
            Metric::Dso => "dso",
            Metric::CreditUsage => "credit_usage",
        }
    }

    /// The metric with this SPEC name.
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// How the metric's values are shown.
    pub fn format(self) -> Format {
        match self {
            Metric::Sales
            | Metric::PriorSales
            | Metric::BasisSales
            | Metric::Receipts
            | Metric::Outstanding
            | Metric::Overdue => Format::Money,
            Metric::Growth | Metric::CollectionRate | Metric::OnTimeRatio | Metric::CreditUsage => {
                Format::Percent
            }
            Metric::PriceIndex => Format::Index,
            Metric::MaxDaysOverdue | Metric::AvgDaysToPay | Metric::Dso => Format::Days,
            Metric::Quantity | Metric::Orders | Metric::MonthsActive => Format::Number,
        }
    }
}

/// What a rules file may name as a metric: a built-in [`Metric`] or a
/// numeric column of the customer master (`attr:<header>`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MetricRef {
    Metric(Metric),
    /// The header text as written after `attr:` (not trimmed).
    Attr(String),
}

impl MetricRef {
    /// Reads a metric as a rules file writes it: a SPEC name, or `attr:`
    /// followed by a header that is not blank.
    pub fn parse(text: &str) -> Option<MetricRef> {
        if let Some(attr) = text.strip_prefix("attr:") {
            return (!attr.trim().is_empty()).then(|| MetricRef::Attr(attr.to_string()));
        }
        Metric::from_name(text).map(MetricRef::Metric)
    }

    /// The built-in metric, when it is one.
    pub fn metric(&self) -> Option<Metric> {
        match self {
            MetricRef::Metric(m) => Some(*m),
            MetricRef::Attr(_) => None,
        }
    }

    /// How the values are shown: a master column is a plain number.
    pub fn format(&self) -> Format {
        self.metric().map_or(Format::Number, Metric::format)
    }
}

impl From<Metric> for MetricRef {
    fn from(m: Metric) -> MetricRef {
        MetricRef::Metric(m)
    }
}

/// The text a rules file writes: `sales`, `attr:员工人数`.
impl fmt::Display for MetricRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetricRef::Metric(m) => f.write_str(m.name()),
            MetricRef::Attr(a) => write!(f, "attr:{a}"),
        }
    }
}

impl Serialize for MetricRef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
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
    /// The value of a metric; `None` when the customer does not have it (a
    /// receivable metric without a receipts ledger, a master column the
    /// customer has no number in).
    pub fn get(&self, metric: &MetricRef) -> Option<Decimal> {
        match metric {
            MetricRef::Metric(m) => self.metric(*m),
            MetricRef::Attr(attr) => self.attrs.get(attr).copied(),
        }
    }

    /// The value of a built-in metric.
    pub fn metric(&self, metric: Metric) -> Option<Decimal> {
        match metric {
            Metric::Sales => Some(self.sales),
            Metric::PriorSales => Some(self.prior_sales),
            Metric::Growth => self.growth,
            Metric::Quantity => Some(self.quantity),
            Metric::Orders => Some(Decimal::from(self.orders)),
            Metric::MonthsActive => self.months_active.map(Decimal::from),
            Metric::BasisSales => Some(self.basis_sales),
            Metric::PriceIndex => self.price_index,
            Metric::Receipts => self.receipts,
            Metric::CollectionRate => self.collection_rate,
            Metric::Outstanding => self.outstanding,
            Metric::Overdue => self.overdue,
            Metric::MaxDaysOverdue => self.max_days_overdue.map(Decimal::from),
            Metric::OnTimeRatio => self.on_time_ratio,
            Metric::AvgDaysToPay => self.avg_days_to_pay,
            Metric::Dso => self.dso,
            Metric::CreditUsage => self.credit_usage,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for m in Metric::ALL {
            assert_eq!(Metric::from_name(m.name()), Some(m));
            assert_eq!(MetricRef::parse(m.name()), Some(MetricRef::Metric(m)));
            assert_eq!(MetricRef::from(m).to_string(), m.name());
        }
        assert_eq!(Metric::from_name("revenue"), None);
        assert_eq!(Metric::from_name("Sales"), None);
    }

    #[test]
    fn master_columns_keep_their_text() {
        let a = MetricRef::parse("attr:员工人数").expect("attr");
        assert_eq!(a, MetricRef::Attr("员工人数".into()));
        assert_eq!(a.to_string(), "attr:员工人数");
        assert_eq!(a.format(), Format::Number);
        let spaced = MetricRef::parse("attr: 员工人数").expect("attr");
        assert_eq!(spaced.to_string(), "attr: 员工人数");
        assert_eq!(MetricRef::parse("attr:"), None);
        assert_eq!(MetricRef::parse("attr:  "), None);
        assert_eq!(MetricRef::parse("attrs:x"), None);
    }

    #[test]
    fn values_by_reference() {
        let mut m = Metrics {
            sales: Decimal::new(1500, 0),
            max_days_overdue: Some(45),
            ..Default::default()
        };
        m.attrs.insert("员工人数".into(), Decimal::new(350, 0));
        assert_eq!(m.get(&Metric::Sales.into()), Some(Decimal::new(1500, 0)));
        assert_eq!(
            m.get(&Metric::MaxDaysOverdue.into()),
            Some(Decimal::new(45, 0))
        );
        assert_eq!(m.get(&Metric::CollectionRate.into()), None);
        assert_eq!(
            m.get(&MetricRef::Attr("员工人数".into())),
            Some(Decimal::new(350, 0))
        );
        assert_eq!(m.get(&MetricRef::Attr("年营业额".into())), None);
    }

    #[test]
    fn formats() {
        assert_eq!(Metric::BasisSales.format(), Format::Money);
        assert_eq!(Metric::CreditUsage.format(), Format::Percent);
        assert_eq!(Metric::PriceIndex.format(), Format::Index);
        assert_eq!(Metric::Dso.format(), Format::Days);
        assert_eq!(Metric::Orders.format(), Format::Number);
    }
}
