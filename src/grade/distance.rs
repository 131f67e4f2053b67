//! Step 7 of SPEC 7.1: what would lift a customer to the next better tier,
//! in the rule's own terms, and the near-boundary (临界) flag.

use rust_decimal::Decimal;

use super::reasons::{fill, fmt_score, fmt_value, metric_name, phrases};
use super::volume::{volume_near, VolumeOutcome};
use crate::labels::Lang;
use crate::rules::{Gate, Rules};

/// What a customer's grade came from, as the distance needs it.
#[derive(Debug, Clone)]
pub struct Standing<'a> {
    /// The volume metric's value (0 when missing).
    pub volume_value: Decimal,
    pub volume_tier: usize,
    pub composite_score: Option<Decimal>,
    pub composite_tier: Option<usize>,
    /// Gates that fired: the gate, the customer's value, the cap's index.
    pub gates: Vec<(&'a Gate, Decimal, usize)>,
    pub grade: usize,
}

/// The distance to the next better tier (`grade − 1`), or `None` for the best
/// tier. Lists every condition that is not yet met, joined by "and": the
/// volume still missing to the tier's cut, the composite minimum, and every
/// gate that caps the grade below it.
pub fn to_next_tier(
    s: &Standing<'_>,
    volume: &VolumeOutcome,
    rules: &Rules,
    lang: Lang,
) -> Option<String> {
    if s.grade == 0 {
        return None;
    }
    let p = phrases(lang);
    let target = s.grade - 1;
    let tier = rules.tier_name(target);
    let metric = &rules.volume.metric;
    let mut parts = Vec::new();
    if s.volume_tier > target {
        match volume.cut_in.get(target).copied().flatten() {
            Some(cut) => {
                let gap = (cut - s.volume_value).max(Decimal::ZERO);
                parts.push(fill(
                    p.next_volume,
                    &[
                        ("metric", &metric_name(metric, lang)),
                        ("amount", &fmt_value(metric, gap, lang, true)),
                    ],
                ));
            }
            None => parts.push(fill(p.next_volume_unset, &[("tier", tier)])),
        }
    }
    if let (Some(ct), Some(score)) = (s.composite_tier, s.composite_score) {
        if ct > target {
            let min = rules.composite.as_ref().and_then(|c| c.min_score.get(tier));
            match min {
                Some(min) => parts.push(fill(
                    p.next_score,
                    &[("min", &fmt_score(*min)), ("score", &fmt_score(score))],
                )),
                None => parts.push(fill(p.next_score_unset, &[("tier", tier)])),
            }
        }
    }
    for (gate, value, cap) in &s.gates {
        if *cap > target {
            let (template, limit) = match (gate.above, gate.below) {
                (Some(l), _) => (p.next_gate_above, l),
                (None, Some(l)) => (p.next_gate_below, l),
                (None, None) => continue,
            };
            parts.push(fill(
                template,
                &[
                    ("metric", &metric_name(&gate.metric, lang)),
                    ("limit", &fmt_value(&gate.metric, limit, lang, true)),
                    ("value", &fmt_value(&gate.metric, *value, lang, true)),
                ],
            ));
        }
    }
    Some(format!(
        "{}{}",
        fill(p.next_prefix, &[("tier", tier)]),
        parts.join(p.next_and)
    ))
}

/// Whether a customer is within `rules.near_boundary` of a volume cut (see
/// [`volume_near`]) or of a composite `min_score` (either side).
pub fn near_boundary(s: &Standing<'_>, volume: &VolumeOutcome, rules: &Rules) -> bool {
    let near = rules.near_boundary;
    if volume_near(
        s.volume_value,
        s.volume_tier,
        volume,
        near,
        rules.volume.method,
    ) {
        return true;
    }
    match (&rules.composite, s.composite_score) {
        (Some(c), Some(score)) => c
            .min_score
            .values()
            .any(|m| (score - m).abs() <= near * m.abs()),
        _ => false,
    }
}
