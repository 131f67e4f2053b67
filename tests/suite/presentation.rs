//! What people see of tierbook besides the figures: shell completions and
//! the man page (SPEC 2), paper sizes, the Summary's charts and heat map,
//! page breaks and fonts (SPEC 7.2, 9 "Paper"), and `check`'s table.

use crate::util::{read_book, repo, sheet_xml, text, Workdir};

fn stdout_of(w: &Workdir, args: &[&str]) -> String {
    let out = w.run(args);
    assert!(
        out.status.success(),
        "tierbook {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 on stdout")
}

#[test]
fn completions_name_every_subcommand_in_each_shell() {
    let w = Workdir::new();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = stdout_of(&w, &["completions", shell]);
        for sub in ["evaluate", "check", "sample", "init", "completions", "man"] {
            assert!(script.contains(sub), "{shell}: no {sub}");
        }
        assert!(script.contains("as-of"), "{shell}: no --as-of");
    }
    // An unknown shell is a usage error.
    assert_eq!(w.run(&["completions", "tcsh"]).status.code(), Some(2));
    assert!(w.files().is_empty(), "completions wrote a file");
}

#[test]
fn the_man_page_has_a_section_per_subcommand_and_the_exit_codes() {
    let w = Workdir::new();
    let page = stdout_of(&w, &["man"]);
    assert!(page.starts_with(".ie") || page.starts_with(".TH"), "{page}");
    assert!(page.contains(".TH tierbook 1"), "{page}");
    for section in [
        ".SH \"TIERBOOK EVALUATE\"",
        ".SH \"TIERBOOK CHECK\"",
        ".SH \"TIERBOOK SAMPLE\"",
        ".SH \"TIERBOOK INIT\"",
        ".SH \"EXIT STATUS\"",
    ] {
        assert!(page.contains(section), "no {section}");
    }
    // Every flag of evaluate is described.
    for flag in [
        "\\-\\-out",
        "\\-\\-as\\-of",
        "\\-\\-lang",
        "\\-\\-customers",
    ] {
        assert!(page.contains(flag), "no {flag}");
    }
}

// ---------------------------------------------------------------------------
// Workbooks: paper, font, charts, heat map, page breaks

/// A part of an xlsx package as text (charts, styles, sheets).
fn part(path: &std::path::Path, name: &str) -> Option<String> {
    use std::io::Read;
    let bytes = std::fs::read(path).expect("read xlsx");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("xlsx zip");
    let mut f = z.by_name(name).ok()?;
    let mut s = String::new();
    f.read_to_string(&mut s).expect("xml part");
    Some(s)
}

/// Four customers, all first seen in 2024 (not provisional), with window
/// sales of 50,000, 30,000, 15,000 and 5,000: 100,000 in all.
fn write_four_customers(w: &Workdir) {
    let mut rows = vec![vec![
        "日期".to_string(),
        "客户编码".into(),
        "客户名称".into(),
        "金额".into(),
    ]];
    for (id, name, sales) in [
        ("K1", "甲公司", "50000"),
        ("K2", "乙公司", "30000"),
        ("K3", "丙公司", "15000"),
        ("K4", "丁公司", "5000"),
    ] {
        rows.push(vec![
            "2024-06-01".into(),
            id.into(),
            name.into(),
            "100".into(),
        ]);
        rows.push(vec![
            "2025-06-01".into(),
            id.into(),
            name.into(),
            sales.into(),
        ]);
    }
    crate::util::write_csv(
        &w.join("ledger.csv"),
        &rows,
        b',',
        crate::util::Enc::Utf8,
        false,
    );
}

/// The four customers evaluated with the built-in rules as of 2025-12-31, into e.xlsx.
fn evaluate_four_customers() -> Workdir {
    let w = Workdir::new();
    write_four_customers(&w);
    w.ok(&[
        "evaluate",
        "ledger.csv",
        "--as-of",
        "2025-12-31",
        "--out",
        "e.xlsx",
    ]);
    w
}

