//! Finance end to end (SPEC 4, 5, 7.2 sheets 4, 5, 7, 7.3, 7.5, 7.6): a
//! hand-worked ledger, receipts ledger and customer master run through
//! `reconcile` and `evaluate --receipts`, the workbooks read back with
//! calamine and the JSON checked against figures worked out below; the
//! bundled and generated samples checked against the generator's records.
//! Each of the bugs finance users of ERPNext, Odoo and Kingdee keep
//! reporting has a test named after it.

use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};
use rust_decimal::Decimal;
use serde_json::Value;
use tierbook::sample::{generate, SampleOptions};

use crate::util::C::{self, D, E, N, S};
use crate::util::{customer, d, dec, find_row, read_book, repo, sheet, text, write_xlsx, Workdir};

// ---------------------------------------------------------------------------
// The hand-worked fixture (as of 2025-06-30; window 2024-07-01 … 2025-06-30,
// 365 days)
//
// Ledger (sheet 销售, header on row 1):
//
// | row | date | order | customer | amount | due date | source |
// |---|---|---|---|---|---|---|
// | 2 | 2024-05-10 | SO-1 | K001 | 4000 | | |   before the window
// | 3 | 2025-03-01 | SO-2 | K001 | 2000 | | |
// | 4 | 2025-03-01 | SO-2 | K001 | 1000 | | |   SO-2 = 3000, due 03-31 (master 30 days)
// | 5 | 2025-04-01 | SO-3 | K001 | 5000 | | |   due 05-01
// | 6 | 2025-04-15 | RT-1 | K001 | −500 | | SO-3 | credit note against SO-3
// | 7 | 2025-06-20 | SO-4 | K001 | 2000 | | |   due 07-20: not yet due
// | 8 | 2025-01-10 | —    | K002 | 600 | | |    no order number; due 02-09 (default 30)
// | 9 | 2025-04-20 | SO-5 | K002 | 1000 | 2025-05-10 | | due from the column
// | 10 | 2025-06-29 | RT-2 | K002 | −200 | | |  credit note without source: FIFO
// | 11 | 2025-06-10 | SO-6 | K003 | 1000 | | |   due 07-10 (default 30)
// | 12 | 2025-07-02 | SO-7 | K004 | 900 | | |    after as_of
//
// Receipts (sheet 回款, title on row 1, header on row 3):
//
// | row | date | customer | amount | order |
// |---|---|---|---|---|
// | 4 | 2024-06-01 | K001 | 4000 | SO-1 | before the window
// | 5 | 2025-03-20 | K001 | 1800 | SO-2 | partial payment
// | 6 | 2025-05-20 | K001 | 6000 | | one receipt over SO-2 (1200), SO-3 (4500), then 300 waits for SO-4
// | 7 | 2025-07-05 | K001 | 2000 | | after as_of: moves nothing
// | 8 | 2025-02-01 | K002 | 600 | | pays the line without order number
// | 9 | 2025-06-01 | K003 | 1500 | | prepayment: 1000 settles SO-6 on 06-10, 500 left
// | 10 | 2025-04-01 | K009 | 700 | | no ledger line: unmatched
// | 11 | 2025-06-15 | K004 | 300 | | its only line is after as_of: unmatched
// | 12 | — | K001 | 100 | | rejected: no date
// | 13 | 2025-05-05 | — | 100 | | rejected: no customer
// | 14 | 2025-05-06 | K002 | 待定 | | rejected: unreadable amount
// | 15 | 合计 | | 17100 | | Σ readable amounts of rows 4–14
//
// Master: K001 terms 30, limit 10,000, special policy 月结30天; K002 no
// terms (default 30), limit 500.
//
// K001: statement opening 4000 − 4000 = 0; 03-01 SO-2 +3000 → 3000;
// 03-20 −1800 → 1200; 04-01 SO-3 +5000 → 6200; 04-15 RT-1 −500 → 5700;
// 05-20 −6000 → −300; 06-20 SO-4 +2000 → 1700. Invoiced 9500, received
// 7800, closing 1700 = open SO-4 1700 (2000 − 300 waited) − unapplied 0.
// Payments in the window: 1800 (19 days, on time), 1200 to SO-2 (80 days,
// late), 4500 to SO-3 (49 days, late), 300 to SO-4 (0 days, on time):
// on time 2100 / 7800; days (34200 + 96000 + 220500 + 0) / 7800.
// K002: 01-10 +600 → 600; 02-01 −600 → 0; 04-20 SO-5 +1000 → 1000;
// 06-29 RT-2 −200 (FIFO to SO-5) → 800. SO-5 open 800, 51 days past its
// due date (31–60); by invoice date 71 days (61–90). Usage 800 / 500.
// K003: 06-01 −1500 → −1500; 06-10 SO-6 +1000 → −500; unapplied 500.
// Receipts: accepted 13800 + 600 + 1500 + 700 + 300 = 16900 = received
// 14900 + after as_of 2000; received = applied 13400 (K001 11800, K002
// 600, K003 1000) + unapplied 500 + unmatched 1000.

const LEDGER_HEADER: [&str; 7] = [
    "日期",
    "单号",
    "客户编码",
    "客户名称",
    "金额",
    "到期日",
    "原单号",
];

fn ledger_row(date: C, order: &'static str, id: &'static str, amount: f64) -> Vec<C> {
    let name = match id {
        "K001" => "甲公司",
        "K002" => "乙公司",
        "K003" => "丙公司",
        _ => "丁公司",
    };
    let order = if order.is_empty() { E } else { S(order) };
    vec![date, order, S(id), S(name), N(amount)]
}

