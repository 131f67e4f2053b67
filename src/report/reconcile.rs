//! The finance reconciliation workbook of `reconcile` (SPEC 7.5), as
//! format-neutral sheets: Summary (inputs and control totals), Statements
//! overview (one row per customer), the customers' statements (one block
//! per customer, each on its own printed page: brought-forward balance, the
//! window's invoices, credit notes and receipts in date order with a running
//! balance, the period totals, the closing balance with the open invoices
//! and the credit not yet applied, the aging, a line for the customer to
//! confirm), Open Items, Unmatched Receipts and Data Issues. Money cells
//! are numbers; every total row is a `SUM` over the rows above with its
//! value saved as the result.

use rust_decimal::Decimal;

use super::blocks::{controls_table, file_name, inputs_table, issues_sheet, Frame};
use super::finance::{
    aging_columns, aging_index, aging_sums, aging_values, receipt_controls, total_row,
};
use super::labels::Texts;
use super::model::{
    Block, Book, ColKind, Column, Deferred, PageSetup, PartSource, Sheet, Table, Value,
};
use crate::labels::finance::{finance, FinanceTexts};
use crate::labels::{fill, Lang};
use crate::model::finance::{Account, Finance, LineKind, StatementRow};
use crate::model::receivables::Debt;
use crate::model::{Metrics, Model};
use crate::pipeline::Gathered;
use crate::read::{Issue, SheetSummary};
use crate::render::xlsx::MAX_PAGE_BREAKS;
use crate::rules::Rules;

/// Why a reconciliation cannot be made: the command line's and the page's message.
pub const NO_RECEIPTS: &str = "no receipts ledger was read";

/// Everything the reconciliation workbook is built from.
pub struct Reconciliation<'a> {
    pub model: &'a Model,
    pub finance: &'a Finance,
    pub rules: &'a Rules,
    pub lang: Lang,
    pub inputs: &'a [SheetSummary],
    pub issues: &'a [Issue],
    /// Customers with something on their account, by customer key.
    customers: Vec<usize>,
}

impl<'a> Reconciliation<'a> {
    /// The reconciliation of a gathered run; `None` when it has no
    /// receivables (no receipts ledger was given).
    pub fn of(g: &'a Gathered, rules: &'a Rules, lang: Lang) -> Option<Reconciliation<'a>> {
        let finance = g.finance.as_ref().filter(|f| f.has_receipts)?;
        let cs = &g.model.customers;
        let mut customers: Vec<usize> = (0..cs.len())
            .filter(|&i| finance.accounts.get(i).is_some_and(Account::is_active))
            .collect();
        customers.sort_by(|&a, &b| cs[a].key.cmp(&cs[b].key));
        Some(Reconciliation {
            model: &g.model,
            finance,
            rules,
            lang,
            inputs: &g.inputs,
            issues: &g.issues,
            customers,
        })
    }
}

