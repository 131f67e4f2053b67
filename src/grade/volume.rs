//! Step 1 of SPEC 7.1: the volume tier (seed 3.1 销量指标), and the cuts
//! between tiers that the distance to the next tier and the near-boundary
//! flag are measured against.

use rust_decimal::Decimal;

use crate::rules::{Rules, VolumeMethod};

/// Volume tiers of a population, with the cut of every tier.
#[derive(Debug, Clone, PartialEq)]
pub struct VolumeOutcome {
    /// Per customer, in input order: the volume tier (0 = best).
    pub tiers: Vec<usize>,
    /// Per tier: the value a customer needs to be inside it. threshold: its
    /// `min`; cumulative_share: the metric of the last customer inside the
    /// tier (or a better one). `None` for the floor and for tiers the rules
    /// give no share or min.
    pub cut_in: Vec<Option<Decimal>>,
    /// Per tier (cumulative_share only): the metric of the first customer
    /// ranked outside the tier.
    pub cut_out: Vec<Option<Decimal>>,
    /// Per customer: the cumulative metric of the customers ranked above it
    /// (cumulative_share only, else zero).
    pub before: Vec<Decimal>,
    /// The sum of the positive values (cumulative_share only).
    pub total: Decimal,
}

/// The volume tier of every customer (SPEC 7.1 step 1), in input order.
///
/// `threshold`: the best tier whose `min` the value reaches (an equal value
/// reaches it). `cumulative_share`: customers sorted by value descending, ties
/// by key ascending; with `before` the sum of the values ranked above and
/// `total` the sum of positive values, the best tier T with
/// `before < share[T] × total`; a value ≤ 0, or one beyond every listed share,
/// gets the floor.
pub fn volume_tiers(values: &[(&str, Decimal)], rules: &Rules) -> Vec<usize> {
    volume_outcome(values, rules).tiers
}

/// [`volume_tiers`] with the cuts between tiers.
pub fn volume_outcome(values: &[(&str, Decimal)], rules: &Rules) -> VolumeOutcome {
    match rules.volume.method {
        VolumeMethod::Threshold => threshold_outcome(values, rules),
        VolumeMethod::CumulativeShare => share_outcome(values, rules),
    }
}

/// threshold: the best tier whose `min` the value reaches.
fn threshold_outcome(values: &[(&str, Decimal)], rules: &Rules) -> VolumeOutcome {
    let order = &rules.tiers.order;
    let floor = rules.floor();
    let empty = Default::default();
    let min = rules.volume.min.as_ref().unwrap_or(&empty);
    let cut_in: Vec<Option<Decimal>> = order
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if i == floor {
                None
            } else {
                min.get(t).copied()
            }
        })
        .collect();
    let tiers = values
        .iter()
        .map(|(_, v)| {
            (0..floor)
                .find(|&t| cut_in[t].is_some_and(|m| *v >= m))
                .unwrap_or(floor)
        })
        .collect();
    VolumeOutcome {
        tiers,
        cut_in,
        cut_out: vec![None; order.len()],
        before: vec![Decimal::ZERO; values.len()],
        total: Decimal::ZERO,
    }
}

/// cumulative_share: the best tier T with `before < share[T] × total`.
fn share_outcome(values: &[(&str, Decimal)], rules: &Rules) -> VolumeOutcome {
    let order = &rules.tiers.order;
    let floor = rules.floor();
    let n = values.len();
    let empty = Default::default();
    let share = rules.volume.share.as_ref().unwrap_or(&empty);
    let shares: Vec<Option<Decimal>> = order.iter().map(|t| share.get(t).copied()).collect();
    let total: Decimal = values
        .iter()
        .map(|(_, v)| *v)
        .filter(|v| *v > Decimal::ZERO)
        .sum();
    let mut rank: Vec<usize> = (0..n).collect();
    rank.sort_by(|&a, &b| {
        values[b]
            .1
            .cmp(&values[a].1)
            .then_with(|| values[a].0.cmp(values[b].0))
    });
    let mut tiers = vec![floor; n];
    let mut before = vec![Decimal::ZERO; n];
    let mut acc = Decimal::ZERO;
    for &i in &rank {
        let v = values[i].1;
        before[i] = acc;
        if v > Decimal::ZERO {
            tiers[i] = (0..order.len())
                .find(|&t| shares[t].is_some_and(|s| acc < s * total))
                .unwrap_or(floor);
        }
        acc += v;
    }
    let mut cut_in = vec![None; order.len()];
    let mut cut_out = vec![None; order.len()];
    for t in 0..floor {
        if shares[t].is_none() {
            continue;
        }
        // Ranked order puts every customer inside t before every one outside.
        cut_in[t] = rank
            .iter()
            .rev()
            .find(|&&i| tiers[i] <= t)
            .map(|&i| values[i].1);
        cut_out[t] = rank.iter().find(|&&i| tiers[i] > t).map(|&i| values[i].1);
    }
    VolumeOutcome {
        tiers,
        cut_in,
        cut_out,
        before,
        total,
    }
}

