//! Steps 2–4 of SPEC 7.1: band points, the composite score (seed 3.2
//! 综合指标) and its tier, the gates that cap a grade, and the credit rating
//! (资信等级), which is scored the same way.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::model::metrics::MetricRef;
use crate::model::Metrics;
use crate::rules::{Bound, Credit, Factor, Gate, Rules};

/// The points a factor gives a value: those of its first band the value
/// meets (`value ≥ edge` when higher is better, `value ≤ edge` otherwise; a
/// value exactly on an edge meets it), 0 when it meets none.
pub fn band_points(factor: &Factor, value: Decimal) -> Decimal {
    factor
        .bands
        .iter()
        .find(|(edge, _)| {
            if factor.higher_is_better {
                value >= *edge
            } else {
                value <= *edge
            }
        })
        .map(|(_, points)| *points)
        .unwrap_or(Decimal::ZERO)
}

/// One factor's contribution to a score.
#[derive(Debug, Clone, PartialEq)]
pub struct FactorScore {
    pub metric: MetricRef,
    pub value: Decimal,
    pub points: Decimal,
    pub weight: Decimal,
}

/// A weighted score over factors, with what went into it.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// Σ weight·points / Σ weight over the factors the customer has; `None`
    /// when it has none of them.
    pub value: Option<Decimal>,
    /// The factors that were scored, in rules order.
    pub parts: Vec<FactorScore>,
    /// The metrics the customer lacks; their weight was shared out.
    pub missing: Vec<MetricRef>,
}

/// The composite score of a customer (SPEC 7.1 step 2). A missing metric's
/// weight is shared out over the others in proportion to their weights (the
/// weighted mean is taken over the factors present only).
pub fn composite_score(factors: &[Factor], metrics: &Metrics) -> Score {
    let mut parts = Vec::new();
    let mut missing = Vec::new();
    for f in factors {
        match metrics.get(&f.metric) {
            Some(value) => parts.push(FactorScore {
                metric: f.metric.clone(),
                value,
                points: band_points(f, value),
                weight: f.weight,
            }),
            None => missing.push(f.metric.clone()),
        }
    }
    let weight: Decimal = parts.iter().map(|p| p.weight).sum();
    let value = if parts.is_empty() || weight <= Decimal::ZERO {
        None
    } else {
        let sum: Decimal = parts.iter().map(|p| p.weight * p.points).sum();
        Some(sum / weight)
    };
    Score {
        value,
        parts,
        missing,
    }
}

/// The best entry of `order` whose `min_score` the score reaches; else the
/// last (the floor). Used for the composite tier and the credit rating.
pub fn tier_by_min_score(
    score: Decimal,
    order: &[String],
    min_score: &BTreeMap<String, Decimal>,
) -> usize {
    let floor = order.len().saturating_sub(1);
    (0..floor)
        .find(|&i| min_score.get(&order[i]).is_some_and(|m| score >= *m))
        .unwrap_or(floor)
}

/// The composite tier of a score (SPEC 7.1 step 3); the floor when the rules
/// have no `[composite]`.
pub fn composite_tier(score: Decimal, rules: &Rules) -> usize {
    match &rules.composite {
        Some(c) => tier_by_min_score(score, &rules.tiers.order, &c.min_score),
        None => rules.floor(),
    }
}

/// The customer's value when the gate fires: strictly above `above`, or
/// strictly below `below`. A missing metric never fires.
pub fn gate_fires(gate: &Gate, metrics: &Metrics) -> Option<Decimal> {
    let v = metrics.get(&gate.metric)?;
    let fires = match gate.bound()? {
        Bound::Above(limit) => v > limit,
        Bound::Below(limit) => v < limit,
    };
    fires.then_some(v)
}

