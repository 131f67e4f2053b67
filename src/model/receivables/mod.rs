//! Open-item matching (SPEC 5) and one customer's receivable figures (SPEC 4,
//! 7.5): the customer's orders and credit notes ([`Item`]) and receipts
//! ([`Receipt`]) at the as-of date become a [`Book`]: the items still open,
//! every settlement, the credit still unapplied, the statement of the window
//! and the figures the grader uses. Pure: no file access and no text; order
//! numbers are numbers of the run's string table.
//!
//! # The rules
//! - Only what is dated on or before as_of counts: items and receipts dated
//!   after it are ignored here (the caller may pass them), so an invoice paid
//!   after as_of is open in the as_of run.
//! - Invoices are open items, taken oldest first by (date, due date, order
//!   number, key); the caller numbers orders so that their numbers sort like
//!   their texts, and lines without an order number (order `NONE`) come after
//!   numbered orders of the same date and due date, by key (refunds, below,
//!   after invoices of the same date and due date).
//! - Money is applied in date order. On one date, first the invoices of that
//!   date come into existence (each taking any credit that waits), then that
//!   date's credit notes are applied (in item order), then its receipts (in
//!   input order, `seq`).
//! - A receipt goes first to the order it names, when that order is an open
//!   item with something left, then FIFO to the oldest open items. A credit
//!   note (an item with a negative amount) is applied the same way, first to
//!   its `source_order`. What is left waits as a credit, and the customer's
//!   next invoices take it FIFO on their own dates (settled on the invoice's
//!   date, zero days to pay). What still waits at as_of is the unapplied
//!   credit.
//! - A negative receipt (a refund, or a receipt reversed) is money paid back:
//!   it becomes a debt of the customer dated and due on its date, which first
//!   takes any credit that waits (that is the refund of an advance) and
//!   otherwise stays open, aged like an invoice, until later money settles
//!   it. It does not reopen the order it names. On the statement it is a
//!   receipt line with a negative amount.
//! - `on_time_ratio` and `avg_days_to_pay` count only money from receipts
//!   applied to invoices, settled on a date in the window (a prepayment counts
//!   on the invoice's date, with zero days); credit notes and refunds do not
//!   count.
//!
//! # Complexity
//! Sorting the items and receipts is O(n log n + m log m) for n items and m
//! receipts; the matching itself is one pass: a FIFO cursor over the items in
//! order skips each settled item once, a map finds a named order in O(1), and
//! every step either settles an item or uses up a receipt, so there are at
//! most n + m + (credit notes) settlements. Memory is O(n + m).

#[cfg(test)]
mod tests;

use std::collections::VecDeque;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::period::Window;
use super::{checked_add, checked_mul, ModelError};
use crate::read::intern::{FxMap, NONE};

/// One order of a customer: its ledger lines with one order number, or one
/// line without an order number. A negative amount is a credit note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Order number (run string number); `NONE` for a line without one.
    pub order: u32,
    /// Unique among the customer's items (an order id or a line id).
    pub key: u64,
    /// Its earliest line date.
    pub date: NaiveDate,
    /// The due-date column, else date + terms.
    pub due: NaiveDate,
    /// Σ of its lines dated on or before as_of; below 0 for a credit note.
    pub amount: Decimal,
    /// For a credit note: the order it reverses (原单号), else `NONE`.
    pub source_order: u32,
}

/// One row of the receipts ledger for the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// Input order: the tie-break between receipts of one date, and how the
    /// caller finds its file, sheet and row.
    pub seq: u64,
    pub date: NaiveDate,
    /// Above 0 normally; below 0 for a refund (see the module rules).
    pub amount: Decimal,
    /// The order it names (run string number), else `NONE`.
    pub order: u32,
}

/// How overdue money is spread over the aging buckets
/// (`[receivables] aging_basis`).
///
/// Under both bases, "not yet due" is the remaining amount of the open items
/// whose due date is on or after as_of, and overdue money is that of the open
/// items due before as_of; only the bucket an overdue item falls in differs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum AgingBasis {
    /// By days past the due date: `as_of − due`.
    #[default]
    DueDate,
    /// By days since the invoice date, `as_of − date`, at least 1 (an item
    /// already overdue on its own date is 1 day old).
    InvoiceDate,
}

