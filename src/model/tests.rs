//! Unit tests of [`super::ledger::build`]: windows, new clients, price index,
//! identity and control totals. Sheets come from the real
//! [`LedgerSheetReader`] fed rows of cells; every expected figure is worked
//! out by hand in the comments.

use std::borrow::Cow;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{check_totals, LedgerTotals, Metrics, Model, ModelError, ModelInputs, Period, Window};
use crate::read::intern::Interner;
use crate::read::master::{MasterRecord, Who};
use crate::read::previous::PreviousRecord;
use crate::read::source::RowVisitor;
use crate::read::{
    Cell, HeaderMatcher, InputKind, IssueKind, LatestDates, LedgerRows, LedgerSheet, Problem,
    SheetReader, SheetTask, Style,
};

/// The model's options as these tests give them: the period's as-of date
/// (none: the latest date) and window next to the rules' new-client settings.
#[derive(Debug, Clone, Copy)]
struct ModelOptions {
    as_of: Option<NaiveDate>,
    window_months: u32,
    new_client_months: u32,
    annualize: bool,
    price_facts: bool,
}

impl Default for ModelOptions {
    fn default() -> Self {
        ModelOptions {
            as_of: None,
            window_months: 12,
            new_client_months: 6,
            annualize: true,
            price_facts: true,
        }
    }
}

/// Resolves the period as the pipeline does, then builds the model.
fn build(
    sheets: Vec<LedgerSheet>,
    strings: Interner,
    master: &[MasterRecord],
    previous: &[PreviousRecord],
    o: &ModelOptions,
) -> Result<Model, ModelError> {
    let mut latest = LatestDates::default();
    for s in &sheets {
        latest.merge(&s.rows.dates);
    }
    let period = Period::resolve(o.as_of, &latest, o.window_months)?;
    super::build(
        ModelInputs {
            sheets,
            strings,
            master,
            previous,
            finance: None,
        },
        period,
        &super::ModelOptions {
            new_client_months: o.new_client_months,
            annualize: o.annualize,
            price_facts: o.price_facts,
            ..Default::default()
        },
    )
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("test decimal")
}

fn day(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).expect("test date")
}

fn t(s: &'static str) -> Cell<'static> {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(Cow::Borrowed(s))
    }
}

/// The full ledger header used by most tests.
const HEADER: [&str; 11] = [
    "日期",
    "客户编码",
    "客户名称",
    "金额",
    "数量",
    "单价",
    "标准价",
    "产品编码",
    "单号",
    "区域",
    "业务员",
];

/// One ledger line in the columns of [`HEADER`], every cell as text
/// ("" = empty cell).
#[derive(Debug, Clone, Copy, Default)]
struct L {
    date: &'static str,
    id: &'static str,
    name: &'static str,
    amount: &'static str,
    qty: &'static str,
    price: &'static str,
    list: &'static str,
    product: &'static str,
    order: &'static str,
    region: &'static str,
    rep: &'static str,
}

impl L {
    fn cells(&self) -> Vec<Cell<'static>> {
        vec![
            t(self.date),
            t(self.id),
            t(self.name),
            t(self.amount),
            t(self.qty),
            t(self.price),
            t(self.list),
            t(self.product),
            t(self.order),
            t(self.region),
            t(self.rep),
        ]
    }
}

/// Line on `date` for customer ID `id` of `amount`.
fn l(date: &'static str, id: &'static str, amount: &'static str) -> L {
    L {
        date,
        id,
        amount,
        ..L::default()
    }
}

/// Reads rows (the first being the header) through the real sheet reader.
fn sheet_of(name: &str, rows: Vec<Vec<Cell<'static>>>) -> LedgerSheet {
    let m = HeaderMatcher::new(InputKind::Ledger, None);
    let task = SheetTask::new("t.xlsx", name, Style::default());
    let kind = LedgerRows::new(&task).expect("reader");
    let mut r = SheetReader::new(&m, kind, &task);
    for (i, cells) in rows.iter().enumerate() {
        if !r.row(i as u32 + 1, cells).expect("row") {
            break;
        }
    }
    r.finish().expect("sheet finishes")
}

fn sheet(lines: &[L]) -> LedgerSheet {
    let mut rows = vec![HEADER.iter().map(|h| t(h)).collect::<Vec<_>>()];
    rows.extend(lines.iter().map(L::cells));
    sheet_of("1月", rows)
}

fn opts(as_of: NaiveDate) -> ModelOptions {
    ModelOptions {
        as_of: Some(as_of),
        ..ModelOptions::default()
    }
}

