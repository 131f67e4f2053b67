//! The sales fold (SPEC 4): every accepted ledger line, read back from the
//! sheets' spills in input order, lands in one accumulator per customer and
//! one per product, so memory follows customers, products and orders, never
//! rows. Lines after the as-of date are counted, not graded.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::identity::{Identities, Key};
use super::items::ItemsFold;
use super::period::Period;
use super::totals::LedgerTotals;
use super::{checked_add, checked_mul, ModelError};
use crate::read::intern::{FxMap, FxSet, NONE};
use crate::read::LineRecord;

/// One customer's sums over its lines.
#[derive(Debug, Default)]
pub struct Acc {
    pub key: Option<Key>,
    pub sales: Decimal,
    pub prior: Decimal,
    pub quantity: Decimal,
    /// Distinct order numbers (run string numbers) in the window.
    pub orders: FxSet<u32>,
    /// The order of this customer's previous counted line: an order's lines
    /// are usually adjacent, so most lines skip the set.
    last_order: u32,
    pub unnumbered_lines: u64,
    pub first_date: Option<NaiveDate>,
    pub has_window_lines: bool,
    /// (date, sequence) of the most recent line: its name, region, rep are shown.
    recent: Option<(NaiveDate, u64)>,
    pub name: u32,
    pub region: u32,
    pub sales_rep: u32,
    /// Price index: Σ amount of counted lines, Σ qty × list price of lines with one.
    pub pi_amount: Decimal,
    pub pi_list: Decimal,
    pub pi_lines: u64,
    /// Quantity per product of counted lines without a list price.
    pub pi_products: FxMap<u32, Decimal>,
    /// Distinct names seen with this ID, first-seen order.
    pub names: Vec<u32>,
    /// (sheet, row) where a second name was first seen.
    pub name_change_at: Option<(usize, u32)>,
}

impl Acc {
    pub fn new(key: Key, name: u32) -> Acc {
        Acc {
            key: Some(key),
            name,
            region: NONE,
            sales_rep: NONE,
            last_order: NONE,
            ..Acc::default()
        }
    }
}

/// One product's window sums, for its quantity-weighted mean unit price.
#[derive(Debug, Default, Clone)]
pub struct ProductAcc {
    pub quantity: Decimal,
    pub value: Decimal,
}

/// A line whose texts are already numbers in the run's string table.
pub struct Line<'r> {
    pub sheet: usize,
    pub rec: &'r LineRecord,
}

/// The accumulators of a run's lines.
pub struct SalesFold<'i> {
    period: Period,
    identities: &'i Identities,
    /// Customer key → index into `accs`.
    pub index: FxMap<Key, usize>,
    pub accs: Vec<Acc>,
    pub products: FxMap<u32, ProductAcc>,
    pub totals: LedgerTotals,
    /// (name, id) → (rows, first sheet, first row) of name-only lines that
    /// joined an ID customer.
    pub by_name: BTreeMap<(u32, u32), (u64, usize, u32)>,
    /// Monthly sales per customer (off unless the run asks for them).
    pub monthly: super::monthly::MonthlyFold,
    seq: u64,
    last_customer: Option<(Key, usize)>,
    /// Each customer's orders as open items (SPEC 5), when turned on.
    pub items: ItemsFold,
    /// Whether window lines add to the quantity and price-index sums.
    pub prices: bool,
}

/// Lines dated after the as-of date in one sheet.
#[derive(Debug, Default, Clone, Copy)]
pub struct AfterAsOf {
    pub count: u64,
    pub first_row: Option<u32>,
}

impl<'i> SalesFold<'i> {
    pub fn new(period: Period, identities: &'i Identities) -> Self {
        SalesFold {
            period,
            identities,
            index: FxMap::default(),
            accs: Vec::new(),
            products: FxMap::default(),
            totals: LedgerTotals::default(),
            by_name: BTreeMap::new(),
            monthly: super::monthly::MonthlyFold::default(),
            seq: 0,
            last_customer: None,
            items: ItemsFold::default(),
            prices: true,
        }
    }

    /// The accumulator of `key`, created on first sight.
    pub fn customer(&mut self, key: Key, name: u32) -> usize {
        let accs = &mut self.accs;
        *self.index.entry(key).or_insert_with(|| {
            accs.push(Acc::new(key, name));
            accs.len() - 1
        })
    }

