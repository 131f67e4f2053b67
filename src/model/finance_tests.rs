//! Unit tests of [`super::run`] through [`crate::model::build`]: ledger and
//! receipts sheets read by the real sheet reader, the customer master given
//! as records; every expected figure is worked out by hand in the comments.

use std::borrow::Cow;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::*;
use crate::model::{build, Model, ModelInputs, ModelOptions, Period, Window};
use crate::read::intern::Interner;
use crate::read::master::{MasterRecord, Who};
use crate::read::receipts::ReceiptRows;
use crate::read::source::RowVisitor;
use crate::read::{Cell, HeaderMatcher, InputKind, LedgerRows, SheetReader, SheetTask, Style};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("test decimal")
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn t(s: &str) -> Cell<'static> {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(Cow::Owned(s.to_string()))
    }
}

const LEDGER: [&str; 7] = [
    "日期",
    "客户编码",
    "客户名称",
    "金额",
    "单号",
    "到期日",
    "原单号",
];
const RECEIPTS: [&str; 5] = ["回款日期", "客户编码", "客户名称", "回款金额", "单号"];

/// Reads rows of text (header first) through the real sheet reader.
fn read<K: crate::read::RowKind>(
    kind: InputKind,
    make: K,
    header: &[&str],
    rows: &[Vec<&str>],
) -> SheetRead<K> {
    let m = HeaderMatcher::new(kind, None);
    let task = SheetTask::new("t.xlsx", "s", Style::default());
    let mut r = SheetReader::new(&m, make, &task);
    let mut all = vec![header.iter().map(|h| t(h)).collect::<Vec<_>>()];
    all.extend(rows.iter().map(|row| row.iter().map(|c| t(c)).collect()));
    for (i, cells) in all.iter().enumerate() {
        if !r.row(i as u32 + 1, cells).expect("row") {
            break;
        }
    }
    r.finish().expect("sheet")
}

/// A run: ledger rows (date, id, name, amount, order, due, source order),
/// receipts rows (date, id, name, amount, order) or no receipts ledger,
/// master records, as of `as_of`.
struct Run<'a> {
    ledger: &'a [[&'a str; 7]],
    receipts: Option<&'a [[&'a str; 5]]>,
    master: Vec<MasterRecord>,
    as_of: &'a str,
    keep: bool,
    /// Build the orders' facts (off: as `reconcile` runs).
    order_facts: bool,
}

impl Run<'_> {
    fn model(&self) -> Model {
        let task = SheetTask::new("t.xlsx", "s", Style::default());
        let rows: Vec<Vec<&str>> = self.ledger.iter().map(|r| r.to_vec()).collect();
        let mut ledger = read(
            InputKind::Ledger,
            LedgerRows::new(&task).expect("ledger"),
            &LEDGER,
            &rows,
        );
        let mut strings = Interner::default();
        ledger.rows.strings.absorb(&mut strings);
        let receipts = self.receipts.map(|rs| {
            let rows: Vec<Vec<&str>> = rs.iter().map(|r| r.to_vec()).collect();
            let kind = ReceiptRows::new(&task).expect("receipts");
            let mut sheet = read(InputKind::Receipts, kind, &RECEIPTS, &rows);
            sheet.rows.strings.absorb(&mut strings);
            vec![sheet]
        });
        let as_of = day(self.as_of);
        let period = Period {
            as_of,
            window: Window::new(as_of, 12),
        };
        build(
            ModelInputs {
                sheets: vec![ledger],
                strings,
                master: &self.master,
                previous: &[],
                finance: Some(FinanceInputs {
                    receipts,
                    default_terms_days: 30,
                    aging_days: vec![30, 60, 90, 180],
                    basis: AgingBasis::DueDate,
                    keep_statements: self.keep,
                    order_facts: self.order_facts,
                }),
            },
            period,
            &ModelOptions::default(),
        )
        .expect("model builds")
    }
}

fn master(id: &str, terms: Option<i64>, limit: Option<&str>) -> MasterRecord {
    MasterRecord {
        who: Who {
            id: Some(id.to_string()),
            name: None,
        },
        terms_days: terms,
        credit_limit: limit.map(d),
        ..MasterRecord::default()
    }
}

