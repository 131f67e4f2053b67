//! The receivables of a run (SPEC 4, 5, 7.5, 7.6): each customer's orders
//! (built by [`super::items`] while the sales fold ran) and receipts are
//! matched by [`super::receivables::settle`] at the as-of date; the result
//! fills the receivable metrics of the customer's [`Metrics`], its statement
//! and open items (kept for the reconciliation workbook), the facts of its
//! window orders for the order-upgrade rule, the receipts that match no
//! customer, and the receipts' control total (received = applied +
//! unapplied + unmatched; a break is an error).
//!
//! Receipts are read back from the readers' spills once and written, by
//! ranges of customers, into a few temporary files of about
//! [`BUCKET_RECEIPTS`] receipts each; each range is then read, sorted and
//! matched customer by customer. Memory follows customers and open items,
//! not receipt rows.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::identity::Identities;
use super::items::{ItemsFold, OrderAcc};
use super::receivables::{
    collection_rate, credit_usage, dso, settle, AgingBasis, Book, Debt, Entry, Item, OpenItem,
    Receipt, Source, Terms,
};
use super::sales::SalesFold;
use super::{checked_add, Metrics, ModelError, Period};
use crate::read::intern::{FxMap, Interner, NONE};
use crate::read::receipts::ReceiptRows;
use crate::read::spill::{read_array, Put, Record, Spill, Take};
use crate::read::{SheetRead, SheetStats};

/// About this many receipts are matched at a time.
pub const BUCKET_RECEIPTS: u64 = 1 << 16;

/// What the model needs for the receivables, from the pipeline.
pub struct FinanceInputs {
    /// The receipts ledgers' sheets; `None` when no receipts ledger was
    /// given (orders are still built, for the order-upgrade rule).
    pub receipts: Option<Vec<SheetRead<ReceiptRows>>>,
    pub default_terms_days: u32,
    pub aging_days: Vec<u32>,
    pub basis: AgingBasis,
    /// Keep each customer's statement lines and open items (the
    /// reconciliation workbook needs them, the evaluation does not).
    pub keep_statements: bool,
    /// Build the window orders' facts (`Finance::orders`: price index, paid
    /// on time; the evaluation's Order Upgrades sheet needs them, the
    /// reconciliation does not).
    pub order_facts: bool,
}

/// The receipts' control totals (SPEC 7.6). `received` counts every receipt
/// dated on or before as_of (refunds below 0); `applied` is the receipts'
/// money applied to invoices and refunds, less the refunds paid out;
/// `unapplied` the receipts' money still waiting at as_of; `unmatched` the
/// receipts of customers without a ledger line on or before as_of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiptTotals {
    pub rows_read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub totals_rows: u64,
    /// Σ of every accepted receipt = received + after_as_of.
    pub accepted_amount: Decimal,
    pub received: Decimal,
    pub applied: Decimal,
    pub unapplied: Decimal,
    pub unmatched: Decimal,
    /// Σ of the receipts dated after as_of (ignored).
    pub after_as_of: Decimal,
}

/// A receipt of a customer with no ledger line on or before as_of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmatchedReceipt {
    pub file: String,
    pub sheet: String,
    pub row: u32,
    pub date: NaiveDate,
    /// The customer as the row names it: its ID, else its name.
    pub customer: String,
    pub amount: Decimal,
}

/// What a statement line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Invoice,
    CreditNote,
    Receipt,
}

/// One line of a customer's statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRow {
    pub date: NaiveDate,
    pub kind: LineKind,
    /// The order number (run string number), `NONE` when there is none.
    pub order: u32,
    /// For a credit note, the order it reverses, else `NONE`.
    pub source_order: u32,
    /// An invoice above 0, a credit note below 0, a receipt as received.
    pub amount: Decimal,
    /// The balance after this line.
    pub balance: Decimal,
}

