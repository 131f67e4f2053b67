//! The machine-readable result of SPEC 7.3. Names are part of the contract.
//! Money is written as JSON numbers holding the exact decimal; ratios and
//! scores are rounded to six decimals; absent values are null, never omitted.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{json, Number, Value};

use crate::labels::Lang;
use crate::model::finance::{Finance, LineKind, ReceiptTotals, StatementRow, UnmatchedReceipt};
use crate::model::metrics::Metric;
use crate::model::receivables::Debt;
use crate::model::{LedgerTotals, Period};
use crate::read::{Issue, SheetSummary};
use crate::report::evaluation::Evaluation;
use crate::report::reasons::{next_tier_text, reason_texts};
use crate::report::reconcile::Reconciliation;
use crate::rules::Rules;

/// An exact decimal as a JSON number.
pub fn money(d: Decimal) -> Value {
    Number::from_str(&decimal_text(d)).map_or(Value::Null, Value::Number)
}

/// The text of `d` without trailing zeros, as rust_decimal writes
/// `d.normalize()` (`-0.50` is `-0.5`, `-0.00` is `0`), made without the
/// formatting machinery: a statement's JSON has hundreds of thousands.
fn decimal_text(d: Decimal) -> String {
    let d = d.normalize();
    let m = d.mantissa();
    let scale = d.scale() as usize;
    // A mantissa has at most 29 digits (96 bits) and the scale is at most 28.
    let mut digits = [0u8; 40];
    let mut at = digits.len();
    let mut u = m.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    // Zeros before the first digit when the point comes first (0.05).
    while digits.len() - at <= scale {
        at -= 1;
        digits[at] = b'0';
    }
    let digits = &digits[at..];
    let (whole, frac) = digits.split_at(digits.len() - scale);
    let mut s = String::with_capacity(digits.len() + 2);
    if m < 0 {
        s.push('-');
    }
    s.extend(whole.iter().map(|&b| char::from(b)));
    if !frac.is_empty() {
        s.push('.');
        s.extend(frac.iter().map(|&b| char::from(b)));
    }
    s
}

/// A ratio or score rounded to six decimals.
pub fn ratio(d: Decimal) -> Value {
    money(d.round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero))
}

fn opt<T>(v: Option<T>, f: impl Fn(T) -> Value) -> Value {
    v.map_or(Value::Null, f)
}

fn date(d: chrono::NaiveDate) -> Value {
    Value::String(Day(d).to_string())
}

/// Aging bucket names for the edges of `receivables.aging_days`:
/// `not_due, d1_30, d31_60, …, over_180`.
pub fn aging_keys(edges: &[u32]) -> Vec<String> {
    let mut keys = vec!["not_due".to_string()];
    let mut lo = 1;
    for &e in edges {
        keys.push(format!("d{lo}_{e}"));
        lo = e + 1;
    }
    keys.push(format!("over_{}", lo.saturating_sub(1)));
    keys
}

/// The JSON document of an evaluation (`--json`), serialized as it is
/// written: nothing but the small header parts is built as a tree, so a large
/// customer list costs no more memory than its bytes.
pub fn evaluation_json<'a>(ev: &'a Evaluation<'a>, source: &'a str) -> EvaluationJson<'a> {
    EvaluationJson { ev, source }
}

/// See [`evaluation_json`].
pub struct EvaluationJson<'a> {
    ev: &'a Evaluation<'a>,
    source: &'a str,
}

