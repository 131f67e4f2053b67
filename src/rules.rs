//! Rules files (SPEC 6): what a company decides about grading, loaded from
//! TOML with serde and validated once, before any data is read.
//!
//! A [`Rules`] value is the only input of the grader besides the metrics: the
//! tiers, the volume indicator (seed 3.1 销量指标), the composite indicator
//! (seed 3.2 综合指标), the gates, the credit rating (资信等级) and the few
//! settings the readers and the model use (window, date format, receivables
//! terms, column mappings). Every number that is compared is an exact
//! [`Decimal`]: a TOML float is read through its shortest round-trip text, so
//! `0.7` is exactly `0.7`.
//!
//! # Examples
//!
//! ```
//! use tierbook::rules::Rules;
//! let rules = Rules::builtin("three-tier").expect("shipped template");
//! assert_eq!(rules.tiers.order, ["A", "B", "C"]);
//! assert_eq!(rules.tier_index("A类客户"), Some(0));
//! ```

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::metrics::{Metric, MetricRef};
use crate::model::receivables::AgingBasis;

/// The built-in templates, by name: (name, TOML text).
const TEMPLATES: &[(&str, &str)] = &[
    ("three-tier", include_str!("../templates/three-tier.toml")),
    ("four-tier", include_str!("../templates/four-tier.toml")),
];

/// The date formats a rules file may name for ambiguous text dates (SPEC 9).
pub const DATE_FORMATS: &[&str] = &["dd/mm/yyyy", "mm/dd/yyyy"];

/// The input kinds a `[columns.<kind>]` table may name.
pub const COLUMN_KINDS: &[&str] = &["ledger", "receipts", "customers", "previous"];

/// The text of a shipped template (`tierbook init` writes it out).
pub fn template_text(name: &str) -> Option<&'static str> {
    TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Names of the shipped templates.
pub fn template_names() -> impl Iterator<Item = &'static str> {
    TEMPLATES.iter().map(|(n, _)| *n)
}

/// A rules file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    /// TOML syntax, a wrong type or an unknown key; `message` is toml's own
    /// (it names the line and column).
    #[error("rules file {file}: {message}")]
    Syntax { file: String, message: String },
    /// The file parsed but a value is not acceptable.
    #[error("rules file {file}: {key}: {message}")]
    Invalid {
        file: String,
        key: String,
        message: String,
    },
}

impl RulesError {
    /// The dotted key the error is about (`volume.share.D`), when known.
    pub fn key(&self) -> Option<&str> {
        match self {
            RulesError::Syntax { .. } => None,
            RulesError::Invalid { key, .. } => Some(key),
        }
    }
}

/// A complete rules file (SPEC 6). Optional sections take the defaults SPEC 9
/// names.
///
/// `M` is how a metric is held: as the text of the file (`Rules<String>`)
/// while it is read and validated, then as a [`MetricRef`] (the `Rules` every
/// other module sees). Serialised, both give the same TOML text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules<M = MetricRef> {
    /// Shown on the Summary sheet and in JSON `rules.name`.
    pub name: String,
    /// How to read ambiguous text dates: `"dd/mm/yyyy"` or `"mm/dd/yyyy"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_format: Option<String>,
    /// Text numbers use `,` as the decimal mark and `.` or a space as the
    /// thousands separator (`1.234,50`); otherwise a `,` that is not a
    /// thousands separator makes the number ambiguous and rejected.
    #[serde(default, skip_serializing_if = "is_false")]
    pub decimal_comma: bool,
    /// Relative distance to a cut that flags a customer 临界 (default 0.05).
    #[serde(default = "default_near_boundary", with = "num")]
    pub near_boundary: Decimal,
    #[serde(default)]
    pub window: Window,
    pub tiers: Tiers,
    pub volume: Volume<M>,
    /// No `[composite]`: grades come from volume and gates alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub composite: Option<Composite<M>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<Gate<M>>,
    #[serde(default)]
    pub new_clients: NewClients,
    #[serde(default)]
    pub receivables: Receivables,
    /// No `[credit]`: no credit rating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<Credit<M>>,
    #[serde(default)]
    pub order_upgrade: OrderUpgrade,
    #[serde(default)]
    pub special_policy: SpecialPolicy,
    /// `[columns.<kind>]`: canonical field → header text, per input kind.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub columns: BTreeMap<String, BTreeMap<String, String>>,
    /// Where the rules came from: a path, or `built-in three-tier`.
    #[serde(skip)]
    pub source: String,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn default_near_boundary() -> Decimal {
    Decimal::new(5, 2)
}

/// `[window]`: the evaluation window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    #[serde(default = "default_window_months")]
    pub months: u32,
}

fn default_window_months() -> u32 {
    12
}

impl Default for Window {
    fn default() -> Self {
        Window { months: 12 }
    }
}

/// `[tiers]`: the grades, best first; the last is the floor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tiers {
    pub order: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// How the volume tier is found (SPEC 7.1 step 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum VolumeMethod {
    /// Customers ranked by the metric; a tier holds the top `share` of the total.
    CumulativeShare,
    /// The best tier whose `min` the metric reaches.
    Threshold,
}

impl VolumeMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            VolumeMethod::CumulativeShare => "cumulative_share",
            VolumeMethod::Threshold => "threshold",
        }
    }
}

impl TryFrom<String> for VolumeMethod {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "cumulative_share" => Ok(VolumeMethod::CumulativeShare),
            "threshold" => Ok(VolumeMethod::Threshold),
            _ => Err(format!(
                "volume.method: expected \"cumulative_share\" or \"threshold\", found \"{s}\""
            )),
        }
    }
}

impl From<VolumeMethod> for String {
    fn from(m: VolumeMethod) -> String {
        m.as_str().to_string()
    }
}

