//! Printed pages: the bundled samples' reconciliation workbook (A4) and
//! evaluation workbook (A3) converted to PDF by LibreOffice and read back
//! with poppler's `pdftotext`: no cell prints as `#####`, every customer's
//! statement starts a page and ends on it with the line the customer signs,
//! and the Chinese headings are in the text (the CJK font was found).
//!
//! Needs `libreoffice` and `pdftotext` on PATH (Debian: libreoffice-calc,
//! poppler-utils, fonts-noto-cjk). Without them the test is skipped with a
//! message, unless the environment variable `CI` is set: then it fails.

use std::path::Path;
use std::process::Command;

use crate::util::{repo, Workdir};

/// Whether `program flag` runs.
fn runs(program: &str, flag: &str) -> bool {
    Command::new(program)
        .arg(flag)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Whether the tools are here; fails under CI when they are not.
fn tools_present() -> bool {
    let missing: Vec<&str> = [("libreoffice", "--version"), ("pdftotext", "-v")]
        .into_iter()
        .filter(|(p, flag)| !runs(p, flag))
        .map(|(p, _)| p)
        .collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!(
        "{} not on PATH (install libreoffice-calc poppler-utils fonts-noto-cjk)",
        missing.join(" and ")
    );
    assert!(std::env::var_os("CI").is_none(), "CI is set and {msg}");
    eprintln!("render test skipped: {msg}");
    false
}

/// Converts `books` (in `w`) to PDF with a LibreOffice profile of the test's
/// own, 等线 drawn as Noto Sans CJK SC as docs/render.sh does.
fn to_pdf(w: &Workdir, books: &[&str]) {
    let fonts = w.join("fonts.conf");
    std::fs::write(
        &fonts,
        r#"<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <alias binding="same"><family>等线</family><accept><family>Noto Sans CJK SC</family></accept></alias>
  <alias binding="same"><family>DengXian</family><accept><family>Noto Sans CJK SC</family></accept></alias>
</fontconfig>
"#,
    )
    .expect("write fonts.conf");
    let profile = format!("-env:UserInstallation=file://{}", w.join("lo").display());
    let out = Command::new("libreoffice")
        .arg(profile)
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(w.path())
        .args(books)
        .current_dir(w.path())
        .env("FONTCONFIG_FILE", &fonts)
        .output()
        .expect("run libreoffice");
    assert!(
        out.status.success(),
        "libreoffice failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The text of each page of a PDF.
fn pages(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    assert!(out.status.success(), "pdftotext {} failed", pdf.display());
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    // The text ends with a form feed: no page after it.
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

fn no_hashes(name: &str, pages: &[String]) {
    for (n, p) in pages.iter().enumerate() {
        assert!(
            !p.contains("###"),
            "{name} page {}: a cell prints as ##### (its column is too narrow)",
            n + 1
        );
    }
}

#[test]
fn statements_and_the_a3_evaluation_form_print_whole() {
    if !tools_present() {
        return;
    }
    let w = Workdir::new();
    let s = repo().join("samples");
    let sample = |f: &str| s.join(f).display().to_string();
    let (ledger, receipts, master, previous) = (
        sample("销售台账.xlsx"),
        sample("回款台账.xlsx"),
        sample("客户档案.xlsx"),
        sample("上年等级.xlsx"),
    );
    w.ok(&[
        "reconcile",
        &ledger,
        "--receipts",
        &receipts,
        "--customers",
        &master,
        "--out",
        "reconcile.xlsx",
        "--json",
        "reconcile.json",
        "--quiet",
    ]);
    w.ok(&[
        "evaluate",
        &ledger,
        "--customers",
        &master,
        "--previous",
        &previous,
        "--paper",
        "A3",
        "--out",
        "evaluate.xlsx",
        "--quiet",
    ]);
    to_pdf(&w, &["reconcile.xlsx", "evaluate.xlsx"]);

    let rec = pages(&w.join("reconcile.pdf"));
    no_hashes("reconcile.pdf", &rec);
    for heading in ["应收账款对账汇总", "客户对账总表", "应收未清项明细", "账龄"]
    {
        assert!(
            rec.iter().any(|p| p.contains(heading)),
            "reconcile.pdf: no page shows {heading}"
        );
    }
    let statements = w.json("reconcile.json")["statements"]
        .as_array()
        .expect("statements")
        .clone();
    assert!(!statements.is_empty());
    assert!(rec.len() >= statements.len(), "{} pages", rec.len());
    for st in &statements {
        let id = st["id"].as_str().expect("an id");
        let heading = format!("（{id}）对账单");
        let Some(page) = rec.iter().find(|p| p.contains(&heading)) else {
            panic!("reconcile.pdf: no statement of {id}");
        };
        // The page header, then the statement's heading: it starts the page.
        let top: Vec<&str> = page
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(3)
            .collect();
        assert!(
            top.iter().any(|l| l.contains(&heading)),
            "the statement of {id} does not start a page: {top:?}"
        );
        assert!(
            page.contains("客户确认（盖章）") && page.contains("期末余额"),
            "the statement of {id} runs onto another page"
        );
    }

    let eval = pages(&w.join("evaluate.pdf"));
    no_hashes("evaluate.pdf", &eval);
    for heading in [
        "客户分级评定汇总",
        "客户质量等级评定表",
        "建议等级",
        "会议决定",
        "数据问题清单",
    ] {
        assert!(
            eval.iter().any(|p| p.contains(heading)),
            "evaluate.pdf: no page shows {heading}"
        );
    }
}