/// A date as a `YYYY-MM-DD` string, formatted straight into the output.
struct Day(chrono::NaiveDate);

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// `YYYY-MM-DD`, as chrono's `%Y-%m-%d` writes it, without parsing the
/// pattern for each of the hundreds of thousands of dates a statement has.
impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use chrono::Datelike;
        let d = self.0;
        match d.year() {
            y @ 0..=9999 => write!(f, "{y:04}-{:02}-{:02}", d.month(), d.day()),
            _ => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

fn day(d: Option<chrono::NaiveDate>) -> Option<Day> {
    d.map(Day)
}

/// The head every command's JSON starts with (SPEC 7.3): `tool`, `version`,
/// `as_of`, `window`, `prior_window`, `rules`, `inputs` and `totals`, written
/// from one place so `evaluate`, `monthly` and `reconcile` agree.
pub struct Head<'a> {
    pub period: &'a Period,
    pub rules: &'a Rules,
    /// Where the rules came from: a path, or `built-in three-tier`.
    pub source: &'a str,
    pub inputs: &'a [SheetSummary],
    pub totals: &'a LedgerTotals,
    /// The receipts' control totals, when receipts were given.
    pub receipts: Option<Value>,
}

impl<'a> Head<'a> {
    /// The head of a graded run's JSON.
    pub fn of(ev: &'a Evaluation<'a>, source: &'a str) -> Head<'a> {
        Head {
            period: &ev.model.period,
            rules: ev.rules,
            source,
            inputs: ev.inputs,
            totals: &ev.model.totals,
            receipts: ev
                .finance
                .filter(|f| f.has_receipts)
                .map(|f| receipt_totals(&f.totals)),
        }
    }

    /// Writes the head's entries into an open JSON object.
    ///
    /// # Errors
    /// The serializer fails.
    pub fn write<M: SerializeMap>(&self, root: &mut M) -> Result<(), M::Error> {
        let (p, w) = (self.period, &self.period.window);
        root.serialize_entry("tool", "tierbook")?;
        root.serialize_entry("version", env!("CARGO_PKG_VERSION"))?;
        root.serialize_entry("as_of", &Day(p.as_of))?;
        root.serialize_entry(
            "window",
            &json!({"start": date(w.start), "end": date(w.end), "months": w.months}),
        )?;
        root.serialize_entry(
            "prior_window",
            &json!({"start": date(w.prior_start), "end": date(w.prior_end)}),
        )?;
        root.serialize_entry(
            "rules",
            &json!({"name": self.rules.name, "source": self.source}),
        )?;
        root.serialize_entry("inputs", &inputs(self.inputs))?;
        let t = self.totals;
        let mut totals = json!({"ledger": {
            "rows_read": t.rows_read,
            "accepted": t.accepted,
            "rejected": t.rejected,
            "totals_rows": t.totals_rows,
            "accepted_amount": money(t.accepted_amount),
            "in_window": money(t.in_window),
            "before_window": money(t.before_window),
            "after_as_of": money(t.after_as_of),
            "customer_sales": money(t.customer_sales),
        }});
        if let (Some(r), Some(map)) = (&self.receipts, totals.as_object_mut()) {
            map.insert("receipts".to_string(), r.clone());
        }
        root.serialize_entry("totals", &totals)
    }
}

impl Serialize for EvaluationJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ev = self.ev;
        let mut root = s.serialize_map(None)?;
        Head::of(ev, self.source).write(&mut root)?;
        let tiers: Vec<Value> = ev
            .tier_table()
            .into_iter()
            .map(|(tier, label, n, s, share)| {
                json!({"tier": tier, "label": label, "customers": n, "sales": money(s), "share": opt(share, ratio)})
            })
            .collect();
        root.serialize_entry("tiers", &tiers)?;
        root.serialize_entry(
            "customers",
            &Customers {
                ev,
                keys: aging_keys(&ev.rules.receivables.aging_days),
            },
        )?;
        let unmatched = ev.finance.map_or(&[][..], |f| f.unmatched.as_slice());
        root.serialize_entry("unmatched_receipts", &unmatched_receipts(unmatched))?;
        root.serialize_entry("issues", &Issues(ev.issues, ev.lang))?;
        root.end()
    }
}

