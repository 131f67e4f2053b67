//! Properties over generated ledgers (proptest, a few dozen cases so CI stays
//! fast): the control totals of SPEC 7.6 hold and match the generator's own
//! sums; the same input gives the same bytes; raising one customer's sales
//! never lowers its volume tier; shuffling rows or splitting them across
//! sheets and files (xlsx and CSV) changes no figure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use tierbook::grade::grade_all;
use tierbook::pipeline::{gather, Gathered, Inputs, Settings};
use tierbook::rules::Rules;

use crate::util::{write_xlsx, Workdir, C};

/// One generated ledger line; `date: None` makes an unusable row (rejected).
#[derive(Debug, Clone)]
struct Line {
    date: Option<(u16, u8, u8)>,
    customer: usize,
    /// Amount in cents.
    cents: i64,
}

fn line() -> impl Strategy<Value = Line> {
    (
        prop_oneof![
            9 => (2023u16..=2025, 1u8..=12, 1u8..=28).prop_map(Some),
            1 => Just(None),
        ],
        0usize..8,
        prop_oneof![9 => 0i64..5_000_000, 1 => -200_000i64..0],
    )
        .prop_map(|(date, customer, cents)| Line {
            date,
            customer,
            cents,
        })
}

fn lines() -> impl Strategy<Value = Vec<Line>> {
    prop::collection::vec(line(), 1..40)
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()
}

fn name(c: usize) -> String {
    format!("客户{c:02}")
}