/// Applies every gate (SPEC 7.1 step 4): the grade becomes the cap of each
/// gate that fires, unless it is already worse. Returns the capped grade and
/// the gates that fired, with the customer's value and the cap's index.
pub fn apply_gates<'r>(
    grade: usize,
    metrics: &Metrics,
    rules: &'r Rules,
) -> (usize, Vec<(&'r Gate, Decimal, usize)>) {
    let mut out = grade;
    let mut fired = Vec::new();
    for g in &rules.gates {
        if let Some(v) = gate_fires(g, metrics) {
            let cap = rules.tier_index(&g.cap).unwrap_or(rules.floor());
            out = out.max(cap);
            fired.push((g, v, cap));
        }
    }
    (out, fired)
}

/// The credit rating and its score, when at least one credit factor is
/// available.
pub fn credit_rating(credit: &Credit, metrics: &Metrics) -> Option<(String, Decimal)> {
    credit_score(credit, metrics).map(|(rating, s)| (rating, s.value.unwrap_or_default()))
}

/// The credit rating with the score and what went into it (scored like
/// the composite: a missing factor's weight is shared out), when at least
/// one credit factor is available.
pub fn credit_score(credit: &Credit, metrics: &Metrics) -> Option<(String, Score)> {
    let score = composite_score(&credit.factors, metrics);
    let i = tier_by_min_score(score.value?, &credit.order, &credit.min_score);
    Some((credit.order.get(i)?.clone(), score))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::metrics::Metric;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn factor(metric: Metric, weight: &str, hib: bool, bands: &[(&str, &str)]) -> Factor {
        Factor {
            metric: metric.into(),
            weight: d(weight),
            higher_is_better: hib,
            bands: bands.iter().map(|(a, b)| (d(a), d(b))).collect(),
        }
    }

    fn price() -> Factor {
        factor(
            Metric::PriceIndex,
            "30",
            true,
            &[
                ("1.05", "100"),
                ("1.00", "80"),
                ("0.95", "60"),
                ("0.0", "30"),
            ],
        )
    }

    fn overdue() -> Factor {
        factor(
            Metric::MaxDaysOverdue,
            "20",
            false,
            &[("0", "100"), ("30", "70"), ("60", "40")],
        )
    }

    #[test]
    fn bands_higher_is_better_edge_meets() {
        let f = price();
        assert_eq!(band_points(&f, d("1.00")), d("80")); // exactly on the edge
        assert_eq!(band_points(&f, d("0.9999")), d("60"));
        assert_eq!(band_points(&f, d("1.05")), d("100"));
        assert_eq!(band_points(&f, d("2")), d("100"));
        assert_eq!(band_points(&f, d("0")), d("30"));
        assert_eq!(band_points(&f, d("-0.1")), d("0")); // meets no band
    }

    #[test]
    fn bands_lower_is_better_edge_meets() {
        let f = overdue();
        assert_eq!(band_points(&f, d("0")), d("100"));
        assert_eq!(band_points(&f, d("1")), d("70"));
        assert_eq!(band_points(&f, d("30")), d("70"));
        assert_eq!(band_points(&f, d("31")), d("40"));
        assert_eq!(band_points(&f, d("60")), d("40"));
        assert_eq!(band_points(&f, d("61")), d("0"));
    }

    #[test]
    fn score_is_weighted_mean() {
        let m = Metrics {
            price_index: Some(d("1.02")), // 80 × 30
            max_days_overdue: Some(45),   // 40 × 20
            ..Default::default()
        };
        let s = composite_score(&[price(), overdue()], &m);
        // (2400 + 800) / 50 = 64
        assert_eq!(s.value, Some(d("64")));
        assert!(s.missing.is_empty());
        assert_eq!(s.parts[0].points, d("80"));
        assert_eq!(s.parts[1].points, d("40"));
    }

    #[test]
    fn missing_metric_weight_is_shared_out() {
        let growth = factor(Metric::Growth, "50", true, &[("0.2", "100"), ("0", "50")]);
        let m = Metrics {
            price_index: Some(d("1.05")), // 100 × 30
            max_days_overdue: None,       // missing (no receipts)
            growth: Some(d("0.1")),       // 50 × 50
            ..Default::default()
        };
        let s = composite_score(&[price(), overdue(), growth], &m);
        // (3000 + 2500) / 80 = 68.75: the 20 of overdue is spread over 30 and 50.
        assert_eq!(s.value, Some(d("68.75")));
        assert_eq!(s.missing, vec![MetricRef::from(Metric::MaxDaysOverdue)]);
    }

    #[test]
    fn no_factor_available_gives_no_score() {
        let s = composite_score(&[price(), overdue()], &Metrics::default());
        assert_eq!(s.value, None);
        assert_eq!(s.missing.len(), 2);
    }

    #[test]
    fn composite_tier_by_min_score() {
        let r = Rules::three_tier(); // A 75, B 55
        assert_eq!(composite_tier(d("75"), &r), 0);
        assert_eq!(composite_tier(d("74.99"), &r), 1);
        assert_eq!(composite_tier(d("55"), &r), 1);
        assert_eq!(composite_tier(d("54.9"), &r), 2);
        assert_eq!(composite_tier(d("0"), &r), 2);
    }

    #[test]
    fn gates_are_strict_and_skip_missing_metrics() {
        let r = Rules::three_tier(); // max_days_overdue above 90 → cap B
        let at = |days: Option<i64>| Metrics {
            max_days_overdue: days,
            ..Default::default()
        };
        assert_eq!(apply_gates(0, &at(Some(90)), &r).0, 0);
        let (g, fired) = apply_gates(0, &at(Some(91)), &r);
        assert_eq!(g, 1);
        assert_eq!(fired.len(), 1);
        assert_eq!(fired[0].1, d("91"));
        assert_eq!(apply_gates(0, &at(None), &r).0, 0);
        // Already worse than the cap: stays.
        assert_eq!(apply_gates(2, &at(Some(200)), &r).0, 2);
        // below: fires strictly below.
        let gate = Gate {
            metric: Metric::CollectionRate.into(),
            above: None,
            below: Some(d("0.5")),
            cap: "C".into(),
        };
        let m = |c: &str| Metrics {
            collection_rate: Some(d(c)),
            ..Default::default()
        };
        assert_eq!(gate_fires(&gate, &m("0.5")), None);
        assert_eq!(gate_fires(&gate, &m("0.4999")), Some(d("0.4999")));
    }

    #[test]
    fn credit_rating_from_factors() {
        let r = Rules::three_tier();
        let credit = r.credit.as_ref().unwrap();
        // on_time 0.96 → 100 × 40, overdue 0 → 100 × 40, credit_usage missing: 100 → 优
        let m = Metrics {
            on_time_ratio: Some(d("0.96")),
            max_days_overdue: Some(0),
            ..Default::default()
        };
        assert_eq!(
            credit_rating(credit, &m),
            Some(("优".to_string(), d("100")))
        );
        // on_time 0.80 → 60 × 40, overdue 45 → 40 × 40, usage 0.9 → 50 × 20:
        // (2400 + 1600 + 1000) / 100 = 50 → 中
        let m = Metrics {
            on_time_ratio: Some(d("0.80")),
            max_days_overdue: Some(45),
            credit_usage: Some(d("0.9")),
            ..Default::default()
        };
        assert_eq!(credit_rating(credit, &m), Some(("中".to_string(), d("50"))));
        assert_eq!(credit_rating(credit, &Metrics::default()), None);
    }
}
