//! CSV ledgers (SPEC 3.1): UTF-8, UTF-8 with BOM, GBK/GB18030; `,`, `;` or
//! tab; Excel-style padded title lines and short rows. The same rows give the
//! same figures as the xlsx.

use rust_decimal::Decimal;
use serde_json::Value;

use crate::fixture;
use crate::util::{customer, d, dec, write_csv, Enc, Workdir};

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