/// `[volume]`: seed 3.1 销量指标.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Volume<M = MetricRef> {
    pub metric: M,
    pub method: VolumeMethod,
    /// cumulative_share: tier → share of the total (0, 1], increasing.
    #[serde(default, with = "num_map_opt", skip_serializing_if = "Option::is_none")]
    pub share: Option<BTreeMap<String, Decimal>>,
    /// threshold: tier → minimum of the metric, decreasing.
    #[serde(default, with = "num_map_opt", skip_serializing_if = "Option::is_none")]
    pub min: Option<BTreeMap<String, Decimal>>,
}

/// One scored indicator of the composite or the credit rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor<M = MetricRef> {
    pub metric: M,
    #[serde(with = "num")]
    pub weight: Decimal,
    #[serde(default = "yes")]
    pub higher_is_better: bool,
    /// `[edge, points]`, best band first: "at least edge" when higher is
    /// better, "at most edge" otherwise.
    #[serde(with = "num_bands")]
    pub bands: Vec<(Decimal, Decimal)>,
}

fn yes() -> bool {
    true
}

/// `[composite]`: seed 3.2 综合指标.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Composite<M = MetricRef> {
    #[serde(with = "num_map")]
    pub min_score: BTreeMap<String, Decimal>,
    pub factors: Vec<Factor<M>>,
}

/// `[[gates]]`: caps the grade when a metric is strictly above or below a limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gate<M = MetricRef> {
    pub metric: M,
    #[serde(default, with = "num_opt", skip_serializing_if = "Option::is_none")]
    pub above: Option<Decimal>,
    #[serde(default, with = "num_opt", skip_serializing_if = "Option::is_none")]
    pub below: Option<Decimal>,
    pub cap: String,
}

/// Where a gate's limit lies: it fires strictly above or strictly below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Above(Decimal),
    Below(Decimal),
}

impl<M> Gate<M> {
    /// The gate's limit; `None` only before validation (which requires
    /// exactly one of `above` and `below`).
    pub fn bound(&self) -> Option<Bound> {
        match (self.above, self.below) {
            (Some(limit), _) => Some(Bound::Above(limit)),
            (None, Some(limit)) => Some(Bound::Below(limit)),
            (None, None) => None,
        }
    }
}

/// `[new_clients]`: seed 5.1.2 D.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewClients {
    #[serde(default = "default_new_months")]
    pub months: u32,
    #[serde(default = "yes")]
    pub annualize: bool,
}

fn default_new_months() -> u32 {
    6
}

impl Default for NewClients {
    fn default() -> Self {
        NewClients {
            months: 6,
            annualize: true,
        }
    }
}

/// `[receivables]`: open-item terms and aging buckets (SPEC 5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receivables {
    #[serde(default = "default_terms")]
    pub default_terms_days: u32,
    #[serde(default = "default_aging")]
    pub aging_days: Vec<u32>,
    /// `"due_date"` (default) or `"invoice_date"`: what overdue money is
    /// aged from (SPEC 9).
    #[serde(default, skip_serializing_if = "AgingBasis::is_due_date")]
    pub aging_basis: AgingBasis,
}

fn default_terms() -> u32 {
    30
}

fn default_aging() -> Vec<u32> {
    vec![30, 60, 90, 180]
}

impl Default for Receivables {
    fn default() -> Self {
        Receivables {
            default_terms_days: 30,
            aging_days: default_aging(),
            aging_basis: AgingBasis::DueDate,
        }
    }
}

/// `[credit]`: 资信等级, scored like the composite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credit<M = MetricRef> {
    pub order: Vec<String>,
    #[serde(with = "num_map")]
    pub min_score: BTreeMap<String, Decimal>,
    pub factors: Vec<Factor<M>>,
}

/// `[order_upgrade]`: seed 7.3 (B/C orders with a high price and good payment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderUpgrade {
    #[serde(default = "default_min_price_index", with = "num")]
    pub min_price_index: Decimal,
    #[serde(default = "yes")]
    pub paid_on_time: bool,
}

fn default_min_price_index() -> Decimal {
    Decimal::new(105, 2)
}

impl Default for OrderUpgrade {
    fn default() -> Self {
        OrderUpgrade {
            min_price_index: default_min_price_index(),
            paid_on_time: true,
        }
    }
}

/// `[special_policy]`: seed 5.1.2 B (customers on special settlement terms).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecialPolicy {
    #[serde(default = "default_on_time", with = "num")]
    pub min_on_time_ratio: Decimal,
}

fn default_on_time() -> Decimal {
    Decimal::new(9, 1)
}

impl Default for SpecialPolicy {
    fn default() -> Self {
        SpecialPolicy {
            min_on_time_ratio: default_on_time(),
        }
    }
}

