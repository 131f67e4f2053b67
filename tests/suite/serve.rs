//! `tierbook serve` through raw HTTP requests: the address line, the API's
//! answers against the command line's for the same files, and every
//! security rule of the serve issue (host, origin, token, `..`, upload
//! limit, hostile files, private folder, download names, CSP, Ctrl-C).

use std::time::Duration;

use crate::hardening::{cfb, declare_size, xlsx_parts, zip_file};
use crate::server::{Form, Response, Server};
use crate::util::{read_book, repo, Workdir};

const SAMPLES: [(&str, &str); 3] = [
    ("ledger", "销售台账.xlsx"),
    ("customers", "客户档案.xlsx"),
    ("previous", "上年等级.xlsx"),
];

/// The bundled samples as a form.
pub fn samples_form() -> Form {
    SAMPLES.iter().fold(Form::new(), |f, (field, name)| {
        f.path(field, &repo().join("samples").join(name))
    })
}

/// The command line's JSON and workbook for the samples, run beside copies
/// of them so that files are named as the page names them.
pub fn cli_samples(w: &Workdir, lang: &str) -> serde_json::Value {
    for (_, name) in SAMPLES {
        std::fs::copy(repo().join("samples").join(name), w.join(name)).expect("copy sample");
    }
    w.ok(&[
        "evaluate",
        "销售台账.xlsx",
        "--customers",
        "客户档案.xlsx",
        "--previous",
        "上年等级.xlsx",
        "--lang",
        lang,
        "--out",
        "cli.xlsx",
        "--json",
        "cli.json",
        "--quiet",
    ]);
    w.json("cli.json")
}

/// The answer without its `downloads`, and the downloads.
pub fn split_downloads(mut v: serde_json::Value) -> (serde_json::Value, serde_json::Value) {
    let d = v
        .as_object_mut()
        .and_then(|o| o.remove("downloads"))
        .expect("downloads");
    (v, d)
}

#[test]
fn the_first_line_is_the_address_with_a_fresh_token() {
    let a = Server::start(&[]);
    let b = Server::start(&[]);
    for s in [&a, &b] {
        assert_eq!(
            s.url,
            format!("http://127.0.0.1:{}/?token={}", s.port, s.token)
        );
        assert_eq!(s.token.len(), 64);
    }
    assert_ne!(a.token, b.token);
    assert_ne!(a.port, b.port);
    let page = a.get(&format!("/?token={}", a.token));
    assert_eq!(page.status, 200);
    assert!(page.text().contains("/assets/app.js"));
    let csp = page.header("content-security-policy").expect("a CSP");
    assert!(csp.starts_with("default-src 'self'"), "{csp}");
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    // Every answer carries it, refusals included.
    let refused = a.get_with("/api/config", &[]);
    assert_eq!(refused.status, 403);
    assert!(refused.header("content-security-policy").is_some());
}

