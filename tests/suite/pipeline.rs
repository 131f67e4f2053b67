//! The library pipeline called directly (no process, no clap): the figures
//! it computes are the ones the binary writes, and receipts are read through
//! the same machinery as ledger rows.

use tierbook::pipeline::{check, evaluate, Inputs, Settings};
use tierbook::read::{IssueKind, Problem};
use tierbook::rules::Rules;

use crate::fixture::{write_two_months, EXPECTED};
use crate::util::{customer, d, dec, write_xlsx, Workdir, C::*};

#[test]
fn the_library_pipeline_gives_the_figures_the_binary_writes() {
    let w = Workdir::new();
    write_two_months(&w.join("ledger.xlsx"));
    let inputs = Inputs {
        ledgers: vec![w.join("ledger.xlsx")],
        ..Inputs::default()
    };
    let mut settings = Settings::new(Rules::three_tier());
    settings.threads = 1;
    let done = evaluate(&inputs, &settings).expect("the pipeline runs");
    let model = &done.gathered.model;
    // The hand-worked figures of the fixture.
    for (key, sales, first, basis, grade) in EXPECTED {
        let i = model
            .customers
            .iter()
            .position(|c| c.key == key)
            .unwrap_or_else(|| panic!("no customer {key}"));
        let c = &model.customers[i];
        assert_eq!(c.sales, d(sales), "{key} sales");
        assert_eq!(c.first_date.map(|f| f.to_string()).as_deref(), Some(first));
        assert_eq!(c.basis_sales, d(basis), "{key} basis");
        assert_eq!(
            settings.rules.tier_name(done.grades[i].grade),
            grade,
            "{key}"
        );
    }
    // And the binary writes the same figures.
    w.ok(&[
        "evaluate",
        "ledger.xlsx",
        "--out",
        "e.xlsx",
        "--json",
        "e.json",
        "--quiet",
    ]);
    let j = w.json("e.json");
    assert_eq!(j["as_of"], model.period.as_of.to_string());
    for (i, c) in model.customers.iter().enumerate() {
        let jc = customer(&j, &c.key);
        assert_eq!(dec(&jc["sales"]), c.sales, "{}", c.key);
        assert_eq!(dec(&jc["basis_sales"]), c.basis_sales, "{}", c.key);
        assert_eq!(jc["grade"], settings.rules.tier_name(done.grades[i].grade));
    }
    let t = &model.totals;
    assert_eq!(j["totals"]["ledger"]["rows_read"], t.rows_read);
    assert_eq!(dec(&j["totals"]["ledger"]["in_window"]), t.in_window);
    assert_eq!(
        j["issues"].as_array().map(Vec::len),
        Some(done.gathered.issues.len())
    );
}

/// A receipts sheet with a title row, a header on row 3, a bad row and a
/// 合计 row:
///
/// | row | what | verdict |
/// |---|---|---|
/// | 1 | 回款台账 2025年 | title |
/// | 3 | 回款日期 客户编码 客户名称 回款金额 单号 | header |
/// | 4 | 2025-03-01 K001 甲公司 500 SO-1 | accepted |
/// | 5 | 2025-03-02 K002 乙公司 待定 | rejected: amount unreadable |
/// | 6 | 2025-03-05 K001 甲公司 300 | accepted |
/// | 7 | 合计 800 | totals row: 500 + 300 = 800, matches |
#[test]
fn receipts_are_read_through_the_same_machinery() {
    let w = Workdir::new();
    let rows = vec![
        vec![S("华信机电 回款台账 2025年")],
        vec![],
        vec![
            S("回款日期"),
            S("客户编码"),
            S("客户名称"),
            S("回款金额"),
            S("单号"),
        ],
        vec![D(2025, 3, 1), S("K001"), S("甲公司"), N(500.0), S("SO-1")],
        vec![D(2025, 3, 2), S("K002"), S("乙公司"), S("待定")],
        vec![D(2025, 3, 5), S("K001"), S("甲公司"), N(300.0)],
        vec![S("合计"), E, E, N(800.0)],
    ];
    write_xlsx(&w.join("回款.xlsx"), &[("3月", rows)]);
    let inputs = Inputs {
        receipts: vec![w.join("回款.xlsx")],
        ..Inputs::default()
    };
    let read = check(&inputs, &Settings::new(Rules::three_tier())).expect("read");
    let sheet = &read.receipts.sheets[0];
    let s = &sheet.summary;
    assert_eq!(s.header_row, Some(3));
    assert_eq!(
        (
            s.stats.rows_read,
            s.stats.accepted,
            s.stats.rejected,
            s.stats.totals_rows
        ),
        (4, 2, 1, 1)
    );
    assert_eq!(s.stats.accepted_amount, d("800"));
    let rejected: Vec<_> = sheet
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::Rejected)
        .collect();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].row, Some(5));
    assert_eq!(rejected[0].column.as_deref(), Some("回款金额"));
    assert_eq!(
        rejected[0].problem,
        Problem::Unreadable {
            field: "amount",
            raw: "待定".into()
        }
    );
    assert!(
        !sheet
            .issues
            .iter()
            .any(|i| i.kind == IssueKind::TotalsMismatch),
        "the 合计 row matches the rows above: {:?}",
        sheet.issues
    );
    assert_eq!(s.columns.get("order_no").map(String::as_str), Some("单号"));
}