impl Rules {
    /// Parses and validates a rules file. `source` is the path (or any name)
    /// used in error messages and stored in [`Rules::source`].
    ///
    /// # Errors
    ///
    /// [`RulesError::Syntax`] for TOML syntax errors, wrong types and unknown
    /// keys (toml's message, with line and column); [`RulesError::Invalid`]
    /// naming the key for every value that breaks a rule of SPEC 6.
    pub fn from_toml(text: &str, source: &str) -> Result<Rules, RulesError> {
        let mut file: Rules<String> = toml::from_str(text).map_err(|e| RulesError::Syntax {
            file: source.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        file.source = source.to_string();
        file.validate()
            .and_then(|()| file.resolve())
            .map_err(|(key, message)| RulesError::Invalid {
                file: source.to_string(),
                key,
                message,
            })
    }

    /// A shipped template by name (`three-tier`, `four-tier`), with source
    /// `built-in <name>`.
    pub fn builtin(name: &str) -> Option<Rules> {
        let text = template_text(name)?;
        let rules = Rules::from_toml(text, &format!("built-in {name}"))
            .expect("shipped templates are valid (unit-tested)");
        Some(rules)
    }

    /// The default rules: the built-in three-tier template.
    pub fn three_tier() -> Rules {
        Rules::builtin("three-tier").expect("three-tier template exists")
    }

    /// The display label of a tier (its `labels` entry, else its name).
    pub fn tier_label(&self, tier: &str) -> String {
        self.tiers
            .labels
            .get(tier)
            .cloned()
            .unwrap_or_else(|| tier.to_string())
    }

    /// The name of the tier at `index` (0 = best).
    pub fn tier_name(&self, index: usize) -> &str {
        &self.tiers.order[index.min(self.floor())]
    }

    /// The index of the floor (worst) tier.
    pub fn floor(&self) -> usize {
        self.tiers.order.len().saturating_sub(1)
    }

    /// Finds a tier by name or by label, as written in a previous grade list:
    /// `A`, `A类客户`, `a`, ` A级 ` all give the index of `A`.
    pub fn tier_index(&self, text: &str) -> Option<usize> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        let order = &self.tiers.order;
        if let Some(i) = order.iter().position(|o| o == t) {
            return Some(i);
        }
        if let Some(i) = order
            .iter()
            .position(|o| self.tiers.labels.get(o).is_some_and(|l| l.trim() == t))
        {
            return Some(i);
        }
        if let Some(i) = order.iter().position(|o| o.eq_ignore_ascii_case(t)) {
            return Some(i);
        }
        const SUFFIXES: &[&str] = &[
            "类客户",
            "级客户",
            "類客戶",
            "級客戶",
            "客户",
            "客戶",
            "类",
            "级",
            "類",
            "級",
        ];
        for suffix in SUFFIXES {
            if let Some(stem) = t.strip_suffix(suffix) {
                let stem = stem.trim();
                if let Some(i) = order.iter().position(|o| o.eq_ignore_ascii_case(stem)) {
                    return Some(i);
                }
            }
        }
        None
    }

    /// Whether a text date like `03/05/2025` is day first (`Some(true)`),
    /// month first (`Some(false)`), or ambiguous and rejected (`None`).
    pub fn day_first(&self) -> Option<bool> {
        match self.date_format.as_deref() {
            Some("dd/mm/yyyy") => Some(true),
            Some("mm/dd/yyyy") => Some(false),
            _ => None,
        }
    }

    /// Every metric a rule refers to (volume, factors, gates, credit).
    pub fn referenced_metrics(&self) -> Vec<&MetricRef> {
        let mut out: Vec<&MetricRef> = vec![&self.volume.metric];
        let factors = self
            .composite
            .iter()
            .flat_map(|c| c.factors.iter())
            .chain(self.credit.iter().flat_map(|c| c.factors.iter()));
        for m in factors
            .map(|f| &f.metric)
            .chain(self.gates.iter().map(|g| &g.metric))
        {
            if !out.contains(&m) {
                out.push(m);
            }
        }
        out
    }

    /// Serialises the rules back to TOML (stored in the evaluation workbook).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("rules serialise to TOML")
    }
}

/// A rules file as read, metrics still as text.
impl Rules<String> {
    /// The rules with every metric read as a [`MetricRef`]. Run after
    /// [`Rules::validate`], so an unknown metric does not occur here; it
    /// would be the same error, naming its key.
    fn resolve(self) -> Result<Rules, (String, String)> {
        let factors = |factors: Vec<Factor<String>>, key: &str| {
            factors
                .into_iter()
                .enumerate()
                .map(|(i, f)| {
                    Ok(Factor {
                        metric: check_metric(&format!("{key}[{}].metric", i + 1), &f.metric)?,
                        weight: f.weight,
                        higher_is_better: f.higher_is_better,
                        bands: f.bands,
                    })
                })
                .collect::<Result<Vec<_>, (String, String)>>()
        };
        let composite = match self.composite {
            Some(c) => Some(Composite {
                min_score: c.min_score,
                factors: factors(c.factors, "composite.factors")?,
            }),
            None => None,
        };
        let credit = match self.credit {
            Some(c) => Some(Credit {
                order: c.order,
                min_score: c.min_score,
                factors: factors(c.factors, "credit.factors")?,
            }),
            None => None,
        };
        let gates = self
            .gates
            .into_iter()
            .enumerate()
            .map(|(i, g)| {
                Ok(Gate {
                    metric: check_metric(&format!("gates[{}].metric", i + 1), &g.metric)?,
                    above: g.above,
                    below: g.below,
                    cap: g.cap,
                })
            })
            .collect::<Result<Vec<_>, (String, String)>>()?;
        let v = self.volume;
        Ok(Rules {
            name: self.name,
            date_format: self.date_format,
            decimal_comma: self.decimal_comma,
            near_boundary: self.near_boundary,
            window: self.window,
            tiers: self.tiers,
            volume: Volume {
                metric: check_metric("volume.metric", &v.metric)?,
                method: v.method,
                share: v.share,
                min: v.min,
            },
            composite,
            gates,
            new_clients: self.new_clients,
            receivables: self.receivables,
            credit,
            order_upgrade: self.order_upgrade,
            special_policy: self.special_policy,
            columns: self.columns,
            source: self.source,
        })
    }

