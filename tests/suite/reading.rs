//! Reading real exports (SPEC 10): headers and tables, totals rows, CSV
//! records, identity, currencies and messages, each class built here and
//! run through the binary. Every expected figure is worked out by hand in
//! the comments; every accepted run's control totals (SPEC 7.6) are checked.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;

use crate::util::{customer, d, dec, Workdir};

/// A cell of a fixture sheet.
#[derive(Debug, Clone)]
enum X {
    S(&'static str),
    T(String),
    N(f64),
    D(u16, u8, u8),
    /// A number shown as a date (a serial of any size).
    ND(f64),
    E,
}

use X::{D, E, N, S};

/// A fixture sheet: its rows, merged ranges (first row, first column, last
/// row, last column, 0-based; the first cell's text is the value), hidden
/// rows and whether the sheet is hidden.
#[derive(Default)]
struct Sheet {
    name: &'static str,
    rows: Vec<Vec<X>>,
    merges: Vec<(u32, u16, u32, u16)>,
    hidden_rows: Vec<u32>,
    hidden: bool,
    /// Columns left empty before the first cell of every row.
    offset: u16,
}

fn sheet(name: &'static str, rows: Vec<Vec<X>>) -> Sheet {
    Sheet {
        name,
        rows,
        ..Sheet::default()
    }
}

fn write_book(path: &std::path::Path, sheets: &[Sheet]) {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(s.name).expect("sheet name");
        for (r, row) in s.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16 + s.offset);
                let merged = s.merges.iter().find(|m| (m.0, m.1) == (r, c));
                match (cell, merged) {
                    (S(t), Some(m)) => {
                        ws.merge_range(m.0, m.1, m.2, m.3, t, &Format::new())
                            .expect("merge");
                    }
                    (S(t), None) => {
                        ws.write_string(r, c, *t).expect("write");
                    }
                    (X::T(t), _) => {
                        ws.write_string(r, c, t).expect("write");
                    }
                    (N(n), _) => {
                        ws.write_number(r, c, *n).expect("write");
                    }
                    (D(y, m, d), _) => {
                        let dt = ExcelDateTime::from_ymd(*y, *m, *d).expect("date");
                        ws.write_datetime_with_format(r, c, &dt, &date)
                            .expect("write");
                    }
                    (X::ND(n), _) => {
                        ws.write_number_with_format(r, c, *n, &date).expect("write");
                    }
                    (E, _) => {}
                }
            }
        }
        for &r in &s.hidden_rows {
            ws.set_row_hidden(r).expect("hide row");
        }
        if s.hidden {
            ws.set_hidden(true);
        }
    }
    wb.save(path).expect("save fixture");
}

/// Runs `evaluate` on `args` with a JSON output, exit 0, and returns the JSON
/// after checking the control totals of SPEC 7.6.
fn evaluate(w: &Workdir, args: &[&str]) -> Value {
    let mut all = vec!["evaluate"];
    all.extend_from_slice(args);
    all.extend_from_slice(&[
        "--out", "out.xlsx", "--json", "out.json", "--force", "--quiet",
    ]);
    w.ok(&all);
    let j = w.json("out.json");
    controls_hold(&j);
    j
}

/// SPEC 7.6: rows read = accepted + rejected + totals rows; Σ accepted =
/// in window + before window + after as-of; Σ in window = Σ customer sales.
fn controls_hold(j: &Value) {
    let t = &j["totals"]["ledger"];
    let n = |k: &str| t[k].as_u64().unwrap_or_else(|| panic!("{k}"));
    assert_eq!(
        n("rows_read"),
        n("accepted") + n("rejected") + n("totals_rows")
    );
    assert_eq!(
        dec(&t["accepted_amount"]),
        dec(&t["in_window"]) + dec(&t["before_window"]) + dec(&t["after_as_of"])
    );
    assert_eq!(dec(&t["in_window"]), dec(&t["customer_sales"]));
    let sum: rust_decimal::Decimal = j["customers"]
        .as_array()
        .expect("customers")
        .iter()
        .map(|c| dec(&c["sales"]))
        .sum();
    assert_eq!(sum, dec(&t["customer_sales"]));
}

