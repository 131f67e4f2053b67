//! The evaluation workbook of SPEC 7.2, as format-neutral sheets: Summary,
//! Evaluation, Top Tier, Special Policy (when the master names any), New
//! Clients and Data Issues. Figures come from the model and the grades; this
//! module only chooses rows, columns and order.

use rust_decimal::Decimal;

use super::labels::{texts, Texts};
use super::model::{
    Block, Book, Chart, ColKind, Column, HiddenSheet, PageSetup, Sheet, Table, Value,
};
use super::reasons::{next_tier_text, reason_texts};
use crate::grade::{Change, CustomerGrade, PolicyVerdict};
use crate::labels::{fill, Lang};
use crate::model::Metrics;
use crate::model::Model;
use crate::read::{Issue, IssueKind, SheetStats, SheetSummary};
use crate::rules::Rules;

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
}

impl Evaluation<'_> {
    /// Customer indexes in the Evaluation sheet's order: best grade first,
    /// then sales descending, then key.
    pub fn order(&self) -> Vec<usize> {
        let cs = &self.model.customers;
        let mut idx: Vec<usize> = (0..cs.len()).collect();
        idx.sort_by(|&a, &b| {
            self.grades[a]
                .grade
                .cmp(&self.grades[b].grade)
                .then(cs[b].sales.cmp(&cs[a].sales))
                .then(cs[a].key.cmp(&cs[b].key))
        });
        idx
    }

    fn t(&self) -> &'static Texts {
        texts(self.lang)
    }

    fn tier(&self, i: usize) -> String {
        self.rules.tier_name(i).to_string()
    }

    fn tiers(&self) -> Vec<String> {
        self.rules.tiers.order.clone()
    }

    /// Per tier: customers, Σ sales, share of Σ sales (best first).
    pub fn tier_table(&self) -> Vec<(String, String, u64, Decimal, Option<Decimal>)> {
        let total: Decimal = self.model.customers.iter().map(|c| c.sales).sum();
        self.tiers()
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let (n, s) = self
                    .model
                    .customers
                    .iter()
                    .zip(self.grades)
                    .filter(|(_, g)| g.grade == i)
                    .fold((0u64, Decimal::ZERO), |(n, s), (c, _)| (n + 1, s + c.sales));
                let share = (total > Decimal::ZERO).then(|| s / total);
                (name.clone(), self.rules.tier_label(name), n, s, share)
            })
            .collect()
    }

    fn subtitle(&self) -> Vec<String> {
        let w = &self.model.period.window;
        vec![fill(
            self.t().subtitle,
            &[
                ("as_of", &self.model.period.as_of.to_string()),
                ("start", &w.start.to_string()),
                ("end", &w.end.to_string()),
                ("months", &w.months.to_string()),
                ("rules", &self.rules.name),
            ],
        )]
    }

    fn page(&self, title: &str, freeze: u16, signature: bool) -> PageSetup {
        let t = self.t();
        PageSetup {
            landscape: true,
            header: format!("{title}  {} {}", t.as_of, self.model.period.as_of),
            footer: t.footer.to_string(),
            freeze_columns: freeze,
            repeat_header: true,
            protect: false,
            signature: signature.then(|| t.signature.iter().map(|s| s.to_string()).collect()),
        }
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
        sheets.push(self.new_clients());
        sheets.push(self.data_issues());
        Book {
            title: format!("{} {}", t.title_evaluation, self.model.period.as_of),
            created: self.model.period.as_of,
            sheets,
            hidden: Some(HiddenSheet {
                name: "tierbook_rules".to_string(),
                lines: self.rules.to_toml().lines().map(str::to_string).collect(),
            }),
            tiers: self.tiers(),
        }
    }

    fn summary(&self) -> Sheet {
        let t = self.t();
        let mut blocks = vec![
            // Inputs: one row per file here, one per sheet near the end.
            Block::Heading(t.inputs_heading.to_string()),
            Block::Table(self.inputs_table(true)),
            Block::Gap,
            // Tiers.
            Block::Heading(t.tiers_heading.to_string()),
        ];
        let tiers = self.tier_table();
        let (mut n_all, mut s_all) = (0i64, Decimal::ZERO);
        let rows = tiers
            .iter()
            .map(|(name, label, n, s, share)| {
                n_all += *n as i64;
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
        blocks.push(Block::Table(Table {
            id: "tiers".into(),
            columns: vec![
                Column::new(t.h_tier, ColKind::Grade),
                Column::new(t.h_label, ColKind::Text),
                Column::new(t.h_customers, ColKind::Integer),
                Column::new(t.h_sales, ColKind::Money),
                Column::new(t.h_share, ColKind::Percent),
            ],
            rows,
            total: Some(vec![
                Value::text(t.total),
                Value::Empty,
                Value::Int(n_all),
                Value::Number(s_all),
                if s_all > Decimal::ZERO {
                    Value::Number(Decimal::ONE)
                } else {
                    Value::Empty
                },
            ]),
            main: false,
            autofilter: false,
        }));
        blocks.push(Block::Chart(Chart {
            title: t.chart_title.to_string(),
            table_id: "tiers".into(),
            categories: 0,
            series: vec![2, 3],
        }));
        blocks.push(Block::Gap);
        if self.has_previous {
            blocks.push(Block::Heading(t.migration_heading.to_string()));
            blocks.push(Block::Table(self.migration()));
            blocks.push(Block::Gap);
        }
        // Control totals.
        let tt = &self.model.totals;
        blocks.push(Block::Heading(t.controls_heading.to_string()));
        let num = |d: Decimal| Value::Number(d);
        blocks.push(Block::Table(Table {
            id: "controls".into(),
            columns: vec![
                Column::new(t.h_check, ColKind::Text),
                Column::new(t.h_left, ColKind::Number),
                Column::new(t.h_right, ColKind::Text),
                Column::new(t.h_right_value, ColKind::Number),
                Column::new(t.h_result, ColKind::Text),
            ],
            rows: vec![
                vec![
                    Value::text(t.control_rows),
                    Value::Int(tt.rows_read as i64),
                    Value::text(t.control_rows_right),
                    Value::Int((tt.accepted + tt.rejected + tt.totals_rows) as i64),
                    Value::text(t.ok),
                ],
                vec![
                    Value::text(t.control_amount),
                    num(tt.accepted_amount),
                    Value::text(t.control_amount_right),
                    num(tt.in_window + tt.before_window + tt.after_as_of),
                    Value::text(t.ok),
                ],
                vec![
                    Value::text(t.control_window),
                    num(tt.in_window),
                    Value::text(t.control_window_right),
                    num(tt.customer_sales),
                    Value::text(t.ok),
                ],
            ],
            total: None,
            main: false,
            autofilter: false,
        }));
        blocks.push(Block::Gap);
        if by_file_rows(self.inputs).len() < self.inputs.len() {
            blocks.push(Block::Heading(t.sheets_heading.to_string()));
            blocks.push(Block::Table(self.inputs_table(false)));
            blocks.push(Block::Gap);
        }
        blocks.push(Block::Heading(t.notes_heading.to_string()));
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
        blocks.push(Block::Text(notes));
        Sheet {
            name: t.sheet_summary.to_string(),
            title: t.title_summary.to_string(),
            subtitle: self.subtitle(),
            blocks,
            page: PageSetup {
                landscape: false,
                repeat_header: false,
                ..self.page(t.title_summary, 0, false)
            },
        }
    }

    /// The inputs read with their row counts (SPEC 7.2): one row per file
    /// (`by_file`), its sheets summed, or one row per sheet.
    fn inputs_table(&self, by_file: bool) -> Table {
        let t = self.t();
        let kind_label = |k: crate::read::InputKind| match k {
            crate::read::InputKind::Ledger => t.kind_ledger,
            crate::read::InputKind::Customers => t.kind_customers,
            crate::read::InputKind::Previous => t.kind_previous,
            crate::read::InputKind::Receipts => t.kind_ledger,
        };
        let groups: Vec<&[SheetSummary]> = if by_file {
            by_file_rows(self.inputs)
        } else {
            self.inputs.chunks(1).collect()
        };
        let mut rows = Vec::with_capacity(groups.len());
        let mut sum = SheetStats::default();
        for group in groups {
            let (Some(first), Some(last)) = (group.first(), group.last()) else {
                continue;
            };
            let mut stats = SheetStats::default();
            for s in group {
                stats.add(&s.stats);
            }
            let sheet = if group.len() == 1 {
                first.sheet.clone()
            } else {
                t.sheets_span
                    .replace("{n}", &group.len().to_string())
                    .replace("{first}", &first.sheet)
                    .replace("{last}", &last.sheet)
            };
            rows.push(vec![
                Value::text(kind_label(first.kind)),
                Value::text(file_name(&first.file)),
                Value::Text(sheet),
                header_rows(group),
                Value::Int(stats.rows_read as i64),
                Value::Int(stats.accepted as i64),
                Value::Int(stats.rejected as i64),
                Value::Int(stats.totals_rows as i64),
            ]);
            sum.add(&stats);
        }
        Table {
            id: if by_file { "inputs" } else { "input_sheets" }.into(),
            columns: vec![
                Column::new(t.h_kind, ColKind::Text),
                Column::new(t.h_file, ColKind::Text).max_width(40.0),
                Column::new(t.h_sheet, ColKind::Text).max_width(40.0),
                Column::new(t.h_header_row, ColKind::Integer),
                Column::new(t.h_rows_read, ColKind::Integer),
                Column::new(t.h_accepted, ColKind::Integer),
                Column::new(t.h_rejected, ColKind::Integer),
                Column::new(t.h_totals_rows, ColKind::Integer),
            ],
            rows,
            total: Some(vec![
                Value::text(t.total),
                Value::Empty,
                Value::Empty,
                Value::Empty,
                Value::Int(sum.rows_read as i64),
                Value::Int(sum.accepted as i64),
                Value::Int(sum.rejected as i64),
                Value::Int(sum.totals_rows as i64),
            ]),
            main: false,
            autofilter: false,
        }
    }

    /// Previous grade (rows) × current grade (columns), lost customers apart.
    fn migration(&self) -> Table {
        let t = self.t();
        let tiers = self.tiers();
        let mut columns = vec![Column::new(t.migration_corner, ColKind::Text)];
        for name in &tiers {
            columns.push(Column::new(name.clone(), ColKind::Integer));
        }
        columns.push(Column::new(t.lost_column, ColKind::Integer));
        columns.push(Column::new(t.total, ColKind::Integer));
        let mut rows_keys: Vec<Option<usize>> = (0..tiers.len()).map(Some).collect();
        rows_keys.push(None);
        let mut counts = vec![vec![0i64; tiers.len() + 1]; rows_keys.len()];
        for g in self.grades {
            let r = match g
                .previous_grade
                .as_deref()
                .and_then(|p| self.rules.tier_index(p))
            {
                Some(p) => p,
                None => tiers.len(),
            };
            let c = if g.change == Change::Lost {
                tiers.len()
            } else {
                g.grade
            };
            counts[r][c] += 1;
        }
        let rows = rows_keys
            .iter()
            .zip(&counts)
            .map(|(k, cs)| {
                let mut row = vec![Value::text(match k {
                    Some(i) => tiers[*i].clone(),
                    None => t.none_previous.to_string(),
                })];
                row.extend(cs.iter().map(|n| Value::Int(*n)));
                row.push(Value::Int(cs.iter().sum()));
                row
            })
            .collect();
        let mut total = vec![Value::text(t.total)];
        for c in 0..=tiers.len() {
            total.push(Value::Int(counts.iter().map(|r| r[c]).sum()));
        }
        total.push(Value::Int(counts.iter().flatten().sum()));
        Table {
            id: "migration".into(),
            columns,
            rows,
            total: Some(total),
            main: false,
            autofilter: false,
        }
    }

    fn evaluation(&self) -> Sheet {
        let t = self.t();
        let tiers = self.tiers();
        let mut columns = vec![
            Column::new(t.h_no, ColKind::Index),
            Column::new(t.h_id, ColKind::Text),
            Column::new(t.h_name, ColKind::Text).max_width(28.0),
            Column::new(t.h_region, ColKind::Text),
            Column::new(t.h_rep, ColKind::Text),
            Column::new(t.h_first_date, ColKind::Date),
            Column::new(t.h_months, ColKind::Integer),
            Column::new(t.h_sales, ColKind::Money),
            Column::new(t.h_prior, ColKind::Money),
            Column::new(t.h_growth, ColKind::Percent),
            Column::new(t.h_quantity, ColKind::Number),
            Column::new(t.h_orders, ColKind::Integer),
            Column::new(t.h_price_index, ColKind::Ratio),
        ];
        if self.has_receivables {
            columns.push(Column::new(t.h_collection, ColKind::Percent));
            columns.push(Column::new(t.h_overdue, ColKind::Money));
            columns.push(Column::new(t.h_max_overdue, ColKind::Integer));
        }
        columns.extend([
            Column::new(t.h_score, ColKind::Score),
            Column::new(t.h_volume_tier, ColKind::Grade),
            Column::new(t.h_composite_tier, ColKind::Grade),
            Column::new(t.h_grade, ColKind::Grade),
            Column::new(t.h_previous, ColKind::Text),
            Column::new(t.h_change, ColKind::Text),
            Column::new(t.h_provisional, ColKind::Text),
            Column::new(t.h_near, ColKind::Text),
            Column::new(t.h_reasons, ColKind::LongText).max_width(48.0),
            Column::new(t.h_to_next, ColKind::LongText).max_width(30.0),
            Column::new(t.h_proposed, ColKind::Grade).editable(tiers.clone()),
            Column::new(t.h_decision, ColKind::Grade).editable(tiers.clone()),
            Column::new(t.h_remarks, ColKind::LongText)
                .editable(Vec::new())
                .max_width(24.0),
        ]);
        let mut rows = Vec::new();
        for (n, &i) in self.order().iter().enumerate() {
            let (c, g) = (&self.model.customers[i], &self.grades[i]);
            let mut row = vec![
                Value::Int(n as i64 + 1),
                Value::opt_text(c.id.as_deref()),
                Value::text(&c.name),
                Value::opt_text(c.region.as_deref()),
                Value::opt_text(c.sales_rep.as_deref()),
                Value::opt_date(c.first_date),
                c.months_active.map_or(Value::Empty, Value::Int),
                Value::Number(c.sales),
                Value::Number(c.prior_sales),
                Value::opt_num(c.growth),
                Value::Number(c.quantity),
                Value::Int(c.orders as i64),
                Value::opt_num(c.price_index),
            ];
            if self.has_receivables {
                row.push(Value::opt_num(c.collection_rate));
                row.push(Value::opt_num(c.overdue));
                row.push(c.max_days_overdue.map_or(Value::Empty, Value::Int));
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
            rows.push(row);
        }
        Sheet {
            name: t.sheet_evaluation.to_string(),
            title: t.title_evaluation.to_string(),
            subtitle: self.subtitle(),
            blocks: vec![Block::Table(Table {
                id: "evaluation".into(),
                columns,
                rows,
                total: None,
                main: true,
                autofilter: true,
            })],
            page: PageSetup {
                protect: true,
                ..self.page(t.title_evaluation, 3, true)
            },
        }
    }

    fn top_tier(&self) -> Sheet {
        let t = self.t();
        let best = self.tier(0);
        let label = self.rules.tier_label(&best);
        let name = if label.chars().count() <= 20 && !label.is_empty() {
            sanitize_sheet_name(&fill(t.sheet_top_named, &[("label", &label)]))
        } else {
            t.sheet_top.to_string()
        };
        let title = fill(t.title_top, &[("tier", &best), ("label", &label)]);
        let columns = vec![
            Column::new(t.h_no, ColKind::Index),
            Column::new(t.h_id, ColKind::Text),
            Column::new(t.h_name, ColKind::Text).max_width(28.0),
            Column::new(t.h_region, ColKind::Text),
            Column::new(t.h_rep, ColKind::Text),
            Column::new(t.h_sales, ColKind::Money),
            Column::new(t.h_growth, ColKind::Percent),
            Column::new(t.h_previous, ColKind::Text),
            Column::new(t.h_change, ColKind::Text),
            Column::new(t.h_production, ColKind::LongText)
                .editable(Vec::new())
                .max_width(22.0),
            Column::new(t.h_service, ColKind::LongText)
                .editable(Vec::new())
                .max_width(22.0),
            Column::new(t.h_visits, ColKind::LongText)
                .editable(Vec::new())
                .max_width(22.0),
        ];
        let rows: Vec<Vec<Value>> = self
            .order()
            .into_iter()
            .filter(|&i| self.grades[i].grade == 0)
            .enumerate()
            .map(|(n, i)| {
                let (c, g) = (&self.model.customers[i], &self.grades[i]);
                vec![
                    Value::Int(n as i64 + 1),
                    Value::opt_text(c.id.as_deref()),
                    Value::text(&c.name),
                    Value::opt_text(c.region.as_deref()),
                    Value::opt_text(c.sales_rep.as_deref()),
                    Value::Number(c.sales),
                    Value::opt_num(c.growth),
                    Value::opt_text(g.previous_grade.as_deref()),
                    Value::text(g.change.symbol()),
                    Value::Empty,
                    Value::Empty,
                    Value::Empty,
                ]
            })
            .collect();
        let blocks = main_table("top", columns, rows, t.empty_top, false);
        Sheet {
            name,
            title: title.clone(),
            subtitle: self.subtitle(),
            blocks,
            page: PageSetup {
                protect: true,
                ..self.page(&title, 3, true)
            },
        }
    }

    fn special_policy(&self) -> Sheet {
        let t = self.t();
        let columns = vec![
            Column::new(t.h_no, ColKind::Index),
            Column::new(t.h_id, ColKind::Text),
            Column::new(t.h_name, ColKind::Text).max_width(28.0),
            Column::new(t.h_policy, ColKind::Text).max_width(24.0),
            Column::new(t.h_terms, ColKind::Integer),
            Column::new(t.h_credit_limit, ColKind::Money),
            Column::new(t.h_sales, ColKind::Money),
            Column::new(t.h_grade, ColKind::Grade),
            Column::new(t.h_on_time, ColKind::Percent),
            Column::new(t.h_review, ColKind::Text),
            Column::new(t.h_remarks, ColKind::LongText)
                .editable(Vec::new())
                .max_width(24.0),
        ];
        let rows = self
            .order()
            .into_iter()
            .filter(|&i| self.model.customers[i].special_policy.is_some())
            .enumerate()
            .map(|(n, i)| {
                let (c, g) = (&self.model.customers[i], &self.grades[i]);
                let verdict = g.special_policy.map_or(Value::Empty, |v| {
                    Value::text(match v {
                        PolicyVerdict::Keep => t.keep,
                        PolicyVerdict::Review => t.review,
                        PolicyVerdict::NoPaymentData => t.no_payment_data,
                    })
                });
                vec![
                    Value::Int(n as i64 + 1),
                    Value::opt_text(c.id.as_deref()),
                    Value::text(&c.name),
                    Value::opt_text(c.special_policy.as_deref()),
                    c.terms_days.map_or(Value::Empty, Value::Int),
                    Value::opt_num(c.credit_limit),
                    Value::Number(c.sales),
                    Value::text(self.tier(g.grade)),
                    Value::opt_num(c.on_time_ratio),
                    verdict,
                    Value::Empty,
                ]
            })
            .collect();
        Sheet {
            name: t.sheet_special.to_string(),
            title: t.title_special.to_string(),
            subtitle: self.subtitle(),
            blocks: vec![Block::Table(Table {
                id: "special".into(),
                columns,
                rows,
                total: None,
                main: true,
                autofilter: false,
            })],
            page: self.page(t.title_special, 3, true),
        }
    }

    fn new_clients(&self) -> Sheet {
        let t = self.t();
        let columns = vec![
            Column::new(t.h_no, ColKind::Index),
            Column::new(t.h_id, ColKind::Text),
            Column::new(t.h_name, ColKind::Text).max_width(28.0),
            Column::new(t.h_region, ColKind::Text),
            Column::new(t.h_rep, ColKind::Text),
            Column::new(t.h_first_date, ColKind::Date),
            Column::new(t.h_months, ColKind::Integer),
            Column::new(t.h_sales, ColKind::Money),
            Column::new(t.h_basis, ColKind::Money),
            Column::new(t.h_provisional_grade, ColKind::Grade),
            Column::new(t.h_formal_date, ColKind::Date),
            Column::new(t.h_reasons, ColKind::LongText).max_width(48.0),
        ];
        let rows: Vec<Vec<Value>> = self
            .order()
            .into_iter()
            .filter(|&i| self.model.customers[i].provisional)
            .enumerate()
            .map(|(n, i)| {
                let (c, g): (&Metrics, &CustomerGrade) =
                    (&self.model.customers[i], &self.grades[i]);
                vec![
                    Value::Int(n as i64 + 1),
                    Value::opt_text(c.id.as_deref()),
                    Value::text(&c.name),
                    Value::opt_text(c.region.as_deref()),
                    Value::opt_text(c.sales_rep.as_deref()),
                    Value::opt_date(c.first_date),
                    c.months_active.map_or(Value::Empty, Value::Int),
                    Value::Number(c.sales),
                    Value::Number(c.basis_sales),
                    Value::text(self.tier(g.grade)),
                    Value::opt_date(c.formal_evaluation_date),
                    Value::text(reason_texts(&g.reasons, self.rules, self.lang).join("\n")),
                ]
            })
            .collect();
        let blocks = main_table("new", columns, rows, t.empty_new, false);
        Sheet {
            name: t.sheet_new.to_string(),
            title: t.title_new.to_string(),
            subtitle: self.subtitle(),
            blocks,
            page: self.page(t.title_new, 3, false),
        }
    }

    fn data_issues(&self) -> Sheet {
        let t = self.t();
        let columns = vec![
            Column::new(t.h_issue_kind, ColKind::Text),
            Column::new(t.h_file, ColKind::Text).max_width(24.0),
            Column::new(t.h_sheet, ColKind::Text),
            Column::new(t.h_row, ColKind::Integer),
            Column::new(t.h_column, ColKind::Text),
            Column::new(t.h_message, ColKind::LongText).max_width(50.0),
            Column::new(t.h_cells, ColKind::LongText).max_width(50.0),
        ];
        let rows: Vec<Vec<Value>> = self
            .issues
            .iter()
            .map(|i| {
                vec![
                    Value::text(i.kind.label(self.lang)),
                    Value::text(file_name(&i.file)),
                    Value::text(&i.sheet),
                    i.row.map_or(Value::Empty, |r| Value::Int(r as i64)),
                    Value::opt_text(i.column.as_deref()),
                    Value::text(i.problem.message(self.lang)),
                    Value::text(raw_cells(&i.cells)),
                ]
            })
            .collect();
        let blocks = main_table("issues", columns, rows, t.no_issues, true);
        Sheet {
            name: t.sheet_issues.to_string(),
            title: t.title_issues.to_string(),
            subtitle: self.subtitle(),
            blocks,
            page: self.page(t.title_issues, 0, false),
        }
    }
}

/// A sheet's main table, preceded by `empty` (a sentence) when it has no rows.
fn main_table(
    id: &str,
    columns: Vec<Column>,
    rows: Vec<Vec<Value>>,
    empty: &str,
    autofilter: bool,
) -> Vec<Block> {
    let mut blocks = Vec::new();
    if rows.is_empty() {
        blocks.push(Block::Text(vec![empty.to_string()]));
    }
    blocks.push(Block::Table(Table {
        id: id.into(),
        columns,
        rows,
        total: None,
        main: true,
        autofilter,
    }));
    blocks
}

/// The raw cells of a row as one line: blanks dropped at the end, ` | ` between.
pub fn raw_cells(cells: &[String]) -> String {
    let end = cells
        .iter()
        .rposition(|c| !c.trim().is_empty())
        .map_or(0, |p| p + 1);
    cells[..end].join(" | ")
}

/// The last component of a path, for display.
pub fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// The input sheets grouped by file (kind and path), in input order.
fn by_file_rows(inputs: &[SheetSummary]) -> Vec<&[SheetSummary]> {
    inputs
        .chunk_by(|a, b| a.kind == b.kind && a.file == b.file)
        .collect()
}

/// The header row of a group of sheets: the row when all share it, else
/// the range ("3–5"); empty when no sheet had one.
fn header_rows(group: &[SheetSummary]) -> Value {
    let rows: Vec<u32> = group.iter().filter_map(|s| s.header_row).collect();
    match (rows.iter().min(), rows.iter().max()) {
        (Some(lo), Some(hi)) if lo == hi => Value::Int(*lo as i64),
        (Some(lo), Some(hi)) => Value::Text(format!("{lo}–{hi}")),
        _ => Value::Empty,
    }
}

/// Counts of issues per kind, in kind order.
pub fn issue_counts(issues: &[Issue]) -> Vec<(IssueKind, usize)> {
    let mut m = std::collections::BTreeMap::new();
    for i in issues {
        *m.entry(i.kind).or_insert(0usize) += 1;
    }
    m.into_iter().collect()
}

/// A valid Excel sheet name: at most 31 characters, none of `[]:*?/\`.
pub fn sanitize_sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    let trimmed = cleaned.trim_matches('\'').to_string();
    if trimmed.is_empty() {
        "Sheet".to_string()
    } else {
        trimmed
    }
}
