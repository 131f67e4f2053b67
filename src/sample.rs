//! The synthetic ledger set of `tierbook sample`.
//!
//! This module sits outside the read → model → grade → report → render
//! pipeline: it *produces* inputs for it. [`generate`] writes a realistic set
//! of ERP-style workbooks (a sales ledger with one sheet per month, title rows
//! and 合计 rows; a receipts ledger; a customer master; last year's grades) and
//! returns a [`SampleReport`] whose expected figures come from the
//! generator's own records (the values it decided to write), never from
//! reading the files back. Tests and the benchmark compare tierbook's results
//! with them.
//!
//! Everything is deterministic per seed: a small splitmix64 generator drives
//! every choice and the workbooks' creation time is fixed, so the same options
//! give the same bytes. Money is kept as whole cents (`i64`) while generating,
//! which is exact, and reported as [`Decimal`].
//!
//! The layout (24 monthly sheets 2024年1月 … 2025年12月, as-of 2025-12-31, the
//! bad rows and their reasons) is described on [`generate`].

use std::borrow::Cow;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Workbook,
    Worksheet,
};

use crate::text::normalize_name;

/// What `tierbook sample` should write.
#[derive(Debug, Clone, Default)]
pub struct SampleOptions {
    /// `None`: the small default set (four workbooks). `Some(n)`: only the
    /// sales ledger, with exactly `n` data rows (the benchmark's input).
    pub rows: Option<usize>,
    /// Seed of the deterministic generator.
    pub seed: u64,
    /// Large mode only: write `销售台账.csv` instead of `销售台账.xlsx`.
    pub csv: bool,
    /// With `csv`: encode the CSV as GBK instead of UTF-8.
    pub gbk: bool,
    /// Large xlsx only: one shared-strings table, as Excel saves a workbook,
    /// instead of text kept in the cells (inline strings), as the streaming
    /// writers behind ERP exports do by default (POI's SXSSF, xlsxwriter's
    /// constant-memory mode).
    pub shared_strings: bool,
    /// Large mode only: how many customers (default: one per 200 rows,
    /// between 200 and 20,000).
    pub customers: Option<usize>,
    /// Large xlsx only: every month on one sheet instead of one sheet a month.
    pub one_sheet: bool,
    /// Large mode only: also write the receipts ledger (回款台账), about
    /// one receipt per order, as xlsx or (with `csv`) as CSV.
    pub receipts: bool,
}

/// Most customers a generated ledger can have (distinct names).
pub const MAX_CUSTOMERS: usize = 30 * 40 * 10 * 3;

/// One file written by [`generate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleFile {
    pub path: PathBuf,
    /// `"ledger"`, `"receipts"`, `"customers"` or `"previous"`.
    pub kind: &'static str,
}

/// The figures tierbook should find for one customer, from the generator's
/// own records (accepted ledger rows only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedCustomer {
    /// The customer key (SPEC 3.3): every sample customer has an ID, so the ID.
    pub key: String,
    pub id: Option<String>,
    /// The name as written on the customer's rows that carry its ID.
    pub name: String,
    /// Σ amount dated in `(as_of − 12 months, as_of]`.
    pub window_sales: Decimal,
    /// Σ amount dated in `(as_of − 24 months, as_of − 12 months]`.
    pub prior_sales: Decimal,
    /// Σ quantity dated in the window.
    pub quantity: Decimal,
    /// SPEC 4 `first_date` with every file of the set given: the customer
    /// master's 首次合作日期 in the default set, the earliest ledger date in
    /// large mode (no master is written there).
    pub first_date: NaiveDate,
    /// The earliest accepted ledger date (what `first_date` is when the
    /// ledger is read without the customer master).
    pub ledger_first_date: NaiveDate,
    pub region: String,
    pub sales_rep: String,
    /// The grade in `上年等级.xlsx` (default set only).
    pub previous_grade: Option<String>,
    /// Σ of its receipts dated in the window (SPEC 4 `receipts`; zero
    /// without a receipts ledger).
    pub window_receipts: Decimal,
}

/// What [`generate`] wrote and what a reader of it should find.
#[derive(Debug, Clone)]
pub struct SampleReport {
    pub files: Vec<SampleFile>,
    /// The latest valid ledger date (SPEC 2 default as-of): 2025-12-31.
    pub as_of: NaiveDate,
    /// Sales-ledger data rows written (accepted + rejected; not title,
    /// header, blank or totals rows).
    pub ledger_rows: usize,
    /// Sales-ledger rows a reader must reject: (file name, sheet, Excel row
    /// 1-based — the line number for CSV, reason). For CSV the sheet is the
    /// file name without its extension.
    pub rejected: Vec<(String, String, u32, String)>,
    /// Sales-ledger totals rows (合计 per sheet; for CSV 小计 per month plus
    /// one closing 合计).
    pub totals_rows: usize,
    /// Σ amounts of the accepted sales-ledger rows.
    pub accepted_amount: Decimal,
    /// Every customer of the population (ledger, master, previous grades),
    /// sorted by key.
    pub customers: Vec<ExpectedCustomer>,
    /// The receipts ledger written, when one was.
    pub receipts: Option<ReceiptsReport>,
}

// ---------------------------------------------------------------------------
// Fixed vocabulary

const COMPANY: &str = "华信机电设备有限公司";
const FIRST_YEAR: i32 = 2024;
const MONTHS: usize = 24;
const LEDGER_FILE: &str = "销售台账";
const RECEIPTS_FILE: &str = "回款台账";
const CUSTOMERS_FILE: &str = "客户档案.xlsx";
const PREVIOUS_FILE: &str = "上年等级.xlsx";

const LEDGER_HEADERS: [&str; 15] = [
    "日期",
    "单据编号",
    "客户编码",
    "客户名称",
    "区域",
    "业务员",
    "产品编码",
    "规格型号",
    "数量",
    "单价",
    "标准价",
    "金额",
    "到期日",
    "原单号",
    "备注",
];
const LEDGER_WIDTHS: [f64; 15] = [
    12.0, 16.0, 10.0, 34.0, 7.0, 8.0, 10.0, 16.0, 9.0, 11.0, 11.0, 14.0, 12.0, 16.0, 16.0,
];
const NCOL: usize = 15;
const C_DATE: usize = 0;
const C_ORDER: usize = 1;
const C_ID: usize = 2;
const C_NAME: usize = 3;
const C_REGION: usize = 4;
const C_REP: usize = 5;
const C_PRODUCT: usize = 6;
const C_SPEC: usize = 7;
const C_QTY: usize = 8;
const C_PRICE: usize = 9;
const C_LIST: usize = 10;
const C_AMOUNT: usize = 11;
const C_DUE: usize = 12;
const C_SOURCE: usize = 13;
const C_NOTE: usize = 14;
/// Ledger sheets: title, 制表单位 line, blank, header; data from this index.
const LEDGER_DATA_ROW: u32 = 4;

const REGIONS: [&str; 5] = ["华东", "华南", "华北", "西南", "东北"];
const REPS: [[&str; 2]; 5] = [
    ["张伟", "李娜"],
    ["王芳", "陈志强"],
    ["刘洋", "赵敏"],
    ["杨磊", "黄静"],
    ["周建国", "吴婷"],
];
/// (city, region index)
const CITIES: [(&str, usize); 30] = [
    ("上海", 0),
    ("苏州", 0),
    ("杭州", 0),
    ("宁波", 0),
    ("南京", 0),
    ("无锡", 0),
    ("合肥", 0),
    ("广州", 1),
    ("深圳", 1),
    ("佛山", 1),
    ("东莞", 1),
    ("厦门", 1),
    ("南宁", 1),
    ("北京", 2),
    ("天津", 2),
    ("石家庄", 2),
    ("济南", 2),
    ("青岛", 2),
    ("太原", 2),
    ("成都", 3),
    ("重庆", 3),
    ("昆明", 3),
    ("贵阳", 3),
    ("绵阳", 3),
    ("沈阳", 4),
    ("大连", 4),
    ("长春", 4),
    ("哈尔滨", 4),
    ("鞍山", 4),
    ("吉林", 4),
];
const CORES: [&str; 40] = [
    "恒通", "华盛", "鑫达", "金鼎", "宏远", "永利", "瑞丰", "天成", "盛源", "德隆", "博雅", "中科",
    "新华", "安泰", "联创", "汇通", "正和", "长城", "嘉禾", "东方", "和信", "启明", "三友", "万达",
    "海川", "凯旋", "兴业", "明珠", "广顺", "宝丰", "众合", "信达", "泰和", "隆盛", "远航", "精诚",
    "大成", "协力", "华源", "聚丰",
];
const TRADES: [&str; 10] = [
    "机电设备",
    "五金机电",
    "工业自动化",
    "电气",
    "贸易",
    "建材",
    "机械制造",
    "液压设备",
    "科技",
    "物资",
];
const SUFFIXES: [&str; 3] = ["有限公司", "有限责任公司", "股份有限公司"];

/// (code, 规格型号, list price in cents)
const PRODUCTS: [(&str, &str, i64); 24] = [
    ("P1001", "Y2-132M-4 7.5kW", 168_000),
    ("P1002", "Y2-160L-4 15kW", 325_000),
    ("P1003", "YE3-90L-2 2.2kW", 76_500),
    ("P1004", "YE3-112M-4 4kW", 112_000),
    ("P2001", "CJX2-1810 220V", 4_850),
    ("P2002", "CJX2-3210 380V", 9_200),
    ("P2003", "NXB-63 C32 3P", 3_560),
    ("P2004", "DZ47-60 C16 1P", 1_280),
    ("P3001", "6205-2RS", 1_850),
    ("P3002", "6308-ZZ", 4_620),
    ("P3003", "NU2210E", 21_800),
    ("P4001", "φ25×2.5 无缝钢管", 3_900),
    ("P4002", "DN50 PN16 闸阀", 26_500),
    ("P4003", "DN80 PN16 蝶阀", 31_800),
    ("P5001", "CDQ2B32-50DZ", 38_600),
    ("P5002", "SY5120-5LZD-01", 27_400),
    ("P5003", "AR2000-02 调压阀", 9_850),
    ("P6001", "MR-J4-200A 伺服", 456_000),
    ("P6002", "FR-D740-1.5K 变频", 142_000),
    ("P6003", "CP1E-N40DR-A PLC", 238_000),
    ("P7001", "RVV 3×2.5 100m", 56_800),
    ("P7002", "YJV 4×16 100m", 248_000),
    ("P8001", "M16×60 8.8级 100只", 4_500),
    ("P8002", "M20×80 10.9级 50只", 7_800),
];

