//! Facts + rules → grades with reasons (pure, no I/O).
//!
//! [`grade_all`] applies a [`Rules`] file to the per-customer [`Metrics`] of
//! the model, following SPEC 7.1 step by step: volume tier ([`volume`]),
//! composite score and tier, gates and credit rating ([`composite`]), change
//! against the previous grade ([`change`]), and the distance to the next tier
//! with the near-boundary flag ([`distance`]). Every step is a pure function
//! with its own tests; every sentence comes from the tables in [`reasons`].
//! Tiers are indexes into `rules.tiers.order` (0 = best); "worse" is a
//! larger index.

pub mod composite;
pub mod distance;
pub mod reasons;
pub mod volume;

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::labels::Lang;
use crate::model::Metrics;
use crate::rules::{Rules, VolumeMethod};

pub use composite::{
    apply_gates, band_points, composite_score, composite_tier, credit_rating, gate_fires,
    tier_by_min_score, FactorScore, Score,
};
pub use distance::{near_boundary, to_next_tier, Standing};
pub use reasons::{fmt_value, metric_name};
pub use volume::{volume_near, volume_outcome, volume_tiers, VolumeOutcome};

use reasons::{fill, fmt_score, phrases};

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

    /// The word shown in the workbook (升级 / 升級 / up …).
    pub fn label(self, lang: Lang) -> &'static str {
        let i = match self {
            Change::Up => 0,
            Change::Down => 1,
            Change::Same => 2,
            Change::New => 3,
            Change::Lost => 4,
        };
        phrases(lang).change[i]
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
    /// One short sentence per step, in the output language.
    pub reasons: Vec<String>,
    pub near_boundary: bool,
    /// What would lift the customer one tier; `None` for the best tier.
    pub to_next_tier: Option<String>,
}

/// Grades every customer (SPEC 7.1). `previous` maps a customer key to the
/// previous grade text as written (`A`, `A类客户`). The result is in the
/// order of `metrics`.
pub fn grade_all(
    metrics: &[Metrics],
    previous: &HashMap<String, String>,
    rules: &Rules,
    lang: Lang,
) -> Vec<CustomerGrade> {
    let vmetric = rules.volume.metric.as_str();
    let values: Vec<Option<Decimal>> = metrics.iter().map(|m| m.get(vmetric)).collect();
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
                volume.tiers[i],
                &volume,
                previous.get(&m.key).map(String::as_str),
                rules,
                lang,
            )
        })
        .collect()
}

fn grade_one(
    m: &Metrics,
    value: Option<Decimal>,
    volume_tier: usize,
    volume: &VolumeOutcome,
    previous: Option<&str>,
    rules: &Rules,
    lang: Lang,
) -> CustomerGrade {
    let p = phrases(lang);
    let mut reasons = Vec::new();
    let tier = |i: usize| rules.tier_name(i).to_string();
    let vmetric = rules.volume.metric.as_str();

    // New clients: provisional, maybe annualised.
    if m.provisional {
        let months = m.months_active.unwrap_or(0).to_string();
        if rules.new_clients.annualize && vmetric == "basis_sales" && m.basis_sales != m.sales {
            reasons.push(fill(
                p.provisional_annualized,
                &[
                    ("months", &months),
                    ("sales", &fmt_value("sales", m.sales, lang, true)),
                    (
                        "basis",
                        &fmt_value("basis_sales", m.basis_sales, lang, true),
                    ),
                ],
            ));
        } else {
            reasons.push(fill(p.provisional, &[("months", &months)]));
        }
    }

    // Step 1: volume tier.
    reasons.push(volume_reason(value, volume_tier, rules, lang));

    // Steps 2–3: composite score and tier.
    let mut composite_score_v = None;
    let mut composite_tier_v = None;
    if let Some(c) = &rules.composite {
        let score = composite_score(&c.factors, m);
        let names = |ms: &[String]| {
            ms.iter()
                .map(|x| metric_name(x, lang))
                .collect::<Vec<_>>()
                .join(p.enum_sep)
        };
        match score.value {
            Some(s) => {
                if !score.missing.is_empty() {
                    reasons.push(fill(
                        p.factor_missing,
                        &[("metrics", &names(&score.missing))],
                    ));
                }
                let parts: Vec<String> = score
                    .parts
                    .iter()
                    .map(|f| {
                        fill(
                            p.score_part,
                            &[
                                ("metric", &metric_name(&f.metric, lang)),
                                ("value", &fmt_value(&f.metric, f.value, lang, true)),
                                ("points", &fmt_score(f.points)),
                            ],
                        )
                    })
                    .collect();
                reasons.push(fill(
                    p.score_detail,
                    &[("score", &fmt_score(s)), ("parts", &parts.join(p.list_sep))],
                ));
                let ct = composite_tier(s, rules);
                reasons.push(composite_reason(s, ct, rules, lang));
                composite_score_v = Some(s);
                composite_tier_v = Some(ct);
            }
            None => reasons.push(p.no_composite.to_string()),
        }
    }

    // Step 4: grade = worse of the two, then gates.
    let mut grade = volume_tier;
    if let Some(ct) = composite_tier_v {
        grade = grade.max(ct);
        if ct != volume_tier {
            reasons.push(fill(
                p.grade_worse,
                &[
                    ("volume", &tier(volume_tier)),
                    ("composite", &tier(ct)),
                    ("tier", &tier(grade)),
                ],
            ));
        }
    }
    let (grade, fired) = apply_gates(grade, m, rules);
    for (gate, v, cap) in &fired {
        let (template, limit) = match (gate.above, gate.below) {
            (Some(l), _) => (p.gate_above, l),
            (None, Some(l)) => (p.gate_below, l),
            (None, None) => continue,
        };
        reasons.push(fill(
            template,
            &[
                ("metric", &metric_name(&gate.metric, lang)),
                ("value", &fmt_value(&gate.metric, *v, lang, true)),
                ("limit", &fmt_value(&gate.metric, limit, lang, false)),
                ("tier", &tier(*cap)),
            ],
        ));
    }

    // Credit rating.
    let credit = rules.credit.as_ref().and_then(|c| {
        let r = credit_rating(c, m);
        // Unrated (no credit factor available) says nothing: the rating column is empty.
        if let Some((rating, score)) = &r {
            reasons.push(fill(
                p.credit,
                &[("rating", rating), ("score", &fmt_score(*score))],
            ));
        }
        r.map(|(rating, _)| rating)
    });

    // Step 6: change.
    let prev_text = previous.map(str::trim).filter(|t| !t.is_empty());
    let previous_grade = prev_text.map(|t| match rules.tier_index(t) {
        Some(i) => tier(i),
        None => t.to_string(),
    });
    let change = change(prev_text, grade, m.has_window_lines, rules);
    if let Some(pg) = &previous_grade {
        if change == Change::Lost {
            reasons.push(fill(p.lost, &[("previous", pg)]));
        } else if rules.tier_index(pg).is_none() {
            reasons.push(fill(p.previous_unknown, &[("previous", pg)]));
        }
    }

    // Step 7: distance and near boundary.
    let standing = Standing {
        volume_value: value.unwrap_or(Decimal::ZERO),
        volume_tier,
        composite_score: composite_score_v,
        composite_tier: composite_tier_v,
        gates: fired,
        grade,
    };
    CustomerGrade {
        volume_tier,
        composite_score: composite_score_v,
        composite_tier: composite_tier_v,
        grade,
        credit_rating: credit,
        previous_grade,
        change,
        reasons,
        near_boundary: near_boundary(&standing, volume, rules),
        to_next_tier: to_next_tier(&standing, volume, rules, lang),
    }
}

