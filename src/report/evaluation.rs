//! The evaluation workbook of SPEC 7.2, as format-neutral sheets: Summary,
//! Evaluation, Top Tier, Special Policy (when the master names any), New
//! Clients and Data Issues. Figures come from the model and the grades; this
//! module only chooses rows, columns and order.

use rust_decimal::Decimal;

use super::blocks::{
    by_file, controls_table, identity_columns, identity_values, inputs_table, issue_counts,
    issues_sheet, main_table, Frame,
};
use super::labels::Texts;
use super::model::{
    Block, Book, Chart, ChartKind, ColKind, Column, PageSetup, RefLine, Sheet, Table, Value,
};
use super::reasons::{fmt_value, metric_name, next_tier_text, reason_texts};
use crate::grade::{Change, CustomerGrade, PolicyVerdict};
use crate::labels::{charts, fill, Lang};
use crate::model::finance::Finance;
use crate::model::{Metrics, Model};
use crate::pipeline::Evaluated;
use crate::read::{Issue, SheetSummary};
use crate::rules::{Rules, VolumeMethod};
use crate::text::fmt_percent;

/// Points of the Summary's Pareto curve, at most (besides the tier cuts).
const PARETO_POINTS: usize = 200;

/// Everything the evaluation reports are built from.
pub struct Evaluation<'a> {
    pub model: &'a Model,
    /// In the order of `model.customers`.
    pub grades: &'a [CustomerGrade],
    pub rules: &'a Rules,
    pub lang: Lang,
    pub inputs: &'a [SheetSummary],
    /// Every issue, in input order.
    pub issues: &'a [Issue],
    pub has_previous: bool,
    pub has_receivables: bool,
    /// A handout's group: only its customers are shown (`None`: every customer).
    pub group: Option<super::returnable::Group>,
    /// Receivables and window orders, when the run built them.
    pub finance: Option<&'a Finance>,
}

/// One row of the tiers table: tier, label, customers, Σ sales, share of Σ sales.
pub type TierRow = (String, String, u64, Decimal, Option<Decimal>);

impl<'a> Evaluation<'a> {
    /// The reports of a graded run.
    pub fn of(done: &'a Evaluated, rules: &'a Rules, lang: Lang) -> Evaluation<'a> {
        let g = &done.gathered;
        Evaluation {
            model: &g.model,
            grades: &done.grades,
            rules,
            lang,
            inputs: &g.inputs,
            issues: &g.issues,
            has_previous: g.has_previous,
            has_receivables: g.has_receipts,
            group: None,
            finance: g.finance.as_ref(),
        }
    }
}