impl AgingBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            AgingBasis::DueDate => "due_date",
            AgingBasis::InvoiceDate => "invoice_date",
        }
    }
    /// Whether this is the default basis (the rules file leaves it out).
    pub fn is_due_date(&self) -> bool {
        *self == AgingBasis::DueDate
    }
}

impl TryFrom<String> for AgingBasis {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "due_date" => Ok(AgingBasis::DueDate),
            "invoice_date" => Ok(AgingBasis::InvoiceDate),
            _ => Err(format!(
                "receivables.aging_basis: expected \"due_date\" or \"invoice_date\", found \"{s}\""
            )),
        }
    }
}

impl From<AgingBasis> for String {
    fn from(b: AgingBasis) -> String {
        b.as_str().to_string()
    }
}

/// The dates and buckets of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub as_of: NaiveDate,
    /// The grading window; its start opens the statement (its end is as_of).
    pub window: Window,
    /// Bucket edges in days, increasing (`receivables.aging_days`).
    pub aging_days: Vec<u32>,
    pub basis: AgingBasis,
}

/// What a customer owes money for: one of its invoices (by item key), or a
/// refund paid out to it (by receipt `seq`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Debt {
    Invoice(u64),
    Refund(u64),
}

/// Where settling money came from: a receipt (`seq`) or a credit note (item key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    Receipt(u64),
    CreditNote(u64),
}

/// An item with money still owed at as_of (remaining above 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenItem {
    pub debt: Debt,
    /// Order number; `NONE` for a line without one and for a refund.
    pub order: u32,
    pub date: NaiveDate,
    pub due: NaiveDate,
    pub amount: Decimal,
    pub settled: Decimal,
    pub remaining: Decimal,
    /// `as_of − due` in days, 0 when not yet due.
    pub days_past_due: i64,
    /// Its column of [`Figures::aging`]: 0 = not yet due, i = the i-th bucket.
    pub bucket: usize,
}

/// Money applied to a debt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub debt: Debt,
    pub source: Source,
    /// The money waited as a credit and was applied on the debt's own date.
    pub waited: bool,
    pub date: NaiveDate,
    /// Above 0.
    pub amount: Decimal,
    /// `date − the debt's date`.
    pub days_to_pay: i64,
    /// Settled on or before the due date.
    pub on_time: bool,
}

impl Settlement {
    /// Counts in `on_time_ratio` and `avg_days_to_pay`: a receipt's money
    /// applied to an invoice.
    pub fn is_payment(&self) -> bool {
        matches!(
            (self.source, self.debt),
            (Source::Receipt(_), Debt::Invoice(_))
        )
    }
}

/// A credit waiting at as_of (advance, overpayment, credit note left over).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unapplied {
    pub source: Source,
    /// The date of the receipt or credit note.
    pub date: NaiveDate,
    /// Above 0: what is left of it.
    pub amount: Decimal,
}

/// A line of the statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Invoice { key: u64, order: u32 },
    CreditNote { key: u64, order: u32 },
    Receipt { seq: u64, order: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    pub date: NaiveDate,
    pub entry: Entry,
    /// As in the input: an invoice above 0, a credit note below 0, a receipt
    /// as received (below 0 for a refund).
    pub amount: Decimal,
    /// The balance after this line.
    pub balance: Decimal,
}

/// The customer's statement of the window (对账单).
///
/// `closing = opening + invoiced − received` and
/// `closing = outstanding − unapplied credit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Items minus receipts dated before the window.
    pub opening: Decimal,
    /// Invoices, credit notes and receipts of the window in date order (on
    /// one date: invoices, then credit notes, then receipts).
    pub lines: Vec<StatementLine>,
    /// Σ of the window's items, credit notes included (below 0).
    pub invoiced: Decimal,
    /// Σ of the window's credit notes (0 or below), part of `invoiced`.
    pub credit_notes: Decimal,
    /// Σ of the window's receipts (SPEC 4 `receipts`).
    pub received: Decimal,
    pub closing: Decimal,
}

