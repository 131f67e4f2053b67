use std::io::{Cursor, Read, Seek};
use std::str::FromStr;

use calamine::{open_workbook_from_rs, Data, Reader, SheetVisible, Xlsx};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::*;
use crate::report::model::{Chart, Deferred, HiddenSheet, PageSetup, Paper};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("test decimal")
}

fn date(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("test date")
}

/// Small deterministic generator for fixture data.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

struct Labels {
    lang_zh: bool,
}

impl Labels {
    fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.lang_zh {
            zh
        } else {
            en
        }
    }
}

/// A realistic evaluation book: a summary sheet with two tables and a chart,
/// and a 40-customer, 28-column evaluation sheet with editable columns.
fn evaluation_book(zh: bool) -> Book {
    evaluation_book_of(zh, 40)
}

fn evaluation_book_of(zh: bool, customers: u64) -> Book {
    let l = Labels { lang_zh: zh };
    let tiers: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
    let mut rng = Lcg(7);
    let regions = if zh {
        ["华东区", "华南区", "华北区", "西南区"]
    } else {
        ["East", "South", "North", "Southwest"]
    };
    let reps = if zh {
        ["张伟", "李娜", "王强", "刘洋"]
    } else {
        ["Zhang Wei", "Li Na", "Wang Qiang", "Liu Yang"]
    };
    let cols = vec![
        Column::new("col", l.t("序号", "No."), ColKind::Index),
        Column::new("col", l.t("客户编码", "Customer ID"), ColKind::Text),
        Column::new("col", l.t("客户名称", "Customer"), ColKind::Text).max_width(30.0),
        Column::new("col", l.t("区域", "Region"), ColKind::Text),
        Column::new("col", l.t("业务员", "Sales Rep"), ColKind::Text),
        Column::new("col", l.t("首次合作日期", "First Order"), ColKind::Date),
        Column::new("col", l.t("活跃月数", "Months Active"), ColKind::Integer),
        Column::new("col", l.t("销售额", "Sales"), ColKind::Money),
        Column::new("col", l.t("上期销售额", "Prior Sales"), ColKind::Money),
        Column::new("col", l.t("增长率", "Growth"), ColKind::Percent),
        Column::new("col", l.t("数量", "Quantity"), ColKind::Number),
        Column::new("col", l.t("订单数", "Orders"), ColKind::Integer),
        Column::new("col", l.t("价格指数", "Price Index"), ColKind::Ratio),
        Column::new("col", l.t("回款率", "Collection Rate"), ColKind::Percent),
        Column::new("col", l.t("逾期金额", "Overdue"), ColKind::Money),
        Column::new(
            "col",
            l.t("最长逾期天数", "Max Days Overdue"),
            ColKind::Integer,
        ),
        Column::new("col", l.t("综合得分", "Composite Score"), ColKind::Score),
        Column::new("col", l.t("规模等级", "Volume Tier"), ColKind::Grade),
        Column::new("col", l.t("综合等级", "Composite Tier"), ColKind::Grade),
        Column::new("col", l.t("计算等级", "Computed Grade"), ColKind::Grade),
        Column::new("col", l.t("上期等级", "Previous Grade"), ColKind::Grade),
        Column::new("col", l.t("变动", "Change"), ColKind::Text),
        Column::new("col", l.t("暂定", "Provisional"), ColKind::Text),
        Column::new("col", l.t("信用等级", "Credit Rating"), ColKind::Text),
        Column::new("col", l.t("评定理由", "Reasons"), ColKind::LongText).max_width(40.0),
        Column::new("col", l.t("建议等级", "Proposed Grade"), ColKind::Grade)
            .editable(tiers.clone()),
        Column::new("col", l.t("会议决定", "Meeting Decision"), ColKind::Grade)
            .editable(tiers.clone()),
        Column::new("col", l.t("备注", "Remarks"), ColKind::Text).editable(vec![]),
    ];
    assert_eq!(cols.len(), 28);
    let mut rows = Vec::new();
    let mut total_sales = Decimal::ZERO;
    for i in 0..customers {
        let grade = &tiers[(i * 3 / customers) as usize];
        let sales = Decimal::new(
            (9_000_000 - i as i64 * 8_400_000 / customers as i64) * 100 + rng.next(100) as i64,
            2,
        );
        total_sales += sales;
        let prior = sales * d("0.87");
        let name = match (i, zh) {
            (3, true) => "=SUM(A1:A9)贸易有限公司".to_string(),
            (3, false) => "=SUM(A1:A9) Trading Co.".to_string(),
            (_, true) => format!(
                "{}市{}机电设备有限公司",
                ["杭州", "宁波", "苏州", "深圳"][i as usize % 4],
                ["恒达", "华盛", "金鼎", "瑞丰", "东方"][i as usize % 5]
            ),
            (_, false) => format!(
                "{} {} Machinery Co., Ltd.",
                ["Hangzhou", "Ningbo", "Suzhou", "Shenzhen"][i as usize % 4],
                ["Hengda", "Huasheng", "Jinding", "Ruifeng", "Dongfang"][i as usize % 5]
            ),
        };
        let reasons = if zh {
            format!("销售额 {} 位于前 20%；回款率 96.5% 达到 A 类门槛 95%；价格指数 1.02 不低于 1.00；无逾期超过 90 天的欠款", crate::text::fmt_money(sales))
        } else {
            format!("sales {} in the top 20%; collection rate 96.5% meets the A threshold 95%; price index 1.02 at least 1.00; nothing overdue beyond 90 days", crate::text::fmt_money(sales))
        };
        rows.push(vec![
            Value::Int(i as i64 + 1),
            Value::text(format!("C{:05}", 10023 + i)),
            Value::Text(name),
            Value::text(regions[i as usize % 4]),
            Value::text(reps[(i as usize / 3) % 4]),
            Value::Date(date(
                2018 + (i % 6) as i32,
                1 + (i % 12) as u32,
                1 + (i % 28) as u32,
            )),
            Value::Int(12 - (i % 5) as i64),
            Value::Number(sales),
            Value::Number(prior.round_dp(2)),
            Value::Number(d("0.1494") - Decimal::new(i as i64, 2)),
            Value::Number(if i % 2 == 0 { d("12") } else { d("1234.5") }),
            Value::Int(40 - i as i64 / 2),
            Value::Number(d("1.0213")),
            Value::Number(d("0.965")),
            Value::Number(if i % 7 == 0 {
                d("-1520.5")
            } else {
                Decimal::new(rng.next(5_000_000) as i64, 2)
            }),
            Value::Int(rng.next(120) as i64),
            Value::Number(d("87.25") - Decimal::new(i as i64, 0)),
            Value::text(grade),
            Value::text(grade),
            Value::text(grade),
            if i % 9 == 0 {
                Value::Empty
            } else {
                Value::text(grade)
            },
            Value::text(if i % 9 == 0 { l.t("新", "new") } else { "=" }),
            Value::text(l.t(
                if i % 9 == 0 { "是" } else { "否" },
                if i % 9 == 0 { "yes" } else { "no" },
            )),
            Value::text(["AAA", "AA", "A", "BBB"][i as usize % 4]),
            Value::Text(reasons),
            Value::text(grade),
            Value::Empty,
            if i == 5 {
                Value::text(l.t("-退货待核实", "-returns to check"))
            } else {
                Value::Empty
            },
        ]);
    }
    let mut total = vec![Value::Empty; 28];
    total[2] = Value::text(l.t("合计", "Total"));
    total[7] = Value::Number(total_sales);

    let page = |landscape: bool, header: &str, sig: bool, protect: bool| PageSetup {
        landscape,
        header: header.to_string(),
        footer: l.t("第 &P 页 共 &N 页", "Page &P of &N").to_string(),
        freeze_columns: 3,
        repeat_header: true,
        protect,
        signature: sig.then(|| {
            if zh {
                vec!["填表：", "审核：", "批准：", "日期："]
            } else {
                vec!["Prepared by:", "Reviewed by:", "Approved by:", "Date:"]
            }
            .into_iter()
            .map(String::from)
            .collect()
        }),
        paper: Paper::A4,
    };
    let title = l
        .t("客户质量等级评定表", "Customer Quality Grading")
        .to_string();
    let evaluation = Sheet {
        name: l.t("评定表", "Evaluation").to_string(),
        title: title.clone(),
        subtitle: vec![
            l.t(
                "截至 2025-03-31 · 统计期间 2024-04-01 至 2025-03-31（12 个月）",
                "As of 2025-03-31 · window 2024-04-01 to 2025-03-31 (12 months)",
            )
            .to_string(),
            l.t(
                "规则：内置三级（A/B/C） · R&D 部门复核",
                "Rules: built-in three-tier (A/B/C) · reviewed by R&D",
            )
            .to_string(),
        ],
        blocks: vec![Block::Table(Table {
            id: "evaluation".into(),
            columns: cols,
            rows,
            total: Some(total),
            main: true,
            autofilter: true,
            heat_map: None,
        })],
        page: page(true, &format!("{title} 2025-03-31 R&D"), true, true),
    };

    let tier_table = Table {
        id: "tiers".into(),
        columns: vec![
            Column::new("col", l.t("等级", "Tier"), ColKind::Grade),
            Column::new("col", l.t("客户数", "Customers"), ColKind::Integer),
            Column::new("col", l.t("销售额", "Sales"), ColKind::Money),
            Column::new("col", l.t("销售占比", "Share of Sales"), ColKind::Percent),
        ],
        rows: vec![
            vec![
                Value::text("A"),
                Value::Int(14),
                Value::Number(d("98765432.10")),
                Value::Number(d("0.6012")),
            ],
            vec![
                Value::text("B"),
                Value::Int(13),
                Value::Number(d("45678901.23")),
                Value::Number(d("0.2781")),
            ],
            vec![
                Value::text("C"),
                Value::Int(13),
                Value::Number(d("19876543.21")),
                Value::Number(d("0.1207")),
            ],
        ],
        total: Some(vec![
            Value::text(l.t("合计", "Total")),
            Value::Int(40),
            Value::Number(d("164320876.54")),
            Value::Number(d("1")),
        ]),
        main: true,
        autofilter: false,
        heat_map: None,
    };
    let controls = Table {
        id: "controls".into(),
        columns: vec![
            Column::new("col", l.t("控制项目", "Control"), ColKind::Text),
            Column::new("col", l.t("金额", "Amount"), ColKind::Money),
            Column::new("col", l.t("行数", "Rows"), ColKind::Integer),
        ],
        rows: vec![
            vec![
                Value::text(l.t("台账已接受金额", "Ledger accepted amount")),
                Value::Number(d("170000000.00")),
                Value::Int(125_000),
            ],
            vec![
                Value::text(l.t("统计期内金额", "In window")),
                Value::Number(d("164320876.54")),
                Value::Int(98_765),
            ],
            vec![
                Value::text(l.t("统计期前金额", "Before window")),
                Value::Number(d("5679123.46")),
                Value::Int(26_235),
            ],
        ],
        total: None,
        main: false,
        autofilter: false,
        heat_map: None,
    };
    let summary = Sheet {
        name: l.t("汇总", "Summary").to_string(),
        title: l.t("客户分级汇总", "Customer Grading Summary").to_string(),
        subtitle: vec![
            l.t("截至 2025-03-31 · 统计期间 12 个月 · 规则：内置三级", "As of 2025-03-31 · window 12 months · rules: built-in three-tier").to_string(),
            l.t("输入文件：销售台账2024.xlsx（1月…12月，读取 125,000 行，接受 124,990 行，拒绝 10 行，合计行 12 行）；回款台账.xlsx（读取 8,000 行）", "Inputs: sales-ledger-2024.xlsx (sheets Jan…Dec, 125,000 rows read, 124,990 accepted, 10 rejected, 12 totals rows); receipts.xlsx (8,000 rows read)").to_string(),
        ],
        blocks: vec![
            Block::Heading(l.t("各等级客户分布", "Customers per tier").to_string()),
            Block::Table(tier_table),
            Block::Chart(Chart::new(
                l.t("各等级客户数与销售额", "Customers and sales per tier"),
                "tiers",
                0,
                vec![1, 2],
            )),
            Block::Heading(l.t("控制合计", "Control totals").to_string()),
            Block::Table(controls),
            Block::Gap,
            Block::Text(vec![l.t("说明：金额单位为元。", "Note: amounts in yuan.").to_string()]),
        ],
        page: page(false, &format!("{} 2025-03-31", l.t("客户分级汇总", "Customer Grading Summary")), false, false),
    };
    Book {
        title,
        created: date(2025, 3, 31),
        sheets: vec![summary, evaluation],
        hidden: Some(HiddenSheet {
            name: "_rules".into(),
            lines: vec!["[tiers]".into(), "names = [\"A\", \"B\", \"C\"]".into()],
        }),
        tiers,
    }
}

