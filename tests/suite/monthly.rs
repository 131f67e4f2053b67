//! `tierbook monthly` (SPEC 7.4): new clients, formal evaluations due by the
//! end of next month (and past due), top-tier alerts, the 13-month sales
//! table and grade changes, against figures worked out by hand.

use calamine::Data;

use crate::util::C::{self, D, N, S};
use crate::util::{find_row, read_book, sheet, text, write_xlsx, Workdir};

use crate::meeting::RULES;

/// As of 2025-10-31 (window 2024-11-01 … 2025-10-31):
///
/// | customer | lines | official | computed |
/// |---|---|---|---|
/// | T1 | 2024-08-15 50,000; 2024-10-15 50,000; 2025-08-15 30,000; 2025-10-15 30,000 | A | B (60,000) |
/// | T2 | 2024-09-15 100,000; 2025-09-15 70,000 | A | B |
/// | T3 | 2024-09-15 100,000; 2025-01-15 200,000; 2025-09-15 10,000 | B | A |
/// | T4 | 2025-03-15 150,000 | — | A |
/// | N1…N4 | 2025-10-01 1,000 each; first dates from the master | — | C |
///
/// T1: last three months (2025-07-31, 2025-10-31] 60,000 against 100,000 in
/// (2024-07-31, 2024-10-31]: −40% → alert. T2: 70,000 against 100,000,
/// exactly −30% → no alert. N1 2025-05-31 + 6 months = 2025-11-30 (the last
/// day of next month: due); N2 2025-06-01 → 2025-12-01 (not yet); N3
/// 2025-04-30 → 2025-10-30 (past due, never graded); N4 2025-05-01 →
/// 2025-11-01; T4, first seen 2025-03-15, fell due 2025-09-15 ungraded.
fn fixture(w: &Workdir) {
    let header = ["日期", "客户编码", "客户名称", "区域", "金额"];
    let mut rows: Vec<Vec<C>> = vec![header.iter().map(|h| S(h)).collect()];
    let mut line = |y: u16, m: u8, d: u8, id: &'static str, amount: f64| {
        rows.push(vec![D(y, m, d), S(id), S(id), S("华东"), N(amount)]);
    };
    line(2024, 8, 15, "T1", 50_000.0);
    line(2024, 10, 15, "T1", 50_000.0);
    line(2025, 8, 15, "T1", 30_000.0);
    line(2025, 10, 15, "T1", 30_000.0);
    line(2024, 9, 15, "T2", 100_000.0);
    line(2025, 9, 15, "T2", 70_000.0);
    line(2024, 9, 15, "T3", 100_000.0);
    line(2025, 1, 15, "T3", 200_000.0);
    line(2025, 9, 15, "T3", 10_000.0);
    line(2025, 3, 15, "T4", 150_000.0);
    for id in ["N1", "N2", "N3", "N4"] {
        line(2025, 10, 1, id, 1_000.0);
    }
    write_xlsx(&w.join("ledger.xlsx"), &[("台账", rows)]);
    let master = vec![
        vec![S("客户编码"), S("客户名称"), S("首次合作日期")],
        vec![S("N1"), S("N1"), D(2025, 5, 31)],
        vec![S("N2"), S("N2"), D(2025, 6, 1)],
        vec![S("N3"), S("N3"), D(2025, 4, 30)],
        vec![S("N4"), S("N4"), D(2025, 5, 1)],
    ];
    write_xlsx(&w.join("master.xlsx"), &[("客户档案", master)]);
    let previous = vec![
        vec![S("客户编码"), S("最终等级")],
        vec![S("T1"), S("A")],
        vec![S("T2"), S("A")],
        vec![S("T3"), S("B")],
    ];
    write_xlsx(&w.join("previous.xlsx"), &[("最终等级", previous)]);
    std::fs::write(w.join("rules.toml"), RULES).expect("rules");
}

fn keys(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|c| c["key"].as_str().expect("key").to_string())
        .collect()
}

fn run(w: &Workdir, as_of: &str, previous: bool) -> serde_json::Value {
    let mut args = vec![
        "monthly",
        "ledger.xlsx",
        "--customers",
        "master.xlsx",
        "--rules",
        "rules.toml",
        "--as-of",
        as_of,
        "--out",
        "m.xlsx",
        "--json",
        "m.json",
        "--force",
        "--quiet",
    ];
    if previous {
        args.extend(["--previous", "previous.xlsx"]);
    }
    w.ok(&args);
    w.json("m.json")
}