/// The customer's receivable figures of SPEC 4 at as_of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    /// Σ receipts dated in the window.
    pub receipts: Decimal,
    /// Σ remaining of the open items.
    pub outstanding: Decimal,
    /// Σ remaining of the open items due before as_of.
    pub overdue: Decimal,
    /// Not yet due, then one per bucket of `aging_days` (the last open-ended):
    /// their sum is `outstanding`.
    pub aging: Vec<Decimal>,
    /// The largest `as_of − due` of an open item past due; 0 if none.
    pub max_days_overdue: i64,
    /// Share of the payments settled in the window ([`Settlement::is_payment`],
    /// dated in the window) that were on time; None when there is none.
    pub on_time_ratio: Option<Decimal>,
    /// Amount-weighted mean days from invoice to payment over those payments;
    /// None when there is none.
    pub avg_days_to_pay: Option<Decimal>,
    /// Σ of the credit still waiting at as_of.
    pub unapplied: Decimal,
}

/// One customer's receivables at as_of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Book {
    /// Oldest first, as FIFO takes them.
    pub open_items: Vec<OpenItem>,
    /// In the order they were made.
    pub settlements: Vec<Settlement>,
    /// Oldest first.
    pub unapplied: Vec<Unapplied>,
    pub statement: Statement,
    pub figures: Figures,
}

/// Matches one customer's items and receipts at `terms.as_of` (see the module
/// rules).
///
/// # Errors
/// [`ModelError::Overflow`] when a sum is too large to be exact (the message
/// names the figure, not the customer: the caller adds it);
/// [`ModelError::Totals`] if the statement does not balance with the open
/// items (a bug).
pub fn settle(
    mut items: Vec<Item>,
    mut receipts: Vec<Receipt>,
    terms: &Terms,
) -> Result<Book, ModelError> {
    let as_of = terms.as_of;
    items.retain(|i| i.date <= as_of && !i.amount.is_zero());
    items.sort_by_key(|i| (i.date, i.due, i.order, i.key));
    receipts.retain(|r| r.date <= as_of && !r.amount.is_zero());
    receipts.sort_by_key(|r| (r.date, r.seq));

    let statement = statement(&items, &receipts, terms.window.start)?;
    let mut matched = Matcher::new(&items, &receipts).run(&items, &receipts);
    let figures = figures(&mut matched, statement.received, terms)?;
    let owed = figures
        .outstanding
        .checked_sub(figures.unapplied)
        .ok_or_else(|| overflow("the closing balance"))?;
    if statement.closing != owed {
        return Err(ModelError::Totals(format!(
            "statement closing balance {} ≠ outstanding {} − unapplied credit {}",
            statement.closing, figures.outstanding, figures.unapplied
        )));
    }
    Ok(Book {
        open_items: matched.open_items,
        settlements: matched.settlements,
        unapplied: matched.unapplied,
        statement,
        figures,
    })
}

fn overflow(what: &str) -> ModelError {
    ModelError::Overflow(format!("receivables: {what}"))
}

/// An invoice or refund being matched.
struct Owed {
    debt: Debt,
    order: u32,
    date: NaiveDate,
    due: NaiveDate,
    amount: Decimal,
    remaining: Decimal,
}

/// Money to apply: a receipt or a credit note, above 0.
struct Money {
    source: Source,
    date: NaiveDate,
    amount: Decimal,
    /// The order to settle first (named or source order), else `NONE`.
    first: u32,
}

/// What matching produced, before the figures.
struct Matched {
    open_items: Vec<OpenItem>,
    settlements: Vec<Settlement>,
    unapplied: Vec<Unapplied>,
}