fn model(lines: &[L], as_of: NaiveDate) -> Model {
    build(
        vec![sheet(lines)],
        Interner::default(),
        &[],
        &[],
        &opts(as_of),
    )
    .expect("model builds")
}

fn cust<'m>(m: &'m Model, key: &str) -> &'m Metrics {
    m.customers
        .iter()
        .find(|c| c.key == key)
        .unwrap_or_else(|| panic!("no customer {key} in {:?}", keys(m)))
}

fn keys(m: &Model) -> Vec<&str> {
    m.customers.iter().map(|c| c.key.as_str()).collect()
}

// ---------------------------------------------------------------------------
// Windows (SPEC 4, 9 "Months")

#[test]
fn window_is_as_of_minus_months_exclusive_to_as_of_inclusive() {
    let w = Window::new(day(2025, 6, 30), 12);
    assert_eq!(w.start, day(2024, 7, 1));
    assert_eq!(w.end, day(2025, 6, 30));
    assert_eq!(w.prior_end, day(2024, 6, 30));
    assert_eq!(w.prior_start, day(2023, 7, 1));
    assert_eq!(w.months, 12);
    // 2024-07-01 … 2025-06-30: 365 days (no 29 February inside).
    assert_eq!(w.days(), 365);
}

#[test]
fn lines_on_the_window_edges_fall_on_the_right_side() {
    // as_of 2025-06-30: window (2024-06-30, 2025-06-30], prior (2023-06-30, 2024-06-30].
    let m = model(
        &[
            l("2023-06-30", "C1", "1000"),  // before the prior window: neither
            l("2023-07-01", "C1", "10000"), // first day of the prior window
            l("2024-06-30", "C1", "1"),     // = as_of − 12 months: prior
            l("2024-07-01", "C1", "10"),    // the day after: window
            l("2025-06-30", "C1", "100"),   // as_of itself: window
        ],
        day(2025, 6, 30),
    );
    let c = cust(&m, "C1");
    assert_eq!(c.sales, d("110"));
    assert_eq!(c.prior_sales, d("10001"));
    // growth = 110 / 10001 − 1
    assert_eq!(c.growth, Some(d("110") / d("10001") - Decimal::ONE));
    assert_eq!(m.totals.in_window, d("110"));
    assert_eq!(m.totals.before_window, d("11001"));
    assert_eq!(m.totals.after_as_of, Decimal::ZERO);
    assert_eq!(c.first_date, Some(day(2023, 6, 30)));
}

#[test]
fn window_edges_clamp_like_edate_in_leap_years() {
    // as_of 2025-02-28: EDATE(−12) = 2024-02-28, so 2024-02-29 is in the window.
    let w = Window::new(day(2025, 2, 28), 12);
    assert_eq!(w.start, day(2024, 2, 29));
    assert_eq!(w.prior_end, day(2024, 2, 28));
    // EDATE(−24) = 2023-02-28.
    assert_eq!(w.prior_start, day(2023, 3, 1));
    let m = model(
        &[
            l("2024-02-28", "C1", "1"),
            l("2024-02-29", "C1", "10"),
            l("2023-02-28", "C1", "100"), // not in the prior window
            l("2023-03-01", "C1", "1000"),
        ],
        day(2025, 2, 28),
    );
    let c = cust(&m, "C1");
    assert_eq!(c.sales, d("10"));
    assert_eq!(c.prior_sales, d("1001"));

    // as_of 2024-02-29: EDATE(−12) = 2023-02-28, EDATE(−24) = 2022-02-28.
    let w = Window::new(day(2024, 2, 29), 12);
    assert_eq!(w.start, day(2023, 3, 1));
    assert_eq!(w.prior_end, day(2023, 2, 28));
    assert_eq!(w.prior_start, day(2022, 3, 1));
    let m = model(
        &[
            l("2023-02-28", "C1", "1"),
            l("2023-03-01", "C1", "10"),
            l("2024-02-29", "C1", "100"),
            l("2022-02-28", "C1", "1000"), // before the prior window
            l("2022-03-01", "C1", "10000"),
        ],
        day(2024, 2, 29),
    );
    let c = cust(&m, "C1");
    assert_eq!(c.sales, d("110"));
    assert_eq!(c.prior_sales, d("10001"));

    // A six-month window ending on 31 August starts on 1 March.
    let w = Window::new(day(2025, 8, 31), 6);
    assert_eq!(w.start, day(2025, 3, 1));
    assert_eq!(w.prior_end, day(2025, 2, 28));
    assert_eq!(w.prior_start, day(2024, 9, 1));
}

