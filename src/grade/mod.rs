//! Facts + rules → grades with reasons (pure, no I/O).
//!
//! [`grade_all`] applies a [`Rules`] file to the per-customer [`Metrics`] of
//! the model, following SPEC 7.1 step by step: volume tier ([`volume`]),
//! composite score and tier, gates and credit rating ([`composite`]), change
//! against the previous grade ([`change`]), the distance to the next tier
//! with the near-boundary flag ([`distance`]), and the policy verdicts
//! ([`policy`]). Every step is a pure function with its own tests. The
//! grader writes no sentence: each step leaves a structured [`Reason`] that
//! `report` turns into text in the output language. Tiers are indexes into
//! `rules.tiers.order` (0 = best); "worse" is a larger index.

pub mod composite;
pub mod distance;
pub mod policy;
pub mod reasons;
pub mod volume;

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::model::metrics::{Metric, MetricRef};
use crate::model::Metrics;
use crate::rules::{Gate, Rules, VolumeMethod};

pub use composite::{
    apply_gates, band_points, composite_score, composite_tier, credit_rating, credit_score,
    gate_fires, tier_by_min_score, FactorScore, Score,
};
pub use distance::{near_boundary, to_next_tier, Standing};
pub use policy::{order_upgrade_eligible, special_policy_verdict, OrderFacts, PolicyVerdict};
pub use reasons::{Annualized, Need, NextTier, Reason, VolumeRule};
pub use volume::{volume_near, volume_outcome, volume_tiers, VolumeOutcome};

/// How a grade compares with the previous one (SPEC 7.1 step 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    Up,
    Down,
    Same,
    /// No previous grade.
    New,
    /// A previous grade and no ledger line in the window.
    Lost,
}

impl Change {
    /// `↑ ↓ = 新 失` (the same symbols in every language).
    pub fn symbol(self) -> &'static str {
        match self {
            Change::Up => "↑",
            Change::Down => "↓",
            Change::Same => "=",
            Change::New => "新",
            Change::Lost => "失",
        }
    }

    /// The JSON value: `up`, `down`, `same`, `new`, `lost`.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Up => "up",
            Change::Down => "down",
            Change::Same => "same",
            Change::New => "new",
            Change::Lost => "lost",
        }
    }
}

/// The change from a previous grade text to the current grade.
///
/// No previous grade (or a blank one): `New`. A previous grade and no ledger
/// line in the window: `Lost`. A previous grade that names no tier of these
/// rules (by name or label): `New`. Otherwise `Up`, `Down` or `Same`.
pub fn change(
    previous: Option<&str>,
    grade: usize,
    has_window_lines: bool,
    rules: &Rules,
) -> Change {
    let Some(prev) = previous.map(str::trim).filter(|p| !p.is_empty()) else {
        return Change::New;
    };
    if !has_window_lines {
        return Change::Lost;
    }
    match rules.tier_index(prev) {
        None => Change::New,
        Some(p) if p > grade => Change::Up,
        Some(p) if p < grade => Change::Down,
        Some(_) => Change::Same,
    }
}

/// One customer's grading, with the reasons for it.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerGrade {
    /// Index into `rules.tiers.order` (0 = best).
    pub volume_tier: usize,
    pub composite_score: Option<Decimal>,
    pub composite_tier: Option<usize>,
    /// The computed grade: the worse of volume and composite tier, capped by gates.
    pub grade: usize,
    pub credit_rating: Option<String>,
    /// As given, normalised to the tier name when it names a tier or label.
    pub previous_grade: Option<String>,
    pub change: Change,
    /// One per step, in the order the steps run.
    pub reasons: Vec<Reason>,
    pub near_boundary: bool,
    /// What would lift the customer one tier; `None` for the best tier.
    pub to_next_tier: Option<NextTier>,
    /// Keep / review, for a customer the master names a special policy for.
    pub special_policy: Option<PolicyVerdict>,
}

/// Grades every customer (SPEC 7.1). `previous` maps a customer key to the
/// previous grade text as written (`A`, `A类客户`). The result is in the
/// order of `metrics`.
pub fn grade_all(
    metrics: &[Metrics],
    previous: &HashMap<String, String>,
    rules: &Rules,
) -> Vec<CustomerGrade> {
    let values: Vec<Option<Decimal>> = metrics
        .iter()
        .map(|m| m.get(&rules.volume.metric))
        .collect();
    let keyed: Vec<(&str, Decimal)> = metrics
        .iter()
        .zip(&values)
        .map(|(m, v)| (m.key.as_str(), v.unwrap_or(Decimal::ZERO)))
        .collect();
    let volume = volume_outcome(&keyed, rules);
    metrics
        .iter()
        .enumerate()
        .map(|(i, m)| {
            grade_one(
                m,
                values[i],
                &volume,
                volume.tiers[i],
                previous.get(&m.key).map(String::as_str),
                rules,
            )
        })
        .collect()
}