#[test]
fn evaluate_answers_what_the_command_line_writes() {
    let w = Workdir::new();
    let cli = cli_samples(&w, "en");
    let s = Server::start(&[]);
    let r = s.post("/api/evaluate", &samples_form().text("lang", "en"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/json")));
    let (json, downloads) = split_downloads(r.json());
    assert_eq!(json, cli, "the same document as evaluate --json");
    let xlsx = downloads["evaluation"].as_str().expect("a workbook link");
    assert!(xlsx.starts_with("/download/") && xlsx.ends_with(&format!("?token={}", s.token)));
    let got = s.get_with(xlsx, &[]);
    assert_eq!(got.status, 200);
    assert_eq!(
        got.header("content-disposition"),
        Some(
            "attachment; filename=\"tierbook-evaluation-2025-12-31.xlsx\"; \
             filename*=UTF-8''Customer%20Quality%20Grade%20Evaluation%20Form_2025-12-31.xlsx"
        )
    );
    std::fs::write(w.join("served.xlsx"), &got.body).expect("write");
    assert_eq!(
        read_book(&w.join("served.xlsx")),
        read_book(&w.join("cli.xlsx"))
    );
    assert_eq!(
        got.body,
        std::fs::read(w.join("cli.xlsx")).expect("cli workbook"),
        "byte for byte"
    );
    let json_link = downloads["json"].as_str().expect("a JSON link");
    let served_json: serde_json::Value =
        serde_json::from_slice(&s.get_with(json_link, &[]).body).expect("json");
    assert_eq!(served_json, cli);
}

#[test]
fn chinese_download_names_use_rfc_5987() {
    let s = Server::start(&[]);
    let r = s.post("/api/evaluate", &samples_form());
    assert_eq!(r.status, 200, "{}", r.text());
    let (json, downloads) = split_downloads(r.json());
    assert_eq!(
        json["customers"][0]["reasons"][0]
            .as_str()
            .map(|t| t.is_ascii()),
        Some(false)
    );
    let got = s.get_with(downloads["evaluation"].as_str().expect("link"), &[]);
    let cd = got.header("content-disposition").expect("a name");
    // 客户质量等级评定表 in UTF-8, percent-encoded; the plain name is ASCII.
    assert!(
        cd.contains("filename=\"tierbook-evaluation-2025-12-31.xlsx\""),
        "{cd}"
    );
    assert!(
        cd.contains("filename*=UTF-8''%E5%AE%A2%E6%88%B7%E8%B4%A8%E9%87%8F%E7%AD%89%E7%BA%A7%E8%AF%84%E5%AE%9A%E8%A1%A8_2025-12-31.xlsx"),
        "{cd}"
    );
    assert!(cd.is_ascii());
}

#[test]
fn check_shows_each_sheet_and_fails_a_file_without_header() {
    let s = Server::start(&[]);
    let r = s.post(
        "/api/check",
        &Form::new()
            .path("ledger", &repo().join("samples/销售台账.xlsx"))
            .path("receipts", &repo().join("samples/回款台账.xlsx"))
            .text("lang", "en"),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["ok"], true);
    let files = v["files"].as_array().expect("files");
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["file"], "销售台账.xlsx");
    assert_eq!(files[1]["kind"], "receipts");
    let first = &files[0]["sheets"][0];
    assert_eq!(first["sheet"], "2024年1月");
    assert_eq!(first["header_row"], 4);
    assert_eq!(first["columns"]["amount"], "金额");
    // A CSV with no usable header: 422 naming the file as uploaded, with the listing.
    let bad = s.post(
        "/api/check",
        &Form::new().file("ledger", "备注.csv", "甲,乙\n1,2\n".as_bytes().to_vec()),
    );
    assert_eq!(bad.status, 422, "{}", bad.text());
    let v = bad.json();
    let error = v["error"].as_str().expect("error");
    assert!(
        error.starts_with("备注.csv: no sheet has the required columns"),
        "{error}"
    );
    assert_eq!(v["files"][0]["ok"], false);
    assert!(
        !error.contains("tierbook-serve-"),
        "no temporary path: {error}"
    );
}

#[test]
fn bad_requests_are_400_with_a_message() {
    let s = Server::start(&[]);
    let ledger = || Form::new().path("ledger", &repo().join("samples/销售台账.xlsx"));
    for (form, says) in [
        (Form::new().text("lang", "en"), "no sales ledger"),
        (ledger().text("as_of", "2025/12/31"), "YYYY-MM-DD"),
        (ledger().text("lang", "fr"), "not a language"),
        (
            ledger().text("template", "five-tier"),
            "not a built-in template",
        ),
        (
            ledger().text("colour", "red"),
            "unknown form field \"colour\"",
        ),
        (
            ledger().file("rules", "r.toml", b"name = 1\n".to_vec()),
            "r.toml",
        ),
    ] {
        let r = s.post("/api/evaluate", &form);
        assert_eq!(r.status, 400, "{}", r.text());
        let e = r.json()["error"].as_str().expect("error").to_string();
        assert!(e.contains(says), "{e}");
    }
    // Not multipart at all.
    let r = s.raw(
        format!(
            "POST /api/evaluate HTTP/1.1\r\nHost: {}\r\nX-Tierbook-Token: {}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}",
            s.host(),
            s.token
        )
        .as_bytes(),
    );
    assert_eq!(r.status, 400);
    assert!(r.json()["error"]
        .as_str()
        .is_some_and(|e| e.contains("multipart")));
}

#[test]
fn as_of_template_and_rules_file_are_used() {
    let w = Workdir::new();
    std::fs::copy(
        repo().join("samples/销售台账.xlsx"),
        w.join("销售台账.xlsx"),
    )
    .expect("copy");
    std::fs::copy(
        repo().join("templates/four-tier.toml"),
        w.join("rules.toml"),
    )
    .expect("copy");
    w.ok(&[
        "evaluate",
        "销售台账.xlsx",
        "--rules",
        "rules.toml",
        "--as-of",
        "2025-06-30",
        "--out",
        "o.xlsx",
        "--json",
        "o.json",
        "--quiet",
    ]);
    let cli = w.json("o.json");
    let s = Server::start(&[]);
    let form = Form::new()
        .path("ledger", &w.join("销售台账.xlsx"))
        .path("rules", &w.join("rules.toml"))
        .text("as_of", "2025-06-30");
    let (json, _) = split_downloads(s.post("/api/evaluate", &form).json());
    assert_eq!(json, cli);
    assert_eq!(json["as_of"], "2025-06-30");
    // The built-in template by name gives the same grades.
    let form = Form::new()
        .path("ledger", &w.join("销售台账.xlsx"))
        .text("template", "four-tier")
        .text("as_of", "2025-06-30");
    let (json, _) = split_downloads(s.post("/api/evaluate", &form).json());
    assert_eq!(json["rules"]["source"], "built-in four-tier");
    assert_eq!(json["customers"], cli["customers"]);
}

#[test]
fn two_uploads_at_once_get_their_own_answers() {
    let w = Workdir::new();
    w.ok(&[
        "sample",
        "--out-dir",
        "big",
        "--rows",
        "2000",
        "--csv",
        "--gbk",
        "--quiet",
    ]);
    let csv = w.join("big/销售台账.csv");
    assert!(csv.exists(), "{:?}", w.files());
    std::fs::copy(&csv, w.join("销售台账.csv")).expect("copy");
    w.ok(&[
        "evaluate",
        "销售台账.csv",
        "--out",
        "csv.xlsx",
        "--json",
        "csv.json",
        "--quiet",
    ]);
    let cli_csv = w.json("csv.json");
    let cli_xlsx = cli_samples(&w, "zh-CN");
    let s = Server::start(&[]);
    let csv_form = Form::new().path("ledger", &w.join("销售台账.csv"));
    let xlsx_form = samples_form();
    let (a, b) = std::thread::scope(|scope| {
        let a = scope.spawn(|| s.post("/api/evaluate", &csv_form));
        let b = scope.spawn(|| s.post("/api/evaluate", &xlsx_form));
        (a.join().expect("csv run"), b.join().expect("xlsx run"))
    });
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(b.status, 200, "{}", b.text());
    let (a, da) = split_downloads(a.json());
    let (b, db) = split_downloads(b.json());
    assert_eq!(a, cli_csv);
    assert_eq!(b, cli_xlsx);
    assert_ne!(da["evaluation"], db["evaluation"]);
    let book = s.get_with(da["evaluation"].as_str().expect("link"), &[]);
    assert_eq!(book.body, std::fs::read(w.join("csv.xlsx")).expect("cli"));
}

// ---------------------------------------------------------------------------
// Every job the command line has

/// The four bundled samples by form field.
const ALL_SAMPLES: [(&str, &str); 4] = [
    ("ledger", "销售台账.xlsx"),
    ("receipts", "回款台账.xlsx"),
    ("customers", "客户档案.xlsx"),
    ("previous", "上年等级.xlsx"),
];

/// Copies the four samples into `w`; returns them as a form.
pub fn all_samples(w: &Workdir) -> Form {
    ALL_SAMPLES.iter().fold(Form::new(), |f, (field, name)| {
        std::fs::copy(repo().join("samples").join(name), w.join(name)).expect("copy sample");
        f.path(field, &w.join(name))
    })
}

/// The sample file of a form field.
pub fn sample_of(field: &str) -> &'static str {
    ALL_SAMPLES
        .iter()
        .find(|(f, _)| *f == field)
        .map_or("", |(_, name)| name)
}

