//! Unit tests of [`super::settle`]: hand-worked matching cases (the working is
//! in the comments), the identities every book must satisfy, random inputs
//! and a large customer.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::model::period::Window;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("test decimal")
}

/// An invoice: key, order number, date, due date, amount.
fn inv(key: u64, order: u32, on: &str, due: &str, amount: &str) -> Item {
    Item {
        order,
        key,
        date: date(on),
        due: date(due),
        amount: d(amount),
        source_order: NONE,
    }
}

/// A credit note: key, its own order number, date, amount (below 0), the
/// order it reverses.
fn cn(key: u64, order: u32, on: &str, amount: &str, source: u32) -> Item {
    Item {
        order,
        key,
        date: date(on),
        due: date(on),
        amount: d(amount),
        source_order: source,
    }
}

fn rc(seq: u64, on: &str, amount: &str, order: u32) -> Receipt {
    Receipt {
        seq,
        date: date(on),
        amount: d(amount),
        order,
    }
}

/// As of `as_of`, a 12-month window, the default buckets, by due date.
fn terms(as_of: &str) -> Terms {
    let as_of = date(as_of);
    Terms {
        as_of,
        window: Window::new(as_of, 12),
        aging_days: vec![30, 60, 90, 180],
        basis: AgingBasis::DueDate,
    }
}

/// Settles and checks the identities every book must satisfy.
fn book(items: Vec<Item>, receipts: Vec<Receipt>, t: &Terms) -> Book {
    let b = settle(items, receipts, t).expect("settles");
    check(&b);
    b
}

/// closing = opening + invoiced − received = outstanding − unapplied; the
/// aging columns add up to outstanding; no zero rows; each open item's
/// settled amount is what its settlements add up to.
fn check(b: &Book) {
    let st = &b.statement;
    let f = &b.figures;
    assert_eq!(
        st.closing,
        st.opening + st.invoiced - st.received,
        "statement"
    );
    assert_eq!(
        st.closing,
        f.outstanding - f.unapplied,
        "closing vs open items"
    );
    assert_eq!(f.aging.iter().sum::<Decimal>(), f.outstanding, "aging");
    let past: Decimal = b
        .open_items
        .iter()
        .filter(|o| o.days_past_due > 0)
        .map(|o| o.remaining)
        .sum();
    assert_eq!(past, f.overdue, "overdue");
    assert_eq!(
        f.aging[1..].iter().sum::<Decimal>(),
        f.overdue,
        "overdue buckets"
    );
    let mut balance = st.opening;
    for l in &st.lines {
        assert!(!l.amount.is_zero(), "zero statement line {l:?}");
        balance += match l.entry {
            Entry::Receipt { .. } => -l.amount,
            _ => l.amount,
        };
        assert_eq!(l.balance, balance, "running balance at {l:?}");
    }
    assert_eq!(balance, st.closing);
    let mut settled: HashMap<Debt, Decimal> = HashMap::new();
    for s in &b.settlements {
        *settled.entry(s.debt).or_default() += s.amount;
    }
    for o in &b.open_items {
        assert!(o.remaining > Decimal::ZERO, "open item {o:?}");
        assert_eq!(o.settled + o.remaining, o.amount);
        let of_it = settled.get(&o.debt).copied().unwrap_or_default();
        assert_eq!(of_it, o.settled, "settlements of {o:?}");
    }
    for s in &b.settlements {
        assert!(s.amount > Decimal::ZERO, "settlement {s:?}");
        assert!(
            s.days_to_pay >= 0,
            "money applied before its debt existed: {s:?}"
        );
    }
    for u in &b.unapplied {
        assert!(u.amount > Decimal::ZERO, "unapplied {u:?}");
    }
}

/// (debt, source, date, amount) of each settlement, in order.
fn moves(b: &Book) -> Vec<(Debt, Source, NaiveDate, Decimal)> {
    b.settlements
        .iter()
        .map(|s| (s.debt, s.source, s.date, s.amount))
        .collect()
}

/// (waited, days to pay, on time) of each settlement, in order.
fn timing(b: &Book) -> Vec<(bool, i64, bool)> {
    b.settlements
        .iter()
        .map(|s| (s.waited, s.days_to_pay, s.on_time))
        .collect()
}

/// (debt, remaining) of each open item, oldest first.
fn open(b: &Book) -> Vec<(Debt, Decimal)> {
    b.open_items.iter().map(|o| (o.debt, o.remaining)).collect()
}

fn aging(v: &[&str]) -> Vec<Decimal> {
    v.iter().map(|s| d(s)).collect()
}

const INV: fn(u64) -> Debt = Debt::Invoice;
const RC: fn(u64) -> Source = Source::Receipt;
const CN: fn(u64) -> Source = Source::CreditNote;