/// The step-1 sentence.
fn volume_reason(value: Option<Decimal>, t: usize, rules: &Rules, lang: Lang) -> String {
    let p = phrases(lang);
    let metric = rules.volume.metric.as_str();
    let name = metric_name(metric, lang);
    let tier = rules.tier_name(t);
    let Some(v) = value else {
        return fill(p.volume_missing, &[("metric", &name), ("tier", tier)]);
    };
    let val = fmt_value(metric, v, lang, true);
    let base = [
        ("metric", name.as_str()),
        ("value", val.as_str()),
        ("tier", tier),
    ];
    fn with<'a>(base: &[(&'a str, &'a str)], extra: (&'a str, &'a str)) -> Vec<(&'a str, &'a str)> {
        let mut args = base.to_vec();
        args.push(extra);
        args
    }
    match rules.volume.method {
        VolumeMethod::CumulativeShare => {
            let empty = Default::default();
            let share = rules.volume.share.as_ref().unwrap_or(&empty);
            if v <= Decimal::ZERO {
                return fill(p.volume_not_positive, &base);
            }
            if let Some(s) = share.get(tier) {
                return fill(
                    p.volume_within,
                    &with(&base, ("share", &crate::text::fmt_percent(*s))),
                );
            }
            // Beyond every listed share: name the widest.
            let widest = rules
                .tiers
                .order
                .iter()
                .filter_map(|o| share.get(o))
                .max()
                .copied();
            match widest {
                Some(s) => fill(
                    p.volume_outside,
                    &with(&base, ("share", &crate::text::fmt_percent(s))),
                ),
                None => fill(p.volume_not_positive, &base),
            }
        }
        VolumeMethod::Threshold => {
            let empty = Default::default();
            let min = rules.volume.min.as_ref().unwrap_or(&empty);
            if let Some(mv) = min.get(tier).filter(|mv| v >= **mv) {
                return fill(
                    p.volume_min_met,
                    &with(&base, ("min", &fmt_value(metric, *mv, lang, false))),
                );
            }
            // The floor: below the lowest listed minimum.
            let lowest = rules
                .tiers
                .order
                .iter()
                .filter_map(|o| min.get(o))
                .min()
                .copied();
            match lowest {
                Some(mv) => fill(
                    p.volume_min_short,
                    &with(&base, ("min", &fmt_value(metric, mv, lang, false))),
                ),
                None => fill(p.volume_not_positive, &base),
            }
        }
    }
}

/// The step-3 sentence: `综合得分 68 < 75 → B`, or `≥ min` for the best
/// tier reached.
fn composite_reason(score: Decimal, ct: usize, rules: &Rules, lang: Lang) -> String {
    let p = phrases(lang);
    let order = &rules.tiers.order;
    let empty = Default::default();
    let mins = rules
        .composite
        .as_ref()
        .map(|c| &c.min_score)
        .unwrap_or(&empty);
    let tier = rules.tier_name(ct);
    let s = fmt_score(score);
    // The nearest better tier with a minimum: the score is below it.
    if let Some(better) = (0..ct).rev().find_map(|i| mins.get(&order[i])) {
        return fill(
            p.score_short,
            &[("score", &s), ("min", &fmt_score(*better)), ("tier", tier)],
        );
    }
    match mins.get(tier) {
        Some(m) => fill(
            p.score_met,
            &[("score", &s), ("min", &fmt_score(*m)), ("tier", tier)],
        ),
        None => fill(
            p.score_short,
            &[("score", &s), ("min", "—"), ("tier", tier)],
        ),
    }
}

#[cfg(test)]
mod tests;
