//! Hand-built ledgers whose expected figures are worked out by hand here,
//! shared by several test modules.

use crate::util::C::{self, FNoValue, D, E, F, N, S};

/// The ledger header of [`two_months`].
pub const HEADER: [&str; 9] = [
    "日期",
    "客户编码",
    "客户名称",
    "区域",
    "业务员",
    "单号",
    "数量",
    "单价",
    "金额",
];

fn header() -> Vec<C> {
    HEADER.iter().map(|h| S(h)).collect()
}

/// Sheet 2025年1月: title rows, header on row 4, then
///
/// | row | what | verdict |
/// |---|---|---|
/// | 5 | K001 甲公司 2025-01-05 date cell, 10 × 100 = 1000 | accepted |
/// | 6 | K002 乙公司 text date 2025-01-08, `¥1,234.50` | accepted 1234.50 |
/// | 7 | K003 丙公司 2025-01-10, `(1,234.50)` | accepted −1234.50 |
/// | 8 | K001, amount a formula without cached value | rejected, 金额 |
/// | 9 | K002, date `03/05/2025`, 300 | rejected (ambiguous), 日期 |
/// | 10 | `以下为退货冲红` alone | rejected (note) |
/// | 11 | only an amount, 50 | rejected, 金额 |
/// | 12 | 合计 =SUM cached 1350 | totals row: 1000 + 1234.50 − 1234.50 + 300 + 50 = 1350, matches |
pub fn january() -> Vec<Vec<C>> {
    vec![
        vec![S("华信机电设备有限公司 销售台账 2025年1月")],
        vec![S("制表单位：促销科"), E, E, E, E, E, E, E, S("单位：元")],
        vec![],
        header(),
        vec![
            D(2025, 1, 5),
            S("K001"),
            S("甲公司"),
            S("华东"),
            S("张三"),
            S("SO-1"),
            N(10.0),
            N(100.0),
            N(1000.0),
        ],
        vec![
            S("2025-01-08"),
            S("K002"),
            S("乙公司"),
            S("华南"),
            S("李四"),
            S("SO-2"),
            E,
            E,
            S("¥1,234.50"),
        ],
        vec![
            D(2025, 1, 10),
            S("K003"),
            S("丙公司"),
            S("华北"),
            S("王五"),
            S("SO-3"),
            E,
            E,
            S("(1,234.50)"),
        ],
        vec![
            D(2025, 1, 12),
            S("K001"),
            S("甲公司"),
            S("华东"),
            S("张三"),
            S("SO-4"),
            N(2.0),
            N(50.0),
            FNoValue("G8*H8"),
        ],
        vec![
            S("03/05/2025"),
            S("K002"),
            S("乙公司"),
            E,
            E,
            S("SO-5"),
            E,
            E,
            N(300.0),
        ],
        vec![S("以下为退货冲红")],
        vec![E, E, E, E, E, E, E, E, N(50.0)],
        vec![S("合计"), E, E, E, E, E, E, E, F("SUM(I5:I11)", 1350.0)],
    ]
}

/// Sheet 2025年2月: one title row, a blank row, header on row 3, then
///
/// | row | what |
/// |---|---|
/// | 4 | K004 丁公司 2025-02-03, 2000 |
/// | 5 | K005 戊公司 text `2025年2月10日`, 800 |
/// | 6 | K006 己公司 2025-02-14, 400 |
/// | 7 | K001 甲公司 text `20250220`, `500元` |
/// | 8 | 合计 cached 3600, but the rows add up to 3700: a totals_mismatch |
pub fn february() -> Vec<Vec<C>> {
    vec![
        vec![S("华信机电设备有限公司 销售台账 2025年2月")],
        vec![],
        header(),
        vec![
            D(2025, 2, 3),
            S("K004"),
            S("丁公司"),
            S("华东"),
            S("张三"),
            S("SO-6"),
            E,
            E,
            N(2000.0),
        ],
        vec![
            S("2025年2月10日"),
            S("K005"),
            S("戊公司"),
            S("华南"),
            S("李四"),
            S("SO-7"),
            E,
            E,
            N(800.0),
        ],
        vec![
            D(2025, 2, 14),
            S("K006"),
            S("己公司"),
            S("华北"),
            S("王五"),
            S("SO-8"),
            E,
            E,
            N(400.0),
        ],
        vec![
            S("20250220"),
            S("K001"),
            S("甲公司"),
            S("华东"),
            S("张三"),
            S("SO-9"),
            E,
            E,
            S("500元"),
        ],
        vec![S("合计"), E, E, E, E, E, E, E, F("SUM(I4:I7)", 3600.0)],
    ]
}

