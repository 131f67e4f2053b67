//! The page of `tierbook serve` in headless Chromium (driven through
//! chromedriver): the bundled samples and a GBK CSV ledger uploaded, the
//! grades shown, the evaluation workbook downloaded and read back with
//! calamine against the command line's, a bad file's error shown, file
//! texts shown as text, and no request to anywhere but the server.
//!
//! With `TIERBOOK_SCREENSHOTS=DIR` the page is also saved as PNG there
//! (zh-CN and en, before and after grading: `docs/images/` in the README).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::hardening::cfb;
use crate::serve::cli_samples;
use crate::server::Server;
use crate::util::C::{D, N, S};
use crate::util::{read_book, write_xlsx, Workdir};
use crate::webdriver::{available, Browser};

const LONG: Duration = Duration::from_secs(120);

/// The files of a download folder that are complete.
fn downloaded(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| !p.to_string_lossy().ends_with(".crdownload"))
        .collect()
}

fn wait_for_download(dir: &Path) -> PathBuf {
    let start = Instant::now();
    loop {
        if let Some(p) = downloaded(dir).into_iter().next() {
            return p;
        }
        assert!(start.elapsed() < LONG, "no download arrived");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Saves a screenshot when `TIERBOOK_SCREENSHOTS` names a folder.
fn screenshot(b: &Browser, name: &str, full: bool) {
    if let Some(dir) = std::env::var_os("TIERBOOK_SCREENSHOTS") {
        let png = if full {
            b.full_screenshot()
        } else {
            b.screenshot()
        };
        std::fs::write(Path::new(&dir).join(name), png).expect("write screenshot");
    }
}

/// Opens the page afresh in `lang`.
fn open(b: &Browser, s: &Server, lang: &str) {
    b.goto(&format!("{}&lang={lang}", s.url));
    b.wait_for("return document.body.dataset.ready === 'true'", LONG);
}

/// Grades what is chosen and waits for the answer (results or an error).
fn grade(b: &Browser) {
    b.click("#evaluate");
    b.wait_for(
        "return !document.getElementById('evaluate').disabled && \
         (!document.getElementById('results').hidden || !document.getElementById('error').hidden)",
        LONG,
    );
}

fn text_of(b: &Browser, css: &str) -> String {
    b.run(
        "return document.querySelector(arguments[0]).textContent",
        json!([css]),
    )
    .as_str()
    .unwrap_or_default()
    .to_string()
}

/// The cells of the customers table: one row of texts per customer shown.
fn customer_rows(b: &Browser) -> Vec<Vec<String>> {
    let v = b.run(
        "return Array.from(document.querySelectorAll('#customers tbody tr'))\
           .map(tr => Array.from(tr.cells).map(td => td.textContent))",
        json!([]),
    );
    serde_json::from_value(v).expect("rows")
}

/// Customers per tier as the page's tiers table shows them.
fn tier_counts(b: &Browser) -> Vec<(String, u64)> {
    let v = b.run(
        "return Array.from(document.querySelectorAll('#tiers tr')).slice(1)\
           .map(tr => [tr.cells[0].textContent, Number(tr.cells[2].textContent)])",
        json!([]),
    );
    serde_json::from_value(v).expect("tiers")
}

/// Customers per tier in a command line's JSON.
fn cli_tiers(json: &serde_json::Value) -> Vec<(String, u64)> {
    json["tiers"]
        .as_array()
        .expect("tiers")
        .iter()
        .map(|t| {
            let tier = t["tier"].as_str().unwrap_or_default().to_string();
            (tier, t["customers"].as_u64().unwrap_or(0))
        })
        .collect()
}

/// Scrolls to the grades and saves a screenshot of the window.
fn screenshot_results(b: &Browser, name: &str) {
    b.run(
        "document.getElementById('results').scrollIntoView({block: 'start'})",
        json!([]),
    );
    std::thread::sleep(Duration::from_millis(300));
    screenshot(b, name, false);
}

#[test]
fn the_page_in_headless_chromium() {
    if !available() {
        return;
    }
    let w = Workdir::new();
    let cli = cli_samples(&w, "zh-CN");
    w.ok(&[
        "sample",
        "--out-dir",
        "gbk",
        "--rows",
        "2000",
        "--csv",
        "--gbk",
        "--quiet",
    ]);
    let csv = w.join("gbk/销售台账.csv");
    w.ok(&[
        "evaluate",
        "gbk/销售台账.csv",
        "--lang",
        "en",
        "--out",
        "csv.xlsx",
        "--json",
        "csv.json",
        "--quiet",
    ]);
    let cli_csv = w.json("csv.json");
    let downloads = w.join("downloads");
    std::fs::create_dir(&downloads).expect("downloads folder");
    let s = Server::start(&[]);
    let b = Browser::start(&downloads);
    let origin = format!("http://127.0.0.1:{}/", s.port);

    // zh-CN: the samples, checked, then graded.
    open(&b, &s, "zh-CN");
    assert_eq!(text_of(&b, "h1 [data-t=title]"), "客户分级评定");
    b.choose_files("#pick-ledger", &[&w.join("销售台账.xlsx")]);
    b.choose_files("#pick-customers", &[&w.join("客户档案.xlsx")]);
    b.choose_files("#pick-previous", &[&w.join("上年等级.xlsx")]);
    b.click("#check");
    b.wait_for(
        "return !document.getElementById('check-result').hidden",
        LONG,
    );
    let listing = text_of(&b, "#check-files");
    assert!(listing.contains("销售台账 销售台账.xlsx"), "{listing}");
    let first_sheet = b.run(
        "return Array.from(document.querySelectorAll('#check-files table.sheets tr')[1].cells)\
           .map(td => td.textContent)",
        json!([]),
    );
    // The same reading as the command line's (its JSON `inputs`).
    let sheet = &cli["inputs"][0]["sheets"][0];
    let want: Vec<String> = [
        "header_row",
        "rows_read",
        "accepted",
        "rejected",
        "totals_rows",
    ]
    .iter()
    .map(|k| sheet[k].to_string())
    .collect();
    assert_eq!(first_sheet[0], sheet["sheet"]);
    assert_eq!(
        first_sheet.as_array().map(|a| a[1..].to_vec()),
        Some(want.iter().map(|w| json!(w)).collect())
    );
    assert!(
        listing.contains("列：amount ← 金额，customer_id ← 客户编码"),
        "{listing}"
    );
    assert_eq!(
        text_of(&b, "#check-summary"),
        "每个文件都找到了表头，可以评定。"
    );
    screenshot(&b, "serve-zh-CN-before.png", true);
    grade(&b);
    assert_eq!(text_of(&b, "#error"), "", "no error");
    let rows = customer_rows(&b);
    let customers = cli["customers"].as_array().expect("customers");
    assert_eq!(rows.len(), customers.len().min(200));
    for (row, c) in rows.iter().zip(customers) {
        // id, name, region, rep, sales, score, grade …
        assert_eq!(row[0], c["id"].as_str().unwrap_or_default());
        assert_eq!(row[1], c["name"].as_str().unwrap_or_default());
        assert_eq!(row[6], c["grade"].as_str().unwrap_or_default());
    }
    assert_eq!(tier_counts(&b), cli_tiers(&cli));
    screenshot_results(&b, "serve-zh-CN-after.png");

    // The workbook, downloaded through the page, is the command line's.
    b.click("#download-evaluation");
    let file = wait_for_download(&downloads);
    assert_eq!(
        file.file_name().map(|n| n.to_string_lossy().into_owned()),
        Some("客户质量等级评定表_2025-12-31.xlsx".to_string())
    );
    assert_eq!(read_book(&file), read_book(&w.join("cli.xlsx")));
    // Graded without receipts: no reconciliation to download.
    assert_eq!(
        b.run(
            "return document.getElementById('download-reconciliation').disabled",
            json!([])
        ),
        json!(true)
    );

    // The table sorts and filters.
    b.click("#customers th[data-key=sales]");
    let sorted = customer_rows(&b);
    let sales: Vec<f64> = customers
        .iter()
        .filter_map(|c| c["sales"].as_f64())
        .collect();
    let top = sales.iter().cloned().fold(f64::MIN, f64::max);
    let top_name = customers
        .iter()
        .find(|c| c["sales"].as_f64() == Some(top))
        .and_then(|c| c["name"].as_str())
        .unwrap_or_default();
    assert_eq!(sorted[0][1], top_name, "sorted by sales, largest first");
    b.run(
        "const f = document.getElementById('filter'); f.value = arguments[0]; \
         f.dispatchEvent(new Event('input'))",
        json!([top_name]),
    );
    assert_eq!(customer_rows(&b).len(), 1);

    // en: a GBK CSV ledger.
    open(&b, &s, "en");
    assert_eq!(text_of(&b, "h1 [data-t=title]"), "Customer grading");
    b.choose_files("#pick-ledger", &[&csv]);
    b.click("#check");
    b.wait_for(
        "return !document.getElementById('check-result').hidden",
        LONG,
    );
    screenshot(&b, "serve-en-before.png", true);
    grade(&b);
    assert_eq!(text_of(&b, "#error"), "");
    assert_eq!(tier_counts(&b), cli_tiers(&cli_csv));
    let summary = text_of(&b, "#summary");
    let rows = cli_csv["totals"]["ledger"]["rows_read"].to_string();
    assert!(summary.contains(&format!("{rows} rows read")), "{summary}");
    screenshot_results(&b, "serve-en-after.png");

    // A bad file shows its error in the page.
    let locked = cfb(&[
        ("EncryptionInfo", vec![4, 0, 4, 0, 0x40, 0, 0, 0]),
        ("EncryptedPackage", vec![0x5A; 600]),
    ]);
    std::fs::write(w.join("locked.xlsx"), locked).expect("write");
    open(&b, &s, "en");
    b.choose_files("#pick-ledger", &[&w.join("locked.xlsx")]);
    grade(&b);
    let error = text_of(&b, "#error");
    assert!(
        error.starts_with("Could not finish: locked.xlsx:"),
        "{error}"
    );
    assert!(error.contains("password-protected"), "{error}");

    // Texts from the files are shown as text, never run as HTML.
    let hostile = w.join("hostile.xlsx");
    let names = [
        "<script>window.pwned = 1</script>",
        "<img src=x onerror=\"window.pwned = 2\">",
    ];
    write_xlsx(
        &hostile,
        &[(
            "Sheet1",
            vec![
                vec![S("日期"), S("客户名称"), S("金额")],
                vec![D(2025, 3, 1), S(names[0]), N(100.0)],
                vec![D(2025, 3, 2), S(names[1]), N(200.0)],
            ],
        )],
    );
    open(&b, &s, "zh-CN");
    b.choose_files("#pick-ledger", &[&hostile]);
    grade(&b);
    let shown: Vec<String> = customer_rows(&b)
        .into_iter()
        .map(|r| r[1].clone())
        .collect();
    assert!(
        shown.contains(&names[0].to_string()) && shown.contains(&names[1].to_string()),
        "{shown:?}"
    );
    assert_eq!(
        b.run("return window.pwned === undefined", json!([])),
        json!(true)
    );
    assert_eq!(
        b.run(
            "return document.querySelectorAll('main img, main script').length",
            json!([])
        ),
        json!(0)
    );

    // Nothing but the server was asked for anything over the network (the
    // browser's own chrome:// pages, such as the first empty tab, are not).
    let urls = b.requested_urls();
    assert!(
        urls.iter().filter(|u| u.starts_with(&origin)).count() > 10,
        "{urls:?}"
    );
    let internal = [
        "chrome://",
        "chrome-untrusted://",
        "data:",
        "blob:",
        "about:",
    ];
    let elsewhere: Vec<&String> = urls
        .iter()
        .filter(|u| !u.starts_with(&origin) && !internal.iter().any(|p| u.starts_with(p)))
        .collect();
    assert!(
        elsewhere.is_empty(),
        "requests outside 127.0.0.1: {elsewhere:?}"
    );
    let violations: Vec<String> = b
        .console()
        .into_iter()
        .filter(|m| m.contains("Content Security Policy"))
        .collect();
    assert!(violations.is_empty(), "{violations:?}");
}

/// Waits for the download named `name` to be complete in `dir`.
fn wait_for_file(dir: &Path, name: &str) -> PathBuf {
    let start = Instant::now();
    loop {
        if let Some(p) = downloaded(dir)
            .into_iter()
            .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy() == name))
        {
            return p;
        }
        assert!(
            start.elapsed() < LONG,
            "{name} did not arrive: {:?}",
            downloaded(dir)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_page_offers_every_workbook_of_the_command_line() {
    if !available() {
        return;
    }
    let w = Workdir::new();
    crate::serve::all_samples(&w);
    crate::serve::cli_on_samples(&w, "reconcile", &["--out", "r.xlsx"]);
    crate::serve::cli_on_samples(
        &w,
        "evaluate",
        &["--split-by", "sales_rep", "--out-dir", "h"],
    );
    let downloads = w.join("downloads");
    std::fs::create_dir(&downloads).expect("downloads folder");
    let s = Server::start(&[]);
    let b = Browser::start(&downloads);
    open(&b, &s, "zh-CN");
    for kind in ["ledger", "receipts", "customers", "previous"] {
        let name = crate::serve::sample_of(kind);
        b.choose_files(&format!("#pick-{kind}"), &[&w.join(name)]);
    }
    grade(&b);
    assert_eq!(text_of(&b, "#error"), "", "no error");
    // A button for every workbook, all usable: receipts were given.
    let buttons = b.run(
        "return Array.from(document.querySelectorAll('#downloads a, #downloads button'))\
           .map(e => [e.id, e.textContent, e.disabled === true])",
        json!([]),
    );
    assert_eq!(
        buttons,
        json!([
            ["download-evaluation", "评定表（xlsx）", false],
            ["download-json", "结果数据（JSON）", false],
            ["download-handouts", "分发表（zip）", false],
            ["download-monthly", "月度跟进表（xlsx）", false],
            ["download-reconciliation", "对账表（xlsx）", false],
        ])
    );
    b.click("#download-reconciliation");
    let file = wait_for_file(&downloads, "应收账款对账_2025-12-31.xlsx");
    assert_eq!(read_book(&file), read_book(&w.join("r.xlsx")));
    // The handouts by sales rep: one zip holding the command line's files.
    b.run(
        "const s = document.getElementById('split-by'); s.value = 'sales_rep'; \
         s.dispatchEvent(new Event('change'))",
        json!([]),
    );
    b.wait_for(
        "return !document.getElementById('download-handouts').disabled",
        LONG,
    );
    b.click("#download-handouts");
    let zip = wait_for_file(&downloads, "客户质量等级评定表_业务员_2025-12-31.zip");
    let zip = zip::ZipArchive::new(std::fs::File::open(zip).expect("zip")).expect("a zip");
    let mut inside: Vec<String> = zip
        .file_names()
        .map(|n| n.expect("name").into_owned())
        .collect();
    inside.sort();
    let mut cli: Vec<String> = std::fs::read_dir(w.join("h"))
        .expect("handouts")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    cli.sort();
    assert_eq!(inside, cli);
    assert_eq!(text_of(&b, "#error"), "", "no error");
}

/// A 1,000,000-row ledger through the page against `tierbook evaluate` on
/// the same file (with `--json`, as the page gets both), taking turns three
/// times and comparing the medians. Run on a release build:
/// `TIERBOOK_BIG_LEDGER=/tmp/b1x/销售台账.xlsx cargo test --release --test
/// tests million -- --ignored --nocapture`.
#[test]
#[ignore = "a benchmark: needs a big ledger and a release build"]
fn a_million_rows_through_the_page() {
    if !available() {
        return;
    }
    let ledger = PathBuf::from(
        std::env::var_os("TIERBOOK_BIG_LEDGER").unwrap_or_else(|| "/tmp/b1x/销售台账.xlsx".into()),
    );
    assert!(ledger.exists(), "{}", ledger.display());
    let w = Workdir::new();
    let ledger_arg = ledger.display().to_string();
    let downloads = w.join("downloads");
    std::fs::create_dir(&downloads).expect("downloads folder");
    let s = Server::start(&[]);
    let b = Browser::start(&downloads);
    let (mut cli, mut page) = (Vec::new(), Vec::new());
    let mut statuses: Vec<String> = Vec::new();
    for round in 0..3 {
        let started = Instant::now();
        w.ok(&[
            "evaluate",
            &ledger_arg,
            "--out",
            "o.xlsx",
            "--json",
            "o.json",
            "--quiet",
            "--force",
        ]);
        cli.push(started.elapsed().as_secs_f64());
        open(&b, &s, "en");
        b.choose_files("#pick-ledger", &[&ledger]);
        let started = Instant::now();
        b.click("#evaluate");
        loop {
            let done = b.run(
                "return !document.getElementById('evaluate').disabled",
                json!([]),
            ) == json!(true);
            if done {
                break;
            }
            let status = text_of(&b, "#status");
            if round == 0 && statuses.last() != Some(&status) {
                statuses.push(status);
            }
            assert!(started.elapsed() < Duration::from_secs(600), "too slow");
            std::thread::sleep(Duration::from_millis(50));
        }
        page.push(started.elapsed().as_secs_f64());
        assert_eq!(text_of(&b, "#error"), "");
    }
    let cli_json = w.json("o.json");
    assert_eq!(tier_counts(&b), cli_tiers(&cli_json));
    eprintln!("progress shown: {statuses:#?}");
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    eprintln!("cli runs {cli:.2?} s, page runs {page:.2?} s");
    let (c, p) = (median(&mut cli), median(&mut page));
    eprintln!("median: cli {c:.2} s, page {p:.2} s, ratio {:.2}", p / c);
    assert!(
        statuses.iter().any(|s| s.starts_with("Uploading")),
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .any(|s| s.starts_with("Reading the ledger: sheet")),
        "{statuses:?}"
    );
    assert!(p <= 1.5 * c, "page {p:.2} s against the CLI's {c:.2} s");
}