#[test]
fn monthly_follow_up_as_worked_out_by_hand() {
    let w = Workdir::new();
    fixture(&w);
    let j = run(&w, "2025-10-31", true);
    // The head every command writes, then the sheets in snake case.
    let names: Vec<&str> = j
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let at = |k: &str| names.iter().position(|n| *n == k).expect(k);
    assert!(at("totals") < at("new_clients"));
    assert!(
        at("new_clients") < at("formal_evaluation_due")
            && at("formal_evaluation_due") < at("alerts")
    );

    assert_eq!(keys(&j["new_clients"]), ["N1", "N2", "N4"]);
    let n1 = &j["new_clients"][0];
    assert_eq!(
        n1["formal_evaluation_date"], "2025-11-30",
        "05-31 + 6 months"
    );
    assert_eq!(n1["provisional_grade"], "C");
    assert!(n1["to_next_tier"].as_str().is_some_and(|s| !s.is_empty()));

    let due = &j["formal_evaluation_due"];
    // T4 (first sale 2025-03-15, due 2025-09-15) has never been graded either.
    assert_eq!(
        keys(due),
        ["T4", "N3", "N4", "N1"],
        "N2 falls due on the first day of the month after"
    );
    let fields = |i: usize| {
        (
            due[i]["formal_evaluation_date"]
                .as_str()
                .expect("date")
                .to_string(),
            due[i]["days_to_due"].as_i64().expect("days"),
            due[i]["status"].as_str().expect("status").to_string(),
        )
    };
    assert_eq!(fields(0), ("2025-09-15".into(), -46, "overdue".into()));
    assert_eq!(fields(1), ("2025-10-30".into(), -1, "overdue".into()));
    assert_eq!(fields(2), ("2025-11-01".into(), 1, "due".into()));
    assert_eq!(fields(3), ("2025-11-30".into(), 30, "due".into()));

    assert_eq!(
        keys(&j["alerts"]),
        ["T1"],
        "T2 is down exactly 30%; T3 is not top tier"
    );
    let a = &j["alerts"][0];
    assert_eq!(a["last_three_months"], 60000);
    assert_eq!(a["same_months_year_before"], 100000);
    assert_eq!(a["change"], -0.4);
    assert_eq!(a["alerts"], serde_json::json!(["sales_drop"]));
    assert_eq!(a["official_grade"], "A");

    let ms = &j["monthly_sales"];
    assert_eq!(ms["months"][0], "2024-10");
    assert_eq!(ms["months"][12], "2025-10");
    assert_eq!(keys(&ms["customers"]), ["T4", "T2", "T1"]);
    let t1 = &ms["customers"][2];
    let want = [50000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 30000, 0, 30000];
    for (k, v) in want.iter().enumerate() {
        assert_eq!(t1["sales"][k], *v, "month {k}");
    }
    assert_eq!(t1["total"], 110000);

    let changes = &j["grade_changes"];
    assert_eq!(keys(changes), ["T3", "T2", "T1"]);
    assert_eq!(changes[0]["official_grade"], "B");
    assert_eq!(changes[0]["change"], "up");

    // The workbook: its sheets, the alert sentence, the 13-month total row.
    let book = read_book(&w.join("m.xlsx"));
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "概览",
            "新客户",
            "正式评定",
            "重点客户预警",
            "月度销售",
            "等级变化",
            "数据问题"
        ]
    );
    let alerts = sheet(&book, "重点客户预警");
    let r = find_row(alerts, "T1").expect("T1");
    assert!(alerts[r]
        .iter()
        .any(|c| text(c) == "近三个月销售额同比下降 40%"));
    let sales = sheet(&book, "月度销售");
    let total = find_row(sales, "合计").expect("total row");
    let h = find_row(sales, "2025-10").expect("header");
    let c = sales[h]
        .iter()
        .position(|d| text(d) == "2025-10")
        .expect("column");
    assert_eq!(
        sales[total][c],
        Data::Float(30_000.0),
        "T1 30,000 + T2 0 + T4 0"
    );
}

#[test]
fn a_client_first_seen_on_may_31_is_provisional_until_november_30() {
    let w = Workdir::new();
    fixture(&w);
    let j = run(&w, "2025-11-29", true);
    assert!(keys(&j["new_clients"]).contains(&"N1".to_string()));
    let j = run(&w, "2025-11-30", true);
    assert!(
        !keys(&j["new_clients"]).contains(&"N1".to_string()),
        "2025-05-31 + 6 months = 2025-11-30"
    );
}