    fn validate(&self) -> Result<(), (String, String)> {
        let err = |key: &str, msg: String| Err((key.to_string(), msg));
        if self.name.trim().is_empty() {
            return err("name", "expected a non-empty name for the rules".into());
        }
        if let Some(f) = &self.date_format {
            if !DATE_FORMATS.contains(&f.as_str()) {
                return err(
                    "date_format",
                    format!("expected \"dd/mm/yyyy\" or \"mm/dd/yyyy\", found \"{f}\""),
                );
            }
        }
        if self.near_boundary < Decimal::ZERO || self.near_boundary >= Decimal::ONE {
            return err(
                "near_boundary",
                format!(
                    "expected a fraction from 0 up to (not including) 1, such as 0.05, found {}",
                    self.near_boundary
                ),
            );
        }
        check_months("window.months", self.window.months, MAX_WINDOW_MONTHS)?;
        check_months(
            "new_clients.months",
            self.new_clients.months,
            MAX_NEW_CLIENT_MONTHS,
        )?;

        // Tiers.
        let order = &self.tiers.order;
        if order.is_empty() {
            return err(
                "tiers.order",
                "expected at least one tier, best first".into(),
            );
        }
        let mut seen = HashSet::new();
        for (i, t) in order.iter().enumerate() {
            if t.trim().is_empty() {
                return err(
                    &format!("tiers.order[{}]", i + 1),
                    "expected a tier name, found an empty text".into(),
                );
            }
            if !seen.insert(t.as_str()) {
                return err("tiers.order", format!("tier \"{t}\" is listed twice"));
            }
        }
        let order_list = order.join(", ");
        let in_order = |key: &str, tier: &str| -> Result<usize, (String, String)> {
            order.iter().position(|o| o == tier).ok_or_else(|| {
                (
                    key.to_string(),
                    format!("tier \"{tier}\" is not in tiers.order ({order_list})"),
                )
            })
        };
        let mut seen_labels = HashSet::new();
        for (tier, label) in &self.tiers.labels {
            let key = format!("tiers.labels.{}", toml_key(tier));
            in_order(&key, tier)?;
            if label.trim().is_empty() {
                return err(&key, "expected a label text, found an empty text".into());
            }
            if !seen_labels.insert(label.trim()) {
                return err(&key, format!("label \"{label}\" is used for two tiers"));
            }
            if let Some(other) = order.iter().find(|o| *o != tier && *o == label.trim()) {
                return err(
                    &key,
                    format!("label \"{label}\" is the name of tier \"{other}\""),
                );
            }
        }

        // Volume.
        let v = &self.volume;
        check_metric("volume.metric", &v.metric)?;
        match v.method {
            VolumeMethod::CumulativeShare => {
                if v.min.is_some() {
                    return err("volume.min", "only used with method = \"threshold\"; use volume.share with \"cumulative_share\"".into());
                }
                let Some(share) = &v.share else {
                    return err("volume.share", "expected a table of tier = share of the total, such as { A = 0.70, B = 0.90 }, for method = \"cumulative_share\"".into());
                };
                let mut prev: Option<(String, Decimal)> = None;
                for (tier, val) in ordered(share, order, "volume.share", &in_order)? {
                    let key = format!("volume.share.{}", toml_key(tier));
                    if val <= Decimal::ZERO || val > Decimal::ONE {
                        return err(
                            &key,
                            format!(
                                "expected a share above 0 and at most 1, such as 0.70, found {val}"
                            ),
                        );
                    }
                    if let Some((pt, pv)) = &prev {
                        if val <= *pv {
                            return err(&key, format!("expected shares increasing from the best tier to worse ones: {tier} {val} is not above {pt} {pv}"));
                        }
                    }
                    prev = Some((tier.to_string(), val));
                }
            }
            VolumeMethod::Threshold => {
                if v.share.is_some() {
                    return err("volume.share", "only used with method = \"cumulative_share\"; use volume.min with \"threshold\"".into());
                }
                let Some(min) = &v.min else {
                    return err("volume.min", "expected a table of tier = minimum, such as { A = 5000000, B = 1000000 }, for method = \"threshold\"".into());
                };
                decreasing(min, order, "volume.min", &in_order)?;
            }
        }

        // Composite.
        if let Some(c) = &self.composite {
            check_scores(&c.min_score, order, "composite.min_score", &in_order)?;
            check_factors(&c.factors, "composite.factors")?;
        }

        // Gates.
        for (i, g) in self.gates.iter().enumerate() {
            let key = format!("gates[{}]", i + 1);
            check_metric(&format!("{key}.metric"), &g.metric)?;
            match (g.above, g.below) {
                (Some(_), Some(_)) => {
                    return err(
                        &key,
                        format!(
                            "expected either above or below, not both (gate on {})",
                            g.metric
                        ),
                    )
                }
                (None, None) => {
                    return err(
                        &key,
                        format!("expected above = … or below = … (gate on {})", g.metric),
                    )
                }
                _ => {}
            }
            in_order(&format!("{key}.cap"), &g.cap)?;
        }

        // Receivables.
        let ag = &self.receivables.aging_days;
        if ag.is_empty() {
            return err(
                "receivables.aging_days",
                "expected at least one bucket edge in days, such as [30, 60, 90, 180]".into(),
            );
        }
        if ag[0] == 0 {
            return err(
                "receivables.aging_days",
                "expected bucket edges of at least 1 day, found 0".into(),
            );
        }
        if let Some(w) = ag.windows(2).find(|w| w[1] <= w[0]) {
            return err(
                "receivables.aging_days",
                format!("expected bucket edges increasing, such as [30, 60, 90, 180]: {} is not above {}", w[1], w[0]),
            );
        }

        // Credit.
        if let Some(c) = &self.credit {
            if c.order.is_empty() {
                return err(
                    "credit.order",
                    "expected at least one rating, best first".into(),
                );
            }
            let mut seen = HashSet::new();
            for r in &c.order {
                if !seen.insert(r.as_str()) {
                    return err("credit.order", format!("rating \"{r}\" is listed twice"));
                }
            }
            let credit_list = c.order.join(", ");
            let in_credit = |key: &str, r: &str| -> Result<usize, (String, String)> {
                c.order.iter().position(|o| o == r).ok_or_else(|| {
                    (
                        key.to_string(),
                        format!("rating \"{r}\" is not in credit.order ({credit_list})"),
                    )
                })
            };
            check_scores(&c.min_score, &c.order, "credit.min_score", &in_credit)?;
            check_factors(&c.factors, "credit.factors")?;
        }

        // Order upgrade and special policy.
        if self.order_upgrade.min_price_index <= Decimal::ZERO {
            return err(
                "order_upgrade.min_price_index",
                format!(
                    "expected a price index above 0, such as 1.05, found {}",
                    self.order_upgrade.min_price_index
                ),
            );
        }
        let r = self.special_policy.min_on_time_ratio;
        if r < Decimal::ZERO || r > Decimal::ONE {
            return err(
                "special_policy.min_on_time_ratio",
                format!("expected a ratio from 0 to 1, such as 0.9, found {r}"),
            );
        }

        // Columns.
        for (kind, fields) in &self.columns {
            if !COLUMN_KINDS.contains(&kind.as_str()) {
                return err(
                    &format!("columns.{}", toml_key(kind)),
                    format!(
                        "expected one of {}, found \"{kind}\"",
                        COLUMN_KINDS.join(", ")
                    ),
                );
            }
            for (field, header) in fields {
                if header.trim().is_empty() {
                    return err(
                        &format!("columns.{kind}.{}", toml_key(field)),
                        "expected the header text of the column, found an empty text".into(),
                    );
                }
            }
        }
        Ok(())
    }
}