impl Evaluation<'_> {
    /// Whether customer `i` is shown (every customer, or the handout's group).
    pub fn shows(&self, i: usize) -> bool {
        self.group.as_ref().is_none_or(|g| g.members[i])
    }

    /// Customer indexes in the Evaluation sheet's order: best grade first,
    /// then sales descending, then key.
    pub fn order(&self) -> Vec<usize> {
        let cs = &self.model.customers;
        let mut idx: Vec<usize> = (0..cs.len()).filter(|&i| self.shows(i)).collect();
        idx.sort_by(|&a, &b| {
            self.grades[a]
                .grade
                .cmp(&self.grades[b].grade)
                .then(cs[b].sales.cmp(&cs[a].sales))
                .then(cs[a].key.cmp(&cs[b].key))
        });
        idx
    }

    pub(super) fn frame(&self) -> Frame<'_> {
        Frame {
            lang: self.lang,
            period: self.model.period,
            rules_name: &self.rules.name,
        }
    }

    pub(super) fn t(&self) -> &'static Texts {
        self.frame().t()
    }

    pub(super) fn tier(&self, i: usize) -> String {
        self.rules.tier_name(i).to_string()
    }

    fn tiers(&self) -> Vec<String> {
        self.rules.tiers.order.clone()
    }

    /// Customers in the sheet order, with the row number they get there.
    pub(super) fn rows_where(
        &self,
        keep: impl Fn(&Metrics, &CustomerGrade) -> bool,
    ) -> Vec<(usize, usize)> {
        self.order()
            .into_iter()
            .filter(|&i| keep(&self.model.customers[i], &self.grades[i]))
            .enumerate()
            .collect()
    }

    /// Per tier: customers, Σ sales, share of Σ sales (best first).
    pub fn tier_table(&self) -> Vec<TierRow> {
        let cs = &self.model.customers;
        let shown = || (0..cs.len()).filter(|&i| self.shows(i));
        let total: Decimal = shown().map(|i| cs[i].sales).sum();
        self.tiers()
            .iter()
            .enumerate()
            .map(|(t, name)| {
                let (n, s) = shown()
                    .filter(|&i| self.grades[i].grade == t)
                    .fold((0u64, Decimal::ZERO), |(n, s), i| (n + 1, s + cs[i].sales));
                let share = (total > Decimal::ZERO).then(|| s / total);
                (name.clone(), self.rules.tier_label(name), n, s, share)
            })
            .collect()
    }

    /// The whole evaluation workbook.
    pub fn book(&self) -> Book {
        let t = self.t();
        let mut sheets = vec![self.summary(), self.evaluation(), self.top_tier()];
        if self
            .model
            .customers
            .iter()
            .any(|c| c.special_policy.is_some())
        {
            sheets.push(self.special_policy());
        }
        if self.receivables().is_some() {
            sheets.push(self.credit_sheet());
        }
        sheets.push(self.new_clients());
        sheets.extend(self.upgrades_sheet());
        sheets.push(issues_sheet(&self.frame(), self.issues));
        let book = Book {
            title: format!("{} {}", t.title_evaluation, self.model.period.as_of),
            created: self.model.period.as_of,
            sheets,
            hidden: None,
            tiers: self.tiers(),
        };
        super::returnable::finish(self, book)
    }

    fn summary(&self) -> Sheet {
        let t = self.t();
        let mut blocks = vec![
            // Inputs: one row per file here, one per sheet near the end.
            Block::Heading(t.inputs_heading.to_string()),
            Block::Table(inputs_table(t, self.inputs, true)),
            Block::Gap,
            Block::Heading(t.tiers_heading.to_string()),
            Block::Table(self.tiers_table()),
            Block::Charts(self.tier_charts()),
            Block::Gap,
        ];
        if let Some(curve) = self.pareto_table() {
            blocks.push(Block::ChartData(curve));
            blocks.push(Block::Chart(self.pareto_chart()));
            blocks.push(Block::Gap);
        }
        if self.has_previous {
            // Previous tiers down, current tiers and lost across: shaded by count.
            let n = self.tiers().len();
            blocks.push(Block::Heading(t.migration_heading.to_string()));
            blocks.push(Block::Table(self.migration().heat_map(1, n + 1)));
            blocks.push(Block::Gap);
        }
        blocks.push(Block::Heading(t.controls_heading.to_string()));
        blocks.push(Block::Table(self.controls()));
        blocks.push(Block::Gap);
        blocks.push(Block::Heading(t.notes_heading.to_string()));
        blocks.push(Block::Text(self.notes()));
        // The longest and least read block last.
        if by_file(self.inputs).len() < self.inputs.len() {
            blocks.push(Block::Gap);
            blocks.push(Block::Heading(t.sheets_heading.to_string()));
            blocks.push(Block::Table(inputs_table(t, self.inputs, false)));
        }
        let frame = self.frame();
        let page = PageSetup {
            landscape: false,
            repeat_header: false,
            ..frame.page(t.title_summary, 0, false)
        };
        frame.sheet(t.sheet_summary, t.title_summary, blocks, page)
    }

    /// Over the tiers table: customers (columns) and sales (a line) per
    /// tier, and each tier's share of sales (a pie, when no tier's sales
    /// are negative and there are any).
    fn tier_charts(&self) -> Vec<Chart> {
        let t = self.t();
        let mut charts = vec![Chart::new(t.chart_title, "tiers", 0, vec![2, 3])];
        let shares: Vec<Option<Decimal>> = self.tier_table().iter().map(|r| r.4).collect();
        if shares.iter().all(|s| s.is_some_and(|s| s >= Decimal::ZERO)) {
            let pie = Chart::new(charts::charts(self.lang).share_title, "tiers", 0, vec![4]);
            charts.push(pie.kind(ChartKind::Pie));
        }
        charts
    }

    /// The volume metric of every customer (0 when it has none), highest first.
    fn volume_ranked(&self) -> Vec<Decimal> {
        let metric = &self.rules.volume.metric;
        let mut values: Vec<Decimal> = self
            .model
            .customers
            .iter()
            .map(|c| c.get(metric).unwrap_or(Decimal::ZERO))
            .collect();
        values.sort_by(|a, b| b.cmp(a));
        values
    }

    /// The Pareto curve of the volume metric: customers ranked highest
    /// first; x the share of customers, y the share of the positive total
    /// held by them; at most [`PARETO_POINTS`] points, the tiers' last
    /// customers among them. `None` when no customer has a positive value.
    fn pareto_table(&self) -> Option<Table> {
        let values = self.volume_ranked();
        let positive: Vec<Decimal> = values
            .iter()
            .copied()
            .filter(|v| *v > Decimal::ZERO)
            .collect();
        let total = positive
            .iter()
            .try_fold(Decimal::ZERO, |s, v| s.checked_add(*v))?;
        if total <= Decimal::ZERO {
            return None;
        }
        let n = values.len();
        let mut ranks: Vec<usize> = (0..=PARETO_POINTS).map(|i| i * n / PARETO_POINTS).collect();
        ranks.extend(self.tier_sizes());
        ranks.sort_unstable();
        ranks.dedup();
        let mut cumulative = vec![Decimal::ZERO];
        for v in &positive {
            cumulative.push(
                cumulative
                    .last()
                    .copied()
                    .unwrap_or_default()
                    .checked_add(*v)?,
            );
        }
        let count = Decimal::from(n as u64);
        let rows = ranks
            .iter()
            .filter(|&&k| k <= n)
            .map(|&k| {
                let held = cumulative[k.min(positive.len())];
                vec![
                    Value::Number((Decimal::from(k as u64) / count).round_dp(6)),
                    Value::Number((held / total).round_dp(6)),
                ]
            })
            .collect();
        let c = charts::charts(self.lang);
        let metric = metric_name(&self.rules.volume.metric, self.lang);
        let columns = vec![
            Column::new(
                "customer_share",
                fill(c.pareto_x, &[("metric", &metric)]),
                ColKind::Percent,
            ),
            Column::new(
                "cumulative_share",
                fill(c.pareto_y, &[("metric", &metric)]),
                ColKind::Percent,
            ),
        ];
        Some(Table::new("pareto", columns, rows))
    }

    /// Customers ranked inside each tier's volume cut, best tier first (the
    /// rank where the curve crosses into the next tier).
    fn tier_sizes(&self) -> Vec<usize> {
        let mut sizes = vec![0usize; self.tiers().len()];
        for g in self.grades {
            if let Some(n) = sizes.get_mut(g.volume_tier) {
                *n += 1;
            }
        }
        sizes
            .iter()
            .scan(0, |sum, n| {
                *sum += n;
                Some(*sum)
            })
            .collect()
    }

    /// The Pareto chart with a line where the rules cut: the cut shares of
    /// a cumulative-share rule (across), or where a threshold rule's
    /// minimum falls among the ranked customers (down).
    fn pareto_chart(&self) -> Chart {
        let c = charts::charts(self.lang);
        let metric = &self.rules.volume.metric;
        let name = metric_name(metric, self.lang);
        let title = fill(c.pareto_title, &[("metric", &name)]);
        let volume = &self.rules.volume;
        let mut lines = Vec::new();
        let floor = self.tiers().len().saturating_sub(1);
        for tier in self.tiers().iter().take(floor) {
            let line = match volume.method {
                VolumeMethod::CumulativeShare => volume
                    .share
                    .as_ref()
                    .and_then(|s| s.get(tier))
                    .map(|share| {
                        let label = fill(
                            c.cut_share,
                            &[("tier", tier), ("share", &fmt_percent(*share))],
                        );
                        RefLine {
                            label,
                            vertical: false,
                            at: *share,
                        }
                    }),
                VolumeMethod::Threshold => {
                    volume.min.as_ref().and_then(|m| m.get(tier)).map(|min| {
                        let values = self.volume_ranked();
                        let inside = values.iter().filter(|v| *v >= min).count() as u64;
                        let at =
                            Decimal::from(inside) / Decimal::from((values.len() as u64).max(1));
                        let min = fmt_value(metric, *min, self.lang, true);
                        let label = fill(c.cut_min, &[("tier", tier), ("min", &min)]);
                        RefLine {
                            label,
                            vertical: true,
                            at: at.round_dp(6),
                        }
                    })
                }
            };
            lines.extend(line);
        }
        Chart::new(title, "pareto", 0, vec![1])
            .kind(ChartKind::Curve)
            .lines(lines)
    }

    /// Customers and sales per tier, with a total row of `SUM` formulas.
    fn tiers_table(&self) -> Table {
        let t = self.t();
        let tiers = self.tier_table();
        let (mut n_all, mut s_all) = (0u64, Decimal::ZERO);
        let rows = tiers
            .iter()
            .map(|(name, label, n, s, share)| {
                n_all += *n;
                s_all += *s;
                vec![
                    Value::text(name),
                    Value::text(label),
                    Value::Int(*n as i64),
                    Value::Number(*s),
                    Value::opt_num(*share),
                ]
            })
            .collect();
        let columns = vec![
            Column::new("tier", t.h_tier, ColKind::Grade),
            Column::new("label", t.h_label, ColKind::Text),
            Column::new("customers", t.h_customers, ColKind::Integer),
            Column::new("sales", t.h_sales, ColKind::Money),
            Column::new("share", t.h_share, ColKind::Percent),
        ];
        let share = match s_all > Decimal::ZERO {
            true => Value::Sum(Decimal::ONE),
            false => Value::Empty,
        };
        Table::new("tiers", columns, rows).with_total(vec![
            Value::text(t.total),
            Value::Empty,
            Value::Sum(n_all.into()),
            Value::Sum(s_all),
            share,
        ])
    }

    /// The control totals of SPEC 7.6, each with both sides.
    fn controls(&self) -> Table {
        controls_table(self.t(), &self.model.totals, self.receipt_control_rows())
    }

    /// The Summary's notes: where the issues are, their counts, the version.
    fn notes(&self) -> Vec<String> {
        let t = self.t();
        let mut notes = vec![t.note_issues.to_string()];
        let counts = issue_counts(self.issues);
        if !counts.is_empty() {
            notes.push(
                counts
                    .iter()
                    .map(|(k, n)| format!("{} {n}", k.label(self.lang)))
                    .collect::<Vec<_>>()
                    .join(t.list_sep),
            );
        }
        notes.push(format!("{} {}", t.generated_by, env!("CARGO_PKG_VERSION")));
        notes
    }

    /// Previous grade (rows) × current grade (columns), lost customers apart.
    fn migration(&self) -> Table {
        let t = self.t();
        let tiers = self.tiers();
        let mut columns = vec![Column::new("previous", t.migration_corner, ColKind::Text)];
        for name in &tiers {
            columns.push(Column::new("tier_count", name.clone(), ColKind::Integer));
        }
        columns.push(Column::new("lost", t.lost_column, ColKind::Integer));
        columns.push(Column::new("total", t.total, ColKind::Integer));
        let mut counts = vec![vec![0i64; tiers.len() + 1]; tiers.len() + 1];
        let shown = (self.grades.iter().enumerate()).filter(|&(i, _)| self.shows(i));
        for (_, g) in shown {
            let r = g
                .previous_grade
                .as_deref()
                .and_then(|p| self.rules.tier_index(p))
                .unwrap_or(tiers.len());
            let c = if g.change == Change::Lost {
                tiers.len()
            } else {
                g.grade
            };
            counts[r][c] += 1;
        }
        let rows = counts
            .iter()
            .enumerate()
            .map(|(r, cs)| {
                let mut row = vec![Value::text(match tiers.get(r) {
                    Some(name) => name.as_str(),
                    None => t.none_previous,
                })];
                row.extend(cs.iter().map(|n| Value::Int(*n)));
                row.push(Value::Int(cs.iter().sum()));
                row
            })
            .collect();
        let mut total = vec![Value::text(t.total)];
        for c in 0..=tiers.len() {
            total.push(Value::Sum(counts.iter().map(|r| r[c]).sum::<i64>().into()));
        }
        total.push(Value::Sum(counts.iter().flatten().sum::<i64>().into()));
        Table::new("migration", columns, rows).with_total(total)
    }

    /// The columns of the Evaluation sheet (receivable columns only when
    /// receipts were given).
    fn evaluation_columns(&self) -> Vec<Column> {
        let t = self.t();
        let tiers = self.tiers();
        let mut columns = identity_columns(t, true);
        columns.extend([
            Column::new("first_date", t.h_first_date, ColKind::Date),
            Column::new("months_active", t.h_months, ColKind::Integer),
            Column::new("sales", t.h_sales, ColKind::Money),
            Column::new("prior_sales", t.h_prior, ColKind::Money),
            Column::new("growth", t.h_growth, ColKind::Percent),
            Column::new("quantity", t.h_quantity, ColKind::Number),
            Column::new("orders", t.h_orders, ColKind::Integer),
            Column::new("price_index", t.h_price_index, ColKind::Ratio),
        ]);
        if self.has_receivables {
            columns.push(Column::new(
                "collection_rate",
                t.h_collection,
                ColKind::Percent,
            ));
            columns.push(Column::new("overdue", t.h_overdue, ColKind::Money));
            columns.push(Column::new(
                "max_days_overdue",
                t.h_max_overdue,
                ColKind::Integer,
            ));
        }
        columns.extend([
            Column::new("composite_score", t.h_score, ColKind::Score),
            Column::new("volume_tier", t.h_volume_tier, ColKind::Grade),
            Column::new("composite_tier", t.h_composite_tier, ColKind::Grade),
            Column::new("grade", t.h_grade, ColKind::Grade),
            Column::new("previous_grade", t.h_previous, ColKind::Text),
            Column::new("change", t.h_change, ColKind::Text),
            Column::new("provisional", t.h_provisional, ColKind::Text),
            Column::new("near_boundary", t.h_near, ColKind::Text),
            Column::new("reasons", t.h_reasons, ColKind::LongText).max_width(48.0),
            Column::new("to_next_tier", t.h_to_next, ColKind::LongText).max_width(30.0),
            Column::new("proposed", t.h_proposed, ColKind::Grade).editable(tiers.clone()),
            Column::new("decision", t.h_decision, ColKind::Grade).editable(tiers),
            Column::new("remarks", t.h_remarks, ColKind::LongText)
                .editable(Vec::new())
                .max_width(24.0),
        ]);
        columns
    }

    /// One customer's row of the Evaluation sheet.
    fn evaluation_row(&self, n: usize, i: usize) -> Vec<Value> {
        let t = self.t();
        let (c, g) = (&self.model.customers[i], &self.grades[i]);
        let mut row = identity_values(n, c, true);
        row.extend([
            Value::opt_date(c.first_date),
            Value::opt_int(c.months_active),
            Value::Number(c.sales),
            Value::Number(c.prior_sales),
            Value::opt_num(c.growth),
            Value::Number(c.quantity),
            Value::Int(c.orders as i64),
            Value::opt_num(c.price_index),
        ]);
        if self.has_receivables {
            row.push(Value::opt_num(c.collection_rate));
            row.push(Value::opt_num(c.overdue));
            row.push(Value::opt_int(c.max_days_overdue));
        }
        row.extend([
            Value::opt_num(g.composite_score),
            Value::text(self.tier(g.volume_tier)),
            g.composite_tier
                .map_or(Value::Empty, |x| Value::text(self.tier(x))),
            Value::text(self.tier(g.grade)),
            Value::opt_text(g.previous_grade.as_deref()),
            Value::text(g.change.symbol()),
            Value::text(if c.provisional { t.yes } else { t.no }),
            if g.near_boundary {
                Value::text(t.near)
            } else {
                Value::Empty
            },
            Value::text(reason_texts(&g.reasons, self.rules, self.lang).join("\n")),
            Value::opt_text(next_tier_text(g, self.rules, self.lang).as_deref()),
            Value::Empty,
            Value::Empty,
            Value::Empty,
        ]);
        row
    }

    fn evaluation(&self) -> Sheet {
        let t = self.t();
        let rows = self
            .rows_where(|_, _| true)
            .into_iter()
            .map(|(n, i)| self.evaluation_row(n, i))
            .collect();
        let table = Table::new("evaluation", self.evaluation_columns(), rows).main(true);
        let frame = self.frame();
        let page = PageSetup {
            protect: true,
            ..frame.page(t.title_evaluation, 3, true)
        };
        frame.sheet(
            t.sheet_evaluation,
            t.title_evaluation,
            vec![Block::Table(table)],
            page,
        )
    }

    fn top_tier(&self) -> Sheet {
        let t = self.t();
        let best = self.tier(0);
        let label = self.rules.tier_label(&best);
        let name = if label.chars().count() <= 20 && !label.is_empty() {
            fill(t.sheet_top_named, &[("label", &label)])
        } else {
            t.sheet_top.to_string()
        };
        let title = fill(t.title_top, &[("tier", &best), ("label", &label)]);
        let plan = |key, header| {
            Column::new(key, header, ColKind::LongText)
                .editable(Vec::new())
                .max_width(22.0)
        };
        let mut columns = identity_columns(t, true);
        columns.extend([
            Column::new("sales", t.h_sales, ColKind::Money),
            Column::new("growth", t.h_growth, ColKind::Percent),
            Column::new("previous_grade", t.h_previous, ColKind::Text),
            Column::new("change", t.h_change, ColKind::Text),
            plan("production_support", t.h_production),
            plan("sales_service", t.h_service),
            plan("visit_plan", t.h_visits),
        ]);
        let rows: Vec<Vec<Value>> = self
            .rows_where(|_, g| g.grade == 0)
            .into_iter()
            .map(|(n, i)| {
                let (c, g) = (&self.model.customers[i], &self.grades[i]);
                let mut row = identity_values(n, c, true);
                row.extend([
                    Value::Number(c.sales),
                    Value::opt_num(c.growth),
                    Value::opt_text(g.previous_grade.as_deref()),
                    Value::text(g.change.symbol()),
                    Value::Empty,
                    Value::Empty,
                    Value::Empty,
                ]);
                row
            })
            .collect();
        let blocks = main_table("top", columns, rows, t.empty_top, false);
        let frame = self.frame();
        let page = PageSetup {
            protect: true,
            ..frame.page(&title, 3, true)
        };
        frame.sheet(&name, &title, blocks, page)
    }

    fn special_policy(&self) -> Sheet {
        let t = self.t();
        let mut columns = identity_columns(t, false);
        columns.extend([
            Column::new("special_policy", t.h_policy, ColKind::Text).max_width(24.0),
            Column::new("terms_days", t.h_terms, ColKind::Integer),
            Column::new("credit_limit", t.h_credit_limit, ColKind::Money),
            Column::new("sales", t.h_sales, ColKind::Money),
            Column::new("grade", t.h_grade, ColKind::Grade),
            Column::new("on_time_ratio", t.h_on_time, ColKind::Percent),
        ]);
        columns.extend(self.payment_columns());
        columns.extend([
            Column::new("verdict", t.h_review, ColKind::Text),
            Column::new("remarks", t.h_remarks, ColKind::LongText)
                .editable(Vec::new())
                .max_width(24.0),
        ]);
        let rows = self
            .rows_where(|c, _| c.special_policy.is_some())
            .into_iter()
            .map(|(n, i)| {
                let (c, g) = (&self.model.customers[i], &self.grades[i]);
                let verdict = g.special_policy.map_or(Value::Empty, |v| {
                    Value::text(match v {
                        PolicyVerdict::Keep => t.keep,
                        PolicyVerdict::Review => t.review,
                        PolicyVerdict::NoPaymentData => t.no_payment_data,
                    })
                });
                let mut row = identity_values(n, c, false);
                row.extend([
                    Value::opt_text(c.special_policy.as_deref()),
                    Value::opt_int(c.terms_days),
                    Value::opt_num(c.credit_limit),
                    Value::Number(c.sales),
                    Value::text(self.tier(g.grade)),
                    Value::opt_num(c.on_time_ratio),
                ]);
                row.extend(self.payment_values(c));
                row.extend([verdict, Value::Empty]);
                row
            })
            .collect();
        let table = Table::new("special", columns, rows).main(false);
        let frame = self.frame();
        let page = frame.page(t.title_special, 3, true);
        frame.sheet(
            t.sheet_special,
            t.title_special,
            vec![Block::Table(table)],
            page,
        )
    }

    /// The New Clients sheet (its table has id `new`).
    pub fn new_clients(&self) -> Sheet {
        let t = self.t();
        let mut columns = identity_columns(t, true);
        columns.extend([
            Column::new("first_date", t.h_first_date, ColKind::Date),
            Column::new("months_active", t.h_months, ColKind::Integer),
            Column::new("sales", t.h_sales, ColKind::Money),
            Column::new("basis_sales", t.h_basis, ColKind::Money),
            Column::new("grade", t.h_provisional_grade, ColKind::Grade),
            Column::new("formal_evaluation_date", t.h_formal_date, ColKind::Date),
            Column::new("reasons", t.h_reasons, ColKind::LongText).max_width(48.0),
        ]);
        let rows: Vec<Vec<Value>> = self
            .rows_where(|c, _| c.provisional)
            .into_iter()
            .map(|(n, i)| {
                let (c, g) = (&self.model.customers[i], &self.grades[i]);
                let mut row = identity_values(n, c, true);
                row.extend([
                    Value::opt_date(c.first_date),
                    Value::opt_int(c.months_active),
                    Value::Number(c.sales),
                    Value::Number(c.basis_sales),
                    Value::text(self.tier(g.grade)),
                    Value::opt_date(c.formal_evaluation_date),
                    Value::text(reason_texts(&g.reasons, self.rules, self.lang).join("\n")),
                ]);
                row
            })
            .collect();
        let blocks = main_table("new", columns, rows, t.empty_new, false);
        let frame = self.frame();
        let page = frame.page(t.title_new, 3, false);
        frame.sheet(t.sheet_new, t.title_new, blocks, page)
    }
}