fn open(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes)).expect("read back")
}

/// Row (0-based) of the first cell holding `text` in column `col`.
fn find_row(range: &calamine::Range<Data>, col: u32, text: &str) -> u32 {
    (0..range.end().map_or(0, |e| e.0 + 1))
        .find(|&r| matches!(range.get_value((r, col)), Some(Data::String(s)) if s == text))
        .unwrap_or_else(|| panic!("{text:?} not found in column {col}"))
}

#[test]
fn evaluation_book_reads_back() {
    let book = evaluation_book(true);
    let mut wb = open(xlsx_bytes(&book).expect("render"));
    assert_eq!(wb.sheet_names(), vec!["汇总", "评定表", "_rules"]);
    let meta = wb.sheets_metadata().to_vec();
    assert_eq!(meta[0].visible, SheetVisible::Visible);
    assert_eq!(meta[2].visible, SheetVisible::VeryHidden);

    let eval = wb.worksheet_range("评定表").expect("sheet");
    assert_eq!(
        eval.get_value((0, 0)),
        Some(&Data::String("客户质量等级评定表".into()))
    );
    let header = find_row(&eval, 0, "序号");
    let headers: Vec<String> = (0..28)
        .map(|c| {
            eval.get_value((header, c))
                .map(|v| v.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(headers[2], "客户名称");
    assert_eq!(headers[7], "销售额");
    assert_eq!(headers[27], "备注");
    // First customer: sales 9,000,000.xx as a number.
    match eval.get_value((header + 1, 7)) {
        Some(Data::Float(x)) => assert!((x - 9_000_000.0).abs() < 1.0, "{x}"),
        other => panic!("sales cell {other:?}"),
    }
    assert_eq!(eval.get_value((header + 1, 0)), Some(&Data::Float(1.0)));
    // Text starting with '=' or '-' stays text, not a formula.
    assert_eq!(
        eval.get_value((header + 4, 2)),
        Some(&Data::String("=SUM(A1:A9)贸易有限公司".into()))
    );
    assert_eq!(
        eval.get_value((header + 6, 27)),
        Some(&Data::String("-退货待核实".into()))
    );
    let formulas = wb.worksheet_formula("评定表").expect("formulas");
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    // Dates are dates.
    assert!(matches!(
        eval.get_value((header + 1, 5)),
        Some(Data::DateTime(_))
    ));

    let summary = wb.worksheet_range("汇总").expect("summary");
    let tiers = find_row(&summary, 0, "等级");
    assert_eq!(
        summary.get_value((tiers + 1, 0)),
        Some(&Data::String("A".into()))
    );
    assert_eq!(summary.get_value((tiers + 4, 1)), Some(&Data::Float(40.0)));
    find_row(&summary, 0, "控制项目");

    let hidden = wb.worksheet_range("_rules").expect("hidden");
    assert_eq!(
        hidden.get_value((0, 0)),
        Some(&Data::String("[tiers]".into()))
    );
}

#[test]
fn same_book_same_bytes() {
    let book = evaluation_book(false);
    let a = xlsx_bytes(&book).expect("render");
    let b = xlsx_bytes(&book).expect("render");
    assert_eq!(a, b);
    let text = String::from_utf8_lossy(&a);
    assert!(!text.is_empty());
}

#[test]
fn long_dropdowns_go_to_the_hidden_sheet() {
    let choices: Vec<String> = (0..60).map(|i| format!("选项{i:02}号")).collect();
    let mut book = evaluation_book(false);
    book.hidden = None;
    if let Block::Table(t) = &mut book.sheets[1].blocks[0] {
        t.columns[27] = Column::new("col", "Remarks", ColKind::Text).editable(choices.clone());
    }
    let mut wb = open(xlsx_bytes(&book).expect("render"));
    assert_eq!(wb.sheet_names().last().map(String::as_str), Some("_lists"));
    assert_eq!(wb.sheets_metadata()[2].visible, SheetVisible::VeryHidden);
    let lists = wb.worksheet_range("_lists").expect("lists");
    assert_eq!(
        lists.get_value((0, 2)),
        Some(&Data::String("选项00号".into()))
    );
    assert_eq!(
        lists.get_value((59, 2)),
        Some(&Data::String("选项59号".into()))
    );
}

#[test]
fn sheet_names_are_made_valid_and_unique() {
    assert_eq!(sanitize_sheet_name("A/B:C*D?[E]\\", 1), "A_B_C_D__E__");
    assert_eq!(sanitize_sheet_name("'quoted'", 2), "quoted");
    assert_eq!(sanitize_sheet_name("   ", 3), "Sheet3");
    let long = "客".repeat(40);
    assert_eq!(sanitize_sheet_name(&long, 1).chars().count(), 31);
    let mut book = evaluation_book(false);
    book.sheets[1].name = "summary".into();
    book.hidden = Some(HiddenSheet {
        name: "Summary".into(),
        lines: vec![],
    });
    let wb = open(xlsx_bytes(&book).expect("render"));
    assert_eq!(
        wb.sheet_names(),
        vec!["Summary", "summary (2)", "Summary (3)"]
    );
}

#[test]
fn display_texts_match_the_number_formats() {
    assert_eq!(
        display_text(ColKind::Money, &Value::Number(d("1234567.5"))),
        "¥1,234,567.50"
    );
    assert_eq!(
        display_text(ColKind::Money, &Value::Number(d("-1520.5"))),
        "-¥1,520.50"
    );
    assert_eq!(display_text(ColKind::Number, &Value::Number(d("12"))), "12");
    assert_eq!(
        display_text(ColKind::Number, &Value::Number(d("1234.5"))),
        "1,234.5"
    );
    assert_eq!(
        display_text(ColKind::Percent, &Value::Number(d("0.1494"))),
        "14.9%"
    );
    assert_eq!(
        display_text(ColKind::Ratio, &Value::Number(d("1.02134"))),
        "1.021"
    );
    assert_eq!(
        display_text(ColKind::Date, &Value::Date(date(2025, 3, 31))),
        "2025-03-31"
    );
    assert_eq!(number_decimals(d("12.000")), 0);
    assert_eq!(number_decimals(d("1.5")), 1);
    assert_eq!(number_decimals(d("1.23456")), 2);
}

#[test]
fn headers_wrap_on_two_lines_and_numbers_always_fit() {
    // "最长逾期天数": three characters a line (a CJK glyph is 1.85 digits).
    let w = header_width("最长逾期天数");
    assert!((5.5..5.6).contains(&w), "{w}");
    assert_eq!(wrapped_lines("最长逾期天数", w, BOLD), 2);
    // "Max Days Overdue": "Max Days" / "Overdue", never "Chang/e".
    let w = header_width("Max Days Overdue");
    assert_eq!(wrapped_lines("Max Days Overdue", w, BOLD), 2);
    assert!(header_width("Change") >= 6.0);
    assert_eq!(wrapped_lines("Change", header_width("Change"), BOLD), 1);
    let reasons = "销售额 ¥9,000,001 位于前 20%；回款率 96.5% 达到 A 类门槛 95%；价格指数 1.02 不低于 1.00；无逾期超过 90 天的欠款";
    assert_eq!(wrapped_lines(reasons, wrap_capacity(40.0), 1.0), 3);
    let col = Column::new("col", "销售额", ColKind::Money).max_width(8.0);
    let t = Table {
        id: "t".into(),
        columns: vec![col],
        rows: vec![vec![Value::Number(d("123456789.12"))]],
        total: None,
        main: true,
        autofilter: false,
        heat_map: None,
    };
    // "¥123,456,789.12" is 15 characters: the max width gives way.
    assert!(table_widths(&t)[0] >= 17.0);
}

/// Values of every shape a column may hold: signs, rounding carries, zeros
/// that round from below, grouping boundaries, integers and dates.
fn sample_values() -> Vec<Value> {
    let mut out: Vec<Value> = [
        "0",
        "-0",
        "0.004",
        "-0.004",
        "-0.0049",
        "0.005",
        "-0.005",
        "0.0499",
        "0.95",
        "-0.9995",
        "9.995",
        "99.995",
        "999.995",
        "-999.995",
        "999999.995",
        "1234567.891",
        "-1234567.5",
        "0.1494",
        "1.02134",
        "12",
        "12.000",
        "1.5",
        "1.23456",
        "100",
        "1000",
        "-1000.001",
        "79228162514264337593543950",
        "-7922816251426433759354395.0335",
        "0.0000000000000000000000000001",
    ]
    .iter()
    .map(|s| Value::Number(d(s)))
    .collect();
    out.extend(
        [
            0,
            7,
            -7,
            999,
            1000,
            -1000,
            999_999,
            1_000_000,
            i64::MAX,
            i64::MIN + 1,
        ]
        .map(Value::Int),
    );
    let mut rng = Lcg(11);
    for _ in 0..2000 {
        let mantissa = rng.next(1 << 40) as i64 - (1 << 39);
        let scale = rng.next(8) as u32;
        out.push(Value::Number(Decimal::new(mantissa, scale)));
    }
    out.extend([
        Value::Date(date(2025, 3, 31)),
        Value::Date(date(1, 1, 1)),
        Value::Empty,
        Value::text("客户 A\nsecond line"),
    ]);
    out
}

const KINDS: [ColKind; 11] = [
    ColKind::Text,
    ColKind::LongText,
    ColKind::Money,
    ColKind::Number,
    ColKind::Integer,
    ColKind::Percent,
    ColKind::Ratio,
    ColKind::Score,
    ColKind::Date,
    ColKind::Grade,
    ColKind::Index,
];

#[test]
fn widths_from_digits_match_the_display_texts() {
    for kind in KINDS {
        for v in sample_values() {
            let text = display_text(kind, &v);
            assert_eq!(
                shown_chars(kind, &v),
                text.chars().count(),
                "{kind:?} {v:?} {text:?}"
            );
            assert_eq!(
                shown_width(kind, &v),
                text_width(&text),
                "{kind:?} {v:?} {text:?}"
            );
        }
    }
}

/// Column widths and wrapping measured the plain way: every cell's display
/// text, no early stop.
fn widths_by_display_text(table: &Table) -> Vec<f64> {
    (0..table.columns.len())
        .map(|c| {
            let col = &table.columns[c];
            let numbers = table_cells(table, c)
                .filter(|v| matches!(v, Value::Number(_) | Value::Int(_) | Value::Date(_)))
                .filter(|_| is_numeric(col.kind))
                .map(|v| display_text(col.kind, v).chars().count())
                .max()
                .unwrap_or(0);
            let texts = table_cells(table, c).map(|v| text_width(&display_text(col.kind, v)));
            column_width(col, texts, numbers)
        })
        .collect()
}

#[test]
fn measuring_stops_early_without_changing_widths_or_wrapping() {
    let mut rng = Lcg(5);
    let word = |rng: &mut Lcg| -> Value {
        let n = rng.next(40) as usize;
        match rng.next(4) {
            0 => Value::text("客户".repeat(n)),
            1 => Value::text("word ".repeat(n)),
            2 => Value::Number(Decimal::new(rng.next(1 << 30) as i64, 2)),
            _ => Value::Empty,
        }
    };
    for kind in KINDS {
        for max in [None, Some(8.0), Some(20.0), Some(48.0)] {
            let mut col = Column::new("col", "列", kind);
            col.max_width = max;
            let rows: Vec<Vec<Value>> = (0..60).map(|_| vec![word(&mut rng)]).collect();
            let t = Table {
                id: "t".into(),
                columns: vec![col],
                rows,
                total: Some(vec![word(&mut rng)]),
                main: true,
                autofilter: false,
                heat_map: None,
            };
            let m = measure_table(&t);
            assert_eq!(
                m.iter().map(|m| m.width).collect::<Vec<_>>(),
                widths_by_display_text(&t),
                "{kind:?} {max:?}"
            );
            // Whatever width the sheet gives the column (another table may
            // widen it), the wrap decision is the plain one.
            for width in [6.0, 10.0, 21.5, 49.0, 50.0, 60.0, 90.0] {
                let plain = table_cells(&t, 0)
                    .any(|v| text_width(&display_text(kind, v)) as f64 + 1.0 > width);
                assert_eq!(
                    column_wraps(&t, 0, kind, &m[0], width),
                    plain,
                    "{kind:?} {width}"
                );
            }
        }
    }
}

#[test]
fn written_to_a_file_the_same_bytes_as_in_memory() {
    for book in [
        evaluation_book_of(true, 30),
        evaluation_book_of(false, 2_500),
    ] {
        let mut file = tempfile::tempfile().expect("temporary file");
        write_xlsx(&book, &mut file).expect("write");
        let mut written = Vec::new();
        file.seek(std::io::SeekFrom::Start(0)).expect("seek");
        file.read_to_end(&mut written).expect("read back");
        assert_eq!(written, xlsx_bytes(&book).expect("render"));
    }
}

#[test]
fn a_large_sheet_is_streamed_and_reads_back_the_same() {
    let book = evaluation_book_of(true, 300);
    let bytes = |stream_rows| {
        render(&book, &NoParts, stream_rows, &|| {})
            .and_then(|mut wb| Ok(wb.save_to_buffer()?))
            .expect("render")
    };
    let streamed = bytes(100);
    assert_eq!(streamed, bytes(100));
    let kept = bytes(usize::MAX);
    // Streamed sheets hold their strings inline rather than shared.
    assert_ne!(streamed, kept);
    let (mut a, mut b) = (open(streamed), open(kept));
    assert_eq!(a.sheet_names(), b.sheet_names());
    for name in a.sheet_names() {
        let (ra, rb) = (
            a.worksheet_range(&name).expect("sheet"),
            b.worksheet_range(&name).expect("sheet"),
        );
        assert_eq!(ra, rb, "{name}");
        let merged = |wb: &mut Xlsx<Cursor<Vec<u8>>>| {
            wb.merge_cells_by_sheet_name(&name)
                .map(|d| format!("{d:?}"))
                .expect("merged cells")
        };
        assert_eq!(merged(&mut a), merged(&mut b), "{name}");
    }
    let eval = a.worksheet_range("评定表").expect("sheet");
    assert!(eval.height() > 300);
}

#[test]
fn header_strings_escape_ampersands_and_fit() {
    assert_eq!(escape_header_text("R&D"), "R&&D");
    let long = "&".repeat(400);
    let s = header_string("&C", &escape_header_text(&long));
    assert!(s.encode_utf16().count() <= 255);
    assert_eq!(s.trim_start_matches("&C").len() % 2, 0);
}

#[test]
fn an_empty_book_still_renders() {
    let book = Book {
        title: String::new(),
        created: date(2025, 1, 1),
        sheets: vec![],
        hidden: None,
        tiers: vec![],
    };
    let wb = open(xlsx_bytes(&book).expect("render"));
    assert_eq!(wb.sheet_names().len(), 1);
}

/// Writes the demo books for a visual check:
/// `cargo test --lib render::xlsx::tests::write_demo_books -- --ignored`.
#[test]
#[ignore]
fn write_demo_books() {
    for (zh, file) in [
        (true, "/tmp/tierbook-demo-zh.xlsx"),
        (false, "/tmp/tierbook-demo-en.xlsx"),
    ] {
        std::fs::write(file, xlsx_bytes(&evaluation_book(zh)).expect("render")).expect("write");
    }
    let long = xlsx_bytes(&evaluation_book_of(true, 150)).expect("render");
    std::fs::write("/tmp/tierbook-demo-zh-150.xlsx", long).expect("write");
}

#[test]
fn odd_books_render_without_failing() {
    let table = Table {
        id: "t".into(),
        columns: vec![
            Column::new("col", "名称", ColKind::Text),
            Column::new("col", "金额", ColKind::Money).editable(vec!["1,000".into(), "2\"".into()]),
        ],
        rows: vec![
            vec![Value::text("x".repeat(40_000)), Value::Number(Decimal::MAX)],
            vec![Value::Date(date(1800, 1, 1)), Value::Number(Decimal::MIN)],
            vec![Value::text("+1"), Value::text("@x")],
            vec![],
        ],
        total: Some(vec![Value::Int(i64::MIN)]),
        main: true,
        autofilter: true,
        heat_map: None,
    };
    let sheet = |name: &str, blocks: Vec<Block>| Sheet {
        name: name.into(),
        title: "=1+1".into(),
        subtitle: vec!["&".repeat(300)],
        blocks,
        page: PageSetup {
            landscape: false,
            header: "R&D ".repeat(100),
            footer: "&".repeat(300),
            freeze_columns: 9,
            repeat_header: true,
            protect: true,
            signature: Some(vec!["填表：".into(), "审核：".into(), "批准：".into()]),
            paper: Paper::A3,
        },
    };
    let book = Book {
        title: "odd".into(),
        created: date(1200, 1, 1),
        sheets: vec![
            sheet(
                "a[b]:c/d\\e?f*g'hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh",
                vec![
                    Block::Table(table),
                    Block::Chart(Chart::new("=", "missing", 0, vec![1])),
                    Block::Chart(Chart::new("c", "t", 7, vec![9, 1])),
                ],
            ),
            sheet(
                "notes",
                vec![Block::Text(vec!["只有文字".into()]), Block::Gap],
            ),
        ],
        hidden: Some(HiddenSheet {
            name: "notes".into(),
            lines: vec!["=cmd".into()],
        }),
        tiers: vec![],
    };
    let mut wb = open(xlsx_bytes(&book).expect("render"));
    let names = wb.sheet_names();
    assert_eq!(names[1], "notes");
    assert_eq!(names[2], "notes (2)");
    let first = wb.worksheet_range(&names[0]).expect("sheet");
    assert_eq!(first.get_value((0, 0)), Some(&Data::String("=1+1".into())));
    let hidden = wb.worksheet_range("notes (2)").expect("hidden");
    assert_eq!(hidden.get_value((0, 0)), Some(&Data::String("=cmd".into())));
}

/// The text of a part of an xlsx package.
fn xml_part(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).expect("xlsx zip");
    let mut s = String::new();
    z.by_name(name)
        .expect("part")
        .read_to_string(&mut s)
        .expect("xml");
    s
}

/// The 0-based rows manual page breaks go before, from a sheet's XML.
fn row_breaks(xml: &str) -> Vec<u32> {
    xml.split("<brk id=\"")
        .skip(1)
        .map(|s| s[..s.find('"').expect("id")].parse().expect("row"))
        .collect()
}

/// A sheet of `n` headed tables of `rows` rows each, A4 portrait.
fn stacked_tables(n: usize, rows: usize, paper: Paper) -> Book {
    let mut blocks = Vec::new();
    for k in 0..n {
        blocks.push(Block::Heading(format!("Heading {k}")));
        let cols = vec![
            Column::new("name", "名称", ColKind::Text),
            Column::new("sales", "销售额", ColKind::Money),
        ];
        let body = (0..rows)
            .map(|i| vec![Value::text(format!("客户{i}")), Value::Int(i as i64)])
            .collect();
        blocks.push(Block::Table(Table::new(&format!("t{k}"), cols, body)));
        blocks.push(Block::Gap);
    }
    let page = PageSetup {
        landscape: false,
        header: "h".into(),
        footer: "f".into(),
        freeze_columns: 0,
        repeat_header: false,
        protect: false,
        signature: None,
        paper,
    };
    Book {
        title: "t".into(),
        created: date(2025, 3, 31),
        sheets: vec![Sheet {
            name: "汇总".into(),
            title: "汇总".into(),
            subtitle: vec![],
            blocks,
            page,
        }],
        hidden: None,
        tiers: vec![],
    }
}

#[test]
fn page_breaks_fall_before_headings_and_never_split_a_table() {
    // Eight tables of 12 rows (heading 22 pt, header 24 pt, 12 rows of
    // 18 pt: 262 pt, then a gap of 18) under a title and a gap (46 pt), on
    // A4 portrait (733.9 pt printable at 100 %): two tables a page.
    let bytes = xlsx_bytes(&stacked_tables(8, 12, Paper::A4)).expect("render");
    let xml = xml_part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(xml.contains("paperSize=\"9\""));
    let breaks = row_breaks(&xml);
    assert_eq!(breaks.len(), 3, "{breaks:?}");
    let range = open(bytes).worksheet_range("汇总").expect("sheet");
    for b in &breaks {
        let first = range.get_value((*b, 0)).map(|d| d.to_string());
        assert!(
            first.as_deref().is_some_and(|t| t.starts_with("Heading ")),
            "page starts at row {b}: {first:?}"
        );
    }
    // On A3 (1082.3 pt) three tables fit a page.
    let bytes = xlsx_bytes(&stacked_tables(8, 12, Paper::A3)).expect("render");
    let xml = xml_part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(xml.contains("paperSize=\"8\""));
    assert_eq!(row_breaks(&xml).len(), 2);
}

#[test]
fn chart_data_lives_on_the_hidden_sheet_and_the_heat_map_on_the_body() {
    let mut book = stacked_tables(1, 3, Paper::A4);
    let cols = vec![
        Column::new("x", "客户数累计占比", ColKind::Percent),
        Column::new("y", "销售额累计占比", ColKind::Percent),
    ];
    let rows = vec![
        vec![Value::Number(d("0")), Value::Number(d("0"))],
        vec![Value::Number(d("0.5")), Value::Number(d("0.8"))],
        vec![Value::Number(d("1")), Value::Number(d("1"))],
    ];
    let line = crate::report::model::RefLine {
        label: "A级分界：累计 70%".into(),
        vertical: false,
        at: d("0.7"),
    };
    let sheet = &mut book.sheets[0];
    if let Some(Block::Table(t)) = sheet.blocks.get_mut(1) {
        *t = t.clone().heat_map(1, 1);
    }
    sheet
        .blocks
        .push(Block::ChartData(Table::new("curve", cols, rows)));
    sheet.blocks.push(Block::Chart(
        Chart::new("帕累托", "curve", 0, vec![1])
            .kind(crate::report::model::ChartKind::Curve)
            .lines(vec![line]),
    ));
    let bytes = xlsx_bytes(&book).expect("render");
    // The curve in columns C and D of the hidden sheet, the line's ends in E and F.
    let mut wb = open(bytes.clone());
    let hidden = wb.worksheet_range(LISTS_SHEET).expect("hidden sheet");
    let col = |c: u32| -> Vec<f64> {
        (0..hidden.height() as u32)
            .filter_map(|r| match hidden.get_value((r, c)) {
                Some(Data::Float(f)) => Some(*f),
                _ => None,
            })
            .collect()
    };
    assert_eq!(col(2), vec![0.0, 0.5, 1.0]);
    assert_eq!(col(3), vec![0.0, 0.8, 1.0]);
    assert_eq!(col(4), vec![0.0, 1.0]);
    assert_eq!(col(5), vec![0.7, 0.7]);
    let chart = xml_part(&bytes, "xl/charts/chart1.xml");
    assert!(chart.contains("<c:scatterChart>"));
    assert!(
        chart.contains("_lists!$C$1:$C$3") && chart.contains("_lists!$F$1:$F$2"),
        "{chart}"
    );
    assert!(chart.contains("A级分界：累计 70%"));
    // The heat map covers the sales column's three body rows (rows 4–6: title, gap, heading, header).
    let xml = xml_part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        xml.contains("<conditionalFormatting sqref=\"B5:B7\">"),
        "{xml}"
    );
    // Every font of the book is the book's one font.
    let styles = xml_part(&bytes, "xl/styles.xml");
    let fonts =
        &styles[styles.find("<fonts").expect("fonts")..styles.find("</fonts>").expect("end")];
    assert_eq!(
        fonts.matches("<name ").count(),
        fonts.matches("<name val=\"等线\"/>").count()
    );
}

/// A decimal's f64 without its text is the f64 its text parses to, bit for
/// bit: exact digits and powers of ten, the limits of the shortcut on either
/// side (2^53, 10^22), negative zero and the largest decimals.
#[test]
fn decimal_f64_is_the_parsed_text() {
    let parsed = |x: Decimal| x.to_string().parse::<f64>().expect("parse");
    let mut fixed = vec![
        d("0"),
        d("-0.00"),
        d("4773.84"),
        d("-356.73"),
        d("0.1"),
        d("9007199254740991"),
        d("9007199254740992"),
        d("9007199254740993"),
        d("90071992547409.93"),
        d("0.0000000000000000000000001"),
        d("79228162514264337593543950335"),
        d("-7.9228162514264337593543950335"),
        Decimal::new(123_456_789, 22),
        Decimal::new(123_456_789, 23),
    ];
    let mut g = Lcg(7);
    for _ in 0..20_000 {
        let bits = (g.next(1 << 31) << 33) | (g.next(1 << 31) << 2) | g.next(4);
        let m = (bits as i64) >> g.next(40);
        fixed.push(Decimal::new(m, g.next(29) as u32));
    }
    let mut buf = String::new();
    for x in fixed {
        let got = decimal_f64(x, &mut buf).expect("finite");
        assert_eq!(got.to_bits(), parsed(x).to_bits(), "{x}");
    }
}

/// The sheets of the evaluation fixture without what goes to the hidden
/// sheet (charts, dropdowns), each a large sheet: sheets written apart.
fn sheets_written_apart() -> Book {
    let mut book = evaluation_book_of(true, 120);
    for sheet in &mut book.sheets {
        sheet
            .blocks
            .retain(|b| !matches!(b, Block::Chart(_) | Block::Charts(_) | Block::ChartData(_)));
        for b in &mut sheet.blocks {
            if let Block::Table(t) = b {
                t.columns.iter_mut().for_each(|c| c.editable = None);
            }
        }
    }
    book.hidden = None;
    // Another sheet whose tables have kinds of their own, first in the book.
    let mut other = stacked_tables(3, 40, Paper::A3).sheets;
    other[0].name = "其他".into();
    other[0].page.signature = Some(vec!["审核：".into()]);
    book.sheets.splice(0..0, other);
    book
}

#[test]
fn sheets_written_apart_give_the_same_bytes_whichever_is_written_first() {
    let book = sheets_written_apart();
    let apart = threaded_sheets(&book, 0, Order::Forward);
    assert!(apart.len() >= 3, "{apart:?}");
    assert_eq!(apart[0], 0);
    let bytes = |order| {
        render_in(&book, &NoParts, 0, order, &|| {})
            .and_then(|mut wb| Ok(wb.save_to_buffer()?))
            .expect("render")
    };
    let forward = bytes(Order::Forward);
    // A format first met on a later sheet would take another number when
    // that sheet is written first.
    assert!(forward == bytes(Order::Backward));
    for _ in 0..3 {
        assert!(forward == bytes(Order::Threads));
    }
    // Each writing thread says when it has no sheet left (the JSON of
    // `reconcile` goes on then).
    let freed = std::sync::atomic::AtomicUsize::new(0);
    let free = || {
        freed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    };
    render_in(&book, &NoParts, 0, Order::Threads, &free).expect("render");
    let threads = crate::threads::cores(0).min(apart.len());
    let want = if threads >= 2 { threads } else { 0 };
    assert_eq!(freed.load(std::sync::atomic::Ordering::SeqCst), want);
    // And the cells are those of the book written one sheet after another.
    let (mut a, mut b) = (open(forward), open(xlsx_bytes(&book).expect("render")));
    for name in a.sheet_names() {
        let (ra, rb) = (
            a.worksheet_range(&name).expect("sheet"),
            b.worksheet_range(&name).expect("sheet"),
        );
        assert_eq!(ra, rb, "{name}");
    }
}

#[test]
fn sheets_that_use_the_hidden_sheet_are_not_written_apart() {
    let book = evaluation_book_of(true, 120);
    let apart = threaded_sheets(&book, 0, Order::Forward);
    for &i in &apart {
        assert!(!uses_hidden(&book.sheets[i]), "{}", book.sheets[i].name);
    }
    assert!(book.sheets.iter().any(uses_hidden));
    // One large sheet alone is written in turn.
    assert!(threaded_sheets(&book, usize::MAX, Order::Forward).is_empty());
}

/// Statement-like parts: a heading, a period line, a table of lines with a
/// `SUM` total (a long entry wraps in its narrow column), then a summary
/// and a note kept together.
struct TestParts(Vec<Vec<Block>>);

impl PartSource for TestParts {
    fn part(&self, k: usize) -> Option<Vec<Block>> {
        self.0.get(k).cloned()
    }
}

fn test_parts(n: usize) -> TestParts {
    let mut rng = Lcg(11);
    let parts = (0..n)
        .map(|k| {
            let cols = vec![
                Column::new("date", "日期", ColKind::Date),
                Column::new("entry", "摘要", ColKind::Text).max_width(12.0),
                Column::new("amount", "金额", ColKind::Money),
                Column::new("qty", "数量", ColKind::Number),
            ];
            let lines = 1 + rng.next(40) as usize;
            let mut sum = Decimal::ZERO;
            let rows: Vec<Vec<Value>> = (0..lines)
                .map(|i| {
                    let amount = Decimal::new(rng.next(10_000_000) as i64 - 2_000_000, 2);
                    sum += amount;
                    let entry = match rng.next(9) {
                        0 => format!("红字冲销 原单 XS2025-{k:05}-{i}，按合同第三条退回"),
                        1 => String::new(),
                        _ => "销售出库".to_string(),
                    };
                    vec![
                        Value::Date(date(2025, 1 + (i % 12) as u32, 1 + (k % 28) as u32)),
                        if entry.is_empty() {
                            Value::Empty
                        } else {
                            Value::text(entry)
                        },
                        Value::Number(amount),
                        Value::Number(Decimal::new(rng.next(100_000) as i64, 3)),
                    ]
                })
                .collect();
            let total = vec![
                Value::Empty,
                Value::text("本期合计"),
                Value::Sum(sum),
                Value::Empty,
            ];
            let summary = Table::new(
                "summary",
                vec![
                    Column::new("opening", "期初余额", ColKind::Money),
                    Column::new("days", "天数", ColKind::Integer),
                ],
                vec![vec![Value::Number(sum), Value::Int(k as i64)]],
            );
            vec![
                Block::Heading(format!("客户{k} 对账单")),
                Block::Text(vec![format!("期间 2025-01-01 至 2025-12-31 第 {k} 份")]),
                Block::Table(Table::new("lines", cols, rows).with_total(total)),
                Block::Gap,
                Block::KeepNext(3),
                Block::Table(summary),
                Block::Gap,
                Block::Text(vec![
                    "以上余额请核对。".into(),
                    String::new(),
                    "确认：".into(),
                ]),
            ]
        })
        .collect();
    TestParts(parts)
}

/// A book of a small sheet and two sheets of deferred parts of `src`.
fn deferred_book(src: &TestParts, split: usize) -> Book {
    let mut book = stacked_tables(2, 5, Paper::A4);
    let columns: Vec<Column> = src.0[0]
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t.columns.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let rows = |r: std::ops::Range<usize>| -> usize {
        src.0[r]
            .iter()
            .flatten()
            .map(|b| match b {
                Block::Table(t) => t.rows.len(),
                _ => 0,
            })
            .sum()
    };
    let n = src.0.len();
    for (name, parts) in [("对账单", 0..split), ("对账单 (2)", split..n)] {
        let mut sheet = book.sheets[0].clone();
        sheet.name = name.into();
        sheet.blocks = vec![Block::Deferred(Deferred {
            rows: rows(parts.clone()),
            parts,
            page_each: true,
            columns: columns.clone(),
        })];
        book.sheets.push(sheet);
    }
    book
}

#[test]
fn deferred_parts_give_the_bytes_of_the_book_held_whole() {
    let src = test_parts(60);
    let book = deferred_book(&src, 25);
    let whole = book.expanded(&src).expect("every part");
    assert_eq!(whole.sheets.len(), 3);
    // Page breaks between the parts of a sheet, none before its first.
    let breaks = whole.sheets[1]
        .blocks
        .iter()
        .filter(|b| matches!(b, Block::PageBreak))
        .count();
    assert_eq!(breaks, 24);
    assert!(matches!(whole.sheets[2].blocks[0], Block::Heading(_)));
    let bytes = |b: &Book, parts: &dyn PartSource, stream_rows, order| {
        render_in(b, parts, stream_rows, order, &|| {})
            .and_then(|mut wb| Ok(wb.save_to_buffer()?))
            .expect("render")
    };
    for stream_rows in [0, usize::MAX] {
        let held = bytes(&whole, &NoParts, stream_rows, Order::Forward);
        assert!(held == bytes(&book, &src, stream_rows, Order::Forward));
        assert!(held == bytes(&book, &src, stream_rows, Order::Backward));
        assert!(held == bytes(&book, &src, stream_rows, Order::Threads));
    }
    // The deferred sheets are large enough to be written apart.
    assert_eq!(threaded_sheets(&book, 0, Order::Forward), vec![0, 1, 2]);
    // What the parts hold is in the workbook: every total's cached value.
    let mut wb = open(xlsx_bytes_with(&book, &src).expect("render"));
    let range = wb.worksheet_range("对账单 (2)").expect("sheet");
    let sums: Vec<f64> = src.0[25..]
        .iter()
        .flat_map(|p| p.iter())
        .filter_map(|b| match b {
            Block::Table(t) => t.total.as_ref().and_then(|r| r[2].number()),
            _ => None,
        })
        .map(|d| d.to_string().parse::<f64>().expect("number"))
        .collect();
    let found: Vec<f64> = range
        .rows()
        .filter(|r| r.get(1) == Some(&Data::String("本期合计".into())))
        .filter_map(|r| match r.get(2) {
            Some(Data::Float(x)) => Some(*x),
            _ => None,
        })
        .collect();
    assert_eq!(found.len(), 35);
    assert_eq!(found, sums);
}

#[test]
fn a_deferred_block_without_its_parts_is_an_error() {
    let src = test_parts(3);
    let book = deferred_book(&src, 1);
    let err = xlsx_bytes(&book).expect_err("no source");
    assert!(format!("{err:#}").contains("no deferred part 0"), "{err:#}");
    // A part that would put a chart on the hidden sheet is refused.
    let mut charted = test_parts(3);
    charted.0[2].push(Block::Chart(Chart::new("c", "lines", 0, vec![2])));
    let err = xlsx_bytes_with(&book, &charted).expect_err("chart in a part");
    assert!(format!("{err:#}").contains("deferred part 2"), "{err:#}");
    // A part whose table has a column of a kind the block does not list.
    let mut other = test_parts(3);
    if let Some(Block::Table(t)) = other.0[1].get_mut(2) {
        t.columns[3].kind = ColKind::Percent;
    }
    let err = xlsx_bytes_with(&book, &other).expect_err("unlisted column");
    assert!(
        format!("{err:#}").contains("deferred part 1: column \"qty\""),
        "{err:#}"
    );
}

/// Per cell of a sheet's XML: its reference and its style number.
fn cell_styles(xml: &str) -> HashMap<String, u32> {
    xml.split("<c r=\"")
        .skip(1)
        .map(|c| {
            let end = c.find('>').expect("cell tag");
            let tag = &c[..end];
            let r = tag[..tag.find('"').expect("ref")].to_string();
            let s = tag
                .split(" s=\"")
                .nth(1)
                .map_or(0, |s| s[..s.find('"').expect("s")].parse().expect("style"));
            (r, s)
        })
        .collect()
}

/// The `borderId` of each cell format (`cellXfs`) of a workbook's styles.
fn xf_borders(styles: &str) -> Vec<u32> {
    let xfs = styles.split("<cellXfs").nth(1).expect("cellXfs");
    let xfs = &xfs[..xfs.find("</cellXfs>").expect("end")];
    xfs.split("<xf ")
        .skip(1)
        .map(|x| {
            let b = x.split("borderId=\"").nth(1).expect("borderId");
            b[..b.find('"').expect("id")].parse().expect("border")
        })
        .collect()
}

#[test]
fn every_table_cell_gets_its_format_even_when_blank() {
    // Cells are written without a format and each row's runs of one format
    // are formatted after it; blank cells, a text Excel keeps as nothing and
    // a row with no value at all must still come out as formatted (gridded)
    // cells, in streamed sheets as in kept ones.
    let cols = vec![
        Column::new("name", "名称", ColKind::Text),
        Column::new("sales", "销售额", ColKind::Money),
        Column::new("received", "回款", ColKind::Money),
        Column::new("date", "日期", ColKind::Date),
    ];
    let mut rows = vec![
        vec![
            Value::text("甲"),
            Value::Number(d("1.50")),
            Value::Empty,
            Value::Date(date(2025, 3, 1)),
        ],
        vec![Value::Empty, Value::Empty, Value::Empty, Value::Empty],
        vec![
            Value::text(""),
            Value::Number(d("2.25")),
            Value::Number(d("4")),
            Value::Empty,
        ],
    ];
    // Enough rows after them for the sheet to be streamed below.
    rows.extend((0..40).map(|i| {
        vec![
            Value::text(format!("客户{i}")),
            Value::Int(i),
            Value::Int(1),
            Value::Date(date(2025, 1, 1)),
        ]
    }));
    let mut table = Table::new("t", cols, rows);
    table.total = Some(vec![
        Value::text("合计"),
        Value::Sum(d("783.75")),
        Value::Sum(d("44")),
        Value::Empty,
    ]);
    let mut book = stacked_tables(0, 0, Paper::A4);
    book.sheets[0].blocks = vec![Block::Table(table)];
    for stream_rows in [10, usize::MAX] {
        let bytes = render(&book, &NoParts, stream_rows, &|| {})
            .and_then(|mut wb| Ok(wb.save_to_buffer()?))
            .expect("render");
        let borders = xf_borders(&xml_part(&bytes, "xl/styles.xml"));
        let styles = cell_styles(&xml_part(&bytes, "xl/worksheets/sheet1.xml"));
        let mut wb = open(bytes);
        let range = wb.worksheet_range("汇总").expect("sheet");
        let header = find_row(&range, 0, "名称");
        let total = header + 44;
        assert_eq!(
            range.get_value((total, 0)),
            Some(&Data::String("合计".into()))
        );
        let style = |row: u32, col: u8| {
            let r = format!("{}{}", char::from(b'A' + col), row + 1);
            *styles
                .get(&r)
                .unwrap_or_else(|| panic!("{r} is not written ({stream_rows})"))
        };
        for col in 0..4u8 {
            let body = style(header + 1, col);
            for row in header..=total {
                let s = style(row, col);
                assert_ne!(borders[s as usize], 0, "row {row} col {col}: no grid");
                if row > header && row < total {
                    assert_eq!(s, body, "row {row} col {col}: not the column's format");
                }
            }
            assert_ne!(style(header, col), body, "the header has its own format");
            assert_ne!(style(total, col), body, "the total has its own format");
        }
        // The values are there, the blanks are blank.
        assert_eq!(range.get_value((header + 1, 1)), Some(&Data::Float(1.5)));
        assert_eq!(range.get_value((header + 3, 2)), Some(&Data::Float(4.0)));
        for col in 0..4 {
            assert!(matches!(
                range.get_value((header + 2, col)),
                None | Some(Data::Empty)
            ));
        }
        let formulas = wb.worksheet_formula("汇总").expect("formulas");
        let f = formulas.get_value((total, 1)).cloned().unwrap_or_default();
        assert_eq!(f, format!("SUM(B{}:B{})", header + 2, total));
        assert_eq!(range.get_value((total, 1)), Some(&Data::Float(783.75)));
    }
}

/// Each cell format (`cellXfs`) of a workbook's styles written out in full:
/// its number format's code, font, fill and border in place of their
/// numbers, so that two workbooks numbering them differently compare.
fn resolved_xfs(styles: &str) -> Vec<String> {
    let part = |name: &str| -> Vec<String> {
        let open = format!("<{name} count=");
        let Some(s) = styles.split(open.as_str()).nth(1) else {
            return Vec::new();
        };
        let s = &s[..s.find(&format!("</{name}>")).expect("end")];
        let item = &name[..name.len() - 1];
        s.split(&format!("<{item}>"))
            .chain(s.split(&format!("<{item} ")))
            .skip(1)
            .map(str::to_string)
            .collect()
    };
    let (fonts, fills, borders) = (part("fonts"), part("fills"), part("borders"));
    let codes: HashMap<String, String> = styles
        .split("<numFmt numFmtId=\"")
        .skip(1)
        .map(|n| {
            let id = n[..n.find('"').expect("id")].to_string();
            let code = n.split("formatCode=\"").nth(1).expect("code");
            (id, code[..code.find('"').expect("end")].to_string())
        })
        .collect();
    let attr = |x: &str, name: &str| -> String {
        let v = x.split(&format!("{name}=\"")).nth(1).expect("attribute");
        v[..v.find('"').expect("end")].to_string()
    };
    let nth = |list: &[String], i: String| list[i.parse::<usize>().expect("index")].clone();
    let xfs = styles.split("<cellXfs").nth(1).expect("cellXfs");
    let xfs = &xfs[..xfs.find("</cellXfs>").expect("end")];
    xfs.split("<xf ")
        .skip(1)
        .map(|x| {
            let fmt = attr(x, "numFmtId");
            let alignment = x.split("<alignment").nth(1).unwrap_or("");
            format!(
                "{} | {} | {} | {} | {}",
                codes.get(&fmt).cloned().unwrap_or(fmt),
                nth(&fonts, attr(x, "fontId")),
                nth(&fills, attr(x, "fillId")),
                nth(&borders, attr(x, "borderId")),
                &alignment[..alignment.find('>').unwrap_or(0)],
            )
        })
        .collect()
}

#[test]
fn streamed_sheets_give_every_cell_the_format_a_kept_sheet_does() {
    // In a streamed sheet a body cell in its column's usual format is left
    // for the column to lend its format, taken back at the end: every cell
    // must still come out in the format it has when the sheet is kept in
    // memory and each cell is formatted, and no column may keep a format.
    // Here the columns change kinds from table to table, a column's first
    // value is a wrapped text, blanks sit among the values, and the sheet
    // ends with the last row of a table whose columns lend their formats.
    let long = "一段很长的摘要文字，长到这一列放不下，只能折行显示在两行或者更多行里";
    let mixed = |k: usize, rows: usize, total: bool| {
        let cols = match k % 3 {
            0 => vec![
                Column::new("entry", "摘要", ColKind::Text).max_width(12.0),
                Column::new("amount", "金额", ColKind::Money),
                Column::new("date", "日期", ColKind::Date),
                Column::new("n", "笔数", ColKind::Integer),
            ],
            1 => vec![
                Column::new("amount", "金额", ColKind::Money),
                Column::new("date", "日期", ColKind::Date),
                Column::new("entry", "摘要", ColKind::Text),
                Column::new("ratio", "比率", ColKind::Number),
            ],
            _ => vec![
                Column::new("date", "日期", ColKind::Date),
                Column::new("entry", "摘要", ColKind::Text),
                Column::new("amount", "金额", ColKind::Money),
            ],
        };
        let body: Vec<Vec<Value>> = (0..rows)
            .map(|i| {
                cols.iter()
                    .enumerate()
                    .map(|(c, col)| match col.kind {
                        _ if (i + c) % 5 == 3 => Value::Empty,
                        ColKind::Text if i == 0 && k == 0 => Value::text(long),
                        ColKind::Text => Value::text(format!("第{i}行")),
                        ColKind::Money => Value::Number(d(&format!("{i}.5"))),
                        ColKind::Date => Value::Date(date(2025, 1, 1 + (i % 28) as u32)),
                        ColKind::Number => Value::Number(d(&format!("0.{i}"))),
                        _ => Value::Int(i as i64),
                    })
                    .collect()
            })
            .collect();
        let mut t = Table::new(&format!("m{k}"), cols.clone(), body);
        if total {
            t.total = Some(
                (cols.iter().enumerate())
                    .map(|(c, _)| match c {
                        0 => Value::text("合计"),
                        _ => Value::Empty,
                    })
                    .collect(),
            );
        }
        t
    };
    let sheet = |name: &str| {
        let mut blocks = Vec::new();
        for k in 0..5 {
            blocks.push(Block::Heading(format!("表{k}")));
            blocks.push(Block::Table(mixed(k, 12 + k, k % 2 == 0)));
            blocks.push(Block::Gap);
        }
        blocks.push(Block::Table(mixed(6, 6, false)));
        let mut s = stacked_tables(0, 0, Paper::A4).sheets.remove(0);
        s.name = name.into();
        s.blocks = blocks;
        s
    };
    for sheets in [1, 2] {
        let mut book = stacked_tables(0, 0, Paper::A4);
        book.sheets = (0..sheets).map(|i| sheet(&format!("表{i}"))).collect();
        let write = |stream_rows| {
            let bytes = render(&book, &NoParts, stream_rows, &|| {})
                .and_then(|mut wb| Ok(wb.save_to_buffer()?))
                .expect("render");
            let xfs = resolved_xfs(&xml_part(&bytes, "xl/styles.xml"));
            (1..=sheets)
                .map(|i| {
                    let xml = xml_part(&bytes, &format!("xl/worksheets/sheet{i}.xml"));
                    let cols = &xml[..xml.find("<sheetData").expect("sheetData")];
                    assert!(!cols.contains("style="), "a column keeps a format: {cols}");
                    let mut cells: Vec<(String, String)> = cell_styles(&xml)
                        .into_iter()
                        .map(|(r, s)| (r, xfs[s as usize].clone()))
                        .collect();
                    cells.sort();
                    cells
                })
                .collect::<Vec<_>>()
        };
        let kept = write(usize::MAX);
        let streamed = write(10);
        assert_eq!(streamed.len(), kept.len());
        for (s, k) in streamed.iter().zip(&kept) {
            assert!(s.len() > 300, "{} cells", s.len());
            assert_eq!(s.len(), k.len(), "{sheets} sheet(s): cells written");
            if let Some((s, k)) = s.iter().zip(k).find(|(s, k)| s != k) {
                panic!("{sheets} sheet(s): streamed {s:?}, kept {k:?}");
            }
        }
        // The sheets were streamed, and written apart when there are two.
        assert!(book.sheets.iter().all(|s| table_rows(s) > 10));
        let apart = threaded_sheets(&book, 10, Order::Forward);
        assert_eq!(apart.len(), if sheets == 2 { 2 } else { 0 });
    }
}
