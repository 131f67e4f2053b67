//! `evaluate` end to end: the bundled samples, generated samples checked
//! against the generator's own records, and hand-built fixtures.

use std::path::Path;

use rust_decimal::Decimal;
use serde_json::Value;
use tierbook::sample::{generate, SampleOptions, SampleReport};

use crate::fixture::{self, EXPECTED};
use crate::util::{customer, d, dec, find_row, read_book, repo, sheet, text, write_xlsx, Workdir};

#[test]
fn samples_evaluate_into_a_workbook_with_every_sheet() {
    let w = Workdir::new();
    let s = repo().join("samples");
    let ledger = s.join("销售台账.xlsx");
    let master = s.join("客户档案.xlsx");
    let prev = s.join("上年等级.xlsx");
    w.ok(&[
        "evaluate",
        ledger.to_str().unwrap(),
        "--customers",
        master.to_str().unwrap(),
        "--previous",
        prev.to_str().unwrap(),
        "--out",
        "eval.xlsx",
        "--json",
        "eval.json",
    ]);
    let names: Vec<String> = read_book(&w.join("eval.xlsx"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        vec![
            "汇总",
            "评定表",
            "A类客户",
            "特殊政策",
            "新客户",
            "数据问题",
            "tierbook_rules"
        ]
    );
    let j = w.json("eval.json");
    let t = &j["totals"]["ledger"];
    assert_eq!(
        t["rows_read"].as_u64(),
        Some(
            t["accepted"].as_u64().unwrap()
                + t["rejected"].as_u64().unwrap()
                + t["totals_rows"].as_u64().unwrap()
        )
    );
}

// ---------------------------------------------------------------------------
// Generated samples against the generator's records

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn file_name(s: &str) -> String {
    Path::new(s)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Asserts that the JSON and the Data Issues sheet agree with the generator.
fn assert_matches_report(r: &SampleReport, j: &Value, book: &[(String, Vec<Vec<calamine::Data>>)]) {
    assert_eq!(j["as_of"], r.as_of.to_string());
    for e in &r.customers {
        let c = customer(j, &e.key);
        assert_eq!(dec(&c["sales"]), e.window_sales, "{} sales", e.key);
        assert_eq!(dec(&c["prior_sales"]), e.prior_sales, "{} prior", e.key);
        assert_eq!(dec(&c["quantity"]), e.quantity, "{} quantity", e.key);
        assert_eq!(c["id"].as_str(), e.id.as_deref(), "{} id", e.key);
        assert_eq!(
            c["first_date"].as_str(),
            Some(e.first_date.to_string().as_str()),
            "{} first date",
            e.key
        );
    }
    let t = &j["totals"]["ledger"];
    assert_eq!(dec(&t["accepted_amount"]), r.accepted_amount);
    let expected_window: Decimal = r.customers.iter().map(|c| c.window_sales).sum();
    assert_eq!(dec(&t["in_window"]), expected_window);
    assert_eq!(dec(&t["customer_sales"]), expected_window);
    assert_eq!(t["rejected"].as_u64(), Some(r.rejected.len() as u64));
    assert_eq!(t["totals_rows"].as_u64(), Some(r.totals_rows as u64));
    assert_eq!(
        t["rows_read"].as_u64(),
        Some((r.ledger_rows + r.totals_rows) as u64)
    );
    assert_eq!(
        t["accepted"].as_u64(),
        Some((r.ledger_rows - r.rejected.len()) as u64)
    );
    let issues = j["issues"].as_array().expect("issues");
    let rejected: Vec<&Value> = issues.iter().filter(|i| i["kind"] == "rejected").collect();
    assert_eq!(rejected.len(), r.rejected.len(), "{rejected:#?}");
    let issue_sheet = sheet(book, "数据问题");
    for (file, sh, row, why) in &r.rejected {
        assert!(
            rejected.iter().any(|i| {
                file_name(i["file"].as_str().unwrap_or_default()) == *file
                    && i["sheet"] == sh.as_str()
                    && i["row"].as_u64() == Some(*row as u64)
            }),
            "rejected {file} {sh} row {row} ({why}) not in JSON issues"
        );
        assert!(
            issue_sheet.iter().any(|cells| {
                let texts: Vec<String> = cells.iter().map(text).collect();
                texts.iter().any(|t| t == sh)
                    && texts.iter().any(|t| t == &row.to_string())
                    && texts.iter().any(|t| t == "拒收")
            }),
            "rejected {sh} row {row} ({why}) not on the 数据问题 sheet"
        );
    }
}

#[test]
fn generated_sample_matches_the_generators_records() {
    let w = Workdir::new();
    let dir = w.join("set");
    let r = generate(
        &dir,
        &SampleOptions {
            seed: 11,
            ..SampleOptions::default()
        },
    )
    .expect("sample");
    let by_kind = |k: &str| {
        r.files
            .iter()
            .find(|f| f.kind == k)
            .map(|f| f.path.clone())
            .expect("file kind")
    };
    let (ledger, master, prev) = (by_kind("ledger"), by_kind("customers"), by_kind("previous"));
    w.ok(&[
        "evaluate",
        p(&ledger),
        "--customers",
        p(&master),
        "--previous",
        p(&prev),
        "--out",
        "e.xlsx",
        "--json",
        "e.json",
    ]);
    let j = w.json("e.json");
    let book = read_book(&w.join("e.xlsx"));
    assert_matches_report(&r, &j, &book);
    // Previous grades from 上年等级.xlsx.
    for e in &r.customers {
        let c = customer(&j, &e.key);
        assert_eq!(
            c["previous_grade"].as_str(),
            e.previous_grade.as_deref(),
            "{}",
            e.key
        );
    }

    // Without the customer master, first_date is the earliest ledger date.
    w.ok(&[
        "evaluate",
        p(&ledger),
        "--out",
        "e2.xlsx",
        "--json",
        "e2.json",
        "--quiet",
    ]);
    let j2 = w.json("e2.json");
    for e in &r.customers {
        let c = customer(&j2, &e.key);
        assert_eq!(
            c["first_date"].as_str(),
            Some(e.ledger_first_date.to_string().as_str()),
            "{}",
            e.key
        );
        // Region and sales rep come from the most recent ledger line.
        assert_eq!(c["region"].as_str(), Some(e.region.as_str()), "{}", e.key);
        assert_eq!(
            c["sales_rep"].as_str(),
            Some(e.sales_rep.as_str()),
            "{}",
            e.key
        );
    }
}

#[test]
fn generated_large_gbk_csv_matches_the_generators_records() {
    let w = Workdir::new();
    let dir = w.join("big");
    let r = generate(
        &dir,
        &SampleOptions {
            rows: Some(4_000),
            seed: 5,
            csv: true,
            gbk: true,
            shared_strings: false,
            customers: None,
            one_sheet: false,
            receipts: false,
        },
    )
    .expect("sample");
    w.ok(&[
        "evaluate",
        p(&r.files[0].path),
        "--out",
        "e.xlsx",
        "--json",
        "e.json",
        "--quiet",
    ]);
    let j = w.json("e.json");
    let book = read_book(&w.join("e.xlsx"));
    assert_matches_report(&r, &j, &book);
}

/// A big xlsx ledger as a streaming exporter writes it (text in the cells), as
/// Excel saves it (one shared-strings table) and with every month on one sheet
/// gives the generator's figures.
#[test]
fn generated_large_xlsx_in_each_form_matches_the_generators_records() {
    for (shared_strings, one_sheet) in [(false, false), (true, false), (false, true)] {
        let w = Workdir::new();
        let dir = w.join("big");
        let r = generate(
            &dir,
            &SampleOptions {
                rows: Some(3_000),
                seed: 9,
                csv: false,
                gbk: false,
                shared_strings,
                customers: Some(400),
                one_sheet,
                receipts: false,
            },
        )
        .expect("sample");
        let n = r.customers.len();
        // More than the 200 a 3,000-row ledger gets by default.
        assert!(n <= 400 && n > 200, "{n} customers");
        // 24 monthly 合计 rows, or 24 小计 rows and one 合计 on the one sheet.
        assert_eq!(r.totals_rows, if one_sheet { 25 } else { 24 });
        let sst = zip_has(&r.files[0].path, "xl/sharedStrings.xml");
        assert_eq!(sst, shared_strings, "shared-strings part present: {sst}");
        w.ok(&[
            "evaluate",
            p(&r.files[0].path),
            "--out",
            "e.xlsx",
            "--json",
            "e.json",
            "--quiet",
        ]);
        let j = w.json("e.json");
        let book = read_book(&w.join("e.xlsx"));
        assert_matches_report(&r, &j, &book);
    }
}

/// Reading on two threads (sheets in parallel, or one sheet's cells parsed on a
/// second thread) gives the same bytes as one thread.
#[test]
fn two_threads_write_the_same_bytes_as_one() {
    for one_sheet in [true, false] {
        let w = Workdir::new();
        let r = generate(
            &w.join("big"),
            &SampleOptions {
                rows: Some(2_500),
                seed: 4,
                one_sheet,
                ..SampleOptions::default()
            },
        )
        .expect("sample");
        let ledger = p(&r.files[0].path).to_string();
        for t in ["1", "2"] {
            let (out, json) = (format!("e{t}.xlsx"), format!("e{t}.json"));
            w.ok(&[
                "evaluate",
                &ledger,
                "--out",
                &out,
                "--json",
                &json,
                "--quiet",
                "--threads",
                t,
            ]);
        }
        for (a, b) in [("e1.xlsx", "e2.xlsx"), ("e1.json", "e2.json")] {
            let read = |f: &str| std::fs::read(w.join(f)).expect("output");
            let (a, b) = (read(a), read(b));
            assert!(
                a == b,
                "{one_sheet}: outputs differ between 1 and 2 threads"
            );
        }
    }
}

fn zip_has(path: &std::path::Path, part: &str) -> bool {
    let f = std::fs::File::open(path).expect("open");
    let z = zip::ZipArchive::new(f).expect("zip");
    let found = z.file_names().any(|n| n.is_ok_and(|n| n == part));
    found
}

// ---------------------------------------------------------------------------
// The hand-built two-month ledger (figures in tests/fixture.rs)

fn evaluate_fixture(w: &Workdir, extra: &[&str]) -> Value {
    fixture::write_two_months(&w.join("ledger.xlsx"));
    let mut args = vec![
        "evaluate",
        "ledger.xlsx",
        "--out",
        "e.xlsx",
        "--json",
        "e.json",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    w.ok(&args);
    w.json("e.json")
}

#[test]
fn fixture_figures_tiers_and_order() {
    let w = Workdir::new();
    let j = evaluate_fixture(&w, &[]);
    assert_eq!(j["as_of"], "2025-02-20");
    assert_eq!(j["window"]["start"], "2024-02-21");
    assert_eq!(j["window"]["end"], "2025-02-20");
    assert_eq!(j["window"]["months"], 12);
    assert_eq!(j["prior_window"]["start"], "2023-02-21");
    assert_eq!(j["prior_window"]["end"], "2024-02-20");
    let keys: Vec<&str> = j["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    let expected_keys: Vec<&str> = EXPECTED.iter().map(|e| e.0).collect();
    // Best grade first, then sales descending.
    assert_eq!(keys, expected_keys);
    for (key, sales, first, basis, grade) in EXPECTED {
        let c = customer(&j, key);
        assert_eq!(dec(&c["sales"]), d(sales), "{key}");
        assert_eq!(dec(&c["prior_sales"]), Decimal::ZERO, "{key}");
        assert_eq!(c["first_date"], first, "{key}");
        assert_eq!(dec(&c["basis_sales"]), d(basis), "{key}");
        assert_eq!(c["provisional"], true, "{key}");
        assert_eq!(c["volume_tier"], grade, "{key}");
        assert_eq!(c["grade"], grade, "{key}");
        assert!(c["composite_tier"].is_null(), "{key}");
        assert!(c["growth"].is_null(), "{key}");
        assert!(c["price_index"].is_null(), "{key}");
        assert_eq!(c["change"], "new", "{key}");
    }
    let k001 = customer(&j, "K001");
    assert_eq!(k001["name"], "甲公司");
    assert_eq!(k001["region"], "华东");
    assert_eq!(k001["sales_rep"], "张三");
    assert_eq!(k001["months_active"], 2);
    assert_eq!(k001["formal_evaluation_date"], "2025-07-05");
    // Row 8's quantity is not counted: the row was rejected.
    assert_eq!(dec(&k001["quantity"]), d("10"));
    assert_eq!(k001["orders"], 2);
    assert_eq!(customer(&j, "K004")["months_active"], 1);

    // Per tier: customers and sales (share of Σ sales 4700).
    let tiers = j["tiers"].as_array().unwrap();
    let got: Vec<(String, u64, Decimal)> = tiers
        .iter()
        .map(|t| {
            (
                t["tier"].as_str().unwrap().to_string(),
                t["customers"].as_u64().unwrap(),
                dec(&t["sales"]),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("A".to_string(), 3, d("4300")),
            ("B".to_string(), 1, d("1234.5")),
            ("C".to_string(), 2, d("-834.5")),
        ]
    );
    // 4300 / 4700 = 0.9148936… → 0.914894
    assert_eq!(dec(&tiers[0]["share"]), d("0.914894"));
}

#[test]
fn fixture_rows_rejections_and_control_totals() {
    let w = Workdir::new();
    let j = evaluate_fixture(&w, &["--lang", "en"]);
    let t = &j["totals"]["ledger"];
    // January: 8 rows read (5–12): 3 accepted, 4 rejected, 1 totals row.
    // February: 5 rows read (4–8): 4 accepted, 1 totals row.
    assert_eq!(t["rows_read"], 13);
    assert_eq!(t["accepted"], 7);
    assert_eq!(t["rejected"], 4);
    assert_eq!(t["totals_rows"], 2);
    // SPEC 7.6 conservation, by hand: 1000 + 1234.50 − 1234.50 + 2000 + 800 + 400 + 500.
    assert_eq!(dec(&t["accepted_amount"]), d("4700"));
    assert_eq!(dec(&t["in_window"]), d("4700"));
    assert_eq!(dec(&t["before_window"]), Decimal::ZERO);
    assert_eq!(dec(&t["after_as_of"]), Decimal::ZERO);
    assert_eq!(dec(&t["customer_sales"]), d("4700"));
    let sum: Decimal = j["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| dec(&c["sales"]))
        .sum();
    assert_eq!(sum, d("4700"));

    // Per sheet.
    let inputs = j["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 1);
    assert_eq!(inputs[0]["kind"], "ledger");
    let sheets = inputs[0]["sheets"].as_array().unwrap();
    let per: Vec<(String, u64, u64, u64, u64, u64)> = sheets
        .iter()
        .map(|s| {
            (
                s["sheet"].as_str().unwrap().to_string(),
                s["header_row"].as_u64().unwrap(),
                s["rows_read"].as_u64().unwrap(),
                s["accepted"].as_u64().unwrap(),
                s["rejected"].as_u64().unwrap(),
                s["totals_rows"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        per,
        vec![
            ("2025年1月".to_string(), 4, 8, 3, 4, 1),
            ("2025年2月".to_string(), 3, 5, 4, 0, 1),
        ]
    );
    assert_eq!(sheets[0]["columns"]["amount"], "金额");
    assert_eq!(sheets[0]["columns"]["customer_id"], "客户编码");
    assert_eq!(sheets[0]["columns"]["order_no"], "单号");

    // Rejected rows: Excel row numbers and columns.
    let issues = j["issues"].as_array().unwrap();
    let rejected: Vec<(String, u64, Value)> = issues
        .iter()
        .filter(|i| i["kind"] == "rejected")
        .map(|i| {
            (
                i["sheet"].as_str().unwrap().to_string(),
                i["row"].as_u64().unwrap(),
                i["column"].clone(),
            )
        })
        .collect();
    let jan = "2025年1月".to_string();
    assert_eq!(
        rejected,
        vec![
            (jan.clone(), 8, Value::from("金额")),
            (jan.clone(), 9, Value::from("日期")),
            (jan.clone(), 10, Value::Null),
            (jan.clone(), 11, Value::from("金额")),
        ]
    );
    let msg = |row: u64| {
        issues
            .iter()
            .find(|i| i["kind"] == "rejected" && i["row"] == row)
            .and_then(|i| i["message"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    assert!(msg(8).contains("open and save"), "{}", msg(8));
    assert!(msg(9).contains("03/05/2025"), "{}", msg(9));
    // Raw cells of rejected rows as text.
    let note = issues
        .iter()
        .find(|i| i["kind"] == "rejected" && i["row"] == 10)
        .unwrap();
    assert_eq!(note["cells"][0], "以下为退货冲红");
    assert_eq!(note["file"], "ledger.xlsx");

    // The February 合计 says 3600; rows add up to 2000 + 800 + 400 + 500 = 3700.
    let mism: Vec<&Value> = issues
        .iter()
        .filter(|i| i["kind"] == "totals_mismatch")
        .collect();
    assert_eq!(mism.len(), 1, "{mism:#?}");
    assert_eq!(mism[0]["sheet"], "2025年2月");
    assert_eq!(mism[0]["row"], 8);
    assert_eq!(mism[0]["column"], "金额");
    assert_eq!(
        mism[0]["message"],
        "sheet says 3,600.00, rows add up to 3,700.00"
    );
}

#[test]
fn fixture_data_issues_sheet_lists_every_rejected_row() {
    let w = Workdir::new();
    evaluate_fixture(&w, &[]);
    let book = read_book(&w.join("e.xlsx"));
    let rows = sheet(&book, "数据问题");
    let h = find_row(rows, "行号").expect("issues header row");
    let col = |name: &str| {
        rows[h]
            .iter()
            .position(|c| text(c) == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let (kind, sh, row, column, message) = (
        col("类别"),
        col("工作表"),
        col("行号"),
        col("列"),
        col("问题"),
    );
    let found: Vec<(String, String, String, String)> = rows[h + 1..]
        .iter()
        .filter(|r| r.get(kind).map(text).as_deref() == Some("拒收"))
        .map(|r| {
            (
                text(&r[sh]),
                text(&r[row]),
                text(&r[column]),
                text(&r[message]),
            )
        })
        .collect();
    let got: Vec<(&str, &str, &str)> = found
        .iter()
        .map(|f| (f.0.as_str(), f.1.as_str(), f.2.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("2025年1月", "8", "金额"),
            ("2025年1月", "9", "日期"),
            ("2025年1月", "10", ""),
            ("2025年1月", "11", "金额"),
        ]
    );
    assert!(found[0].3.contains("打开并保存"), "{}", found[0].3);
    assert!(rows[h + 1..]
        .iter()
        .any(|r| r.get(kind).map(text).as_deref() == Some("合计不符")
            && text(&r[row]) == "8"
            && text(&r[message]).contains("3,600.00")
            && text(&r[message]).contains("3,700.00")));
}

#[test]
fn evaluation_sheet_shows_the_fixture_figures() {
    let w = Workdir::new();
    evaluate_fixture(&w, &[]);
    let book = read_book(&w.join("e.xlsx"));
    let rows = sheet(&book, "评定表");
    let h = find_row(rows, "序号").expect("header row");
    let col = |name: &str| {
        rows[h]
            .iter()
            .position(|c| text(c) == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let (id, sales, grade, prov) = (col("客户编码"), col("销售额"), col("评定等级"), col("暂定"));
    for (i, (key, s, _, _, g)) in EXPECTED.iter().enumerate() {
        let r = &rows[h + 1 + i];
        assert_eq!(text(&r[0]), (i + 1).to_string());
        assert_eq!(text(&r[id]), *key);
        assert_eq!(d(&text(&r[sales])), d(s), "{key}");
        assert_eq!(text(&r[grade]), *g, "{key}");
        assert_eq!(text(&r[prov]), "是", "{key}");
    }
}

// ---------------------------------------------------------------------------
// Several files, split sheets, --sheet, --as-of

fn sales_by_key(j: &Value) -> Vec<(String, Decimal)> {
    let mut v: Vec<(String, Decimal)> = j["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["key"].as_str().unwrap().to_string(), dec(&c["sales"])))
        .collect();
    v.sort();
    v
}

#[test]
fn several_files_and_one_sheet_give_the_same_figures() {
    let w = Workdir::new();
    let j = evaluate_fixture(&w, &[]);
    let expected = sales_by_key(&j);

    // The two months as two files.
    write_xlsx(&w.join("jan.xlsx"), &[("2025年1月", fixture::january())]);
    write_xlsx(&w.join("feb.xlsx"), &[("2025年2月", fixture::february())]);
    w.ok(&[
        "evaluate", "jan.xlsx", "feb.xlsx", "--out", "two.xlsx", "--json", "two.json", "--quiet",
    ]);
    let two = w.json("two.json");
    assert_eq!(sales_by_key(&two), expected);
    assert_eq!(two["totals"]["ledger"], j["totals"]["ledger"]);
    assert_eq!(two["inputs"].as_array().unwrap().len(), 2);

    // Every data row of both months on one sheet under one header (no totals rows).
    let mut one = fixture::january();
    one.truncate(11); // drop January's 合计 (row 12)
    one.extend(fixture::february().into_iter().skip(3).take(4));
    write_xlsx(&w.join("one.xlsx"), &[("全年", one)]);
    w.ok(&[
        "evaluate",
        "one.xlsx",
        "--out",
        "one.xlsx.out.xlsx",
        "--json",
        "one.json",
        "--quiet",
    ]);
    let one = w.json("one.json");
    assert_eq!(sales_by_key(&one), expected);
    let t = &one["totals"]["ledger"];
    assert_eq!(dec(&t["accepted_amount"]), d("4700"));
    assert_eq!(t["accepted"], 7);
    assert_eq!(t["rejected"], 4);
    assert_eq!(t["totals_rows"], 0);
    for (key, _, _, _, grade) in EXPECTED {
        assert_eq!(customer(&one, key)["grade"], grade, "{key}");
    }
}

#[test]
fn sheet_flag_restricts_the_sheets_read() {
    let w = Workdir::new();
    let j = evaluate_fixture(&w, &["--sheet", "2025年2月"]);
    let sheets = j["inputs"][0]["sheets"].as_array().unwrap();
    assert_eq!(sheets.len(), 1);
    assert_eq!(sheets[0]["sheet"], "2025年2月");
    // Only February: K001 500, K004 2000, K005 800, K006 400.
    assert_eq!(
        sales_by_key(&j),
        vec![
            ("K001".to_string(), d("500")),
            ("K004".to_string(), d("2000")),
            ("K005".to_string(), d("800")),
            ("K006".to_string(), d("400")),
        ]
    );
    assert_eq!(dec(&j["totals"]["ledger"]["accepted_amount"]), d("3700"));
    // A sheet that does not exist is an error naming it.
    let err = w.fails(&[
        "evaluate",
        "ledger.xlsx",
        "--out",
        "x.xlsx",
        "--sheet",
        "2025年9月",
    ]);
    assert!(err.contains("2025年9月"), "{err}");
    assert!(!w.join("x.xlsx").exists());
}

#[test]
fn as_of_moves_the_window_and_counts_later_lines() {
    let w = Workdir::new();
    let j = evaluate_fixture(&w, &["--as-of", "2025-01-31"]);
    assert_eq!(j["as_of"], "2025-01-31");
    assert_eq!(j["window"]["start"], "2024-02-01");
    let t = &j["totals"]["ledger"];
    // January's accepted lines: 1000 + 1234.50 − 1234.50 = 1000 in the window;
    // February's 3700 after as_of.
    assert_eq!(dec(&t["in_window"]), d("1000"));
    assert_eq!(dec(&t["after_as_of"]), d("3700"));
    assert_eq!(dec(&t["accepted_amount"]), d("4700"));
    assert_eq!(dec(&customer(&j, "K001")["sales"]), d("1000"));
    // K001 started 2025-01-05: one active month, 1000 × 12.
    assert_eq!(dec(&customer(&j, "K001")["basis_sales"]), d("12000"));
    let warned: Vec<&Value> = j["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "warning" && i["sheet"] == "2025年2月")
        .collect();
    assert_eq!(warned.len(), 1, "{warned:#?}");
    // "4 行日期晚于评定截止日 2025-01-31…": four February lines.
    assert!(
        warned[0]["message"].as_str().unwrap().starts_with("4 "),
        "4 lines after as-of: {}",
        warned[0]["message"]
    );
    // February-only customers have no line on or before as_of.
    for key in ["K004", "K005", "K006"] {
        let c = j["customers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == key);
        if let Some(c) = c {
            assert_eq!(dec(&c["sales"]), Decimal::ZERO, "{key}");
        }
    }
}

// ---------------------------------------------------------------------------
// Determinism

#[test]
fn same_inputs_give_the_same_bytes() {
    let w = Workdir::new();
    fixture::write_two_months(&w.join("ledger.xlsx"));
    for n in ["1", "2"] {
        let (x, j) = (format!("e{n}.xlsx"), format!("e{n}.json"));
        w.ok(&[
            "evaluate",
            "ledger.xlsx",
            "--out",
            &x,
            "--json",
            &j,
            "--quiet",
        ]);
    }
    let read = |n: &str| std::fs::read(w.join(n)).expect("read output");
    assert!(read("e1.xlsx") == read("e2.xlsx"), "xlsx differs");
    assert!(read("e1.json") == read("e2.json"), "json differs");
    assert!(!read("e1.xlsx").is_empty());
}

/// The Summary lists one row per input file (its sheets summed, header rows as a range)
/// and, when a file has several sheets, each sheet below the control totals.
#[test]
fn summary_lists_files_then_their_sheets() {
    use crate::util::C::{self, N, S};
    let w = Workdir::new();
    let header = || vec![S("日期"), S("客户名称"), S("金额")];
    let line = |day: &'static str, amount: f64| vec![S(day), S("华东机械"), N(amount)];
    // 一月: header on row 1, two lines and a 合计 row. 二月: a title row, so the header
    // is row 2, one line, one unusable note. 三月: header on row 3, three lines.
    let jan: Vec<Vec<C>> = vec![
        header(),
        line("2025-01-05", 100.0),
        line("2025-01-06", 50.0),
        vec![S("合计"), C::E, N(150.0)],
    ];
    let feb: Vec<Vec<C>> = vec![
        vec![S("销售台账（2025年2月）")],
        header(),
        line("2025-02-05", 10.0),
        vec![S("以下为退货冲红")],
    ];
    let mar: Vec<Vec<C>> = vec![
        vec![S("销售台账")],
        vec![S("制表单位：财务部")],
        header(),
        line("2025-03-05", 1.0),
        line("2025-03-06", 2.0),
        line("2025-03-07", 3.0),
    ];
    write_xlsx(
        &w.join("q1.xlsx"),
        &[("一月", jan), ("二月", feb), ("三月", mar)],
    );
    write_xlsx(
        &w.join("apr.xlsx"),
        &[("四月", vec![header(), line("2025-04-01", 7.0)])],
    );
    w.ok(&["evaluate", "q1.xlsx", "apr.xlsx", "--out", "e.xlsx"]);
    let book = read_book(&w.join("e.xlsx"));
    let rows = sheet(&book, "汇总");
    let cells =
        |r: usize| -> Vec<String> { rows[r].iter().map(text).filter(|t| !t.is_empty()).collect() };
    // Rows read per sheet: 一月 3 (2 lines + 合计), 二月 2 (1 line + a rejected note), 三月 3.
    let q1 = find_row(rows, "q1.xlsx").expect("q1.xlsx on the Summary");
    assert_eq!(
        cells(q1),
        [
            "销售台账",
            "q1.xlsx",
            "3 个工作表（一月 … 三月）",
            "1–3",
            "8",
            "6",
            "1",
            "1"
        ]
    );
    assert_eq!(
        cells(q1 + 1),
        ["销售台账", "apr.xlsx", "四月", "1", "1", "1", "0", "0"]
    );
    assert_eq!(cells(q1 + 2), ["合计", "9", "7", "1", "1"]);
    // The per-sheet table, under its own heading after the control totals.
    let detail = find_row(rows, "各工作表读取明细").expect("the per-sheet table");
    assert!(detail > find_row(rows, "控制总数核对").expect("control totals"));
    let sheet_row = |name: &str| {
        let r = (detail..rows.len())
            .find(|&r| rows[r].iter().any(|c| text(c) == name))
            .unwrap_or_else(|| panic!("no row for sheet {name}"));
        cells(r)
    };
    for (name, expected) in [
        (
            "一月",
            ["销售台账", "q1.xlsx", "一月", "1", "3", "2", "0", "1"],
        ),
        (
            "二月",
            ["销售台账", "q1.xlsx", "二月", "2", "2", "1", "1", "0"],
        ),
        (
            "三月",
            ["销售台账", "q1.xlsx", "三月", "3", "3", "3", "0", "0"],
        ),
        (
            "四月",
            ["销售台账", "apr.xlsx", "四月", "1", "1", "1", "0", "0"],
        ),
    ] {
        assert_eq!(sheet_row(name), expected, "{name}");
    }

    // One sheet per file: no per-sheet table.
    w.ok(&["evaluate", "apr.xlsx", "--out", "one.xlsx"]);
    let book = read_book(&w.join("one.xlsx"));
    assert_eq!(find_row(sheet(&book, "汇总"), "各工作表读取明细"), None);
}