fn cust<'m>(m: &'m Model, key: &str) -> (usize, &'m Metrics) {
    m.customers
        .iter()
        .enumerate()
        .find(|(_, c)| c.key == key)
        .unwrap_or_else(|| panic!("no customer {key}"))
}

fn finance(m: &Model) -> &Finance {
    m.finance.as_ref().expect("finance")
}

fn aging(v: &[&str]) -> Option<Vec<Decimal>> {
    Some(v.iter().map(|s| d(s)).collect())
}

#[test]
fn terms_from_each_of_the_three_sources() {
    // As of 2025-03-01, three invoices of 1,000 on 2025-01-10, nothing paid:
    // A: master terms 45 → due 02-24, 5 days past due (1–30);
    // B: no master terms → default 30 → due 02-09, 20 days past due;
    // C: due-date column 03-31 (beats its master's 45) → not yet due.
    let ledger = [
        ["2025-01-10", "A", "", "1000", "A1", "", ""],
        ["2025-01-10", "B", "", "1000", "B1", "", ""],
        ["2025-01-10", "C", "", "1000", "C1", "2025-03-31", ""],
    ];
    let m = Run {
        ledger: &ledger,
        receipts: Some(&[]),
        master: vec![master("A", Some(45), None), master("C", Some(45), None)],
        as_of: "2025-03-01",
        keep: false,
        order_facts: true,
    }
    .model();
    let a = cust(&m, "A").1;
    assert_eq!(a.max_days_overdue, Some(5));
    assert_eq!(a.aging, aging(&["0", "1000", "0", "0", "0", "0"]));
    let b = cust(&m, "B").1;
    assert_eq!(b.max_days_overdue, Some(20));
    assert_eq!(b.overdue, Some(d("1000")));
    let c = cust(&m, "C").1;
    assert_eq!(c.max_days_overdue, Some(0));
    assert_eq!(c.overdue, Some(d("0")));
    assert_eq!(c.aging, aging(&["1000", "0", "0", "0", "0", "0"]));
    assert_eq!(c.outstanding, Some(d("1000")));
}

#[test]
fn orders_of_one_date_are_taken_in_the_order_of_their_numbers() {
    // Two invoices on one date and due date; XS-10 is read first, but
    // XS-09 comes first by its text: a receipt of 150 without an order
    // settles XS-09 (100) then 50 of XS-10.
    let ledger = [
        ["2025-02-01", "A", "", "100", "XS-10", "", ""],
        ["2025-02-01", "A", "", "100", "XS-09", "", ""],
    ];
    let m = Run {
        ledger: &ledger,
        receipts: Some(&[["2025-02-05", "A", "", "150", ""]]),
        master: Vec::new(),
        as_of: "2025-03-31",
        keep: true,
        order_facts: true,
    }
    .model();
    let f = finance(&m);
    let open = &f.accounts[0].open_items;
    assert_eq!(open.len(), 1);
    assert_eq!(f.text(open[0].order), "XS-10");
    assert_eq!((open[0].settled, open[0].remaining), (d("50"), d("50")));
}