/// One customer's account at as_of: the statement of the window and what is
/// open (lines and open items only when kept).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Account {
    pub opening: Decimal,
    pub invoiced: Decimal,
    pub credit_notes: Decimal,
    pub received: Decimal,
    pub closing: Decimal,
    /// Credit waiting at as_of (advances, overpayments, credit notes left over).
    pub unapplied: Decimal,
    pub lines: Vec<StatementRow>,
    /// Oldest first; `order` is a run string number.
    pub open_items: Vec<OpenItem>,
}

impl Account {
    /// Whether the account shows anything: a balance, a line or a credit.
    pub fn is_active(&self) -> bool {
        !(self.opening.is_zero()
            && self.invoiced.is_zero()
            && self.received.is_zero()
            && self.closing.is_zero()
            && self.unapplied.is_zero()
            && self.lines.is_empty())
    }
}

/// A window order with a price index, for the order-upgrade rule (seed 7.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    /// Index into the model's customers.
    pub customer: usize,
    /// Order number (run string number), `NONE` for a line without one.
    pub order: u32,
    pub date: NaiveDate,
    pub due: NaiveDate,
    pub amount: Decimal,
    pub price_index: Decimal,
    /// Settled in full at as_of, by receipts (credit notes may have taken a
    /// part), every settlement on or before the due date.
    pub paid_on_time: bool,
    /// The date of its last settlement when settled in full.
    pub paid_on: Option<NaiveDate>,
}

/// The receivables of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Finance {
    /// Whether a receipts ledger was given (else no receivable figure).
    pub has_receipts: bool,
    /// One per customer of the model, in its order (empty without receipts).
    pub accounts: Vec<Account>,
    pub unmatched: Vec<UnmatchedReceipt>,
    pub totals: ReceiptTotals,
    /// The window orders with a price index, by customer then date.
    pub orders: Vec<OrderLine>,
    /// The run's strings (order numbers of statements, open items, orders).
    pub strings: Interner,
}

impl Finance {
    /// The text of a run string number; empty for `NONE`.
    pub fn text(&self, s: u32) -> &str {
        match s {
            NONE => "",
            s => self.strings.get(s).unwrap_or_default(),
        }
    }
}

/// What matching needs from the model besides the inputs.
pub struct Context<'a> {
    pub period: Period,
    pub fold: &'a SalesFold<'a>,
    pub identities: &'a Identities,
    pub strings: &'a Interner,
    pub means: &'a FxMap<u32, Decimal>,
}

/// A matched receipt waiting in a bucket file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pending {
    customer: u32,
    seq: u32,
    date: NaiveDate,
    amount: Decimal,
    order: u32,
}

const PENDING_LEN: usize = 4 * 4 + 16;

impl Record for Pending {
    const MAX_LEN: usize = PENDING_LEN;

    fn encode(&self, out: &mut [u8]) -> usize {
        let mut p = Put::new(out);
        p.u32(self.customer);
        p.u32(self.seq);
        p.date(self.date);
        p.u32(self.order);
        p.decimal(self.amount);
        p.len()
    }

    fn decode(r: &mut impl std::io::Read) -> std::io::Result<Self> {
        let buf = read_array::<PENDING_LEN>(r)?;
        let mut t = Take::new(&buf);
        let (customer, seq) = (t.u32(), t.u32());
        let date = t.date()?;
        let order = t.u32();
        Ok(Pending {
            customer,
            seq,
            date,
            amount: t.decimal(),
            order,
        })
    }
}