/// Runs `command` in `w` on the samples `all_samples` copied there (all four;
/// `reconcile` takes no previous grades), then `more`.
pub fn cli_on_samples(w: &Workdir, command: &str, more: &[&str]) {
    let mut args = vec![
        command,
        "销售台账.xlsx",
        "--receipts",
        "回款台账.xlsx",
        "--customers",
        "客户档案.xlsx",
    ];
    if command != "reconcile" {
        args.extend(["--previous", "上年等级.xlsx"]);
    }
    args.extend(more);
    args.push("--quiet");
    w.ok(&args);
}

/// Downloads `link`, saves it as `w/name` and returns the answer.
fn download(s: &Server, link: &serde_json::Value, w: &Workdir, name: &str) -> Response {
    let got = s.get_with(link.as_str().expect("a link"), &[]);
    assert_eq!(got.status, 200, "{}", got.text());
    std::fs::write(w.join(name), &got.body).expect("write");
    got
}

/// Posts `form` to `path`, asserts 200 and the command line's JSON, and
/// checks that the workbook behind download `key` is, cell for cell, the
/// command line's `cli_book`; returns its `Content-Disposition`.
fn same_as_cli(
    s: &Server,
    path: &str,
    form: &Form,
    w: &Workdir,
    cli: (&str, &str),
    key: &str,
) -> String {
    let r = s.post(path, form);
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    let (json, downloads) = split_downloads(r.json());
    let (cli_json, cli_book) = cli;
    assert_eq!(json, w.json(cli_json), "{path}: the command line's JSON");
    let served = format!("served-{key}.xlsx");
    let got = download(s, &downloads[key], w, &served);
    assert_eq!(
        read_book(&w.join(&served)),
        read_book(&w.join(cli_book)),
        "{path}"
    );
    download(s, &downloads["json"], w, "served.json");
    assert_eq!(w.json("served.json"), json, "{path}: the JSON download");
    got.header("content-disposition")
        .expect("a name")
        .to_string()
}

