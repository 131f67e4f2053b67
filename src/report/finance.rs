//! The finance parts of the evaluation workbook (SPEC 7.2 sheets 4, 5 and
//! 7, 7.6): the Credit sheet (资信等级), the Special Policy sheet's payment
//! record, the Order Upgrades sheet (seed 7.3) and the receipts' control
//! totals on the Summary; and the aging columns the reconciliation workbook
//! shares. Figures come from the model's receivables and the grades.

use rust_decimal::Decimal;

use super::blocks::{identity_columns, identity_values, main_table};
use super::evaluation::Evaluation;
use super::model::{Block, ColKind, Column, Sheet, Table, Value};
use super::reasons::reason_text;
use crate::grade::{order_upgrade_eligible, OrderFacts, Reason};
use crate::labels::fill;
use crate::labels::finance::{finance, FinanceTexts};
use crate::model::finance::{Finance, ReceiptTotals};
use crate::model::Metrics;

/// Stable keys of the aging columns: not yet due, then the buckets.
const AGING_KEYS: [&str; 16] = [
    "not_due", "aging_1", "aging_2", "aging_3", "aging_4", "aging_5", "aging_6", "aging_7",
    "aging_8", "aging_9", "aging_10", "aging_11", "aging_12", "aging_13", "aging_14", "aging_15",
];

/// The aging columns for bucket edges `edges`: not yet due, then one per
/// bucket (SPEC 4 `aging`).
pub fn aging_columns(f: &FinanceTexts, edges: &[u32]) -> Vec<Column> {
    f.aging_headers(edges)
        .into_iter()
        .enumerate()
        .map(|(i, h)| {
            let key = AGING_KEYS.get(i).copied().unwrap_or("aging_more");
            Column::new(key, h, ColKind::Money)
        })
        .collect()
}

/// The index of an aging column by its key (0: not yet due).
pub fn aging_index(key: &str) -> Option<usize> {
    AGING_KEYS.iter().position(|k| *k == key)
}

/// A total row under `columns`: `label` in the first column, `value(key)`
/// (a [`Value::Sum`]) where it gives one, empty elsewhere.
pub fn total_row(
    columns: &[Column],
    label: &str,
    value: impl Fn(&str) -> Option<Value>,
) -> Vec<Value> {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| match value(c.key) {
            Some(v) => v,
            None if i == 0 => Value::text(label),
            None => Value::Empty,
        })
        .collect()
}

/// The values of [`aging_columns`]: `n` empty cells without figures.
pub fn aging_values(aging: Option<&[Decimal]>, n: usize) -> Vec<Value> {
    match aging {
        Some(a) => a.iter().map(|d| Value::Number(*d)).collect(),
        None => vec![Value::Empty; n],
    }
}

/// The totals of [`aging_columns`] over `rows`.
pub fn aging_sums<'a>(rows: impl Iterator<Item = &'a [Decimal]>, n: usize) -> Vec<Value> {
    let mut sums = vec![Decimal::ZERO; n];
    for a in rows {
        for (s, d) in sums.iter_mut().zip(a) {
            *s += *d;
        }
    }
    sums.into_iter().map(Value::Sum).collect()
}

/// The receipts' control totals (SPEC 7.6) as rows of the Summary's control
/// table: check, left value, right side, right value, result.
pub fn receipt_controls(
    f: &FinanceTexts,
    t: &ReceiptTotals,
    ok: &str,
    closing: Option<(Decimal, Decimal)>,
) -> Vec<Vec<Value>> {
    let row = |check: &str, left: Decimal, right: &str, value: Decimal| {
        vec![
            Value::text(check),
            Value::Number(left),
            Value::text(right),
            Value::Number(value),
            Value::text(ok),
        ]
    };
    let mut rows = vec![
        row(
            f.control_receipts,
            t.accepted_amount,
            f.control_receipts_right,
            t.received + t.after_as_of,
        ),
        row(
            f.control_received,
            t.received,
            f.control_received_right,
            t.applied + t.unapplied + t.unmatched,
        ),
    ];
    if let Some((closing, owed)) = closing {
        rows.push(row(
            f.control_closing,
            closing,
            f.control_closing_right,
            owed,
        ));
    }
    rows
}

