//! The monthly follow-up workbook (SPEC 7.4; seed 5.1.2 D, 6.2.1 G): new
//! clients with their provisional grades and what they lack to reach the
//! next tier; clients whose formal evaluation falls due by the end of next
//! month, and those past due and never graded; top-tier customers with an
//! alert (last three months' sales down more than 30% on the same months a
//! year before, anything overdue more than 60 days), each with its figures;
//! the top tier's sales over the last 13 months; customers whose computed
//! grade differs from their official (previous) grade; receivables aging
//! when receipts are given.
//!
//! "Top tier" is the official grade where the customer has one, else the
//! grade computed today. Figures come from the model and the grades; this
//! module chooses rows and columns.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::blocks::{
    identity_columns, identity_values, inputs_table, issues_sheet, main_table, Frame,
};
use super::evaluation::Evaluation;
use super::labels::texts;
use super::model::{Block, Book, ColKind, Column, PageSetup, Sheet, Table, Value};
use super::reasons::{next_tier_text, reason_texts};
use crate::labels::fill;
use crate::labels::meeting::meeting;
use crate::model::monthly::{MonthlyFold, MonthlySales, MONTHS};
use crate::model::period::add_months;
use crate::read::evaluation_back::tier_of;

/// A drop of more than this on the same months a year before is an alert.
pub const DROP_ALERT: Decimal = Decimal::from_parts(3, 0, 0, true, 1);
/// Days overdue above which a top-tier customer is an alert (seed 6.2.1 G).
pub const OVERDUE_ALERT_DAYS: i64 = 60;

/// Column keys of the thirteen months, oldest first.
const MONTH_KEYS: [&str; MONTHS] = [
    "month_01", "month_02", "month_03", "month_04", "month_05", "month_06", "month_07", "month_08",
    "month_09", "month_10", "month_11", "month_12", "month_13",
];
/// Column keys of the aging buckets (not yet due first).
const BUCKET_KEYS: [&str; 12] = [
    "not_due",
    "bucket_1",
    "bucket_2",
    "bucket_3",
    "bucket_4",
    "bucket_5",
    "bucket_6",
    "bucket_7",
    "bucket_8",
    "bucket_9",
    "bucket_10",
    "bucket_11",
];

/// A client whose formal evaluation falls due.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    /// Customer index in the model.
    pub i: usize,
    pub date: NaiveDate,
    /// Days from the as-of date to the due date (negative: past due).
    pub days: i64,
    /// Past due and never graded.
    pub overdue: bool,
}

/// A top-tier customer with an alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub i: usize,
    /// Last three months on the same months a year before, minus one.
    pub change: Option<Decimal>,
    pub dropped: bool,
    /// The longest overdue, when over 60 days.
    pub overdue_days: Option<i64>,
}

/// Everything the monthly workbook and its JSON show.
pub struct Monthly<'a> {
    pub ev: Evaluation<'a>,
    /// Provisional customers, in the Evaluation order.
    pub new_clients: Vec<usize>,
    pub due: Vec<Due>,
    pub alerts: Vec<Alert>,
    /// Top-tier customers, in the Evaluation order.
    pub top: Vec<usize>,
    /// Customers whose computed grade differs from their official grade.
    pub changes: Vec<usize>,
    /// Customers with receivables outstanding (empty without receipts).
    pub aging: Vec<usize>,
}

/// The last day of the month after `d`'s month.
pub fn end_of_next_month(d: NaiveDate) -> NaiveDate {
    let first = d.with_day(1).unwrap_or(d);
    add_months(first, 2).pred_opt().unwrap_or(d)
}