#[test]
fn evaluate_with_receipts_writes_the_credit_sheets_as_the_command_line() {
    let w = Workdir::new();
    let form = all_samples(&w);
    cli_on_samples(&w, "evaluate", &["--out", "e.xlsx", "--json", "e.json"]);
    let s = Server::start(&[]);
    same_as_cli(
        &s,
        "/api/evaluate",
        &form,
        &w,
        ("e.json", "e.xlsx"),
        "evaluation",
    );
    let f = tierbook::labels::finance::finance(tierbook::labels::Lang::ZhCn);
    let sheets: Vec<String> = read_book(&w.join("served-evaluation.xlsx"))
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert!(
        sheets.iter().any(|n| n == f.sheet_credit) && sheets.iter().any(|n| n == f.sheet_upgrades),
        "{sheets:?}"
    );
    assert!(w.json("e.json")["totals"]["receipts"].is_object());
}

#[test]
fn monthly_answers_what_the_command_line_writes() {
    let w = Workdir::new();
    let form = all_samples(&w).text("as_of", "2025-11-30");
    cli_on_samples(
        &w,
        "monthly",
        &[
            "--as-of",
            "2025-11-30",
            "--out",
            "m.xlsx",
            "--json",
            "m.json",
        ],
    );
    let s = Server::start(&[]);
    let cd = same_as_cli(
        &s,
        "/api/monthly",
        &form,
        &w,
        ("m.json", "m.xlsx"),
        "monthly",
    );
    // 客户月度跟进表_2025-11-30.xlsx
    assert_eq!(
        cd,
        "attachment; filename=\"tierbook-monthly-2025-11-30.xlsx\"; filename*=UTF-8''\
         %E5%AE%A2%E6%88%B7%E6%9C%88%E5%BA%A6%E8%B7%9F%E8%BF%9B%E8%A1%A8_2025-11-30.xlsx"
    );
}

#[test]
fn reconcile_answers_what_the_command_line_writes_and_needs_receipts() {
    let w = Workdir::new();
    // The previous grades are sent too, as the page sends them: reconcile does not read them.
    let form = all_samples(&w).text("lang", "en");
    cli_on_samples(
        &w,
        "reconcile",
        &["--lang", "en", "--out", "r.xlsx", "--json", "r.json"],
    );
    let s = Server::start(&[]);
    let cd = same_as_cli(
        &s,
        "/api/reconcile",
        &form,
        &w,
        ("r.json", "r.xlsx"),
        "reconciliation",
    );
    assert_eq!(
        cd,
        "attachment; filename=\"tierbook-reconciliation-2025-12-31.xlsx\"; \
         filename*=UTF-8''Receivables%20Reconciliation_2025-12-31.xlsx"
    );
    // Without receipts: a 400 naming what is missing, and nothing kept.
    let no_receipts = Form::new()
        .path("ledger", &w.join("销售台账.xlsx"))
        .path("customers", &w.join("客户档案.xlsx"));
    let r = s.post("/api/reconcile", &no_receipts);
    assert_eq!(r.status, 400, "{}", r.text());
    let e = r.json()["error"].as_str().expect("error").to_string();
    assert!(
        e.starts_with("no receipts ledger was read") && e.contains("\"receipts\""),
        "{e}"
    );
    let before = s.private_files().len();
    assert_eq!(s.post("/api/reconcile", &no_receipts).status, 400);
    assert_eq!(
        s.private_files().len(),
        before,
        "a refused run leaves nothing"
    );
}