/// `totals.receipts` (SPEC 7.3, 7.6): row counts and the control total
/// received = applied + unapplied + unmatched; receipts after as_of apart.
pub fn receipt_totals(t: &ReceiptTotals) -> Value {
    json!({
        "rows_read": t.rows_read,
        "accepted": t.accepted,
        "rejected": t.rejected,
        "totals_rows": t.totals_rows,
        "accepted_amount": money(t.accepted_amount),
        "received": money(t.received),
        "applied": money(t.applied),
        "unapplied": money(t.unapplied),
        "unmatched": money(t.unmatched),
        "after_as_of": money(t.after_as_of),
    })
}

/// `unmatched_receipts` (SPEC 7.3): receipts of customers with no ledger
/// line on or before as_of.
pub fn unmatched_receipts(list: &[UnmatchedReceipt]) -> Vec<Value> {
    list.iter()
        .map(|u| {
            json!({
                "file": u.file,
                "sheet": u.sheet,
                "row": u.row,
                "date": date(u.date),
                "customer": u.customer,
                "amount": money(u.amount),
            })
        })
        .collect()
}

/// Inputs grouped by (kind, file), sheets in order.
fn inputs(sheets: &[SheetSummary]) -> Vec<Value> {
    let mut inputs: Vec<Value> = Vec::new();
    let mut last: Option<(String, String)> = None;
    for s in sheets {
        let key = (s.kind.as_str().to_string(), s.file.clone());
        let sheet = json!({
            "sheet": s.sheet,
            "header_row": s.header_row,
            "rows_read": s.stats.rows_read,
            "accepted": s.stats.accepted,
            "rejected": s.stats.rejected,
            "totals_rows": s.stats.totals_rows,
            "columns": s.columns,
        });
        if last.as_ref() == Some(&key) {
            if let Some(Value::Array(a)) = inputs.last_mut().and_then(|v| v.get_mut("sheets")) {
                a.push(sheet);
                continue;
            }
        }
        inputs.push(json!({"kind": key.0, "file": key.1, "sheets": [sheet]}));
        last = Some(key);
    }
    inputs
}

struct Customers<'a> {
    ev: &'a Evaluation<'a>,
    keys: Vec<String>,
}

impl Serialize for Customers<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ev = self.ev;
        s.collect_seq(ev.order().into_iter().map(|i| Customer {
            ev,
            keys: &self.keys,
            i,
        }))
    }
}

struct Customer<'a> {
    ev: &'a Evaluation<'a>,
    keys: &'a [String],
    i: usize,
}

/// Aging buckets by key, or every key null.
struct Aging<'a> {
    keys: &'a [String],
    buckets: Option<&'a [Decimal]>,
}

impl Serialize for Aging<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.buckets {
            Some(buckets) => s.collect_map(self.keys.iter().zip(buckets.iter().map(|d| money(*d)))),
            None => s.collect_map(self.keys.iter().map(|k| (k, ()))),
        }
    }
}

struct Attrs<'a>(&'a std::collections::BTreeMap<String, Decimal>);

impl Serialize for Attrs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, money(*v))))
    }
}