/// Matches every customer's orders and receipts and fills the receivable
/// metrics of `customers` (in the fold's order).
///
/// # Errors
/// [`ModelError::Overflow`] naming the customer when a figure is too large;
/// [`ModelError::Totals`] when the receipts' control total breaks;
/// [`ModelError::Spill`] when a temporary file cannot be read or written.
pub fn run(
    mut input: FinanceInputs,
    mut items: ItemsFold,
    cx: Context,
    customers: &mut [Metrics],
) -> Result<Finance, ModelError> {
    let price_indexes = match input.order_facts {
        true => items.price_indexes(cx.means)?,
        false => Vec::new(),
    };
    let orders = std::mem::take(&mut items.orders);
    drop(items);
    let receipts = input.receipts.take();
    let by_customer = group_orders(&orders, customers.len());
    let mut m = Matching {
        cx: &cx,
        input: &input,
        orders: &orders,
        price_indexes: &price_indexes,
        finance: Finance {
            has_receipts: receipts.is_some(),
            accounts: Vec::new(),
            unmatched: Vec::new(),
            totals: ReceiptTotals::default(),
            orders: Vec::new(),
            strings: Interner::default(),
        },
    };
    let Some(mut sheets) = receipts else {
        let mut lines = Vec::new();
        if input.order_facts {
            for (ci, own) in by_customer.iter().enumerate() {
                m.order_lines(ci, own, None, customers[ci].terms_days, &mut lines);
            }
        }
        m.finance.orders = lines;
        return Ok(m.finance);
    };
    let mut buckets = Buckets::new(&by_customer, &sheets);
    m.sort_receipts(&mut sheets, &mut buckets)?;
    drop(sheets);
    for b in 0..buckets.spills.len() {
        let mut pending = buckets.take(b)?;
        pending.sort_by_key(|p| (p.customer, p.seq));
        let range = buckets.range(b);
        let mut jobs = Vec::with_capacity(range.len());
        let mut at = 0;
        for ci in range.clone() {
            let end = at + pending[at..].partition_point(|p| p.customer as usize == ci);
            jobs.push(Job {
                ci,
                own: &by_customer[ci],
                pending: &pending[at..end],
            });
            at = end;
        }
        for matched in m.customers(&jobs, &mut customers[range])? {
            m.keep(matched)?;
        }
    }
    check_receipts(&m.finance.totals)?;
    Ok(m.finance)
}

/// One customer to match: its orders and its receipts.
struct Job<'p> {
    ci: usize,
    own: &'p [u32],
    pending: &'p [Pending],
}

/// What matching one customer gives the run.
struct Matched {
    account: Account,
    /// Its receipts applied to invoices (refunds included) and left unapplied.
    applied: Decimal,
    unapplied: Decimal,
    orders: Vec<OrderLine>,
}

/// Customers of a range are matched on two threads from this many on.
const PARALLEL_CUSTOMERS: usize = 64;

/// The orders of each customer (indexes into the orders), in order.
fn group_orders(orders: &[OrderAcc], customers: usize) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new(); customers];
    for (i, o) in orders.iter().enumerate() {
        if let Some(v) = out.get_mut(o.customer as usize) {
            v.push(i as u32);
        }
    }
    out
}

/// Receipts of matched customers, written to one temporary file per range
/// of customers; ranges hold about as many orders each, so about as many
/// receipts.
struct Buckets {
    /// First customer of each range, then the number of customers.
    bounds: Vec<usize>,
    /// The range of each customer.
    of: Vec<u32>,
    spills: Vec<Option<Spill<Pending>>>,
}

impl Buckets {
    fn new(by_customer: &[Vec<u32>], sheets: &[SheetRead<ReceiptRows>]) -> Buckets {
        let receipts: u64 = sheets.iter().map(|s| s.summary.stats.accepted).sum();
        Buckets::with_receipts(by_customer, receipts)
    }

    /// Ranges for about `receipts` receipts.
    fn with_receipts(by_customer: &[Vec<u32>], receipts: u64) -> Buckets {
        let k = receipts.div_ceil(BUCKET_RECEIPTS).max(1) as usize;
        let total: usize = by_customer.iter().map(Vec::len).sum::<usize>().max(1);
        let mut bounds = vec![0];
        let mut of = Vec::with_capacity(by_customer.len());
        let mut seen = 0;
        for (ci, own) in by_customer.iter().enumerate() {
            if seen * k >= bounds.len() * total && bounds.len() < k {
                bounds.push(ci);
            }
            of.push(bounds.len() as u32 - 1);
            seen += own.len();
        }
        bounds.push(by_customer.len());
        let spills = (0..bounds.len() - 1).map(|_| None).collect();
        Buckets { bounds, of, spills }
    }