fn money(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

fn rows_of(lines: &[Line]) -> Vec<Vec<C>> {
    let mut rows = vec![vec![C::S("日期"), C::S("客户名称"), C::S("金额")]];
    for l in lines {
        let date = match l.date {
            Some((y, m, d)) => C::D(y, m, d),
            None => C::S("不是日期"),
        };
        rows.push(vec![
            date,
            C::T(name(l.customer)),
            C::N(l.cents as f64 / 100.0),
        ]);
    }
    rows
}

fn write_csv(path: &Path, lines: &[Line]) {
    let mut s = String::from("日期,客户名称,金额\n");
    for l in lines {
        let date = match l.date {
            Some((y, m, d)) => format!("{y}-{m:02}-{d:02}"),
            None => "不是日期".to_string(),
        };
        s.push_str(&format!("{date},{},{}\n", name(l.customer), money(l.cents)));
    }
    std::fs::write(path, s).expect("write csv");
}

fn settings() -> Settings {
    let mut s = Settings::new(Rules::three_tier());
    s.as_of = Some(as_of());
    s.threads = 1;
    s
}

fn run(files: &[PathBuf]) -> Gathered {
    let inputs = Inputs {
        ledgers: files.to_vec(),
        ..Inputs::default()
    };
    gather(&inputs, &settings()).expect("gather")
}

/// Figures that must not depend on row order or file layout.
#[derive(Debug, PartialEq)]
struct Figures {
    rows_read: u64,
    accepted: u64,
    rejected: u64,
    accepted_amount: Decimal,
    in_window: Decimal,
    /// Customer → (sales, orders, volume tier, grade).
    customers: BTreeMap<String, (Decimal, u64, usize, usize)>,
}

fn figures(g: &Gathered) -> Figures {
    let grades = grade_all(
        &g.model.customers,
        &Default::default(),
        &Rules::three_tier(),
    );
    let t = &g.model.totals;
    Figures {
        rows_read: t.rows_read,
        accepted: t.accepted,
        rejected: t.rejected,
        accepted_amount: t.accepted_amount,
        in_window: t.in_window,
        customers: g
            .model
            .customers
            .iter()
            .zip(&grades)
            .map(|(m, gr)| (m.key.clone(), (m.sales, m.orders, gr.volume_tier, gr.grade)))
            .collect(),
    }
}

fn has_valid_line(lines: &[Line]) -> bool {
    lines.iter().any(|l| l.date.is_some())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// SPEC 7.6, checked against the generator's own sums.
    #[test]
    fn control_totals_hold(lines in lines()) {
        prop_assume!(has_valid_line(&lines));
        let w = Workdir::new();
        write_xlsx(&w.join("l.xlsx"), &[("1月", rows_of(&lines))]);
        let g = run(&[w.join("l.xlsx")]);
        let t = &g.model.totals;
        prop_assert_eq!(t.rows_read, t.accepted + t.rejected + t.totals_rows);
        prop_assert_eq!(t.accepted_amount, t.in_window + t.before_window + t.after_as_of);
        let sales: Decimal = g.model.customers.iter().map(|c| c.sales).sum();
        prop_assert_eq!(t.in_window, sales);
        prop_assert_eq!(t.in_window, t.customer_sales);
        // Independently: what the generator wrote.
        let valid: Vec<&Line> = lines.iter().filter(|l| l.date.is_some()).collect();
        prop_assert_eq!(t.accepted, valid.len() as u64);
        prop_assert_eq!(t.rejected, (lines.len() - valid.len()) as u64);
        prop_assert_eq!(t.accepted_amount, valid.iter().map(|l| money(l.cents)).sum::<Decimal>());
        let window_start = tierbook::model::period::add_months(as_of(), -12);
        let in_window: Decimal = valid
            .iter()
            .filter(|l| {
                let (y, m, d) = l.date.unwrap();
                let date = NaiveDate::from_ymd_opt(y as i32, m as u32, d as u32).unwrap();
                date > window_start && date <= as_of()
            })
            .map(|l| money(l.cents))
            .sum();
        prop_assert_eq!(t.in_window, in_window);
    }

    /// Shuffled rows, split across two sheets of one xlsx and a CSV file: same figures.
    #[test]
    fn shuffling_and_splitting_change_no_figure(lines in lines(), seed in any::<u64>(), cut_a in 0usize..40, cut_b in 0usize..40) {
        prop_assume!(has_valid_line(&lines));
        let w = Workdir::new();
        write_xlsx(&w.join("one.xlsx"), &[("全年", rows_of(&lines))]);
        let base = figures(&run(&[w.join("one.xlsx")]));

        let mut shuffled = lines.clone();
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let (a, b) = (cut_a.min(shuffled.len()), cut_b.min(shuffled.len()));
        let (lo, hi) = (a.min(b), a.max(b));
        write_xlsx(
            &w.join("split.xlsx"),
            &[("上半年", rows_of(&shuffled[..lo])), ("下半年", rows_of(&shuffled[lo..hi]))],
        );
        write_csv(&w.join("rest.csv"), &shuffled[hi..]);
        let split = figures(&run(&[w.join("split.xlsx"), w.join("rest.csv")]));
        prop_assert_eq!(base, split);
    }

    /// Raising one customer's in-window sales never makes its volume tier worse.
    #[test]
    fn more_sales_never_lower_the_volume_tier(lines in lines(), who in 0usize..8, extra in 1i64..10_000_000) {
        let mut lines = lines;
        lines.push(Line { date: Some((2025, 6, 15)), customer: who, cents: 100 });
        let w = Workdir::new();
        write_xlsx(&w.join("a.xlsx"), &[("账", rows_of(&lines))]);
        let before = figures(&run(&[w.join("a.xlsx")]));
        lines.last_mut().unwrap().cents += extra;
        write_xlsx(&w.join("b.xlsx"), &[("账", rows_of(&lines))]);
        let after = figures(&run(&[w.join("b.xlsx")]));
        let key = tierbook::text::normalize_name(&name(who));
        let (_, _, tier_before, _) = before.customers[&key];
        let (_, _, tier_after, _) = after.customers[&key];
        prop_assert!(tier_after <= tier_before, "tier {} → {}", tier_before, tier_after);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// The same input gives byte-identical workbook and JSON (the real binary, run twice).
    #[test]
    fn same_input_same_bytes(lines in lines()) {
        prop_assume!(has_valid_line(&lines));
        let w = Workdir::new();
        write_xlsx(&w.join("l.xlsx"), &[("1月", rows_of(&lines))]);
        let as_of = as_of().to_string();
        for (out, json) in [("a.xlsx", "a.json"), ("b.xlsx", "b.json")] {
            w.ok(&["evaluate", "l.xlsx", "--out", out, "--json", json, "--quiet", "--as-of", &as_of]);
        }
        let read = |n: &str| std::fs::read(w.join(n)).expect("read output");
        prop_assert!(read("a.xlsx") == read("b.xlsx"), "xlsx differs");
        prop_assert!(read("a.json") == read("b.json"), "json differs");
    }
}

#[test]
fn money_helper_is_exact() {
    assert_eq!(money(26196), Decimal::from_str("261.96").unwrap());
}

// ------------------------------------------------------------------ amounts in every style

/// How a generated amount is written in a CSV cell.
#[derive(Debug, Clone, Copy)]
enum NumberStyle {
    Plain,
    Grouped,
    SpaceGrouped,
    Yuan,
    Yen,
    FullWidthYen,
    Parentheses,
    FullWidth,
    /// The other convention's decimal mark (`12,50` when `.` is the mark).
    OtherMark,
    /// 30 decimal places: finer than an exact decimal holds.
    TooFine,
    /// 31 digits before the mark.
    TooLarge,
}

fn number_style() -> impl Strategy<Value = NumberStyle> {
    use NumberStyle::*;
    prop::sample::select(vec![
        Plain,
        Grouped,
        SpaceGrouped,
        Yuan,
        Yen,
        FullWidthYen,
        Parentheses,
        FullWidth,
        OtherMark,
        TooFine,
        TooLarge,
    ])
}

/// `digits` grouped in threes from the right with `sep`.
fn grouped(digits: &str, sep: char) -> String {
    tierbook::text::group_thousands(digits).replace(',', &sep.to_string())
}

/// The cell text of `cents` in `style` (`,` as the decimal mark when
/// `decimal_comma`), and the value tierbook must read from it, or `None`
/// when it must reject it.
fn render(cents: i64, style: NumberStyle, decimal_comma: bool) -> (String, Option<Decimal>) {
    use NumberStyle::*;
    let (mark, other_mark, group) = if decimal_comma {
        (',', '.', '.')
    } else {
        ('.', ',', ',')
    };
    let int = (cents.unsigned_abs() / 100).to_string();
    let frac = format!("{:02}", cents.unsigned_abs() % 100);
    let sign = if cents < 0 { "-" } else { "" };
    let value = Some(money(cents));
    let number = |int: &str, mark: char| format!("{int}{mark}{frac}");
    match style {
        Plain => (format!("{sign}{}", number(&int, mark)), value),
        Grouped => (
            format!("{sign}{}", number(&grouped(&int, group), mark)),
            value,
        ),
        SpaceGrouped => (
            format!("{sign}{}", number(&grouped(&int, ' '), mark)),
            value,
        ),
        Yuan => (format!("{sign}{}元", number(&int, mark)), value),
        Yen => (
            format!("{sign}¥{}", number(&grouped(&int, group), mark)),
            value,
        ),
        FullWidthYen => (format!("￥{sign}{}", number(&int, mark)), value),
        Parentheses if cents < 0 => (format!("({})", number(&grouped(&int, group), mark)), value),
        Parentheses => (number(&int, mark), value),
        FullWidth => {
            let ascii = format!("{sign}{}", number(&grouped(&int, group), mark));
            let wide = ascii
                .chars()
                .map(|c| char::from_u32(c as u32 + 0xfee0).unwrap())
                .collect();
            (wide, value)
        }
        OtherMark => (format!("{sign}{}", number(&int, other_mark)), None),
        TooFine => (
            format!("{sign}{}{}1", number(&int, mark), "0".repeat(27)),
            None,
        ),
        TooLarge => (format!("{sign}1{:030}{}", 0, number("", mark)), None),
    }
}

/// One generated CSV line: an amount, how it is written, how the line ends.
#[derive(Debug, Clone)]
struct StyledLine {
    cents: i64,
    style: NumberStyle,
    eol: &'static str,
}

fn styled_line() -> impl Strategy<Value = StyledLine> {
    (
        prop_oneof![4 => 0i64..100_000_000_000, 1 => -10_000_000i64..0],
        number_style(),
        prop::sample::select(vec!["\n", "\r", "\r\n"]),
    )
        .prop_map(|(cents, style, eol)| StyledLine { cents, style, eol })
}

/// Writes the lines as a CSV, each line its own customer, and returns what
/// each amount must read as.
fn write_styled(
    path: &Path,
    lines: &[StyledLine],
    delimiter: char,
    encoding: u8,
    decimal_comma: bool,
) -> Vec<Option<Decimal>> {
    let d = delimiter;
    let mut text = format!("日期{d}客户名称{d}金额\r\n");
    let mut want = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let (mut cell, value) = render(l.cents, l.style, decimal_comma);
        if cell.contains(d) {
            cell = format!("\"{cell}\"");
        }
        let day = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Duration::days(i as i64);
        text.push_str(&format!("{day}{d}{}{d}{cell}{}", name(i), l.eol));
        want.push(value);
    }
    let bytes = match encoding {
        0 => text.into_bytes(),
        1 => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        _ => encoding_rs::GB18030.encode(&text).0.into_owned(),
    };
    std::fs::write(path, bytes).expect("write csv");
    want
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Every amount cell, whatever its style, line ending and encoding, is
    /// either in its own customer's sales with exactly its value or in
    /// exactly one rejected row on its own line: never both, never neither,
    /// never changed.
    #[test]
    fn every_amount_is_read_exactly_or_rejected(
        lines in prop::collection::vec(styled_line(), 1..30),
        delimiter in prop::sample::select(vec![',', ';', '\t', '|']),
        encoding in 0u8..3,
        decimal_comma in any::<bool>(),
    ) {
        let w = Workdir::new();
        let want = write_styled(&w.join("l.csv"), &lines, delimiter, encoding, decimal_comma);
        let mut s = settings();
        s.rules.decimal_comma = decimal_comma;
        let inputs = Inputs {
            ledgers: vec![w.join("l.csv")],
            ..Inputs::default()
        };
        let g = gather(&inputs, &s).expect("gather");
        let rejected: Vec<u32> = g
            .issues
            .iter()
            .filter(|i| i.kind == tierbook::read::IssueKind::Rejected)
            .filter_map(|i| i.row)
            .collect();
        let sales: BTreeMap<&str, Decimal> =
            g.model.customers.iter().map(|m| (m.key.as_str(), m.sales)).collect();
        for (i, value) in want.iter().enumerate() {
            let key = tierbook::text::normalize_name(&name(i));
            let line = i as u32 + 2;
            let times_rejected = rejected.iter().filter(|&&r| r == line).count();
            match value {
                Some(v) => {
                    prop_assert_eq!(sales.get(key.as_str()), Some(v), "line {}: {:?}", line, lines[i]);
                    prop_assert_eq!(times_rejected, 0, "line {}", line);
                }
                None => {
                    prop_assert!(!sales.contains_key(key.as_str()), "line {}: {:?}", line, lines[i]);
                    prop_assert_eq!(times_rejected, 1, "line {}: {:?}", line, lines[i]);
                }
            }
        }
        let t = &g.model.totals;
        prop_assert_eq!(t.accepted, want.iter().flatten().count() as u64);
        prop_assert_eq!(t.rejected, want.iter().filter(|v| v.is_none()).count() as u64);
        prop_assert_eq!(t.accepted_amount, want.iter().flatten().sum::<Decimal>());
    }
}