impl<'a> Monthly<'a> {
    /// The monthly follow-up of a graded run whose model kept monthly sales.
    pub fn of(ev: Evaluation<'a>) -> Monthly<'a> {
        let order = ev.order();
        let cs = &ev.model.customers;
        let official =
            |i: usize| (ev.grades[i].previous_grade.as_deref()).and_then(|p| tier_of(ev.rules, p));
        let top: Vec<usize> = (order.iter().copied())
            .filter(|&i| official(i).unwrap_or(ev.grades[i].grade) == 0)
            .collect();
        let alerts = (top.iter())
            .filter_map(|&i| alert(i, cs[i].max_days_overdue, ev.model.monthly.get(i)))
            .collect();
        Monthly {
            new_clients: order
                .iter()
                .copied()
                .filter(|&i| cs[i].provisional)
                .collect(),
            due: due(&ev),
            alerts,
            changes: (order.iter().copied())
                .filter(|&i| official(i).is_some_and(|o| o != ev.grades[i].grade))
                .collect(),
            aging: (order.iter().copied())
                .filter(|&i| cs[i].outstanding.is_some_and(|o| o > Decimal::ZERO))
                .filter(|&i| cs[i].aging.is_some())
                .collect(),
            top,
            ev,
        }
    }
}

/// A top-tier customer's alert, when it has one.
fn alert(i: usize, max_overdue: Option<i64>, sales: Option<&MonthlySales>) -> Option<Alert> {
    let change = sales
        .filter(|s| s.year_before > Decimal::ZERO)
        .and_then(|s| s.last_three.checked_div(s.year_before))
        .map(|r| r - Decimal::ONE);
    let dropped = change.is_some_and(|c| c < DROP_ALERT);
    let overdue_days = max_overdue.filter(|&d| d > OVERDUE_ALERT_DAYS);
    (dropped || overdue_days.is_some()).then_some(Alert {
        i,
        change,
        dropped,
        overdue_days,
    })
}

/// Clients whose formal evaluation (first date + `new_clients.months`)
/// falls after the as-of date and by the end of next month; with official
/// grades given, also those past due that have sales in the window and no
/// official grade. Soonest first.
fn due(ev: &Evaluation) -> Vec<Due> {
    let as_of = ev.model.period.as_of;
    let end = end_of_next_month(as_of);
    let months = ev.rules.new_clients.months as i32;
    let mut out: Vec<Due> = (0..ev.model.customers.len())
        .filter_map(|i| {
            let c = &ev.model.customers[i];
            let date = add_months(c.first_date?, months);
            let overdue = date <= as_of;
            let listed = match overdue {
                false => date <= end,
                true => {
                    ev.has_previous && c.has_window_lines && ev.grades[i].previous_grade.is_none()
                }
            };
            listed.then(|| Due {
                i,
                date,
                days: (date - as_of).num_days(),
                overdue,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (a.date.cmp(&b.date)).then(
            ev.model.customers[a.i]
                .key
                .cmp(&ev.model.customers[b.i].key),
        )
    });
    out
}

impl Monthly<'_> {
    fn frame(&self) -> Frame<'_> {
        Frame {
            lang: self.ev.lang,
            period: self.ev.model.period,
            rules_name: &self.ev.rules.name,
        }
    }

    fn tier(&self, t: usize) -> Value {
        Value::text(self.ev.rules.tier_name(t))
    }

    /// The top tier's label.
    fn top_label(&self) -> String {
        self.ev.rules.tier_label(self.ev.rules.tier_name(0))
    }

    /// The monthly workbook.
    pub fn book(&self) -> Book {
        let m = meeting(self.ev.lang);
        let mut sheets = vec![
            self.overview(),
            self.new_clients_sheet(),
            self.due_sheet(),
            self.alerts_sheet(),
            self.monthly_sales_sheet(),
            self.grade_changes_sheet(),
        ];
        if self.ev.has_receivables && !self.aging.is_empty() {
            sheets.push(self.aging_sheet());
        }
        sheets.push(issues_sheet(&self.frame(), self.ev.issues));
        Book {
            title: format!("{} {}", m.title_monthly, self.ev.model.period.as_of),
            created: self.ev.model.period.as_of,
            sheets,
            hidden: None,
            tiers: self.ev.rules.tiers.order.clone(),
        }
    }

    fn overview(&self) -> Sheet {
        let (t, m) = (texts(self.ev.lang), meeting(self.ev.lang));
        let label = self.top_label();
        let overdue = self.due.iter().filter(|d| d.overdue).count();
        let counts = [
            (t.sheet_new.to_string(), self.new_clients.len()),
            (m.status_due.to_string(), self.due.len() - overdue),
            (m.status_overdue.to_string(), overdue),
            (label.clone(), self.top.len()),
            (
                fill(m.title_alerts, &[("label", &label)]),
                self.alerts.len(),
            ),
            (m.sheet_grade_changes.to_string(), self.changes.len()),
        ];
        let rows = counts
            .into_iter()
            .map(|(s, n)| vec![Value::Text(s), Value::Int(n as i64)])
            .collect();
        let columns = vec![
            Column::new("section", m.h_section, ColKind::Text),
            Column::new("customers", m.h_count, ColKind::Integer),
        ];
        let mut notes = Vec::new();
        if !self.ev.has_previous {
            notes.push(m.overdue_unchecked.to_string());
            notes.push(m.no_official_grades.to_string());
        }
        notes.push(t.note_issues.to_string());
        let blocks = vec![
            // Not the main table: titles span the wider inputs table.
            Block::Table(Table::new("overview", columns, rows)),
            Block::Gap,
            Block::Heading(t.inputs_heading.to_string()),
            Block::Table(inputs_table(t, self.ev.inputs, true)),
            Block::Gap,
            Block::Heading(t.notes_heading.to_string()),
            Block::Text(notes),
        ];
        let frame = self.frame();
        let page = PageSetup {
            landscape: false,
            ..frame.page(m.title_monthly, 0, false)
        };
        frame.sheet(m.sheet_overview, m.title_monthly, blocks, page)
    }

    /// The Evaluation's New Clients sheet with what each lacks to reach
    /// the next tier.
    fn new_clients_sheet(&self) -> Sheet {
        let (m, ev) = (meeting(self.ev.lang), &self.ev);
        let mut sheet = ev.new_clients();
        for block in &mut sheet.blocks {
            let Block::Table(table) = block else { continue };
            table
                .columns
                .push(Column::new("to_next_tier", m.h_lacks, ColKind::LongText).max_width(36.0));
            for (row, &i) in table.rows.iter_mut().zip(&self.new_clients) {
                let text = next_tier_text(&ev.grades[i], ev.rules, ev.lang);
                row.push(Value::opt_text(text.as_deref()));
            }
        }
        sheet
    }

    fn due_sheet(&self) -> Sheet {
        let (t, m, ev) = (texts(self.ev.lang), meeting(self.ev.lang), &self.ev);
        let mut columns = identity_columns(t, true);
        columns.extend([
            Column::new("first_date", t.h_first_date, ColKind::Date),
            Column::new("formal_evaluation_date", t.h_formal_date, ColKind::Date),
            Column::new("days_to_due", m.h_days_to_due, ColKind::Integer),
            Column::new("status", m.h_due_status, ColKind::Text),
            Column::new("grade", t.h_provisional_grade, ColKind::Grade),
            Column::new("sales", t.h_sales, ColKind::Money),
        ]);
        let rows = (self.due.iter().enumerate())
            .map(|(n, d)| {
                let c = &ev.model.customers[d.i];
                let mut row = identity_values(n, c, true);
                row.extend([
                    Value::opt_date(c.first_date),
                    Value::Date(d.date),
                    Value::Int(d.days),
                    Value::text(if d.overdue {
                        m.status_overdue
                    } else {
                        m.status_due
                    }),
                    self.tier(ev.grades[d.i].grade),
                    Value::Number(c.sales),
                ]);
                row
            })
            .collect();
        let mut blocks = main_table("formal_evaluation_due", columns, rows, m.empty_due, false);
        if !ev.has_previous {
            blocks.insert(0, Block::Text(vec![m.overdue_unchecked.to_string()]));
        }
        let frame = self.frame();
        let page = frame.page(m.title_due, 3, false);
        frame.sheet(m.sheet_due, m.title_due, blocks, page)
    }

    fn alerts_sheet(&self) -> Sheet {
        let (t, m, ev) = (texts(self.ev.lang), meeting(self.ev.lang), &self.ev);
        let mut columns = identity_columns(t, true);
        columns.extend([
            Column::new("official_grade", m.h_official, ColKind::Text),
            Column::new("grade", t.h_grade, ColKind::Grade),
            Column::new("last_three", m.h_last_three, ColKind::Money),
            Column::new("year_before", m.h_year_before, ColKind::Money),
            Column::new("change", m.h_three_change, ColKind::Percent),
        ]);
        if ev.has_receivables {
            columns.push(Column::new(
                "max_days_overdue",
                t.h_max_overdue,
                ColKind::Integer,
            ));
            columns.push(Column::new("overdue", t.h_overdue, ColKind::Money));
        }
        columns.push(Column::new("alerts", m.h_alerts, ColKind::LongText).max_width(36.0));
        let rows = (self.alerts.iter().enumerate())
            .map(|(n, a)| {
                let (c, g) = (&ev.model.customers[a.i], &ev.grades[a.i]);
                let s = ev.model.monthly.get(a.i).cloned().unwrap_or_default();
                let mut row = identity_values(n, c, true);
                row.extend([
                    Value::opt_text(g.previous_grade.as_deref()),
                    self.tier(g.grade),
                    Value::Number(s.last_three),
                    Value::Number(s.year_before),
                    Value::opt_num(a.change),
                ]);
                if ev.has_receivables {
                    row.push(Value::opt_int(c.max_days_overdue));
                    row.push(Value::opt_num(c.overdue));
                }
                row.push(Value::text(self.alert_texts(a).join("\n")));
                row
            })
            .collect();
        let label = self.top_label();
        let title = fill(m.title_alerts, &[("label", &label)]);
        let blocks = main_table("alerts", columns, rows, m.empty_alerts, false);
        let frame = self.frame();
        let page = frame.page(&title, 3, false);
        frame.sheet(m.sheet_alerts, &title, blocks, page)
    }

    /// The sentences of an alert.
    pub fn alert_texts(&self, a: &Alert) -> Vec<String> {
        let m = meeting(self.ev.lang);
        let mut out = Vec::new();
        if let (true, Some(c)) = (a.dropped, a.change) {
            let pct = crate::text::fmt_percent(-c);
            out.push(fill(m.alert_drop, &[("pct", &pct)]));
        }
        if let Some(d) = a.overdue_days {
            out.push(fill(m.alert_overdue, &[("days", &d.to_string())]));
        }
        out
    }

    fn monthly_sales_sheet(&self) -> Sheet {
        let (t, m, ev) = (texts(self.ev.lang), meeting(self.ev.lang), &self.ev);
        let starts = MonthlyFold::month_starts(ev.model.period.as_of);
        // Region and sales rep left out: thirteen months need the width.
        let mut columns = identity_columns(t, false);
        let identity = columns.len();
        for (key, start) in MONTH_KEYS.iter().zip(starts) {
            columns.push(Column::new(
                key,
                start.format("%Y-%m").to_string(),
                ColKind::Money,
            ));
        }
        columns.push(Column::new("total", m.h_thirteen_total, ColKind::Money));
        let mut sums = [Decimal::ZERO; MONTHS + 1];
        let rows = (self.top.iter().enumerate())
            .map(|(n, &i)| {
                let s = ev.model.monthly.get(i).cloned().unwrap_or_default();
                let mut row = identity_values(n, &ev.model.customers[i], false);
                let total: Decimal = s.months.iter().sum();
                for (k, v) in s.months.iter().chain([&total]).enumerate() {
                    sums[k] += *v;
                    row.push(Value::Number(*v));
                }
                row
            })
            .collect::<Vec<_>>();
        let label = self.top_label();
        let title = fill(m.title_monthly_sales, &[("label", &label)]);
        let mut total = vec![Value::Empty; identity];
        total[0] = Value::text(t.total);
        total.extend(sums.iter().map(|s| Value::Sum(*s)));
        let mut blocks = main_table("monthly_sales", columns, rows, t.empty_top, false);
        if let Some(Block::Table(table)) = blocks.last_mut() {
            if !table.rows.is_empty() {
                table.total = Some(total);
            }
        }
        let frame = self.frame();
        let page = frame.page(&title, 3, false);
        frame.sheet(m.sheet_monthly_sales, &title, blocks, page)
    }

    fn grade_changes_sheet(&self) -> Sheet {
        let (t, m, ev) = (texts(self.ev.lang), meeting(self.ev.lang), &self.ev);
        let mut columns = identity_columns(t, true);
        columns.extend([
            Column::new("official_grade", m.h_official, ColKind::Grade),
            Column::new("grade", m.h_computed_now, ColKind::Grade),
            Column::new("change", t.h_change, ColKind::Text),
            Column::new("sales", t.h_sales, ColKind::Money),
            Column::new("reasons", t.h_reasons, ColKind::LongText).max_width(48.0),
        ]);
        let rows = (self.changes.iter().enumerate())
            .map(|(n, &i)| {
                let (c, g) = (&ev.model.customers[i], &ev.grades[i]);
                let mut row = identity_values(n, c, true);
                row.extend([
                    Value::opt_text(g.previous_grade.as_deref()),
                    self.tier(g.grade),
                    Value::text(g.change.symbol()),
                    Value::Number(c.sales),
                    Value::text(reason_texts(&g.reasons, ev.rules, ev.lang).join("\n")),
                ]);
                row
            })
            .collect();
        let empty = match ev.has_previous {
            true => m.empty_grade_changes,
            false => m.no_official_grades,
        };
        let blocks = main_table("grade_changes", columns, rows, empty, false);
        let frame = self.frame();
        let page = frame.page(m.title_grade_changes, 3, false);
        frame.sheet(m.sheet_grade_changes, m.title_grade_changes, blocks, page)
    }

    /// Headers of the aging buckets: not yet due, then one per edge.
    fn bucket_headers(&self) -> Vec<String> {
        let m = meeting(self.ev.lang);
        let mut out = vec![m.h_not_due.to_string()];
        let mut lo = 1;
        for &e in &self.ev.rules.receivables.aging_days {
            let (l, h) = (lo.to_string(), e.to_string());
            out.push(fill(m.aging_bucket, &[("lo", &l), ("hi", &h)]));
            lo = e + 1;
        }
        let last = lo.saturating_sub(1).to_string();
        out.push(fill(m.aging_over, &[("lo", &last)]));
        out.truncate(BUCKET_KEYS.len());
        out
    }

    fn aging_sheet(&self) -> Sheet {
        let (t, m, ev) = (texts(self.ev.lang), meeting(self.ev.lang), &self.ev);
        let headers = self.bucket_headers();
        let mut columns = identity_columns(t, true);
        columns.push(Column::new("outstanding", m.h_outstanding, ColKind::Money));
        for (key, h) in BUCKET_KEYS.iter().zip(&headers) {
            columns.push(Column::new(key, h.clone(), ColKind::Money));
        }
        columns.push(Column::new(
            "max_days_overdue",
            t.h_max_overdue,
            ColKind::Integer,
        ));
        let mut sums = vec![Decimal::ZERO; headers.len() + 1];
        let rows: Vec<Vec<Value>> = (self.aging.iter().enumerate())
            .map(|(n, &i)| {
                let c = &ev.model.customers[i];
                let mut row = identity_values(n, c, true);
                let buckets = c.aging.clone().unwrap_or_default();
                let figures = std::iter::once(c.outstanding.unwrap_or_default())
                    .chain((0..headers.len()).map(|k| buckets.get(k).copied().unwrap_or_default()));
                for (k, v) in figures.enumerate() {
                    sums[k] += v;
                    row.push(Value::Number(v));
                }
                row.push(Value::opt_int(c.max_days_overdue));
                row
            })
            .collect();
        let mut total = vec![
            Value::text(t.total),
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Empty,
        ];
        total.extend(sums.iter().map(|s| Value::Sum(*s)));
        total.push(Value::Empty);
        let table = Table::new("receivables_aging", columns, rows)
            .main(false)
            .with_total(total);
        let frame = self.frame();
        let page = frame.page(m.title_aging, 3, false);
        frame.sheet(
            m.sheet_aging,
            m.title_aging,
            vec![Block::Table(table)],
            page,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn next_month_ends() {
        assert_eq!(end_of_next_month(day(2025, 10, 31)), day(2025, 11, 30));
        assert_eq!(end_of_next_month(day(2025, 12, 15)), day(2026, 1, 31));
        assert_eq!(end_of_next_month(day(2024, 1, 31)), day(2024, 2, 29));
    }

    #[test]
    fn alerts_fire_on_a_drop_of_more_than_30_percent_or_over_60_days() {
        let s = |last: i64, before: i64| MonthlySales {
            last_three: Decimal::from(last),
            year_before: Decimal::from(before),
            ..MonthlySales::default()
        };
        // Exactly 30% down is not more than 30%.
        assert!(alert(0, None, Some(&s(70, 100))).is_none());
        let a = alert(0, None, Some(&s(69, 100))).expect("alert");
        assert!(a.dropped && a.change == Some(Decimal::new(-31, 2)));
        assert!(
            alert(0, None, Some(&s(0, 0))).is_none(),
            "nothing a year before"
        );
        assert!(alert(0, Some(60), Some(&s(100, 100))).is_none());
        let a = alert(0, Some(61), None).expect("overdue");
        assert_eq!((a.dropped, a.overdue_days), (false, Some(61)));
    }
}