#[test]
fn as_of_defaults_to_the_latest_date() {
    let lines = [l("2025-03-15", "C1", "5"), l("2025-04-09", "C1", "7")];
    let m = build(
        vec![sheet(&lines)],
        Interner::default(),
        &[],
        &[],
        &ModelOptions::default(),
    )
    .expect("model");
    assert_eq!(m.period.as_of, day(2025, 4, 9));
    assert_eq!(m.period.window.start, day(2024, 4, 10));
    assert_eq!(cust(&m, "C1").sales, d("12"));
}

#[test]
fn dates_after_as_of_are_counted_and_warned() {
    let m = model(
        &[
            l("2025-06-30", "C1", "100"),
            l("2025-07-01", "C1", "5"),
            l("2025-08-15", "C2", "7.5"),
        ],
        day(2025, 6, 30),
    );
    assert_eq!(m.totals.after_as_of, d("12.5"));
    assert_eq!(m.totals.in_window, d("100"));
    assert_eq!(m.totals.accepted_amount, d("112.5"));
    assert_eq!(cust(&m, "C1").sales, d("100"));
    let warn: Vec<_> = m
        .issues
        .iter()
        .filter(|i| matches!(i.problem, Problem::AfterAsOf { .. }))
        .collect();
    assert_eq!(warn.len(), 1, "{:?}", m.issues);
    assert_eq!(warn[0].kind, IssueKind::Warning);
    assert_eq!(
        warn[0].problem,
        Problem::AfterAsOf {
            count: 2,
            as_of: day(2025, 6, 30)
        }
    );
    // Header is row 1, so the first late line is Excel row 3.
    assert_eq!(warn[0].row, Some(3));
}

#[test]
fn a_customer_seen_only_after_as_of_is_not_in_the_population() {
    // SPEC 4: "The population is every customer seen in any input on or
    // before as_of". C2's only line is dated after as_of.
    let m = model(
        &[l("2025-06-30", "C1", "100"), l("2025-08-15", "C2", "7.5")],
        day(2025, 6, 30),
    );
    assert_eq!(keys(&m), vec!["C1"]);
}

// ---------------------------------------------------------------------------
// New clients (SPEC 4, 9)

#[test]
fn months_active_counts_calendar_months_inclusive() {
    // as_of 2025-12-15: (2025·12+12) − (first.year·12 + first.month) + 1
    let m = model(
        &[
            l("2025-12-01", "SAME", "1"),  // 1
            l("2025-01-31", "JAN", "1"),   // 12
            l("2024-12-31", "DEC24", "1"), // 13
            l("2023-07-04", "OLD", "1"),   // 30
        ],
        day(2025, 12, 15),
    );
    assert_eq!(cust(&m, "SAME").months_active, Some(1));
    assert_eq!(cust(&m, "JAN").months_active, Some(12));
    assert_eq!(cust(&m, "DEC24").months_active, Some(13));
    assert_eq!(cust(&m, "OLD").months_active, Some(30));
}

#[test]
fn six_month_boundary_of_new_clients() {
    // as_of 2025-12-15. First 2025-06-15: + 6 months = 2025-12-15, not > as_of.
    // First 2025-06-16: + 6 months = 2025-12-16 > as_of: provisional.
    let m = model(
        &[
            l("2025-06-15", "EXACT", "600"),
            l("2025-06-16", "LATER", "700"),
        ],
        day(2025, 12, 15),
    );
    let exact = cust(&m, "EXACT");
    assert!(!exact.provisional);
    assert_eq!(exact.formal_evaluation_date, None);
    assert_eq!(exact.basis_sales, d("600"));
    let later = cust(&m, "LATER");
    assert!(later.provisional);
    assert_eq!(later.formal_evaluation_date, Some(day(2025, 12, 16)));
    // months_active = 12 − 6 + 1 = 7; basis = 700 × 12 / 7 = 1200.
    assert_eq!(later.months_active, Some(7));
    assert_eq!(later.basis_sales, d("1200"));
}

#[test]
fn first_seen_on_may_31_is_not_provisional_on_november_30() {
    // 2025-05-31 + 6 months = 2025-11-30 (EDATE clamps), not > 2025-11-30.
    let m = model(
        &[
            l("2025-05-31", "MAY31", "100"),
            l("2025-06-01", "JUN01", "60"),
        ],
        day(2025, 11, 30),
    );
    let may = cust(&m, "MAY31");
    assert!(!may.provisional);
    assert_eq!(may.formal_evaluation_date, None);
    assert_eq!(may.months_active, Some(7));
    // 2025-06-01 + 6 = 2025-12-01 > as_of; months_active = 11 − 6 + 1 = 6;
    // basis = 60 × 12 / 6 = 120.
    let jun = cust(&m, "JUN01");
    assert!(jun.provisional);
    assert_eq!(jun.formal_evaluation_date, Some(day(2025, 12, 1)));
    assert_eq!(jun.basis_sales, d("120"));
}

