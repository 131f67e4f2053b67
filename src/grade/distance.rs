//! Step 7 of SPEC 7.1: what would lift a customer to the next better tier,
//! in the rule's own terms, and the near-boundary (临界) flag.

use rust_decimal::Decimal;

use super::reasons::{Need, NextTier};
use super::volume::{volume_near, VolumeOutcome};
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
/// tier. Lists every condition that is not yet met (all are needed): the
/// volume still missing to the tier's cut, the composite minimum, and every
/// gate that caps the grade below it.
pub fn to_next_tier(s: &Standing<'_>, volume: &VolumeOutcome, rules: &Rules) -> Option<NextTier> {
    if s.grade == 0 {
        return None;
    }
    let target = s.grade - 1;
    let mut needs = Vec::new();
    if s.volume_tier > target {
        needs.push(match volume.cut_in.get(target).copied().flatten() {
            Some(cut) => Need::Volume {
                metric: rules.volume.metric.clone(),
                gap: (cut - s.volume_value).max(Decimal::ZERO),
            },
            None => Need::NoVolumeCut,
        });
    }
    if let (Some(ct), Some(score)) = (s.composite_tier, s.composite_score) {
        if ct > target {
            let tier = rules.tier_name(target);
            let min = rules.composite.as_ref().and_then(|c| c.min_score.get(tier));
            needs.push(match min {
                Some(min) => Need::Score { min: *min, score },
                None => Need::NoScoreMin,
            });
        }
    }
    for (gate, value, cap) in &s.gates {
        if let Some(bound) = gate.bound().filter(|_| *cap > target) {
            needs.push(Need::Gate {
                metric: gate.metric.clone(),
                bound,
                value: *value,
            });
        }
    }
    Some(NextTier {
        tier: target,
        needs,
    })
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