#[test]
fn receipts_control_total_with_unmatched_and_after_as_of() {
    // A: invoice 100 on 01-05; receipts 60 (01-20) and 70 (02-10): 30 waits
    // as unapplied credit; 40 on 03-05 is after as_of (03-01) and moves
    // nothing. Z has no ledger line: its 500 is unmatched. Y's only line is
    // after as_of: its 20 is unmatched too.
    // accepted 60 + 70 + 500 + 40 + 20 = 690 = received 650 + after as_of 40;
    // received 650 = applied 100 + unapplied 30 + unmatched 520.
    let ledger = [
        ["2025-01-05", "A", "", "100", "A1", "", ""],
        ["2025-03-02", "Y", "", "80", "Y1", "", ""],
    ];
    let receipts = [
        ["2025-01-20", "A", "", "60", ""],
        ["2025-01-15", "Z", "众鑫商行", "500", ""],
        ["2025-02-10", "A", "", "70", "A1"],
        ["2025-03-05", "A", "", "40", ""],
        ["2025-02-11", "Y", "", "20", ""],
    ];
    let m = Run {
        ledger: &ledger,
        receipts: Some(&receipts),
        master: Vec::new(),
        as_of: "2025-03-01",
        keep: true,
        order_facts: true,
    }
    .model();
    let f = finance(&m);
    let t = &f.totals;
    assert_eq!((t.rows_read, t.accepted), (5, 5));
    assert_eq!(t.accepted_amount, d("690"));
    assert_eq!(t.received, d("650"));
    assert_eq!(t.after_as_of, d("40"));
    assert_eq!(t.applied, d("100"));
    assert_eq!(t.unapplied, d("30"));
    assert_eq!(t.unmatched, d("520"));
    // Rows 3 and 6 of the sheet (header on row 1).
    let un: Vec<(u32, &str, Decimal)> = f
        .unmatched
        .iter()
        .map(|u| (u.row, u.customer.as_str(), u.amount))
        .collect();
    assert_eq!(un, vec![(3, "Z", d("500")), (6, "Y", d("20"))]);
    let (i, a) = cust(&m, "A");
    // receipts in the window 130; collection 130 / 100.
    assert_eq!(a.receipts, Some(d("130")));
    assert_eq!(a.collection_rate, Some(d("1.3")));
    assert_eq!(a.outstanding, Some(d("0")));
    let acc = &f.accounts[i];
    assert_eq!(acc.unapplied, d("30"));
    // closing = opening + invoiced − received = 0 + 100 − 130 = −30
    // = outstanding 0 − unapplied 30.
    assert_eq!(acc.closing, d("-30"));
    assert!(acc.open_items.is_empty());
    let balances: Vec<Decimal> = acc.lines.iter().map(|l| l.balance).collect();
    assert_eq!(balances, vec![d("100"), d("40"), d("-30")]);
}

#[test]
fn credit_usage_counts_what_is_not_yet_due_and_needs_a_limit() {
    // L (limit 1,000, terms 30): 800 on 02-20 (due 03-22, not yet due on
    // 03-01) and 400 on 01-10 (overdue): outstanding 1,200 → usage 1.2.
    // N has no limit: usage none, never 0.
    let ledger = [
        ["2025-02-20", "L", "", "800", "L1", "", ""],
        ["2025-01-10", "L", "", "400", "L2", "", ""],
        ["2025-01-10", "N", "", "400", "N1", "", ""],
    ];
    let m = Run {
        ledger: &ledger,
        receipts: Some(&[]),
        master: vec![master("L", None, Some("1000")), master("N", None, None)],
        as_of: "2025-03-01",
        keep: false,
        order_facts: true,
    }
    .model();
    let l = cust(&m, "L").1;
    assert_eq!(l.outstanding, Some(d("1200")));
    assert_eq!(l.overdue, Some(d("400")));
    assert_eq!(l.credit_usage, Some(d("1.2")));
    assert_eq!(cust(&m, "N").1.credit_usage, None);
}

#[test]
fn without_receipts_no_receivable_figure_but_orders_for_upgrades() {
    let ledger = [["2025-01-10", "A", "", "1000", "A1", "", ""]];
    let m = Run {
        ledger: &ledger,
        receipts: None,
        master: Vec::new(),
        as_of: "2025-03-01",
        keep: false,
        order_facts: true,
    }
    .model();
    let f = finance(&m);
    assert!(!f.has_receipts);
    assert!(f.accounts.is_empty());
    let a = cust(&m, "A").1;
    assert_eq!(
        (a.receipts, a.outstanding, a.aging.clone()),
        (None, None, None)
    );
}