#[test]
fn partial_payments_across_orders() {
    // A 1000 (04-01, due 05-01), B 500 (05-01, due 05-31), C 800 (06-01, due 07-01).
    // 05-10: 400 → A (A 600 left; 39 days, late).
    // 06-10: 900 → A 600 (70 days, late), B 300 (40 days, late; B 200 left).
    // As of 06-30: B 200 is 30 days past due (1–30), C 800 not due.
    let items = vec![
        inv(1, 1, "2025-04-01", "2025-05-01", "1000"),
        inv(2, 2, "2025-05-01", "2025-05-31", "500"),
        inv(3, 3, "2025-06-01", "2025-07-01", "800"),
    ];
    let receipts = vec![
        rc(1, "2025-05-10", "400", NONE),
        rc(2, "2025-06-10", "900", NONE),
    ];
    let b = book(items, receipts, &terms("2025-06-30"));
    assert_eq!(
        moves(&b),
        [
            (INV(1), RC(1), date("2025-05-10"), d("400")),
            (INV(1), RC(2), date("2025-06-10"), d("600")),
            (INV(2), RC(2), date("2025-06-10"), d("300")),
        ]
    );
    assert_eq!(
        timing(&b),
        [(false, 39, false), (false, 70, false), (false, 40, false)]
    );
    assert_eq!(open(&b), [(INV(2), d("200")), (INV(3), d("800"))]);
    assert_eq!(b.open_items[0].settled, d("300"));
    assert_eq!(b.open_items[0].days_past_due, 30);
    let f = &b.figures;
    assert_eq!(f.outstanding, d("1000"));
    assert_eq!(f.overdue, d("200"));
    assert_eq!(f.aging, aging(&["800", "200", "0", "0", "0", "0"]));
    assert_eq!(f.max_days_overdue, 30);
    assert_eq!(f.receipts, d("1300"));
    assert_eq!(f.on_time_ratio, Some(Decimal::ZERO));
    // (400·39 + 600·70 + 300·40) / 1300 = 69600 / 1300 = 53.538461…
    assert_eq!(
        f.avg_days_to_pay.map(|x| x.round_dp(6)),
        Some(d("53.538462"))
    );
    let st = &b.statement;
    assert_eq!(
        (st.opening, st.invoiced, st.received, st.closing),
        (d("0"), d("2300"), d("1300"), d("1000"))
    );
}

#[test]
fn receipt_naming_an_order_newer_than_others_still_open() {
    // A 1000 (03-01, due 03-31), B 600 (05-01, due 05-31).
    // 06-05: 800 naming B → B 600 (35 days, late), then FIFO A 200 (96 days).
    // As of 06-30 A 800 is 91 days past due → 91–180.
    let items = vec![
        inv(1, 1, "2025-03-01", "2025-03-31", "1000"),
        inv(2, 2, "2025-05-01", "2025-05-31", "600"),
    ];
    let b = book(
        items,
        vec![rc(7, "2025-06-05", "800", 2)],
        &terms("2025-06-30"),
    );
    assert_eq!(
        moves(&b),
        [
            (INV(2), RC(7), date("2025-06-05"), d("600")),
            (INV(1), RC(7), date("2025-06-05"), d("200")),
        ]
    );
    assert_eq!(b.settlements[0].days_to_pay, 35);
    assert_eq!(b.settlements[1].days_to_pay, 96);
    assert_eq!(open(&b), [(INV(1), d("800"))]);
    assert_eq!(b.figures.aging, aging(&["0", "0", "0", "0", "800", "0"]));
    assert_eq!(b.figures.max_days_overdue, 91);
    assert_eq!(b.open_items[0].bucket, 4);
}

#[test]
fn receipt_naming_an_order_already_paid_or_unknown_goes_fifo() {
    // A 300 (order 1) paid by a receipt naming it; a second receipt names it
    // again and one names an order the customer does not have: both FIFO → B.
    let items = vec![
        inv(1, 1, "2025-05-01", "2025-05-31", "300"),
        inv(2, 2, "2025-05-02", "2025-06-01", "500"),
    ];
    let receipts = vec![
        rc(1, "2025-05-05", "300", 1),
        rc(2, "2025-05-06", "100", 1),
        rc(3, "2025-05-07", "150", 99),
    ];
    let b = book(items, receipts, &terms("2025-06-30"));
    assert_eq!(
        moves(&b),
        [
            (INV(1), RC(1), date("2025-05-05"), d("300")),
            (INV(2), RC(2), date("2025-05-06"), d("100")),
            (INV(2), RC(3), date("2025-05-07"), d("150")),
        ]
    );
    assert_eq!(open(&b), [(INV(2), d("250"))]);
}

#[test]
fn receipt_naming_an_order_not_yet_invoiced_waits_and_goes_fifo() {
    // 04-20: 100 naming A, 04-25: 50 naming B, before either exists: both wait.
    // A 120 (05-01, due 05-31) takes the oldest credit first: 100 (from 04-20),
    // then 20 of the 50 named for B. B 100 (05-10, due 06-09) takes the last 30
    // on 05-10; 70 of B open.
    let items = vec![
        inv(1, 1, "2025-05-01", "2025-05-31", "120"),
        inv(2, 2, "2025-05-10", "2025-06-09", "100"),
    ];
    let receipts = vec![rc(1, "2025-04-20", "100", 1), rc(2, "2025-04-25", "50", 2)];
    let b = book(items, receipts, &terms("2025-06-30"));
    assert_eq!(
        moves(&b),
        [
            (INV(1), RC(1), date("2025-05-01"), d("100")),
            (INV(1), RC(2), date("2025-05-01"), d("20")),
            (INV(2), RC(2), date("2025-05-10"), d("30")),
        ]
    );
    assert!(b.settlements.iter().all(|s| s.waited && s.days_to_pay == 0));
    assert_eq!(open(&b), [(INV(2), d("70"))]);
}