impl Serialize for Customer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ev = self.ev;
        let (c, g) = (&ev.model.customers[self.i], &ev.grades[self.i]);
        let mut o = s.serialize_map(Some(41))?;
        o.serialize_entry("key", &c.key)?;
        o.serialize_entry("id", &c.id)?;
        o.serialize_entry("name", &c.name)?;
        o.serialize_entry("region", &c.region)?;
        o.serialize_entry("sales_rep", &c.sales_rep)?;
        o.serialize_entry(Metric::Sales.name(), &money(c.sales))?;
        o.serialize_entry(Metric::PriorSales.name(), &money(c.prior_sales))?;
        o.serialize_entry(Metric::Growth.name(), &opt(c.growth, ratio))?;
        o.serialize_entry(Metric::Quantity.name(), &money(c.quantity))?;
        o.serialize_entry(Metric::Orders.name(), &c.orders)?;
        o.serialize_entry("first_date", &day(c.first_date))?;
        o.serialize_entry(Metric::MonthsActive.name(), &c.months_active)?;
        o.serialize_entry("provisional", &c.provisional)?;
        o.serialize_entry("formal_evaluation_date", &day(c.formal_evaluation_date))?;
        o.serialize_entry(Metric::BasisSales.name(), &money(c.basis_sales))?;
        o.serialize_entry(Metric::PriceIndex.name(), &opt(c.price_index, ratio))?;
        o.serialize_entry(Metric::Receipts.name(), &opt(c.receipts, money))?;
        o.serialize_entry(
            Metric::CollectionRate.name(),
            &opt(c.collection_rate, ratio),
        )?;
        o.serialize_entry(Metric::Outstanding.name(), &opt(c.outstanding, money))?;
        o.serialize_entry(Metric::Overdue.name(), &opt(c.overdue, money))?;
        o.serialize_entry(
            "aging",
            &Aging {
                keys: self.keys,
                buckets: c.aging.as_deref(),
            },
        )?;
        o.serialize_entry(Metric::MaxDaysOverdue.name(), &c.max_days_overdue)?;
        o.serialize_entry(Metric::OnTimeRatio.name(), &opt(c.on_time_ratio, ratio))?;
        o.serialize_entry(Metric::AvgDaysToPay.name(), &opt(c.avg_days_to_pay, ratio))?;
        o.serialize_entry(Metric::Dso.name(), &opt(c.dso, ratio))?;
        o.serialize_entry(Metric::CreditUsage.name(), &opt(c.credit_usage, ratio))?;
        o.serialize_entry("attrs", &Attrs(&c.attrs))?;
        o.serialize_entry("volume_tier", ev.rules.tier_name(g.volume_tier))?;
        o.serialize_entry("composite_score", &opt(g.composite_score, ratio))?;
        o.serialize_entry(
            "composite_tier",
            &g.composite_tier.map(|t| ev.rules.tier_name(t)),
        )?;
        o.serialize_entry("grade", ev.rules.tier_name(g.grade))?;
        o.serialize_entry("credit_rating", &g.credit_rating)?;
        o.serialize_entry("previous_grade", &g.previous_grade)?;
        o.serialize_entry("change", g.change.as_str())?;
        o.serialize_entry("reasons", &reason_texts(&g.reasons, ev.rules, ev.lang))?;
        o.serialize_entry("near_boundary", &g.near_boundary)?;
        o.serialize_entry("to_next_tier", &next_tier_text(g, ev.rules, ev.lang))?;
        o.end()
    }
}

/// The JSON document of `reconcile --json` (SPEC 7.3): the head (with
/// `totals.receipts`), then `statements` (one per customer of the
/// Statements sheet, with its lines), `open_items`, `unmatched_receipts` and
/// `issues`, streamed as written.
pub fn reconciliation_json<'a>(
    rec: &'a Reconciliation<'a>,
    source: &'a str,
) -> ReconciliationJson<'a> {
    ReconciliationJson {
        rec,
        source,
        customers: rec.customers(),
        keys: aging_keys(&rec.rules.receivables.aging_days),
    }
}

/// See [`reconciliation_json`].
pub struct ReconciliationJson<'a> {
    rec: &'a Reconciliation<'a>,
    source: &'a str,
    customers: &'a [usize],
    keys: Vec<String>,
}

impl ReconciliationJson<'_> {
    fn open_items(&self, i: usize) -> impl Iterator<Item = OpenItemJson<'_>> + '_ {
        let accounts = &self.rec.finance.accounts[i];
        accounts.open_items.iter().map(move |item| OpenItemJson {
            json: self,
            i,
            item,
        })
    }
}

/// One open item, serialised as written (no tree of its own).
struct OpenItemJson<'a> {
    json: &'a ReconciliationJson<'a>,
    /// The customer (an index into the model's customers).
    i: usize,
    item: &'a crate::model::receivables::OpenItem,
}