type Check<'a> = dyn Fn(&str, &str) -> Result<usize, (String, String)> + 'a;

/// The entries of a tier → number table in tier order, checking every key.
fn ordered<'m>(
    map: &'m BTreeMap<String, Decimal>,
    order: &[String],
    key: &str,
    in_order: &Check<'_>,
) -> Result<Vec<(&'m str, Decimal)>, (String, String)> {
    for tier in map.keys() {
        in_order(&format!("{key}.{}", toml_key(tier)), tier)?;
    }
    Ok(order
        .iter()
        .filter_map(|t| map.get_key_value(t).map(|(k, v)| (k.as_str(), *v)))
        .collect())
}

/// Checks a tier → minimum table: every tier known, minimums strictly
/// decreasing from the best tier to worse ones.
fn decreasing(
    map: &BTreeMap<String, Decimal>,
    order: &[String],
    key: &str,
    in_order: &Check<'_>,
) -> Result<(), (String, String)> {
    let mut prev: Option<(&str, Decimal)> = None;
    for (tier, val) in ordered(map, order, key, in_order)? {
        if let Some((pt, pv)) = prev {
            if val >= pv {
                return Err((
                    format!("{key}.{}", toml_key(tier)),
                    format!("expected minimums decreasing from the best tier to worse ones: {tier} {val} is not below {pt} {pv}"),
                ));
            }
        }
        prev = Some((tier, val));
    }
    Ok(())
}

fn check_scores(
    map: &BTreeMap<String, Decimal>,
    order: &[String],
    key: &str,
    in_order: &Check<'_>,
) -> Result<(), (String, String)> {
    for (tier, val) in ordered(map, order, key, in_order)? {
        if val < Decimal::ZERO || val > Decimal::ONE_HUNDRED {
            return Err((
                format!("{key}.{}", toml_key(tier)),
                format!("expected a score from 0 to 100, found {val}"),
            ));
        }
    }
    decreasing(map, order, key, in_order)
}

/// The longest evaluation window (`window.months`): ten years.
pub const MAX_WINDOW_MONTHS: u32 = 120;
/// The longest provisional period of a new client (`new_clients.months`): five years.
pub const MAX_NEW_CLIENT_MONTHS: u32 = 60;

/// A number of months from 1 to `max`.
fn check_months(key: &str, months: u32, max: u32) -> Result<(), (String, String)> {
    if (1..=max).contains(&months) {
        return Ok(());
    }
    Err((
        key.to_string(),
        format!("expected a number of months from 1 to {max}, found {months}"),
    ))
}

/// Reads a metric of the rules file; an unknown one is an error naming `key`.
fn check_metric(key: &str, metric: &str) -> Result<MetricRef, (String, String)> {
    MetricRef::parse(metric).ok_or_else(|| {
        let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
        (
            key.to_string(),
            format!(
                "unknown metric \"{metric}\"; expected one of {} or attr:<customer master column>",
                names.join(", ")
            ),
        )
    })
}

fn check_factors(factors: &[Factor<String>], key: &str) -> Result<(), (String, String)> {
    if factors.is_empty() {
        return Err((
            key.to_string(),
            "expected at least one factor ([[…factors]] with metric, weight, bands)".into(),
        ));
    }
    for (i, f) in factors.iter().enumerate() {
        let k = format!("{key}[{}]", i + 1);
        check_metric(&format!("{k}.metric"), &f.metric)?;
        let k = format!("{k} ({})", f.metric);
        if f.weight <= Decimal::ZERO {
            return Err((
                format!("{k}.weight"),
                format!("expected a weight above 0, found {}", f.weight),
            ));
        }
        if f.bands.is_empty() {
            return Err((
                format!("{k}.bands"),
                "expected at least one [edge, points] band".into(),
            ));
        }
        for (j, (edge, points)) in f.bands.iter().enumerate() {
            if *points < Decimal::ZERO || *points > Decimal::ONE_HUNDRED {
                return Err((
                    format!("{k}.bands[{}]", j + 1),
                    format!(
                        "expected points from 0 to 100, found {points} (band [{edge}, {points}])"
                    ),
                ));
            }
        }
        for (j, w) in f.bands.windows(2).enumerate() {
            let (a, b) = (w[0].0, w[1].0);
            let bad = if f.higher_is_better { b >= a } else { b <= a };
            if bad {
                let how = if f.higher_is_better {
                    "strictly descending edges (higher_is_better: [at least edge, points], best band first)"
                } else {
                    "strictly ascending edges (higher_is_better = false: [at most edge, points], best band first)"
                };
                return Err((
                    format!("{k}.bands[{}]", j + 2),
                    format!("expected {how}; {b} follows {a}"),
                ));
            }
        }
    }
    Ok(())
}

/// A tier name as it would be written as a TOML key (quoted when not bare).
fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        format!("\"{k}\"")
    }
}

