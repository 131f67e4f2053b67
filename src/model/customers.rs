//! From accumulators to customers (SPEC 4, 10): the customer master's facts
//! merged in (duplicate rows and first dates after the as-of date warned
//! about), the population completed with master and previous-grade
//! customers, and each customer's metrics derived.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::identity::{Identities, Key};
use super::period::{add_months, months_active, Period};
use super::sales::{Acc, SalesFold};
use super::{checked_add, checked_mul, ModelError, ModelOptions};
use crate::model::Metrics;
use crate::read::intern::{FxMap, Interner, NONE};
use crate::read::master::{MasterRecord, Place, Who};
use crate::read::previous::PreviousRecord;
use crate::read::{Issue, IssueKind, Problem};

/// A warning about a row of the customer master or the previous grades.
fn row_warning(place: &Place, cells: &[String], problem: Problem) -> Issue {
    Issue {
        kind: IssueKind::Warning,
        file: place.file.clone(),
        sheet: place.sheet.clone(),
        row: Some(place.row),
        column: None,
        problem,
        cells: cells.to_vec(),
    }
}

/// How a row names its customer in a message: the ID, else the name.
fn shown_key(who: &Who) -> String {
    who.id
        .clone()
        .or_else(|| who.name.clone())
        .unwrap_or_default()
}

/// The master row of each customer key (the first row of a key wins; a
/// second one is a warning naming both), and every master customer whose
/// first date is on or before the as-of date added to the population. A
/// row whose first date is after the as-of date is kept for its region,
/// rep, terms and attributes (its date is not used: [`Derive::metrics`]),
/// with a warning.
pub fn merge_master<'m>(
    fold: &mut SalesFold,
    master: &'m [MasterRecord],
    identities: &Identities,
    strings: &mut Interner,
    as_of: NaiveDate,
    issues: &mut Vec<Issue>,
) -> FxMap<Key, &'m MasterRecord> {
    let mut by_key: FxMap<Key, &MasterRecord> = FxMap::default();
    for m in master {
        let key = identities.key_of(&m.who, strings);
        if let Some(first) = by_key.get(&key) {
            let problem = Problem::DuplicateMasterRow {
                key: shown_key(&m.who),
                first: (
                    first.place.file.clone(),
                    first.place.sheet.clone(),
                    first.place.row,
                ),
            };
            issues.push(row_warning(&m.place, &m.cells, problem));
            continue;
        }
        by_key.insert(key, m);
        match m.first_date.filter(|d| *d > as_of) {
            Some(first_date) => issues.push(row_warning(
                &m.place,
                &m.cells,
                Problem::MasterFirstDateAfterAsOf {
                    key: shown_key(&m.who),
                    first_date,
                    as_of,
                },
            )),
            None => {
                let name = m.who.name.as_deref().map_or(NONE, |n| strings.intern(n));
                fold.customer(key, name);
            }
        }
    }
    by_key
}

/// Every previous-grade row's key and grade, each customer added to the
/// population; a customer's second row is a warning naming both (the first
/// is kept).
pub fn merge_previous(
    fold: &mut SalesFold,
    previous: &[PreviousRecord],
    identities: &Identities,
    strings: &mut Interner,
    issues: &mut Vec<Issue>,
) -> Vec<(Key, String)> {
    let mut out = Vec::with_capacity(previous.len());
    let mut first: FxMap<Key, &Place> = FxMap::default();
    for p in previous {
        let key = identities.key_of(&p.who, strings);
        if let Some(f) = first.get(&key) {
            let problem = Problem::DuplicatePreviousRow {
                key: shown_key(&p.who),
                first: (f.file.clone(), f.sheet.clone(), f.row),
            };
            issues.push(row_warning(&p.place, &p.cells, problem));
            continue;
        }
        first.insert(key, &p.place);
        out.push((key, p.grade.clone()));
        let name = p.who.name.as_deref().map_or(NONE, |n| strings.intern(n));
        fold.customer(key, name);
    }
    out
}

/// What metric derivation needs besides the accumulator.
pub struct Derive<'a> {
    pub period: Period,
    pub opts: &'a ModelOptions,
    pub strings: &'a Interner,
    pub means: &'a FxMap<u32, Decimal>,
}