/// The matching state: debts oldest first, of which `arrived` exist so far;
/// the FIFO cursor `head` (every debt before it is settled); the credit
/// waiting for the next debts.
struct Matcher {
    debts: Vec<Owed>,
    by_order: FxMap<u32, usize>,
    arrived: usize,
    head: usize,
    waiting: VecDeque<Unapplied>,
    settlements: Vec<Settlement>,
}

impl Matcher {
    /// Invoices and refunds oldest first, with a map from order number to
    /// invoice (the first item of an order number, should it repeat).
    fn new(items: &[Item], receipts: &[Receipt]) -> Matcher {
        let invoices = items
            .iter()
            .filter(|i| i.amount > Decimal::ZERO)
            .map(|i| Owed {
                debt: Debt::Invoice(i.key),
                order: i.order,
                date: i.date,
                due: i.due,
                amount: i.amount,
                remaining: i.amount,
            });
        let refunds = receipts
            .iter()
            .filter(|r| r.amount < Decimal::ZERO)
            .map(|r| Owed {
                debt: Debt::Refund(r.seq),
                order: NONE,
                date: r.date,
                due: r.date,
                amount: -r.amount,
                remaining: -r.amount,
            });
        let mut debts: Vec<Owed> = invoices.chain(refunds).collect();
        debts.sort_by_key(|d| (d.date, d.due, d.order, d.debt));
        let mut by_order = FxMap::default();
        for (i, d) in debts.iter().enumerate() {
            if d.order != NONE {
                by_order.entry(d.order).or_insert(i);
            }
        }
        Matcher {
            debts,
            by_order,
            arrived: 0,
            head: 0,
            waiting: VecDeque::new(),
            settlements: Vec::new(),
        }
    }

    /// Applies the credit notes and receipts in date order (credit notes
    /// first on a date), each after the debts of its date exist.
    fn run(mut self, items: &[Item], receipts: &[Receipt]) -> Matched {
        let notes = items
            .iter()
            .filter(|i| i.amount < Decimal::ZERO)
            .map(|i| Money {
                source: Source::CreditNote(i.key),
                date: i.date,
                amount: -i.amount,
                first: i.source_order,
            });
        let paid = receipts
            .iter()
            .filter(|r| r.amount > Decimal::ZERO)
            .map(|r| Money {
                source: Source::Receipt(r.seq),
                date: r.date,
                amount: r.amount,
                first: r.order,
            });
        let mut money: Vec<Money> = notes.chain(paid).collect();
        // Stable: on one date credit notes stay before receipts, each in order.
        money.sort_by_key(|m| m.date);
        for m in &money {
            self.arrive_through(m.date);
            self.apply(m);
        }
        self.arrive_through(NaiveDate::MAX);
        let open_items = self
            .debts
            .iter()
            .filter(|d| d.remaining > Decimal::ZERO)
            .map(|d| OpenItem {
                debt: d.debt,
                order: d.order,
                date: d.date,
                due: d.due,
                amount: d.amount,
                settled: d.amount - d.remaining,
                remaining: d.remaining,
                days_past_due: 0,
                bucket: 0,
            })
            .collect();
        Matched {
            open_items,
            settlements: self.settlements,
            unapplied: self.waiting.into(),
        }
    }

    /// Brings every debt dated on or before `date` into existence; each takes
    /// the credit that waits, oldest credit first, on its own date.
    fn arrive_through(&mut self, date: NaiveDate) {
        while let Some(d) = self.debts.get(self.arrived) {
            if d.date > date {
                break;
            }
            let (at, i) = (d.date, self.arrived);
            self.arrived += 1;
            while let Some(mut w) = self.waiting.pop_front() {
                w.amount -= self.settle(i, w.source, true, at, w.amount);
                if !w.amount.is_zero() {
                    self.waiting.push_front(w);
                    break;
                }
            }
        }
    }