/// Writes 台账.xlsx, 回款.xlsx and 档案.xlsx into `w`; with `after`, the
/// rows dated after as_of too.
fn write_fixture(w: &Workdir, after: bool) {
    let mut ledger = vec![LEDGER_HEADER.iter().map(|h| S(h)).collect::<Vec<_>>()];
    ledger.extend([
        ledger_row(D(2024, 5, 10), "SO-1", "K001", 4000.0),
        ledger_row(D(2025, 3, 1), "SO-2", "K001", 2000.0),
        ledger_row(D(2025, 3, 1), "SO-2", "K001", 1000.0),
        ledger_row(D(2025, 4, 1), "SO-3", "K001", 5000.0),
        {
            let mut r = ledger_row(D(2025, 4, 15), "RT-1", "K001", -500.0);
            r.extend([E, S("SO-3")]);
            r
        },
        ledger_row(D(2025, 6, 20), "SO-4", "K001", 2000.0),
        ledger_row(D(2025, 1, 10), "", "K002", 600.0),
        {
            let mut r = ledger_row(D(2025, 4, 20), "SO-5", "K002", 1000.0);
            r.push(D(2025, 5, 10));
            r
        },
        ledger_row(D(2025, 6, 29), "RT-2", "K002", -200.0),
        ledger_row(D(2025, 6, 10), "SO-6", "K003", 1000.0),
    ]);
    if after {
        ledger.push(ledger_row(D(2025, 7, 2), "SO-7", "K004", 900.0));
    }
    write_xlsx(&w.join("台账.xlsx"), &[("销售", ledger)]);
    let r = |date: C, id: &'static str, name: &'static str, amount: C, order: &'static str| {
        let id = if id.is_empty() { E } else { S(id) };
        let name = if name.is_empty() { E } else { S(name) };
        let order = if order.is_empty() { E } else { S(order) };
        vec![date, id, name, amount, order]
    };
    let mut receipts = vec![
        vec![S("回款台账 2024—2025")],
        vec![],
        vec![
            S("回款日期"),
            S("客户编码"),
            S("客户名称"),
            S("回款金额"),
            S("单号"),
        ],
        r(D(2024, 6, 1), "K001", "甲公司", N(4000.0), "SO-1"),
        r(D(2025, 3, 20), "K001", "甲公司", N(1800.0), "SO-2"),
        r(D(2025, 5, 20), "K001", "甲公司", N(6000.0), ""),
    ];
    let after_row = r(D(2025, 7, 5), "K001", "甲公司", N(2000.0), "");
    receipts.push(if after { after_row } else { vec![] });
    receipts.extend([
        r(D(2025, 2, 1), "K002", "乙公司", N(600.0), ""),
        r(D(2025, 6, 1), "K003", "丙公司", N(1500.0), ""),
        r(D(2025, 4, 1), "K009", "戊商行", N(700.0), ""),
    ]);
    let unmatched_after = r(D(2025, 6, 15), "K004", "丁公司", N(300.0), "");
    receipts.push(if after { unmatched_after } else { vec![] });
    receipts.extend([
        r(E, "K001", "甲公司", N(100.0), ""),
        r(D(2025, 5, 5), "", "", N(100.0), ""),
        r(D(2025, 5, 6), "K002", "乙公司", S("待定"), ""),
    ]);
    let total = if after { 17100.0 } else { 14800.0 };
    receipts.push(vec![S("合计"), E, E, N(total)]);
    write_xlsx(&w.join("回款.xlsx"), &[("回款", receipts)]);
    write_xlsx(
        &w.join("档案.xlsx"),
        &[(
            "客户档案",
            vec![
                vec![
                    S("客户编码"),
                    S("客户名称"),
                    S("账期"),
                    S("信用额度"),
                    S("特殊政策"),
                ],
                vec![S("K001"), S("甲公司"), N(30.0), N(10000.0), S("月结30天")],
                vec![S("K002"), S("乙公司"), E, N(500.0), E],
            ],
        )],
    );
}

const INPUTS: [&str; 5] = [
    "台账.xlsx",
    "--receipts",
    "回款.xlsx",
    "--customers",
    "档案.xlsx",
];

fn run(w: &Workdir, command: &str, extra: &[&str]) -> Value {
    let mut args = vec![command];
    args.extend(INPUTS);
    args.extend([
        "--as-of",
        "2025-06-30",
        "--out",
        "out.xlsx",
        "--json",
        "out.json",
        "--force",
    ]);
    args.extend(extra);
    w.ok(&args);
    w.json("out.json")
}

fn reconcile(after: bool) -> (Workdir, Value) {
    let w = Workdir::new();
    write_fixture(&w, after);
    let j = run(&w, "reconcile", &[]);
    (w, j)
}

fn statement<'j>(j: &'j Value, key: &str) -> &'j Value {
    j["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .find(|s| s["key"] == key)
        .unwrap_or_else(|| panic!("no statement {key}"))
}

/// (date, kind, order, amount, balance) of a statement's lines.
fn lines(s: &Value) -> Vec<(String, String, String, Decimal, Decimal)> {
    s["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            (
                l["date"].as_str().unwrap_or_default().to_string(),
                l["kind"].as_str().unwrap_or_default().to_string(),
                l["order"].as_str().unwrap_or_default().to_string(),
                dec(&l["amount"]),
                dec(&l["balance"]),
            )
        })
        .collect()
}

fn line(
    date: &str,
    kind: &str,
    order: &str,
    amount: &str,
    balance: &str,
) -> (String, String, String, Decimal, Decimal) {
    (
        date.into(),
        kind.into(),
        order.into(),
        d(amount),
        d(balance),
    )
}

fn num(c: &Data) -> Decimal {
    match c {
        Data::Float(f) => Decimal::try_from(*f).expect("finite").round_dp(6),
        Data::Int(i) => Decimal::from(*i),
        other => panic!("not a number: {other:?}"),
    }
}