/// Columns of the hidden sheet as numbers, from column C (index 2) on.
fn hidden_columns(path: &std::path::Path, sheet: &str) -> Vec<Vec<f64>> {
    let book = read_book(path);
    let rows = crate::util::sheet(&book, sheet);
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    (2..width)
        .map(|c| {
            rows.iter()
                .filter_map(|r| match r.get(c) {
                    Some(calamine::Data::Float(f)) => Some(*f),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

#[test]
fn the_pareto_curve_and_the_cut_shares_of_a_cumulative_share_rule() {
    let w = evaluate_four_customers();
    // Ranked 50, 30, 15, 5 of 100: after each customer the curve holds
    // 50 %, 80 %, 95 %, 100 % of sales at 25 %, 50 %, 75 %, 100 % of them.
    let cols = hidden_columns(&w.join("e.xlsx"), "tierbook_rules");
    assert_eq!(cols[0], vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    assert_eq!(cols[1], vec![0.0, 0.5, 0.8, 0.95, 1.0]);
    // The built-in rules cut at 70 % (A) and 90 % (B): lines across.
    assert_eq!(
        &cols[2..6],
        &[
            vec![0.0, 1.0],
            vec![0.7, 0.7],
            vec![0.0, 1.0],
            vec![0.9, 0.9]
        ]
    );
    let charts: Vec<String> = (1..=3)
        .map(|i| part(&w.join("e.xlsx"), &format!("xl/charts/chart{i}.xml")).expect("chart"))
        .collect();
    assert!(charts[0].contains("<c:barChart>") && charts[0].contains("<c:lineChart>"));
    assert!(charts[1].contains("<c:pieChart>"));
    assert!(charts[2].contains("<c:scatterChart>"));
    assert!(charts[2].contains("A级分界：累计 70%"), "{}", charts[2]);
    assert!(charts[2].contains("B级分界：累计 90%"));
    assert!(charts[2].contains("客户销售额累计占比（帕累托曲线）"));
}

#[test]
fn a_threshold_rule_draws_its_cut_where_the_minimum_falls() {
    let w = Workdir::new();
    write_four_customers(&w);
    std::fs::write(
        w.join("rules.toml"),
        "name = \"门槛\"\n[tiers]\norder = [\"A\", \"B\", \"C\"]\n\
         [volume]\nmetric = \"sales\"\nmethod = \"threshold\"\nmin = { A = 40000, B = 10000 }\n",
    )
    .expect("rules");
    w.ok(&[
        "evaluate",
        "ledger.csv",
        "--rules",
        "rules.toml",
        "--as-of",
        "2025-12-31",
        "--lang",
        "en",
        "--out",
        "e.xlsx",
    ]);
    // One customer of four reaches 40,000 (25 %), three reach 10,000 (75 %).
    let cols = hidden_columns(&w.join("e.xlsx"), "tierbook_rules");
    assert_eq!(
        &cols[2..6],
        &[
            vec![0.25, 0.25],
            vec![0.0, 1.0],
            vec![0.75, 0.75],
            vec![0.0, 1.0]
        ]
    );
    let chart = part(&w.join("e.xlsx"), "xl/charts/chart3.xml").expect("pareto chart");
    assert!(chart.contains("A minimum: ¥40,000"), "{chart}");
    assert!(chart.contains("B minimum: ¥10,000"));
}

#[test]
fn paper_a3_or_a4_on_every_sheet() {
    let w = Workdir::new();
    let s = repo().join("samples");
    let ledger = s.join("销售台账.xlsx");
    let ledger = ledger.to_str().expect("path");
    w.ok(&["evaluate", ledger, "--out", "a4.xlsx"]);
    w.ok(&["evaluate", ledger, "--paper", "a3", "--out", "a3.xlsx"]);
    for (file, code) in [
        ("a4.xlsx", "paperSize=\"9\""),
        ("a3.xlsx", "paperSize=\"8\""),
    ] {
        for i in 0..5 {
            let xml = sheet_xml(&w.join(file), i);
            assert!(xml.contains(code), "{file} sheet {i}: no {code}");
        }
    }
    let out = w.run(&["evaluate", ledger, "--paper", "Letter", "--out", "l.xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("A4 or A3"));
}

#[test]
fn the_book_is_set_in_one_cjk_font() {
    let w = evaluate_four_customers();
    let styles = part(&w.join("e.xlsx"), "xl/styles.xml").expect("styles");
    let fonts =
        &styles[styles.find("<fonts").expect("fonts")..styles.find("</fonts>").expect("end")];
    assert!(
        fonts.matches("<name val=\"等线\"/>").count() >= 3,
        "{fonts}"
    );
    assert!(!fonts.contains("Calibri"), "{fonts}");
    assert!(fonts.contains("<charset val=\"134\"/>"), "{fonts}");
}

#[test]
fn the_summary_breaks_pages_before_a_block_never_inside_one() {
    let w = Workdir::new();
    let s = repo().join("samples");
    let p = |f: &str| s.join(f).to_str().expect("path").to_string();
    w.ok(&[
        "evaluate",
        &p("销售台账.xlsx"),
        "--customers",
        &p("客户档案.xlsx"),
        "--previous",
        &p("上年等级.xlsx"),
        "--out",
        "e.xlsx",
    ]);
    let xml = sheet_xml(&w.join("e.xlsx"), 0);
    // <brk id="N"> breaks after Excel row N: the next page starts at 0-based row N.
    let breaks: Vec<usize> = xml
        .split("<brk id=\"")
        .skip(1)
        .map(|s| s[..s.find('"').expect("id")].parse().expect("row"))
        .collect();
    assert!(!breaks.is_empty(), "the sample's Summary fits no A4 page");
    let book = read_book(&w.join("e.xlsx"));
    let summary = crate::util::sheet(&book, "汇总");
    let headings = [
        "等级变动（上期 × 本期）",
        "控制总数核对",
        "说明",
        "各工作表读取明细",
    ];
    for b in breaks {
        let first = summary
            .get(b)
            .and_then(|r| r.first())
            .map(text)
            .unwrap_or_default();
        assert!(
            headings.contains(&first.as_str()),
            "page starts at row {b}: {first:?}"
        );
    }
    // The migration matrix is shaded by count.
    assert!(xml.contains("<colorScale>"), "no heat map");
}

// ---------------------------------------------------------------------------
// check

#[test]
fn check_maps_columns_per_sheet_when_the_sheets_differ_and_colours_only_a_terminal() {
    use crate::util::C::{D, N, S};
    let w = Workdir::new();
    let sheet = |amount: &'static str| {
        vec![
            vec![S("日期"), S("客户编码"), S("客户名称"), S(amount)],
            vec![D(2025, 1, 5), S("K1"), S("甲公司"), N(100.0)],
        ]
    };
    crate::util::write_xlsx(
        &w.join("two.xlsx"),
        &[("一月", sheet("金额")), ("二月", sheet("销售金额"))],
    );
    let plain = stdout_of(&w, &["check", "two.xlsx", "--lang", "en"]);
    assert!(
        !plain.lines().any(|l| l.starts_with("  columns: ")),
        "{plain}"
    );
    assert!(plain.contains("sheet \"一月\" columns: "), "{plain}");
    assert!(plain.contains("amount ← 销售金额"), "{plain}");
    // Piped: no colour codes; forced (as a terminal would get them): colour.
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tierbook"))
        .args(["check", "two.xlsx"])
        .current_dir(w.path())
        .env("CLICOLOR_FORCE", "1")
        .env_remove("NO_COLOR")
        .output()
        .expect("run tierbook");
    assert!(String::from_utf8_lossy(&out.stdout).contains("\u{1b}[1m"));
}

// ---------------------------------------------------------------------------
// Progress

/// A listener that adds up what it is told.
#[derive(Default)]
struct Tally {
    sheets: std::sync::atomic::AtomicU64,
    done: std::sync::atomic::AtomicU64,
    rows: std::sync::atomic::AtomicU64,
}

impl tierbook::progress::Progress for Tally {
    fn begin(&self, _phase: tierbook::progress::Phase, total: u64) {
        self.sheets
            .fetch_add(total, std::sync::atomic::Ordering::Relaxed);
    }
    fn advance(&self, done: u64) {
        self.done
            .fetch_add(done, std::sync::atomic::Ordering::Relaxed);
    }
    fn rows(&self, n: u64) {
        self.rows.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }
    fn end(&self) {}
}

#[test]
fn a_one_sheet_ledger_reports_the_rows_it_reads() {
    use std::sync::atomic::Ordering::Relaxed;
    let w = Workdir::new();
    // A header and 40,000 lines on one sheet: more than two reports' worth.
    let mut rows = vec![vec!["日期".to_string(), "客户编码".into(), "金额".into()]];
    for i in 0..40_000 {
        rows.push(vec![
            "2025-03-01".into(),
            format!("K{}", i % 50),
            "10".into(),
        ]);
    }
    crate::util::write_csv(
        &w.join("big.csv"),
        &rows,
        b',',
        crate::util::Enc::Utf8,
        false,
    );
    let tally = std::sync::Arc::new(Tally::default());
    let mut settings = tierbook::pipeline::Settings::new(tierbook::rules::Rules::three_tier());
    settings.progress = tally.clone();
    let inputs = tierbook::pipeline::Inputs {
        ledgers: vec![w.join("big.csv")],
        ..Default::default()
    };
    tierbook::pipeline::check(&inputs, &settings).expect("check");
    assert_eq!(tally.sheets.load(Relaxed), 1);
    assert_eq!(tally.done.load(Relaxed), 1);
    // Every row the sheet reader saw, the header included.
    assert_eq!(tally.rows.load(Relaxed), 40_001);
}