/// Whether a value is within `near` (relative) of one of the volume cuts: for
/// threshold, of any `min`; for cumulative_share, a customer outside a tier
/// within `near` below the last customer inside it, or a customer inside a
/// tier within `near` above the first customer outside it.
pub fn volume_near(
    value: Decimal,
    tier: usize,
    outcome: &VolumeOutcome,
    near: Decimal,
    method: VolumeMethod,
) -> bool {
    let within = |a: Decimal, cut: Decimal| (a - cut).abs() <= near * cut.abs();
    match method {
        VolumeMethod::Threshold => outcome.cut_in.iter().flatten().any(|&c| within(value, c)),
        VolumeMethod::CumulativeShare => (0..outcome.cut_in.len()).any(|t| {
            if tier > t {
                outcome.cut_in[t]
                    .is_some_and(|c| c > Decimal::ZERO && value <= c && within(value, c))
            } else {
                outcome.cut_in[t].is_some()
                    && outcome.cut_out[t]
                        .is_some_and(|c| c > Decimal::ZERO && value >= c && within(value, c))
            }
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn share_rules() -> Rules {
        Rules::three_tier() // cumulative_share A 0.70, B 0.90
    }

    fn threshold_rules() -> Rules {
        let mut r = Rules::three_tier();
        r.volume.method = VolumeMethod::Threshold;
        r.volume.share = None;
        r.volume.min = Some(
            [
                ("A".to_string(), d("5000000")),
                ("B".to_string(), d("1000000")),
            ]
            .into(),
        );
        r
    }

    #[test]
    fn cumulative_share_boundary_customer_is_not_inside() {
        // total 100. before: a 0, b 50, c 70, d 85, e 95.
        // A needs before < 70: a, b. B needs before < 90: c (70), d (85). e (95): C.
        let vals = [
            ("a", d("50")),
            ("b", d("20")),
            ("c", d("15")),
            ("d", d("10")),
            ("e", d("5")),
        ];
        let out = volume_outcome(&vals, &share_rules());
        assert_eq!(out.tiers, vec![0, 0, 1, 1, 2]);
        assert_eq!(out.before, vec![d("0"), d("50"), d("70"), d("85"), d("95")]);
        assert_eq!(out.total, d("100"));
        // The cut of A is b's 20 (last inside), first outside c's 15.
        assert_eq!(out.cut_in, vec![Some(d("20")), Some(d("10")), None]);
        assert_eq!(out.cut_out, vec![Some(d("15")), Some(d("5")), None]);
    }

    #[test]
    fn cumulative_share_input_order_does_not_matter() {
        let vals = [
            ("e", d("5")),
            ("c", d("15")),
            ("a", d("50")),
            ("d", d("10")),
            ("b", d("20")),
        ];
        assert_eq!(volume_tiers(&vals, &share_rules()), vec![2, 1, 0, 1, 0]);
    }

    #[test]
    fn cumulative_share_ties_by_key() {
        // total 100: x 40 first (before 0), then the tie 30/30 by key: k1 before 40 → A,
        // k2 before 70 → not A (70 < 70 fails) → B (70 < 90).
        let vals = [("k2", d("30")), ("x", d("40")), ("k1", d("30"))];
        assert_eq!(volume_tiers(&vals, &share_rules()), vec![1, 0, 0]);
        // Swapping the keys swaps the tiers.
        let vals = [("k1", d("30")), ("x", d("40")), ("k2", d("30"))];
        assert_eq!(volume_tiers(&vals, &share_rules()), vec![0, 0, 1]);
    }

    #[test]
    fn cumulative_share_non_positive_gets_floor() {
        // total counts positives only: 100. z 0 and n -10 are C even though
        // their before would be < 90.
        let vals = [("a", d("100")), ("z", d("0")), ("n", d("-10"))];
        assert_eq!(volume_tiers(&vals, &share_rules()), vec![0, 2, 2]);
        // Everyone at zero: all floor.
        let vals = [("a", d("0")), ("b", d("0"))];
        assert_eq!(volume_tiers(&vals, &share_rules()), vec![2, 2]);
        assert_eq!(volume_tiers(&[], &share_rules()), Vec::<usize>::new());
    }

    #[test]
    fn cumulative_share_exact_fractions() {
        // Shares compare exactly: total 3, A cut 0.7 × 3 = 2.1.
        // a 1 (before 0), b 1 (before 1), c 1 (before 2 < 2.1 → A).
        let vals = [("a", d("1")), ("b", d("1")), ("c", d("1"))];
        assert_eq!(volume_tiers(&vals, &share_rules()), vec![0, 0, 0]);
    }

    #[test]
    fn cumulative_share_beyond_listed_shares_is_floor() {
        // Only A listed: after the top 70%, everyone falls to C (B has no share).
        let mut r = share_rules();
        r.volume.share = Some([("A".to_string(), d("0.7"))].into());
        let vals = [
            ("a", d("50")),
            ("b", d("20")),
            ("c", d("15")),
            ("d", d("15")),
        ];
        assert_eq!(volume_tiers(&vals, &r), vec![0, 0, 2, 2]);
        let out = volume_outcome(&vals, &r);
        assert_eq!(out.cut_in, vec![Some(d("20")), None, None]);
    }

    #[test]
    fn threshold_best_tier_reached() {
        let r = threshold_rules();
        let vals = [
            ("a", d("5000000")),
            ("b", d("4999999.99")),
            ("c", d("1000000")),
            ("d", d("999999")),
            ("e", d("-5")),
        ];
        assert_eq!(volume_tiers(&vals, &r), vec![0, 1, 1, 2, 2]);
        let out = volume_outcome(&vals, &r);
        assert_eq!(
            out.cut_in,
            vec![Some(d("5000000")), Some(d("1000000")), None]
        );
    }

    #[test]
    fn near_boundary_cumulative_share() {
        let r = share_rules();
        // total 100: a 50, b 20 (A, last inside), c 19.5 (first outside A, B), d 6, e 4.5.
        let vals = [
            ("a", d("50")),
            ("b", d("20")),
            ("c", d("19.5")),
            ("d", d("6")),
            ("e", d("4.5")),
        ];
        let out = volume_outcome(&vals, &r);
        assert_eq!(out.tiers, vec![0, 0, 1, 1, 2]);
        let near = |i: usize| {
            volume_near(
                vals[i].1,
                out.tiers[i],
                &out,
                r.near_boundary,
                r.volume.method,
            )
        };
        // c: 20 − 19.5 = 0.5 ≤ 5% of 20 = 1 → near. b: 20 − 19.5 = 0.5 ≤ 5% of 19.5 → near.
        assert!(near(2));
        assert!(near(1));
        // a is far from every cut.
        assert!(!near(0));
        // B cut: d 6 last inside, e 4.5 outside: 1.5 > 0.3 → neither is near.
        assert!(!near(3));
        assert!(!near(4));
    }

    #[test]
    fn near_boundary_threshold() {
        let r = threshold_rules();
        let out = volume_outcome(&[("a", d("4750000"))], &r);
        // 5,000,000 × 5% = 250,000: 4,750,000 is on the edge of near (≤), 4,749,999 is not.
        assert!(volume_near(
            d("4750000"),
            1,
            &out,
            r.near_boundary,
            r.volume.method
        ));
        assert!(!volume_near(
            d("4749999"),
            1,
            &out,
            r.near_boundary,
            r.volume.method
        ));
        assert!(volume_near(
            d("5200000"),
            0,
            &out,
            r.near_boundary,
            r.volume.method
        ));
        assert!(volume_near(
            d("1040000"),
            1,
            &out,
            r.near_boundary,
            r.volume.method
        ));
        assert!(!volume_near(
            d("3000000"),
            1,
            &out,
            r.near_boundary,
            r.volume.method
        ));
    }
}