/// (rows read, accepted, rejected, totals rows) of the ledger.
fn counts(j: &Value) -> (u64, u64, u64, u64) {
    let t = &j["totals"]["ledger"];
    let n = |k: &str| t[k].as_u64().unwrap_or(u64::MAX);
    (
        n("rows_read"),
        n("accepted"),
        n("rejected"),
        n("totals_rows"),
    )
}

/// The issues of one kind: (sheet, row, column, message).
fn issues(j: &Value, kind: &str) -> Vec<(String, Option<u64>, Option<String>, String)> {
    j["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .filter(|i| i["kind"] == kind)
        .map(|i| {
            (
                i["sheet"].as_str().unwrap_or_default().to_string(),
                i["row"].as_u64(),
                i["column"].as_str().map(str::to_string),
                i["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// An expected issue, as [`issues`] lists it.
fn issue(
    sheet: &str,
    row: u64,
    column: Option<&str>,
    message: &str,
) -> (String, Option<u64>, Option<String>, String) {
    (
        sheet.to_string(),
        Some(row),
        column.map(str::to_string),
        message.to_string(),
    )
}

fn sales(j: &Value, key: &str) -> rust_decimal::Decimal {
    dec(&customer(j, key)["sales"])
}

fn keys(j: &Value) -> Vec<String> {
    let mut k: Vec<String> = j["customers"]
        .as_array()
        .expect("customers")
        .iter()
        .map(|c| c["key"].as_str().unwrap_or_default().to_string())
        .collect();
    k.sort();
    k
}

/// A rules file: the built-in three tiers with `extra` appended.
fn rules_with(w: &Workdir, extra: &str) -> String {
    let base = std::fs::read_to_string(crate::util::repo().join("templates/three-tier.toml"))
        .expect("template");
    std::fs::write(w.join("rules.toml"), format!("{base}\n{extra}\n")).expect("rules");
    "rules.toml".to_string()
}

// ------------------------------------------------------------------ headers and tables

#[test]
fn units_in_brackets_after_a_header_are_ignored() {
    let w = Workdir::new();
    write_book(
        &w.join("l.xlsx"),
        &[sheet(
            "3月",
            vec![
                vec![S("销售台账（单位：元）")],
                vec![
                    S("日期"),
                    S("客户编码"),
                    S("客户名称"),
                    S("数量(件)"),
                    S("单价（元）"),
                    S("金额（元）"),
                ],
                vec![
                    D(2025, 3, 3),
                    S("C1"),
                    S("华东机械"),
                    N(2.0),
                    N(50.0),
                    N(100.0),
                ],
                vec![
                    D(2025, 3, 4),
                    S("C2"),
                    S("南方五金"),
                    N(3.0),
                    N(10.0),
                    N(30.0),
                ],
                vec![S("合计"), E, E, N(5.0), E, N(130.0)],
            ],
        )],
    );
    let j = evaluate(&w, &["l.xlsx"]);
    assert_eq!(counts(&j), (3, 2, 0, 1));
    assert_eq!(sales(&j, "C1"), d("100"));
    assert_eq!(dec(&customer(&j, "C2")["quantity"]), d("3"));
    let columns = &j["inputs"][0]["sheets"][0]["columns"];
    assert_eq!(columns["amount"], "金额(元)");
    assert_eq!(columns["quantity"], "数量(件)");
    assert!(issues(&j, "totals_mismatch").is_empty(), "130 = 100 + 30");
}

#[test]
fn two_columns_for_one_field_stop_the_run_until_the_rules_pick_one() {
    let w = Workdir::new();
    let rows = vec![
        vec![S("日期"), S("客户名称"), S("金额"), S("价税合计")],
        vec![D(2025, 3, 3), S("华东机械"), N(100.0), N(113.0)],
        vec![D(2025, 3, 4), S("南方五金"), N(200.0), N(226.0)],
    ];
    write_book(&w.join("l.xlsx"), &[sheet("3月", rows)]);
    let err = w.fails(&["evaluate", "l.xlsx", "--out", "o.xlsx"]);
    assert!(
        err.contains("l.xlsx, sheet \"3月\": row 1: columns C \"金额\" and D \"价税合计\" all map to amount; say which one to use in the rules file, e.g. [columns.ledger] amount = \"金额\""),
        "{err}"
    );
    assert!(!w.join("o.xlsx").exists());
    // 单价 and 含税单价 the same.
    write_book(
        &w.join("p.xlsx"),
        &[sheet(
            "3月",
            vec![vec![
                S("日期"),
                S("客户名称"),
                S("数量"),
                S("单价"),
                S("含税单价"),
            ]],
        )],
    );
    let err = w.fails(&["evaluate", "p.xlsx", "--out", "o.xlsx"]);
    assert!(
        err.contains("columns D \"单价\" and E \"含税单价\" all map to unit_price"),
        "{err}"
    );
    // The mapping picks the gross column: 113 and 226.
    let rules = rules_with(&w, "[columns.ledger]\namount = \"价税合计\"");
    let j = evaluate(&w, &["l.xlsx", "--rules", &rules]);
    assert_eq!(sales(&j, "华东机械"), d("113"));
    assert_eq!(sales(&j, "南方五金"), d("226"));
    // A fallback alias beside the main one is no second column: 单据日期 is the date.
    write_book(
        &w.join("f.xlsx"),
        &[sheet(
            "3月",
            vec![
                vec![S("发货日期"), S("单据日期"), S("客户名称"), S("金额")],
                vec![D(2025, 4, 1), D(2025, 3, 5), S("华东机械"), N(10.0)],
            ],
        )],
    );
    let j = evaluate(&w, &["f.xlsx"]);
    assert_eq!(j["as_of"], "2025-03-05");
}

#[test]
fn no_header_shows_the_closest_row_what_it_lacks_and_the_fix() {
    let w = Workdir::new();
    write_book(
        &w.join("l.xlsx"),
        &[sheet(
            "3月",
            vec![
                vec![S("华东机械有限公司 销售台账")],
                vec![S("日期"), S("客户名"), S("金额"), S("备注")],
                vec![D(2025, 3, 3), S("华东机械"), N(100.0)],
            ],
        )],
    );
    let err = w.fails(&["evaluate", "l.xlsx", "--out", "o.xlsx"]);
    assert!(
        err.contains("l.xlsx / 3月: no header row in the first 30 rows; sheet skipped (missing: customer_id or customer_name). The most header-like row is row 2: 日期 | 客户名 | 金额 | 备注. If a column has another name, map it in the rules file, e.g. [columns.ledger] customer_id = \"…\""),
        "{err}"
    );
    // The fix it names works.
    let rules = rules_with(&w, "[columns.ledger]\ncustomer_name = \"客户名\"");
    let j = evaluate(&w, &["l.xlsx", "--rules", &rules]);
    assert_eq!(sales(&j, "华东机械"), d("100"));
}

#[test]
fn tables_side_by_side_are_both_read() {
    let w = Workdir::new();
    write_book(
        &w.join("l.xlsx"),
        &[sheet(
            "一季度",
            vec![
                vec![S("一月"), E, E, E, S("二月")],
                vec![
                    S("日期"),
                    S("客户名称"),
                    S("金额"),
                    E,
                    S("日期"),
                    S("客户编码"),
                    S("客户名称"),
                    S("金额"),
                ],
                vec![
                    D(2025, 1, 5),
                    S("甲"),
                    N(10.0),
                    E,
                    D(2025, 2, 5),
                    S("K2"),
                    S("乙"),
                    N(20.0),
                ],
                vec![
                    D(2025, 1, 6),
                    S("丙"),
                    N(1.5),
                    E,
                    D(2025, 2, 6),
                    S("K2"),
                    S("乙"),
                    N(5.0),
                ],
                vec![S("合计"), E, N(11.5), E, S("合计"), E, E, N(24.0)],
            ],
        )],
    );
    let j = evaluate(&w, &["l.xlsx", "--lang", "en"]);
    // Left: 10 + 1.5 (its 合计 11.5 checks out); right: 20 + 5 = 25 (its 合计 says 24).
    assert_eq!(keys(&j), vec!["K2", "丙", "甲"]);
    assert_eq!(sales(&j, "甲"), d("10"));
    assert_eq!(sales(&j, "丙"), d("1.5"));
    assert_eq!(sales(&j, "K2"), d("25"));
    assert_eq!(counts(&j), (6, 4, 0, 2));
    let tables = j["inputs"][0]["sheets"].as_array().expect("sheets");
    assert_eq!(tables.len(), 2);
    assert!(tables
        .iter()
        .all(|t| t["sheet"] == "一季度" && t["header_row"] == 2));
    assert_eq!(tables[1]["columns"]["customer_id"], "客户编码");
    assert_eq!(
        issues(&j, "totals_mismatch"),
        vec![issue(
            "一季度",
            5,
            Some("金额"),
            "sheet says 24.00, rows add up to 25.00"
        )]
    );
}

#[test]
fn a_table_beyond_the_columns_read_is_an_error_naming_its_column() {
    let w = Workdir::new();
    let mut s = sheet(
        "3月",
        vec![
            vec![S("日期"), S("客户名称"), S("金额")],
            vec![D(2025, 3, 3), S("华东机械"), N(100.0)],
        ],
    );
    s.offset = 1030;
    write_book(&w.join("l.xlsx"), &[s]);
    let err = w.fails(&["evaluate", "l.xlsx", "--out", "o.xlsx"]);
    assert!(
        err.contains("l.xlsx, sheet \"3月\": a table starts right of the 1,024 columns tierbook reads (A to AMJ): its first cell is AMQ1; move the table to the left, starting in column A"),
        "{err}"
    );
}

#[test]
fn hidden_sheets_and_rows_are_read_with_a_notice() {
    let w = Workdir::new();
    let mut jan = sheet(
        "1月",
        vec![
            vec![S("日期"), S("客户名称"), S("金额")],
            vec![D(2025, 1, 5), S("甲"), N(10.0)],
            vec![D(2025, 1, 6), S("乙"), N(20.0)],
            vec![D(2025, 1, 7), S("甲"), N(30.0)],
        ],
    );
    jan.hidden_rows = vec![2, 3];
    let mut feb = sheet(
        "2月",
        vec![
            vec![S("日期"), S("客户名称"), S("金额")],
            vec![D(2025, 2, 5), S("乙"), N(7.0)],
        ],
    );
    feb.hidden = true;
    write_book(&w.join("l.xlsx"), &[jan, feb]);
    let j = evaluate(&w, &["l.xlsx", "--lang", "en"]);
    // Every row counts: 甲 10 + 30, 乙 20 + 7.
    assert_eq!(sales(&j, "甲"), d("40"));
    assert_eq!(sales(&j, "乙"), d("27"));
    assert_eq!(counts(&j), (4, 4, 0, 0));
    let notices: Vec<(String, String)> = issues(&j, "notice")
        .into_iter()
        .map(|(s, _, _, m)| (s, m))
        .collect();
    assert_eq!(
        notices,
        vec![
            (
                "1月".to_string(),
                "2 hidden row(s) were read like the others (the first is row 3)".to_string()
            ),
            (
                "2月".to_string(),
                "this sheet is hidden; it was read like the others".to_string()
            ),
        ]
    );
}

/// A hand-kept ledger: customer ID and name merged over a customer's rows,
/// an order number over its lines.
fn merged_ledger(w: &Workdir) {
    let mut s = sheet(
        "3月",
        vec![
            vec![
                S("日期"),
                S("客户编码"),
                S("客户名称"),
                S("单号"),
                S("金额"),
            ],
            vec![D(2025, 3, 3), S("C1"), S("华东机械"), S("SO-1"), N(100.0)],
            vec![D(2025, 3, 4), E, E, E, N(50.0)],
            vec![D(2025, 3, 5), E, E, S("SO-2"), N(20.0)],
            vec![D(2025, 3, 6), S("C2"), S("南方五金"), S("SO-3"), N(7.0)],
            vec![S("合计"), E, E, E, N(177.0)],
        ],
    );
    s.merges = vec![(1, 1, 3, 1), (1, 2, 3, 2), (1, 3, 2, 3)];
    write_book(&w.join("l.xlsx"), &[s]);
}

#[test]
fn a_merged_cell_applies_to_every_row_of_its_merge_on_either_reading_path() {
    let w = Workdir::new();
    merged_ledger(&w);
    let mut seen = Vec::new();
    // One thread: cells and rows on the same thread; default: cells parsed on a second one.
    for threads in ["1", "0"] {
        let j = evaluate(&w, &["l.xlsx", "--threads", threads, "--lang", "en"]);
        // C1: 100 + 50 + 20 on orders SO-1 (twice) and SO-2; C2: 7.
        assert_eq!(counts(&j), (5, 4, 0, 1));
        assert_eq!(sales(&j, "C1"), d("170"));
        assert_eq!(customer(&j, "C1")["orders"], 2);
        assert_eq!(customer(&j, "C1")["name"], "华东机械");
        assert_eq!(sales(&j, "C2"), d("7"));
        assert!(issues(&j, "rejected").is_empty());
        assert!(issues(&j, "totals_mismatch").is_empty(), "177 = 170 + 7");
        let notices: Vec<String> = issues(&j, "notice").into_iter().map(|i| i.3).collect();
        assert_eq!(
            notices,
            vec!["the values of 3 merged cell(s) spanning rows were applied to every row of their merge"]
        );
        seen.push(std::fs::read(w.join("out.json")).expect("json"));
    }
    assert_eq!(seen[0], seen[1]);
}

// ------------------------------------------------------------------ totals rows

#[test]
fn totals_words_count_only_in_key_cells_and_pasted_months_each_check_out() {
    let w = Workdir::new();
    let head = || {
        vec![
            S("日期"),
            S("客户编码"),
            S("客户名称"),
            S("产品编码"),
            S("金额"),
            S("备注"),
        ]
    };
    write_book(
        &w.join("l.xlsx"),
        &[
            sheet(
                "台账",
                vec![
                    head(),
                    vec![D(2025, 1, 5), S("C1"), S("甲"), S("P1"), N(100.0)],
                    // A product code and a remark reading 小计 / 合计: a data row.
                    vec![
                        D(2025, 1, 6),
                        S("C2"),
                        S("乙"),
                        S("小计"),
                        N(50.0),
                        S("合计"),
                    ],
                    vec![S("本月合计"), E, E, E, N(150.0)],
                    vec![D(2025, 2, 3), S("C1"), S("甲"), S("P1"), N(200.0)],
                    // An amount alone: rejected, but a person's SUM counts it.
                    vec![E, E, E, E, N(9.0)],
                    vec![S("本月合计"), E, E, E, N(209.0)],
                    // A customer named 合计 with a date and an ID: data.
                    vec![D(2025, 2, 10), S("C3"), S("合计"), S("P2"), N(5.0)],
                    // 总计 of all: 100 + 50 + 200 + 9 + 5 = 364.
                    vec![S("总计"), E, E, E, N(364.0)],
                ],
            ),
            sheet(
                "3月",
                vec![
                    head(),
                    vec![D(2025, 3, 1), S("C1"), S("甲"), S("P1"), N(10.0)],
                    vec![S("本月合计"), E, E, E, N(11.0)],
                ],
            ),
        ],
    );
    let j = evaluate(&w, &["l.xlsx", "--lang", "en"]);
    // Accepted: 100, 50, 200, 5 and 10 = 365; rejected: the amount alone.
    assert_eq!(counts(&j), (10, 5, 1, 4));
    assert_eq!(dec(&j["totals"]["ledger"]["accepted_amount"]), d("365"));
    assert_eq!(sales(&j, "C1"), d("310"));
    assert_eq!(sales(&j, "C2"), d("50"));
    assert_eq!(sales(&j, "C3"), d("5"));
    assert_eq!(customer(&j, "C3")["name"], "合计");
    assert_eq!(
        issues(&j, "rejected"),
        vec![issue(
            "台账",
            6,
            Some("金额"),
            "an amount with neither date nor customer, and not a totals row"
        )]
    );
    assert_eq!(
        issues(&j, "totals_mismatch"),
        vec![issue(
            "3月",
            3,
            Some("金额"),
            "sheet says 11.00, rows add up to 10.00"
        )]
    );
}

// ------------------------------------------------------------------ CSV records

#[test]
fn an_unquoted_thousands_separator_is_rejected_not_read_as_12() {
    let w = Workdir::new();
    let text = "日期,客户编码,客户名称,金额,备注\n\
                2025-03-05,C1,华东机械,12,345,678.90,\n\
                2025-03-06,C1,华东机械,\"12,345,678.90\",\n\
                2025-03-07,C2,南方五金,100,\"两行\n备注\"\n\
                2025-03-08,C3,西北商行,7,\n";
    std::fs::write(w.join("l.csv"), text).expect("csv");
    let j = evaluate(&w, &["l.csv", "--lang", "en"]);
    // Line 2 has six fields where the header has five: rejected, never 12.
    assert_eq!(sales(&j, "C1"), d("12345678.90"));
    assert_eq!(sales(&j, "C2"), d("100"));
    assert_eq!(sales(&j, "C3"), d("7"));
    assert_eq!(counts(&j), (4, 3, 1, 0));
    assert_eq!(
        issues(&j, "rejected"),
        vec![issue("l", 2, None, "the row has 6 fields, more than the header's 5: an unquoted comma in a number (such as 12,345.00)? Which value belongs to which column cannot be told")]
    );
    let rejected = &j["issues"][0]["cells"];
    assert_eq!(rejected[3], "12");
    assert_eq!(rejected[5], "678.90");
}

#[test]
fn a_quote_left_open_is_rejected_with_the_lines_it_swallowed() {
    let w = Workdir::new();
    let text = "日期,客户编码,客户名称,金额,备注\n\
                2025-03-05,C1,华东机械,10,\n\
                2025-03-06,C2,\"南方五金,20,\n\
                2025-03-07,C3,西北商行,30,\n\
                2025-03-08,C4,东北商行,40,\n";
    std::fs::write(w.join("l.csv"), text).expect("csv");
    let j = evaluate(&w, &["l.csv", "--lang", "en"]);
    // The open quote on line 3 runs to the end: lines 3 to 5 are one record
    // of three fields. Only C1's 10 is read.
    assert_eq!(keys(&j), vec!["C1"]);
    assert_eq!(counts(&j), (2, 1, 1, 0));
    assert_eq!(
        issues(&j, "rejected"),
        vec![issue("l", 3, None, "lines 3 to 5 were joined into one record by a quoted field that runs across lines, giving 3 fields where the header has 5: a missing closing quote? None of these lines is used")]
    );
}

// ------------------------------------------------------------------ identity

#[test]
fn ids_and_names_are_normalised_and_near_matches_kept_apart_with_a_warning() {
    let w = Workdir::new();
    let t = |s: &str| X::T(s.to_string());
    write_book(
        &w.join("l.xlsx"),
        &[sheet(
            "3月",
            vec![
                vec![S("日期"), S("客户编码"), S("客户名称"), S("金额")],
                vec![D(2025, 3, 1), t("Ｃ００１"), S("华东机械"), N(10.0)],
                vec![D(2025, 3, 2), t("C001\u{200b}"), S("华东机械"), N(20.0)],
                vec![D(2025, 3, 3), S("00123"), S("甲"), N(1.0)],
                vec![D(2025, 3, 4), S("123"), S("甲"), N(2.0)],
                vec![D(2025, 3, 5), E, S("abc ltd"), N(3.0)],
                vec![D(2025, 3, 6), E, S("ABC Ltd"), N(4.0)],
                vec![D(2025, 3, 7), E, t("Cafe\u{301}"), N(5.0)],
                vec![D(2025, 3, 8), E, t("Caf\u{e9}"), N(6.0)],
            ],
        )],
    );
    let j = evaluate(&w, &["l.xlsx", "--lang", "en"]);
    assert_eq!(
        keys(&j),
        vec!["00123", "123", "ABC Ltd", "C001", "Caf\u{e9}", "abc ltd"]
    );
    // Full-width and zero-width forms of C001 are one customer: 10 + 20;
    // the decomposed and composed é one: 5 + 6.
    assert_eq!(sales(&j, "C001"), d("30"));
    assert_eq!(sales(&j, "Caf\u{e9}"), d("11"));
    assert_eq!(sales(&j, "00123"), d("1"));
    assert_eq!(sales(&j, "123"), d("2"));
    let warnings: Vec<String> = issues(&j, "warning").into_iter().map(|i| i.3).collect();
    assert!(warnings.contains(&"customer IDs 00123 / 123 differ only by leading zeros or a trailing .0; they are kept as different customers (if they are one, make the IDs the same)".to_string()), "{warnings:#?}");
    assert!(warnings.contains(&"customer names ABC Ltd / abc ltd differ only by letter case; they are kept as different customers (if they are one, make the names the same)".to_string()), "{warnings:#?}");
}

#[test]
fn master_and_previous_duplicates_unknown_grades_and_future_first_dates() {
    let w = Workdir::new();
    write_book(
        &w.join("l.xlsx"),
        &[sheet(
            "3月",
            vec![
                vec![S("日期"), S("客户编码"), S("客户名称"), S("金额")],
                vec![D(2025, 3, 1), S("C1"), S("甲"), N(100.0)],
                vec![D(2025, 3, 2), S("C2"), S("乙"), N(50.0)],
            ],
        )],
    );
    write_book(
        &w.join("customers.xlsx"),
        &[sheet(
            "档案",
            vec![
                vec![
                    S("客户编码"),
                    S("客户名称"),
                    S("区域"),
                    S("首次合作日期"),
                    S("账期"),
                ],
                vec![S("C1"), S("甲"), S("华东"), D(2024, 1, 1), N(30.0)],
                vec![S("C1"), S("甲"), S("华南"), D(2023, 1, 1), N(60.0)],
                vec![S("C2"), S("乙"), S("西南"), D(2026, 1, 1), N(45.0)],
                vec![S("C9"), S("壬"), S("华北"), D(2026, 2, 1), N(45.0)],
            ],
        )],
    );
    write_book(
        &w.join("previous.xlsx"),
        &[sheet(
            "上期",
            vec![
                vec![S("客户编码"), S("等级")],
                vec![S("C1"), S("ａ")],
                vec![S("C1"), S("B")],
                vec![S("C2"), S("优")],
            ],
        )],
    );
    let j = evaluate(
        &w,
        &[
            "l.xlsx",
            "--customers",
            "customers.xlsx",
            "--previous",
            "previous.xlsx",
            "--lang",
            "en",
        ],
    );
    // The first master row of C1 is kept (华东, 2024-01-01); C2's row is kept
    // for its region but its date is after the as-of date 2025-03-02, so its
    // first date is its first ledger line. C9 starts after the as-of date: not
    // a customer yet.
    assert_eq!(keys(&j), vec!["C1", "C2"]);
    let c1 = customer(&j, "C1");
    assert_eq!(
        (c1["region"].as_str(), c1["first_date"].as_str()),
        (Some("华东"), Some("2024-01-01"))
    );
    assert_eq!(c1["previous_grade"], "A", "ａ is A once folded");
    let c2 = customer(&j, "C2");
    assert_eq!(
        (c2["region"].as_str(), c2["first_date"].as_str()),
        (Some("西南"), Some("2025-03-02"))
    );
    assert_eq!(c2["previous_grade"], "优");
    assert_eq!(c2["change"], "new");
    let warnings: Vec<(String, Option<u64>, String)> = issues(&j, "warning")
        .into_iter()
        .map(|(s, r, _, m)| (s, r, m))
        .collect();
    for want in [
        ("档案", 3, "customer C1 appears twice in the customer master (also customers.xlsx, sheet 档案, row 2); the first row is kept"),
        ("档案", 4, "customer C2: the first order date 2026-01-01 in the customer master is after the as-of date 2025-03-02; its region, sales rep, terms and attributes are used, the date is not"),
        ("档案", 5, "customer C9: the first order date 2026-02-01 in the customer master is after the as-of date 2025-03-02; its region, sales rep, terms and attributes are used, the date is not"),
        ("上期", 3, "customer C1 appears twice in the previous grades (also previous.xlsx, sheet 上期, row 2); the first row is kept"),
        ("上期", 4, "previous grade \"优\" is not a tier of these rules (A / B / C); taken as no previous grade"),
    ] {
        let want = (want.0.to_string(), Some(want.1), want.2.to_string());
        assert!(warnings.contains(&want), "{want:?} in {warnings:#?}");
    }
}

// ------------------------------------------------------------------ currencies

#[test]
fn a_file_mixing_currencies_is_an_error_naming_them() {
    let w = Workdir::new();
    let rows = |second: &'static str| {
        vec![
            vec![S("日期"), S("客户名称"), S("币种"), S("金额")],
            vec![D(2025, 3, 1), S("甲"), S("人民币"), N(100.0)],
            vec![D(2025, 3, 2), S("乙"), S(second), N(50.0)],
        ]
    };
    write_book(&w.join("one.xlsx"), &[sheet("3月", rows("CNY"))]);
    let j = evaluate(&w, &["one.xlsx"]);
    assert_eq!(dec(&j["totals"]["ledger"]["accepted_amount"]), d("150"));
    write_book(
        &w.join("two.xlsx"),
        &[sheet("3月", rows("CNY")), sheet("4月", rows("USD"))],
    );
    let err = w.fails(&["evaluate", "two.xlsx", "--out", "o.xlsx"]);
    assert!(
        err.contains("two.xlsx: its currency column holds more than one currency: 人民币 (first in sheet \"3月\", row 2), USD (first in sheet \"4月\", row 3); tierbook adds every amount as one currency"),
        "{err}"
    );
    // A receipts ledger the same (read by `check` as by every command).
    write_book(
        &w.join("r.xlsx"),
        &[sheet(
            "回款",
            vec![
                vec![S("回款日期"), S("客户名称"), S("币别"), S("回款金额")],
                vec![D(2025, 3, 1), S("甲"), S("USD"), N(10.0)],
                vec![D(2025, 3, 2), S("甲"), S("EUR"), N(10.0)],
            ],
        )],
    );
    let err = w.fails(&["check", "one.xlsx", "--receipts", "r.xlsx"]);
    assert!(
        err.contains("r.xlsx: its currency column holds more than one currency: USD"),
        "{err}"
    );
}

// ------------------------------------------------------------------ messages

#[test]
fn a_date_cell_past_year_9999_is_a_rejected_row_not_a_malformed_workbook() {
    // Regression: calamine's date conversion overflowed and panicked on such a cell.
    let w = Workdir::new();
    write_book(
        &w.join("l.xlsx"),
        &[sheet(
            "3月",
            vec![
                vec![S("日期"), S("客户名称"), S("金额")],
                vec![D(2025, 3, 1), S("甲"), N(100.0)],
                vec![X::ND(1e300), S("乙"), N(50.0)],
                vec![D(2025, 3, 2), S("丙"), X::ND(3e9)],
            ],
        )],
    );
    let j = evaluate(&w, &["l.xlsx", "--lang", "en"]);
    assert_eq!(keys(&j), vec!["甲"]);
    assert_eq!(counts(&j), (3, 1, 2, 0));
    let rejected: Vec<(Option<u64>, Option<String>)> = issues(&j, "rejected")
        .into_iter()
        .map(|i| (i.1, i.2))
        .collect();
    assert_eq!(
        rejected,
        vec![
            (Some(3), Some("日期".into())),
            (Some(4), Some("金额".into()))
        ]
    );
}

#[test]
fn a_cell_the_library_cannot_read_stops_the_run_naming_where() {
    let w = Workdir::new();
    write_book(
        &w.join("l.xlsx"),
        &[sheet(
            "3月",
            vec![
                vec![S("日期"), S("客户名称"), S("金额")],
                vec![D(2025, 3, 1), S("甲"), N(100.0)],
                vec![D(2025, 3, 2), S("乙"), N(50.0)],
            ],
        )],
    );
    // An error value Excel does not know, in B3.
    crate::util::rewrite_xlsx(&w.join("l.xlsx"), |name, xml| {
        if name != "xl/worksheets/sheet1.xml" {
            return xml;
        }
        let at = xml.find(r#"<c r="B3""#).expect("B3");
        let end = at + xml[at..].find("</c>").expect("cell end") + 4;
        format!(
            r#"{}<c r="B3" t="e"><v>#WHAT?</v></c>{}"#,
            &xml[..at],
            &xml[end..]
        )
    });
    let err = w.fails(&["evaluate", "l.xlsx", "--out", "o.xlsx"]);
    assert!(
        err.contains("l.xlsx, sheet \"3月\": the cell after A3 cannot be read"),
        "{err}"
    );
    assert!(!err.contains("malformed"), "{err}");
}