#[test]
fn receipt_larger_than_everything_open_waits_for_the_next_invoice() {
    // A 300 (05-01, due 05-31), B 200 (05-15, due 06-14).
    // 06-01: 1000 → A 300 (31 days, late), B 200 (17 days, on time), 500 waits.
    // C 350 (06-20, due 07-20) takes 350 of it on 06-20 (0 days); 150 stays unapplied.
    let items = vec![
        inv(1, 1, "2025-05-01", "2025-05-31", "300"),
        inv(2, 2, "2025-05-15", "2025-06-14", "200"),
        inv(3, 3, "2025-06-20", "2025-07-20", "350"),
    ];
    let b = book(
        items,
        vec![rc(1, "2025-06-01", "1000", NONE)],
        &terms("2025-06-30"),
    );
    assert_eq!(
        moves(&b),
        [
            (INV(1), RC(1), date("2025-06-01"), d("300")),
            (INV(2), RC(1), date("2025-06-01"), d("200")),
            (INV(3), RC(1), date("2025-06-20"), d("350")),
        ]
    );
    assert!(b.settlements[2].waited && b.settlements[2].on_time);
    assert_eq!(b.settlements[2].days_to_pay, 0);
    // Σ of the receipt's settlements + what waits = the receipt.
    let applied: Decimal = b.settlements.iter().map(|s| s.amount).sum();
    assert_eq!(applied + b.figures.unapplied, d("1000"));
    assert!(b.open_items.is_empty());
    assert_eq!(
        b.unapplied,
        [Unapplied {
            source: RC(1),
            date: date("2025-06-01"),
            amount: d("150")
        }]
    );
    assert_eq!(b.figures.outstanding, d("0"));
    assert_eq!(b.figures.unapplied, d("150"));
    // invoiced 850 − received 1000 = −150 = 0 − 150.
    assert_eq!(b.statement.closing, d("-150"));
    // On time: 200 + 350 of 850; days (300·31 + 200·17 + 350·0) / 850 = 12700 / 850.
    assert_eq!(b.figures.on_time_ratio, Some(d("550") / d("850")));
    assert_eq!(b.figures.avg_days_to_pay, Some(d("12700") / d("850")));
}

#[test]
fn credit_note_with_source_order_settles_it_first() {
    // A 1000 (05-01, due 05-31), B 500 (05-10, due 06-09).
    // 05-20 credit note −300 against B → B 300 (B 200 left).
    // 06-05: 1000 → A 1000 (35 days, late). As of 06-30 B 200 is 21 days past due.
    let items = vec![
        inv(1, 1, "2025-05-01", "2025-05-31", "1000"),
        inv(2, 2, "2025-05-10", "2025-06-09", "500"),
        cn(3, 3, "2025-05-20", "-300", 2),
    ];
    let b = book(
        items,
        vec![rc(1, "2025-06-05", "1000", NONE)],
        &terms("2025-06-30"),
    );
    assert_eq!(
        moves(&b),
        [
            (INV(2), CN(3), date("2025-05-20"), d("300")),
            (INV(1), RC(1), date("2025-06-05"), d("1000")),
        ]
    );
    assert!(!b.settlements[0].is_payment());
    assert_eq!(open(&b), [(INV(2), d("200"))]);
    assert_eq!(b.figures.aging, aging(&["0", "200", "0", "0", "0", "0"]));
    // Only the receipt counts: 0 on time, 35 days.
    assert_eq!(b.figures.on_time_ratio, Some(d("0")));
    assert_eq!(b.figures.avg_days_to_pay, Some(d("35")));
    let st = &b.statement;
    assert_eq!(
        (st.invoiced, st.credit_notes, st.received, st.closing),
        (d("1200"), d("-300"), d("1000"), d("200"))
    );
    assert_eq!(
        st.lines
            .iter()
            .map(|l| (l.entry, l.balance))
            .collect::<Vec<_>>(),
        [
            (Entry::Invoice { key: 1, order: 1 }, d("1000")),
            (Entry::Invoice { key: 2, order: 2 }, d("1500")),
            (Entry::CreditNote { key: 3, order: 3 }, d("1200")),
            (
                Entry::Receipt {
                    seq: 1,
                    order: NONE
                },
                d("200")
            ),
        ]
    );
}

#[test]
fn credit_note_without_source_order_settles_fifo_as_a_credit_note() {
    // As above, the credit note naming nothing: 05-20 −300 → A 300 (A 700 left).
    // 06-05: 1000 → A 700 (35 days, late), B 300 (26 days, on time); B 200 left.
    // On time 300 / 1000 = 0.3; days (700·35 + 300·26) / 1000 = 32.3.
    let items = vec![
        inv(1, 1, "2025-05-01", "2025-05-31", "1000"),
        inv(2, 2, "2025-05-10", "2025-06-09", "500"),
        cn(3, NONE, "2025-05-20", "-300", NONE),
    ];
    let b = book(
        items,
        vec![rc(1, "2025-06-05", "1000", NONE)],
        &terms("2025-06-30"),
    );
    assert_eq!(
        moves(&b),
        [
            (INV(1), CN(3), date("2025-05-20"), d("300")),
            (INV(1), RC(1), date("2025-06-05"), d("700")),
            (INV(2), RC(1), date("2025-06-05"), d("300")),
        ]
    );
    assert_eq!(open(&b), [(INV(2), d("200"))]);
    assert_eq!(b.figures.on_time_ratio, Some(d("0.3")));
    assert_eq!(b.figures.avg_days_to_pay, Some(d("32.3")));
}