/// Every `=SUM(Xa:Xb)` of every sheet has as its saved result the sum of
/// the cells it covers; returns how many there were.
pub fn every_sum_holds(path: &Path) -> usize {
    let mut wb = open_workbook_auto(path).expect("open workbook");
    let mut n = 0;
    for name in wb.sheet_names().to_vec() {
        let values = wb.worksheet_range(&name).expect("values");
        let Ok(formulas) = wb.worksheet_formula(&name) else {
            continue;
        };
        for (r, c, f) in formulas.used_cells() {
            let f = f.trim_start_matches('=');
            let Some(range) = f.strip_prefix("SUM(").and_then(|x| x.strip_suffix(')')) else {
                continue;
            };
            let (a, b) = range.split_once(':').expect("a range");
            let row = |cell: &str| -> u32 {
                cell.trim_start_matches(|ch: char| ch.is_ascii_alphabetic())
                    .parse::<u32>()
                    .expect("row")
                    - 1
            };
            let (start, _) = formulas.start().expect("start");
            let at = (
                start + r as u32,
                formulas.start().expect("start").1 + c as u32,
            );
            let col = at.1;
            let sum: Decimal = (row(a)..=row(b))
                .filter_map(|rr| values.get_value((rr, col)))
                .filter(|v| matches!(v, Data::Float(_) | Data::Int(_)))
                .map(num)
                .sum();
            let cached = values.get_value(at).map(num).unwrap_or_default();
            assert_eq!(cached, sum.round_dp(6), "{name} {f} at {at:?}");
            n += 1;
        }
    }
    n
}

/// The data rows under the header row holding `first` on `rows`, up to
/// the first empty row: each row's cells as text.
fn table_after(rows: &[Vec<Data>], header_row: usize) -> Vec<Vec<String>> {
    rows[header_row + 1..]
        .iter()
        .take_while(|r| r.iter().any(|c| !matches!(c, Data::Empty)))
        .map(|r| r.iter().map(text).collect())
        .collect()
}

// ---------------------------------------------------------------------------
// Statements, open items, control totals

#[test]
fn statements_of_the_hand_worked_fixture() {
    let (_, j) = reconcile(true);
    let k1 = statement(&j, "K001");
    assert_eq!(
        lines(k1),
        vec![
            line("2025-03-01", "invoice", "SO-2", "3000", "3000"),
            line("2025-03-20", "receipt", "SO-2", "1800", "1200"),
            line("2025-04-01", "invoice", "SO-3", "5000", "6200"),
            line("2025-04-15", "credit_note", "RT-1", "-500", "5700"),
            line("2025-05-20", "receipt", "", "6000", "-300"),
            line("2025-06-20", "invoice", "SO-4", "2000", "1700"),
        ]
    );
    assert_eq!(k1["lines"][3]["source_order"], "SO-3");
    for (key, opening, invoiced, received, closing, outstanding, unapplied) in [
        ("K001", "0", "9500", "7800", "1700", "1700", "0"),
        ("K002", "0", "1400", "600", "800", "800", "0"),
        ("K003", "0", "1000", "1500", "-500", "0", "500"),
    ] {
        let s = statement(&j, key);
        assert_eq!(dec(&s["opening"]), d(opening), "{key}");
        assert_eq!(dec(&s["invoiced"]), d(invoiced), "{key}");
        assert_eq!(dec(&s["received"]), d(received), "{key}");
        assert_eq!(dec(&s["closing"]), d(closing), "{key}");
        assert_eq!(dec(&s["outstanding"]), d(outstanding), "{key}");
        assert_eq!(dec(&s["unapplied"]), d(unapplied), "{key}");
    }
    assert_eq!(
        lines(statement(&j, "K002")),
        vec![
            line("2025-01-10", "invoice", "", "600", "600"),
            line("2025-02-01", "receipt", "", "600", "0"),
            line("2025-04-20", "invoice", "SO-5", "1000", "1000"),
            line("2025-06-29", "credit_note", "RT-2", "-200", "800"),
        ]
    );
    // K004's only line is after as_of, K009 has none: no statement.
    let keys: Vec<&str> = j["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .filter_map(|s| s["key"].as_str())
        .collect();
    assert_eq!(keys, vec!["K001", "K002", "K003"]);
}

/// key, order, date, due date, amount, settled, remaining, days past due, bucket.
type OpenRow<'j> = (
    &'j str,
    &'j str,
    &'j str,
    &'j str,
    Decimal,
    Decimal,
    Decimal,
    i64,
    &'j str,
);

