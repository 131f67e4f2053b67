//! `monthly --json` (SPEC 7.3): the head every command writes (`tool` …
//! `totals`), then the monthly workbook's sheets under their English names
//! in snake case: `new_clients`, `formal_evaluation_due`, `alerts`,
//! `monthly_sales`, `grade_changes`, `receivables_aging` (receipts given),
//! and `issues`.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::json::{aging_keys, money, ratio, Head, Issues};
use crate::model::monthly::MonthlyFold;
use crate::report::monthly::Monthly;
use crate::report::reasons::next_tier_text;

/// The JSON document of a monthly run.
pub struct MonthlyJson<'a> {
    pub monthly: &'a Monthly<'a>,
    /// Where the rules came from.
    pub source: &'a str,
}

fn date(d: Option<chrono::NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| {
        Value::String(d.format("%Y-%m-%d").to_string())
    })
}

impl MonthlyJson<'_> {
    /// Identity fields of customer `i`.
    fn who(&self, i: usize) -> Map<String, Value> {
        let c = &self.monthly.ev.model.customers[i];
        let mut m = Map::new();
        m.insert("key".into(), json!(c.key));
        m.insert("id".into(), json!(c.id));
        m.insert("name".into(), json!(c.name));
        m.insert("region".into(), json!(c.region));
        m.insert("sales_rep".into(), json!(c.sales_rep));
        m
    }

    /// `who(i)` with more fields.
    fn entry(&self, i: usize, more: Value) -> Value {
        let mut m = self.who(i);
        if let Value::Object(more) = more {
            m.extend(more);
        }
        Value::Object(m)
    }

    fn new_clients(&self) -> Vec<Value> {
        let ev = &self.monthly.ev;
        (self.monthly.new_clients.iter())
            .map(|&i| {
                let (c, g) = (&ev.model.customers[i], &ev.grades[i]);
                self.entry(
                    i,
                    json!({
                        "first_date": date(c.first_date),
                        "months_active": c.months_active,
                        "sales": money(c.sales),
                        "basis_sales": money(c.basis_sales),
                        "provisional_grade": ev.rules.tier_name(g.grade),
                        "formal_evaluation_date": date(c.formal_evaluation_date),
                        "to_next_tier": next_tier_text(g, ev.rules, ev.lang),
                    }),
                )
            })
            .collect()
    }

    fn due(&self) -> Vec<Value> {
        let ev = &self.monthly.ev;
        (self.monthly.due.iter())
            .map(|d| {
                let c = &ev.model.customers[d.i];
                self.entry(
                    d.i,
                    json!({
                        "first_date": date(c.first_date),
                        "formal_evaluation_date": date(Some(d.date)),
                        "days_to_due": d.days,
                        "status": if d.overdue { "overdue" } else { "due" },
                        "grade": ev.rules.tier_name(ev.grades[d.i].grade),
                        "sales": money(c.sales),
                    }),
                )
            })
            .collect()
    }

    fn alerts(&self) -> Vec<Value> {
        let ev = &self.monthly.ev;
        (self.monthly.alerts.iter())
            .map(|a| {
                let (c, g) = (&ev.model.customers[a.i], &ev.grades[a.i]);
                let s = ev.model.monthly.get(a.i).cloned().unwrap_or_default();
                let mut kinds = Vec::new();
                if a.dropped {
                    kinds.push("sales_drop");
                }
                if a.overdue_days.is_some() {
                    kinds.push("overdue");
                }
                self.entry(
                    a.i,
                    json!({
                        "official_grade": g.previous_grade,
                        "grade": ev.rules.tier_name(g.grade),
                        "last_three_months": money(s.last_three),
                        "same_months_year_before": money(s.year_before),
                        "change": a.change.map_or(Value::Null, ratio),
                        "max_days_overdue": c.max_days_overdue,
                        "overdue": c.overdue.map_or(Value::Null, money),
                        "alerts": kinds,
                        "messages": self.monthly.alert_texts(a),
                    }),
                )
            })
            .collect()
    }

    fn monthly_sales(&self) -> Value {
        let ev = &self.monthly.ev;
        let months: Vec<String> = MonthlyFold::month_starts(ev.model.period.as_of)
            .iter()
            .map(|d| d.format("%Y-%m").to_string())
            .collect();
        let customers: Vec<Value> = (self.monthly.top.iter())
            .map(|&i| {
                let s = ev.model.monthly.get(i).cloned().unwrap_or_default();
                let total: rust_decimal::Decimal = s.months.iter().sum();
                self.entry(
                    i,
                    json!({
                        "sales": s.months.iter().map(|d| money(*d)).collect::<Vec<_>>(),
                        "total": money(total),
                    }),
                )
            })
            .collect();
        json!({"months": months, "customers": customers})
    }

    fn grade_changes(&self) -> Vec<Value> {
        let ev = &self.monthly.ev;
        (self.monthly.changes.iter())
            .map(|&i| {
                let g = &ev.grades[i];
                self.entry(
                    i,
                    json!({
                        "official_grade": g.previous_grade,
                        "grade": ev.rules.tier_name(g.grade),
                        "change": g.change.as_str(),
                    }),
                )
            })
            .collect()
    }

    fn aging(&self) -> Vec<Value> {
        let ev = &self.monthly.ev;
        let keys = aging_keys(&ev.rules.receivables.aging_days);
        (self.monthly.aging.iter())
            .map(|&i| {
                let c = &ev.model.customers[i];
                let buckets: Map<String, Value> = (keys.iter())
                    .zip(c.aging.iter().flatten())
                    .map(|(k, d)| (k.clone(), money(*d)))
                    .collect();
                self.entry(
                    i,
                    json!({
                        "outstanding": c.outstanding.map_or(Value::Null, money),
                        "aging": buckets,
                        "max_days_overdue": c.max_days_overdue,
                    }),
                )
            })
            .collect()
    }
}

impl Serialize for MonthlyJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ev = &self.monthly.ev;
        let mut root = s.serialize_map(None)?;
        Head::of(ev, self.source).write(&mut root)?;
        root.serialize_entry("new_clients", &self.new_clients())?;
        root.serialize_entry("formal_evaluation_due", &self.due())?;
        root.serialize_entry("alerts", &self.alerts())?;
        root.serialize_entry("monthly_sales", &self.monthly_sales())?;
        root.serialize_entry("grade_changes", &self.grade_changes())?;
        if ev.has_receivables {
            root.serialize_entry("receivables_aging", &self.aging())?;
        }
        root.serialize_entry("issues", &Issues(ev.issues, ev.lang))?;
        root.end()
    }
}