#[test]
fn credit_note_against_an_invoice_already_paid_frees_its_money() {
    // A 500 (04-01, due 05-01) paid 04-20 by a receipt naming it (19 days, on time).
    // B 400 (05-01, due 05-31).
    // 05-10 credit note −200 against A: nothing left on A → next open item B 200.
    // 06-01 credit note −300 against A: → B 200, 100 waits as unapplied credit.
    let items = vec![
        inv(1, 1, "2025-04-01", "2025-05-01", "500"),
        inv(2, 2, "2025-05-01", "2025-05-31", "400"),
        cn(3, 3, "2025-05-10", "-200", 1),
        cn(4, 4, "2025-06-01", "-300", 1),
    ];
    let b = book(
        items,
        vec![rc(1, "2025-04-20", "500", 1)],
        &terms("2025-06-30"),
    );
    assert_eq!(
        moves(&b),
        [
            (INV(1), RC(1), date("2025-04-20"), d("500")),
            (INV(2), CN(3), date("2025-05-10"), d("200")),
            (INV(2), CN(4), date("2025-06-01"), d("200")),
        ]
    );
    assert!(b.open_items.is_empty());
    assert_eq!(
        b.unapplied,
        [Unapplied {
            source: CN(4),
            date: date("2025-06-01"),
            amount: d("100")
        }]
    );
    // 900 − 500 credit notes − 500 received = −100 = 0 − 100.
    assert_eq!(b.statement.closing, d("-100"));
    assert_eq!(b.figures.on_time_ratio, Some(d("1")));
    assert_eq!(b.figures.avg_days_to_pay, Some(d("19")));
}

#[test]
fn prepayment_before_the_first_order_counts_zero_days() {
    // 01-10: 1000 before any order: waits.
    // A 600 (02-01, due 03-03) takes 600 on 02-01, 0 days, on time.
    // B 700 (03-01, due 03-31) takes the last 400 on 03-01; 300 left.
    // 04-15: 300 → B (45 days, late).
    // On time (600 + 400) / 1300 = 10/13; days (600·0 + 400·0 + 300·45) / 1300 = 13500 / 1300.
    let items = vec![
        inv(1, 1, "2025-02-01", "2025-03-03", "600"),
        inv(2, 2, "2025-03-01", "2025-03-31", "700"),
    ];
    let receipts = vec![
        rc(1, "2025-01-10", "1000", NONE),
        rc(2, "2025-04-15", "300", NONE),
    ];
    let b = book(items, receipts, &terms("2025-06-30"));
    assert_eq!(
        moves(&b),
        [
            (INV(1), RC(1), date("2025-02-01"), d("600")),
            (INV(2), RC(1), date("2025-03-01"), d("400")),
            (INV(2), RC(2), date("2025-04-15"), d("300")),
        ]
    );
    assert_eq!(
        timing(&b),
        [(true, 0, true), (true, 0, true), (false, 45, false)]
    );
    assert!(b.open_items.is_empty() && b.unapplied.is_empty());
    assert_eq!(b.figures.on_time_ratio, Some(d("10") / d("13")));
    assert_eq!(b.figures.avg_days_to_pay, Some(d("13500") / d("1300")));
}

#[test]
fn prepayment_before_the_window_counts_on_the_invoice_date() {
    // Window (2025-03-31, 2025-06-30] (3 months). 03-20: 500 waits.
    // A 500 (04-10, due 05-10) takes it on 04-10, inside the window: on time, 0 days.
    // Opening: −500 (the receipt); invoiced 500; received 0; closing 0.
    let mut t = terms("2025-06-30");
    t.window = Window::new(t.as_of, 3);
    let items = vec![inv(1, 1, "2025-04-10", "2025-05-10", "500")];
    let b = book(items, vec![rc(1, "2025-03-20", "500", NONE)], &t);
    assert_eq!(b.figures.on_time_ratio, Some(d("1")));
    assert_eq!(b.figures.avg_days_to_pay, Some(d("0")));
    assert_eq!(b.figures.receipts, d("0"));
    let st = &b.statement;
    assert_eq!(
        (st.opening, st.invoiced, st.received, st.closing),
        (d("-500"), d("500"), d("0"), d("0"))
    );
}

#[test]
fn settlements_before_the_window_do_not_count_on_time() {
    // Window (2025-03-31, 2025-06-30]. A 100 (01-01, due 01-31) paid 01-20
    // (before the window); B 100 (04-01, due 05-01) paid 05-11 (40 days, late).
    let mut t = terms("2025-06-30");
    t.window = Window::new(t.as_of, 3);
    let items = vec![
        inv(1, 1, "2025-01-01", "2025-01-31", "100"),
        inv(2, 2, "2025-04-01", "2025-05-01", "100"),
    ];
    let receipts = vec![
        rc(1, "2025-01-20", "100", NONE),
        rc(2, "2025-05-11", "100", NONE),
    ];
    let b = book(items, receipts, &t);
    assert_eq!(b.figures.on_time_ratio, Some(d("0")));
    assert_eq!(b.figures.avg_days_to_pay, Some(d("40")));
    assert_eq!(b.figures.receipts, d("100"));
    assert_eq!(b.statement.opening, d("0"));
}

#[test]
fn no_payment_settled_in_the_window_gives_no_ratio() {
    let items = vec![inv(1, 1, "2025-05-01", "2025-05-31", "100")];
    let b = book(items, vec![], &terms("2025-06-30"));
    assert_eq!(b.figures.on_time_ratio, None);
    assert_eq!(b.figures.avg_days_to_pay, None);
}

#[test]
fn receipt_after_as_of_moves_nothing() {
    // A 500 (05-01, due 05-31) paid 07-05, after as_of 06-30: open, 30 days past due.
    let items = vec![inv(1, 1, "2025-05-01", "2025-05-31", "500")];
    let t = terms("2025-06-30");
    let with_later = book(items.clone(), vec![rc(1, "2025-07-05", "500", 1)], &t);
    let without = book(items.clone(), vec![], &t);
    assert_eq!(with_later, without);
    assert_eq!(open(&with_later), [(INV(1), d("500"))]);
    assert_eq!(
        with_later.figures.aging,
        aging(&["0", "500", "0", "0", "0", "0"])
    );
    assert_eq!(with_later.figures.receipts, d("0"));
    // The run as of 07-31 sees the payment, 65 days after the invoice.
    let later = book(
        items,
        vec![rc(1, "2025-07-05", "500", 1)],
        &terms("2025-07-31"),
    );
    assert!(later.open_items.is_empty());
    assert_eq!(later.settlements[0].days_to_pay, 65);
}