#[test]
fn open_items_and_receipts_control_totals() {
    let (_, j) = reconcile(true);
    let open: Vec<OpenRow> = j["open_items"]
        .as_array()
        .expect("open items")
        .iter()
        .map(|o| {
            (
                o["key"].as_str().unwrap_or_default(),
                o["order"].as_str().unwrap_or_default(),
                o["date"].as_str().unwrap_or_default(),
                o["due_date"].as_str().unwrap_or_default(),
                dec(&o["amount"]),
                dec(&o["settled"]),
                dec(&o["remaining"]),
                o["days_past_due"].as_i64().unwrap_or(-1),
                o["bucket"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        open,
        vec![
            (
                "K001",
                "SO-4",
                "2025-06-20",
                "2025-07-20",
                d("2000"),
                d("300"),
                d("1700"),
                0,
                "not_due"
            ),
            (
                "K002",
                "SO-5",
                "2025-04-20",
                "2025-05-10",
                d("1000"),
                d("200"),
                d("800"),
                51,
                "d31_60"
            ),
        ]
    );
    let t = &j["totals"]["receipts"];
    assert_eq!(
        (t["rows_read"].as_u64(), t["accepted"].as_u64()),
        (Some(12), Some(8))
    );
    assert_eq!(
        (t["rejected"].as_u64(), t["totals_rows"].as_u64()),
        (Some(3), Some(1))
    );
    for (k, v) in [
        ("accepted_amount", "16900"),
        ("received", "14900"),
        ("after_as_of", "2000"),
        ("applied", "13400"),
        ("unapplied", "500"),
        ("unmatched", "1000"),
    ] {
        assert_eq!(dec(&t[k]), d(v), "{k}");
    }
    let unmatched: Vec<(u64, &str, Decimal)> = j["unmatched_receipts"]
        .as_array()
        .expect("unmatched")
        .iter()
        .map(|u| {
            (
                u["row"].as_u64().unwrap_or(0),
                u["customer"].as_str().unwrap_or(""),
                dec(&u["amount"]),
            )
        })
        .collect();
    assert_eq!(
        unmatched,
        vec![(10, "K009", d("700")), (11, "K004", d("300"))]
    );
    let l = &j["totals"]["ledger"];
    assert_eq!(dec(&l["accepted_amount"]), d("16800"));
    assert_eq!(dec(&l["in_window"]), d("11900"));
    assert_eq!(dec(&l["before_window"]), d("4000"));
    assert_eq!(dec(&l["after_as_of"]), d("900"));
}

#[test]
fn the_reconciliation_workbook_reads_back() {
    let (w, _) = reconcile(true);
    let path = w.join("out.xlsx");
    let book = read_book(&path);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "汇总",
            "对账总表",
            "对账单",
            "未清项",
            "未匹配回款",
            "数据问题"
        ]
    );
    // Statement of K001: its heading, the brought-forward line, each line
    // with its running balance, the period totals, the closing balance.
    let st = sheet(&book, "对账单");
    let h = find_row(st, "甲公司（K001）对账单").expect("K001 heading");
    let header = h + 2;
    assert_eq!(text(&st[header][1]), "摘要");
    let body = table_after(st, header);
    assert_eq!(body[0][1], "上期结转");
    assert_eq!(num(&st[header + 1][5]), d("0"));
    let entries: Vec<(&str, &str, Decimal)> = (1..=6)
        .map(|k| {
            (
                body[k][1].as_str(),
                body[k][2].as_str(),
                num(&st[header + 1 + k][5]),
            )
        })
        .collect();
    assert_eq!(
        entries,
        vec![
            ("销售发票", "SO-2", d("3000")),
            ("收款", "SO-2", d("1200")),
            ("销售发票", "SO-3", d("6200")),
            ("退货冲红（原单 SO-3）", "RT-1", d("5700")),
            ("收款", "", d("-300")),
            ("销售发票", "SO-4", d("1700")),
        ]
    );
    let total = header + 8;
    assert_eq!(text(&st[total][1]), "本期合计");
    assert_eq!(
        (num(&st[total][3]), num(&st[total][4])),
        (d("9500"), d("7800"))
    );
    let summary = find_row(st, "期初余额").expect("summary header");
    let values: Vec<Decimal> = st[summary + 1][..6].iter().map(num).collect();
    assert_eq!(
        values,
        ["0", "9500", "7800", "1700", "1700", "0"].map(d).to_vec()
    );
    // K003's advance is on its statement, not in an aging bucket.
    let k3 = find_row(st, "丙公司（K003）对账单").expect("K003 heading");
    let k3_summary = k3 + find_row(&st[k3..], "期初余额").expect("K003 summary");
    let values: Vec<Decimal> = st[k3_summary + 1][..6].iter().map(num).collect();
    assert_eq!(
        values,
        ["0", "1000", "1500", "-500", "0", "500"].map(d).to_vec()
    );
    // Overview totals, open items, unmatched receipts.
    let ov = sheet(&book, "对账总表");
    let oh = find_row(ov, "期初余额").expect("overview header");
    let rows = table_after(ov, oh);
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert_eq!(rows[3][0], "合计");
    let totals: Vec<Decimal> = ov[oh + 4][3..12].iter().map(num).collect();
    assert_eq!(
        totals,
        ["0", "11900", "9900", "2000", "2500", "500", "1700", "0", "800"]
            .map(d)
            .to_vec()
    );
    let open = sheet(&book, "未清项");
    let oh = find_row(open, "未清金额").expect("open items header");
    let rows = table_after(open, oh);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1][4], "SO-5");
    assert_eq!(rows[1][11], "逾期31–60天");
    assert_eq!(num(&open[oh + 3][9]), d("2500"));
    let un = sheet(&book, "未匹配回款");
    let uh = find_row(un, "客户").expect("unmatched header");
    assert_eq!(num(&un[uh + 3][6]), d("1000"));
    // Control totals on the Summary, each with both sides.
    let sm = sheet(&book, "汇总");
    for (check, left) in [
        ("回款有效金额", "16900"),
        ("截止日前收款", "14900"),
        ("各客户期末余额合计", "2000"),
    ] {
        let r = find_row(sm, check).unwrap_or_else(|| panic!("{check}"));
        assert_eq!(num(&sm[r][1]), d(left), "{check}");
        assert_eq!(num(&sm[r][3]), d(left), "{check}");
        assert_eq!(text(&sm[r][4]), "一致");
    }
    // Every total row is a SUM whose saved value is right.
    assert!(every_sum_holds(&path) >= 15);
}

