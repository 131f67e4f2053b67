//! What the grader says about each customer, as data: which rule decided a
//! step, with the values it compared. [`crate::report::reasons`] turns these
//! into sentences in the output language. Tiers are indexes into
//! `rules.tiers.order` (0 = best).

use rust_decimal::Decimal;

use super::composite::FactorScore;
use crate::model::metrics::MetricRef;
use crate::rules::Bound;

/// One step of a customer's grading (SPEC 7.1 step 5), in the order the
/// steps run.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// A new client (seed 5.1.2 D): the grade is provisional.
    Provisional {
        months: i64,
        /// The sales and the annualised basis sales the volume tier used,
        /// when the volume metric is `basis_sales` and annualising changed it.
        annualized: Option<Annualized>,
    },
    /// Step 1: the volume tier, from the rule in `rule`.
    Volume {
        metric: MetricRef,
        tier: usize,
        rule: VolumeRule,
    },
    /// Composite factors the customer lacks; their weight was shared out.
    FactorsMissing { metrics: Vec<MetricRef> },
    /// The composite score and the factors that went into it.
    ScoreDetail {
        score: Decimal,
        parts: Vec<FactorScore>,
    },
    /// The score reaches the `min_score` of `tier`, the best tier reached.
    CompositeMet {
        score: Decimal,
        min: Decimal,
        tier: usize,
    },
    /// The score is below `min`, the minimum of the nearest better tier
    /// that has one (`None` when no tier up to `tier` has one).
    CompositeShort {
        score: Decimal,
        min: Option<Decimal>,
        tier: usize,
    },
    /// The customer has none of the composite factors: no composite tier.
    NoComposite,
    /// Volume and composite tier differ: the grade is the worse of the two.
    WorseOf {
        volume: usize,
        composite: usize,
        grade: usize,
    },
    /// A gate fired: the customer's `value` is beyond `bound`, the grade is
    /// at most `cap`.
    Gate {
        metric: MetricRef,
        value: Decimal,
        bound: Bound,
        cap: usize,
    },
    /// The credit rating (资信等级), its score, the credit factors scored
    /// and the ones the customer lacks (their weight shared out).
    Credit {
        rating: String,
        score: Decimal,
        parts: Vec<FactorScore>,
        missing: Vec<MetricRef>,
    },
    /// Outstanding above the credit limit: `usage` (outstanding / limit) > 1.
    OverCreditLimit { usage: Decimal },
    /// The previous grade names no tier of these rules: treated as new.
    PreviousUnknown { previous: String },
    /// A previous grade and no ledger line in the window.
    Lost { previous: String },
}

/// Which volume rule gave the volume tier, with the values it compared.
#[derive(Debug, Clone, PartialEq)]
pub enum VolumeRule {
    /// cumulative_share: inside the top `share` of the tier.
    Within { value: Decimal, share: Decimal },
    /// cumulative_share: beyond the widest listed `share`, so the floor.
    Outside { value: Decimal, share: Decimal },
    /// The value is zero or negative, so the floor (also when the rules list
    /// no share or minimum at all).
    NotPositive { value: Decimal },
    /// threshold: the value reaches the tier's `min`.
    MinMet { value: Decimal, min: Decimal },
    /// threshold: below the lowest listed `min`, so the floor.
    MinShort { value: Decimal, min: Decimal },
    /// The customer lacks the volume metric, so the floor.
    Missing,
}

/// A new client's sales before and after annualising (SPEC 4 basis_sales).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Annualized {
    pub sales: Decimal,
    pub basis: Decimal,
}

/// What would lift a customer to the next better tier (SPEC 7.1 step 7).
#[derive(Debug, Clone, PartialEq)]
pub struct NextTier {
    /// The tier one better than the grade.
    pub tier: usize,
    /// Every condition not yet met; all of them are needed.
    pub needs: Vec<Need>,
}

/// One condition of [`NextTier`].
#[derive(Debug, Clone, PartialEq)]
pub enum Need {
    /// `gap` more of the volume metric reaches the tier's cut.
    Volume { metric: MetricRef, gap: Decimal },
    /// The rules give the tier no volume share or minimum.
    NoVolumeCut,
    /// The composite score must reach `min` (it is `score`).
    Score { min: Decimal, score: Decimal },
    /// The rules give the tier no composite minimum.
    NoScoreMin,
    /// A gate caps the grade below the tier: `metric` (now `value`) must come
    /// within `bound`.
    Gate {
        metric: MetricRef,
        bound: Bound,
        value: Decimal,
    },
}
