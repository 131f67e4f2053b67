//! Open items built while the sales fold runs (SPEC 5): every order of a
//! customer (its lines with one order number; each line without an order
//! number on its own) becomes one item, dated by its earliest line on or
//! before as_of, with the earliest due-date cell of its lines, its amount
//! (a negative order is a credit note) and the order a credit note reverses
//! (原单号). Each order also keeps the price-index sums of its window lines,
//! for the order-upgrade rule (seed 7.3).
//!
//! Memory follows orders: one [`OrderAcc`] per order and one map entry per
//! (customer, order number); lines of one order are usually adjacent, so
//! most lines skip the map.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{checked_add, checked_mul, ModelError};
use crate::read::intern::{FxMap, NONE};
use crate::read::LineRecord;

/// One order of a customer, as the fold saw its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderAcc {
    /// Index of the customer's accumulator in the sales fold.
    pub customer: u32,
    /// Order number (run string number); `NONE` for a line without one.
    pub order: u32,
    /// The earliest line date (on or before as_of).
    pub date: NaiveDate,
    /// The earliest due-date cell of its lines, if any line has one.
    pub due: Option<NaiveDate>,
    /// Σ of its lines on or before as_of; below 0 for a credit note.
    pub amount: Decimal,
    /// The first 原单号 among its lines (run string number), else `NONE`.
    pub source_order: u32,
    /// Price index of its window lines: Σ amount of the lines that count.
    pub pi_amount: Decimal,
    /// Σ quantity × list price of those lines that have a list price.
    pub pi_list: Decimal,
    /// Lines that count in the price index (quantity > 0 with a list price or a product).
    pub pi_lines: u32,
}

/// A window line without a list price: its quantity at the product's mean
/// price is part of its order's reference value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Priced {
    order: u32,
    product: u32,
    quantity: Decimal,
}

/// The orders of a run, built line by line (off unless [`ItemsFold::new`]
/// turns it on: a run without receipts and without an order-upgrade rule
/// that can be met needs none).
#[derive(Debug, Default)]
pub struct ItemsFold {
    on: bool,
    /// (customer, order number) → index into `orders`.
    by_order: FxMap<(u32, u32), u32>,
    /// The previous line's (customer, order number, index).
    last: Option<(u32, u32, u32)>,
    pub orders: Vec<OrderAcc>,
    priced: Vec<Priced>,
    /// Whether window lines add to their order's price-index sums.
    facts: bool,
}

impl ItemsFold {
    /// An items fold that records orders when `on`.
    pub fn new(on: bool) -> ItemsFold {
        ItemsFold {
            on,
            facts: true,
            ..ItemsFold::default()
        }
    }

    /// The same fold, its window lines adding to the orders' price-index
    /// sums only when `facts` (the evaluation's Order Upgrades sheet needs
    /// them, the reconciliation does not).
    pub fn price_facts(self, facts: bool) -> ItemsFold {
        ItemsFold { facts, ..self }
    }

    /// Whether orders are recorded.
    pub fn is_on(&self) -> bool {
        self.on
    }

    /// Adds a line (dated on or before as_of) of customer `customer`;
    /// `in_window` says whether it counts in the price index.
    ///
    /// # Errors
    /// A sum overflows ([`ModelError::Overflow`] naming the row).
    pub fn line(
        &mut self,
        customer: usize,
        rec: &LineRecord,
        in_window: bool,
    ) -> Result<(), ModelError> {
        if !self.on {
            return Ok(());
        }
        let overflow = || format!("row {}", rec.row);
        let i = self.order_of(customer as u32, rec);
        let o = &mut self.orders[i as usize];
        if rec.date < o.date {
            o.date = rec.date;
        }
        if let Some(due) = rec.due_date {
            if o.due.is_none_or(|d| due < d) {
                o.due = Some(due);
            }
        }
        if o.source_order == NONE {
            o.source_order = rec.source_order;
        }
        checked_add(&mut o.amount, rec.amount, overflow)?;
        if !self.facts {
            return Ok(());
        }
        let Some(q) = rec.quantity.filter(|q| *q > Decimal::ZERO) else {
            return Ok(());
        };
        if !in_window {
            return Ok(());
        }
        if let Some(list) = rec.list_price {
            checked_add(&mut o.pi_amount, rec.amount, overflow)?;
            checked_add(&mut o.pi_list, checked_mul(q, list, overflow)?, overflow)?;
            o.pi_lines += 1;
        } else if rec.product != NONE {
            checked_add(&mut o.pi_amount, rec.amount, overflow)?;
            o.pi_lines += 1;
            self.priced.push(Priced {
                order: i,
                product: rec.product,
                quantity: q,
            });
        }
        Ok(())
    }

    /// The index of the line's order, created on first sight.
    fn order_of(&mut self, customer: u32, rec: &LineRecord) -> u32 {
        if rec.order != NONE {
            if let Some((c, o, i)) = self.last {
                if c == customer && o == rec.order {
                    return i;
                }
            }
            if let Some(&i) = self.by_order.get(&(customer, rec.order)) {
                self.last = Some((customer, rec.order, i));
                return i;
            }
        }
        let i = self.orders.len() as u32;
        self.orders.push(OrderAcc {
            customer,
            order: rec.order,
            date: rec.date,
            due: None,
            amount: Decimal::ZERO,
            source_order: NONE,
            pi_amount: Decimal::ZERO,
            pi_list: Decimal::ZERO,
            pi_lines: 0,
        });
        if rec.order != NONE {
            self.by_order.insert((customer, rec.order), i);
            self.last = Some((customer, rec.order, i));
        }
        i
    }