#[test]
fn annualization_divides_by_at_most_the_window_months() {
    // new_clients.months = 18 > window 12: a provisional customer may have
    // more than 12 active months, and the divisor is capped at 12.
    let lines = [
        l("2024-12-01", "M13", "1"), // first line, before the window (2024-12-16 on)
        l("2025-06-01", "M13", "500"), // months_active 13: 500 × 12 / 12
        l("2025-03-01", "M10", "500"), // months_active 10: 500 × 12 / 10 = 600
    ];
    let o = ModelOptions {
        as_of: Some(day(2025, 12, 15)),
        window_months: 12,
        new_client_months: 18,
        annualize: true,
        price_facts: true,
    };
    let m = build(vec![sheet(&lines)], Interner::default(), &[], &[], &o).expect("model");
    let a = cust(&m, "M13");
    assert!(a.provisional);
    assert_eq!(a.months_active, Some(13));
    assert_eq!(a.formal_evaluation_date, Some(day(2026, 6, 1)));
    assert_eq!(a.basis_sales, d("500"));
    let b = cust(&m, "M10");
    assert_eq!(b.basis_sales, d("600"));

    // annualize = false: basis is the plain sales.
    let o = ModelOptions {
        annualize: false,
        ..o
    };
    let m = build(vec![sheet(&lines)], Interner::default(), &[], &[], &o).expect("model");
    assert!(cust(&m, "M10").provisional);
    assert_eq!(cust(&m, "M10").basis_sales, d("500"));
}

#[test]
fn master_first_date_wins_over_the_ledger() {
    // The ledger's first line is recent, but the master says 2020: not provisional.
    let master = vec![MasterRecord {
        who: Who {
            id: Some("C1".into()),
            name: Some("甲公司".into()),
        },
        first_date: Some(day(2020, 1, 15)),
        region: Some("华东".into()),
        ..MasterRecord::default()
    }];
    let lines = [L {
        region: "华南",
        ..l("2025-11-01", "C1", "100")
    }];
    let m = build(
        vec![sheet(&lines)],
        Interner::default(),
        &master,
        &[],
        &opts(day(2025, 12, 31)),
    )
    .expect("model");
    let c = cust(&m, "C1");
    assert_eq!(c.first_date, Some(day(2020, 1, 15)));
    assert!(!c.provisional);
    // (2025·12+12) − (2020·12+1) + 1 = 72
    assert_eq!(c.months_active, Some(72));
    // SPEC 9: region from the master, else the ledger.
    assert_eq!(c.region.as_deref(), Some("华东"));
}

// ---------------------------------------------------------------------------
// Price index (SPEC 4, 9)

/// The lines of the price-index test below: list prices, a product's
/// mean, a return, a zero quantity, lines with neither.
fn price_lines() -> Vec<L> {
    vec![
        L {
            qty: "10",
            price: "11",
            list: "10",
            ..l("2025-03-01", "A", "110")
        },
        L {
            qty: "5",
            price: "12",
            product: "P",
            ..l("2025-03-02", "A", "60")
        },
        L {
            qty: "2",
            price: "25",
            ..l("2025-03-03", "A", "50")
        },
        L {
            qty: "-1",
            price: "12",
            product: "P",
            ..l("2025-03-04", "A", "-12")
        },
        // a5: quantity 0: out of both sums and out of P's mean.
        L {
            qty: "0",
            price: "12",
            product: "P",
            ..l("2025-03-04", "A", "5")
        },
        L {
            qty: "15",
            price: "8",
            product: "P",
            ..l("2025-03-05", "B", "100")
        },
        L {
            qty: "4",
            price: "27.5",
            list: "25",
            ..l("2025-03-06", "D", "110")
        },
        L {
            qty: "3",
            price: "10",
            ..l("2025-03-07", "N", "30")
        },
        L {
            qty: "-2",
            price: "10",
            product: "P",
            ..l("2025-03-08", "R", "-20")
        },
    ]
}