const SPECIAL_POLICIES: [&str; 6] = [
    "月结60天",
    "年度返利2%",
    "季度结算",
    "先货后款（总经理特批）",
    "月结90天",
    "承兑汇票结算",
];

// ---------------------------------------------------------------------------
// Deterministic random numbers

/// splitmix64: small, fast, and good enough for fixtures.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------
// Calendar

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid calendar date")
}

fn month_ym(mi: usize) -> (i32, u32) {
    (FIRST_YEAR + (mi / 12) as i32, (mi % 12) as u32 + 1)
}

fn month_first(mi: usize) -> NaiveDate {
    let (y, m) = month_ym(mi);
    ymd(y, m, 1)
}

fn month_last(mi: usize) -> NaiveDate {
    month_first(mi + 1).pred_opt().expect("date after 0001")
}

fn month_of(d: NaiveDate) -> usize {
    ((d.year() - FIRST_YEAR) * 12 + d.month0() as i32) as usize
}

fn sheet_name(mi: usize) -> String {
    let (y, m) = month_ym(mi);
    format!("{y}年{m}月")
}

fn excel_serial(d: NaiveDate) -> f64 {
    (d - ymd(1899, 12, 30)).num_days() as f64
}

fn random_day(rng: &mut Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days();
    from + chrono::Duration::days(rng.between(0, span))
}

fn cents(c: i64) -> Decimal {
    Decimal::new(c, 2)
}

/// `123456` cents → `1,234.56`.
fn grouped(c: i64) -> String {
    crate::text::fmt_amount(cents(c.abs()))
}

// ---------------------------------------------------------------------------
// Cells

/// One cell as the generator decided to write it.
#[derive(Debug, Clone, Default)]
enum Val<'a> {
    #[default]
    Empty,
    Text(Cow<'a, str>),
    /// A real date cell (xlsx) / ISO date (CSV).
    Date(NaiveDate),
    /// A whole number (quantity, days, head count).
    Int(i64),
    /// Money in cents, written as a number.
    Money(i64),
    /// Money written as text in a form a reader must understand (or not:
    /// `待定` reads as nothing); the cents are what a person's SUM counts.
    TextMoney(String, i64),
}

impl Val<'_> {
    fn readable(&self) -> i64 {
        match self {
            Val::Int(n) => *n * 100,
            Val::Money(c) | Val::TextMoney(_, c) => *c,
            _ => 0,
        }
    }

    fn csv_text(&self) -> Cow<'_, str> {
        match self {
            Val::Empty => Cow::Borrowed(""),
            Val::Text(s) => Cow::Borrowed(s),
            Val::Date(d) => Cow::Owned(d.format("%Y-%m-%d").to_string()),
            Val::Int(n) => Cow::Owned(n.to_string()),
            Val::Money(c) => Cow::Owned(cents(*c).to_string()),
            Val::TextMoney(s, _) => Cow::Borrowed(s),
        }
    }
}

type Row<'a> = [Val<'a>; NCOL];

/// What a correct reader does with a ledger row.
enum Verdict {
    Accepted {
        cust: u32,
        date: NaiveDate,
        qty: i64,
        amount: i64,
    },
    Rejected(String),
}

struct LedgerRow<'a> {
    cells: Row<'a>,
    verdict: Verdict,
}

struct Formats {
    title: Format,
    header: Format,
    date: Format,
    money: Format,
    int: Format,
    total_label: Format,
    total_money: Format,
    total_int: Format,
}

impl Formats {
    fn new() -> Formats {
        let border = |f: Format| f.set_border(FormatBorder::Thin);
        Formats {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            header: border(
                Format::new()
                    .set_bold()
                    .set_align(FormatAlign::Center)
                    .set_background_color(Color::RGB(0xD9E1F2)),
            ),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            money: Format::new().set_num_format("#,##0.00"),
            int: Format::new().set_num_format("#,##0"),
            total_label: Format::new().set_bold(),
            total_money: Format::new().set_bold().set_num_format("#,##0.00"),
            total_int: Format::new().set_bold().set_num_format("#,##0"),
        }
    }
}

fn put(ws: &mut Worksheet, r: u32, c: usize, v: &Val, f: &Formats) -> Result<()> {
    let c = c as u16;
    match v {
        Val::Empty => {}
        Val::Text(s) => {
            ws.write_string(r, c, s.as_ref())?;
        }
        Val::TextMoney(s, _) => {
            ws.write_string(r, c, s)?;
        }
        Val::Date(d) => {
            ws.write_number_with_format(r, c, excel_serial(*d), &f.date)?;
        }
        Val::Int(n) => {
            ws.write_number_with_format(r, c, *n as f64, &f.int)?;
        }
        // cents / 100.0 is the f64 nearest the exact two-decimal value.
        Val::Money(m) => {
            ws.write_number_with_format(r, c, *m as f64 / 100.0, &f.money)?;
        }
    }
    Ok(())
}

fn col_letter(c: usize) -> char {
    (b'A' + c as u8) as char
}

/// A table sheet: optional title (merged over the header's width) and
/// subtitle lines, an optional blank line, the header, the rows, and an
/// optional 合计 row whose `sum_cols` are `=SUM()` formulas with their cached
/// results. Returns the 0-based index of the first data row.
#[allow(clippy::too_many_arguments)]
fn write_table(
    ws: &mut Worksheet,
    f: &Formats,
    title: Option<&str>,
    subtitle: Option<&str>,
    headers: &[&str],
    widths: &[f64],
    rows: &[Row],
    sum_cols: Option<&[usize]>,
) -> Result<u32> {
    let mut r = 0u32;
    let last_col = headers.len() as u16 - 1;
    if let Some(t) = title {
        ws.merge_range(0, 0, 0, last_col, t, &f.title)?;
        ws.set_row_height(0, 24)?;
        r += 1;
    }
    if let Some(s) = subtitle {
        ws.write_string(r, 0, s)?;
        r += 2; // and a blank line
    }
    for (c, (h, w)) in headers.iter().zip(widths).enumerate() {
        ws.write_string_with_format(r, c as u16, *h, &f.header)?;
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(r + 1, 0)?;
    let first = r + 1;
    for (i, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate().take(headers.len()) {
            put(ws, first + i as u32, c, v, f)?;
        }
    }
    if let Some(cols) = sum_cols {
        let sums: Vec<i64> = cols
            .iter()
            .map(|&c| rows.iter().map(|row| row[c].readable()).sum())
            .collect();
        write_totals(ws, f, first, rows.len() as u32, cols, &sums, &[])?;
    }
    Ok(first)
}

/// The 合计 row under `n` data rows starting at `first` (0-based).
/// `int_cols` are formatted as whole numbers, the others as money; `sums`
/// are in cents.
fn write_totals(
    ws: &mut Worksheet,
    f: &Formats,
    first: u32,
    n: u32,
    cols: &[usize],
    sums: &[i64],
    int_cols: &[usize],
) -> Result<()> {
    let r = first + n;
    ws.write_string_with_format(r, 0, "合计", &f.total_label)?;
    for (&c, &sum) in cols.iter().zip(sums) {
        let is_int = int_cols.contains(&c);
        let fmt = if is_int { &f.total_int } else { &f.total_money };
        let value = if is_int {
            (sum / 100).to_string()
        } else {
            cents(sum).to_string()
        };
        if n == 0 {
            ws.write_number_with_format(r, c as u16, 0.0, fmt)?;
            continue;
        }
        let l = col_letter(c);
        let formula = format!("=SUM({l}{}:{l}{})", first + 1, first + n);
        ws.write_formula_with_format(r, c as u16, Formula::new(formula).set_result(value), fmt)?;
    }
    Ok(())
}

fn new_workbook(created: NaiveDate) -> Result<Workbook> {
    let mut wb = Workbook::new();
    let when = ExcelDateTime::from_ymd(
        created.year() as u16,
        created.month() as u8,
        created.day() as u8,
    )?
    .and_hms(9, 0, 0)?;
    let props = DocProperties::new()
        .set_author("tierbook sample")
        .set_company(COMPANY)
        .set_creation_datetime(&when);
    wb.set_properties(&props);
    Ok(wb)
}

// ---------------------------------------------------------------------------
// Customers and orders

#[derive(Debug, Clone)]
struct Customer {
    id: String,
    name: String,
    region: usize,
    rep: usize,
    /// First day the customer may order.
    start: NaiveDate,
    /// Last day the customer may order.
    end: NaiveDate,
    /// Quantity multiplier (bigger customers order more per line).
    size: i64,
    /// Price level against the list price, per mille.
    price_level: i64,
    /// 0 prompt … 3 poor payer.
    pay: u8,
    /// Customer-master first cooperation date (default set).
    master_first: NaiveDate,
}

fn make_customers(rng: &mut Rng, n: usize, large: bool) -> Vec<Customer> {
    let combos = CITIES.len() * CORES.len() * TRADES.len() * SUFFIXES.len();
    debug_assert_eq!(combos, MAX_CUSTOMERS);
    let mut combo_ids: Vec<u32> = (0..combos as u32).collect();
    rng.shuffle(&mut combo_ids);
    let mut ids: Vec<u32> = (1..=n as u32).collect();
    rng.shuffle(&mut ids);
    let last = month_last(MONTHS - 1);
    let span_start = month_first(0);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let k = combo_ids[i] as usize;
        let (city, region) = CITIES[k % CITIES.len()];
        let k = k / CITIES.len();
        let core = CORES[k % CORES.len()];
        let k = k / CORES.len();
        let trade = TRADES[k % TRADES.len()];
        let suffix = SUFFIXES[k / TRADES.len()];
        let name = match i % 50 {
            // double space after the city
            7 | 32 => format!("{city}  {core}{trade}{suffix}"),
            // full-width letters instead of the core word
            23 | 41 => {
                let a = char::from_u32(0xFF21 + (i / 50 % 26) as u32).unwrap_or('Ａ');
                let b = char::from_u32(0xFF21 + ((i / 50 + 7 + i % 7) % 26) as u32).unwrap_or('Ｂ');
                format!("{city}{a}{b}{trade}{suffix}")
            }
            _ => format!("{city}{core}{trade}{suffix}"),
        };
        let id = if large {
            format!("C{:05}", ids[i])
        } else {
            format!("KH{:04}", 1000 + ids[i])
        };
        let (start, end) = lifetime(rng, i, large, span_start, last);
        let size = 1 + (12.0 / ((i + 1) as f64).powf(0.45)) as i64;
        let pay = match rng.below(100) {
            0..=39 => 0,
            40..=74 => 1,
            75..=92 => 2,
            _ => 3,
        };
        let master_first = if start > ymd(2024, 2, 1) {
            start
        } else {
            ymd(
                rng.between(2008, 2023) as i32,
                rng.between(1, 12) as u32,
                rng.between(1, 28) as u32,
            )
        };
        out.push(Customer {
            id,
            name,
            region,
            rep: rng.below(2) as usize,
            start,
            end,
            size,
            price_level: rng.between(880, 1120),
            pay,
            master_first,
        });
    }
    out
}