#[test]
fn bad_receipts_rows_are_rejected_with_their_excel_rows() {
    let (w, j) = reconcile(true);
    let rejected: Vec<(u64, &str)> = j["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .filter(|i| i["kind"] == "rejected" && i["file"] == "回款.xlsx")
        .map(|i| {
            (
                i["row"].as_u64().unwrap_or(0),
                i["sheet"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(rejected, vec![(12, "回款"), (13, "回款"), (14, "回款")]);
    let book = read_book(&w.join("out.xlsx"));
    let issues = sheet(&book, "数据问题");
    for row in ["12", "13", "14"] {
        assert!(
            issues
                .iter()
                .any(|r| text(&r[3]) == row && text(&r[0]) == "拒收"),
            "row {row} not on the Data Issues sheet"
        );
    }
}

// ---------------------------------------------------------------------------
// What finance users keep reporting

#[test]
fn aging_by_due_date_with_a_not_due_column_that_adds_up() {
    let w = Workdir::new();
    write_fixture(&w, true);
    let j = run(&w, "evaluate", &[]);
    let mut total = Decimal::ZERO;
    for (key, aging) in [
        ("K001", ["1700", "0", "0", "0", "0", "0"]),
        ("K002", ["0", "0", "800", "0", "0", "0"]),
        ("K003", ["0", "0", "0", "0", "0", "0"]),
    ] {
        let c = customer(&j, key);
        let got: Vec<Decimal> = [
            "not_due", "d1_30", "d31_60", "d61_90", "d91_180", "over_180",
        ]
        .iter()
        .map(|k| dec(&c["aging"][k]))
        .collect();
        assert_eq!(got, aging.map(d).to_vec(), "{key}");
        assert_eq!(got.iter().sum::<Decimal>(), dec(&c["outstanding"]), "{key}");
        total += dec(&c["outstanding"]);
    }
    assert_eq!(total, d("2500"));
}

#[test]
fn aging_by_invoice_date_when_the_rules_say_so() {
    let w = Workdir::new();
    write_fixture(&w, true);
    let rules = tierbook::rules::template_text("three-tier")
        .expect("template")
        .replace(
            "default_terms_days = 30",
            "aging_basis = \"invoice_date\"\ndefault_terms_days = 30",
        );
    std::fs::write(w.join("rules.toml"), rules).expect("rules");
    let j = run(&w, "evaluate", &["--rules", "rules.toml"]);
    // SO-5: due 05-10, invoiced 04-20: 71 days old → 61–90.
    let c = customer(&j, "K002");
    assert_eq!(dec(&c["aging"]["d61_90"]), d("800"));
    assert_eq!(dec(&c["aging"]["d31_60"]), d("0"));
    assert_eq!(c["max_days_overdue"], 51);
}

#[test]
fn a_partial_payment_ages_only_the_remainder_by_its_own_due_date() {
    // SO-5: 1000 less the credit note's 200; 800 aged from its due-date
    // column (05-10), 51 days.
    let (_, j) = reconcile(true);
    let so5 = &j["open_items"][1];
    assert_eq!(
        (dec(&so5["remaining"]), so5["days_past_due"].as_i64()),
        (d("800"), Some(51))
    );
}

#[test]
fn nothing_dated_after_as_of_moves_any_figure() {
    // The run with the rows after as_of gives the same statements, open
    // items and customers as the run without them; SO-4 stays open though
    // K001 paid 2000 on 07-05.
    let (_, with) = reconcile(true);
    let (_, without) = reconcile(false);
    assert_eq!(with["statements"], without["statements"]);
    assert_eq!(with["open_items"], without["open_items"]);
    let w = Workdir::new();
    write_fixture(&w, true);
    let a = run(&w, "evaluate", &[]);
    let w2 = Workdir::new();
    write_fixture(&w2, false);
    let b = run(&w2, "evaluate", &[]);
    assert_eq!(a["customers"], b["customers"]);
    assert_eq!(dec(&with["open_items"][0]["remaining"]), d("1700"));
}

#[test]
fn outputs_do_not_depend_on_the_clock() {
    // Two runs a second apart write the same bytes (the workbook's creation
    // time is the as-of date).
    let w = Workdir::new();
    write_fixture(&w, true);
    let mut first = Vec::new();
    for out in ["a", "b"] {
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let (x, j) = (format!("{out}.xlsx"), format!("{out}.json"));
        let mut args = vec!["reconcile"];
        args.extend(INPUTS);
        args.extend(["--as-of", "2025-06-30", "--out", &x, "--json", &j]);
        w.ok(&args);
        let bytes = (
            std::fs::read(w.join(&x)).expect("xlsx"),
            std::fs::read(w.join(&j)).expect("json"),
        );
        if first.is_empty() {
            first.push(bytes);
        } else {
            assert!(first[0] == bytes, "second run differs");
        }
    }
}

#[test]
fn a_credit_note_with_no_source_order_settles_fifo_and_is_no_payment() {
    // RT-2 takes 200 of SO-5 (the oldest open item) and shows as a credit
    // note; K002's on-time ratio counts only the receipt of 600 (on time).
    let (w, j) = reconcile(true);
    let k2 = statement(&j, "K002");
    assert_eq!(k2["lines"][3]["kind"], "credit_note");
    assert_eq!(k2["lines"][3]["source_order"], Value::Null);
    let book = read_book(&w.join("out.xlsx"));
    let st = sheet(&book, "对账单");
    let r = find_row(st, "RT-2").expect("RT-2 line");
    assert_eq!(text(&st[r][1]), "退货冲红");
    let e = run(&w, "evaluate", &[]);
    let c = customer(&e, "K002");
    assert_eq!(dec(&c["on_time_ratio"]), d("1"));
    assert_eq!(dec(&c["avg_days_to_pay"]), d("22"));
}

#[test]
fn one_receipt_over_many_invoices_leaves_no_zero_lines() {
    // K001's 6000 settles 1200 of SO-2, 4500 of SO-3 and waits 300 for
    // SO-4: Σ settled = 6000 and no open item is left at 0 or −0.00.
    let (w, j) = reconcile(true);
    let settled: Decimal = [d("1200"), d("4500"), dec(&j["open_items"][0]["settled"])]
        .iter()
        .sum();
    assert_eq!(settled, d("6000"));
    for o in j["open_items"].as_array().expect("open items") {
        assert!(dec(&o["remaining"]) > Decimal::ZERO, "{o}");
    }
    let book = read_book(&w.join("out.xlsx"));
    let open = sheet(&book, "未清项");
    let oh = find_row(open, "未清金额").expect("header");
    for row in &open[oh + 1..] {
        for c in row {
            assert_ne!(text(c), "-0", "{row:?}");
        }
    }
}

#[test]
fn advances_and_unapplied_money_are_visible_on_the_statement() {
    // K003 paid 1500 before its first order of 1000: closing −500 =
    // outstanding 0 − unapplied 500; the 500 is in no aging bucket.
    let (_, j) = reconcile(true);
    let k3 = statement(&j, "K003");
    assert_eq!(dec(&k3["closing"]), d("-500"));
    assert_eq!(dec(&k3["unapplied"]), d("500"));
    let aging: Decimal = k3["aging"]
        .as_object()
        .expect("aging")
        .values()
        .map(dec)
        .sum();
    assert_eq!(aging, Decimal::ZERO);
    assert_eq!(
        lines(k3),
        vec![
            line("2025-06-01", "receipt", "", "1500", "-1500"),
            line("2025-06-10", "invoice", "SO-6", "1000", "-500"),
        ]
    );
}

#[test]
fn credit_usage_counts_all_outstanding_needs_a_limit_and_flags_usage_over_1() {
    let w = Workdir::new();
    write_fixture(&w, true);
    let j = run(&w, "evaluate", &[]);
    // K001: 1700 not yet due / 10000; K002: 800 / 500; K003: no limit.
    assert_eq!(dec(&customer(&j, "K001")["credit_usage"]), d("0.17"));
    assert_eq!(dec(&customer(&j, "K002")["credit_usage"]), d("1.6"));
    assert_eq!(customer(&j, "K003")["credit_usage"], Value::Null);
    let reasons = customer(&j, "K002")["reasons"]
        .as_array()
        .expect("reasons")
        .clone();
    assert!(
        reasons
            .iter()
            .any(|r| r == "信用额度使用率 160% > 100%，超出信用额度"),
        "{reasons:?}"
    );
    let book = read_book(&w.join("out.xlsx"));
    let cr = sheet(&book, "资信等级");
    let r = find_row(cr, "K002").expect("K002 on the Credit sheet");
    assert!(cr[r].iter().any(|c| text(c) == "超额度"));
    let r1 = find_row(cr, "K001").expect("K001");
    assert!(!cr[r1].iter().any(|c| text(c) == "超额度"));
}

// ---------------------------------------------------------------------------
// The evaluation workbook with receipts

#[test]
fn evaluate_with_receipts_fills_the_receivable_metrics_and_sheets() {
    let w = Workdir::new();
    write_fixture(&w, true);
    let j = run(&w, "evaluate", &[]);
    let k1 = customer(&j, "K001");
    assert_eq!(dec(&k1["receipts"]), d("7800"));
    // 7800 / 9500, 2100 / 7800, 350700 / 7800, 1700 / 9500 × 365, rounded to six decimals.
    assert_eq!(dec(&k1["collection_rate"]), d("0.821053"));
    assert_eq!(dec(&k1["on_time_ratio"]), d("0.269231"));
    assert_eq!(dec(&k1["avg_days_to_pay"]), d("44.961538"));
    assert_eq!(dec(&k1["dso"]), d("65.315789"));
    assert_eq!(k1["max_days_overdue"], 0);
    assert_eq!(dec(&k1["overdue"]), d("0"));
    // Credit: on time 0.27 → 0 × 40, overdue 0 → 100 × 40, usage 0.17 → 100
    // × 20: 60 → 中; K002: 100 × 40 + 40 × 40 + 0 × 20 = 56 → 中; K003: no
    // limit, (100 × 40 + 100 × 40) / 80 = 100 → 优.
    assert_eq!(k1["credit_rating"], "中");
    assert_eq!(customer(&j, "K002")["credit_rating"], "中");
    assert_eq!(customer(&j, "K003")["credit_rating"], "优");
    assert_eq!(dec(&j["totals"]["receipts"]["unmatched"]), d("1000"));
    assert_eq!(j["unmatched_receipts"].as_array().map(Vec::len), Some(2));
    let path = w.join("out.xlsx");
    let book = read_book(&path);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "汇总",
            "评定表",
            "A类客户",
            "特殊政策",
            "资信等级",
            "新客户",
            "升级订单",
            "数据问题",
            "tierbook_rules"
        ]
    );
    // The Evaluation sheet's collection and overdue columns.
    let ev = sheet(&book, "评定表");
    let h = find_row(ev, "回款率").expect("header");
    let col = |name: &str| ev[h].iter().position(|c| text(c) == name).expect(name);
    let r = find_row(ev, "K002").expect("K002");
    assert_eq!(num(&ev[r][col("逾期金额")]), d("800"));
    assert_eq!(num(&ev[r][col("最长逾期天数")]), d("51"));
    // The Special Policy sheet's payment record: K001 pays late → review.
    let sp = sheet(&book, "特殊政策");
    let r = find_row(sp, "K001").expect("K001 special policy");
    assert!(sp[r].iter().any(|c| text(c) == "复核"));
    assert!(sp[r]
        .iter()
        .any(|c| matches!(c, Data::Float(f) if (*f - 7800.0).abs() < 1e-9)));
    // The Summary's receipts control totals.
    let sm = sheet(&book, "汇总");
    let r = find_row(sm, "截止日前收款").expect("receipts control");
    assert_eq!((num(&sm[r][1]), num(&sm[r][3])), (d("14900"), d("14900")));
    assert!(every_sum_holds(&path) >= 5);
}

/// A ledger with list prices: BIG (A) and S (C), whose orders have price
/// indexes 1.1 (paid on time), 1.2 (paid late), 1.0 and exactly 1.05
/// (order 00123, paid on time).
#[test]
fn order_upgrades_list_orders_paid_on_time_with_a_high_price_index() {
    let w = Workdir::new();
    let header = [
        "日期",
        "单号",
        "客户编码",
        "客户名称",
        "数量",
        "标准价",
        "金额",
    ];
    let row = |date: C, order: &'static str, id: &'static str, qty: f64, amount: f64| {
        vec![date, S(order), S(id), S(id), N(qty), N(100.0), N(amount)]
    };
    write_xlsx(
        &w.join("台账.xlsx"),
        &[(
            "销售",
            vec![
                header.iter().map(|h| S(h)).collect(),
                row(D(2025, 2, 1), "B-1", "BIG", 500.0, 50000.0),
                row(D(2025, 3, 1), "XS-0001", "S", 10.0, 1100.0),
                row(D(2025, 3, 5), "XS-0002", "S", 10.0, 1200.0),
                row(D(2025, 3, 10), "XS-0003", "S", 10.0, 1000.0),
                row(D(2025, 4, 1), "00123", "S", 10.0, 1050.0),
            ],
        )],
    );
    let r = |date: C, id: &'static str, amount: f64, order: &'static str| {
        vec![date, S(id), N(amount), S(order)]
    };
    write_xlsx(
        &w.join("回款.xlsx"),
        &[(
            "回款",
            vec![
                vec![S("回款日期"), S("客户编码"), S("回款金额"), S("单号")],
                r(D(2025, 2, 20), "BIG", 50000.0, "B-1"),
                r(D(2025, 3, 20), "S", 1100.0, "XS-0001"),
                r(D(2025, 5, 20), "S", 1200.0, "XS-0002"),
                r(D(2025, 3, 25), "S", 1000.0, "XS-0003"),
                r(D(2025, 4, 25), "S", 1050.0, "00123"),
            ],
        )],
    );
    w.ok(&[
        "evaluate",
        "台账.xlsx",
        "--receipts",
        "回款.xlsx",
        "--as-of",
        "2025-06-30",
        "--out",
        "e.xlsx",
    ]);
    let path = w.join("e.xlsx");
    let book = read_book(&path);
    let up = sheet(&book, "升级订单");
    let h = find_row(up, "订单号").expect("header");
    let rows = table_after(up, h);
    let orders: Vec<&str> = rows.iter().map(|r| r[6].as_str()).collect();
    assert_eq!(orders, vec!["XS-0001", "00123", ""]);
    assert!(
        matches!(&up[h + 2][6], Data::String(s) if s == "00123"),
        "order numbers as text"
    );
    assert_eq!(rows[0][5], "C");
    assert_eq!(num(&up[h + 3][9]), d("2150"));
    assert!(every_sum_holds(&path) >= 1);
}

#[test]
fn zh_tw_and_english_reconciliation_workbooks() {
    for (lang, sheets) in [
        (
            "zh-TW",
            [
                "彙總",
                "對賬總表",
                "對賬單",
                "未清項",
                "未匹配回款",
                "資料問題",
            ],
        ),
        (
            "en",
            [
                "Summary",
                "Statements",
                "Statement",
                "Open Items",
                "Unmatched Receipts",
                "Data Issues",
            ],
        ),
    ] {
        let w = Workdir::new();
        write_fixture(&w, true);
        run(&w, "reconcile", &["--lang", lang]);
        let book = read_book(&w.join("out.xlsx"));
        let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, sheets.to_vec(), "{lang}");
    }
}

// ---------------------------------------------------------------------------
// The samples

#[test]
fn bundled_samples_reconcile_with_the_finance_example() {
    let w = Workdir::new();
    let s = repo().join("samples");
    let (ledger, receipts, master) = (
        s.join("销售台账.xlsx"),
        s.join("回款台账.xlsx"),
        s.join("客户档案.xlsx"),
    );
    w.ok(&[
        "reconcile",
        ledger.to_str().expect("path"),
        "--receipts",
        receipts.to_str().expect("path"),
        "--customers",
        master.to_str().expect("path"),
        "--out",
        "对账.xlsx",
        "--json",
        "对账.json",
    ]);
    let j = w.json("对账.json");
    let t = &j["totals"]["receipts"];
    assert_eq!(
        dec(&t["received"]),
        dec(&t["applied"]) + dec(&t["unapplied"]) + dec(&t["unmatched"])
    );
    assert!(every_sum_holds(&w.join("对账.xlsx")) > 5);
    // What the README's finance example says of the samples.
    let un = &j["unmatched_receipts"][0];
    assert_eq!(
        (un["customer"].as_str(), dec(&un["amount"])),
        (Some("KH9001"), d("8800"))
    );
    assert!(dec(&t["after_as_of"]) > Decimal::ZERO);
    let statements = j["statements"].as_array().expect("statements");
    assert!(statements
        .iter()
        .any(|s| dec(&s["unapplied"]) > Decimal::ZERO));
    let kinds: Vec<&str> = statements
        .iter()
        .flat_map(|s| s["lines"].as_array().into_iter().flatten())
        .filter_map(|l| l["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"credit_note"));
    w.ok(&[
        "evaluate",
        ledger.to_str().expect("path"),
        "--receipts",
        receipts.to_str().expect("path"),
        "--customers",
        master.to_str().expect("path"),
        "--out",
        "评定表.xlsx",
        "--json",
        "评定表.json",
    ]);
    let e = w.json("评定表.json");
    let over: Vec<&Value> = e["customers"]
        .as_array()
        .expect("customers")
        .iter()
        .filter(|c| c["credit_usage"].as_f64().is_some_and(|u| u > 1.0))
        .collect();
    assert_eq!(over.len(), 1, "one customer over its credit limit");
}

#[test]
fn generated_sample_receipts_match_the_generators_records() {
    let w = Workdir::new();
    let r = generate(
        &w.join("set"),
        &SampleOptions {
            seed: 21,
            ..SampleOptions::default()
        },
    )
    .expect("sample");
    let file = |kind: &str| {
        r.files
            .iter()
            .find(|f| f.kind == kind)
            .map(|f| f.path.to_str().expect("utf-8").to_string())
            .expect(kind)
    };
    let (ledger, receipts, master) = (file("ledger"), file("receipts"), file("customers"));
    w.ok(&[
        "evaluate",
        &ledger,
        "--receipts",
        &receipts,
        "--customers",
        &master,
        "--out",
        "e.xlsx",
        "--json",
        "e.json",
    ]);
    let j = w.json("e.json");
    let rr = r.receipts.as_ref().expect("receipts report");
    let t = &j["totals"]["receipts"];
    assert_eq!(t["accepted"].as_u64(), Some(rr.rows as u64));
    assert_eq!(dec(&t["accepted_amount"]), rr.accepted_amount);
    assert_eq!(dec(&t["received"]), rr.received);
    assert_eq!(dec(&t["after_as_of"]), rr.after_as_of);
    assert_eq!(dec(&t["unmatched"]), rr.unmatched);
    assert!(rr.after_as_of > Decimal::ZERO);
    let rows: Vec<u64> = j["unmatched_receipts"]
        .as_array()
        .expect("unmatched")
        .iter()
        .filter_map(|u| u["row"].as_u64())
        .collect();
    assert_eq!(
        rows,
        rr.unmatched_rows
            .iter()
            .map(|&x| u64::from(x))
            .collect::<Vec<_>>()
    );
    for e in &r.customers {
        assert_eq!(
            dec(&customer(&j, &e.key)["receipts"]),
            e.window_receipts,
            "{}",
            e.key
        );
    }
}

#[test]
fn large_sample_with_receipts_as_csv_matches_the_generators_records() {
    let w = Workdir::new();
    let r = generate(
        &w.join("big"),
        &SampleOptions {
            rows: Some(6_000),
            seed: 3,
            csv: true,
            receipts: true,
            ..SampleOptions::default()
        },
    )
    .expect("sample");
    let path = |i: usize| r.files[i].path.to_str().expect("utf-8").to_string();
    assert!(path(1).ends_with("回款台账.csv"));
    w.ok(&[
        "reconcile",
        &path(0),
        "--receipts",
        &path(1),
        "--out",
        "r.xlsx",
        "--json",
        "r.json",
        "--quiet",
    ]);
    let j = w.json("r.json");
    let rr = r.receipts.as_ref().expect("receipts report");
    let t = &j["totals"]["receipts"];
    assert_eq!(dec(&t["received"]), rr.received);
    assert_eq!(dec(&t["unmatched"]), rr.unmatched);
    let received: Decimal = j["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .map(|s| dec(&s["received"]))
        .sum();
    let expected: Decimal = r.customers.iter().map(|c| c.window_receipts).sum();
    assert_eq!(received, expected);
}

/// Enough customers for two statement sheets (1,023 statements to a sheet)
/// and enough lines for both to be written on threads of their own; the
/// receipts read while the ledger is (the default) or after it
/// (`--threads 1`) give the same bytes.
#[test]
fn statements_over_two_sheets_match_the_generators_records() {
    let w = Workdir::new();
    let r = generate(
        &w.join("big"),
        &SampleOptions {
            rows: Some(30_000),
            customers: Some(1_600),
            seed: 8,
            receipts: true,
            ..SampleOptions::default()
        },
    )
    .expect("sample");
    let path = |i: usize| r.files[i].path.to_str().expect("utf-8").to_string();
    for (out, threads) in [("r1", "1"), ("r0", "0")] {
        w.ok(&[
            "reconcile",
            &path(0),
            "--receipts",
            &path(1),
            "--out",
            &format!("{out}.xlsx"),
            "--json",
            &format!("{out}.json"),
            "--quiet",
            "--threads",
            threads,
        ]);
    }
    for f in ["r0.xlsx", "r0.json"] {
        let read = |f: &str| std::fs::read(w.join(f)).expect("output");
        assert!(read(f) == read(&f.replace('0', "1")), "{f} differs");
    }
    let book = read_book(&w.join("r0.xlsx"));
    let statements: Vec<&(String, Vec<Vec<Data>>)> = book
        .iter()
        .filter(|(n, _)| n.starts_with("对账单"))
        .collect();
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(statements.len(), 2, "statement sheets: {names:?}");
    // Each statement's period total row: invoiced and received as SUMs
    // whose saved results add up to the generator's window figures.
    let (mut invoiced, mut received, mut count) = (Decimal::ZERO, Decimal::ZERO, 0);
    for (_, rows) in &statements {
        for row in rows
            .iter()
            .filter(|r| r.get(1).map(text).as_deref() == Some("本期合计"))
        {
            invoiced += num(&row[3]);
            received += num(&row[4]);
            count += 1;
        }
    }
    let j = w.json("r0.json");
    assert_eq!(count, j["statements"].as_array().expect("statements").len());
    assert!(count > 1_023, "{count} statements");
    let sales: Decimal = r.customers.iter().map(|c| c.window_sales).sum();
    let receipts: Decimal = r.customers.iter().map(|c| c.window_receipts).sum();
    assert_eq!((invoiced, received), (sales, receipts));
}
