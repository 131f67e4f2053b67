//! `evaluate` end to end on the bundled samples.

use crate::util::{read_book, repo, Workdir};

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