/// When customer `i` (its sales rank) may order: most throughout, a few new
/// clients in the last five months (provisional), a few joined during 2024,
/// one lost customer (default set) who bought only in 2024.
fn lifetime(
    rng: &mut Rng,
    i: usize,
    large: bool,
    first: NaiveDate,
    last: NaiveDate,
) -> (NaiveDate, NaiveDate) {
    let new_from = month_first(MONTHS - 5);
    let end_2024 = month_last(11);
    let early = random_day(rng, first, month_last(0));
    let kind = if large {
        match (i % 50, i % 10) {
            _ if i == 0 => 0,
            (11, _) | (36, _) => 1,
            (17, _) => 2,
            (_, 3) => 3,
            _ => 0,
        }
    } else {
        match i {
            18 | 33 | 47 => 1,
            22 => 2,
            12 | 28 | 40 | 52 | 58 => 3,
            _ => 0,
        }
    };
    match kind {
        // new client: first order in the last five months
        1 => (random_day(rng, new_from, month_last(MONTHS - 2)), last),
        // lost: only the prior year
        2 => (early, end_2024),
        // joined during 2024
        3 => (random_day(rng, month_first(2), month_last(10)), last),
        _ => (early, last),
    }
}

/// Weighted choice of customers by sales rank (Pareto-like: weight ∝ 1/rank).
struct Picker {
    cum: Vec<u64>,
}

impl Picker {
    fn new(n: usize) -> Picker {
        let mut total = 0u64;
        let cum = (0..n)
            .map(|i| {
                total += (1_000_000_000.0 / ((i + 1) as f64).powf(0.9)) as u64 + 1;
                total
            })
            .collect();
        Picker { cum }
    }

    fn pick(&self, rng: &mut Rng) -> usize {
        let r = rng.below(*self.cum.last().unwrap_or(&1));
        self.cum.partition_point(|&c| c <= r)
    }
}

#[derive(Debug, Clone, Copy)]
struct Order {
    date: NaiveDate,
    cust: u32,
    lines: u8,
    is_return: bool,
    /// Written plainly: no messy forms, ID present (first orders, the
    /// as-of anchor).
    plain: bool,
}

/// A ledger line before it becomes cells.
#[derive(Debug, Clone)]
struct Line {
    date: NaiveDate,
    order_no: String,
    cust: u32,
    product: usize,
    qty: i64,
    price: i64,
    amount: i64,
    with_list: bool,
    is_return: bool,
    plain: bool,
    /// The 到期日 cell, when the customer's orders carry one.
    due: Option<NaiveDate>,
    /// A return's 原单号: the customer's previous sales order.
    source: Option<String>,
}

/// The rows a reader must reject (SPEC 3.4, 3.5, 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bad {
    /// Amount `待定`, no quantity or price.
    Unreadable,
    /// `03/05/2025`: day and month order ambiguous.
    Ambiguous,
    /// `25/03/2025`: day first, rejected without `date_format`.
    DayFirst,
    /// An amount with neither date nor customer.
    AmountOnly,
    /// `以下为退货冲红`: text only.
    Note,
    /// `2025-02-30`.
    Impossible,
}

const BAD_KINDS: [Bad; 6] = [
    Bad::Unreadable,
    Bad::Ambiguous,
    Bad::DayFirst,
    Bad::AmountOnly,
    Bad::Note,
    Bad::Impossible,
];

struct Gen {
    rng: Rng,
    custs: Vec<Customer>,
    picker: Picker,
    large: bool,
    /// Large xlsx: a shared-strings table instead of inline strings.
    shared_strings: bool,
    /// Large xlsx: every month on one sheet.
    one_sheet: bool,
    /// Messy (text) value rate: one line in this many.
    messy_every: u64,
    messy_count: u64,
    name_only_every: u64,
    /// Default set: customers that get one line without their ID.
    name_only_left: Vec<u32>,
    /// Default set: the month of each customer's latest order, so that
    /// nobody but the lost customer goes quiet for a whole year.
    last_order: Vec<Option<usize>>,
    /// Each customer's latest sales order number (a return's 原单号).
    last_sale: Vec<Option<String>>,
}

impl Gen {
    fn active(&self, c: usize, mi: usize) -> bool {
        let cu = &self.custs[c];
        cu.start <= month_last(mi) && cu.end >= month_first(mi)
    }

    fn pick_active(&mut self, mi: usize) -> usize {
        for _ in 0..12 {
            let c = self.picker.pick(&mut self.rng);
            if self.active(c, mi) {
                return c;
            }
        }
        0
    }

    fn order_date(&mut self, c: usize, mi: usize) -> NaiveDate {
        let cu = &self.custs[c];
        let from = cu.start.max(month_first(mi));
        let to = cu.end.min(month_last(mi));
        random_day(&mut self.rng, from, to)
    }

    fn line_count(&mut self) -> u8 {
        match self.rng.below(100) {
            0..=14 => 1,
            15..=34 => 2,
            35..=64 => 3,
            65..=84 => 4,
            _ => 5,
        }
    }

    /// The orders of month `mi`, expanded to exactly `target` lines (large
    /// mode) or about `target` lines plus first orders (default set).
    fn month_lines(&mut self, mi: usize, target: usize, returns: usize) -> Vec<Line> {
        let mut orders: Vec<Order> = Vec::new();
        let mut rows = 0usize;
        for _ in 0..returns.min(target) {
            let c = self.pick_active(mi);
            let date = self.order_date(c, mi);
            orders.push(Order {
                date,
                cust: c as u32,
                lines: 1,
                is_return: true,
                plain: false,
            });
            rows += 1;
        }
        if mi == MONTHS - 1 && target > 0 {
            // the as-of anchor: the best customer orders on the last day
            orders.push(Order {
                date: month_last(mi),
                cust: 0,
                lines: 1,
                is_return: false,
                plain: true,
            });
            rows += 1;
        }
        if !self.large {
            for c in 0..self.custs.len() {
                let start = self.custs[c].start;
                let quiet = self.last_order[c].is_none_or(|last| mi >= last + 4);
                if month_of(start) == mi {
                    let lines = self.line_count();
                    orders.push(Order {
                        date: start,
                        cust: c as u32,
                        lines,
                        is_return: false,
                        plain: true,
                    });
                    rows += lines as usize;
                } else if quiet && self.active(c, mi) {
                    let date = self.order_date(c, mi);
                    orders.push(Order {
                        date,
                        cust: c as u32,
                        lines: 1,
                        is_return: false,
                        plain: false,
                    });
                    rows += 1;
                }
            }
        }
        let return_pct = if self.large { 2 } else { 4 };
        while rows < target {
            let c = self.pick_active(mi);
            let date = self.order_date(c, mi);
            let is_return = self.rng.percent(return_pct);
            let mut lines = if is_return { 1 } else { self.line_count() };
            if self.large {
                lines = lines.min((target - rows).min(5) as u8);
            }
            orders.push(Order {
                date,
                cust: c as u32,
                lines,
                is_return,
                plain: false,
            });
            rows += lines as usize;
        }
        orders.sort_by_key(|o| o.date);
        if !self.large {
            for o in &orders {
                self.last_order[o.cust as usize] = Some(mi);
            }
        }
        let (y, m) = month_ym(mi);
        let mut out = Vec::with_capacity(rows);
        for (seq, o) in orders.iter().enumerate() {
            let prefix = if o.is_return { "TH" } else { "XS" };
            let order_no = format!("{prefix}{y}{m:02}-{:05}", seq + 1);
            // Every other return names the sale it reverses (原单号).
            let last = &mut self.last_sale[o.cust as usize];
            let source = match o.is_return {
                true => last.clone().filter(|_| seq % 2 == 0),
                false => {
                    *last = Some(order_no.clone());
                    None
                }
            };
            // Some customers' orders carry their own due date (到期日).
            let due = (!self.large && o.cust % 7 == 3 && !o.is_return)
                .then(|| o.date + chrono::Duration::days(60));
            let cu = &self.custs[o.cust as usize];
            let (size, level) = (cu.size, cu.price_level);
            for _ in 0..o.lines {
                let product = self.rng.below(PRODUCTS.len() as u64) as usize;
                let list = PRODUCTS[product].2;
                let jitter = self.rng.between(-20, 20);
                let price = (list * (level + jitter) + 500) / 1000;
                let base = if list > 100_000 {
                    self.rng.between(1, 4)
                } else {
                    self.rng.between(2, 60)
                };
                let mut qty = base * size;
                if o.is_return {
                    qty = -self.rng.between(1, (qty / 4).max(1));
                }
                out.push(Line {
                    date: o.date,
                    order_no: order_no.clone(),
                    cust: o.cust,
                    product,
                    qty,
                    price,
                    amount: qty * price,
                    with_list: self.rng.percent(35),
                    is_return: o.is_return,
                    plain: o.plain,
                    due,
                    source: source.clone(),
                });
            }
        }
        out
    }