impl Evaluation<'_> {
    fn f(&self) -> &'static FinanceTexts {
        finance(self.lang)
    }

    /// The receivables, when receipts were given.
    pub(super) fn receivables(&self) -> Option<&Finance> {
        self.finance.filter(|f| f.has_receipts)
    }

    /// The receipts' control totals for the Summary (none without receipts).
    pub(super) fn receipt_control_rows(&self) -> Vec<Vec<Value>> {
        self.receivables().map_or_else(Vec::new, |fin| {
            receipt_controls(self.f(), &fin.totals, self.t().ok, None)
        })
    }

    /// 资信等级 / Credit (SPEC 7.2 sheet 5, seed 5.1.2 C): every customer's
    /// credit rating and reasons, terms, limit, outstanding and usage, aging,
    /// on-time ratio, days to pay and DSO; money totals as `SUM`s.
    pub(super) fn credit_sheet(&self) -> Sheet {
        let (t, f) = (self.t(), self.f());
        let edges = &self.rules.receivables.aging_days;
        let aging = aging_columns(f, edges);
        let n = aging.len();
        let mut columns = identity_columns(t, false);
        columns.extend([
            Column::new("credit_rating", f.h_credit_rating, ColKind::Text),
            Column::new("credit_score", f.h_credit_score, ColKind::Score),
            Column::new("grade", t.h_grade, ColKind::Grade),
            Column::new("terms_days", t.h_terms, ColKind::Integer),
            Column::new("credit_limit", t.h_credit_limit, ColKind::Money),
            Column::new("outstanding", f.h_outstanding, ColKind::Money),
            Column::new("credit_usage", f.h_credit_usage, ColKind::Percent),
            Column::new("over_limit", f.h_over_limit, ColKind::Text),
        ]);
        columns.extend(aging);
        columns.extend([
            Column::new("overdue", t.h_overdue, ColKind::Money),
            Column::new("max_days_overdue", t.h_max_overdue, ColKind::Integer),
            Column::new("on_time_ratio", t.h_on_time, ColKind::Percent),
            Column::new("avg_days_to_pay", f.h_avg_days, ColKind::Score),
            Column::new("dso", f.h_dso, ColKind::Score),
            Column::new("credit_reasons", f.h_credit_reasons, ColKind::LongText).max_width(48.0),
        ]);
        let rows_at = self.rows_where(|_, _| true);
        let rows: Vec<Vec<Value>> = rows_at
            .iter()
            .map(|&(row, i)| self.credit_row(row, i, n))
            .collect();
        let cs: Vec<&Metrics> = rows_at
            .iter()
            .map(|&(_, i)| &self.model.customers[i])
            .collect();
        let sum = |get: fn(&Metrics) -> Option<Decimal>| {
            Value::Sum(cs.iter().filter_map(|c| get(c)).sum())
        };
        let aging = aging_sums(cs.iter().filter_map(|c| c.aging.as_deref()), n);
        let total = total_row(&columns, t.total, |key| match key {
            "outstanding" => Some(sum(|c| c.outstanding)),
            "overdue" => Some(sum(|c| c.overdue)),
            k => aging_index(k).and_then(|i| aging.get(i).cloned()),
        });
        let table = Table::new("credit", columns, rows)
            .main(false)
            .with_total(total);
        let frame = self.frame();
        frame.sheet(
            f.sheet_credit,
            f.title_credit,
            vec![Block::Table(table)],
            frame.page(f.title_credit, 3, true),
        )
    }

    /// One customer's row of the Credit sheet.
    fn credit_row(&self, row: usize, i: usize, aging: usize) -> Vec<Value> {
        let f = self.f();
        let (c, g) = (&self.model.customers[i], &self.grades[i]);
        let terms = c
            .terms_days
            .unwrap_or(i64::from(self.rules.receivables.default_terms_days));
        let score = g.reasons.iter().find_map(|r| match r {
            Reason::Credit { score, .. } => Some(*score),
            _ => None,
        });
        let over = c.credit_usage.is_some_and(|u| u > Decimal::ONE);
        let reasons: Vec<String> = g
            .reasons
            .iter()
            .filter(|r| matches!(r, Reason::Credit { .. } | Reason::OverCreditLimit { .. }))
            .map(|r| reason_text(r, self.rules, self.lang))
            .collect();
        let mut v = identity_values(row, c, false);
        v.extend([
            Value::opt_text(g.credit_rating.as_deref()),
            Value::opt_num(score),
            Value::text(self.tier(g.grade)),
            Value::Int(terms),
            Value::opt_num(c.credit_limit),
            Value::opt_num(c.outstanding),
            Value::opt_num(c.credit_usage),
            if over {
                Value::text(f.over_limit_mark)
            } else {
                Value::Empty
            },
        ]);
        v.extend(aging_values(c.aging.as_deref(), aging));
        v.extend([
            Value::opt_num(c.overdue),
            Value::opt_int(c.max_days_overdue),
            Value::opt_num(c.on_time_ratio),
            Value::opt_num(c.avg_days_to_pay),
            Value::opt_num(c.dso),
            Value::text(reasons.join("\n")),
        ]);
        v
    }

    /// The payment record of the Special Policy sheet (seed 5.1.2 B), when
    /// receipts were given: receipts, collection rate, days to pay, overdue.
    pub(super) fn payment_columns(&self) -> Vec<Column> {
        let (t, f) = (self.t(), self.f());
        if self.receivables().is_none() {
            return Vec::new();
        }
        vec![
            Column::new("receipts", f.h_receipts, ColKind::Money),
            Column::new("collection_rate", t.h_collection, ColKind::Percent),
            Column::new("avg_days_to_pay", f.h_avg_days, ColKind::Score),
            Column::new("overdue", t.h_overdue, ColKind::Money),
            Column::new("max_days_overdue", t.h_max_overdue, ColKind::Integer),
        ]
    }

    /// The values of [`Evaluation::payment_columns`].
    pub(super) fn payment_values(&self, c: &Metrics) -> Vec<Value> {
        if self.receivables().is_none() {
            return Vec::new();
        }
        vec![
            Value::opt_num(c.receipts),
            Value::opt_num(c.collection_rate),
            Value::opt_num(c.avg_days_to_pay),
            Value::opt_num(c.overdue),
            Value::opt_int(c.max_days_overdue),
        ]
    }

    /// 升级订单 / Order Upgrades (SPEC 7.2 sheet 7, seed 7.3): the window
    /// orders of customers below the best grade that meet
    /// `[order_upgrade]`, order numbers as text; `None` when the run has no
    /// orders (no receipts and a rule that asks for payment).
    pub(super) fn upgrades_sheet(&self) -> Option<Sheet> {
        let fin = self.finance?;
        let (t, f) = (self.t(), self.f());
        let rule = &self.rules.order_upgrade;
        let mut place = vec![usize::MAX; self.model.customers.len()];
        for (n, i) in self.order().into_iter().enumerate() {
            place[i] = n;
        }
        let mut picked: Vec<_> = fin
            .orders
            .iter()
            .filter(|o| {
                let facts = OrderFacts {
                    price_index: Some(o.price_index),
                    paid_on_time: o.paid_on_time,
                };
                order_upgrade_eligible(self.grades[o.customer].grade, &facts, rule)
            })
            .collect();
        picked.sort_by(|a, b| {
            (place[a.customer], a.date, fin.text(a.order)).cmp(&(
                place[b.customer],
                b.date,
                fin.text(b.order),
            ))
        });
        let mut columns = identity_columns(t, true);
        columns.extend([
            Column::new("grade", t.h_grade, ColKind::Grade),
            Column::new("order_no", f.h_order, ColKind::Text),
            Column::new("date", f.h_order_date, ColKind::Date),
            Column::new("due_date", f.h_due, ColKind::Date),
            Column::new("amount", f.h_amount, ColKind::Money),
            Column::new("price_index", f.h_order_price_index, ColKind::Ratio),
            Column::new("paid_on", f.h_paid_on, ColKind::Date),
            Column::new("approval", f.h_approval, ColKind::LongText)
                .editable(Vec::new())
                .max_width(24.0),
        ]);
        let rows: Vec<Vec<Value>> = picked
            .iter()
            .enumerate()
            .map(|(n, o)| {
                let c = &self.model.customers[o.customer];
                let mut v = identity_values(n, c, true);
                v.extend([
                    Value::text(self.tier(self.grades[o.customer].grade)),
                    Value::text(fin.text(o.order)),
                    Value::Date(o.date),
                    Value::Date(o.due),
                    Value::Number(o.amount),
                    Value::Number(o.price_index),
                    Value::opt_date(o.paid_on),
                    Value::Empty,
                ]);
                v
            })
            .collect();
        let amount: Decimal = picked.iter().map(|o| o.amount).sum();
        let total = total_row(&columns, t.total, |key| {
            (key == "amount").then_some(Value::Sum(amount))
        });
        let best = self.tier(0);
        let min = crate::text::fmt_number(rule.min_price_index, 3);
        let template = match rule.paid_on_time {
            true => f.upgrades_rule_paid,
            false => f.upgrades_rule,
        };
        let mut blocks = vec![Block::Text(vec![fill(
            template,
            &[("tier", &best), ("min", &min)],
        )])];
        blocks.extend(main_table(
            "upgrades",
            columns,
            rows,
            f.empty_upgrades,
            false,
        ));
        if let Some(Block::Table(table)) = blocks.last_mut() {
            if !table.rows.is_empty() {
                table.total = Some(total);
            }
        }
        let frame = self.frame();
        let page = super::model::PageSetup {
            protect: true,
            ..frame.page(f.title_upgrades, 3, true)
        };
        Some(frame.sheet(f.sheet_upgrades, f.title_upgrades, blocks, page))
    }
}