impl Serialize for OpenItemJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (fin, o) = (self.json.rec.finance, self.item);
        let c = &self.json.rec.model.customers[self.i];
        let kind = match o.debt {
            Debt::Invoice(_) => "invoice",
            Debt::Refund(_) => "refund",
        };
        let order = Some(fin.text(o.order)).filter(|t| !t.is_empty());
        let mut m = s.serialize_map(Some(12))?;
        m.serialize_entry("key", &c.key)?;
        m.serialize_entry("id", &c.id)?;
        m.serialize_entry("name", &c.name)?;
        m.serialize_entry("kind", kind)?;
        m.serialize_entry("order", &order)?;
        m.serialize_entry("date", &Day(o.date))?;
        m.serialize_entry("due_date", &Day(o.due))?;
        m.serialize_entry("amount", &money(o.amount))?;
        m.serialize_entry("settled", &money(o.settled))?;
        m.serialize_entry("remaining", &money(o.remaining))?;
        m.serialize_entry("days_past_due", &o.days_past_due)?;
        m.serialize_entry("bucket", &self.json.keys.get(o.bucket))?;
        m.end()
    }
}

/// One customer's statement, serialised as written: its lines are not built
/// as a tree first (a large customer has tens of thousands).
struct StatementJson<'a> {
    json: &'a ReconciliationJson<'a>,
    i: usize,
}

impl Serialize for StatementJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (fin, c) = (
            self.json.rec.finance,
            &self.json.rec.model.customers[self.i],
        );
        let a = &fin.accounts[self.i];
        let mut o = s.serialize_map(Some(12))?;
        o.serialize_entry("key", &c.key)?;
        o.serialize_entry("id", &c.id)?;
        o.serialize_entry("name", &c.name)?;
        o.serialize_entry("opening", &money(a.opening))?;
        o.serialize_entry("invoiced", &money(a.invoiced))?;
        o.serialize_entry("credit_notes", &money(a.credit_notes))?;
        o.serialize_entry("received", &money(a.received))?;
        o.serialize_entry("closing", &money(a.closing))?;
        o.serialize_entry("outstanding", &opt(c.outstanding, money))?;
        o.serialize_entry("unapplied", &money(a.unapplied))?;
        let aging = Aging {
            keys: &self.json.keys,
            buckets: c.aging.as_deref(),
        };
        o.serialize_entry("aging", &aging)?;
        let lines = Seq(|| a.lines.iter().map(|l| LineJson(fin, l)));
        o.serialize_entry("lines", &lines)?;
        o.end()
    }
}

/// A statement line: date, kind, order, source order, amount, balance.
struct LineJson<'a>(&'a Finance, &'a StatementRow);

impl Serialize for LineJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (fin, l) = (self.0, self.1);
        let kind = match l.kind {
            LineKind::Invoice => "invoice",
            LineKind::CreditNote => "credit_note",
            LineKind::Receipt if l.amount < Decimal::ZERO => "refund",
            LineKind::Receipt => "receipt",
        };
        let text = |t: u32| Some(fin.text(t)).filter(|t| !t.is_empty());
        let mut o = s.serialize_map(Some(6))?;
        o.serialize_entry("date", &Day(l.date))?;
        o.serialize_entry("kind", kind)?;
        o.serialize_entry("order", &text(l.order))?;
        o.serialize_entry("source_order", &text(l.source_order))?;
        o.serialize_entry("amount", &money(l.amount))?;
        o.serialize_entry("balance", &money(l.balance))?;
        o.end()
    }
}

impl Serialize for ReconciliationJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let rec = self.rec;
        let mut root = s.serialize_map(None)?;
        Head {
            period: &rec.model.period,
            rules: rec.rules,
            source: self.source,
            inputs: rec.inputs,
            totals: &rec.model.totals,
            receipts: Some(receipt_totals(&rec.finance.totals)),
        }
        .write(&mut root)?;
        let statements = Seq(|| {
            self.customers
                .iter()
                .map(|&i| StatementJson { json: self, i })
        });
        root.serialize_entry("statements", &statements)?;
        root.serialize_entry(
            "open_items",
            &Seq(|| self.customers.iter().flat_map(|&i| self.open_items(i))),
        )?;
        root.serialize_entry(
            "unmatched_receipts",
            &unmatched_receipts(&rec.finance.unmatched),
        )?;
        root.serialize_entry("issues", &Issues(rec.issues, rec.lang))?;
        root.end()
    }
}