/// A number in a rules file: TOML integer, float (through its shortest
/// round-trip text) or a decimal string.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Num(Decimal);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num(Decimal::from(v)))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(Num(Decimal::from(v)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Num, E> {
                if !v.is_finite() {
                    return Err(E::custom(format!("expected a finite number, found {v}")));
                }
                Decimal::from_str(&format!("{v}"))
                    .map(|d| Num(d.normalize()))
                    .map_err(|_| E::custom(format!("number {v} is out of range")))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Num, E> {
                Decimal::from_str(v.trim())
                    .map(Num)
                    .map_err(|_| E::custom(format!("expected a number, found \"{v}\"")))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Num {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = self.0.normalize();
        if d.scale() == 0 {
            if let Some(i) = d.to_i64() {
                return s.serialize_i64(i);
            }
        }
        // Shortest round-trip text of the f64 reads back as the same decimal
        // for the short decimals a rules file holds.
        s.serialize_f64(d.to_f64().unwrap_or(0.0))
    }
}

mod num {
    use super::Num;
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    pub fn serialize<S: Serializer>(v: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        Num(*v).serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        Num::deserialize(d).map(|n| n.0)
    }
}

mod num_opt {
    use super::Num;
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    pub fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        v.map(Num).serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        Option::<Num>::deserialize(d).map(|n| n.map(|n| n.0))
    }
}

mod num_map {
    use super::Num;
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;
    pub fn serialize<S: Serializer>(
        v: &BTreeMap<String, Decimal>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        v.iter()
            .map(|(k, v)| (k.clone(), Num(*v)))
            .collect::<BTreeMap<_, _>>()
            .serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, Decimal>, D::Error> {
        BTreeMap::<String, Num>::deserialize(d)
            .map(|m| m.into_iter().map(|(k, v)| (k, v.0)).collect())
    }
}

mod num_map_opt {
    use super::Num;
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;
    type Map = BTreeMap<String, Decimal>;
    pub fn serialize<S: Serializer>(v: &Option<Map>, s: S) -> Result<S::Ok, S::Error> {
        v.as_ref()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), Num(*v)))
                    .collect::<BTreeMap<_, _>>()
            })
            .serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Map>, D::Error> {
        Option::<BTreeMap<String, Num>>::deserialize(d)
            .map(|m| m.map(|m| m.into_iter().map(|(k, v)| (k, v.0)).collect()))
    }
}