#[test]
fn price_index_with_list_prices_product_means_and_exclusions() {
    // Product P's mean unit price over the window lines with quantity > 0:
    //   A: 5 × 12 (unit-price cell) = 60;  B: 15 × 8 (cell, though amount is 100) = 120
    //   → 180 / 20 = 9.  (A's return line, quantity −1, is not in the mean.)
    // A: counted lines a1 (list price) and a2 (product P):
    //   Σ amount 110 + 60 = 170, Σ reference 10 × 10 + 5 × 9 = 145 → 170 / 145.
    //   a3 has neither list price nor product: out of both sums.
    //   a4 has quantity −1, a5 quantity 0: out of both sums.
    // B: 100 / (15 × 9) = 100 / 135.
    // D: list prices only: 110 / (4 × 25) = 1.1.
    // N: one line with neither list price nor product: none.
    // R: only a return line: none.
    let m = model(&price_lines(), day(2025, 12, 31));
    assert_eq!(
        cust(&m, "A").price_index,
        Some(d("170") / d("145")),
        "A: 170 / 145"
    );
    assert_eq!(cust(&m, "B").price_index, Some(d("100") / d("135")));
    assert_eq!(cust(&m, "D").price_index, Some(d("1.1")));
    assert_eq!(cust(&m, "N").price_index, None);
    assert_eq!(cust(&m, "R").price_index, None);
    // quantity counts every window line, returns included: 10 + 5 + 2 − 1
    assert_eq!(cust(&m, "A").quantity, d("16"));
    assert_eq!(cust(&m, "R").quantity, d("-2"));
    // B's amount ≠ 15 × 8 = 120 is a warning on the sheet, row 6.
    let s = sheet(&[L {
        qty: "15",
        price: "8",
        product: "P",
        ..l("2025-03-05", "B", "100")
    }]);
    assert!(s.issues.iter().any(
        |i| i.kind == IssueKind::Warning && matches!(i.problem, Problem::AmountMismatch { .. })
    ));
}

#[test]
fn without_price_facts_only_quantity_and_price_index_stay_empty() {
    // The reconciliation builds no price facts: the same customers with the
    // same sales, orders and dates, their quantity 0 and price index none.
    let lines = price_lines();
    let with = model(&lines, day(2025, 12, 31));
    let o = ModelOptions {
        price_facts: false,
        ..opts(day(2025, 12, 31))
    };
    let without =
        build(vec![sheet(&lines)], Interner::default(), &[], &[], &o).expect("model builds");
    assert_eq!(keys(&with), keys(&without));
    assert!(with.customers.iter().any(|c| c.price_index.is_some()));
    for (w, n) in with.customers.iter().zip(&without.customers) {
        assert_eq!(n.quantity, Decimal::ZERO, "{}", n.key);
        assert_eq!(n.price_index, None, "{}", n.key);
        let mut w = w.clone();
        w.quantity = Decimal::ZERO;
        w.price_index = None;
        assert_eq!(&w, n, "{}: only quantity and price index differ", n.key);
    }
    assert_eq!(with.totals, without.totals);
}

#[test]
fn price_index_without_a_unit_price_column_uses_amount_over_quantity() {
    // Product R: E 10 for 100, F 10 for 300, G 20 for 200 → mean 600 / 40 = 15.
    // E: 100 / (10 × 15) = 2/3; F: 300 / 150 = 2; G: 200 / 300 = 2/3.
    // A line outside the window (2024) does not enter the mean.
    let header = ["日期", "客户编码", "金额", "数量", "产品编码"];
    let row = |date: &'static str, id: &'static str, amount: &'static str, q: &'static str| {
        vec![t(date), t(id), t(amount), t(q), t("R")]
    };
    let rows = vec![
        header.iter().map(|h| t(h)).collect(),
        row("2025-05-01", "E", "100", "10"),
        row("2025-05-02", "F", "300", "10"),
        row("2025-05-03", "G", "200", "20"),
        row("2024-01-03", "G", "9999", "1"),
    ];
    let m = build(
        vec![sheet_of("s", rows)],
        Interner::default(),
        &[],
        &[],
        &opts(day(2025, 12, 31)),
    )
    .expect("model");
    assert_eq!(cust(&m, "E").price_index, Some(d("100") / d("150")));
    assert_eq!(cust(&m, "F").price_index, Some(d("2")));
    assert_eq!(cust(&m, "G").price_index, Some(d("200") / d("300")));
}