    /// Each order's price index (Σ amount / Σ quantity × reference price of
    /// its window lines, the reference the list price or else the product's
    /// mean `means`); `None` for an order with no such line or a reference
    /// of 0. Frees the per-line memory and the order-number map.
    ///
    /// # Errors
    /// A sum overflows ([`ModelError::Overflow`] naming the order's figure).
    pub fn price_indexes(
        &mut self,
        means: &FxMap<u32, Decimal>,
    ) -> Result<Vec<Option<Decimal>>, ModelError> {
        self.by_order = FxMap::default();
        let overflow = || "an order's price index".to_string();
        let mut reference: Vec<Decimal> = self.orders.iter().map(|o| o.pi_list).collect();
        for p in std::mem::take(&mut self.priced) {
            let mean = means.get(&p.product).copied().unwrap_or_default();
            let value = checked_mul(p.quantity, mean, overflow)?;
            checked_add(&mut reference[p.order as usize], value, overflow)?;
        }
        self.orders
            .iter()
            .zip(reference)
            .map(|(o, r)| match o.pi_lines > 0 && r > Decimal::ZERO {
                true => o
                    .pi_amount
                    .checked_div(r)
                    .map(Some)
                    .ok_or_else(|| ModelError::Overflow(overflow())),
                false => Ok(None),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal")
    }

    fn day(m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, dd).expect("date")
    }

    fn line(row: u32, date: NaiveDate, order: u32, amount: &str) -> LineRecord {
        LineRecord {
            row,
            date,
            id: 0,
            name: NONE,
            amount: d(amount),
            quantity: None,
            unit_price: None,
            list_price: None,
            product: NONE,
            order,
            region: NONE,
            sales_rep: NONE,
            due_date: None,
            source_order: NONE,
        }
    }

    #[test]
    fn an_order_is_its_lines_dated_by_the_earliest() {
        let mut f = ItemsFold::new(true);
        f.line(0, &line(2, day(3, 5), 7, "100"), true).unwrap();
        f.line(1, &line(3, day(3, 1), 9, "40"), true).unwrap();
        // Order 7 again, earlier, not adjacent; a due-date cell on one line.
        let mut l = line(4, day(3, 2), 7, "50.5");
        l.due_date = Some(day(4, 30));
        f.line(0, &l, true).unwrap();
        // Two lines without an order number: two items.
        f.line(0, &line(5, day(3, 6), NONE, "10"), true).unwrap();
        f.line(0, &line(6, day(3, 6), NONE, "11"), true).unwrap();
        // The same order number for another customer is another order.
        f.line(1, &line(7, day(3, 7), 7, "1"), true).unwrap();
        let o = &f.orders;
        assert_eq!(o.len(), 5);
        assert_eq!((o[0].customer, o[0].order), (0, 7));
        assert_eq!(o[0].date, day(3, 2));
        assert_eq!(o[0].amount, d("150.5"));
        assert_eq!(o[0].due, Some(day(4, 30)));
        assert_eq!(o[1].amount, d("40"));
        assert_eq!((o[2].order, o[2].amount), (NONE, d("10")));
        assert_eq!((o[3].order, o[3].amount), (NONE, d("11")));
        assert_eq!((o[4].customer, o[4].amount), (1, d("1")));
    }

    #[test]
    fn a_credit_note_keeps_its_source_order() {
        let mut f = ItemsFold::new(true);
        let mut l = line(2, day(5, 1), 3, "-30");
        l.source_order = 8;
        f.line(0, &l, true).unwrap();
        f.line(0, &line(3, day(5, 1), 3, "-5"), true).unwrap();
        assert_eq!(f.orders[0].amount, d("-35"));
        assert_eq!(f.orders[0].source_order, 8);
    }

    #[test]
    fn off_records_nothing() {
        let mut f = ItemsFold::default();
        f.line(0, &line(2, day(5, 1), 3, "30"), true).unwrap();
        assert!(f.orders.is_empty());
    }

    #[test]
    fn order_price_index_by_list_price_and_product_mean() {
        let mut f = ItemsFold::new(true);
        // Order 1: 2 × list 100 for 210, and 3 of product 5 (mean 20) for 66.
        let mut a = line(2, day(6, 1), 1, "210");
        a.quantity = Some(d("2"));
        a.list_price = Some(d("100"));
        let mut b = line(3, day(6, 1), 1, "66");
        b.quantity = Some(d("3"));
        b.product = 5;
        // Order 2: a line before the window only: no price index.
        let mut c = line(4, day(1, 1), 2, "50");
        c.quantity = Some(d("1"));
        c.list_price = Some(d("50"));
        let lines = [(a, true), (b, true), (c, false)];
        for (l, w) in &lines {
            f.line(0, l, *w).unwrap();
        }
        let mut means = FxMap::default();
        means.insert(5, d("20"));
        let pi = f.price_indexes(&means).unwrap();
        // (210 + 66) / (200 + 60) = 276 / 260
        assert_eq!(pi[0], Some(d("276") / d("260")));
        assert_eq!(pi[1], None);

        // Without price facts: the same orders, no price-index sums.
        let mut g = ItemsFold::new(true).price_facts(false);
        for (l, w) in &lines {
            g.line(0, l, *w).unwrap();
        }
        assert_eq!(g.orders.len(), 2);
        for (x, y) in f.orders.iter().zip(&g.orders) {
            assert_eq!((x.order, x.date, x.amount), (y.order, y.date, y.amount));
            assert_eq!(
                (y.pi_amount, y.pi_list, y.pi_lines),
                (Decimal::ZERO, Decimal::ZERO, 0)
            );
        }
        assert!(g.priced.is_empty());
    }
}
