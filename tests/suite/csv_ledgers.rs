//! CSV ledgers (SPEC 3.1): UTF-8, UTF-8 with BOM, GBK/GB18030; `,`, `;` or
//! tab; Excel-style padded title lines and short rows. The same rows give the
//! same figures as the xlsx.

use rust_decimal::Decimal;
use serde_json::Value;

use crate::fixture;
use crate::util::{customer, d, dec, write_csv, write_xlsx, Enc, Workdir, C};

/// The figures of [`fixture::text_rows`], worked out by hand (as of
/// 2025-03-10, its latest date).
fn assert_text_rows_figures(j: &Value, file: &str, sheet: &str) {
    let what = file;
    assert_eq!(j["as_of"], "2025-03-10", "{what}");
    let t = &j["totals"]["ledger"];
    // Lines 4–10 are read: 4 accepted, 2 rejected (7, 9), 1 totals row.
    assert_eq!(t["rows_read"], 7, "{what}");
    assert_eq!(t["accepted"], 4, "{what}");
    assert_eq!(t["rejected"], 2, "{what}");
    assert_eq!(t["totals_rows"], 1, "{what}");
    // 1000 + 1234.50 − 200 + 300
    assert_eq!(dec(&t["accepted_amount"]), d("2334.5"), "{what}");
    assert_eq!(dec(&t["in_window"]), d("2334.5"), "{what}");
    assert_eq!(dec(&t["customer_sales"]), d("2334.5"), "{what}");
    let want = [
        ("K001", "1000", Some("10"), Some("K001")),
        ("K002", "1234.5", Some("5"), Some("K002")),
        ("K003", "-200", None, Some("K003")),
        ("丁公司", "300", None, None),
    ];
    assert_eq!(
        j["customers"].as_array().unwrap().len(),
        want.len(),
        "{what}"
    );
    for (key, sales, qty, id) in want {
        let c = customer(j, key);
        assert_eq!(dec(&c["sales"]), d(sales), "{what} {key}");
        assert_eq!(
            dec(&c["quantity"]),
            qty.map_or(Decimal::ZERO, d),
            "{what} {key}"
        );
        assert_eq!(c["id"].as_str(), id, "{what} {key}");
    }
    assert_eq!(customer(j, "K003")["first_date"], "2025-03-07", "{what}");
    assert_eq!(customer(j, "丁公司")["first_date"], "2025-03-10", "{what}");
    let issues = j["issues"].as_array().unwrap();
    let rejected: Vec<(String, u64)> = issues
        .iter()
        .filter(|i| i["kind"] == "rejected")
        .map(|i| {
            (
                i["sheet"].as_str().unwrap().to_string(),
                i["row"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rejected,
        vec![(sheet.to_string(), 7), (sheet.to_string(), 9)],
        "{what}"
    );
    // The 合计 (2,434.50 = 1000 + 1234.50 − 200 + 100 + 300) matches.
    assert!(
        !issues.iter().any(|i| i["kind"] == "totals_mismatch"),
        "{what}: {issues:#?}"
    );
    let header_row = &j["inputs"][0]["sheets"][0]["header_row"];
    assert_eq!(header_row, 3, "{what}");
    assert_eq!(j["inputs"][0]["sheets"][0]["sheet"], sheet, "{what}");
}

fn run(w: &Workdir, file: &str) -> Value {
    let json = format!("{file}.json");
    let out = format!("{file}.out.xlsx");
    w.ok(&["evaluate", file, "--out", &out, "--json", &json, "--quiet"]);
    w.json(&json)
}

#[test]
fn the_text_fixture_as_xlsx() {
    let w = Workdir::new();
    fixture::write_text_rows_xlsx(&w.join("ledger.xlsx"));
    let j = run(&w, "ledger.xlsx");
    assert_text_rows_figures(&j, "ledger.xlsx", "3月");
}

/// Writes each case and checks the hand figures, collecting every failure.
fn check_cases(rows: &[Vec<String>], cases: &[(&str, u8, Enc)], crlf: bool) {
    let w = Workdir::new();
    let mut failures = Vec::new();
    for &(name, delim, enc) in cases {
        write_csv(&w.join(name), rows, delim, enc, crlf);
        let json = format!("{name}.json");
        let out = format!("{name}.out.xlsx");
        let o = w.run(&["evaluate", name, "--out", &out, "--json", &json, "--quiet"]);
        if !o.status.success() {
            failures.push(format!(
                "{name}: exit {:?}: {}",
                o.status.code(),
                String::from_utf8_lossy(&o.stderr)
            ));
            continue;
        }
        let j = w.json(&json);
        let sheet = name.trim_end_matches(".csv");
        let r = std::panic::catch_unwind(|| assert_text_rows_figures(&j, name, sheet));
        if let Err(e) = r {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{name}: {msg}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const CASES: [(&str, u8, Enc); 6] = [
    ("utf8_comma.csv", b',', Enc::Utf8),
    ("bom_comma.csv", b',', Enc::Utf8Bom),
    ("gbk_comma.csv", b',', Enc::Gb18030),
    ("utf8_semicolon.csv", b';', Enc::Utf8),
    ("utf8_tab.csv", b'\t', Enc::Utf8),
    ("gbk_tab.csv", b'\t', Enc::Gb18030),
];

#[test]
fn every_csv_encoding_and_delimiter_gives_the_xlsx_figures() {
    check_cases(&fixture::text_rows(), &CASES, false);
}

#[test]
fn crlf_line_ends_keep_the_line_numbers() {
    // Same rows with CRLF: the ambiguous date is still on line 7, the note on
    // line 9, the header on line 3.
    check_cases(&fixture::text_rows(), &CASES, true);
}

#[test]
fn an_empty_line_above_the_header_is_still_counted() {
    // Line 2 truly empty (not padded with delimiters): header still on line 3.
    let mut rows = fixture::text_rows();
    rows[1] = Vec::new();
    check_cases(&rows, &CASES[..1], false);
}

#[test]
fn gbk_bytes_really_are_gbk() {
    // Guard on the fixture writer itself: the GBK file is not valid UTF-8.
    let w = Workdir::new();
    write_csv(
        &w.join("g.csv"),
        &fixture::text_rows(),
        b',',
        Enc::Gb18030,
        true,
    );
    let bytes = std::fs::read(w.join("g.csv")).unwrap();
    assert!(std::str::from_utf8(&bytes).is_err());
    let (text, _, bad) = encoding_rs::GB18030.decode(&bytes);
    assert!(!bad);
    assert!(text.starts_with("华信机电 销售台账 2025年3月,,,,,\r\n"));
}

// ------------------------------------------------------------------ SPEC 10: numbers, dates, CSV

/// Runs `evaluate` on `file` (as of 2025-12-31, messages in English) with
/// `extra` arguments, asserting exit 0; returns the JSON.
fn evaluate(w: &Workdir, file: &str, extra: &[&str]) -> Value {
    let json = format!("{file}.json");
    let out = format!("{file}.out.xlsx");
    let mut args = vec![
        "evaluate",
        file,
        "--out",
        &out,
        "--json",
        &json,
        "--quiet",
        "--as-of",
        "2025-12-31",
        "--lang",
        "en",
        "--force",
    ];
    args.extend_from_slice(extra);
    w.ok(&args);
    w.json(&json)
}

/// Rejected rows as (row or line, column, message).
fn rejected(j: &Value) -> Vec<(u64, String, String)> {
    j["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .filter(|i| i["kind"] == "rejected")
        .map(|i| {
            (
                i["row"].as_u64().expect("row"),
                i["column"].as_str().unwrap_or_default().to_string(),
                i["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Accepted and rejected counts and the accepted amount of the ledger.
fn counts(j: &Value) -> (u64, u64, Decimal) {
    let t = &j["totals"]["ledger"];
    assert_eq!(
        t["rows_read"].as_u64(),
        Some(
            t["accepted"].as_u64().unwrap()
                + t["rejected"].as_u64().unwrap()
                + t["totals_rows"].as_u64().unwrap()
        ),
        "control totals"
    );
    (
        t["accepted"].as_u64().unwrap(),
        t["rejected"].as_u64().unwrap(),
        dec(&t["accepted_amount"]),
    )
}

/// Each rejected row's line and the start of its message, in order.
fn assert_rejected(j: &Value, want: &[(u64, &str)]) {
    let got = rejected(j);
    assert_eq!(got.len(), want.len(), "{got:#?}");
    for ((row, _, message), (want_row, starts)) in got.iter().zip(want) {
        assert_eq!(row, want_row, "{got:#?}");
        assert!(message.starts_with(starts), "line {row}: {message}");
    }
}

#[test]
fn thousands_separators_group_three_digits_and_other_commas_are_rejected() {
    let w = Workdir::new();
    let text = "日期,客户名称,金额\n\
        2025-03-01,甲公司,\"1,234,567.89\"\n\
        2025-03-02,甲公司,\"12,5\"\n\
        2025-03-03,乙公司,\"1.234,50\"\n\
        2025-03-04,乙公司,\"1 234,50\"\n\
        2025-03-05,乙公司,\"1000,00\"\n\
        2025-03-06,丙公司,¥300\n\
        2025-03-07,丙公司,(50.00)\n\
        2025-03-08,丙公司,0.00000000000000000000000000001\n\
        2025-03-09,丙公司,1000000000000000000000000000000\n\
        2025-03-10,丁公司,\"１，２３４．５０\"\n";
    std::fs::write(w.join("n.csv"), text).unwrap();
    let j = evaluate(&w, "n.csv", &[]);
    // Lines 2, 7, 8, 11: 1,234,567.89 + 300 − 50 + 1,234.50.
    assert_eq!(counts(&j), (4, 6, d("1236052.39")));
    assert_eq!(dec(&customer(&j, "甲公司")["sales"]), d("1234567.89"));
    assert_eq!(dec(&customer(&j, "丙公司")["sales"]), d("250"));
    assert_eq!(dec(&customer(&j, "丁公司")["sales"]), d("1234.5"));
    assert_rejected(
        &j,
        &[
            (3, "amount \"12,5\" is ambiguous"),
            (4, "amount \"1.234,50\" is ambiguous"),
            (5, "amount \"1 234,50\" is ambiguous"),
            (6, "amount \"1000,00\" is ambiguous"),
            (
                9,
                "amount \"0.00000000000000000000000000001\" has more than 28",
            ),
            (
                10,
                "amount \"1000000000000000000000000000000\" is too large",
            ),
        ],
    );
    assert!(rejected(&j).iter().all(|(_, column, _)| column == "金额"));
}

#[test]
fn decimal_comma_in_the_rules_reads_european_numbers() {
    let w = Workdir::new();
    let text = "日期;客户名称;金额\r\n\
        2025-03-01;甲公司;1.234,50\r\n\
        2025-03-02;甲公司;12,5\r\n\
        2025-03-03;乙公司;1 234 567,89\r\n\
        2025-03-04;乙公司;-7,25\r\n\
        2025-03-05;乙公司;1,234.50\r\n\
        2025-03-06;乙公司;1234.5\r\n";
    std::fs::write(w.join("eu.csv"), text).unwrap();
    let template = std::fs::read_to_string(crate::util::repo().join("templates/three-tier.toml"))
        .expect("template");
    std::fs::write(
        w.join("eu.toml"),
        format!("decimal_comma = true\n{template}"),
    )
    .unwrap();
    let j = evaluate(&w, "eu.csv", &["--rules", "eu.toml"]);
    // 1,234.50 + 12.5 = 1,247; 1,234,567.89 − 7.25 = 1,234,560.64.
    assert_eq!(counts(&j), (4, 2, d("1235807.64")));
    assert_eq!(dec(&customer(&j, "甲公司")["sales"]), d("1247"));
    assert_eq!(dec(&customer(&j, "乙公司")["sales"]), d("1234560.64"));
    assert_rejected(
        &j,
        &[
            (6, "amount \"1,234.50\" is ambiguous"),
            (7, "amount \"1234.5\" is ambiguous"),
        ],
    );
    // Without the key the same file's comma decimals are the ambiguous ones.
    let j = evaluate(&w, "eu.csv", &[]);
    assert_eq!(counts(&j), (2, 4, d("2469")));
    assert_rejected(
        &j,
        &[
            (2, "amount \"1.234,50\" is ambiguous"),
            (3, "amount \"12,5\" is ambiguous"),
            (4, "amount \"1 234 567,89\" is ambiguous"),
            (5, "amount \"-7,25\" is ambiguous"),
        ],
    );
}

#[test]
fn numeric_and_date_cells_beyond_what_can_be_held_exactly_are_rejected() {
    let w = Workdir::new();
    let rows = vec![
        vec![C::S("日期"), C::S("客户名称"), C::S("金额")],
        vec![C::D(2025, 3, 1), C::S("甲公司"), C::N(261.96)],
        vec![C::D(2025, 3, 2), C::S("甲公司"), C::N(5e-324)],
        vec![C::D(2025, 3, 3), C::S("乙公司"), C::N(1e30)],
        vec![C::D(2025, 3, 4), C::S("乙公司"), C::N(0.1 + 0.2)],
        vec![C::D(1949, 12, 31), C::S("丙公司"), C::N(10.0)],
        vec![C::N(0.5), C::S("丙公司"), C::N(10.0)],
        vec![C::N(60.0), C::S("丙公司"), C::N(10.0)],
        vec![C::N(45721.0), C::S("丙公司"), C::N(10.0)],
        vec![C::S("2100-01-01"), C::S("丙公司"), C::N(10.0)],
        vec![C::D(1950, 1, 1), C::S("丙公司"), C::N(20.0)],
    ];
    write_xlsx(&w.join("x.xlsx"), &[("3月", rows)]);
    let j = evaluate(&w, "x.xlsx", &[]);
    // Rows 2, 5, 9, 11: 261.96 + 0.30000000000000004 (the float's own digits) + 10 + 20.
    assert_eq!(counts(&j), (4, 6, d("292.26000000000000004")));
    assert_eq!(dec(&customer(&j, "甲公司")["sales"]), d("261.96"));
    assert_eq!(
        dec(&customer(&j, "乙公司")["sales"]),
        d("0.30000000000000004")
    );
    // 45721 is 2025-03-05; 1950-01-01 is before the window.
    assert_eq!(dec(&customer(&j, "丙公司")["sales"]), d("10"));
    assert_eq!(customer(&j, "丙公司")["first_date"], "1950-01-01");
    assert_rejected(
        &j,
        &[
            (3, "amount \"5e-324\" has more than 28"),
            (4, "amount \"1e30\" is too large"),
            (6, "date \"1949-12-31\" is outside 1950-01-01"),
            (7, "date \"0.5\" is a time of day without a date"),
            (8, "date \"60\" is outside 1950-01-01"),
            (10, "date \"2100-01-01\" is outside 1950-01-01"),
        ],
    );
}

#[test]
fn serial_numbers_follow_the_1904_date_system() {
    let w = Workdir::new();
    let rows = vec![
        vec![C::S("日期"), C::S("客户名称"), C::S("金额")],
        // 44259 is 2025-03-05 counted from 1904-01-01 (2021-03-04 from 1900).
        vec![C::N(44259.0), C::S("甲公司"), C::N(100.0)],
        vec![C::N(44260.0), C::S("乙公司"), C::N(200.0)],
    ];
    write_xlsx(&w.join("mac.xlsx"), &[("3月", rows)]);
    crate::util::rewrite_xlsx(&w.join("mac.xlsx"), |name, xml| {
        if name == "xl/workbook.xml" {
            assert!(xml.contains("<workbookPr"), "{xml}");
            xml.replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1)
        } else {
            xml
        }
    });
    let j = evaluate(&w, "mac.xlsx", &[]);
    assert_eq!(counts(&j), (2, 0, d("300")));
    assert_eq!(customer(&j, "甲公司")["first_date"], "2025-03-05");
    assert_eq!(customer(&j, "乙公司")["first_date"], "2025-03-06");
}

#[test]
fn lone_cr_lf_and_crlf_all_end_a_line() {
    let w = Workdir::new();
    let text = "日期,客户名称,金额\r\
        2025-03-01,甲公司,100\r\
        2025-03-02,乙公司,200\n\
        \r\n\
        2025-03-03,丙公司,abc\r\n\
        2025-03-04,丁公司,400";
    std::fs::write(w.join("eol.csv"), text).unwrap();
    let j = evaluate(&w, "eol.csv", &[]);
    assert_eq!(counts(&j), (3, 1, d("700")));
    for (key, sales) in [("甲公司", "100"), ("乙公司", "200"), ("丁公司", "400")] {
        assert_eq!(dec(&customer(&j, key)["sales"]), d(sales), "{key}");
    }
    assert_rejected(&j, &[(5, "amount is not readable: \"abc\"")]);
}

#[test]
fn quotes_inside_fields_are_literal_and_quoted_line_breaks_keep_the_numbering() {
    let w = Workdir::new();
    let text = "日期,客户名称,产品,备注,金额\n\
        2025-03-01,甲公司,1/2\" 管件,,100\n\
        2025-03-02,乙公司,\"3/4\"\" 阀门\",\"分两批\n发货\",200\n\
        \n\
        2025-03-03,丙公司,6\" 法兰,,xyz\n\
        2025-03-04,丁公司,弯头,,300\n";
    std::fs::write(w.join("q.csv"), text).unwrap();
    let j = evaluate(&w, "q.csv", &[]);
    assert_eq!(counts(&j), (3, 1, d("600")));
    assert_eq!(dec(&customer(&j, "乙公司")["sales"]), d("200"));
    // Line 3's remark runs onto line 4; line 5 is blank.
    assert_rejected(&j, &[(6, "amount is not readable: \"xyz\"")]);
    let cells = &j["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "rejected")
        .unwrap()["cells"];
    assert_eq!(cells[2], "6\" 法兰");
}

#[test]
fn pipe_delimited_gb18030_with_four_byte_characters() {
    let w = Workdir::new();
    let text = "日期|客户名称|金额\r\n\
        2025-03-01|刘䶮商行|100\r\n\
        2025-03-02|𠀀记|200\r\n\
        2025-03-03|刘䶮商行|\"1,050.00\"\r\n";
    let (bytes, _, bad) = encoding_rs::GB18030.encode(text);
    assert!(!bad);
    std::fs::write(w.join("p.csv"), bytes).unwrap();
    let j = evaluate(&w, "p.csv", &[]);
    assert_eq!(counts(&j), (3, 0, d("1350")));
    assert_eq!(dec(&customer(&j, "刘䶮商行")["sales"]), d("1150"));
    assert_eq!(dec(&customer(&j, "𠀀记")["sales"]), d("200"));
}

#[test]
fn gbk_lines_in_a_utf8_file_stop_the_run_naming_the_line() {
    let w = Workdir::new();
    // Past the 64 KiB encoding sample: 3,000 UTF-8 lines of 29 bytes and a header.
    let mut bytes = "日期,客户名称,金额\n".as_bytes().to_vec();
    for i in 0..3_000 {
        bytes.extend_from_slice(format!("2025-03-01,华东机械,{:05}\n", i).as_bytes());
    }
    assert!(bytes.len() > 64 * 1024);
    bytes.extend_from_slice(&encoding_rs::GB18030.encode("2025-03-02,华南贸易,20\n").0);
    std::fs::write(w.join("late.csv"), &bytes).unwrap();
    // After a BOM, within the sample.
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice("日期,客户名称,金额\n2025-03-01,华东机械,10\n".as_bytes());
    bom.extend_from_slice(&encoding_rs::GB18030.encode("2025-03-02,华南贸易,20\n").0);
    std::fs::write(w.join("bom.csv"), &bom).unwrap();
    for (file, line) in [("late.csv", 3_002), ("bom.csv", 3)] {
        let stderr = w.fails(&["evaluate", file, "--out", "o.xlsx", "--quiet"]);
        assert!(
            stderr.contains(file) && stderr.contains(&format!("line {line} is not valid UTF-8")),
            "{stderr}"
        );
        assert!(!stderr.contains('\u{fffd}'), "{stderr}");
        assert!(!w.join("o.xlsx").exists());
    }
}