#[test]
fn price_index_mixes_list_prices_and_product_means_per_line() {
    // Product Q, no list price: H 4 @ 50 = 200, I 6 @ 25 = 150 → mean 350 / 10 = 35.
    // H also buys with a list price: 2 × 100 list, amount 180.
    // H: (200 + 180) / (4 × 35 + 2 × 100) = 380 / 340.
    // I: 150 / (6 × 35) = 150 / 210.
    let m = model(
        &[
            L {
                qty: "4",
                price: "50",
                product: "Q",
                ..l("2025-07-01", "H", "200")
            },
            L {
                qty: "2",
                price: "90",
                list: "100",
                ..l("2025-07-02", "H", "180")
            },
            L {
                qty: "6",
                price: "25",
                product: "Q",
                ..l("2025-07-03", "I", "150")
            },
        ],
        day(2025, 12, 31),
    );
    assert_eq!(cust(&m, "H").price_index, Some(d("380") / d("340")));
    assert_eq!(cust(&m, "I").price_index, Some(d("150") / d("210")));
}

// ---------------------------------------------------------------------------
// Identity (SPEC 3.3, 9)

#[test]
fn numeric_id_cells_are_their_digits() {
    let rows = vec![
        ["日期", "客户编码", "金额"].iter().map(|h| t(h)).collect(),
        vec![t("2025-03-01"), Cell::Int(10023), t("100")],
        vec![t("2025-03-02"), Cell::Number(10023.0), t("20")],
        vec![t("2025-03-03"), t(" 10023 "), t("3")],
    ];
    let m = build(
        vec![sheet_of("s", rows)],
        Interner::default(),
        &[],
        &[],
        &opts(day(2025, 12, 31)),
    )
    .expect("model");
    assert_eq!(keys(&m), vec!["10023"]);
    let c = cust(&m, "10023");
    assert_eq!(c.id.as_deref(), Some("10023"));
    assert_eq!(c.sales, d("123"));
}

#[test]
fn a_row_without_id_joins_the_one_id_customer_of_its_name() {
    let m = model(
        &[
            L {
                name: "华东机械",
                ..l("2025-03-01", "10023", "100")
            },
            // No ID; the name normalises (trim, full-width, spaces) to 华东机械.
            L {
                name: "  华东机械\u{3000}",
                ..l("2025-03-02", "", "50")
            },
            // Two IDs share this name: the row stays its own customer.
            L {
                name: "同名公司",
                ..l("2025-03-03", "201", "1")
            },
            L {
                name: "同名公司",
                ..l("2025-03-04", "202", "2")
            },
            L {
                name: "同名公司",
                ..l("2025-03-05", "", "4")
            },
            // No ID and no ID customer of that name: keyed by the name.
            L {
                name: "ＡＢＣ  贸易",
                ..l("2025-03-06", "", "8")
            },
        ],
        day(2025, 12, 31),
    );
    assert_eq!(cust(&m, "10023").sales, d("150"));
    assert_eq!(cust(&m, "201").sales, d("1"));
    assert_eq!(cust(&m, "202").sales, d("2"));
    let same = cust(&m, "同名公司");
    assert_eq!(same.id, None);
    assert_eq!(same.sales, d("4"));
    let abc = cust(&m, "ABC 贸易");
    assert_eq!(abc.id, None);
    assert_eq!(abc.sales, d("8"));
    assert_eq!(m.customers.len(), 5, "{:?}", keys(&m));
    let joined: Vec<_> = m
        .issues
        .iter()
        .filter(|i| matches!(i.problem, Problem::NameMatchedId { .. }))
        .collect();
    assert_eq!(joined.len(), 1, "{:?}", m.issues);
    assert_eq!(joined[0].kind, IssueKind::Warning);
    assert_eq!(
        joined[0].problem,
        Problem::NameMatchedId {
            name: "华东机械".into(),
            id: "10023".into(),
            rows: 1
        }
    );
    assert_eq!(joined[0].row, Some(3));
}

#[test]
fn a_row_without_id_joins_a_customer_known_by_id_from_the_master() {
    // The master pairs ID M1 with 主档公司; the ledger row has only the name.
    let master = vec![MasterRecord {
        who: Who {
            id: Some("M1".into()),
            name: Some("主档公司".into()),
        },
        ..MasterRecord::default()
    }];
    let lines = [L {
        name: "主档公司",
        ..l("2025-03-01", "", "42")
    }];
    let m = build(
        vec![sheet(&lines)],
        Interner::default(),
        &master,
        &[],
        &opts(day(2025, 12, 31)),
    )
    .expect("model");
    assert_eq!(keys(&m), vec!["M1"]);
    assert_eq!(cust(&m, "M1").sales, d("42"));
    assert_eq!(cust(&m, "M1").name, "主档公司");
}

