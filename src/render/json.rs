//! The machine-readable result of SPEC 7.3. Names are part of the contract.
//! Money is written as JSON numbers holding the exact decimal; ratios and
//! scores are rounded to six decimals; absent values are null, never omitted.

use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Map, Number, Value};

use crate::report::evaluation::Evaluation;

/// An exact decimal as a JSON number.
pub fn money(d: Decimal) -> Value {
    let s = d.normalize().to_string();
    Number::from_str(&s).map_or(Value::Null, Value::Number)
}

/// A ratio or score rounded to six decimals.
pub fn ratio(d: Decimal) -> Value {
    money(d.round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero))
}

fn opt<T>(v: Option<T>, f: impl Fn(T) -> Value) -> Value {
    v.map_or(Value::Null, f)
}

fn date(d: chrono::NaiveDate) -> Value {
    Value::String(d.format("%Y-%m-%d").to_string())
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

/// The JSON document of an evaluation (`--json`).
pub fn evaluation_json(ev: &Evaluation, source: &str) -> Value {
    let m = ev.model;
    let mut root = Map::new();
    root.insert("tool".into(), json!("tierbook"));
    root.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
    root.insert("as_of".into(), date(m.as_of));
    root.insert(
        "window".into(),
        json!({"start": date(m.window.start), "end": date(m.window.end), "months": m.window.months}),
    );
    root.insert(
        "prior_window".into(),
        json!({"start": date(m.window.prior_start), "end": date(m.window.prior_end)}),
    );
    root.insert(
        "rules".into(),
        json!({"name": ev.rules.name, "source": source}),
    );
    // Inputs grouped by (kind, file), sheets in order.
    let mut inputs: Vec<Value> = Vec::new();
    let mut last: Option<(String, String)> = None;
    for s in ev.inputs {
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
    root.insert("inputs".into(), Value::Array(inputs));
    let t = &m.totals;
    root.insert(
        "totals".into(),
        json!({"ledger": {
            "rows_read": t.rows_read,
            "accepted": t.accepted,
            "rejected": t.rejected,
            "totals_rows": t.totals_rows,
            "accepted_amount": money(t.accepted_amount),
            "in_window": money(t.in_window),
            "before_window": money(t.before_window),
            "after_as_of": money(t.after_as_of),
            "customer_sales": money(t.customer_sales),
        }}),
    );
    root.insert(
        "tiers".into(),
        Value::Array(
            ev.tier_table()
                .into_iter()
                .map(|(tier, label, n, s, share)| {
                    json!({"tier": tier, "label": label, "customers": n, "sales": money(s), "share": opt(share, ratio)})
                })
                .collect(),
        ),
    );
    let keys = aging_keys(&ev.rules.receivables.aging_days);
    let customers = ev
        .order()
        .into_iter()
        .map(|i| {
            let (c, g) = (&m.customers[i], &ev.grades[i]);
            let mut o = Map::new();
            o.insert("key".into(), json!(c.key));
            o.insert("id".into(), json!(c.id));
            o.insert("name".into(), json!(c.name));
            o.insert("region".into(), json!(c.region));
            o.insert("sales_rep".into(), json!(c.sales_rep));
            o.insert("sales".into(), money(c.sales));
            o.insert("prior_sales".into(), money(c.prior_sales));
            o.insert("growth".into(), opt(c.growth, ratio));
            o.insert("quantity".into(), money(c.quantity));
            o.insert("orders".into(), json!(c.orders));
            o.insert("first_date".into(), opt(c.first_date, date));
            o.insert("months_active".into(), json!(c.months_active));
            o.insert("provisional".into(), json!(c.provisional));
            o.insert(
                "formal_evaluation_date".into(),
                opt(c.formal_evaluation_date, date),
            );
            o.insert("basis_sales".into(), money(c.basis_sales));
            o.insert("price_index".into(), opt(c.price_index, ratio));
            o.insert("receipts".into(), opt(c.receipts, money));
            o.insert("collection_rate".into(), opt(c.collection_rate, ratio));
            o.insert("outstanding".into(), opt(c.outstanding, money));
            o.insert("overdue".into(), opt(c.overdue, money));
            o.insert(
                "aging".into(),
                match &c.aging {
                    Some(buckets) => Value::Object(
                        keys.iter()
                            .cloned()
                            .zip(buckets.iter().map(|d| money(*d)))
                            .collect(),
                    ),
                    None => Value::Object(keys.iter().map(|k| (k.clone(), Value::Null)).collect()),
                },
            );
            o.insert("max_days_overdue".into(), json!(c.max_days_overdue));
            o.insert("on_time_ratio".into(), opt(c.on_time_ratio, ratio));
            o.insert("avg_days_to_pay".into(), opt(c.avg_days_to_pay, ratio));
            o.insert("dso".into(), opt(c.dso, ratio));
            o.insert("credit_usage".into(), opt(c.credit_usage, ratio));
            o.insert(
                "attrs".into(),
                Value::Object(
                    c.attrs
                        .iter()
                        .map(|(k, v)| (k.clone(), money(*v)))
                        .collect(),
                ),
            );
            o.insert(
                "volume_tier".into(),
                json!(ev.rules.tier_name(g.volume_tier)),
            );
            o.insert("composite_score".into(), opt(g.composite_score, ratio));
            o.insert(
                "composite_tier".into(),
                json!(g.composite_tier.map(|t| ev.rules.tier_name(t))),
            );
            o.insert("grade".into(), json!(ev.rules.tier_name(g.grade)));
            o.insert("credit_rating".into(), json!(g.credit_rating));
            o.insert("previous_grade".into(), json!(g.previous_grade));
            o.insert("change".into(), json!(g.change.as_str()));
            o.insert("reasons".into(), json!(g.reasons));
            o.insert("near_boundary".into(), json!(g.near_boundary));
            o.insert("to_next_tier".into(), json!(g.to_next_tier));
            Value::Object(o)
        })
        .collect();
    root.insert("customers".into(), Value::Array(customers));
    root.insert("unmatched_receipts".into(), Value::Array(Vec::new()));
    root.insert(
        "issues".into(),
        Value::Array(
            ev.issues
                .iter()
                .map(|i| {
                    json!({
                        "file": i.file,
                        "sheet": i.sheet,
                        "row": i.row,
                        "column": i.column,
                        "kind": i.kind,
                        "message": i.problem.message(ev.lang),
                        "cells": i.cells,
                    })
                })
                .collect(),
        ),
    );
    Value::Object(root)
}

/// Pretty JSON bytes with a final newline.
pub fn to_bytes(v: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(v).unwrap_or_default();
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn aging_keys_follow_edges() {
        assert_eq!(
            aging_keys(&[30, 60, 90, 180]),
            vec!["not_due", "d1_30", "d31_60", "d61_90", "d91_180", "over_180"]
        );
        assert_eq!(aging_keys(&[45]), vec!["not_due", "d1_45", "over_45"]);
    }
}