#[test]
fn without_official_grades_past_due_evaluations_are_not_checked() {
    let w = Workdir::new();
    fixture(&w);
    let j = run(&w, "2025-10-31", false);
    assert_eq!(keys(&j["formal_evaluation_due"]), ["N4", "N1"]);
    assert_eq!(j["grade_changes"], serde_json::json!([]));
    // Top tier is the computed grade: T3 and T4 (A); T3 fell from 100,000 to 10,000.
    assert_eq!(keys(&j["monthly_sales"]["customers"]), ["T3", "T4"]);
    assert_eq!(keys(&j["alerts"]), ["T3"]);
    let book = read_book(&w.join("m.xlsx"));
    let overview = sheet(&book, "概览");
    assert!(find_row(
        overview,
        "未提供正式等级（上期等级），未核查已到期未评定的客户。"
    )
    .is_some());
}

// ---------------------------------------------------------------------------
// With receipts: overdue alerts and the receivables aging sheet

/// As of 2025-10-31, built-in terms of 30 days, aging edges 30/60/90/180,
/// [`RULES`] (A from 100,000), no official grades (top tier = computed A):
///
/// | customer | invoices (date → due) | receipts | open at as-of, days past due |
/// |---|---|---|---|
/// | P1 | 2025-08-01 120,000 → 08-31 | — | 120,000, 61 days (31–60 ends at 60) |
/// | P2 | 2025-08-02 120,000 → 09-01 | — | 120,000, 60 days |
/// | P3 | 2025-03-01 20,000 → 03-31; 2025-09-20 30,000 → 10-20; 2025-10-15 80,000 → 11-14 | 2025-10-20 5,000 | 15,000 at 214 days (FIFO: the oldest); 30,000 at 11; 80,000 not due |
/// | P4 | 2025-05-10 150,000 → 06-09 | 2025-06-01 150,000 | nothing |
/// | Q1 | 2025-06-23 10,000 → 07-23 | — | 10,000, 100 days (tier C) |
///
/// Days: 08-31 → 09-30 is 30, → 10-31 is 31: 61. 09-01 → 10-01 30, → 10-31
/// 30: 60. 03-31 → 10-31: 30 + 31 + 30 + 31 + 31 + 30 + 31 = 214. 10-20 →
/// 10-31: 11. 07-23 → 10-31: 8 + 31 + 30 + 31 = 100.
fn receipts_fixture(w: &Workdir) {
    let header = ["日期", "客户编码", "客户名称", "单号", "金额"];
    let mut rows: Vec<Vec<C>> = vec![header.iter().map(|h| S(h)).collect()];
    let mut line = |(y, m, d): (u16, u8, u8), id: &'static str, order: &'static str, amount| {
        rows.push(vec![D(y, m, d), S(id), S(id), S(order), N(amount)]);
    };
    line((2025, 8, 1), "P1", "SO-1", 120_000.0);
    line((2025, 8, 2), "P2", "SO-2", 120_000.0);
    line((2025, 3, 1), "P3", "SO-31", 20_000.0);
    line((2025, 9, 20), "P3", "SO-32", 30_000.0);
    line((2025, 10, 15), "P3", "SO-33", 80_000.0);
    line((2025, 5, 10), "P4", "SO-4", 150_000.0);
    line((2025, 6, 23), "Q1", "SO-5", 10_000.0);
    write_xlsx(&w.join("ledger.xlsx"), &[("台账", rows)]);
    let receipts = vec![
        vec![S("回款日期"), S("客户编码"), S("客户名称"), S("回款金额")],
        vec![D(2025, 10, 20), S("P3"), S("P3"), N(5_000.0)],
        vec![D(2025, 6, 1), S("P4"), S("P4"), N(150_000.0)],
    ];
    write_xlsx(&w.join("receipts.xlsx"), &[("回款", receipts)]);
    std::fs::write(w.join("rules.toml"), RULES).expect("rules");
}

fn run_receipts(w: &Workdir, receipts: bool) -> serde_json::Value {
    let mut args = vec![
        "monthly",
        "ledger.xlsx",
        "--rules",
        "rules.toml",
        "--as-of",
        "2025-10-31",
        "--out",
        "m.xlsx",
        "--json",
        "m.json",
        "--force",
        "--quiet",
    ];
    if receipts {
        args.extend(["--receipts", "receipts.xlsx"]);
    }
    w.ok(&args);
    w.json("m.json")
}