#[test]
fn one_id_with_two_names_shows_the_most_recent_and_warns() {
    // Lines out of date order: the most recent by date (2025-03-01) gives
    // name, region and sales rep.
    let m = model(
        &[
            L {
                name: "老名字",
                region: "华东",
                rep: "张三",
                ..l("2025-01-05", "300", "1")
            },
            L {
                name: "新名字",
                region: "华南",
                rep: "李四",
                ..l("2025-03-01", "300", "2")
            },
            L {
                name: "老名字",
                region: "华北",
                rep: "王五",
                ..l("2025-02-01", "300", "4")
            },
        ],
        day(2025, 12, 31),
    );
    assert_eq!(m.customers.len(), 1);
    let c = cust(&m, "300");
    assert_eq!(c.name, "新名字");
    assert_eq!(c.region.as_deref(), Some("华南"));
    assert_eq!(c.sales_rep.as_deref(), Some("李四"));
    assert_eq!(c.sales, d("7"));
    let w: Vec<_> = m
        .issues
        .iter()
        .filter(|i| matches!(i.problem, Problem::IdSeveralNames { .. }))
        .collect();
    assert_eq!(w.len(), 1, "{:?}", m.issues);
    assert_eq!(w[0].kind, IssueKind::Warning);
    match &w[0].problem {
        Problem::IdSeveralNames { id, names, shown } => {
            assert_eq!(id, "300");
            assert_eq!(names, &["老名字".to_string(), "新名字".to_string()]);
            assert_eq!(shown, "新名字");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn region_and_rep_from_the_most_recent_line_that_has_them() {
    // Latest line has no region: it is not blanked (the latest known one stays).
    let m = model(
        &[
            L {
                region: "华东",
                rep: "张三",
                ..l("2025-01-05", "X", "1")
            },
            L {
                region: "华南",
                rep: "李四",
                ..l("2025-02-05", "X", "1")
            },
            l("2025-03-05", "X", "1"),
        ],
        day(2025, 12, 31),
    );
    assert_eq!(cust(&m, "X").region.as_deref(), Some("华南"));
    assert_eq!(cust(&m, "X").sales_rep.as_deref(), Some("李四"));
}

#[test]
fn orders_are_distinct_numbers_plus_unnumbered_lines_in_the_window() {
    // O1 twice, O2 once, two lines without number: 2 + 2 = 4.
    // O3 is in the prior window and does not count.
    let m = model(
        &[
            L {
                order: "O1",
                ..l("2025-03-01", "C", "1")
            },
            L {
                order: "O1",
                ..l("2025-03-01", "C", "2")
            },
            L {
                order: "O2",
                ..l("2025-04-01", "C", "3")
            },
            l("2025-05-01", "C", "4"),
            l("2025-05-01", "C", "5"),
            L {
                order: "O3",
                ..l("2024-05-01", "C", "6")
            },
        ],
        day(2025, 12, 31),
    );
    let c = cust(&m, "C");
    assert_eq!(c.orders, 4);
    assert_eq!(c.sales, d("15"));
    assert_eq!(c.prior_sales, d("6"));
}

// ---------------------------------------------------------------------------
// Control totals (SPEC 7.6)

#[test]
fn control_totals_hold_with_rejected_and_totals_rows() {
    // Rows after the header (row 1):
    //  2 accepted 100 (window)        3 accepted 40 (prior: before window)
    //  4 rejected: date 待定           5 小计 (totals row)
    //  6 accepted −30 (window)        7 accepted 9 (after as_of)
    //  8 rejected: note text only     9 合计
    let mut rows = vec![HEADER.iter().map(|h| t(h)).collect::<Vec<_>>()];
    rows.push(l("2025-03-01", "A", "100").cells());
    rows.push(l("2024-03-01", "A", "40").cells());
    rows.push(l("待定", "A", "5").cells());
    rows.push(vec![t("小计"), t(""), t(""), t("105")]);
    rows.push(l("2025-04-01", "B", "(30.00)").cells());
    rows.push(l("2026-01-02", "B", "9").cells());
    rows.push(vec![t("以下为退货冲红")]);
    rows.push(vec![t("合计"), t(""), t(""), t("124")]);
    let s = sheet_of("s", rows);
    // 100 + 40 + 5 (rejected but readable) − 30 + 9 = 124: the 合计 matches;
    // the 小计 is not checked.
    assert!(
        !s.issues.iter().any(|i| i.kind == IssueKind::TotalsMismatch),
        "{:?}",
        s.issues
    );
    let m = build(
        vec![s],
        Interner::default(),
        &[],
        &[],
        &opts(day(2025, 12, 31)),
    )
    .expect("model");
    let tt = &m.totals;
    assert_eq!(tt.rows_read, 8);
    assert_eq!(tt.accepted, 4);
    assert_eq!(tt.rejected, 2);
    assert_eq!(tt.totals_rows, 2);
    assert_eq!(tt.accepted_amount, d("119"));
    assert_eq!(tt.in_window, d("70"));
    assert_eq!(tt.before_window, d("40"));
    assert_eq!(tt.after_as_of, d("9"));
    assert_eq!(tt.customer_sales, d("70"));
    assert!(check_totals(tt).is_ok());
}

#[test]
fn a_broken_control_total_is_an_error() {
    let good = LedgerTotals {
        rows_read: 3,
        accepted: 2,
        rejected: 1,
        totals_rows: 0,
        accepted_amount: d("10"),
        in_window: d("6"),
        before_window: d("3"),
        after_as_of: d("1"),
        customer_sales: d("6"),
    };
    assert!(check_totals(&good).is_ok());
    for bad in [
        LedgerTotals {
            rows_read: 4,
            ..good.clone()
        },
        LedgerTotals {
            accepted_amount: d("10.01"),
            ..good.clone()
        },
        LedgerTotals {
            customer_sales: d("5"),
            ..good.clone()
        },
    ] {
        assert!(check_totals(&bad).is_err(), "{bad:?}");
    }
}

#[test]
fn several_sheets_add_up_like_one() {
    let lines = [
        L {
            order: "O1",
            qty: "2",
            ..l("2025-01-10", "A", "10")
        },
        L {
            order: "O2",
            qty: "3",
            ..l("2025-02-10", "A", "20")
        },
        l("2024-02-10", "B", "7"),
        l("2025-02-11", "B", "8"),
    ];
    let one = model(&lines, day(2025, 12, 31));
    let split = build(
        vec![sheet(&lines[..2]), sheet(&lines[2..])],
        Interner::default(),
        &[],
        &[],
        &opts(day(2025, 12, 31)),
    )
    .expect("model");
    for key in ["A", "B"] {
        let (a, b) = (cust(&one, key), cust(&split, key));
        assert_eq!(a.sales, b.sales);
        assert_eq!(a.prior_sales, b.prior_sales);
        assert_eq!(a.quantity, b.quantity);
        assert_eq!(a.orders, b.orders);
    }
    assert_eq!(cust(&split, "A").sales, d("30"));
    assert_eq!(cust(&split, "A").quantity, d("5"));
    assert_eq!(cust(&split, "A").orders, 2);
    assert_eq!(split.totals.in_window, d("38"));
    assert_eq!(split.totals.before_window, d("7"));
}

// ---------------------------------------------------------------------------
// Exact duplicates (SPEC 3.5 warnings)

#[test]
fn exact_duplicate_rows_are_warned_across_sheets_in_input_order() {
    let header = || HEADER.iter().map(|h| t(h)).collect::<Vec<_>>();
    // Sheet 1: row 2 and its twin at row 3; row 4 is dated after as-of.
    let mut rows1 = vec![header()];
    rows1.push(l("2025-03-01", "C1", "100").cells());
    rows1.push(l("2025-03-01", "C1", "100").cells());
    rows1.push(l("2025-07-01", "C1", "1").cells());
    // Sheet 2: row 2 repeats sheet 1's row 2; row 3 differs by one cent.
    let mut rows2 = vec![header()];
    rows2.push(l("2025-03-01", "C1", "100").cells());
    rows2.push(l("2025-03-01", "C1", "100.01").cells());
    let m = build(
        vec![sheet_of("3月", rows1), sheet_of("4月", rows2)],
        Interner::default(),
        &[],
        &[],
        &opts(day(2025, 6, 30)),
    )
    .expect("model builds");
    let found: Vec<(&str, Option<u32>, bool)> = m
        .issues
        .iter()
        .filter(|i| matches!(i.problem, Problem::DuplicateRow | Problem::AfterAsOf { .. }))
        .map(|i| (i.sheet.as_str(), i.row, i.problem == Problem::DuplicateRow))
        .collect();
    assert_eq!(
        found,
        vec![
            ("3月", Some(3), true),
            ("3月", Some(4), false),
            ("4月", Some(2), true)
        ]
    );
    // Duplicates are kept (a warning, not a rejection): 100 × 3 + 100.01.
    assert_eq!(cust(&m, "C1").sales, d("400.01"));
}