#[test]
fn handouts_come_as_one_zip_of_the_command_lines_workbooks() {
    let w = Workdir::new();
    let form = all_samples(&w);
    cli_on_samples(
        &w,
        "evaluate",
        &[
            "--out",
            "e.xlsx",
            "--json",
            "e.json",
            "--split-by",
            "region",
            "--out-dir",
            "h",
        ],
    );
    let cli = w.json("e.json");
    let mut cli_files: Vec<String> = std::fs::read_dir(w.join("h"))
        .expect("handouts")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    cli_files.sort();
    let s = Server::start(&[]);
    let r = s.post("/api/handouts", &form.text("split_by", "region"));
    assert_eq!(r.status, 200, "{}", r.text());
    let (json, downloads) = split_downloads(r.json());
    assert_eq!(json["split_by"], "region");
    assert_eq!(json["as_of"], cli["as_of"]);
    assert_eq!(json["inputs"], cli["inputs"]);
    // One workbook per region of the sample (customers without one: 未分配).
    let customers = cli["customers"].as_array().expect("customers");
    let mut regions: Vec<String> = customers
        .iter()
        .map(|c| c["region"].as_str().unwrap_or("未分配").to_string())
        .collect();
    regions.sort();
    regions.dedup();
    let groups = json["handouts"].as_array().expect("handouts");
    let mut named: Vec<String> = groups
        .iter()
        .map(|g| g["group"].as_str().expect("group").to_string())
        .collect();
    named.sort();
    assert_eq!(named, regions);
    let counted: u64 = groups.iter().filter_map(|g| g["customers"].as_u64()).sum();
    assert_eq!(counted, customers.len() as u64);
    let got = download(&s, &downloads["handouts"], &w, "h.zip");
    assert_eq!(got.header("content-type"), Some("application/zip"));
    let cd = got.header("content-disposition").expect("a name");
    assert!(
        cd.contains("filename=\"tierbook-handouts-region-2025-12-31.zip\""),
        "{cd}"
    );
    // 客户质量等级评定表_区域_2025-12-31.zip
    assert!(
        cd.contains("%E8%A1%A8_%E5%8C%BA%E5%9F%9F_2025-12-31.zip"),
        "{cd}"
    );
    // The zip holds the command line's files, cell for cell, named as it names them.
    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(w.join("h.zip")).expect("zip")).expect("a zip");
    let mut names: Vec<String> = zip
        .file_names()
        .map(|n| n.expect("name").into_owned())
        .collect();
    names.sort();
    assert_eq!(names, cli_files);
    let listed: Vec<&str> = groups.iter().filter_map(|g| g["file"].as_str()).collect();
    assert_eq!(listed, zip_order(&mut zip));
    std::fs::create_dir(w.join("served")).expect("folder");
    let ids: Vec<&str> = customers.iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(
        ids.len(),
        customers.len(),
        "every sample customer has an ID"
    );
    let mut seen: Vec<&str> = Vec::new();
    for name in &names {
        let mut entry = zip.by_name(name).expect("entry");
        let path = w.join("served").join(name);
        let mut out = std::fs::File::create(&path).expect("create");
        std::io::copy(&mut entry, &mut out).expect("unzip");
        let book = read_book(&path);
        assert_eq!(book, read_book(&w.join("h").join(name)), "{name}");
        let sheet = crate::util::sheet(&book, "评定表");
        let found = sheet.iter().flatten().map(crate::util::text);
        seen.extend(found.filter_map(|t| ids.iter().find(|id| **id == t).copied()));
    }
    seen.sort_unstable();
    let mut want = ids.clone();
    want.sort_unstable();
    assert_eq!(seen, want, "every customer in exactly one handout");
    // The split is required and checked.
    let bad = s.post(
        "/api/handouts",
        &Form::new().path("ledger", &w.join("销售台账.xlsx")),
    );
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"]
        .as_str()
        .is_some_and(|e| e.contains("split_by")));
    let bad = s.post(
        "/api/handouts",
        &Form::new()
            .path("ledger", &w.join("销售台账.xlsx"))
            .text("split_by", "city"),
    );
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"]
        .as_str()
        .is_some_and(|e| e.contains("region or sales_rep")));
}