    /// Folds one line (texts as run string numbers). Lines after the as-of
    /// date only count in the control totals (`after`).
    ///
    /// # Errors
    /// A sum overflows ([`ModelError::Overflow`] naming the row).
    pub fn line(&mut self, line: Line, after: &mut AfterAsOf) -> Result<(), ModelError> {
        let rec = line.rec;
        let overflow = || format!("row {}", rec.row);
        self.seq += 1;
        let (key, by_name) = self.identities.line_key(rec.id, rec.name);
        if by_name {
            if let Key::Id(id) = key {
                let e = self
                    .by_name
                    .entry((rec.name, id))
                    .or_insert((0, line.sheet, rec.row));
                e.0 += 1;
            }
        }
        // Lines after as-of are counted, not graded; a customer seen only
        // after as-of is not in the population (SPEC 4).
        if rec.date > self.period.as_of {
            checked_add(&mut self.totals.after_as_of, rec.amount, overflow)?;
            after.count += 1;
            after.first_row.get_or_insert(rec.row);
            return Ok(());
        }
        // Consecutive lines are often one customer's: skip the lookup then.
        let ci = match self.last_customer {
            Some((k, ci)) if k == key => ci,
            _ => {
                let ci = self.customer(key, NONE);
                self.last_customer = Some((key, ci));
                ci
            }
        };
        self.identity_facts(ci, key, line.sheet, rec);
        self.monthly.line(ci, rec.date, rec.amount, overflow)?;
        let window = self.period.window;
        self.items.line(ci, rec, window.contains(rec.date))?;
        let acc = &mut self.accs[ci];
        if !window.contains(rec.date) {
            checked_add(&mut self.totals.before_window, rec.amount, overflow)?;
            if window.in_prior(rec.date) {
                checked_add(&mut acc.prior, rec.amount, overflow)?;
            }
            return Ok(());
        }
        checked_add(&mut self.totals.in_window, rec.amount, overflow)?;
        checked_add(&mut acc.sales, rec.amount, overflow)?;
        acc.has_window_lines = true;
        if rec.order == NONE {
            acc.unnumbered_lines += 1;
        } else if rec.order != acc.last_order {
            acc.orders.insert(rec.order);
            acc.last_order = rec.order;
        }
        if !self.prices {
            return Ok(());
        }
        self.price_facts(ci, rec)
    }

    /// Names, first date and the most recent line's name, region and rep.
    fn identity_facts(&mut self, ci: usize, key: Key, sheet: usize, rec: &LineRecord) {
        let seq = self.seq;
        let acc = &mut self.accs[ci];
        if let Key::Id(_) = key {
            if rec.name != NONE && !acc.names.contains(&rec.name) {
                acc.names.push(rec.name);
                if acc.names.len() == 2 {
                    acc.name_change_at = Some((sheet, rec.row));
                }
            }
        }
        if acc.first_date.is_none_or(|f| rec.date < f) {
            acc.first_date = Some(rec.date);
        }
        if acc.recent.is_none_or(|r| (rec.date, seq) >= r) {
            acc.recent = Some((rec.date, seq));
            if rec.name != NONE {
                acc.name = rec.name;
            }
            if rec.region != NONE {
                acc.region = rec.region;
            }
            if rec.sales_rep != NONE {
                acc.sales_rep = rec.sales_rep;
            }
        }
    }

    /// Quantity and the price-index sums of a window line (SPEC 4, 9).
    fn price_facts(&mut self, ci: usize, rec: &LineRecord) -> Result<(), ModelError> {
        let overflow = || format!("row {}", rec.row);
        let acc = &mut self.accs[ci];
        let Some(q) = rec.quantity else { return Ok(()) };
        checked_add(&mut acc.quantity, q, overflow)?;
        if q <= Decimal::ZERO {
            return Ok(());
        }
        if rec.product != NONE {
            let p = self.products.entry(rec.product).or_default();
            checked_add(&mut p.quantity, q, overflow)?;
            let value = match rec.unit_price {
                Some(u) => checked_mul(q, u, overflow)?,
                None => rec.amount,
            };
            checked_add(&mut p.value, value, overflow)?;
        }
        if let Some(list) = rec.list_price {
            checked_add(&mut acc.pi_amount, rec.amount, overflow)?;
            checked_add(&mut acc.pi_list, checked_mul(q, list, overflow)?, overflow)?;
            acc.pi_lines += 1;
        } else if rec.product != NONE {
            checked_add(&mut acc.pi_amount, rec.amount, overflow)?;
            checked_add(acc.pi_products.entry(rec.product).or_default(), q, overflow)?;
            acc.pi_lines += 1;
        }
        Ok(())
    }

    /// Each product's quantity-weighted mean unit price over the window.
    pub fn product_means(&self) -> FxMap<u32, Decimal> {
        self.products
            .iter()
            .filter(|(_, p)| p.quantity > Decimal::ZERO)
            .filter_map(|(k, p)| p.value.checked_div(p.quantity).map(|m| (*k, m)))
            .collect()
    }
}