    fn range(&self, b: usize) -> std::ops::Range<usize> {
        self.bounds[b]..self.bounds[b + 1]
    }

    fn push(&mut self, p: &Pending) -> std::io::Result<()> {
        let b = self.of[p.customer as usize] as usize;
        let spill = match &mut self.spills[b] {
            Some(s) => s,
            slot => slot.insert(Spill::new()?),
        };
        spill.push(p)
    }

    /// The receipts of range `b`, its file freed.
    fn take(&mut self, b: usize) -> std::io::Result<Vec<Pending>> {
        let Some(mut spill) = self.spills[b].take() else {
            return Ok(Vec::new());
        };
        let mut out = Vec::with_capacity(spill.count() as usize);
        let mut r = spill.reader()?;
        while let Some(p) = r.next_record()? {
            out.push(p);
        }
        Ok(out)
    }
}

/// The matching of a run, customer by customer.
struct Matching<'a, 'c> {
    cx: &'a Context<'c>,
    input: &'a FinanceInputs,
    orders: &'a [OrderAcc],
    price_indexes: &'a [Option<Decimal>],
    finance: Finance,
}

impl Matching<'_, '_> {
    /// Reads every receipt once: counted, listed as unmatched, or written to
    /// its customer's bucket.
    fn sort_receipts(
        &mut self,
        sheets: &mut [SheetRead<ReceiptRows>],
        buckets: &mut Buckets,
    ) -> Result<(), ModelError> {
        let as_of = self.cx.period.as_of;
        let mut stats = SheetStats::default();
        let mut seq = 0u32;
        for sheet in sheets.iter() {
            stats.add(&sheet.summary.stats);
        }
        let t = &mut self.finance.totals;
        (t.rows_read, t.accepted, t.rejected, t.totals_rows) = (
            stats.rows_read,
            stats.accepted,
            stats.rejected,
            stats.totals_rows,
        );
        t.accepted_amount = stats.accepted_amount;
        let fold = self.cx.fold;
        for sheet in sheets.iter_mut() {
            let Some(mut spill) = sheet.rows.spill.take() else {
                continue;
            };
            let strings = &sheet.rows.strings;
            let mut reader = spill.reader()?;
            while let Some(r) = reader.next_record()? {
                seq += 1;
                let what = || format!("{}, row {}", sheet.summary.file, r.row);
                let t = &mut self.finance.totals;
                if r.date > as_of {
                    checked_add(&mut t.after_as_of, r.amount, what)?;
                    continue;
                }
                checked_add(&mut t.received, r.amount, what)?;
                let (id, name) = (strings.global(r.id), strings.global(r.name));
                let (key, _) = self.cx.identities.line_key(id, name);
                let matched = fold
                    .index
                    .get(&key)
                    .copied()
                    .filter(|&ci| fold.accs[ci].first_date.is_some());
                let Some(ci) = matched else {
                    checked_add(&mut t.unmatched, r.amount, what)?;
                    let who = if id != NONE { id } else { name };
                    self.finance.unmatched.push(UnmatchedReceipt {
                        file: sheet.summary.file.clone(),
                        sheet: sheet.summary.sheet.clone(),
                        row: r.row,
                        date: r.date,
                        customer: self.cx.strings.get(who).unwrap_or_default().to_string(),
                        amount: r.amount,
                    });
                    continue;
                };
                buckets.push(&Pending {
                    customer: ci as u32,
                    seq,
                    date: r.date,
                    amount: r.amount,
                    order: strings.global(r.order),
                })?;
            }
        }
        Ok(())
    }

