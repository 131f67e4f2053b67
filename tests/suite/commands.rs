//! `check`, `init`, rules files and the safety of writes (SPEC 2, 6, 8, 9).

use crate::fixture;
use crate::util::{rewrite_xlsx, write_xlsx, Workdir, C::S};

// ---------------------------------------------------------------------------
// check

#[test]
fn check_prints_header_rows_and_mappings_and_writes_nothing() {
    let w = Workdir::new();
    fixture::write_two_months(&w.join("ledger.xlsx"));
    let before = w.files();
    let out = w.run(&["check", "ledger.xlsx", "--lang", "en"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("ledger.xlsx"), "{stdout}");
    // One table a file: a row a sheet (header row, read, accepted, rejected,
    // totals rows: the fixture's own counts), a total row of their sums.
    for want in [
        "  sheet      header row  rows read  accepted  rejected  totals rows",
        "  2025年1月           4          8         3         4            1",
        "  2025年2月           3          5         4         0            1",
        "  total                         13         7         4            2",
    ] {
        assert!(
            stdout.lines().any(|l| l == want),
            "no line {want:?} in:\n{stdout}"
        );
    }
    // Both sheets map the same headers: the mapping is printed once.
    assert_eq!(stdout.matches("columns:").count(), 1, "{stdout}");
    for want in [
        "date ← 日期",
        "customer_id ← 客户编码",
        "customer_name ← 客户名称",
        "amount ← 金额",
        "quantity ← 数量",
        "unit_price ← 单价",
        "order_no ← 单号",
        "region ← 区域",
        "sales_rep ← 业务员",
    ] {
        assert!(stdout.contains(want), "missing {want:?} in:\n{stdout}");
    }
    // The file's first issues are shown with their sheet and row.
    assert!(stdout.contains("5 issues:"), "{stdout}");
    assert!(stdout.contains("sheet \"2025年1月\", row 8"), "{stdout}");
    assert_eq!(w.files(), before, "check wrote something");
}

#[test]
fn check_fails_naming_what_is_missing() {
    let w = Workdir::new();
    write_xlsx(
        &w.join("names.xlsx"),
        &[(
            "Sheet1",
            vec![
                vec![S("客户名称"), S("备注")],
                vec![S("甲公司"), S("老客户")],
            ],
        )],
    );
    let before = w.files();
    let err = w.fails(&["check", "names.xlsx"]);
    assert!(err.contains("names.xlsx"), "{err}");
    assert!(err.contains("date"), "{err}");
    assert!(err.contains("amount"), "{err}");
    assert_eq!(w.files(), before, "check wrote something");
    // evaluate fails the same way, writing nothing.
    let err = w.fails(&["evaluate", "names.xlsx", "--out", "e.xlsx"]);
    assert!(err.contains("names.xlsx"), "{err}");
    assert_eq!(w.files(), before);
}

#[test]
fn a_workbook_without_sheets_is_named() {
    // Regression: corpus excelize/BadWorkbook.xlsx (workbook.xml has an empty
    // <sheets/>): "error: no sheet of the sales ledger has a header row with
    // the required columns (date, customer, amount):" and nothing after it.
    let w = Workdir::new();
    fixture::write_two_months(&w.join("empty.xlsx"));
    rewrite_xlsx(&w.join("empty.xlsx"), |name, xml| {
        if name != "xl/workbook.xml" {
            return xml;
        }
        let (a, b) = (
            xml.find("<sheets>").unwrap(),
            xml.find("</sheets>").unwrap(),
        );
        format!("{}<sheets/>{}", &xml[..a], &xml[b + "</sheets>".len()..])
    });
    let err = w.fails(&["evaluate", "empty.xlsx", "--out", "e.xlsx"]);
    assert!(err.contains("empty.xlsx"), "{err}");
    let err = w.fails(&["check", "empty.xlsx"]);
    assert!(err.contains("empty.xlsx"), "{err}");
    assert!(!w.join("e.xlsx").exists());
}

#[test]
fn check_of_a_missing_file_names_it() {
    let w = Workdir::new();
    let err = w.fails(&["check", "nowhere.xlsx"]);
    assert!(err.contains("nowhere.xlsx"), "{err}");
    assert!(w.files().is_empty());
}

// ---------------------------------------------------------------------------
// init and rules files

#[test]
fn init_writes_rules_that_evaluate_accepts() {
    let w = Workdir::new();
    w.ok(&["init", "--quiet"]);
    assert_eq!(w.files(), vec!["three-tier.toml"]);
    w.ok(&["init", "rules", "--template", "four-tier", "--quiet"]);
    assert!(w.join("rules/four-tier.toml").exists());
    // A second init refuses to overwrite.
    let err = w.fails(&["init", "--quiet"]);
    assert!(err.contains("three-tier.toml"), "{err}");
    fixture::write_two_months(&w.join("ledger.xlsx"));
    w.ok(&[
        "evaluate",
        "ledger.xlsx",
        "--rules",
        "three-tier.toml",
        "--out",
        "e.xlsx",
        "--json",
        "e.json",
        "--quiet",
    ]);
    let j = w.json("e.json");
    assert_eq!(j["rules"]["source"], "three-tier.toml");
    assert_eq!(j["rules"]["name"], "三级客户分级");
    // Same grades as the built-in copy (figures in tests/fixture.rs).
    for (key, _, _, _, grade) in fixture::EXPECTED {
        assert_eq!(crate::util::customer(&j, key)["grade"], grade, "{key}");
    }
    w.ok(&[
        "evaluate",
        "ledger.xlsx",
        "--rules",
        "rules/four-tier.toml",
        "--out",
        "e4.xlsx",
        "--quiet",
    ]);
}

#[test]
fn a_broken_rules_file_names_the_key() {
    let w = Workdir::new();
    w.ok(&["init", "--quiet"]);
    fixture::write_two_months(&w.join("ledger.xlsx"));
    let text = std::fs::read_to_string(w.join("three-tier.toml")).unwrap();
    let cases = [
        (
            text.replace("share = { A = 0.70, B = 0.90 }", "share = { D = 0.7 }"),
            "volume.share.D",
        ),
        (text.replace("weight = 30", "weight = 0"), "weight"),
        (
            text.replace("[window]\nmonths = 12", "[window]\nmonths = \"x\""),
            "months",
        ),
    ];
    for (n, (broken, key)) in cases.iter().enumerate() {
        assert_ne!(broken, &text, "case {n} did not change the file");
        let name = format!("broken{n}.toml");
        std::fs::write(w.join(&name), broken).unwrap();
        let err = w.fails(&[
            "evaluate",
            "ledger.xlsx",
            "--rules",
            &name,
            "--out",
            "e.xlsx",
        ]);
        assert!(err.contains(key), "case {n}: {key} not in {err}");
        assert!(err.contains(&name), "case {n}: file not named: {err}");
        assert!(!w.join("e.xlsx").exists());
    }
}

// ---------------------------------------------------------------------------
// Safe writes (SPEC 8)

fn temp_files(w: &Workdir) -> Vec<String> {
    w.files()
        .into_iter()
        .filter(|f| f.starts_with(".tierbook") || f.ends_with(".tmp"))
        .collect()
}

#[test]
fn output_onto_an_input_is_refused() {
    let w = Workdir::new();
    fixture::write_two_months(&w.join("ledger.xlsx"));
    std::fs::create_dir(w.join("sub")).unwrap();
    let original = std::fs::read(w.join("ledger.xlsx")).unwrap();
    for out in ["ledger.xlsx", "sub/../ledger.xlsx", "./ledger.xlsx"] {
        for force in [false, true] {
            let mut args = vec!["evaluate", "ledger.xlsx", "--out", out];
            if force {
                args.push("--force");
            }
            let err = w.fails(&args);
            assert!(err.contains("input"), "{out}: {err}");
        }
    }
    // The JSON may not overwrite an input either.
    let err = w.fails(&[
        "evaluate",
        "ledger.xlsx",
        "--out",
        "e.xlsx",
        "--json",
        "sub/../ledger.xlsx",
        "--force",
    ]);
    assert!(err.contains("input"), "{err}");
    assert_eq!(std::fs::read(w.join("ledger.xlsx")).unwrap(), original);
    assert!(!w.join("e.xlsx").exists(), "partial output");
    assert!(temp_files(&w).is_empty());
}

#[test]
fn an_existing_output_needs_force() {
    let w = Workdir::new();
    fixture::write_two_months(&w.join("ledger.xlsx"));
    std::fs::write(w.join("e.xlsx"), b"keep me").unwrap();
    let err = w.fails(&["evaluate", "ledger.xlsx", "--out", "e.xlsx"]);
    assert!(err.contains("e.xlsx") && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read(w.join("e.xlsx")).unwrap(), b"keep me");
    // The JSON existing is refused too, and then nothing at all is written.
    std::fs::write(w.join("e.json"), b"old").unwrap();
    let err = w.fails(&[
        "evaluate",
        "ledger.xlsx",
        "--out",
        "new.xlsx",
        "--json",
        "e.json",
    ]);
    assert!(err.contains("e.json"), "{err}");
    assert!(!w.join("new.xlsx").exists());
    w.ok(&[
        "evaluate",
        "ledger.xlsx",
        "--out",
        "e.xlsx",
        "--json",
        "e.json",
        "--force",
        "--quiet",
    ]);
    let bytes = std::fs::read(w.join("e.xlsx")).unwrap();
    assert!(bytes.starts_with(b"PK"), "not replaced by a workbook");
    assert!(temp_files(&w).is_empty());
}

#[test]
fn a_failed_run_leaves_nothing_behind() {
    let w = Workdir::new();
    fixture::write_two_months(&w.join("ledger.xlsx"));
    // Missing ledger.
    let err = w.fails(&[
        "evaluate",
        "ledger.xlsx",
        "missing.xlsx",
        "--out",
        "e.xlsx",
        "--json",
        "e.json",
    ]);
    assert!(err.contains("missing.xlsx"), "{err}");
    // Missing customer master.
    let err = w.fails(&[
        "evaluate",
        "ledger.xlsx",
        "--customers",
        "nobody.xlsx",
        "--out",
        "e.xlsx",
        "--json",
        "e.json",
    ]);
    assert!(err.contains("nobody.xlsx"), "{err}");
    // A ledger that is not a workbook.
    std::fs::write(w.join("junk.xlsx"), b"this is not a zip file").unwrap();
    let err = w.fails(&[
        "evaluate",
        "junk.xlsx",
        "--out",
        "e.xlsx",
        "--json",
        "e.json",
    ]);
    assert!(err.contains("junk.xlsx"), "{err}");
    // Output folder that does not exist.
    let err = w.fails(&["evaluate", "ledger.xlsx", "--out", "no/such/dir/e.xlsx"]);
    assert!(err.contains("e.xlsx"), "{err}");
    assert_eq!(w.files(), vec!["junk.xlsx", "ledger.xlsx"]);
}

#[test]
fn usage_errors_exit_2() {
    let w = Workdir::new();
    let out = w.run(&["evaluate", "--out", "e.xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    let out = w.run(&["evaluate", "x.xlsx", "--out", "e.xlsx", "--lang", "fr"]);
    assert_eq!(out.status.code(), Some(2));
    let out = w.run(&[
        "evaluate",
        "x.xlsx",
        "--out",
        "e.xlsx",
        "--as-of",
        "yesterday",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(w.files().is_empty());
}

/// The bundled `samples/` are exactly what `tierbook sample` writes by default
/// (regression: they drifted once when the generator changed).
#[test]
fn bundled_samples_are_the_default_sample_output() {
    let w = Workdir::new();
    w.ok(&["sample", "--out-dir", "s", "--quiet"]);
    for name in [
        "销售台账.xlsx",
        "回款台账.xlsx",
        "客户档案.xlsx",
        "上年等级.xlsx",
    ] {
        let made = std::fs::read(w.join("s").join(name)).expect("generated sample");
        let bundled =
            std::fs::read(crate::util::repo().join("samples").join(name)).expect("bundled sample");
        assert!(made == bundled, "samples/{name} differs from `tierbook sample`: regenerate with `tierbook sample --out-dir samples --force`");
    }
}