impl Reconciliation<'_> {
    fn frame(&self) -> Frame<'_> {
        Frame {
            lang: self.lang,
            period: self.model.period,
            rules_name: &self.rules.name,
        }
    }

    fn t(&self) -> &'static Texts {
        self.frame().t()
    }

    fn f(&self) -> &'static FinanceTexts {
        finance(self.lang)
    }

    /// A sheet of the workbook: the period line under the title, the title
    /// and as-of date in the page header (no grading terms: statements go to
    /// customers); the statements carry their own period lines.
    fn sheet(&self, name: &str, title: &str, blocks: Vec<Block>, page: PageSetup) -> Sheet {
        let f = self.f();
        let p = &self.model.period;
        let subtitle = match name == f.sheet_statements {
            true => Vec::new(),
            false => vec![fill(
                f.subtitle,
                &[
                    ("as_of", &p.as_of.to_string()),
                    ("start", &p.window.start.to_string()),
                    ("end", &p.window.end.to_string()),
                ],
            )],
        };
        Sheet {
            name: name.to_string(),
            title: title.to_string(),
            subtitle,
            blocks,
            page: PageSetup {
                header: format!("{title}  {} {}", f.as_of, p.as_of),
                ..page
            },
        }
    }

    fn edges(&self) -> &[u32] {
        &self.rules.receivables.aging_days
    }

    /// Customers with something on their account, by customer key.
    pub fn customers(&self) -> &[usize] {
        &self.customers
    }

    /// The whole reconciliation workbook. Its statements are deferred: each
    /// is made when it is written, by the reconciliation as [`PartSource`]
    /// (part `k`: the statement of the `k`-th customer).
    pub fn book(&self) -> Book {
        let customers = self.customers();
        let mut sheets = vec![self.summary(), self.overview(customers)];
        let n = customers.len();
        if n == 0 {
            sheets.push(self.statements(0..0));
        }
        let chunks = (0..n).step_by(MAX_PAGE_BREAKS);
        sheets.extend(chunks.map(|k| self.statements(k..n.min(k + MAX_PAGE_BREAKS))));
        sheets.push(self.open_items(customers));
        sheets.push(self.unmatched());
        sheets.push(issues_sheet(&self.frame(), self.issues));
        Book {
            title: format!("{} {}", self.f().title_reconcile, self.model.period.as_of),
            created: self.model.period.as_of,
            sheets,
            hidden: None,
            tiers: self.rules.tiers.order.clone(),
        }
    }

    /// Σ closing balances and Σ (open invoices − unapplied credit).
    fn closing_check(&self) -> (Decimal, Decimal) {
        let mut closing = Decimal::ZERO;
        let mut owed = Decimal::ZERO;
        for (a, c) in self.finance.accounts.iter().zip(&self.model.customers) {
            closing += a.closing;
            owed += c.outstanding.unwrap_or_default() - a.unapplied;
        }
        (closing, owed)
    }

    fn summary(&self) -> Sheet {
        let (t, f) = (self.t(), self.f());
        let more = receipt_controls(f, &self.finance.totals, t.ok, Some(self.closing_check()));
        let blocks = vec![
            Block::Heading(t.inputs_heading.to_string()),
            Block::Table(inputs_table(t, self.inputs, true)),
            Block::Gap,
            Block::Heading(t.controls_heading.to_string()),
            Block::Table(controls_table(t, &self.model.totals, more)),
            Block::Gap,
            Block::Heading(t.notes_heading.to_string()),
            Block::Text(vec![
                t.note_issues.to_string(),
                format!("{} {}", t.generated_by, env!("CARGO_PKG_VERSION")),
            ]),
        ];
        let page = PageSetup {
            landscape: false,
            repeat_header: false,
            ..self.frame().page(f.title_summary, 0, false)
        };
        self.sheet(t.sheet_summary, f.title_summary, blocks, page)
    }

    /// One row per customer: opening, invoiced, received, closing, open
    /// invoices, unapplied credit, aging; totals as `SUM`s.
    fn overview(&self, customers: &[usize]) -> Sheet {
        let (t, f) = (self.t(), self.f());
        let aging = aging_columns(f, self.edges());
        let n = aging.len();
        let mut columns = vec![
            Column::new("row_number", t.h_no, ColKind::Index),
            Column::new("id", t.h_id, ColKind::Text),
            Column::new("name", t.h_name, ColKind::Text).max_width(28.0),
            Column::new("opening", f.h_opening, ColKind::Money),
            Column::new("invoiced", f.h_invoiced, ColKind::Money),
            Column::new("received", f.h_received, ColKind::Money),
            Column::new("closing", f.h_closing, ColKind::Money),
            Column::new("outstanding", f.h_open_invoices, ColKind::Money),
            Column::new("unapplied", f.h_unapplied, ColKind::Money),
        ];
        columns.extend(aging);
        let cs = &self.model.customers;
        let accounts = &self.finance.accounts;
        let rows: Vec<Vec<Value>> = customers
            .iter()
            .enumerate()
            .map(|(n_row, &i)| {
                let (c, a) = (&cs[i], &accounts[i]);
                let mut v = vec![
                    Value::Int(n_row as i64 + 1),
                    Value::opt_text(c.id.as_deref()),
                    Value::text(&c.name),
                ];
                v.extend(money_values(c, a));
                v.extend(aging_values(c.aging.as_deref(), n));
                v
            })
            .collect();
        let sum = |get: &dyn Fn(&Metrics, &Account) -> Decimal| {
            Value::Sum(customers.iter().map(|&i| get(&cs[i], &accounts[i])).sum())
        };
        let ages = aging_sums(customers.iter().filter_map(|&i| cs[i].aging.as_deref()), n);
        let total = total_row(&columns, t.total, |key| match key {
            "opening" => Some(sum(&|_, a| a.opening)),
            "invoiced" => Some(sum(&|_, a| a.invoiced)),
            "received" => Some(sum(&|_, a| a.received)),
            "closing" => Some(sum(&|_, a| a.closing)),
            "outstanding" => Some(sum(&|c, _| c.outstanding.unwrap_or_default())),
            "unapplied" => Some(sum(&|_, a| a.unapplied)),
            k => aging_index(k).and_then(|i| ages.get(i).cloned()),
        });
        let mut blocks = Vec::new();
        if rows.is_empty() {
            blocks.push(Block::Text(vec![f.empty_statements.to_string()]));
        }
        let table = Table::new("statements", columns, rows).main(true);
        blocks.push(Block::Table(table.with_total(total)));
        let page = self.frame().page(f.title_overview, 3, true);
        self.sheet(f.sheet_overview, f.title_overview, blocks, page)
    }

    /// The statements of the customers `parts` (positions in
    /// [`Self::customers`]), one block each, each on its own page, made as
    /// they are written.
    fn statements(&self, parts: std::ops::Range<usize>) -> Sheet {
        let f = self.f();
        let mut blocks = Vec::new();
        if parts.is_empty() {
            blocks.push(Block::Text(vec![f.empty_statements.to_string()]));
        } else {
            // Each statement's table rows: brought forward, its lines, its
            // summary and its aging.
            let rows = self.customers[parts.clone()]
                .iter()
                .map(|&i| self.finance.accounts[i].lines.len() + 3)
                .sum();
            let mut columns = self.line_columns();
            columns.extend(self.summary_columns());
            columns.extend(aging_columns(f, self.edges()));
            blocks.push(Block::Deferred(Deferred {
                parts,
                page_each: true,
                rows,
                columns,
            }));
        }
        let page = PageSetup {
            landscape: false,
            freeze_columns: 0,
            repeat_header: false,
            ..self.frame().page(f.title_statements, 0, false)
        };
        self.sheet(f.sheet_statements, f.title_statements, blocks, page)
    }

    /// One customer's statement (对账单).
    fn statement(&self, i: usize) -> Vec<Block> {
        let f = self.f();
        let (c, a) = (&self.model.customers[i], &self.finance.accounts[i]);
        let p = &self.model.period;
        let heading = match &c.id {
            Some(id) => fill(f.statement_heading, &[("name", &c.name), ("id", id)]),
            None => fill(f.statement_heading_name, &[("name", &c.name)]),
        };
        let (start, end, as_of) = (
            p.window.start.to_string(),
            p.window.end.to_string(),
            p.as_of.to_string(),
        );
        let period = fill(
            f.statement_period,
            &[("start", &start), ("end", &end), ("as_of", &as_of)],
        );
        let columns = self.line_columns();
        let mut rows = vec![vec![
            Value::Empty,
            Value::text(f.brought_forward),
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Number(a.opening),
        ]];
        rows.extend(a.lines.iter().map(|l| self.line(l)));
        let total = total_row(&columns, "", |key| match key {
            "entry" => Some(Value::text(f.period_total)),
            "invoiced" => Some(Value::Sum(a.invoiced)),
            "received" => Some(Value::Sum(a.received)),
            _ => None,
        });
        let lines = Table::new("statement", columns, rows).with_total(total);
        let summary = Table::new(
            "statement_summary",
            self.summary_columns(),
            vec![money_values(c, a)],
        );
        let aging_cols = aging_columns(f, self.edges());
        let aging_row = aging_values(c.aging.as_deref(), aging_cols.len());
        let aging = Table::new("statement_aging", aging_cols, vec![aging_row]);
        vec![
            Block::Heading(heading),
            Block::Text(vec![period]),
            Block::Table(lines),
            Block::Gap,
            // The closing balance, the aging and the lines to sign print
            // together, after the last statement line.
            Block::KeepNext(6),
            Block::Table(summary),
            Block::Gap,
            Block::Heading(f.h_aging.to_string()),
            Block::Table(aging),
            Block::Gap,
            Block::Text(vec![
                fill(f.confirm, &[("as_of", &as_of)]),
                String::new(),
                f.issuer_sign.to_string(),
                String::new(),
                f.confirm_sign.to_string(),
            ]),
        ]
    }

    /// The columns of a statement's lines.
    fn line_columns(&self) -> Vec<Column> {
        let f = self.f();
        vec![
            Column::new("date", f.h_date, ColKind::Date),
            Column::new("entry", f.h_entry, ColKind::Text).max_width(26.0),
            Column::new("reference", f.h_ref, ColKind::Text),
            Column::new("invoiced", f.h_debit, ColKind::Money),
            Column::new("received", f.h_credit, ColKind::Money),
            Column::new("balance", f.h_balance, ColKind::Money),
        ]
    }

    /// The columns of a statement's closing summary.
    fn summary_columns(&self) -> Vec<Column> {
        let f = self.f();
        vec![
            Column::new("opening", f.s_opening, ColKind::Money),
            Column::new("invoiced", f.s_invoiced, ColKind::Money),
            Column::new("received", f.s_received, ColKind::Money),
            Column::new("closing", f.s_closing, ColKind::Money),
            Column::new("outstanding", f.s_open_invoices, ColKind::Money),
            Column::new("unapplied", f.s_unapplied, ColKind::Money),
        ]
    }

    /// A statement line: date, what it is, its order, invoiced or received,
    /// the balance after it.
    fn line(&self, l: &StatementRow) -> Vec<Value> {
        let f = self.f();
        let fin = self.finance;
        let entry = match l.kind {
            LineKind::Invoice => f.entry_invoice.to_string(),
            LineKind::CreditNote if l.source_order != crate::read::intern::NONE => fill(
                f.entry_credit_note_of,
                &[("source", fin.text(l.source_order))],
            ),
            LineKind::CreditNote => f.entry_credit_note.to_string(),
            LineKind::Receipt if l.amount < Decimal::ZERO => f.entry_refund.to_string(),
            LineKind::Receipt => f.entry_receipt.to_string(),
        };
        let (invoiced, received) = match l.kind {
            LineKind::Receipt => (Value::Empty, Value::Number(l.amount)),
            _ => (Value::Number(l.amount), Value::Empty),
        };
        vec![
            Value::Date(l.date),
            Value::Text(entry),
            Value::opt_text(Some(fin.text(l.order)).filter(|s| !s.is_empty())),
            invoiced,
            received,
            Value::Number(l.balance),
        ]
    }

    /// Every open item of the customers: order, date, due date, amount,
    /// settled, remaining, days past due, aging bucket; totals as `SUM`s.
    fn open_items(&self, customers: &[usize]) -> Sheet {
        let (t, f) = (self.t(), self.f());
        let labels = f.aging_headers(self.edges());
        let columns = vec![
            Column::new("row_number", t.h_no, ColKind::Index),
            Column::new("id", t.h_id, ColKind::Text),
            Column::new("name", t.h_name, ColKind::Text).max_width(28.0),
            Column::new("entry", f.h_entry, ColKind::Text),
            Column::new("order_no", f.h_order, ColKind::Text),
            Column::new("date", f.h_item_date, ColKind::Date),
            Column::new("due_date", f.h_due, ColKind::Date),
            Column::new("amount", f.h_original, ColKind::Money),
            Column::new("settled", f.h_settled, ColKind::Money),
            Column::new("remaining", f.h_remaining, ColKind::Money),
            Column::new("days_past_due", f.h_days_past_due, ColKind::Integer),
            Column::new("aging", f.h_aging, ColKind::Text),
        ];
        let mut rows = Vec::new();
        let mut sums = [Decimal::ZERO; 3];
        for &i in customers {
            let c = &self.model.customers[i];
            for o in &self.finance.accounts[i].open_items {
                let entry = match o.debt {
                    Debt::Invoice(_) => f.entry_invoice,
                    Debt::Refund(_) => f.entry_refund,
                };
                for (s, d) in sums.iter_mut().zip([o.amount, o.settled, o.remaining]) {
                    *s += d;
                }
                rows.push(vec![
                    Value::Int(rows.len() as i64 + 1),
                    Value::opt_text(c.id.as_deref()),
                    Value::text(&c.name),
                    Value::text(entry),
                    Value::opt_text(Some(self.finance.text(o.order)).filter(|s| !s.is_empty())),
                    Value::Date(o.date),
                    Value::Date(o.due),
                    Value::Number(o.amount),
                    Value::Number(o.settled),
                    Value::Number(o.remaining),
                    Value::Int(o.days_past_due),
                    Value::opt_text(labels.get(o.bucket).map(String::as_str)),
                ]);
            }
        }
        let total = total_row(&columns, t.total, |key| match key {
            "amount" => Some(Value::Sum(sums[0])),
            "settled" => Some(Value::Sum(sums[1])),
            "remaining" => Some(Value::Sum(sums[2])),
            _ => None,
        });
        let mut blocks = Vec::new();
        if rows.is_empty() {
            blocks.push(Block::Text(vec![f.empty_open.to_string()]));
        }
        let table = Table::new("open_items", columns, rows).main(true);
        blocks.push(Block::Table(table.with_total(total)));
        let page = self.frame().page(f.title_open, 3, false);
        self.sheet(f.sheet_open, f.title_open, blocks, page)
    }

    /// Receipts of customers without a ledger line on or before as_of.
    fn unmatched(&self) -> Sheet {
        let (t, f) = (self.t(), self.f());
        let columns = vec![
            Column::new("row_number", t.h_no, ColKind::Index),
            Column::new("file", t.h_file, ColKind::Text).max_width(30.0),
            Column::new("sheet", t.h_sheet, ColKind::Text),
            Column::new("row", t.h_row, ColKind::Integer),
            Column::new("date", f.h_date, ColKind::Date),
            Column::new("customer", f.h_customer, ColKind::Text).max_width(28.0),
            Column::new("amount", f.h_amount, ColKind::Money),
        ];
        let list = &self.finance.unmatched;
        let rows: Vec<Vec<Value>> = list
            .iter()
            .enumerate()
            .map(|(n, u)| {
                vec![
                    Value::Int(n as i64 + 1),
                    Value::text(file_name(&u.file)),
                    Value::text(&u.sheet),
                    Value::Int(i64::from(u.row)),
                    Value::Date(u.date),
                    Value::text(&u.customer),
                    Value::Number(u.amount),
                ]
            })
            .collect();
        let amount: Decimal = list.iter().map(|u| u.amount).sum();
        let total = total_row(&columns, t.total, |key| {
            (key == "amount").then_some(Value::Sum(amount))
        });
        let mut blocks = Vec::new();
        if rows.is_empty() {
            blocks.push(Block::Text(vec![f.empty_unmatched.to_string()]));
        }
        let table = Table::new("unmatched", columns, rows).main(false);
        blocks.push(Block::Table(table.with_total(total)));
        let page = self.frame().page(f.title_unmatched, 0, false);
        self.sheet(f.sheet_unmatched, f.title_unmatched, blocks, page)
    }
}

/// Part `k` is the statement of the `k`-th customer of [`Reconciliation::customers`].
impl PartSource for Reconciliation<'_> {
    fn part(&self, k: usize) -> Option<Vec<Block>> {
        self.customers.get(k).map(|&i| self.statement(i))
    }
}

/// Opening, invoiced, received, closing, open invoices, unapplied credit.
fn money_values(c: &Metrics, a: &Account) -> Vec<Value> {
    vec![
        Value::Number(a.opening),
        Value::Number(a.invoiced),
        Value::Number(a.received),
        Value::Number(a.closing),
        Value::Number(c.outstanding.unwrap_or_default()),
        Value::Number(a.unapplied),
    ]
}