    /// Matches the customers of `jobs` (`customers` are theirs, in the same
    /// order), on two threads when there are many: each customer's matching
    /// reads only its own orders and receipts. Results in customer order; the
    /// first customer's error in that order.
    fn customers(
        &self,
        jobs: &[Job],
        customers: &mut [Metrics],
    ) -> Result<Vec<Matched>, ModelError> {
        let run = |jobs: &[Job], customers: &mut [Metrics]| {
            jobs.iter()
                .zip(customers)
                .map(|(j, c)| self.customer(j, c))
                .collect::<Result<Vec<Matched>, ModelError>>()
        };
        if crate::threads::cores(0) < 2 || jobs.len() < PARALLEL_CUSTOMERS {
            return run(jobs, customers);
        }
        // Two halves of about as much work: orders and receipts.
        let work = |j: &Job| j.own.len() + j.pending.len() + 1;
        let total: usize = jobs.iter().map(work).sum();
        let mut done = 0;
        let half = jobs
            .iter()
            .position(|j| {
                done += work(j);
                2 * done >= total
            })
            .map_or(jobs.len(), |i| i + 1);
        let (first_jobs, second_jobs) = jobs.split_at(half);
        let (first_customers, second_customers) = customers.split_at_mut(half);
        let (first, second) = std::thread::scope(|scope| {
            let second = scope.spawn(|| run(second_jobs, second_customers));
            let first = run(first_jobs, first_customers);
            let second = second
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            (first, second)
        });
        let mut out = first?;
        out.extend(second?);
        Ok(out)
    }

    /// Matches one customer: its receivable metrics are filled in, the rest
    /// is returned for the run to keep.
    fn customer(&self, job: &Job, c: &mut Metrics) -> Result<Matched, ModelError> {
        let (ci, own, pending) = (job.ci, job.own, job.pending);
        let key = c.key.clone();
        let named = |e: ModelError| match e {
            ModelError::Overflow(what) => ModelError::Overflow(format!("customer {key}: {what}")),
            other => other,
        };
        let ranks = Ranks::new(own, self.orders, self.cx.strings);
        let items = self.items(own, &ranks, c.terms_days);
        let receipts = pending
            .iter()
            .map(|p| Receipt {
                seq: u64::from(p.seq),
                date: p.date,
                amount: p.amount,
                order: ranks.rank(p.order),
            })
            .collect();
        let terms = Terms {
            as_of: self.cx.period.as_of,
            window: self.cx.period.window,
            aging_days: self.input.aging_days.clone(),
            basis: self.input.basis,
        };
        let mut book = settle(items, receipts, &terms).map_err(named)?;
        ranks.restore(&mut book);
        self.fill_metrics(c, &book).map_err(named)?;
        let (applied, unapplied) = count_money(&book, pending).map_err(named)?;
        let mut orders = Vec::new();
        if self.input.order_facts {
            self.order_lines(ci, own, Some(&book), c.terms_days, &mut orders);
        }
        Ok(Matched {
            account: self.account(book),
            applied,
            unapplied,
            orders,
        })
    }

    /// Records a matched customer: its account (customers in order), its
    /// order lines, its receipts in the control total.
    fn keep(&mut self, m: Matched) -> Result<(), ModelError> {
        let t = &mut self.finance.totals;
        let what = || "the receipts' control total".to_string();
        checked_add(&mut t.applied, m.applied, what)?;
        checked_add(&mut t.unapplied, m.unapplied, what)?;
        self.finance.accounts.push(m.account);
        self.finance.orders.extend(m.orders);
        Ok(())
    }

    /// The customer's orders as open items, order numbers as ranks.
    fn items(&self, own: &[u32], ranks: &Ranks, terms_days: Option<i64>) -> Vec<Item> {
        own.iter()
            .map(|&i| {
                let o = &self.orders[i as usize];
                Item {
                    order: ranks.rank(o.order),
                    key: u64::from(i),
                    date: o.date,
                    due: self.due(o, terms_days),
                    amount: o.amount,
                    source_order: ranks.rank(o.source_order),
                }
            })
            .collect()
    }