fn grade_one(
    m: &Metrics,
    value: Option<Decimal>,
    volume: &VolumeOutcome,
    volume_tier: usize,
    previous: Option<&str>,
    rules: &Rules,
) -> CustomerGrade {
    let mut reasons = Vec::new();
    if m.provisional {
        reasons.push(provisional_reason(m, rules));
    }
    // Step 1: volume tier.
    reasons.push(volume_reason(value, volume_tier, rules));
    // Steps 2–3: composite score and tier.
    let composite = composite_step(m, rules, &mut reasons);
    let (composite_score, composite_tier) = (composite.map(|c| c.0), composite.map(|c| c.1));
    // Step 4: the worse of the two, then gates.
    let (grade, gates) = grade_step(volume_tier, composite_tier, m, rules, &mut reasons);
    let credit = credit_step(m, rules, &mut reasons);
    // Step 6: change.
    let (previous_grade, change) = change_step(previous, grade, m, rules, &mut reasons);
    // Step 7: distance and near boundary.
    let standing = Standing {
        volume_value: value.unwrap_or(Decimal::ZERO),
        volume_tier,
        composite_score,
        composite_tier,
        gates,
        grade,
    };
    CustomerGrade {
        volume_tier,
        composite_score,
        composite_tier,
        grade,
        credit_rating: credit,
        previous_grade,
        change,
        reasons,
        near_boundary: near_boundary(&standing, volume, rules),
        to_next_tier: to_next_tier(&standing, volume, rules),
        special_policy: m
            .special_policy
            .is_some()
            .then(|| special_policy_verdict(m, &rules.special_policy)),
    }
}

/// The credit rating with its reason (unrated, when no credit factor is
/// available, says nothing: the rating column is empty), and the flag of an
/// outstanding above the credit limit.
fn credit_step(m: &Metrics, rules: &Rules, reasons: &mut Vec<Reason>) -> Option<String> {
    let credit = rules.credit.as_ref().and_then(|c| credit_score(c, m));
    if let Some((rating, s)) = &credit {
        reasons.push(Reason::Credit {
            rating: rating.clone(),
            score: s.value.unwrap_or_default(),
            parts: s.parts.clone(),
            missing: s.missing.clone(),
        });
    }
    if let Some(usage) = m.credit_usage.filter(|u| *u > Decimal::ONE) {
        reasons.push(Reason::OverCreditLimit { usage });
    }
    credit.map(|(rating, _)| rating)
}

/// A new client's provisional grade, annualised when the volume metric is
/// the basis sales and annualising changed it.
fn provisional_reason(m: &Metrics, rules: &Rules) -> Reason {
    let on_basis = rules.volume.metric == MetricRef::Metric(Metric::BasisSales);
    let annualized = rules.new_clients.annualize && on_basis && m.basis_sales != m.sales;
    Reason::Provisional {
        months: m.months_active.unwrap_or(0),
        annualized: annualized.then_some(Annualized {
            sales: m.sales,
            basis: m.basis_sales,
        }),
    }
}

/// Steps 2–3 with their reasons: the composite score and tier, `None` when
/// the rules have no `[composite]` or the customer none of its factors.
fn composite_step(
    m: &Metrics,
    rules: &Rules,
    reasons: &mut Vec<Reason>,
) -> Option<(Decimal, usize)> {
    let c = rules.composite.as_ref()?;
    let Score {
        value,
        parts,
        missing,
    } = composite_score(&c.factors, m);
    let Some(score) = value else {
        reasons.push(Reason::NoComposite);
        return None;
    };
    if !missing.is_empty() {
        reasons.push(Reason::FactorsMissing { metrics: missing });
    }
    reasons.push(Reason::ScoreDetail { score, parts });
    let tier = composite_tier(score, rules);
    reasons.push(composite_reason(score, tier, rules));
    Some((score, tier))
}