mod num_bands {
    use super::Num;
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    pub fn serialize<S: Serializer>(v: &[(Decimal, Decimal)], s: S) -> Result<S::Ok, S::Error> {
        v.iter()
            .map(|(a, b)| [Num(*a), Num(*b)])
            .collect::<Vec<_>>()
            .serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<(Decimal, Decimal)>, D::Error> {
        Vec::<[Num; 2]>::deserialize(d).map(|v| v.into_iter().map(|[a, b]| (a.0, b.0)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("test decimal")
    }

    const MINIMAL: &str = r#"
name = "t"
[tiers]
order = ["A", "B", "C"]
[volume]
metric = "sales"
method = "cumulative_share"
share = { A = 0.70, B = 0.90 }
"#;

    /// Loads MINIMAL with `extra` appended and expects an error whose
    /// message names `key`.
    fn fails(text: &str, key: &str) -> String {
        let e = Rules::from_toml(text, "three.toml").expect_err("should be rejected");
        let msg = e.to_string();
        assert!(msg.starts_with("rules file three.toml: "), "{msg}");
        assert!(msg.contains(key), "message {msg:?} does not name {key:?}");
        msg
    }

    fn with(extra: &str) -> String {
        format!("{MINIMAL}{extra}")
    }

    #[test]
    fn both_templates_load_and_validate() {
        let three = Rules::builtin("three-tier").expect("three-tier");
        assert_eq!(three.source, "built-in three-tier");
        assert_eq!(three.tiers.order, ["A", "B", "C"]);
        assert_eq!(three.volume.share.as_ref().unwrap()["A"], d("0.7"));
        assert_eq!(three.composite.as_ref().unwrap().factors.len(), 4);
        assert_eq!(three.gates[0].above, Some(d("90")));
        assert!(three.credit.is_some());
        let four = Rules::builtin("four-tier").expect("four-tier");
        assert_eq!(four.tiers.order, ["VIP", "核心", "重点", "普通"]);
        let metrics: Vec<_> = four
            .composite
            .as_ref()
            .unwrap()
            .factors
            .iter()
            .map(|f| f.metric.to_string())
            .collect();
        assert!(metrics.contains(&"months_active".to_string()));
        assert!(metrics.contains(&"on_time_ratio".to_string()));
        assert!(metrics.contains(&"attr:员工人数".to_string()));
        assert_eq!(four.volume.metric, MetricRef::Metric(Metric::BasisSales));
        assert!(Rules::builtin("five-tier").is_none());
        assert_eq!(template_names().count(), 2);
        assert_eq!(Rules::three_tier(), three);
    }

    #[test]
    fn floats_are_exact_decimals() {
        let r = Rules::from_toml(MINIMAL, "x.toml").unwrap();
        let share = r.volume.share.unwrap();
        assert_eq!(share["A"], d("0.7"));
        assert_eq!(share["A"].to_string(), "0.7");
        assert_eq!(share["B"], d("0.9"));
        assert_eq!(r.near_boundary, d("0.05"));
    }

    #[test]
    fn defaults_for_optional_sections() {
        let r = Rules::from_toml(MINIMAL, "x.toml").unwrap();
        assert_eq!(r.window.months, 12);
        assert!(r.composite.is_none());
        assert!(r.credit.is_none());
        assert_eq!(
            r.new_clients,
            NewClients {
                months: 6,
                annualize: true
            }
        );
        assert_eq!(r.receivables.default_terms_days, 30);
        assert_eq!(r.receivables.aging_days, [30, 60, 90, 180]);
        assert_eq!(r.order_upgrade.min_price_index, d("1.05"));
        assert!(r.order_upgrade.paid_on_time);
        assert_eq!(r.special_policy.min_on_time_ratio, d("0.9"));
        assert!(r.tiers.labels.is_empty());
        assert_eq!(r.tier_label("B"), "B");
        assert_eq!(r.day_first(), None);
        assert_eq!(r.source, "x.toml");
    }

    #[test]
    fn round_trips_through_toml() {
        for name in ["three-tier", "four-tier"] {
            let r = Rules::builtin(name).unwrap();
            let back = Rules::from_toml(&r.to_toml(), &r.source).unwrap();
            assert_eq!(back, r, "{name}");
        }
    }

    #[test]
    fn metrics_serialise_as_written() {
        // The workbook stores the rules as TOML: the resolved metrics must
        // give the text the file form gives.
        for name in ["three-tier", "four-tier"] {
            let text = template_text(name).expect("template");
            let file: Rules<String> = toml::from_str(text).expect("file form");
            let rules = Rules::builtin(name).expect("template");
            assert_eq!(toml::to_string(&file).expect("toml"), rules.to_toml());
        }
        let r = Rules::from_toml(
            &with("[[gates]]\nmetric = \"attr: 员工人数\"\nbelow = 10\ncap = \"B\"\n"),
            "x",
        )
        .expect("attr with a space");
        assert_eq!(r.gates[0].metric, MetricRef::Attr(" 员工人数".into()));
        assert!(r.to_toml().contains("metric = \"attr: 员工人数\""));
    }

    #[test]
    fn tier_lookup_by_name_and_label() {
        let r = Rules::three_tier();
        assert_eq!(r.tier_index("A"), Some(0));
        assert_eq!(r.tier_index(" B类客户 "), Some(1));
        assert_eq!(r.tier_index("c"), Some(2));
        assert_eq!(r.tier_index("A级"), Some(0));
        assert_eq!(r.tier_index("D"), None);
        assert_eq!(r.tier_index(""), None);
        assert_eq!(r.tier_label("A"), "A类客户");
        assert_eq!(r.floor(), 2);
        assert_eq!(r.tier_name(1), "B");
        let four = Rules::builtin("four-tier").unwrap();
        assert_eq!(four.tier_index("核心级客户"), Some(1));
        assert_eq!(four.tier_index("vip"), Some(0));
        assert_eq!(four.tier_index("重点级"), Some(2));
    }

    #[test]
    fn error_tier_not_in_order() {
        let text = MINIMAL.replace("B = 0.90", "B = 0.90, D = 0.95");
        let msg = fails(&text, "volume.share.D");
        assert_eq!(
            msg,
            "rules file three.toml: volume.share.D: tier \"D\" is not in tiers.order (A, B, C)"
        );
        let text = MINIMAL.replace(
            "order = [\"A\", \"B\", \"C\"]",
            "order = [\"A\", \"B\", \"C\"]\nlabels = { X = \"X类\" }",
        );
        fails(&text, "tiers.labels.X");
        fails(&with("[composite]\nmin_score = { Z = 10 }\n[[composite.factors]]\nmetric = \"growth\"\nweight = 1\nbands = [[0, 50]]\n"), "composite.min_score.Z");
        fails(
            &with("[[gates]]\nmetric = \"max_days_overdue\"\nabove = 90\ncap = \"E\"\n"),
            "gates[1].cap",
        );
    }

    #[test]
    fn error_unknown_metric() {
        fails(
            &MINIMAL.replace("metric = \"sales\"", "metric = \"revenue\""),
            "volume.metric",
        );
        fails(
            &with("[[gates]]\nmetric = \"attr:\"\nbelow = 1\ncap = \"B\"\n"),
            "gates[1].metric",
        );
        fails(&with("[composite]\nmin_score = { A = 75 }\n[[composite.factors]]\nmetric = \"profit\"\nweight = 1\nbands = [[0, 50]]\n"), "composite.factors[1].metric");
    }

    fn composite(factor: &str) -> String {
        with(&format!(
            "[composite]\nmin_score = {{ A = 75, B = 55 }}\n[[composite.factors]]\n{factor}\n"
        ))
    }

    #[test]
    fn error_weight_not_positive() {
        fails(
            &composite("metric = \"growth\"\nweight = 0\nbands = [[0.2, 100]]"),
            "composite.factors[1] (growth).weight",
        );
        fails(
            &composite("metric = \"growth\"\nweight = -5\nbands = [[0.2, 100]]"),
            "weight",
        );
    }

    #[test]
    fn error_bands_not_monotonic() {
        let msg = fails(
            &composite("metric = \"price_index\"\nweight = 30\nbands = [[1.00, 80], [1.05, 100]]"),
            "composite.factors[1] (price_index).bands[2]",
        );
        assert!(msg.contains("descending"), "{msg}");
        let msg = fails(
            &composite("metric = \"max_days_overdue\"\nweight = 20\nhigher_is_better = false\nbands = [[30, 70], [0, 100]]"),
            "composite.factors[1] (max_days_overdue).bands[2]",
        );
        assert!(msg.contains("ascending"), "{msg}");
        fails(
            &composite("metric = \"growth\"\nweight = 1\nbands = []"),
            "bands",
        );
    }

    #[test]
    fn error_points_out_of_range() {
        fails(
            &composite("metric = \"growth\"\nweight = 1\nbands = [[0.2, 120]]"),
            "composite.factors[1] (growth).bands[1]",
        );
        fails(
            &composite("metric = \"growth\"\nweight = 1\nbands = [[0.2, -1]]"),
            "bands[1]",
        );
    }

    #[test]
    fn error_min_score() {
        let text = with("[composite]\nmin_score = { A = 55, B = 75 }\n[[composite.factors]]\nmetric = \"growth\"\nweight = 1\nbands = [[0, 50]]\n");
        fails(&text, "composite.min_score.B");
        let text = with("[composite]\nmin_score = { A = 150 }\n[[composite.factors]]\nmetric = \"growth\"\nweight = 1\nbands = [[0, 50]]\n");
        fails(&text, "composite.min_score.A");
        fails(
            &with("[composite]\nmin_score = { A = 75 }\nfactors = []\n"),
            "composite.factors",
        );
    }

    #[test]
    fn error_shares() {
        fails(&MINIMAL.replace("A = 0.70", "A = 0"), "volume.share.A");
        fails(&MINIMAL.replace("A = 0.70", "A = 1.2"), "volume.share.A");
        let msg = fails(&MINIMAL.replace("B = 0.90", "B = 0.60"), "volume.share.B");
        assert!(msg.contains("increasing"), "{msg}");
        fails(
            &MINIMAL.replace("share = { A = 0.70, B = 0.90 }", ""),
            "volume.share",
        );
        fails(
            &with("").replace("share = {", "min = { A = 1 }\nshare = {"),
            "volume.min",
        );
    }

    #[test]
    fn error_threshold_mins() {
        let base = MINIMAL.replace("cumulative_share", "threshold");
        let ok = base.replace(
            "share = { A = 0.70, B = 0.90 }",
            "min = { A = 5000000, B = 1000000 }",
        );
        let r = Rules::from_toml(&ok, "x").unwrap();
        assert_eq!(r.volume.method, VolumeMethod::Threshold);
        let msg = fails(&ok.replace("B = 1000000", "B = 5000000"), "volume.min.B");
        assert!(msg.contains("decreasing"), "{msg}");
        fails(&base, "volume.min");
    }

    #[test]
    fn error_order() {
        fails(
            &MINIMAL.replace("[\"A\", \"B\", \"C\"]", "[]"),
            "tiers.order",
        );
        let msg = fails(
            &MINIMAL.replace("[\"A\", \"B\", \"C\"]", "[\"A\", \"B\", \"B\"]"),
            "tiers.order",
        );
        assert!(msg.contains("twice"), "{msg}");
    }

    #[test]
    fn error_months_out_of_range() {
        // (section, its limit, how the loaded rules hold the months)
        type MonthsOf = fn(&Rules) -> u32;
        let cases: [(&str, u32, MonthsOf); 2] = [
            ("window", 120, |r| r.window.months),
            ("new_clients", 60, |r| r.new_clients.months),
        ];
        for (section, max, months_of) in cases {
            let key = format!("{section}.months");
            for bad in [0, max + 1] {
                let msg = fails(&with(&format!("[{section}]\nmonths = {bad}\n")), &key);
                assert!(
                    msg.contains(&format!("from 1 to {max}, found {bad}")),
                    "{msg}"
                );
            }
            for good in [1, max] {
                let r = Rules::from_toml(&with(&format!("[{section}]\nmonths = {good}\n")), "x")
                    .expect("months within the limits");
                assert_eq!(months_of(&r), good, "{key}");
            }
        }
    }

    #[test]
    fn error_gate_above_below() {
        fails(
            &with(
                "[[gates]]\nmetric = \"max_days_overdue\"\nabove = 90\nbelow = 10\ncap = \"B\"\n",
            ),
            "gates[1]",
        );
        let msg = fails(
            &with("[[gates]]\nmetric = \"max_days_overdue\"\ncap = \"B\"\n"),
            "gates[1]",
        );
        assert!(msg.contains("above"), "{msg}");
    }

    #[test]
    fn error_aging_days() {
        fails(
            &with("[receivables]\naging_days = [30, 90, 60]\n"),
            "receivables.aging_days",
        );
        fails(
            &with("[receivables]\naging_days = []\n"),
            "receivables.aging_days",
        );
    }

    #[test]
    fn aging_basis_defaults_to_due_date_and_names_its_key() {
        let r = Rules::from_toml(MINIMAL, "x").unwrap();
        assert_eq!(r.receivables.aging_basis, AgingBasis::DueDate);
        let r = Rules::from_toml(
            &with("[receivables]\naging_basis = \"invoice_date\"\n"),
            "x",
        )
        .unwrap();
        assert_eq!(r.receivables.aging_basis, AgingBasis::InvoiceDate);
        let back = Rules::from_toml(&r.to_toml(), "x").unwrap();
        assert_eq!(back.receivables.aging_basis, AgingBasis::InvoiceDate);
        // The default is left out, so stored rules read as before.
        assert!(!Rules::three_tier().to_toml().contains("aging_basis"));
        let msg = fails(
            &with("[receivables]\naging_basis = \"posting_date\"\n"),
            "receivables.aging_basis",
        );
        assert!(msg.contains("\"invoice_date\""), "{msg}");
    }

    #[test]
    fn error_date_format() {
        fails(
            &format!("date_format = \"yyyy.dd.mm\"\n{MINIMAL}"),
            "date_format",
        );
        let r = Rules::from_toml(&format!("date_format = \"dd/mm/yyyy\"\n{MINIMAL}"), "x").unwrap();
        assert_eq!(r.day_first(), Some(true));
    }

    #[test]
    fn error_method_unknown() {
        let msg = fails(
            &MINIMAL.replace("cumulative_share", "ranking"),
            "volume.method",
        );
        assert!(msg.contains("threshold"), "{msg}");
    }

    #[test]
    fn error_credit() {
        let credit = "[credit]\norder = [\"优\", \"良\"]\nmin_score = { \"优\" = 85, \"中\" = 50 }\n[[credit.factors]]\nmetric = \"on_time_ratio\"\nweight = 1\nbands = [[0.9, 100]]\n";
        let msg = fails(&with(credit), "credit.min_score.\"中\"");
        assert!(msg.contains("credit.order (优, 良)"), "{msg}");
    }

    #[test]
    fn error_syntax_and_unknown_keys_come_from_toml() {
        let msg = fails(&with("[volume2]\nx = 1\n"), "volume2");
        assert!(msg.contains("line"), "{msg}");
        let msg = fails(
            &MINIMAL.replace("metric = \"sales\"", "metric = \"sales\"\nmetrc = \"x\""),
            "metrc",
        );
        assert!(msg.contains("line"), "{msg}");
        fails("name = \"t\"\n[tiers\n", "line");
        fails(
            &with("[columns.orders]\namount = \"金额\"\n"),
            "columns.orders",
        );
    }
}