    /// An order's due date: its due-date cell, else its date plus the
    /// customer master's terms, else plus `default_terms_days` (SPEC 5).
    fn due(&self, o: &OrderAcc, terms_days: Option<i64>) -> NaiveDate {
        let days = terms_days.unwrap_or(i64::from(self.input.default_terms_days));
        o.due.unwrap_or_else(|| {
            o.date
                .checked_add_signed(chrono::Duration::days(days))
                .unwrap_or(o.date)
        })
    }

    /// The receivable metrics of SPEC 4 from the customer's book.
    fn fill_metrics(&self, c: &mut Metrics, book: &Book) -> Result<(), ModelError> {
        let f = &book.figures;
        c.receipts = Some(f.receipts);
        c.collection_rate = collection_rate(f.receipts, c.sales)?;
        c.outstanding = Some(f.outstanding);
        c.overdue = Some(f.overdue);
        c.aging = Some(f.aging.clone());
        c.max_days_overdue = Some(f.max_days_overdue);
        c.on_time_ratio = f.on_time_ratio;
        c.avg_days_to_pay = f.avg_days_to_pay;
        c.dso = dso(f.outstanding, c.sales, self.cx.period.window.days())?;
        c.credit_usage = credit_usage(f.outstanding, c.credit_limit)?;
        Ok(())
    }

    /// The customer's window orders with a price index, paid on time or not.
    fn order_lines(
        &self,
        ci: usize,
        own: &[u32],
        book: Option<&Book>,
        terms: Option<i64>,
        out: &mut Vec<OrderLine>,
    ) {
        let window = self.cx.period.window;
        let paid = book.map(paid_in_full).unwrap_or_default();
        for &i in own {
            let (o, pi) = (&self.orders[i as usize], self.price_indexes[i as usize]);
            let Some(price_index) = pi.filter(|_| o.amount > Decimal::ZERO) else {
                continue;
            };
            if !window.contains(o.date) {
                continue;
            }
            let due = self.due(o, terms);
            let settled = paid.get(&u64::from(i)).copied();
            out.push(OrderLine {
                customer: ci,
                order: o.order,
                date: o.date,
                due,
                amount: o.amount,
                price_index,
                paid_on_time: settled.is_some_and(|s| s.by_receipt && s.on_time),
                paid_on: settled.map(|s| s.last),
            });
        }
    }

    /// What the run keeps of a customer's book.
    fn account(&self, book: Book) -> Account {
        let st = book.statement;
        let mut a = Account {
            opening: st.opening,
            invoiced: st.invoiced,
            credit_notes: st.credit_notes,
            received: st.received,
            closing: st.closing,
            unapplied: book.figures.unapplied,
            lines: Vec::new(),
            open_items: Vec::new(),
        };
        if self.input.keep_statements {
            a.lines = st
                .lines
                .iter()
                .map(|l| {
                    let (kind, order, source_order) = match l.entry {
                        Entry::Invoice { order, .. } => (LineKind::Invoice, order, NONE),
                        Entry::CreditNote { key, order } => {
                            let source = self
                                .orders
                                .get(key as usize)
                                .map_or(NONE, |o| o.source_order);
                            (LineKind::CreditNote, order, source)
                        }
                        Entry::Receipt { order, .. } => (LineKind::Receipt, order, NONE),
                    };
                    StatementRow {
                        date: l.date,
                        kind,
                        order,
                        source_order,
                        amount: l.amount,
                        balance: l.balance,
                    }
                })
                .collect();
            a.open_items = book.open_items;
        }
        a
    }
}

/// A customer's receipts applied to invoices (refunds included) and left
/// unapplied.
fn count_money(book: &Book, pending: &[Pending]) -> Result<(Decimal, Decimal), ModelError> {
    let (mut applied, mut unapplied) = (Decimal::ZERO, Decimal::ZERO);
    let what = || "the receipts' control total".to_string();
    for s in &book.settlements {
        if let Source::Receipt(_) = s.source {
            checked_add(&mut applied, s.amount, what)?;
        }
    }
    for p in pending.iter().filter(|p| p.amount < Decimal::ZERO) {
        checked_add(&mut applied, p.amount, what)?;
    }
    for u in &book.unapplied {
        if let Source::Receipt(_) = u.source {
            checked_add(&mut unapplied, u.amount, what)?;
        }
    }
    Ok((applied, unapplied))
}