#[test]
fn items_after_as_of_are_ignored() {
    let items = vec![
        inv(1, 1, "2025-05-01", "2025-05-31", "500"),
        inv(2, 2, "2025-07-01", "2025-07-31", "900"),
    ];
    let t = terms("2025-06-30");
    let b = book(items.clone(), vec![rc(1, "2025-06-01", "800", NONE)], &t);
    let only = book(
        items[..1].to_vec(),
        vec![rc(1, "2025-06-01", "800", NONE)],
        &t,
    );
    assert_eq!(b, only);
    assert_eq!(b.figures.unapplied, d("300"));
}

#[test]
fn order_due_exactly_on_as_of_is_not_due() {
    // A due on as_of: not due, 0 days past due. B due the day before: 1 day → 1–30.
    let items = vec![
        inv(1, 1, "2025-05-31", "2025-06-30", "100"),
        inv(2, 2, "2025-05-30", "2025-06-29", "40"),
    ];
    let b = book(items, vec![], &terms("2025-06-30"));
    assert_eq!(b.figures.aging, aging(&["100", "40", "0", "0", "0", "0"]));
    assert_eq!(b.figures.overdue, d("40"));
    assert_eq!(b.figures.max_days_overdue, 1);
    let days: Vec<_> = b
        .open_items
        .iter()
        .map(|o| (o.debt, o.days_past_due, o.bucket))
        .collect();
    assert_eq!(days, [(INV(2), 1, 1), (INV(1), 0, 0)]);
}

#[test]
fn aging_edges_by_due_date() {
    // One item per edge, due `n` days before as_of, amounts 1, 2, 4 … 512:
    // not due 0 → 1; 1–30: 1, 30 → 2 + 4; 31–60: 31, 60 → 8 + 16;
    // 61–90: 61, 90 → 32 + 64; 91–180: 91, 180 → 128 + 256; >180: 181 → 512.
    let as_of = date("2025-06-30");
    let days = [0i64, 1, 30, 31, 60, 61, 90, 91, 180, 181];
    let items: Vec<Item> = days
        .iter()
        .enumerate()
        .map(|(k, &n)| {
            let due = as_of - chrono::Duration::days(n);
            Item {
                order: k as u32,
                key: k as u64,
                date: due - chrono::Duration::days(30),
                due,
                amount: Decimal::from(1u32 << k),
                source_order: NONE,
            }
        })
        .collect();
    let b = book(items, vec![], &terms("2025-06-30"));
    assert_eq!(
        b.figures.aging,
        aging(&["1", "6", "24", "96", "384", "512"])
    );
    assert_eq!(b.figures.outstanding, d("1023"));
    assert_eq!(b.figures.overdue, d("1022"));
    assert_eq!(b.figures.max_days_overdue, 181);
    let mut by_key: Vec<_> = b
        .open_items
        .iter()
        .map(|o| (o.debt, o.days_past_due, o.bucket))
        .collect();
    by_key.sort();
    let expected: Vec<_> = days
        .iter()
        .zip([0, 1, 1, 2, 2, 3, 3, 4, 4, 5])
        .enumerate()
        .map(|(k, (&n, col))| (INV(k as u64), n, col))
        .collect();
    assert_eq!(by_key, expected);
}