#[test]
fn with_receipts_an_invoice_more_than_60_days_overdue_is_an_alert_with_its_days() {
    let w = Workdir::new();
    receipts_fixture(&w);
    let j = run_receipts(&w, true);
    let alerts = &j["alerts"];
    let mut listed = keys(alerts);
    listed.sort();
    assert_eq!(
        listed,
        ["P1", "P3"],
        "P2 is exactly 60 days overdue; P4 paid; Q1 is not top tier"
    );
    let alert = |key: &str| {
        (alerts.as_array().expect("alerts"))
            .iter()
            .find(|a| a["key"] == key)
            .expect(key)
    };
    assert_eq!(alert("P1")["max_days_overdue"], 61);
    assert_eq!(alert("P1")["alerts"], serde_json::json!(["overdue"]));
    assert_eq!(alert("P3")["max_days_overdue"], 214);
    // P3's overdue: the 15,000 left of SO-31 and the 30,000 of SO-32.
    assert_eq!(alert("P3")["overdue"], 45000);

    let book = read_book(&w.join("m.xlsx"));
    let sheet_alerts = sheet(&book, "重点客户预警");
    let r = find_row(sheet_alerts, "P1").expect("P1");
    assert!(sheet_alerts[r]
        .iter()
        .any(|c| text(c) == "最长逾期 61 天（超过 60 天）"));
    assert!(find_row(sheet_alerts, "P2").is_none());
}

#[test]
fn with_receipts_the_aging_sheet_holds_each_customers_buckets_and_their_sums() {
    let w = Workdir::new();
    receipts_fixture(&w);
    let j = run_receipts(&w, true);
    // outstanding, not due, 1–30, 31–60, 61–90, 91–180, over 180, longest overdue
    let want: [(&str, [i64; 8]); 4] = [
        ("P1", [120_000, 0, 0, 0, 120_000, 0, 0, 61]),
        ("P2", [120_000, 0, 0, 120_000, 0, 0, 0, 60]),
        ("P3", [125_000, 80_000, 30_000, 0, 0, 0, 15_000, 214]),
        ("Q1", [10_000, 0, 0, 0, 0, 10_000, 0, 100]),
    ];
    let mut listed = keys(&j["receivables_aging"]);
    listed.sort();
    assert_eq!(listed, ["P1", "P2", "P3", "Q1"], "P4 owes nothing");

    let book = read_book(&w.join("m.xlsx"));
    let aging = sheet(&book, "应收账龄");
    let h = find_row(aging, "应收余额").expect("header");
    let headers = [
        "应收余额",
        "未到期",
        "逾期1–30天",
        "逾期31–60天",
        "逾期61–90天",
        "逾期91–180天",
        "逾期180天以上",
        "最长逾期天数",
    ];
    let cols: Vec<usize> = headers
        .iter()
        .map(|name| {
            (aging[h].iter().position(|c| text(c) == *name)).unwrap_or_else(|| panic!("{name}"))
        })
        .collect();
    for (id, figures) in &want {
        let r = find_row(aging, id).expect(id);
        for (k, &c) in cols.iter().enumerate() {
            assert_eq!(
                aging[r][c],
                Data::Float(figures[k] as f64),
                "{id} {}",
                headers[k]
            );
        }
    }
    // The total row: 375,000 = 80,000 + 30,000 + 120,000 + 120,000 + 10,000 + 15,000.
    let total = find_row(aging, "合计").expect("total row");
    let sums = [375_000, 80_000, 30_000, 120_000, 120_000, 10_000, 15_000];
    for (k, &s) in sums.iter().enumerate() {
        assert_eq!(
            aging[total][cols[k]],
            Data::Float(s as f64),
            "{}",
            headers[k]
        );
    }
    // Every SUM of the workbook (the aging total row's seven among them)
    // has the sum of its cells as its saved result.
    assert!(crate::finance::every_sum_holds(&w.join("m.xlsx")) >= 7);
}

#[test]
fn without_receipts_there_is_no_aging_sheet_and_no_overdue_alert() {
    let w = Workdir::new();
    receipts_fixture(&w);
    let j = run_receipts(&w, false);
    assert!(j.get("receivables_aging").is_none());
    assert_eq!(keys(&j["alerts"]), Vec::<String>::new());
    let book = read_book(&w.join("m.xlsx"));
    assert!(book.iter().all(|(name, _)| name != "应收账龄"));
}