    /// Applies money on its date: to the order it names first, then FIFO;
    /// what is left waits.
    fn apply(&mut self, m: &Money) {
        let mut left = m.amount;
        if let Some(&i) = self.by_order.get(&m.first) {
            if i < self.arrived {
                left -= self.settle(i, m.source, false, m.date, left);
            }
        }
        while !left.is_zero() && self.head < self.arrived {
            if self.debts[self.head].remaining.is_zero() {
                self.head += 1;
                continue;
            }
            left -= self.settle(self.head, m.source, false, m.date, left);
        }
        if !left.is_zero() {
            self.waiting.push_back(Unapplied {
                source: m.source,
                date: m.date,
                amount: left,
            });
        }
    }

    /// Settles up to `amount` of debt `i` on `date`; returns what it took.
    fn settle(
        &mut self,
        i: usize,
        source: Source,
        waited: bool,
        date: NaiveDate,
        amount: Decimal,
    ) -> Decimal {
        let d = &mut self.debts[i];
        let used = amount.min(d.remaining);
        if used <= Decimal::ZERO {
            return Decimal::ZERO;
        }
        d.remaining -= used;
        self.settlements.push(Settlement {
            debt: d.debt,
            source,
            waited,
            date,
            amount: used,
            days_to_pay: (date - d.date).num_days(),
            on_time: date <= d.due,
        });
        used
    }
}

/// The statement of the window: the balance before it, then its items and
/// receipts in date order with the running balance.
fn statement(
    items: &[Item],
    receipts: &[Receipt],
    start: NaiveDate,
) -> Result<Statement, ModelError> {
    let mut opening = Decimal::ZERO;
    let mut lines = Vec::new();
    for i in items {
        if i.date < start {
            checked_add(&mut opening, i.amount, || {
                "receivables: the opening balance".into()
            })?;
            continue;
        }
        let (key, order) = (i.key, i.order);
        let entry = if i.amount > Decimal::ZERO {
            Entry::Invoice { key, order }
        } else {
            Entry::CreditNote { key, order }
        };
        lines.push((i.date, entry, i.amount));
    }
    for r in receipts {
        if r.date < start {
            checked_add(&mut opening, -r.amount, || {
                "receivables: the opening balance".into()
            })?;
            continue;
        }
        let entry = Entry::Receipt {
            seq: r.seq,
            order: r.order,
        };
        lines.push((r.date, entry, r.amount));
    }
    let rank = |e: &Entry| match e {
        Entry::Invoice { .. } => 0,
        Entry::CreditNote { .. } => 1,
        Entry::Receipt { .. } => 2,
    };
    // Stable: items keep their FIFO order and receipts their input order.
    lines.sort_by_key(|(date, entry, _)| (*date, rank(entry)));
    let mut st = Statement {
        opening,
        lines: Vec::with_capacity(lines.len()),
        invoiced: Decimal::ZERO,
        credit_notes: Decimal::ZERO,
        received: Decimal::ZERO,
        closing: opening,
    };
    for (date, entry, amount) in lines {
        let what = || "receivables: the statement".to_string();
        if let Entry::Receipt { .. } = entry {
            checked_add(&mut st.received, amount, what)?;
            checked_add(&mut st.closing, -amount, what)?;
        } else {
            checked_add(&mut st.invoiced, amount, what)?;
            checked_add(&mut st.closing, amount, what)?;
            if amount < Decimal::ZERO {
                checked_add(&mut st.credit_notes, amount, what)?;
            }
        }
        st.lines.push(StatementLine {
            date,
            entry,
            amount,
            balance: st.closing,
        });
    }
    Ok(st)
}