    /// Turns a line into cells, choosing its messy forms.
    fn line_row(&mut self, l: &Line) -> LedgerRow<'static> {
        let cu = &self.custs[l.cust as usize];
        let (code, spec, list) = PRODUCTS[l.product];
        let mut cells: Row<'static> = Default::default();
        cells[C_DATE] = Val::Date(l.date);
        cells[C_ORDER] = Val::Text(Cow::Owned(l.order_no.clone()));
        cells[C_ID] = Val::Text(Cow::Owned(cu.id.clone()));
        cells[C_NAME] = Val::Text(Cow::Owned(cu.name.clone()));
        cells[C_REGION] = Val::Text(Cow::Borrowed(REGIONS[cu.region]));
        cells[C_REP] = Val::Text(Cow::Borrowed(REPS[cu.region][cu.rep]));
        cells[C_PRODUCT] = Val::Text(Cow::Borrowed(code));
        cells[C_SPEC] = Val::Text(Cow::Borrowed(spec));
        cells[C_QTY] = Val::Int(l.qty);
        cells[C_PRICE] = Val::Money(l.price);
        if l.with_list {
            cells[C_LIST] = Val::Money(list);
        }
        cells[C_AMOUNT] = Val::Money(l.amount);
        if let Some(due) = l.due {
            cells[C_DUE] = Val::Date(due);
        }
        if let Some(source) = &l.source {
            cells[C_SOURCE] = Val::Text(Cow::Owned(source.clone()));
        }
        if l.is_return {
            cells[C_NOTE] = Val::Text(Cow::Borrowed("退货"));
        }
        if !l.plain {
            // text dates and text amounts in the accepted forms
            if self.rng.one_in(self.messy_every) {
                let kind = if self.large {
                    self.rng.below(6)
                } else {
                    self.messy_count % 6
                };
                self.messy_count += 1;
                let (y, m, d) = (l.date.year(), l.date.month(), l.date.day());
                let amount_text = |a: i64, plain: bool| {
                    if a < 0 {
                        format!("({})", grouped(a))
                    } else if plain {
                        grouped(a)
                    } else {
                        format!("¥{}", grouped(a))
                    }
                };
                match kind {
                    0 => cells[C_DATE] = Val::Text(Cow::Owned(format!("{y}/{m}/{d}"))),
                    1 => cells[C_AMOUNT] = Val::TextMoney(amount_text(l.amount, true), l.amount),
                    2 => cells[C_DATE] = Val::Text(Cow::Owned(format!("{y}年{m}月{d}日"))),
                    3 => cells[C_AMOUNT] = Val::TextMoney(amount_text(l.amount, false), l.amount),
                    4 => cells[C_DATE] = Val::Text(Cow::Owned(format!("{y}{m:02}{d:02}"))),
                    _ => cells[C_AMOUNT] = Val::TextMoney(amount_text(l.amount, true), l.amount),
                }
            } else if l.is_return && !self.large && self.rng.one_in(3) {
                cells[C_AMOUNT] = Val::TextMoney(format!("({})", grouped(l.amount)), l.amount);
            }
            // a line without its customer ID, named like the ID customer
            let name_only = if self.large {
                self.rng.one_in(self.name_only_every)
            } else if month_of(l.date) >= 12 && self.name_only_left.contains(&l.cust) {
                self.name_only_left.retain(|&c| c != l.cust);
                true
            } else {
                false
            };
            if name_only {
                cells[C_ID] = Val::Empty;
                // the normalised spelling: same customer by SPEC 3.3
                if cu.name.contains("  ")
                    || cu
                        .name
                        .chars()
                        .any(|c| ('\u{FF01}'..='\u{FF5E}').contains(&c))
                {
                    cells[C_NAME] = Val::Text(Cow::Owned(normalize_name(&cu.name)));
                }
            }
        }
        LedgerRow {
            cells,
            verdict: Verdict::Accepted {
                cust: l.cust,
                date: l.date,
                qty: l.qty,
                amount: l.amount,
            },
        }
    }

    /// A row that a reader must reject, placed in month `mi`.
    fn bad_row(&mut self, kind: Bad, mi: usize, seq: usize) -> LedgerRow<'static> {
        let (y, m) = month_ym(mi);
        let c = self.pick_active(mi);
        let date = self.order_date(c, mi);
        let mut line = self.month_line_like(c, date, format!("XS{y}{m:02}-9{seq:04}"));
        line.plain = true;
        let mut row = self.line_row(&line);
        let cells = &mut row.cells;
        let reason = match kind {
            Bad::Unreadable => {
                cells[C_QTY] = Val::Empty;
                cells[C_PRICE] = Val::Empty;
                cells[C_LIST] = Val::Empty;
                cells[C_AMOUNT] = Val::TextMoney("待定".into(), 0);
                cells[C_NOTE] = Val::Text(Cow::Borrowed("价格未定"));
                "amount unreadable: 待定".to_string()
            }
            Bad::Ambiguous => {
                let d = if m == 3 { 5 } else { 3 };
                let t = format!("{d:02}/{m:02}/{y}");
                cells[C_DATE] = Val::Text(Cow::Owned(t.clone()));
                format!("ambiguous date {t} (day/month order)")
            }
            Bad::DayFirst => {
                let d = self.rng.between(13, 28);
                let t = format!("{d:02}/{m:02}/{y}");
                cells[C_DATE] = Val::Text(Cow::Owned(t.clone()));
                format!("day-first date {t} (needs date_format)")
            }
            Bad::AmountOnly => {
                let amount = self.rng.between(200, 3000) * 100;
                *cells = Default::default();
                cells[C_AMOUNT] = Val::Money(amount);
                cells[C_NOTE] = Val::Text(Cow::Borrowed("运费分摊"));
                "amount without date or customer".to_string()
            }
            Bad::Note => {
                *cells = Default::default();
                cells[C_DATE] = Val::Text(Cow::Borrowed("以下为退货冲红"));
                "note row (text only): 以下为退货冲红".to_string()
            }
            Bad::Impossible => {
                let dim = month_last(mi).day();
                let d = if m == 2 { 30 } else { dim + 1 };
                let t = format!("{y}-{m:02}-{d:02}");
                cells[C_DATE] = Val::Text(Cow::Owned(t.clone()));
                format!("impossible date {t}")
            }
        };
        row.verdict = Verdict::Rejected(reason);
        row
    }

    fn month_line_like(&mut self, c: usize, date: NaiveDate, order_no: String) -> Line {
        let product = self.rng.below(PRODUCTS.len() as u64) as usize;
        let cu = &self.custs[c];
        let price = (PRODUCTS[product].2 * cu.price_level + 500) / 1000;
        let qty = self.rng.between(1, 10) * cu.size;
        Line {
            date,
            order_no,
            cust: c as u32,
            product,
            qty,
            price,
            amount: qty * price,
            with_list: false,
            is_return: false,
            plain: true,
            due: None,
            source: None,
        }
    }
}

// ---------------------------------------------------------------------------
// Bookkeeping of what was written

#[derive(Debug, Clone, Default)]
struct Agg {
    window: i64,
    prior: i64,
    qty: i64,
    first: Option<NaiveDate>,
}

struct Books {
    as_of: NaiveDate,
    window_from: NaiveDate,
    prior_from: NaiveDate,
    aggs: Vec<Agg>,
    accepted: i64,
    latest: Option<NaiveDate>,
    rows: usize,
    totals_rows: usize,
    rejected: Vec<(String, String, u32, String)>,
    /// Default set: accepted order totals, for receipts.
    invoices: Vec<(u32, NaiveDate, String, i64)>,
    keep_invoices: bool,
}

impl Books {
    fn new(n_custs: usize, keep_invoices: bool) -> Books {
        let as_of = month_last(MONTHS - 1);
        let window_from = as_of - Months::new(12);
        let prior_from = as_of - Months::new(24);
        Books {
            as_of,
            window_from,
            prior_from,
            aggs: vec![Agg::default(); n_custs],
            accepted: 0,
            latest: None,
            rows: 0,
            totals_rows: 0,
            rejected: Vec::new(),
            invoices: Vec::new(),
            keep_invoices,
        }
    }