/// Expected per customer of the two-month ledger, as of 2025-02-20 (its
/// latest date): (key, sales, first date, basis sales, grade).
///
/// Every customer started in 2025, so all are provisional and annualised:
/// months_active is 2 for January starters, 1 for February ones, and
/// basis = sales × 12 / months_active:
///
/// | key | sales | basis |
/// |---|---|---|
/// | K001 | 1000 + 500 = 1500 | 9000 |
/// | K002 | 1234.50 | 7407 |
/// | K003 | −1234.50 | −7407 |
/// | K004 | 2000 | 24000 |
/// | K005 | 800 | 9600 |
/// | K006 | 400 | 4800 |
///
/// Cumulative share of basis (positive total 54807; A below 0.7 × 54807 =
/// 38364.9, B below 0.9 × 54807 = 49326.3), by basis descending:
/// K004 before 0 → A; K005 before 24000 → A; K001 before 33600 → A;
/// K002 before 42600 → B; K006 before 50007 → C; K003 ≤ 0 → C.
/// No composite factor is available (no price reference, no prior sales, no
/// receipts), so the grade is the volume tier.
pub const EXPECTED: [(&str, &str, &str, &str, &str); 6] = [
    ("K004", "2000", "2025-02-03", "24000", "A"),
    ("K001", "1500", "2025-01-05", "9000", "A"),
    ("K005", "800", "2025-02-10", "9600", "A"),
    ("K002", "1234.5", "2025-01-08", "7407", "B"),
    ("K006", "400", "2025-02-14", "4800", "C"),
    ("K003", "-1234.5", "2025-01-10", "-7407", "C"),
];

/// Writes the two sheets into one workbook.
pub fn write_two_months(path: &std::path::Path) {
    crate::util::write_xlsx(path, &[("2025年1月", january()), ("2025年2月", february())]);
}

/// A small one-sheet ledger of text cells only, to be written as xlsx or CSV
/// alike. Title lines padded like Excel's CSV export.
///
/// | line | what | verdict |
/// |---|---|---|
/// | 4 | 2025-03-05 K001 甲公司 10, `1,000.00` | accepted 1000 |
/// | 5 | 2025/3/6 K002 乙公司 5, `￥1,234.50` | accepted 1234.50 |
/// | 6 | 2025年3月7日 K003 丙公司, `(200.00)` | accepted −200 |
/// | 7 | 03/05/2025 K001 | rejected (ambiguous date) |
/// | 8 | 20250310, no ID, 丁公司, 300 | accepted, keyed by name |
/// | 9 | 以下为退货冲红 | rejected (note) |
/// | 10 | 合计 2,434.50 | totals: 1000 + 1234.50 − 200 + 100 + 300 = 2434.50 |
pub fn text_rows() -> Vec<Vec<String>> {
    let rows: Vec<Vec<&str>> = vec![
        vec!["华信机电 销售台账 2025年3月", "", "", "", "", ""],
        vec!["", "", "", "", "", ""],
        vec!["日期", "客户编码", "客户名称", "区域", "数量", "金额"],
        vec!["2025-03-05", "K001", "甲公司", "华东", "10", "1,000.00"],
        vec!["2025/3/6", "K002", "乙公司", "华南", "5", "￥1,234.50"],
        vec!["2025年3月7日", "K003", "丙公司", "华北", "", "(200.00)"],
        vec!["03/05/2025", "K001", "甲公司", "", "", "100"],
        vec!["20250310", "", "丁公司", "", "", "300"],
        vec!["以下为退货冲红"],
        vec!["合计", "", "", "", "", "2,434.50"],
    ];
    rows.into_iter()
        .map(|r| r.into_iter().map(str::to_string).collect())
        .collect()
}

/// The same rows as an xlsx of text cells.
pub fn write_text_rows_xlsx(path: &std::path::Path) {
    let rows: Vec<Vec<C>> = text_rows()
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|c| if c.is_empty() { E } else { C::T(c) })
                .collect()
        })
        .collect();
    crate::util::write_xlsx(path, &[("3月", rows)]);
}