/// The figures of SPEC 4 from the matching; fills in the open items' days
/// past due and buckets.
fn figures(m: &mut Matched, received: Decimal, terms: &Terms) -> Result<Figures, ModelError> {
    let as_of = terms.as_of;
    let mut f = Figures {
        receipts: received,
        outstanding: Decimal::ZERO,
        overdue: Decimal::ZERO,
        aging: vec![Decimal::ZERO; terms.aging_days.len() + 2],
        max_days_overdue: 0,
        on_time_ratio: None,
        avg_days_to_pay: None,
        unapplied: Decimal::ZERO,
    };
    for o in &mut m.open_items {
        let past = (as_of - o.due).num_days();
        let age = match terms.basis {
            AgingBasis::DueDate => past,
            AgingBasis::InvoiceDate if past > 0 => (as_of - o.date).num_days().max(1),
            AgingBasis::InvoiceDate => 0,
        };
        o.days_past_due = past.max(0);
        o.bucket = aging_column(age, &terms.aging_days);
        checked_add(&mut f.outstanding, o.remaining, || {
            "receivables: outstanding".into()
        })?;
        checked_add(&mut f.aging[o.bucket], o.remaining, || {
            "receivables: aging".into()
        })?;
        if past > 0 {
            checked_add(&mut f.overdue, o.remaining, || {
                "receivables: overdue".into()
            })?;
            f.max_days_overdue = f.max_days_overdue.max(past);
        }
    }
    for u in &m.unapplied {
        checked_add(&mut f.unapplied, u.amount, || {
            "receivables: unapplied credit".into()
        })?;
    }
    let (mut paid, mut on_time, mut weighted) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for s in m
        .settlements
        .iter()
        .filter(|s| s.is_payment() && terms.window.contains(s.date))
    {
        let what = || "receivables: on-time payments".to_string();
        checked_add(&mut paid, s.amount, what)?;
        if s.on_time {
            checked_add(&mut on_time, s.amount, what)?;
        }
        let days = checked_mul(s.amount, Decimal::from(s.days_to_pay), what)?;
        checked_add(&mut weighted, days, what)?;
    }
    if paid > Decimal::ZERO {
        f.on_time_ratio = on_time.checked_div(paid);
        f.avg_days_to_pay = weighted.checked_div(paid);
    }
    Ok(f)
}

/// The aging column of money `days` past due (or old, by invoice date):
/// 0 = not yet due (`days` ≤ 0), then 1 + the first bucket whose edge
/// `days` does not exceed, the last column above every edge. With edges
/// `[30, 60, 90, 180]`: 1 and 30 → 1, 31 → 2, 181 → 5.
pub fn aging_column(days: i64, edges: &[u32]) -> usize {
    if days <= 0 {
        return 0;
    }
    1 + edges
        .iter()
        .position(|&e| days <= i64::from(e))
        .unwrap_or(edges.len())
}

/// 回款率: receipts / sales when sales > 0 (SPEC 4 `collection_rate`).
///
/// # Errors
/// [`ModelError::Overflow`] when the ratio is too large.
pub fn collection_rate(receipts: Decimal, sales: Decimal) -> Result<Option<Decimal>, ModelError> {
    if sales <= Decimal::ZERO {
        return Ok(None);
    }
    receipts
        .checked_div(sales)
        .map(Some)
        .ok_or_else(|| overflow("the collection rate"))
}

/// Days sales outstanding: outstanding / sales × days in the window, when
/// sales > 0 (SPEC 4 `dso`).
///
/// # Errors
/// [`ModelError::Overflow`] when the figure is too large.
pub fn dso(
    outstanding: Decimal,
    sales: Decimal,
    window_days: i64,
) -> Result<Option<Decimal>, ModelError> {
    if sales <= Decimal::ZERO {
        return Ok(None);
    }
    outstanding
        .checked_mul(Decimal::from(window_days))
        .and_then(|x| x.checked_div(sales))
        .map(Some)
        .ok_or_else(|| overflow("days sales outstanding"))
}

/// Outstanding (not-yet-due money included) / credit limit (SPEC 4
/// `credit_usage`); None without a limit, and for a limit of 0 or below,
/// which no usage can be a share of. Above 1 means over the limit.
///
/// # Errors
/// [`ModelError::Overflow`] when the ratio is too large.
pub fn credit_usage(
    outstanding: Decimal,
    credit_limit: Option<Decimal>,
) -> Result<Option<Decimal>, ModelError> {
    match credit_limit {
        Some(limit) if limit > Decimal::ZERO => outstanding
            .checked_div(limit)
            .map(Some)
            .ok_or_else(|| overflow("the credit usage")),
        _ => Ok(None),
    }
}