#[test]
fn a_credit_note_shows_its_source_order_on_the_statement() {
    // Invoice X1 300 on 01-10; credit note T1 −100 on 01-20 against X1;
    // receipt 200 on 02-01. X1 is settled by the note and the receipt.
    let ledger = [
        ["2025-01-10", "A", "", "300", "X1", "", ""],
        ["2025-01-20", "A", "", "-100", "T1", "", "X1"],
    ];
    let m = Run {
        ledger: &ledger,
        receipts: Some(&[["2025-02-01", "A", "", "200", ""]]),
        master: Vec::new(),
        as_of: "2025-03-01",
        keep: true,
        order_facts: true,
    }
    .model();
    let f = finance(&m);
    let acc = &f.accounts[0];
    let lines: Vec<(LineKind, &str, &str, Decimal, Decimal)> = acc
        .lines
        .iter()
        .map(|l| {
            (
                l.kind,
                f.text(l.order),
                f.text(l.source_order),
                l.amount,
                l.balance,
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            (LineKind::Invoice, "X1", "", d("300"), d("300")),
            (LineKind::CreditNote, "T1", "X1", d("-100"), d("200")),
            (LineKind::Receipt, "", "", d("200"), d("0")),
        ]
    );
    // Paid in full by 02-01, due 02-09: on time, by a receipt.
    assert_eq!(acc.credit_notes, d("-100"));
    assert_eq!(cust(&m, "A").1.on_time_ratio, Some(d("1")));
}

/// Two window orders with list prices and their receipts; the orders'
/// facts built or not.
fn priced_orders(order_facts: bool) -> Model {
    let task = SheetTask::new("t.xlsx", "s", Style::default());
    let header = ["日期", "客户编码", "金额", "数量", "标准价", "单号"];
    let rows: Vec<Vec<&str>> = vec![
        vec!["2025-01-10", "A", "110", "1", "100", "P1"],
        vec!["2025-01-15", "A", "100", "1", "100", "P2"],
    ];
    let mut ledger = read(
        InputKind::Ledger,
        LedgerRows::new(&task).expect("ledger"),
        &header,
        &rows,
    );
    let mut strings = Interner::default();
    ledger.rows.strings.absorb(&mut strings);
    let rrows: Vec<Vec<&str>> = vec![
        vec!["2025-02-01", "A", "", "110", "P1"],
        vec!["2025-03-01", "A", "", "100", "P2"],
    ];
    let mut receipts = read(
        InputKind::Receipts,
        ReceiptRows::new(&task).expect("r"),
        &RECEIPTS,
        &rrows,
    );
    receipts.rows.strings.absorb(&mut strings);
    let as_of = day("2025-03-31");
    build(
        ModelInputs {
            sheets: vec![ledger],
            strings,
            master: &[],
            previous: &[],
            finance: Some(FinanceInputs {
                receipts: Some(vec![receipts]),
                default_terms_days: 30,
                aging_days: vec![30, 60, 90, 180],
                basis: AgingBasis::DueDate,
                keep_statements: true,
                order_facts,
            }),
        },
        Period {
            as_of,
            window: Window::new(as_of, 12),
        },
        &ModelOptions::default(),
    )
    .expect("model")
}

#[test]
fn order_lines_know_payment_on_time() {
    // Two window orders with list prices (price index 1.1 and 1.0): P1 paid
    // on time (due 02-09, paid 02-01), P2 paid late (due 02-14, paid 03-01).
    let m = priced_orders(true);
    let f = finance(&m);
    let o: Vec<(&str, Decimal, bool, Option<NaiveDate>)> = f
        .orders
        .iter()
        .map(|o| (f.text(o.order), o.price_index, o.paid_on_time, o.paid_on))
        .collect();
    assert_eq!(
        o,
        vec![
            ("P1", d("1.1"), true, Some(day("2025-02-01"))),
            ("P2", d("1"), false, Some(day("2025-03-01"))),
        ]
    );
}

#[test]
fn many_receipts_are_matched_range_by_range() {
    // 300 customers with one invoice of 1,000 each; 70,000 receipts of 1,
    // receipt r from customer r mod 300: customers 0–99 pay 234, the rest
    // 233 (70,000 = 300 × 233 + 100). More receipts than one range holds.
    let ids: Vec<String> = (0..300).map(|i| format!("K{i:03}")).collect();
    let ledger: Vec<[&str; 7]> = ids
        .iter()
        .map(|id| ["2025-01-01", id.as_str(), "", "1000", "", "", ""])
        .collect();
    let receipts: Vec<[&str; 5]> = (0..70_000)
        .map(|r| ["2025-01-02", ids[r % 300].as_str(), "", "1", ""])
        .collect();
    let m = Run {
        ledger: &ledger,
        receipts: Some(&receipts),
        master: Vec::new(),
        as_of: "2025-01-31",
        keep: false,
        order_facts: true,
    }
    .model();
    for (i, id) in ids.iter().enumerate() {
        let paid = if i < 100 { 234 } else { 233 };
        let (ci, c) = cust(&m, id);
        assert_eq!(c.outstanding, Some(Decimal::from(1000 - paid)), "{id}");
        assert_eq!(c.receipts, Some(Decimal::from(paid)), "{id}");
        // Customers of a range are matched on two threads: each account is
        // still its own customer's.
        let a = &finance(&m).accounts[ci];
        assert_eq!(
            (a.received, a.closing),
            (Decimal::from(paid), Decimal::from(1000 - paid)),
            "{id}"
        );
    }
    let t = &finance(&m).totals;
    assert_eq!((t.received, t.applied), (d("70000"), d("70000")));
}

#[test]
fn ranges_hold_about_as_many_orders_each() {
    // 6 customers with 10, 0, 5, 5, 10, 0 orders and 3 ranges wanted
    // (120,000 receipts): 30 orders, a new range once 10 and 20 are passed.
    let by: Vec<Vec<u32>> = [10, 0, 5, 5, 10, 0]
        .iter()
        .map(|&n| (0..n).collect())
        .collect();
    let b = Buckets::with_receipts(&by, 3 * BUCKET_RECEIPTS - 1);
    assert_eq!(b.bounds, vec![0, 1, 4, 6]);
    assert_eq!(b.of, vec![0, 1, 1, 1, 2, 2]);
}

#[test]
fn without_order_facts_the_accounts_are_the_same_and_no_order_is_listed() {
    // As `reconcile` runs: the same matching, no order facts.
    let (with, without) = (priced_orders(true), priced_orders(false));
    let (fw, fo) = (finance(&with), finance(&without));
    assert_eq!(fw.orders.len(), 2);
    assert!(fo.orders.is_empty());
    assert_eq!(fw.accounts, fo.accounts);
    assert_eq!(fw.totals, fo.totals);
    assert_eq!(fw.unmatched, fo.unmatched);
    assert_eq!(with.customers, without.customers);
    // Both paid: nothing open, 210 received in the window.
    assert!(fo.accounts[0].open_items.is_empty());
    assert_eq!(fo.accounts[0].received, d("210"));
}

#[test]
fn order_numbers_rank_by_their_text_not_by_when_they_were_seen() {
    // Seen in the order XS-9, XS-10, A-1 (run numbers 0, 1, 2); XS-9 twice
    // (two orders of one number) and a line without a number. By text:
    // "A-1" < "XS-10" < "XS-9" (byte by byte: '1' comes before '9').
    let mut strings = Interner::default();
    let ids: Vec<u32> = ["XS-9", "XS-10", "A-1"]
        .iter()
        .map(|s| strings.intern(s))
        .collect();
    assert_eq!(ids, vec![0, 1, 2]);
    let order = |o: u32| OrderAcc {
        customer: 0,
        order: o,
        date: day("2025-03-01"),
        due: None,
        amount: d("1"),
        source_order: NONE,
        pi_amount: Decimal::ZERO,
        pi_list: Decimal::ZERO,
        pi_lines: 0,
    };
    let orders = vec![order(0), order(1), order(NONE), order(2), order(0)];
    let ranks = Ranks::new(&[0, 1, 2, 3, 4], &orders, &strings);
    assert_eq!(ranks.texts, vec![2, 1, 0]);
    assert_eq!((ranks.rank(2), ranks.rank(1), ranks.rank(0)), (0, 1, 2));
    assert_eq!(ranks.rank(NONE), NONE);
    assert_eq!(ranks.text(1), 1);
}