/// A sequence serialised from a fresh iterator, item by item.
struct Seq<F>(F);

impl<F, I> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

/// Every issue of a run as SPEC 7.3's `issues` array, messages in `lang`.
pub struct Issues<'a>(pub &'a [Issue], pub Lang);

impl Serialize for Issues<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let lang = self.1;
        s.collect_seq(self.0.iter().map(|i| {
            json!({
                "file": i.file,
                "sheet": i.sheet,
                "row": i.row,
                "column": i.column,
                "kind": i.kind,
                "message": i.problem.message(lang),
                "cells": i.cells,
            })
        }))
    }
}

/// Streams pretty JSON with a final newline to `w`.
///
/// # Errors
/// Writing fails, or a value cannot be serialised.
pub fn write_pretty(w: &mut dyn std::io::Write, v: &impl Serialize) -> std::io::Result<()> {
    // The many small pieces of pretty printing go to a buffer of a known
    // type (no dynamic call each), passed on to `w` in large writes.
    let mut b = std::io::BufWriter::with_capacity(1 << 16, w);
    serde_json::to_writer_pretty(&mut b, v)?;
    std::io::Write::write_all(&mut b, b"\n")?;
    std::io::Write::flush(&mut b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_written_as_chrono_writes_them() {
        for (y, m, d) in [
            (1, 1, 1),
            (999, 12, 31),
            (1950, 1, 1),
            (2025, 2, 28),
            (9999, 12, 31),
        ] {
            let day = chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date");
            assert_eq!(Day(day).to_string(), day.format("%Y-%m-%d").to_string());
        }
        for day in [chrono::NaiveDate::MIN, chrono::NaiveDate::MAX] {
            assert_eq!(Day(day).to_string(), day.format("%Y-%m-%d").to_string());
        }
    }

    #[test]
    fn money_is_exact() {
        let d = Decimal::from_str("12345678901234567.89").expect("d");
        assert_eq!(
            serde_json::to_string(&money(d)).expect("json"),
            "12345678901234567.89"
        );
        assert_eq!(
            serde_json::to_string(&money(Decimal::new(1500, 2))).expect("json"),
            "15"
        );
        assert_eq!(
            serde_json::to_string(&ratio(Decimal::from_str("0.12345678").expect("d")))
                .expect("json"),
            "0.123457"
        );
    }

    #[test]
    fn decimal_text_is_rust_decimals_text() {
        for t in [
            "0",
            "-0",
            "-0.00",
            "0.05",
            "-0.050",
            "1",
            "10",
            "100.00",
            "-356.73",
            "1e-28",
            "0.0000000000000000000000000001",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "7.9228162514264337593543950335",
            "123456789.123456789",
        ] {
            let d = Decimal::from_str(t)
                .or_else(|_| Decimal::from_scientific(t))
                .expect("decimal");
            assert_eq!(decimal_text(d), d.normalize().to_string(), "{t}");
        }
    }

    proptest::proptest! {
        #[test]
        fn decimal_text_matches_for_any_decimal(lo: u32, mid: u32, hi: u32, neg: bool, scale in 0u32..=28) {
            let d = Decimal::from_parts(lo, mid, hi, neg, scale);
            proptest::prop_assert_eq!(decimal_text(d), d.normalize().to_string());
        }
    }

    #[test]
    fn aging_keys_follow_edges() {
        assert_eq!(
            aging_keys(&[30, 60, 90, 180]),
            vec!["not_due", "d1_30", "d31_60", "d61_90", "d91_180", "over_180"]
        );
        assert_eq!(aging_keys(&[45]), vec!["not_due", "d1_45", "over_45"]);
    }
}