impl Derive<'_> {
    fn text(&self, i: u32) -> Option<String> {
        (i != NONE).then(|| self.strings.get(i).unwrap_or_default().to_string())
    }

    /// One customer's metrics.
    ///
    /// # Errors
    /// A figure overflows ([`ModelError::Overflow`] naming the customer).
    pub fn metrics(
        &self,
        acc: &Acc,
        key: Key,
        m: Option<&MasterRecord>,
    ) -> Result<Metrics, ModelError> {
        let (id, key_text) = match key {
            Key::Id(i) => {
                let t = self.text(i).unwrap_or_default();
                (Some(t.clone()), t)
            }
            Key::Name(n) => (None, self.text(n).unwrap_or_default()),
        };
        let as_of = self.period.as_of;
        let name = self
            .text(acc.name)
            .or_else(|| m.and_then(|m| m.who.name.clone()))
            .unwrap_or_else(|| key_text.clone());
        let first_date = m
            .and_then(|m| m.first_date)
            .filter(|d| *d <= as_of)
            .or(acc.first_date);
        let months_active = first_date.map(|f| months_active(f, as_of));
        let new_months = self.opts.new_client_months as i32;
        let provisional = first_date.is_some_and(|f| add_months(f, new_months) > as_of);
        let formal_evaluation_date = first_date
            .filter(|_| provisional)
            .map(|f| add_months(f, new_months));
        let overflow = || format!("customer {key_text}");
        let basis_sales = self.basis_sales(acc.sales, provisional, months_active, overflow)?;
        let growth = match acc.prior > Decimal::ZERO {
            true => Some(ratio(acc.sales, acc.prior, overflow)? - Decimal::ONE),
            false => None,
        };
        let price_index = self.price_index(acc, overflow)?;
        Ok(Metrics {
            key: key_text.clone(),
            id,
            name,
            region: m
                .and_then(|m| m.region.clone())
                .or_else(|| self.text(acc.region)),
            sales_rep: m
                .and_then(|m| m.sales_rep.clone())
                .or_else(|| self.text(acc.sales_rep)),
            sales: acc.sales,
            prior_sales: acc.prior,
            growth,
            quantity: acc.quantity,
            orders: acc.orders.len() as u64 + acc.unnumbered_lines,
            first_date,
            months_active,
            provisional,
            formal_evaluation_date,
            basis_sales,
            price_index,
            has_window_lines: acc.has_window_lines,
            attrs: m.map(|m| m.attrs.clone()).unwrap_or_default(),
            special_policy: m.and_then(|m| m.special_policy.clone()),
            credit_limit: m.and_then(|m| m.credit_limit),
            terms_days: m.and_then(|m| m.terms_days),
            ..Metrics::default()
        })
    }

    /// Sales × M / min(months active, M) for provisional customers when the
    /// rules annualise; else the sales (SPEC 4 basis_sales).
    fn basis_sales(
        &self,
        sales: Decimal,
        provisional: bool,
        months_active: Option<i64>,
        overflow: impl Fn() -> String,
    ) -> Result<Decimal, ModelError> {
        let big_m = self.period.window.months;
        match months_active {
            Some(ma) if provisional && self.opts.annualize && ma > 0 => {
                let months = Decimal::from(ma.min(big_m as i64));
                ratio(
                    checked_mul(sales, Decimal::from(big_m), &overflow)?,
                    months,
                    overflow,
                )
            }
            _ => Ok(sales),
        }
    }

    /// Σ amount / Σ (quantity × reference price) over the counted lines
    /// (SPEC 4, 9); every counted product line fed its product's mean.
    fn price_index(
        &self,
        acc: &Acc,
        overflow: impl Fn() -> String,
    ) -> Result<Option<Decimal>, ModelError> {
        if acc.pi_lines == 0 {
            return Ok(None);
        }
        let mut reference = acc.pi_list;
        for (p, q) in &acc.pi_products {
            let mean = self.means.get(p).copied().unwrap_or_default();
            checked_add(&mut reference, checked_mul(*q, mean, &overflow)?, &overflow)?;
        }
        if reference > Decimal::ZERO {
            Ok(Some(ratio(acc.pi_amount, reference, overflow)?))
        } else {
            Ok(None)
        }
    }
}

/// `a / b`, an overflow an error naming what it is about.
fn ratio(a: Decimal, b: Decimal, what: impl Fn() -> String) -> Result<Decimal, ModelError> {
    a.checked_div(b).ok_or_else(|| ModelError::Overflow(what()))
}
