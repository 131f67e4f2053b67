//! `--lang`: sheet names, the Evaluation header row and its editable columns
//! in zh-CN (default), zh-TW and en (SPEC 2, 7.2).

use crate::fixture;
use crate::util::{find_row, read_book, sheet_xml, text, write_xlsx, Workdir, C::S};

struct Expect {
    lang: Option<&'static str>,
    sheets: [&'static str; 6],
    /// The first header of the Evaluation table, used to find its row.
    first: &'static str,
    /// Headers that must be on that row, in this order.
    headers: &'static [&'static str],
    /// The three editable columns, last on the row.
    editable: [&'static str; 3],
    /// The Data Issues label of a rejected row.
    rejected: &'static str,
}

const CASES: [Expect; 3] = [
    Expect {
        lang: None,
        sheets: [
            "汇总",
            "评定表",
            "A类客户",
            "特殊政策",
            "新客户",
            "数据问题",
        ],
        first: "序号",
        headers: &[
            "客户编码",
            "客户名称",
            "区域",
            "业务员",
            "首次合作日期",
            "销售额",
        ],
        editable: ["建议等级", "会议决定", "备注"],
        rejected: "拒收",
    },
    Expect {
        lang: Some("zh-TW"),
        sheets: ["彙總", "評定表", "", "特殊政策", "新客戶", "資料問題"],
        first: "序號",
        headers: &["客戶編碼", "客戶名稱", "銷售額"],
        editable: ["建議等級", "會議決定", "備註"],
        rejected: "拒收",
    },
    Expect {
        lang: Some("en"),
        sheets: [
            "Summary",
            "Evaluation",
            "Top Tier",
            "Special Policy",
            "New Clients",
            "Data Issues",
        ],
        first: "No.",
        headers: &["Customer ID", "Customer name", "Sales"],
        editable: ["Proposed grade", "Meeting decision", "Remarks"],
        rejected: "rejected",
    },
];

#[test]
fn sheet_names_and_headers_follow_the_language() {
    let w = Workdir::new();
    fixture::write_two_months(&w.join("ledger.xlsx"));
    // A master with one special-policy customer, so that every sheet is there.
    write_xlsx(
        &w.join("master.xlsx"),
        &[(
            "客户档案",
            vec![
                vec![S("客户编码"), S("客户名称"), S("特殊政策")],
                vec![S("K001"), S("甲公司"), S("月结90天")],
                vec![S("K002"), S("乙公司")],
            ],
        )],
    );
    for (n, case) in CASES.iter().enumerate() {
        let out = format!("e{n}.xlsx");
        let mut args = vec![
            "evaluate",
            "ledger.xlsx",
            "--customers",
            "master.xlsx",
            "--out",
            &out,
            "--quiet",
        ];
        if let Some(l) = case.lang {
            args.extend(["--lang", l]);
        }
        w.ok(&args);
        let book = read_book(&w.join(&out));
        let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
        let lang = case.lang.unwrap_or("zh-CN");
        assert_eq!(names.len(), 7, "{lang}: {names:?}");
        assert_eq!(names[6], "tierbook_rules", "{lang}");
        for (i, want) in case.sheets.iter().enumerate() {
            if !want.is_empty() {
                assert_eq!(names.get(i), Some(want), "{lang}: {names:?}");
            }
        }
        let rows = &book[1].1;
        let h = find_row(rows, case.first)
            .unwrap_or_else(|| panic!("{lang}: no header row with {}", case.first));
        let header: Vec<String> = rows[h].iter().map(text).collect();
        let header: Vec<&str> = header
            .iter()
            .map(String::as_str)
            .filter(|t| !t.is_empty())
            .collect();
        assert_eq!(header[0], case.first, "{lang}");
        let mut at = 0;
        for want in case.headers {
            let pos = header
                .iter()
                .position(|h| h == want)
                .unwrap_or_else(|| panic!("{lang}: no header {want} in {header:?}"));
            assert!(pos > at, "{lang}: {want} out of order in {header:?}");
            at = pos;
        }
        assert_eq!(
            &header[header.len() - 3..],
            &case.editable[..],
            "{lang}: editable columns last"
        );
        // One row per customer below the header.
        let data = rows[h + 1..]
            .iter()
            .filter(|r| {
                r.first()
                    .map(text)
                    .is_some_and(|t| t.parse::<u32>().is_ok())
            })
            .count();
        assert_eq!(data, fixture::EXPECTED.len(), "{lang}");
        // Data Issues: the kind label of the four rejected rows.
        let issues = &book[5].1;
        let rejected = issues
            .iter()
            .filter(|r| r.first().map(text).as_deref() == Some(case.rejected))
            .count();
        assert_eq!(rejected, 4, "{lang}");
        // Editable columns: the sheet is protected and has tier dropdowns.
        let xml = sheet_xml(&w.join(&out), 1);
        assert!(xml.contains("<sheetProtection"), "{lang}: not protected");
        assert!(
            xml.matches("<dataValidation ").count() >= 2,
            "{lang}: no dropdowns"
        );
    }
}