/// How an invoice settled in full was paid.
#[derive(Debug, Clone, Copy)]
struct Paid {
    /// A receipt paid some of it.
    by_receipt: bool,
    /// Every settlement was on or before the due date.
    on_time: bool,
    /// The last settlement's date.
    last: NaiveDate,
}

/// The invoices of a book settled in full at as_of, by item key.
fn paid_in_full(book: &Book) -> FxMap<u64, Paid> {
    let open: std::collections::HashSet<Debt> = book.open_items.iter().map(|o| o.debt).collect();
    let mut out: FxMap<u64, Paid> = FxMap::default();
    for s in &book.settlements {
        let Debt::Invoice(key) = s.debt else { continue };
        if open.contains(&s.debt) {
            continue;
        }
        let by_receipt = matches!(s.source, Source::Receipt(_));
        out.entry(key)
            .and_modify(|p| {
                p.by_receipt |= by_receipt;
                p.on_time &= s.on_time;
                p.last = p.last.max(s.date);
            })
            .or_insert(Paid {
                by_receipt,
                on_time: s.on_time,
                last: s.date,
            });
    }
    out
}

/// A customer's order numbers ranked by their text, so that open items of
/// one date and due date are taken in order-number order (SPEC 9).
struct Ranks {
    /// Rank → run string number.
    texts: Vec<u32>,
    /// Run string number → rank.
    of: FxMap<u32, u32>,
}

impl Ranks {
    fn new(own: &[u32], orders: &[OrderAcc], strings: &Interner) -> Ranks {
        // Each text looked up once, then sorted by the texts themselves.
        let mut by_text: Vec<(&str, u32)> = own
            .iter()
            .map(|&i| orders[i as usize].order)
            .filter(|&o| o != NONE)
            .map(|o| (strings.get(o).unwrap_or_default(), o))
            .collect();
        by_text.sort_unstable();
        let mut texts: Vec<u32> = by_text.into_iter().map(|(_, o)| o).collect();
        texts.dedup();
        let of = texts
            .iter()
            .enumerate()
            .map(|(r, &s)| (s, r as u32))
            .collect();
        Ranks { texts, of }
    }

    /// The rank of a run string number; `NONE` for no order or an order the
    /// customer does not have.
    fn rank(&self, s: u32) -> u32 {
        self.of.get(&s).copied().unwrap_or(NONE)
    }

    fn text(&self, rank: u32) -> u32 {
        self.texts.get(rank as usize).copied().unwrap_or(NONE)
    }

    /// Turns the book's ranks back into run string numbers.
    fn restore(&self, book: &mut Book) {
        for o in &mut book.open_items {
            o.order = self.text(o.order);
        }
        for l in &mut book.statement.lines {
            match &mut l.entry {
                Entry::Invoice { order, .. }
                | Entry::CreditNote { order, .. }
                | Entry::Receipt { order, .. } => *order = self.text(*order),
            }
        }
    }
}

/// SPEC 7.6 for receipts: Σ accepted = received + after as_of, and received
/// = applied + unapplied + unmatched.
///
/// # Errors
/// [`ModelError::Totals`] naming the total that does not hold.
pub fn check_receipts(t: &ReceiptTotals) -> Result<(), ModelError> {
    if t.accepted_amount != t.received + t.after_as_of {
        return Err(ModelError::Totals(format!(
            "accepted receipts {} ≠ received {} + after as-of {}",
            t.accepted_amount, t.received, t.after_as_of
        )));
    }
    if t.received != t.applied + t.unapplied + t.unmatched {
        return Err(ModelError::Totals(format!(
            "received {} ≠ applied {} + unapplied {} + unmatched {}",
            t.received, t.applied, t.unapplied, t.unmatched
        )));
    }
    Ok(())
}

#[cfg(test)]
#[path = "finance_tests.rs"]
mod tests;