/// Step 4 with its reasons: the worse of volume and composite tier, capped
/// by every gate that fires. Returns the grade and the gates that fired.
fn grade_step<'r>(
    volume_tier: usize,
    composite_tier: Option<usize>,
    m: &Metrics,
    rules: &'r Rules,
    reasons: &mut Vec<Reason>,
) -> (usize, Vec<(&'r Gate, Decimal, usize)>) {
    let mut grade = volume_tier;
    if let Some(ct) = composite_tier {
        grade = grade.max(ct);
        if ct != volume_tier {
            reasons.push(Reason::WorseOf {
                volume: volume_tier,
                composite: ct,
                grade,
            });
        }
    }
    let (grade, fired) = apply_gates(grade, m, rules);
    for (gate, value, cap) in &fired {
        if let Some(bound) = gate.bound() {
            reasons.push(Reason::Gate {
                metric: gate.metric.clone(),
                value: *value,
                bound,
                cap: *cap,
            });
        }
    }
    (grade, fired)
}

/// Step 6 with its reasons: the previous grade (normalised to a tier name
/// when it names one) and the change.
fn change_step(
    previous: Option<&str>,
    grade: usize,
    m: &Metrics,
    rules: &Rules,
    reasons: &mut Vec<Reason>,
) -> (Option<String>, Change) {
    let text = previous.map(str::trim).filter(|t| !t.is_empty());
    let previous_grade = text.map(|t| match rules.tier_index(t) {
        Some(i) => rules.tier_name(i).to_string(),
        None => t.to_string(),
    });
    let change = change(text, grade, m.has_window_lines, rules);
    if let Some(previous) = &previous_grade {
        if change == Change::Lost {
            reasons.push(Reason::Lost {
                previous: previous.clone(),
            });
        } else if rules.tier_index(previous).is_none() {
            reasons.push(Reason::PreviousUnknown {
                previous: previous.clone(),
            });
        }
    }
    (previous_grade, change)
}

/// The step-1 reason.
fn volume_reason(value: Option<Decimal>, tier: usize, rules: &Rules) -> Reason {
    Reason::Volume {
        metric: rules.volume.metric.clone(),
        tier,
        rule: match value {
            Some(value) => volume_rule(value, rules.tier_name(tier), rules),
            None => VolumeRule::Missing,
        },
    }
}

/// The volume rule that put `value` in the tier named `tier`.
fn volume_rule(value: Decimal, tier: &str, rules: &Rules) -> VolumeRule {
    let order = &rules.tiers.order;
    let empty = Default::default();
    let not_positive = VolumeRule::NotPositive { value };
    match rules.volume.method {
        VolumeMethod::CumulativeShare => {
            let share = rules.volume.share.as_ref().unwrap_or(&empty);
            if value <= Decimal::ZERO {
                return not_positive;
            }
            if let Some(&share) = share.get(tier) {
                return VolumeRule::Within { value, share };
            }
            // Beyond every listed share: name the widest.
            match order.iter().filter_map(|o| share.get(o)).max() {
                Some(&share) => VolumeRule::Outside { value, share },
                None => not_positive,
            }
        }
        VolumeMethod::Threshold => {
            let min = rules.volume.min.as_ref().unwrap_or(&empty);
            if let Some(&min) = min.get(tier).filter(|m| value >= **m) {
                return VolumeRule::MinMet { value, min };
            }
            // The floor: below the lowest listed minimum.
            match order.iter().filter_map(|o| min.get(o)).min() {
                Some(&min) => VolumeRule::MinShort { value, min },
                None => not_positive,
            }
        }
    }
}

/// The step-3 reason: the score against the minimum of the nearest better
/// tier (`综合得分 68 < 75 → B`), or `≥ min` of the best tier reached.
fn composite_reason(score: Decimal, tier: usize, rules: &Rules) -> Reason {
    let order = &rules.tiers.order;
    let empty = Default::default();
    let mins = rules
        .composite
        .as_ref()
        .map(|c| &c.min_score)
        .unwrap_or(&empty);
    if let Some(&better) = (0..tier).rev().find_map(|i| mins.get(&order[i])) {
        return Reason::CompositeShort {
            score,
            min: Some(better),
            tier,
        };
    }
    match mins.get(rules.tier_name(tier)) {
        Some(&min) => Reason::CompositeMet { score, min, tier },
        None => Reason::CompositeShort {
            score,
            min: None,
            tier,
        },
    }
}

#[cfg(test)]
pub(crate) mod tests;