/// The entries of a zip in their order.
fn zip_order(zip: &mut zip::ZipArchive<std::fs::File>) -> Vec<String> {
    (0..zip.len())
        .map(|i| {
            zip.by_index(i)
                .expect("entry")
                .name()
                .expect("name")
                .into_owned()
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Security, each with the raw request

#[test]
fn a_foreign_host_header_is_refused() {
    let s = Server::start(&[]);
    let token = format!("/api/config?token={}", s.token);
    for host in [
        format!("evil.example:{}", s.port),
        format!("127.0.0.1.nip.io:{}", s.port),
        format!("127.0.0.1:{}", s.port + 1),
        "127.0.0.1".to_string(),
    ] {
        let r = s.raw(
            format!("GET {token} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        assert_eq!(r.status, 403, "{host}");
        assert!(r.json()["error"]
            .as_str()
            .is_some_and(|e| e.contains("Host")));
    }
    let r = s.raw(format!("GET {token} HTTP/1.0\r\n\r\n").as_bytes());
    assert_eq!(r.status, 403, "no Host header at all");
    for host in [
        format!("localhost:{}", s.port),
        format!("[::1]:{}", s.port),
        s.host(),
    ] {
        let r = s.raw(
            format!("GET {token} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        assert_eq!(r.status, 200, "{host}");
    }
}

#[test]
fn a_post_from_another_site_is_refused() {
    let s = Server::start(&[]);
    let form = samples_form();
    let t = s.token.clone();
    for headers in [
        vec![("Origin", "https://evil.example".to_string())],
        vec![("Origin", "null".to_string())],
        vec![("Origin", format!("http://127.0.0.1:{}", s.port + 1))],
        vec![("Sec-Fetch-Site", "cross-site".to_string())],
        vec![("Sec-Fetch-Site", "same-site".to_string())],
    ] {
        let mut h: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        h.push(("X-Tierbook-Token", &t));
        let r = s.post_raw("/api/evaluate", &form, &h);
        assert_eq!(r.status, 403, "{headers:?}");
        assert!(r.json()["error"]
            .as_str()
            .is_some_and(|e| e.contains("another web site")));
    }
    assert!(s.private_files().is_empty(), "nothing was stored");
    // The page itself, and a script (no Origin), are let through.
    let own = format!("http://localhost:{}", s.port);
    let r = s.post_raw(
        "/api/check",
        &form,
        &[("X-Tierbook-Token", &t), ("Origin", &own)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = s.post_raw("/api/check", &form, &[("X-Tierbook-Token", &t)]);
    assert_eq!(r.status, 200);
}

#[test]
fn no_or_a_wrong_token_is_refused() {
    let s = Server::start(&[]);
    let wrong = "0".repeat(64);
    for path in [
        "/api/config",
        "/api/progress/abcdefgh1234",
        "/download/x/evaluation",
    ] {
        assert_eq!(s.get_with(path, &[]).status, 403, "{path}");
        assert_eq!(
            s.get_with(&format!("{path}?token={wrong}"), &[]).status,
            403
        );
        assert_eq!(
            s.get_with(path, &[("X-Tierbook-Token", &wrong)]).status,
            403
        );
    }
    assert_eq!(
        s.get_with(&format!("/api/config?token={}", s.token), &[])
            .status,
        200
    );
    assert_eq!(s.get("/api/config").status, 200);
    let r = s.post_raw("/api/evaluate", &samples_form(), &[]);
    assert_eq!(r.status, 403);
    assert!(s.private_files().is_empty());
    // The page without its token says where to find the address.
    let page = s.get_with("/", &[]);
    assert_eq!(page.status, 403);
    assert!(page.text().contains("?token="));
    // The page's script and style are public: nothing in them is secret.
    assert_eq!(s.get_with("/assets/app.js", &[]).status, 200);
}

#[test]
fn dot_dot_in_a_path_is_404() {
    let s = Server::start(&[]);
    for path in [
        "/../../etc/passwd",
        "/assets/../index.html",
        "/assets/%2e%2e/%2e%2e/etc/passwd",
        "/assets/%2E%2E%2Fapp.js",
        "/%2e%2e",
        "/download/%2e%2e/evaluation",
    ] {
        let with_token = format!("{path}?token={}", s.token);
        for p in [path, &with_token] {
            let r = s.get_with(p, &[]);
            assert_eq!(r.status, 404, "{p}");
            assert_eq!(r.json()["error"], "not found");
        }
    }
}

#[test]
fn an_upload_over_the_limit_is_a_readable_413_and_the_server_stays_up() {
    let s = Server::start(&["--max-upload-mb", "1"]);
    let big = Form::new().file("ledger", "big.csv", vec![b'x'; 1_500_000]);
    let r = s.post("/api/evaluate", &big);
    assert_eq!(r.status, 413, "{}", r.text());
    let e = r.json()["error"].as_str().expect("error").to_string();
    assert!(
        e.contains("limit of 1 MB") && e.contains("--max-upload-mb"),
        "{e}"
    );
    // Declared but not sent whole: the answer comes at once.
    let head = format!(
        "POST /api/evaluate HTTP/1.1\r\nHost: {}\r\nX-Tierbook-Token: {}\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 900000000\r\n\r\n--b\r\n",
        s.host(),
        s.token
    );
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", s.port)).expect("connect");
    std::io::Write::write_all(&mut stream, head.as_bytes()).expect("send");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut buf = [0u8; 2048];
    let n = std::io::Read::read(&mut stream, &mut buf).expect("an answer before the body");
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    drop(stream);
    // Still serving, and a small upload still works.
    assert_eq!(s.get("/api/config").status, 200);
    let ok = s.post(
        "/api/check",
        &Form::new().path("ledger", &repo().join("samples/销售台账.xlsx")),
    );
    assert_eq!(ok.status, 200);
}

#[test]
fn zip_bombs_and_encrypted_files_get_the_command_line_error() {
    let w = Workdir::new();
    let rows = br#"<row r="1"><c r="A1"><v>1</v></c></row>"#;
    zip_file(&w.join("bomb.xlsx"), &xlsx_parts("A1", rows, b""));
    declare_size(&w.join("bomb.xlsx"), "xl/worksheets/sheet1.xml", 3 << 30);
    let locked = cfb(&[
        ("EncryptionInfo", vec![4, 0, 4, 0, 0x40, 0, 0, 0]),
        ("EncryptedPackage", vec![0x5A; 600]),
    ]);
    std::fs::write(w.join("加密.xlsx"), locked).expect("write");
    let s = Server::start(&[]);
    for (file, says) in [
        ("bomb.xlsx", "zip bomb"),
        ("加密.xlsx", "password-protected"),
    ] {
        let cli = w.fails(&["evaluate", file, "--out", "o.xlsx"]);
        for path in ["/api/evaluate", "/api/check"] {
            let r = s.post(path, &Form::new().path("ledger", &w.join(file)));
            assert_eq!(r.status, 422, "{path} {file}: {}", r.text());
            let e = r.json()["error"].as_str().expect("error").to_string();
            assert!(
                e.starts_with(&format!("{file}:")) && e.contains(says),
                "{e}"
            );
            assert!(cli.contains(&e), "the CLI's message: {cli} / {e}");
        }
    }
    assert!(s.private_files().is_empty(), "a failed run leaves nothing");
    assert_eq!(s.get("/api/config").status, 200);
}

#[test]
fn uploads_go_when_served_and_outputs_after_their_time() {
    let s = Server::start(&["--keep-seconds", "3"]);
    let folders = s.private_folders();
    assert_eq!(folders.len(), 1, "one private folder");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&folders[0])
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "private");
    }
    let r = s.post("/api/evaluate", &samples_form());
    assert_eq!(r.status, 200);
    let (_, d) = split_downloads(r.json());
    let files = s.private_files();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names.contains(&"evaluation.xlsx".to_string()) && names.contains(&"json.json".to_string())
    );
    assert!(files
        .iter()
        .all(|p| p.parent().is_some_and(|d| d.ends_with("out"))));
    let link = d["evaluation"].as_str().expect("link").to_string();
    assert_eq!(s.get_with(&link, &[]).status, 200);
    std::thread::sleep(Duration::from_millis(5000));
    assert_eq!(s.get_with(&link, &[]).status, 404, "expired");
    assert!(s.private_files().is_empty(), "{:?}", s.private_files());
}

#[test]
fn ctrl_c_stops_cleanly_and_removes_the_temporary_files() {
    for signal in ["INT", "TERM"] {
        let s = Server::start(&[]);
        assert_eq!(s.post("/api/evaluate", &samples_form()).status, 200);
        assert!(!s.private_files().is_empty());
        let (status, stderr, left) = s.stop(signal);
        assert_eq!(status.code(), Some(0), "{stderr}");
        assert!(
            stderr.contains(&format!("stopped by SIG{signal}")),
            "{stderr}"
        );
        assert!(left.is_empty(), "{left:?}");
    }
}

#[test]
fn a_second_ctrl_c_ends_a_stop_that_waits_for_an_upload() {
    let s = Server::start(&[]);
    // An upload that stops halfway keeps a request going on.
    let head = format!(
        "POST /api/check HTTP/1.1\r\nHost: {}\r\nX-Tierbook-Token: {}\r\n\
         Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 10000000\r\n\r\n\
         --b\r\nContent-Disposition: form-data; name=\"ledger\"; filename=\"a.csv\"\r\n\r\n日期,客户,金额\n",
        s.host(),
        s.token
    );
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", s.port)).expect("connect");
    std::io::Write::write_all(&mut stream, head.as_bytes()).expect("send");
    let start = std::time::Instant::now();
    while s.private_files().is_empty() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(s.private_files().len(), 1, "the upload is being stored");
    let kill = |signal: &str| {
        std::process::Command::new("kill")
            .args([signal, &s.pid().to_string()])
            .status()
            .expect("kill")
    };
    kill("-INT");
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        !s.stderr().contains("stopped"),
        "still waiting for the upload"
    );
    let (status, stderr, left) = s.stop("INT");
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted by SIGINT"), "{stderr}");
    assert!(left.is_empty(), "{left:?}");
    drop(stream);
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let w = Workdir::new();
    let e = w.fails(&["serve", "--port", &port]);
    assert!(
        e.contains(&format!("port {port} is already in use")) && e.contains("--port 0"),
        "{e}"
    );
}

#[test]
fn another_host_is_warned_about() {
    let s = Server::start(&["--host", "0.0.0.0"]);
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        s.stderr().contains("warning: listening on 0.0.0.0"),
        "{}",
        s.stderr()
    );
    assert!(s.url.starts_with("http://127.0.0.1:"));
    let local = Server::start(&[]);
    std::thread::sleep(Duration::from_millis(200));
    assert!(!local.stderr().contains("warning"), "{}", local.stderr());
}

#[test]
fn progress_is_reported_while_a_run_goes_on() {
    let w = Workdir::new();
    w.ok(&["sample", "--out-dir", "big", "--rows", "30000", "--quiet"]);
    let ledger = w.join("big/销售台账.xlsx");
    let s = Server::start(&[]);
    let id = "progress-test-0001";
    let form = Form::new().path("ledger", &ledger);
    let seen = std::thread::scope(|scope| {
        let run = scope.spawn(|| {
            let h = [
                ("X-Tierbook-Token", s.token.as_str()),
                ("X-Tierbook-Job", id),
            ];
            s.post_raw("/api/evaluate", &form, &h)
        });
        let mut seen = Vec::new();
        while !run.is_finished() {
            let r = s.get(&format!("/api/progress/{id}"));
            if r.status == 200 {
                seen.push(r.json());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(run.join().expect("run").status, 200);
        seen
    });
    let stages: Vec<&str> = seen.iter().filter_map(|v| v["stage"].as_str()).collect();
    assert!(stages.contains(&"reading"), "{stages:?}");
    let reading = seen
        .iter()
        .find(|v| v["stage"] == "reading")
        .expect("reading");
    assert_eq!(reading["kind"], "ledger");
    assert!(
        reading["total"].as_u64().is_some_and(|t| t > 1),
        "{reading}"
    );
    assert_eq!(
        s.get(&format!("/api/progress/{id}")).status,
        404,
        "gone when done"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn open_starts_the_browser_with_the_address_once_listening() {
    use std::os::unix::fs::PermissionsExt;
    // A stand-in for xdg-open that notes the address it is given.
    let bin = tempfile::tempdir().expect("bin");
    let seen = bin.path().join("seen.txt");
    let script = bin.path().join("xdg-open");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho \"$1\" > {}\n", seen.display()),
    )
    .expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let s = Server::start_with_env(&["--open"], &[("PATH", &path)]);
    let start = std::time::Instant::now();
    while !seen.exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let opened = std::fs::read_to_string(&seen).expect("xdg-open was run");
    assert_eq!(opened.trim(), s.url);
    assert_eq!(s.get("/api/config").status, 200);
}