#[test]
fn aging_column_edges() {
    let edges = [30, 60, 90, 180];
    let cols: Vec<_> = [-5, 0, 1, 30, 31, 60, 61, 90, 91, 180, 181, 10_000]
        .iter()
        .map(|&n| aging_column(n, &edges))
        .collect();
    assert_eq!(cols, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    assert_eq!(aging_column(7, &[7]), 1);
    assert_eq!(aging_column(8, &[7]), 2);
}

#[test]
fn aging_by_invoice_date() {
    // X 100 (06-20, due 07-20): not due under both bases.
    // Y 200 (05-21, due 06-20): 10 days past due (1–30); 40 days old (31–60).
    // Z 300 (2024-12-12, due 2025-01-11): 170 days past due (91–180); 200 days old (>180).
    let items = vec![
        inv(1, 1, "2025-06-20", "2025-07-20", "100"),
        inv(2, 2, "2025-05-21", "2025-06-20", "200"),
        inv(3, 3, "2024-12-12", "2025-01-11", "300"),
    ];
    let mut t = terms("2025-06-30");
    let by_due = book(items.clone(), vec![], &t);
    assert_eq!(
        by_due.figures.aging,
        aging(&["100", "200", "0", "0", "300", "0"])
    );
    t.basis = AgingBasis::InvoiceDate;
    let by_date = book(items, vec![], &t);
    assert_eq!(
        by_date.figures.aging,
        aging(&["100", "0", "200", "0", "0", "300"])
    );
    // Overdue money, its days past due and the largest stay by due date.
    assert_eq!(by_date.figures.overdue, d("500"));
    assert_eq!(by_date.figures.max_days_overdue, 170);
}

#[test]
fn aging_by_invoice_date_of_an_item_due_before_its_date() {
    // Due 06-01 on a 06-30 invoice (a due-date column earlier than the date):
    // overdue, 0 days old → the first bucket, never "not due".
    let items = vec![inv(1, 1, "2025-06-30", "2025-06-01", "100")];
    let mut t = terms("2025-06-30");
    t.basis = AgingBasis::InvoiceDate;
    let b = book(items, vec![], &t);
    assert_eq!(b.figures.aging, aging(&["0", "100", "0", "0", "0", "0"]));
}

#[test]
fn partial_payment_ages_only_the_remainder_by_its_own_due_date() {
    // A 1000 (03-01, due 03-31); 05-01: 600 → 400 left, 91 days past due → 91–180.
    // B 300 (06-01, due 07-01) not due.
    let items = vec![
        inv(1, 1, "2025-03-01", "2025-03-31", "1000"),
        inv(2, 2, "2025-06-01", "2025-07-01", "300"),
    ];
    let b = book(
        items,
        vec![rc(1, "2025-05-01", "600", NONE)],
        &terms("2025-06-30"),
    );
    assert_eq!(b.figures.aging, aging(&["300", "0", "0", "0", "400", "0"]));
    assert_eq!(b.open_items[0].amount, d("1000"));
    assert_eq!(b.open_items[0].settled, d("600"));
    assert_eq!(b.open_items[0].remaining, d("400"));
}

#[test]
fn two_invoices_on_the_same_date_are_taken_by_due_date_then_order() {
    // All dated 05-01: C (order 9) due 05-20 first, then B (order 2) and A
    // (order 5) both due 05-31, B first by its order number.
    // 06-01: 450 → C 300, B 150.
    let t = terms("2025-06-30");
    let items = vec![
        inv(1, 5, "2025-05-01", "2025-05-31", "300"),
        inv(2, 2, "2025-05-01", "2025-05-31", "300"),
        inv(3, 9, "2025-05-01", "2025-05-20", "300"),
    ];
    let b = book(items.clone(), vec![rc(1, "2025-06-01", "450", NONE)], &t);
    assert_eq!(
        moves(&b),
        [
            (INV(3), RC(1), date("2025-06-01"), d("300")),
            (INV(2), RC(1), date("2025-06-01"), d("150")),
        ]
    );
    assert_eq!(open(&b), [(INV(2), d("150")), (INV(1), d("300"))]);
    // The input order of the items does not matter.
    let reversed = book(
        items.into_iter().rev().collect(),
        vec![rc(1, "2025-06-01", "450", NONE)],
        &t,
    );
    assert_eq!(reversed, b);
}

#[test]
fn lines_without_order_numbers_come_after_numbered_orders_by_key() {
    let items = vec![
        inv(20, NONE, "2025-05-01", "2025-05-31", "100"),
        inv(10, NONE, "2025-05-01", "2025-05-31", "100"),
        inv(30, 4, "2025-05-01", "2025-05-31", "100"),
    ];
    let b = book(
        items,
        vec![rc(1, "2025-06-01", "150", NONE)],
        &terms("2025-06-30"),
    );
    assert_eq!(open(&b), [(INV(10), d("50")), (INV(20), d("100"))]);
}

#[test]
fn on_one_date_invoices_exist_before_credit_notes_and_receipts() {
    // 05-01: A 500, a credit note −100 without source, receipts 300 then 200.
    // The credit note → A 100; 300 → A; 200 → A 100, 100 waits.
    let items = vec![
        cn(2, 2, "2025-05-01", "-100", NONE),
        inv(1, 1, "2025-05-01", "2025-05-31", "500"),
    ];
    let receipts = vec![
        rc(8, "2025-05-01", "200", NONE),
        rc(3, "2025-05-01", "300", NONE),
    ];
    let b = book(items, receipts, &terms("2025-06-30"));
    assert_eq!(
        moves(&b),
        [
            (INV(1), CN(2), date("2025-05-01"), d("100")),
            (INV(1), RC(3), date("2025-05-01"), d("300")),
            (INV(1), RC(8), date("2025-05-01"), d("100")),
        ]
    );
    assert_eq!(b.figures.unapplied, d("100"));
    let entries: Vec<_> = b.statement.lines.iter().map(|l| l.entry).collect();
    assert_eq!(
        entries,
        [
            Entry::Invoice { key: 1, order: 1 },
            Entry::CreditNote { key: 2, order: 2 },
            Entry::Receipt {
                seq: 3,
                order: NONE
            },
            Entry::Receipt {
                seq: 8,
                order: NONE
            },
        ]
    );
}

#[test]
fn one_receipt_over_many_invoices_has_no_zero_rows() {
    // Cents with different scales: 0.10 + 0.2 + 0.30 = 0.60 paid by one receipt
    // of 0.6 (nothing left, no −0.00 remainder); an order that nets to 0.00 is
    // neither open nor on the statement; a 0 receipt is not a line.
    let items = vec![
        inv(1, 1, "2025-05-01", "2025-05-31", "0.10"),
        inv(2, 2, "2025-05-02", "2025-06-01", "0.2"),
        inv(3, 3, "2025-05-03", "2025-06-02", "0.30"),
        inv(4, 4, "2025-05-04", "2025-06-03", "0.00"),
    ];
    let receipts = vec![
        rc(1, "2025-06-01", "0.6", NONE),
        rc(2, "2025-06-02", "0", NONE),
    ];
    let b = book(items, receipts, &terms("2025-06-30"));
    assert_eq!(b.settlements.len(), 3);
    assert_eq!(
        b.settlements.iter().map(|s| s.amount).sum::<Decimal>(),
        d("0.6")
    );
    assert!(b.open_items.is_empty() && b.unapplied.is_empty());
    assert_eq!(b.statement.lines.len(), 4);
    assert_eq!(b.statement.closing.to_string(), "0.00");
    assert!(!b.statement.closing.is_sign_negative());
}

#[test]
fn refund_takes_back_waiting_credit_then_is_owed() {
    // 05-01: 1000 in advance. A 600 (05-10, due 06-09) takes 600 of it.
    // 06-01 refund −300: takes 300 of the 400 waiting. 06-15 refund −200:
    // takes the last 100; 100 is owed, due 06-15, 15 days past due at 06-30.
    // Received 1000 − 300 − 200 = 500; invoiced 600; closing 100.
    let items = vec![inv(1, 1, "2025-05-10", "2025-06-09", "600")];
    let receipts = vec![
        rc(1, "2025-05-01", "1000", NONE),
        rc(2, "2025-06-01", "-300", NONE),
        rc(3, "2025-06-15", "-200", 1),
    ];
    let b = book(items, receipts, &terms("2025-06-30"));
    assert_eq!(
        moves(&b),
        [
            (INV(1), RC(1), date("2025-05-10"), d("600")),
            (Debt::Refund(2), RC(1), date("2025-06-01"), d("300")),
            (Debt::Refund(3), RC(1), date("2025-06-15"), d("100")),
        ]
    );
    assert_eq!(open(&b), [(Debt::Refund(3), d("100"))]);
    assert_eq!(b.figures.aging, aging(&["0", "100", "0", "0", "0", "0"]));
    assert_eq!(b.figures.receipts, d("500"));
    assert_eq!(b.statement.closing, d("100"));
    // Only A's 600 is a payment: on time, 0 days.
    assert_eq!(b.figures.on_time_ratio, Some(d("1")));
    assert_eq!(b.figures.avg_days_to_pay, Some(d("0")));
}

#[test]
fn refund_owed_is_paid_by_later_money() {
    // A 100 (05-01, due 05-31). 05-05 refund −50 with nothing waiting: owed.
    // 06-01: 120 → A 100 (oldest; 31 days, late), the refund 20 (not a
    // payment); 30 of the refund still owed, due 05-05: 56 days past due → 31–60.
    let items = vec![inv(1, 1, "2025-05-01", "2025-05-31", "100")];
    let receipts = vec![
        rc(1, "2025-05-05", "-50", NONE),
        rc(2, "2025-06-01", "120", NONE),
    ];
    let b = book(items, receipts, &terms("2025-06-30"));
    assert_eq!(open(&b), [(Debt::Refund(1), d("30"))]);
    assert_eq!(b.open_items[0].days_past_due, 56);
    assert_eq!(b.figures.aging, aging(&["0", "0", "30", "0", "0", "0"]));
    assert_eq!(b.figures.on_time_ratio, Some(d("0")));
    assert_eq!(b.figures.avg_days_to_pay, Some(d("31")));
}

#[test]
fn receipts_without_items_all_wait() {
    // A customer with receipts and no ledger line: everything is unapplied
    // (the caller lists such receipts as unmatched instead, SPEC 5).
    let b = book(
        vec![],
        vec![
            rc(1, "2025-06-01", "70", NONE),
            rc(2, "2025-06-02", "30", NONE),
        ],
        &terms("2025-06-30"),
    );
    assert_eq!(b.figures.unapplied, d("100"));
    assert_eq!(b.unapplied.len(), 2);
    assert_eq!(b.statement.closing, d("-100"));
}

#[test]
fn overflow_is_an_error_not_a_panic() {
    let items = vec![
        inv(1, 1, "2025-05-01", "2025-05-31", &Decimal::MAX.to_string()),
        inv(2, 2, "2025-05-02", "2025-06-01", "1"),
    ];
    match settle(items, vec![], &terms("2025-06-30")) {
        Err(ModelError::Overflow(what)) => assert!(what.contains("receivables"), "{what}"),
        other => panic!("expected an overflow, got {other:?}"),
    }
    let receipts = vec![
        rc(1, "2025-05-01", &Decimal::MAX.to_string(), NONE),
        rc(2, "2025-05-02", "1", NONE),
    ];
    assert!(matches!(
        settle(vec![], receipts, &terms("2025-06-30")),
        Err(ModelError::Overflow(_))
    ));
}

#[test]
fn helper_ratios() {
    assert_eq!(
        collection_rate(d("90"), d("120")).ok(),
        Some(Some(d("0.75")))
    );
    assert_eq!(collection_rate(d("90"), d("0")).ok(), Some(None));
    assert_eq!(collection_rate(d("90"), d("-5")).ok(), Some(None));
    // 300 outstanding on 1095 sales over 365 days: 300 · 365 / 1095 = 100.
    assert_eq!(dso(d("300"), d("1095"), 365).ok(), Some(Some(d("100"))));
    assert_eq!(dso(d("300"), d("0"), 365).ok(), Some(None));
    assert_eq!(
        credit_usage(d("1500"), Some(d("1000"))).ok(),
        Some(Some(d("1.5")))
    );
    assert_eq!(
        credit_usage(d("0"), Some(d("1000"))).ok(),
        Some(Some(d("0")))
    );
    assert_eq!(credit_usage(d("1500"), None).ok(), Some(None));
    assert_eq!(credit_usage(d("1500"), Some(d("0"))).ok(), Some(None));
    assert!(matches!(
        collection_rate(Decimal::MAX, d("0.0001")),
        Err(ModelError::Overflow(_))
    ));
    assert!(matches!(
        dso(Decimal::MAX, d("1"), 365),
        Err(ModelError::Overflow(_))
    ));
}

#[test]
fn aging_basis_reads_its_two_names() {
    assert_eq!(
        AgingBasis::try_from("invoice_date".to_string()),
        Ok(AgingBasis::InvoiceDate)
    );
    assert_eq!(
        AgingBasis::try_from("due_date".to_string()),
        Ok(AgingBasis::DueDate)
    );
    let e = AgingBasis::try_from("posted".to_string()).expect_err("unknown basis");
    assert!(e.starts_with("receivables.aging_basis: "), "{e}");
    assert_eq!(String::from(AgingBasis::InvoiceDate), "invoice_date");
}

/// 200,000 invoices (three a day over ~180 years of days, cycled) and 60,000
/// receipts (partial payments, lump sums, some naming an order) of one customer.
#[test]
fn large_customer_is_linear() {
    let start = date("2000-01-01");
    let as_of = date("2099-12-31");
    let items: Vec<Item> = (0..200_000u64)
        .map(|k| {
            let on = start + chrono::Duration::days((k / 3) as i64 % 36_000);
            Item {
                order: k as u32,
                key: k,
                date: on,
                due: on + chrono::Duration::days(30),
                amount: Decimal::new(10_000 + (k % 97) as i64 * 100, 2),
                source_order: NONE,
            }
        })
        .collect();
    let receipts: Vec<Receipt> = (0..60_000u64)
        .map(|s| Receipt {
            seq: s,
            date: start + chrono::Duration::days((s as i64 * 3) % 36_000 + 20),
            amount: Decimal::new(25_000 + (s % 13) as i64 * 1_000, 2),
            order: if s.is_multiple_of(5) {
                (s * 3) as u32
            } else {
                NONE
            },
        })
        .collect();
    let t = Terms {
        as_of,
        window: Window::new(as_of, 12),
        aging_days: vec![30, 60, 90, 180],
        basis: AgingBasis::DueDate,
    };
    let began = std::time::Instant::now();
    let b = settle(items, receipts, &t).expect("settles");
    let took = began.elapsed();
    eprintln!(
        "200,000 items and 60,000 receipts settled in {took:?}: {} settlements, {} open items",
        b.settlements.len(),
        b.open_items.len()
    );
    check(&b);
    // Quadratic matching would take minutes; a debug build is ~5× slower.
    let limit = if cfg!(debug_assertions) { 10 } else { 1 };
    assert!(took < std::time::Duration::from_secs(limit), "{took:?}");
}

/// An item of a random customer; its key is its index and its order number
/// the index + 1 (every fourth has none), so receipts and credit notes naming
/// a number below 40 often find it.
fn arb_item() -> impl Strategy<Value = (i64, i64, i64, u32)> {
    // (day, terms, cents, source order)
    (0i64..120, -5i64..60, -30_000i64..100_000, 0u32..40)
}

fn arb_receipt() -> impl Strategy<Value = (i64, i64, u32)> {
    (0i64..140, -20_000i64..150_000, 0u32..60)
}

fn build(
    items: &[(i64, i64, i64, u32)],
    receipts: &[(i64, i64, u32)],
) -> (Vec<Item>, Vec<Receipt>) {
    let start = date("2025-01-01");
    let day = |n: i64| start + chrono::Duration::days(n);
    let pick = |x: u32| if x.is_multiple_of(3) { NONE } else { x };
    let items = items
        .iter()
        .enumerate()
        .map(|(k, &(on, terms, cents, source))| Item {
            order: if k.is_multiple_of(4) {
                NONE
            } else {
                k as u32 + 1
            },
            key: k as u64,
            date: day(on),
            due: day(on + terms),
            amount: Decimal::new(cents, 2),
            source_order: if cents < 0 { pick(source) } else { NONE },
        })
        .collect();
    let receipts = receipts
        .iter()
        .enumerate()
        .map(|(s, &(on, cents, order))| Receipt {
            seq: s as u64,
            date: day(on),
            amount: Decimal::new(cents, 2),
            order: pick(order),
        })
        .collect();
    (items, receipts)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// On random customers every identity holds, each receipt's money is all
    /// accounted for, and shuffling the items changes nothing.
    #[test]
    fn identities_hold_on_random_customers(
        items in prop::collection::vec(arb_item(), 0..40),
        receipts in prop::collection::vec(arb_receipt(), 0..30),
        window in 1u32..6,
        by_invoice in any::<bool>(),
    ) {
        let (items, receipts) = build(&items, &receipts);
        let as_of = date("2025-04-10");
        let t = Terms {
            as_of,
            window: Window::new(as_of, window),
            aging_days: vec![30, 60, 90, 180],
            basis: if by_invoice { AgingBasis::InvoiceDate } else { AgingBasis::DueDate },
        };
        let b = settle(items.clone(), receipts.clone(), &t).expect("settles");
        check(&b);
        for r in receipts.iter().filter(|r| r.date <= as_of && r.amount > Decimal::ZERO) {
            let applied: Decimal = b.settlements.iter().filter(|s| s.source == Source::Receipt(r.seq)).map(|s| s.amount).sum();
            let waiting: Decimal = b.unapplied.iter().filter(|u| u.source == Source::Receipt(r.seq)).map(|u| u.amount).sum();
            prop_assert_eq!(applied + waiting, r.amount);
        }
        for i in items.iter().filter(|i| i.date <= as_of && i.amount < Decimal::ZERO) {
            let applied: Decimal = b.settlements.iter().filter(|s| s.source == Source::CreditNote(i.key)).map(|s| s.amount).sum();
            let waiting: Decimal = b.unapplied.iter().filter(|u| u.source == Source::CreditNote(i.key)).map(|u| u.amount).sum();
            prop_assert_eq!(applied + waiting, -i.amount);
        }
        // Credit waits only when nothing is open.
        prop_assert!(b.unapplied.is_empty() || b.open_items.is_empty());
        let mut shuffled = items;
        shuffled.reverse();
        prop_assert_eq!(settle(shuffled, receipts, &t).expect("settles"), b);
    }
}