    fn record(&mut self, file: &str, sheet: &str, excel_row: u32, row: &LedgerRow) {
        self.rows += 1;
        match &row.verdict {
            Verdict::Rejected(why) => {
                self.rejected
                    .push((file.to_string(), sheet.to_string(), excel_row, why.clone()));
            }
            Verdict::Accepted {
                cust,
                date,
                qty,
                amount,
            } => {
                let a = &mut self.aggs[*cust as usize];
                self.accepted += amount;
                if *date > self.window_from && *date <= self.as_of {
                    a.window += amount;
                    a.qty += qty;
                } else if *date > self.prior_from && *date <= self.window_from {
                    a.prior += amount;
                }
                a.first = Some(a.first.map_or(*date, |f| f.min(*date)));
                self.latest = Some(self.latest.map_or(*date, |l| l.max(*date)));
                if self.keep_invoices {
                    if let Val::Text(no) = &row.cells[C_ORDER] {
                        match self.invoices.last_mut() {
                            Some(inv) if inv.2 == no.as_ref() => inv.3 += amount,
                            _ => self.invoices.push((*cust, *date, no.to_string(), *amount)),
                        }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Entry point

/// Writes a synthetic ledger set into `out_dir` (created if missing; files
/// in it are overwritten — refusing is the caller's business) and reports
/// what a correct reader should find.
///
/// Default set (`rows: None`): `销售台账.xlsx` (24 sheets 2024年1月 …
/// 2025年12月, ~60 customers, six bad rows), `回款台账.xlsx`, `客户档案.xlsx`,
/// `上年等级.xlsx`. Large mode (`rows: Some(n)`): only the sales ledger with
/// exactly `n` data rows, as xlsx or (with `csv`) as CSV, UTF-8 or GBK.
///
/// The as-of date is always 2025-12-31 (an order is placed on that day), so
/// the window is calendar 2025 and the prior window calendar 2024.
///
/// # Errors
/// The folder cannot be created or a file cannot be written.
pub fn generate(out_dir: &Path, opts: &SampleOptions) -> Result<SampleReport> {
    fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create the folder {}", out_dir.display()))?;
    let mut rng = Rng::new(opts.seed);
    let large = opts.rows.is_some();
    if opts.rows == Some(0) {
        bail!("--rows must be at least 1");
    }
    let n_custs = match (opts.rows, opts.customers) {
        (Some(_), Some(c)) if c == 0 || c > MAX_CUSTOMERS => {
            bail!("--customers must be between 1 and {MAX_CUSTOMERS}")
        }
        (Some(_), Some(c)) => c,
        (Some(n), None) => (n / 200).clamp(200, 20_000),
        (None, _) => 60,
    };
    let custs = make_customers(&mut rng, n_custs, large);
    let mut gen = Gen {
        rng,
        picker: Picker::new(custs.len()),
        large,
        shared_strings: opts.shared_strings,
        one_sheet: opts.one_sheet,
        messy_every: if large { 2000 } else { 30 },
        messy_count: 0,
        name_only_every: 5000,
        name_only_left: if large {
            Vec::new()
        } else {
            vec![3, 7, 23, 30]
        },
        last_order: vec![None; if large { 0 } else { n_custs }],
        last_sale: vec![None; n_custs],
        custs,
    };
    let mut books = Books::new(n_custs, !large || opts.receipts);
    let mut files = Vec::new();

    let plan = month_plan(&mut gen.rng, opts.rows);
    let ledger_path = if large && opts.csv {
        let path = out_dir.join(format!("{LEDGER_FILE}.csv"));
        write_ledger_csv(&path, &mut gen, &mut books, &plan, opts.gbk)?;
        path
    } else {
        let path = out_dir.join(format!("{LEDGER_FILE}.xlsx"));
        write_ledger_xlsx(&path, &mut gen, &mut books, &plan)?;
        path
    };
    files.push(SampleFile {
        path: ledger_path,
        kind: "ledger",
    });
    if books.latest != Some(books.as_of) {
        bail!(
            "internal: the sample's latest date is {:?}, expected {}",
            books.latest,
            books.as_of
        );
    }

    let mut previous: Vec<Option<&'static str>> = vec![None; n_custs];
    let mut window_receipts = vec![0i64; n_custs];
    let mut receipts = None;
    let mut owed = Vec::new();
    if !large || opts.receipts {
        let csv = large && opts.csv;
        let (path, r, o) = write_receipts(out_dir, &mut gen, &books, csv, &mut window_receipts)?;
        owed = o;
        files.push(SampleFile {
            path,
            kind: "receipts",
        });
        receipts = Some(r);
    }
    if !large {
        let path = out_dir.join(CUSTOMERS_FILE);
        write_customers(&path, &mut gen, &books, &owed)?;
        files.push(SampleFile {
            path,
            kind: "customers",
        });
        previous = previous_grades(&gen, &books);
        let path = out_dir.join(PREVIOUS_FILE);
        write_previous(&path, &gen, &books, &previous)?;
        files.push(SampleFile {
            path,
            kind: "previous",
        });
    }

    let mut customers: Vec<ExpectedCustomer> = gen
        .custs
        .iter()
        .zip(&books.aggs)
        .zip(&previous)
        .zip(&window_receipts)
        .filter_map(|(((cu, a), prev), received)| {
            let ledger_first = a.first?;
            Some(ExpectedCustomer {
                key: cu.id.clone(),
                id: Some(cu.id.clone()),
                name: cu.name.clone(),
                window_sales: cents(a.window),
                prior_sales: cents(a.prior),
                quantity: Decimal::from(a.qty),
                first_date: if large { ledger_first } else { cu.master_first },
                ledger_first_date: ledger_first,
                region: REGIONS[cu.region].to_string(),
                sales_rep: REPS[cu.region][cu.rep].to_string(),
                previous_grade: prev.map(str::to_string),
                window_receipts: cents(*received),
            })
        })
        .collect();
    customers.sort_by(|a, b| a.key.cmp(&b.key));

    Ok(SampleReport {
        files,
        as_of: books.as_of,
        ledger_rows: books.rows,
        rejected: books.rejected,
        totals_rows: books.totals_rows,
        accepted_amount: cents(books.accepted),
        customers,
        receipts,
    })
}

/// Per month: good lines wanted and the bad rows to slip in.
struct MonthPlan {
    good: usize,
    bad: Vec<Bad>,
    /// Return orders that must be there (they follow the note row).
    returns: usize,
}

fn month_plan(rng: &mut Rng, rows: Option<usize>) -> Vec<MonthPlan> {
    match rows {
        None => (0..MONTHS)
            .map(|mi| MonthPlan {
                good: 26 + rng.below(12) as usize,
                bad: match sheet_name(mi).as_str() {
                    "2024年9月" => vec![Bad::AmountOnly],
                    "2025年2月" => vec![Bad::Impossible],
                    "2025年3月" => vec![Bad::DayFirst],
                    "2025年4月" => vec![Bad::Unreadable],
                    "2025年5月" => vec![Bad::Ambiguous],
                    "2025年6月" => vec![Bad::Note],
                    _ => Vec::new(),
                },
                returns: if mi == 17 { 2 } else { 0 },
            })
            .collect(),
        Some(n) => {
            let n_bad = (n / 20).min((n / 20_000).clamp(6, 48));
            let mut plan: Vec<MonthPlan> = (0..MONTHS)
                .map(|mi| MonthPlan {
                    // the remainder goes to the last months, so the final
                    // month always has the as-of anchor line
                    good: n / MONTHS + usize::from(mi >= MONTHS - n % MONTHS),
                    bad: Vec::new(),
                    returns: 0,
                })
                .collect();
            let mut placed = 0;
            while placed < n_bad {
                let mi = rng.below(MONTHS as u64) as usize;
                // the final month keeps at least its anchor line
                let floor = usize::from(mi == MONTHS - 1);
                if plan[mi].good > floor {
                    plan[mi].good -= 1;
                    plan[mi].bad.push(BAD_KINDS[placed % BAD_KINDS.len()]);
                    placed += 1;
                }
            }
            plan
        }
    }
}

/// The ledger rows of month `mi`, good and bad, in sheet order.
fn month_rows(gen: &mut Gen, mi: usize, plan: &MonthPlan) -> Vec<LedgerRow<'static>> {
    let lines = gen.month_lines(mi, plan.good, plan.returns);
    let mut rows: Vec<LedgerRow> = lines.iter().map(|l| gen.line_row(l)).collect();
    for (k, &kind) in plan.bad.iter().enumerate() {
        let row = gen.bad_row(kind, mi, k + 1);
        if kind == Bad::Note && !gen.large {
            // the note heads the month's returns, moved to the end
            let (mut returns, rest): (Vec<_>, Vec<_>) = rows
                .into_iter()
                .partition(|r| matches!(&r.cells[C_ORDER], Val::Text(t) if t.starts_with("TH")));
            rows = rest;
            rows.push(row);
            rows.append(&mut returns);
        } else {
            let at = gen.rng.below(rows.len() as u64 + 1) as usize;
            rows.insert(at, row);
        }
    }
    rows
}

fn ledger_title(mi: Option<usize>) -> String {
    match mi {
        Some(mi) => format!("{COMPANY}销售台账（{}）", sheet_name(mi)),
        None => format!(
            "{COMPANY}销售台账（{}—{}）",
            sheet_name(0),
            sheet_name(MONTHS - 1)
        ),
    }
}

fn ledger_subtitle() -> String {
    format!("制表单位：{COMPANY}财务部　　　　单位：元")
}

fn write_ledger_xlsx(
    path: &Path,
    gen: &mut Gen,
    books: &mut Books,
    plan: &[MonthPlan],
) -> Result<()> {
    let f = Formats::new();
    let mut wb = new_workbook(books.as_of + chrono::Duration::days(5))?;
    if gen.large {
        // deflate dominates the time of a million-row file; level 1 is
        // about twice as fast for a file ~30% larger
        wb.set_zip_compression_level(1);
    }
    let file = file_name(path);
    if gen.one_sheet {
        return write_one_sheet(path, wb, &f, gen, books, plan);
    }
    for (mi, p) in plan.iter().enumerate() {
        let rows = month_rows(gen, mi, p);
        let name = sheet_name(mi);
        let ws = ledger_sheet(&mut wb, gen.large, gen.shared_strings)?;
        ws.set_name(&name)?;
        ledger_heading(ws, &f, Some(mi))?;
        let (mut qty, mut amount) = (0i64, 0i64);
        for (i, row) in rows.iter().enumerate() {
            let r = LEDGER_DATA_ROW + i as u32;
            for (c, v) in row.cells.iter().enumerate() {
                put(ws, r, c, v, &f)?;
            }
            qty += row.cells[C_QTY].readable();
            amount += row.cells[C_AMOUNT].readable();
            books.record(&file, &name, r + 1, row);
        }
        write_totals(
            ws,
            &f,
            LEDGER_DATA_ROW,
            rows.len() as u32,
            &[C_QTY, C_AMOUNT],
            &[qty, amount],
            &[C_QTY],
        )?;
        books.totals_rows += 1;
    }
    wb.save(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Title, subtitle and header rows of a ledger sheet (`month`: None for a
/// sheet covering every month).
fn ledger_heading(ws: &mut Worksheet, f: &Formats, month: Option<usize>) -> Result<()> {
    ws.merge_range(0, 0, 0, NCOL as u16 - 1, &ledger_title(month), &f.title)?;
    ws.set_row_height(0, 24)?;
    ws.write_string(1, 0, ledger_subtitle())?;
    for (c, (h, w)) in LEDGER_HEADERS.iter().zip(LEDGER_WIDTHS).enumerate() {
        ws.write_string_with_format(LEDGER_DATA_ROW - 1, c as u16, *h, &f.header)?;
        ws.set_column_width(c as u16, w)?;
    }
    ws.set_freeze_panes(LEDGER_DATA_ROW, 0)?;
    Ok(())
}

/// Every month on one sheet `销售台账`, as some ERP exports come: a 小计 row
/// after each month (values, as an export writes them) and a 合计 row at
/// the end, like the CSV.
fn write_one_sheet(
    path: &Path,
    mut wb: Workbook,
    f: &Formats,
    gen: &mut Gen,
    books: &mut Books,
    plan: &[MonthPlan],
) -> Result<()> {
    let file = file_name(path);
    let name = "销售台账";
    let ws = ledger_sheet(&mut wb, gen.large, gen.shared_strings)?;
    ws.set_name(name)?;
    ledger_heading(ws, f, None)?;
    let mut r = LEDGER_DATA_ROW;
    let (mut grand_qty, mut grand_amount) = (0i64, 0i64);
    let total_row = |ws: &mut Worksheet, r: u32, label: &str, qty: i64, amount: i64| {
        ws.write_string_with_format(r, 0, label, &f.total_label)?;
        ws.write_number_with_format(r, C_QTY as u16, (qty / 100) as f64, &f.total_int)?;
        ws.write_number_with_format(r, C_AMOUNT as u16, amount as f64 / 100.0, &f.total_money)?;
        Ok::<(), anyhow::Error>(())
    };
    for (mi, p) in plan.iter().enumerate() {
        let rows = month_rows(gen, mi, p);
        let (mut qty, mut amount) = (0i64, 0i64);
        for row in &rows {
            for (c, v) in row.cells.iter().enumerate() {
                put(ws, r, c, v, f)?;
            }
            qty += row.cells[C_QTY].readable();
            amount += row.cells[C_AMOUNT].readable();
            books.record(&file, name, r + 1, row);
            r += 1;
        }
        total_row(ws, r, "小计", qty, amount)?;
        books.totals_rows += 1;
        r += 1;
        grand_qty += qty;
        grand_amount += amount;
    }
    total_row(ws, r, "合计", grand_qty, grand_amount)?;
    books.totals_rows += 1;
    wb.save(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// A new ledger sheet. Rows are written strictly in order (title, header,
/// data, totals), so large ledgers stream each sheet's rows to a temporary
/// file: with inline strings, as streaming exporters write, or with a
/// shared-strings table, as Excel saves a workbook (flat memory either way).
/// The small sample set is written as Excel would.
fn ledger_sheet(wb: &mut Workbook, large: bool, shared: bool) -> Result<&mut Worksheet> {
    match (large, shared) {
        (true, false) => Ok(wb.add_worksheet_with_constant_memory()?),
        (true, true) => Ok(wb.add_worksheet_with_low_memory()?),
        (false, _) => Ok(wb.add_worksheet()),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn write_ledger_csv(
    path: &Path,
    gen: &mut Gen,
    books: &mut Books,
    plan: &[MonthPlan],
    gbk: bool,
) -> Result<()> {
    let file =
        fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let name = file_name(path);
    let sheet = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let pad = |first: &str| -> [String; NCOL] {
        let mut r: [String; NCOL] = Default::default();
        r[0] = first.to_string();
        r
    };
    let emit = |buf: Vec<u8>, out: &mut BufWriter<fs::File>| -> Result<()> {
        if gbk {
            let text = String::from_utf8(buf)?.replace('¥', "￥");
            let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
            if unmappable {
                bail!("internal: sample text not representable in GBK");
            }
            out.write_all(&bytes)?;
        } else {
            out.write_all(&buf)?;
        }
        Ok(())
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(pad(&ledger_title(None)))?;
    w.write_record(pad(&ledger_subtitle()))?;
    w.write_record(pad(""))?;
    w.write_record(LEDGER_HEADERS)?;
    let mut line = 5u32;
    let (mut grand_qty, mut grand_amount) = (0i64, 0i64);
    let total_line = |label: &str, qty: i64, amount: i64| -> [String; NCOL] {
        let mut r = pad(label);
        r[C_QTY] = (qty / 100).to_string();
        r[C_AMOUNT] = cents(amount).to_string();
        r
    };
    for (mi, p) in plan.iter().enumerate() {
        let rows = month_rows(gen, mi, p);
        let (mut qty, mut amount) = (0i64, 0i64);
        for row in &rows {
            for v in &row.cells {
                w.write_field(v.csv_text().as_bytes())?;
            }
            w.write_record(std::iter::empty::<&[u8]>())?;
            qty += row.cells[C_QTY].readable();
            amount += row.cells[C_AMOUNT].readable();
            books.record(&name, &sheet, line, row);
            line += 1;
        }
        w.write_record(total_line("小计", qty, amount))?;
        line += 1;
        books.totals_rows += 1;
        grand_qty += qty;
        grand_amount += amount;
        let buf = std::mem::replace(&mut w, csv::Writer::from_writer(Vec::new())).into_inner();
        emit(buf.map_err(|e| anyhow::anyhow!("{e}"))?, &mut out)?;
    }
    w.write_record(total_line("合计", grand_qty, grand_amount))?;
    books.totals_rows += 1;
    emit(
        w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?,
        &mut out,
    )?;
    out.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Receipts, customer master, previous grades (default set)

/// A receipt the generator decided to write.
struct PlannedReceipt {
    date: NaiveDate,
    /// `None`: the customer with no ledger line.
    cust: Option<u32>,
    amount: i64,
    /// The invoice it names (index into `Books::invoices`).
    order: Option<usize>,
    note: &'static str,
}

/// The customer of the receipt that matches no ledger customer (SPEC 5).
const STRAY: (&str, &str) = ("KH9001", "杭州临安众鑫贸易商行");
/// Receipts after the as-of date are kept this many days (the ledger was
/// exported a little later).
const RECEIPTS_AFTER_DAYS: i64 = 20;

/// Every receipt of the set, in date order: most invoices paid in full by
/// their customer's habit, one in ten in two parts, some customers paying a
/// month's invoices in one sum, new clients paying their first order in
/// advance, a few invoices never paid, one receipt of an unknown customer,
/// and the first days after the as-of date.
fn plan_receipts(gen: &mut Gen, books: &Books) -> Vec<PlannedReceipt> {
    const METHODS: [&str; 4] = ["电汇", "银行承兑", "", "电汇"];
    let rng = &mut gen.rng;
    let mut out = Vec::new();
    let mut lumps: std::collections::BTreeMap<(u32, usize), i64> = Default::default();
    let mut prepaid = vec![false; gen.custs.len()];
    for (k, (cust, date, _, amount)) in books.invoices.iter().enumerate() {
        if *amount <= 0 {
            continue;
        }
        let c = *cust as usize;
        let cu = &gen.custs[c];
        let receipt = |date, amount, order, note| PlannedReceipt {
            date,
            cust: Some(*cust),
            amount,
            order,
            note,
        };
        if cu.start >= ymd(2025, 8, 1) && c.is_multiple_of(2) && !prepaid[c] {
            // a new client pays its first order in advance
            prepaid[c] = true;
            out.push(receipt(
                *date - chrono::Duration::days(10),
                *amount,
                Some(k),
                "预收货款",
            ));
            continue;
        }
        let (lo, hi, never) = match cu.pay {
            0 => (20, 40, 0),
            1 => (30, 75, 2),
            2 => (45, 120, 5),
            _ => (90, 240, 15),
        };
        if rng.percent(never) {
            continue;
        }
        if cu.pay == 0 && c % 4 == 1 {
            // one sum for the month's invoices
            *lumps.entry((*cust, month_of(*date))).or_default() += amount;
            continue;
        }
        let paid = *date + chrono::Duration::days(rng.between(lo, hi));
        let named = rng.percent(60).then_some(k);
        let method = METHODS[rng.below(4) as usize];
        if rng.percent(10) {
            // paid in two parts
            let first = amount * 6 / 10;
            let later = paid + chrono::Duration::days(rng.between(15, 45));
            out.push(receipt(paid, first, named, method));
            out.push(receipt(later, amount - first, named, method));
        } else {
            out.push(receipt(paid, *amount, named, method));
        }
    }
    for ((cust, mi), amount) in lumps {
        out.push(PlannedReceipt {
            date: month_last(mi) + chrono::Duration::days(35),
            cust: Some(cust),
            amount,
            order: None,
            note: "合并付款",
        });
    }
    out.push(PlannedReceipt {
        date: ymd(2025, 10, 15),
        cust: None,
        amount: 880_000,
        order: None,
        note: "预收货款",
    });
    let last = books.as_of + chrono::Duration::days(RECEIPTS_AFTER_DAYS);
    out.retain(|r| r.date <= last);
    let id = |r: &PlannedReceipt| {
        r.cust
            .map_or(STRAY.0, |c| gen.custs[c as usize].id.as_str())
    };
    out.sort_by(|a, b| (a.date, id(a)).cmp(&(b.date, id(b))));
    out
}

/// What the receipts ledger holds, from the generator's own records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiptsReport {
    /// Data rows written (the 合计 row aside).
    pub rows: usize,
    /// Σ of every row.
    pub accepted_amount: Decimal,
    /// Σ of the rows dated on or before as_of (the unknown customer's included).
    pub received: Decimal,
    /// Σ of the rows dated after as_of.
    pub after_as_of: Decimal,
    /// The unknown customer's receipts on or before as_of: Σ, and their
    /// Excel rows (CSV: line numbers).
    pub unmatched: Decimal,
    pub unmatched_rows: Vec<u32>,
}

const RECEIPT_HEADERS: [&str; 6] = [
    "回款日期",
    "客户编码",
    "客户名称",
    "回款金额",
    "单据编号",
    "备注",
];
const RECEIPT_WIDTHS: [f64; 6] = [12.0, 10.0, 34.0, 14.0, 16.0, 12.0];
/// Receipts sheets: title, 单位 line, blank, header; data from this index.
const RECEIPT_DATA_ROW: u32 = 4;

/// Writes the receipts ledger (`回款台账.xlsx`, or `.csv` when `csv`),
/// adds each customer's window receipts to `window` and returns what each
/// customer still owes at as_of (its orders less its receipts, in cents).
fn write_receipts(
    out_dir: &Path,
    gen: &mut Gen,
    books: &Books,
    csv: bool,
    window: &mut [i64],
) -> Result<(PathBuf, ReceiptsReport, Vec<i64>)> {
    let plan = plan_receipts(gen, books);
    let mut owed = vec![0i64; gen.custs.len()];
    for (c, _, _, amount) in &books.invoices {
        owed[*c as usize] += amount;
    }
    let mut report = ReceiptsReport {
        rows: plan.len(),
        ..ReceiptsReport::default()
    };
    let rows = plan.iter().enumerate().map(|(i, r)| {
        let row = RECEIPT_DATA_ROW + i as u32 + 1;
        let money = cents(r.amount);
        report.accepted_amount += money;
        if r.date > books.as_of {
            report.after_as_of += money;
        } else {
            report.received += money;
            match r.cust {
                Some(c) => {
                    owed[c as usize] -= r.amount;
                    if r.date > books.window_from {
                        window[c as usize] += r.amount;
                    }
                }
                None => {
                    report.unmatched += money;
                    report.unmatched_rows.push(row);
                }
            }
        }
        let (id, name) = match r.cust {
            Some(c) => {
                let cu = &gen.custs[c as usize];
                (cu.id.as_str(), cu.name.as_str())
            }
            None => STRAY,
        };
        let mut cells: [Val; 6] = Default::default();
        cells[0] = Val::Date(r.date);
        cells[1] = Val::Text(Cow::Borrowed(id));
        cells[2] = Val::Text(Cow::Borrowed(name));
        cells[3] = Val::Money(r.amount);
        if let Some(k) = r.order {
            cells[4] = Val::Text(Cow::Borrowed(books.invoices[k].2.as_str()));
        }
        cells[5] = Val::Text(Cow::Borrowed(r.note));
        cells
    });
    let title = format!(
        "{COMPANY}回款台账（{}—{}）",
        sheet_name(0),
        sheet_name(MONTHS - 1)
    );
    let ext = if csv { "csv" } else { "xlsx" };
    let path = out_dir.join(format!("{RECEIPTS_FILE}.{ext}"));
    let total: i64 = plan.iter().map(|r| r.amount).sum();
    if csv {
        write_receipts_csv(&path, &title, rows, total)?;
    } else {
        write_receipts_xlsx(&path, gen.large, books.as_of, &title, rows, total)?;
    }
    Ok((path, report, owed))
}

fn write_receipts_xlsx<'a>(
    path: &Path,
    large: bool,
    as_of: NaiveDate,
    title: &str,
    rows: impl Iterator<Item = [Val<'a>; 6]>,
    total: i64,
) -> Result<()> {
    let f = Formats::new();
    let mut wb = new_workbook(as_of + chrono::Duration::days(5))?;
    let ws = ledger_sheet(&mut wb, large, false)?;
    ws.set_name("回款明细")?;
    ws.merge_range(0, 0, 0, 5, title, &f.title)?;
    ws.set_row_height(0, 24)?;
    ws.write_string(1, 0, "单位：元")?;
    for (c, (h, w)) in RECEIPT_HEADERS.iter().zip(RECEIPT_WIDTHS).enumerate() {
        ws.write_string_with_format(RECEIPT_DATA_ROW - 1, c as u16, *h, &f.header)?;
        ws.set_column_width(c as u16, w)?;
    }
    ws.set_freeze_panes(RECEIPT_DATA_ROW, 0)?;
    let mut n = 0u32;
    for cells in rows {
        for (c, v) in cells.iter().enumerate() {
            put(ws, RECEIPT_DATA_ROW + n, c, v, &f)?;
        }
        n += 1;
    }
    write_totals(ws, &f, RECEIPT_DATA_ROW, n, &[3], &[total], &[])?;
    wb.save(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn write_receipts_csv<'a>(
    path: &Path,
    title: &str,
    rows: impl Iterator<Item = [Val<'a>; 6]>,
    total: i64,
) -> Result<()> {
    let file =
        fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut w = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
    let pad = |first: &str| {
        let mut r: [String; 6] = Default::default();
        r[0] = first.to_string();
        r
    };
    w.write_record(pad(title))?;
    w.write_record(pad("单位：元"))?;
    w.write_record(pad(""))?;
    w.write_record(RECEIPT_HEADERS)?;
    for cells in rows {
        w.write_record(cells.iter().map(|v| v.csv_text().into_owned()))?;
    }
    let mut last = pad("合计");
    last[3] = cents(total).to_string();
    w.write_record(last)?;
    w.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The customer master; the customer that owes the most at as_of (`owed`)
/// gets a credit limit of half of it, so that one customer is over its limit.
fn write_customers(path: &Path, gen: &mut Gen, books: &Books, owed: &[i64]) -> Result<()> {
    let most = (0..owed.len()).max_by_key(|&c| (owed[c], std::cmp::Reverse(c)));
    let mut order: Vec<usize> = (0..gen.custs.len())
        .filter(|&c| books.aggs[c].first.is_some())
        .collect();
    order.sort_by(|&a, &b| gen.custs[a].id.cmp(&gen.custs[b].id));
    let mut specials = 0;
    let mut rows: Vec<Row> = Vec::new();
    for &c in &order {
        let cu = &gen.custs[c];
        let rng = &mut gen.rng;
        let mut r: Row = Default::default();
        r[0] = Val::Text(Cow::Borrowed(&cu.id));
        r[1] = Val::Text(Cow::Borrowed(&cu.name));
        r[2] = Val::Text(Cow::Borrowed(REGIONS[cu.region]));
        r[3] = Val::Text(Cow::Borrowed(REPS[cu.region][cu.rep]));
        r[4] = Val::Date(cu.master_first);
        // 账期 left blank for one customer in six: the default terms apply
        if let Some(&terms) = [30, 30, 45, 60, 90].get(rng.below(6) as usize) {
            r[5] = Val::Int(terms);
        }
        let big = (cu.size as u64).max(1);
        let limit = rng.between(2, 10) * big as i64 * 5_000_000;
        r[6] = Val::Money(match most == Some(c) {
            true => owed[c] / 2_000_000 * 1_000_000,
            false => limit,
        });
        if c % 9 == 4 && specials < SPECIAL_POLICIES.len() {
            r[7] = Val::Text(Cow::Borrowed(SPECIAL_POLICIES[specials]));
            specials += 1;
        }
        r[8] = Val::Int(rng.between(20, 120) * big as i64);
        r[9] = Val::Money(rng.between(300, 3000) * big as i64 * 100);
        rows.push(r);
    }
    let f = Formats::new();
    let mut wb = new_workbook(books.as_of + chrono::Duration::days(5))?;
    let ws = wb.add_worksheet();
    ws.set_name("客户档案")?;
    write_table(
        ws,
        &f,
        None,
        None,
        &[
            "客户编码",
            "客户名称",
            "区域",
            "业务员",
            "首次合作日期",
            "账期",
            "信用额度",
            "特殊政策",
            "员工人数",
            "年营业额(万元)",
        ],
        &[10.0, 34.0, 7.0, 8.0, 13.0, 7.0, 14.0, 22.0, 10.0, 15.0],
        &rows,
        None,
    )?;
    wb.save(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Last year's grades: cumulative share of prior-window sales (70% A, 90%
/// B), two meeting changes, and the lost customer at C.
fn previous_grades(gen: &Gen, books: &Books) -> Vec<Option<&'static str>> {
    let n = gen.custs.len();
    let mut ranked: Vec<usize> = (0..n).filter(|&c| books.aggs[c].prior > 0).collect();
    ranked.sort_by(|&a, &b| {
        books.aggs[b]
            .prior
            .cmp(&books.aggs[a].prior)
            .then(gen.custs[a].id.cmp(&gen.custs[b].id))
    });
    let total: i64 = ranked.iter().map(|&c| books.aggs[c].prior).sum();
    let mut out = vec![None; n];
    let mut before = 0i64;
    for (k, &c) in ranked.iter().enumerate() {
        let mut g = if before * 10 < total * 7 {
            "A"
        } else if before * 10 < total * 9 {
            "B"
        } else {
            "C"
        };
        // the meeting's own decisions
        if k == 2 || k == ranked.len() / 2 {
            g = "B";
        }
        out[c] = Some(g);
        before += books.aggs[c].prior;
    }
    // the lost customer (bought only in 2024) was a C
    if let Some(lost) =
        (0..n).find(|&c| gen.custs[c].end <= books.window_from && books.aggs[c].first.is_some())
    {
        out[lost] = Some("C");
    }
    out
}

fn write_previous(
    path: &Path,
    gen: &Gen,
    books: &Books,
    grades: &[Option<&'static str>],
) -> Result<()> {
    let mut order: Vec<usize> = (0..gen.custs.len())
        .filter(|&c| grades[c].is_some())
        .collect();
    order.sort_by(|&a, &b| (grades[a], &gen.custs[a].id).cmp(&(grades[b], &gen.custs[b].id)));
    let rows: Vec<Row> = order
        .iter()
        .map(|&c| {
            let cu = &gen.custs[c];
            let mut r: Row = Default::default();
            r[0] = Val::Text(Cow::Borrowed(&cu.id));
            r[1] = Val::Text(Cow::Borrowed(&cu.name));
            r[2] = Val::Text(Cow::Borrowed(grades[c].unwrap_or("C")));
            r
        })
        .collect();
    let f = Formats::new();
    let mut wb = new_workbook(books.as_of + chrono::Duration::days(5))?;
    let ws = wb.add_worksheet();
    ws.set_name("2024年度")?;
    write_table(
        ws,
        &f,
        Some("2024年度客户等级评定结果"),
        None,
        &["客户编码", "客户名称", "最终等级"],
        &[10.0, 34.0, 10.0],
        &rows,
        None,
    )?;
    wb.save(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{open_workbook_auto, Data, Reader};

    fn small(dir: &Path, seed: u64) -> SampleReport {
        generate(
            dir,
            &SampleOptions {
                seed,
                ..SampleOptions::default()
            },
        )
        .expect("sample generates")
    }

    #[test]
    fn same_seed_same_bytes() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let ra = small(a.path(), 7);
        let rb = small(b.path(), 7);
        assert_eq!(ra.files.len(), 4);
        for (fa, fb) in ra.files.iter().zip(&rb.files) {
            let (x, y) = (fs::read(&fa.path).unwrap(), fs::read(&fb.path).unwrap());
            assert!(x == y, "{} differs between runs", fa.path.display());
            assert!(
                x.len() < 100_000,
                "{} is {} bytes",
                fa.path.display(),
                x.len()
            );
        }
        assert_eq!(ra.customers, rb.customers);
        let c = tempfile::tempdir().unwrap();
        let rc = small(c.path(), 8);
        assert_ne!(ra.accepted_amount, rc.accepted_amount);
    }

    /// Every big-ledger form is deterministic per seed (the benchmark's input).
    #[test]
    fn large_forms_same_seed_same_bytes() {
        let forms = [
            SampleOptions::default(),
            SampleOptions {
                shared_strings: true,
                ..SampleOptions::default()
            },
            SampleOptions {
                one_sheet: true,
                ..SampleOptions::default()
            },
            SampleOptions {
                csv: true,
                ..SampleOptions::default()
            },
        ];
        for form in forms {
            let opts = SampleOptions {
                rows: Some(1_500),
                seed: 3,
                ..form
            };
            let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
            let ra = generate(a.path(), &opts).unwrap();
            let rb = generate(b.path(), &opts).unwrap();
            assert_eq!(ra.ledger_rows, 1_500);
            let (x, y) = (
                fs::read(&ra.files[0].path).unwrap(),
                fs::read(&rb.files[0].path).unwrap(),
            );
            assert!(x == y, "{opts:?}: differs between runs");
        }
    }

    #[test]
    fn report_adds_up() {
        let dir = tempfile::tempdir().unwrap();
        let r = small(dir.path(), 1);
        assert_eq!(r.as_of, ymd(2025, 12, 31));
        assert_eq!(r.totals_rows, 24);
        assert_eq!(r.rejected.len(), 6);
        let window: Decimal = r.customers.iter().map(|c| c.window_sales).sum();
        let prior: Decimal = r.customers.iter().map(|c| c.prior_sales).sum();
        // every accepted row lies in the window or the prior window
        assert_eq!(window + prior, r.accepted_amount);
        assert!(window > Decimal::ZERO && prior > Decimal::ZERO);
        let keys: Vec<&str> = r.customers.iter().map(|c| c.key.as_str()).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert_eq!(r.customers.len(), 60);
        // lost, provisional and previous-grade customers are there
        let lost: Vec<_> = r
            .customers
            .iter()
            .filter(|c| c.window_sales.is_zero() && c.prior_sales > Decimal::ZERO)
            .collect();
        assert_eq!(lost.len(), 1);
        assert_eq!(lost[0].previous_grade.as_deref(), Some("C"));
        let provisional = r
            .customers
            .iter()
            .filter(|c| c.first_date + Months::new(6) > r.as_of)
            .count();
        assert_eq!(provisional, 3);
        // Pareto: the top fifth holds most of the sales
        let mut sales: Vec<Decimal> = r.customers.iter().map(|c| c.window_sales).collect();
        sales.sort_by(|a, b| b.cmp(a));
        let top: Decimal = sales[..12].iter().sum();
        assert!(top * Decimal::from(2) > window, "top 12 {top} of {window}");
        let reasons: Vec<&str> = r.rejected.iter().map(|x| x.3.as_str()).collect();
        assert!(
            reasons.iter().any(|x| x.contains("03/05/2025")),
            "{reasons:?}"
        );
        assert!(
            reasons.iter().any(|x| x.contains("2025-02-30")),
            "{reasons:?}"
        );
    }

    #[test]
    fn ledger_reads_back_with_header_and_cached_total() {
        let dir = tempfile::tempdir().unwrap();
        let r = small(dir.path(), 3);
        let mut wb = open_workbook_auto(&r.files[0].path).unwrap();
        let names = wb.sheet_names();
        assert_eq!(names.len(), 24);
        assert_eq!(names[0], "2024年1月");
        assert_eq!(names[23], "2025年12月");
        let range = wb.worksheet_range("2025年4月").unwrap();
        let cell = |r: usize, c: usize| range.get((r, c)).cloned().unwrap_or(Data::Empty);
        let start = range.start().unwrap_or((0, 0));
        assert_eq!(start, (0, 0));
        assert_eq!(cell(3, 0), Data::String("日期".into()));
        assert_eq!(cell(3, 7), Data::String("规格型号".into()));
        assert_eq!(cell(3, 11), Data::String("金额".into()));
        let last = range.height() - 1;
        assert_eq!(cell(last, 0), Data::String("合计".into()));
        // the cached SUM equals the readable amounts above it
        let mut sum = Decimal::ZERO;
        for row in 4..last {
            match cell(row, C_AMOUNT) {
                Data::Float(f) => sum += Decimal::try_from(f).unwrap().round_dp(2),
                Data::Int(i) => sum += Decimal::from(i),
                Data::String(s) => {
                    let neg = s.starts_with('(');
                    let t: String = s
                        .chars()
                        .filter(|c| c.is_ascii_digit() || *c == '.')
                        .collect();
                    if let Ok(d) = t.parse::<Decimal>() {
                        sum += if neg { -d } else { d };
                    }
                }
                _ => {}
            }
        }
        let cached = match cell(last, C_AMOUNT) {
            Data::Float(f) => Decimal::try_from(f).unwrap().round_dp(2),
            other => panic!("totals cell is {other:?}"),
        };
        assert_eq!(cached, sum);
        assert!(
            r.rejected
                .iter()
                .any(|x| x.1 == "2025年4月" && x.3.contains("待定")),
            "{:?}",
            r.rejected
        );
    }

    #[test]
    fn large_csv_matches_rows_and_encodes_gbk() {
        let dir = tempfile::tempdir().unwrap();
        let opts = SampleOptions {
            rows: Some(5_000),
            seed: 2,
            csv: true,
            gbk: true,
            shared_strings: false,
            customers: None,
            one_sheet: false,
            receipts: false,
        };
        let r = generate(dir.path(), &opts).unwrap();
        assert_eq!(r.ledger_rows, 5_000);
        assert_eq!(r.totals_rows, 25);
        assert_eq!(r.rejected.len(), 6);
        let bytes = fs::read(&r.files[0].path).unwrap();
        let (text, _, bad) = encoding_rs::GBK.decode(&bytes);
        assert!(!bad);
        let lines: Vec<&str> = text.lines().collect();
        // title, subtitle, blank, header + rows + 24 小计 + 合计
        assert_eq!(lines.len(), 4 + 5_000 + 25);
        assert!(lines[3].starts_with("日期,单据编号,客户编码,客户名称"));
        for (_, sheet, line, why) in &r.rejected {
            assert_eq!(sheet, "销售台账");
            assert!((5..=lines.len() as u32).contains(line), "{line} {why}");
        }
        let xr = generate(dir.path(), &SampleOptions { csv: false, ..opts }).unwrap();
        assert_eq!(xr.accepted_amount, r.accepted_amount);
        assert_eq!(xr.customers, r.customers);
        assert_eq!(xr.totals_rows, 24);
    }

    /// By hand: `TIERBOOK_SAMPLE_OUT=dir [TIERBOOK_SAMPLE_ROWS=n]
    /// [TIERBOOK_SAMPLE_CSV=1|gbk] cargo test --lib write_sample_by_hand -- --ignored --nocapture`
    #[test]
    #[ignore = "writes into $TIERBOOK_SAMPLE_OUT, run by hand"]
    fn write_sample_by_hand() {
        let Ok(out) = std::env::var("TIERBOOK_SAMPLE_OUT") else {
            return;
        };
        let rows = std::env::var("TIERBOOK_SAMPLE_ROWS")
            .ok()
            .and_then(|s| s.parse().ok());
        let csv = std::env::var("TIERBOOK_SAMPLE_CSV").unwrap_or_default();
        let opts = SampleOptions {
            rows,
            seed: 1,
            csv: !csv.is_empty(),
            gbk: csv == "gbk",
            shared_strings: false,
            customers: None,
            one_sheet: false,
            receipts: false,
        };
        let t = std::time::Instant::now();
        let r = generate(Path::new(&out), &opts).unwrap();
        eprintln!("generated in {:?}", t.elapsed());
        eprintln!(
            "as_of {} rows {} totals {} accepted {} customers {}",
            r.as_of,
            r.ledger_rows,
            r.totals_rows,
            r.accepted_amount,
            r.customers.len()
        );
        for x in &r.rejected {
            eprintln!("rejected {x:?}");
        }
        if rows.is_none() {
            for c in &r.customers {
                eprintln!("{c:?}");
            }
        }
    }

    #[test]
    #[ignore = "timing print, run by hand"]
    fn time_200k_rows() {
        let dir = tempfile::tempdir().unwrap();
        let t = std::time::Instant::now();
        let r = generate(
            dir.path(),
            &SampleOptions {
                rows: Some(200_000),
                seed: 1,
                ..SampleOptions::default()
            },
        )
        .unwrap();
        let size = fs::metadata(&r.files[0].path).unwrap().len();
        eprintln!(
            "200k rows: {:?}, {} bytes, {} customers",
            t.elapsed(),
            size,
            r.customers.len()
        );
    }
}
