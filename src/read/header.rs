//! Finding the header row and mapping its cells to canonical fields (SPEC 3.1,
//! 3.2): aliases in Chinese and English, whole-header matches only, rules-file
//! mappings first.

use std::collections::BTreeMap;

use serde::Serialize;

use super::cell::Cell;
use crate::text::header_key;

/// The kinds of input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    Ledger,
    Receipts,
    Customers,
    Previous,
}

impl InputKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Ledger => "ledger",
            InputKind::Receipts => "receipts",
            InputKind::Customers => "customers",
            InputKind::Previous => "previous",
        }
    }
}

/// A canonical field of some input kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Date,
    CustomerId,
    CustomerName,
    Amount,
    Quantity,
    UnitPrice,
    ListPrice,
    OrderNo,
    Product,
    Region,
    SalesRep,
    DueDate,
    SourceOrder,
    FirstDate,
    TermsDays,
    CreditLimit,
    SpecialPolicy,
    Grade,
    Remark,
    /// The currency of a row's amount (币种): read only to refuse a file mixing currencies.
    Currency,
}

impl Field {
    /// The field's name in rules files and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Field::Date => "date",
            Field::CustomerId => "customer_id",
            Field::CustomerName => "customer_name",
            Field::Amount => "amount",
            Field::Quantity => "quantity",
            Field::UnitPrice => "unit_price",
            Field::ListPrice => "list_price",
            Field::OrderNo => "order_no",
            Field::Product => "product",
            Field::Region => "region",
            Field::SalesRep => "sales_rep",
            Field::DueDate => "due_date",
            Field::SourceOrder => "source_order",
            Field::FirstDate => "first_date",
            Field::TermsDays => "terms_days",
            Field::CreditLimit => "credit_limit",
            Field::SpecialPolicy => "special_policy",
            Field::Grade => "grade",
            Field::Remark => "remark",
            Field::Currency => "currency",
        }
    }

    pub fn from_name(name: &str) -> Option<Field> {
        ALL_FIELDS.iter().copied().find(|f| f.name() == name)
    }
}

const ALL_FIELDS: &[Field] = &[
    Field::Date,
    Field::CustomerId,
    Field::CustomerName,
    Field::Amount,
    Field::Quantity,
    Field::UnitPrice,
    Field::ListPrice,
    Field::OrderNo,
    Field::Product,
    Field::Region,
    Field::SalesRep,
    Field::DueDate,
    Field::SourceOrder,
    Field::FirstDate,
    Field::TermsDays,
    Field::CreditLimit,
    Field::SpecialPolicy,
    Field::Grade,
    Field::Remark,
    Field::Currency,
];

const CUSTOMER_ID: &[&str] = &[
    "客户编码",
    "客户代码",
    "客户编号",
    "客戶編碼",
    "客戶代碼",
    "客戶編號",
    "Customer ID",
    "Customer Code",
    "Customer No",
    "Client ID",
];
const CUSTOMER_NAME: &[&str] = &[
    "客户名称",
    "客户",
    "单位名称",
    "购货单位",
    "客戶名稱",
    "客戶",
    "單位名稱",
    "購貨單位",
    "Customer",
    "Customer Name",
    "Client",
    "Client Name",
];
const REGION: &[&str] = &[
    "区域",
    "地区",
    "片区",
    "代表处",
    "區域",
    "地區",
    "代表處",
    "Region",
];
const SALES_REP: &[&str] = &[
    "业务员",
    "销售员",
    "销售代表",
    "業務員",
    "銷售員",
    "銷售代表",
    "Sales Rep",
    "Salesperson",
    "Sales Representative",
];
const REMARK: &[&str] = &[
    "备注", "備註", "说明", "摘要", "Remark", "Remarks", "Note", "Notes", "Memo",
];
const CURRENCY: &[&str] = &["币种", "币别", "幣種", "幣別", "货币", "貨幣", "Currency"];

/// Aliases per field for one input kind, in priority order: an earlier list
/// entry wins when several columns match (发货日期 only if no other date).
fn aliases(kind: InputKind) -> Vec<(Field, &'static [&'static str])> {
    match kind {
        InputKind::Ledger => vec![
            (
                Field::Date,
                &[
                    "日期",
                    "订单日期",
                    "开票日期",
                    "销售日期",
                    "单据日期",
                    "訂單日期",
                    "開票日期",
                    "銷售日期",
                    "單據日期",
                    "Date",
                    "Order Date",
                    "Invoice Date",
                    "Sales Date",
                ],
            ),
            (
                Field::Date,
                &["发货日期", "發貨日期", "Ship Date", "Delivery Date"],
            ),
            (Field::CustomerId, CUSTOMER_ID),
            (Field::CustomerName, CUSTOMER_NAME),
            (
                Field::Amount,
                &[
                    "金额",
                    "销售额",
                    "销售金额",
                    "价税合计",
                    "含税金额",
                    "金額",
                    "銷售額",
                    "銷售金額",
                    "價稅合計",
                    "含稅金額",
                    "Amount",
                    "Sales",
                    "Net Amount",
                    "Sales Amount",
                ],
            ),
            (
                Field::Quantity,
                &["数量", "销量", "數量", "銷量", "Quantity", "Qty"],
            ),
            (
                Field::UnitPrice,
                &[
                    "单价",
                    "含税单价",
                    "單價",
                    "含稅單價",
                    "Unit Price",
                    "Price",
                ],
            ),
            (
                Field::ListPrice,
                &[
                    "标准价",
                    "指导价",
                    "牌价",
                    "標準價",
                    "指導價",
                    "牌價",
                    "List Price",
                    "Standard Price",
                ],
            ),
            (
                Field::OrderNo,
                &[
                    "单号",
                    "订单号",
                    "发票号",
                    "单据编号",
                    "單號",
                    "訂單號",
                    "發票號",
                    "單據編號",
                    "Order ID",
                    "Order No",
                    "Order Number",
                    "Invoice No",
                    "Invoice Number",
                ],
            ),
            (
                Field::Product,
                &[
                    "产品编码",
                    "物料编码",
                    "存货编码",
                    "型号",
                    "產品編碼",
                    "物料編碼",
                    "存貨編碼",
                    "型號",
                    "Product ID",
                    "Product Code",
                    "SKU",
                    "Item",
                ],
            ),
            (Field::Region, REGION),
            (Field::SalesRep, SALES_REP),
            (
                Field::DueDate,
                &["到期日", "应收日期", "應收日期", "Due Date"],
            ),
            (
                Field::SourceOrder,
                &[
                    "原单号",
                    "源单号",
                    "原订单号",
                    "原單號",
                    "源單號",
                    "原訂單號",
                    "Original Order",
                ],
            ),
            (Field::Remark, REMARK),
            (Field::Currency, CURRENCY),
        ],
        InputKind::Receipts => vec![
            (
                Field::Date,
                &[
                    "回款日期",
                    "收款日期",
                    "到账日期",
                    "到賬日期",
                    "Receipt Date",
                    "Payment Date",
                ],
            ),
            (Field::Date, &["日期", "Date"]),
            (Field::CustomerId, CUSTOMER_ID),
            (Field::CustomerName, CUSTOMER_NAME),
            (
                Field::Amount,
                &[
                    "回款金额",
                    "收款金额",
                    "到账金额",
                    "回款金額",
                    "收款金額",
                    "到賬金額",
                    "Receipt Amount",
                    "Payment Amount",
                ],
            ),
            (Field::Amount, &["金额", "金額", "Amount"]),
            (
                Field::OrderNo,
                &[
                    "单号",
                    "订单号",
                    "发票号",
                    "单据编号",
                    "單號",
                    "訂單號",
                    "發票號",
                    "單據編號",
                    "Order ID",
                    "Order No",
                    "Invoice No",
                ],
            ),
            (Field::Remark, REMARK),
            (Field::Currency, CURRENCY),
        ],
        InputKind::Customers => vec![
            (Field::CustomerId, CUSTOMER_ID),
            (Field::CustomerName, CUSTOMER_NAME),
            (Field::Region, REGION),
            (Field::SalesRep, SALES_REP),
            (
                Field::FirstDate,
                &[
                    "首次合作日期",
                    "建档日期",
                    "建檔日期",
                    "First Order Date",
                    "Since",
                ],
            ),
            (
                Field::TermsDays,
                &[
                    "账期",
                    "信用期",
                    "付款天数",
                    "賬期",
                    "付款天數",
                    "Terms",
                    "Terms Days",
                ],
            ),
            (
                Field::CreditLimit,
                &["信用额度", "信用額度", "Credit Limit"],
            ),
            (
                Field::SpecialPolicy,
                &[
                    "特殊政策",
                    "特殊结算方式",
                    "特殊結算方式",
                    "Special Terms",
                    "Special Policy",
                ],
            ),
            (Field::Remark, REMARK),
        ],
        InputKind::Previous => vec![
            (Field::CustomerId, CUSTOMER_ID),
            (Field::CustomerName, CUSTOMER_NAME),
            (Field::Grade, &["最终等级", "最終等級", "Final Grade"]),
            (Field::Grade, &["等级", "评级", "等級", "評級", "Grade"]),
        ],
    }
}

/// Whether a header row of this kind has what the SPEC requires; the fields
/// still missing otherwise.
pub fn missing_required(kind: InputKind, has: &dyn Fn(Field) -> bool) -> Vec<&'static str> {
    let mut missing = Vec::new();
    let customer = has(Field::CustomerId) || has(Field::CustomerName);
    match kind {
        InputKind::Ledger => {
            if !has(Field::Date) {
                missing.push("date");
            }
            if !customer {
                missing.push("customer_id or customer_name");
            }
            if !(has(Field::Amount) || has(Field::Quantity) && has(Field::UnitPrice)) {
                missing.push("amount (or quantity and unit_price)");
            }
        }
        InputKind::Receipts => {
            if !has(Field::Date) {
                missing.push("date");
            }
            if !customer {
                missing.push("customer_id or customer_name");
            }
            if !has(Field::Amount) {
                missing.push("amount");
            }
        }
        InputKind::Customers => {
            if !customer {
                missing.push("customer_id or customer_name");
            }
        }
        InputKind::Previous => {
            if !customer {
                missing.push("customer_id or customer_name");
            }
            if !has(Field::Grade) {
                missing.push("grade");
            }
        }
    }
    missing
}

/// A header row's mapping: which column holds which field.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderMap {
    /// 1-based Excel row number of the header.
    pub row: u32,
    /// The sheet column (0-based) where this table starts: 0 for the first
    /// table, further right for a table beside it. Every other column index
    /// of the map counts from here.
    pub start: usize,
    /// Field → 0-based column index (from `start`).
    pub fields: BTreeMap<Field, usize>,
    /// Every header cell's text by column (empty where blank).
    pub headers: Vec<String>,
    /// Fields that two or more columns map to, with those columns.
    pub conflicts: Vec<(Field, Vec<usize>)>,
}

impl HeaderMap {
    pub fn col(&self, field: Field) -> Option<usize> {
        self.fields.get(&field).copied()
    }
    pub fn has(&self, field: Field) -> bool {
        self.fields.contains_key(&field)
    }
    /// Field name → header text, for `check` and the JSON `columns`.
    pub fn columns(&self) -> BTreeMap<String, String> {
        self.fields
            .iter()
            .map(|(f, &c)| {
                (
                    f.name().to_string(),
                    self.headers.get(c).cloned().unwrap_or_default(),
                )
            })
            .collect()
    }
    /// Header text of a column, or its Excel letter when blank.
    pub fn header_text(&self, col: usize) -> String {
        match self.headers.get(col) {
            Some(h) if !h.is_empty() => h.clone(),
            _ => column_letter(self.start + col),
        }
    }
    /// A column as a person finds it: its letter and header text (`D "金额"`).
    pub fn column_named(&self, col: usize) -> String {
        let letter = column_letter(self.start + col);
        match self.headers.get(col) {
            Some(h) if !h.is_empty() => format!("{letter} \"{h}\""),
            _ => letter,
        }
    }
}

pub use crate::text::column_letter;

/// A header cell in comparable form ([`header_key`]), and the same without a
/// trailing unit in brackets (`金额（元）` → `金额`, `数量(件)` → `数量`).
#[derive(Debug, Clone, PartialEq)]
struct HeaderKey {
    full: String,
    bare: Option<String>,
}

impl HeaderKey {
    fn of(text: &str) -> HeaderKey {
        let full = header_key(text);
        let bare = without_unit(&full).map(str::to_string);
        HeaderKey { full, bare }
    }

    fn is(&self, key: &str) -> bool {
        !key.is_empty() && (self.full == key || self.bare.as_deref() == Some(key))
    }
}

/// A comparable header without its trailing unit in brackets, when it has one
/// and something stands before it.
fn without_unit(key: &str) -> Option<&str> {
    let open = match key.chars().next_back()? {
        ')' => '(',
        ']' => '[',
        '】' => '【',
        _ => return None,
    };
    let at = key.rfind(open)?;
    (at > 0).then(|| &key[..at])
}

/// What one header cell maps to: a rules-file mapping, an alias of some
/// priority (lower is preferred), or nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
enum CellMatch {
    None,
    Mapped(Field),
    Alias(Field, usize),
}

impl CellMatch {
    fn field(self) -> Option<Field> {
        match self {
            CellMatch::None => None,
            CellMatch::Mapped(f) | CellMatch::Alias(f, _) => Some(f),
        }
    }

    /// How strongly the cell claims its field: a mapping first, then aliases by priority.
    fn rank(self) -> usize {
        match self {
            CellMatch::None => usize::MAX,
            CellMatch::Mapped(_) => 0,
            CellMatch::Alias(_, prio) => prio + 1,
        }
    }
}

/// A row's header cells: their texts and what each maps to.
struct HeaderCells {
    texts: Vec<String>,
    matches: Vec<CellMatch>,
}

/// The header matcher of one input kind, with the rules file's mappings.
#[derive(Debug, Clone)]
pub struct HeaderMatcher {
    kind: InputKind,
    /// Comparable alias → (field, priority).
    aliases: Vec<(String, Field, usize)>,
    /// Rules-file mappings: comparable header → field (they win).
    mapped: Vec<(String, Field)>,
}

impl HeaderMatcher {
    /// `mappings` is the rules file's `[columns.<kind>]` table: field name → header text.
    /// Unknown field names are ignored here (the rules loader reports them).
    pub fn new(kind: InputKind, mappings: Option<&BTreeMap<String, String>>) -> Self {
        let mut list = Vec::new();
        for (prio, (field, names)) in aliases(kind).into_iter().enumerate() {
            for n in names {
                list.push((header_key(n), field, prio));
            }
        }
        let mapped = mappings
            .into_iter()
            .flatten()
            .filter_map(|(f, h)| Field::from_name(f).map(|f| (header_key(h), f)))
            .collect();
        HeaderMatcher {
            kind,
            aliases: list,
            mapped,
        }
    }

    pub fn kind(&self) -> InputKind {
        self.kind
    }

    /// What a header cell maps to: a rules-file mapping wins where its
    /// header exists, then the aliases (a whole header, with or without its
    /// unit in brackets).
    fn match_text(&self, text: &str) -> CellMatch {
        if text.is_empty() {
            return CellMatch::None;
        }
        let key = HeaderKey::of(text);
        if let Some((_, f)) = self.mapped.iter().find(|(m, _)| key.is(m)) {
            return CellMatch::Mapped(*f);
        }
        let alias = |k: &str| self.aliases.iter().find(|(a, _, _)| a == k);
        match alias(&key.full).or_else(|| key.bare.as_deref().and_then(alias)) {
            Some((_, f, prio)) => CellMatch::Alias(*f, *prio),
            None => CellMatch::None,
        }
    }

    fn cells(&self, cells: &[Cell]) -> HeaderCells {
        let texts: Vec<String> = cells
            .iter()
            .map(|c| match c {
                Cell::Text(t) => crate::text::normalize_name(t),
                Cell::Empty => String::new(),
                other => other.display(),
            })
            .collect();
        let matches = texts.iter().map(|t| self.match_text(t)).collect();
        HeaderCells { texts, matches }
    }

    /// Maps the header cells in columns `start..end`: per field the column
    /// that claims it most strongly; two columns claiming a field equally
    /// (two `金额`, `金额` and `价税合计`) are a conflict, except remarks
    /// (the leftmost is kept).
    fn map_range(&self, row: u32, h: &HeaderCells, start: usize, end: usize) -> HeaderMap {
        let mut best: BTreeMap<Field, (usize, Vec<usize>)> = BTreeMap::new();
        for col in start..end {
            let m = h.matches[col];
            let Some(field) = m.field() else { continue };
            let entry = best.entry(field).or_insert((m.rank(), Vec::new()));
            if m.rank() < entry.0 {
                *entry = (m.rank(), Vec::new());
            }
            if m.rank() == entry.0 {
                entry.1.push(col - start);
            }
        }
        let mut fields = BTreeMap::new();
        let mut conflicts = Vec::new();
        for (field, (_, cols)) in best {
            if cols.len() > 1 && field != Field::Remark {
                conflicts.push((field, cols.clone()));
            }
            fields.insert(field, cols[0]);
        }
        HeaderMap {
            row,
            start,
            fields,
            headers: h.texts[start..end].to_vec(),
            conflicts,
        }
    }

    /// Maps a row's cells to fields, as one table. `row` is the 1-based Excel row.
    pub fn map_row(&self, row: u32, cells: &[Cell]) -> HeaderMap {
        let h = self.cells(cells);
        self.map_range(row, &h, 0, cells.len())
    }

    /// The tables whose header is this row, left to right: one, or several
    /// side by side (a table starts where a blank header cell or a field
    /// seen already follows a complete header, and the rest of the row is a
    /// complete header too). Empty when the row is no header. The first
    /// table starts at column 0; `offset` is added to every table's start.
    pub fn tables(&self, row: u32, cells: &[Cell], offset: usize) -> Vec<HeaderMap> {
        let h = self.cells(cells);
        let len = cells.len();
        if !self.accept(&self.map_range(row, &h, 0, len)) {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut start = 0;
        loop {
            let mut seen: Vec<Field> = Vec::new();
            let mut cut = None;
            for col in start..len {
                let field = h.matches[col].field();
                let boundary = h.texts[col].is_empty() || field.is_some_and(|f| seen.contains(&f));
                if boundary && col > start {
                    let left = self.map_range(row, &h, start, col);
                    let next = (col..len).find(|&c| !h.texts[c].is_empty());
                    if let (true, Some(next)) = (self.accept(&left), next) {
                        if self.accept(&self.map_range(row, &h, next, len)) {
                            cut = Some((left, next));
                            break;
                        }
                    }
                }
                seen.extend(field);
            }
            match cut {
                Some((left, next)) => {
                    out.push(left);
                    start = next;
                }
                None => {
                    out.push(self.map_range(row, &h, start, len));
                    break;
                }
            }
        }
        for t in &mut out {
            t.start += offset;
        }
        out
    }

    /// Whether this row is a usable header: it maps every required field.
    pub fn accept(&self, map: &HeaderMap) -> bool {
        missing_required(self.kind, &|f| map.has(f)).is_empty()
    }
}

/// How many rows from the top of a sheet the header may be in.
pub const HEADER_SEARCH_ROWS: u32 = 30;

#[cfg(test)]
mod tests {
    use super::*;

    fn row(texts: &[&'static str]) -> Vec<Cell<'static>> {
        crate::read::sheet::text_cells(texts)
    }

    #[test]
    fn chinese_ledger_header() {
        let m = HeaderMatcher::new(InputKind::Ledger, None);
        let h = m.map_row(
            4,
            &row(&[
                "日期",
                "单据编号",
                "客户编码",
                "客户名称",
                "规格型号",
                "数量",
                "单价",
                "金额",
                "备注",
            ]),
        );
        assert!(m.accept(&h));
        assert_eq!(h.col(Field::Date), Some(0));
        assert_eq!(h.col(Field::OrderNo), Some(1));
        assert_eq!(h.col(Field::CustomerId), Some(2));
        assert_eq!(h.col(Field::CustomerName), Some(3));
        assert_eq!(h.col(Field::Product), None, "规格型号 is not 型号");
        assert_eq!(h.col(Field::Amount), Some(7));
    }

    #[test]
    fn english_header_is_case_space_and_width_insensitive() {
        let m = HeaderMatcher::new(InputKind::Ledger, None);
        let h = m.map_row(
            1,
            &row(&[
                "ORDER  DATE",
                "Customer Code",
                "ｃｕｓｔｏｍｅｒ",
                "Qty",
                "Unit Price",
                "SKU",
            ]),
        );
        assert!(m.accept(&h), "quantity + unit price stand in for amount");
        assert_eq!(h.col(Field::Date), Some(0));
        assert_eq!(h.col(Field::CustomerName), Some(2));
        assert_eq!(h.col(Field::Product), Some(5));
    }

    #[test]
    fn ship_date_only_when_no_other_date() {
        let m = HeaderMatcher::new(InputKind::Ledger, None);
        let h = m.map_row(1, &row(&["发货日期", "客户", "金额", "开票日期"]));
        assert_eq!(h.col(Field::Date), Some(3));
        let h = m.map_row(1, &row(&["发货日期", "客户", "金额"]));
        assert_eq!(h.col(Field::Date), Some(0));
    }

    #[test]
    fn rules_mapping_wins_where_present() {
        let mut map = BTreeMap::new();
        map.insert("date".to_string(), "开单日期".to_string());
        let m = HeaderMatcher::new(InputKind::Ledger, Some(&map));
        let h = m.map_row(1, &row(&["日期", "开单日期", "客户", "金额"]));
        assert_eq!(h.col(Field::Date), Some(1));
        let h = m.map_row(1, &row(&["日期", "客户", "金额"]));
        assert_eq!(
            h.col(Field::Date),
            Some(0),
            "aliases apply where the mapped header is absent"
        );
    }

    #[test]
    fn title_rows_are_not_headers() {
        let m = HeaderMatcher::new(InputKind::Ledger, None);
        let h = m.map_row(1, &row(&["华东机械有限公司 销售台账", "", ""]));
        assert!(!m.accept(&h));
        let h = m.map_row(2, &row(&["日期", "金额"]));
        assert!(!m.accept(&h), "no customer column");
    }

    #[test]
    fn every_alias_set_maps() {
        for kind in [
            InputKind::Ledger,
            InputKind::Receipts,
            InputKind::Customers,
            InputKind::Previous,
        ] {
            let m = HeaderMatcher::new(kind, None);
            for (field, names) in aliases(kind) {
                for n in names {
                    let h = m.map_row(1, &row(&[n]));
                    assert_eq!(h.col(field), Some(0), "{kind:?} {n}");
                }
            }
        }
    }

    #[test]
    fn receipts_and_master_and_previous() {
        let m = HeaderMatcher::new(InputKind::Receipts, None);
        let h = m.map_row(1, &row(&["回款日期", "客户编码", "回款金额", "单号"]));
        assert!(m.accept(&h));
        let m = HeaderMatcher::new(InputKind::Previous, None);
        let h = m.map_row(1, &row(&["客户名称", "等级", "最终等级"]));
        assert_eq!(h.col(Field::Grade), Some(2), "最终等级 wins over 等级");
        let m = HeaderMatcher::new(InputKind::Customers, None);
        assert!(m.accept(&m.map_row(1, &row(&["Customer", "Credit Limit"]))));
    }

    #[test]
    fn a_trailing_unit_in_brackets_is_ignored() {
        let m = HeaderMatcher::new(InputKind::Ledger, None);
        let h = m.map_row(
            1,
            &row(&[
                "日期",
                "客户名称",
                "数量(件)",
                "单价【元】",
                "金额（元）",
                "(元)",
            ]),
        );
        assert!(m.accept(&h));
        assert_eq!(h.col(Field::Quantity), Some(2));
        assert_eq!(h.col(Field::UnitPrice), Some(3));
        assert_eq!(h.col(Field::Amount), Some(4));
        assert_eq!(
            h.headers[4], "金额(元)",
            "the header as normalised, unit kept"
        );
        let mut map = BTreeMap::new();
        map.insert("amount".to_string(), "销售收入".to_string());
        let m = HeaderMatcher::new(InputKind::Ledger, Some(&map));
        let h = m.map_row(1, &row(&["日期", "客户", "销售收入（万元）"]));
        assert_eq!(
            h.col(Field::Amount),
            Some(2),
            "a mapping matches without the unit too"
        );
    }

    #[test]
    fn two_columns_for_one_field_are_a_conflict_but_a_fallback_alias_is_not() {
        let m = HeaderMatcher::new(InputKind::Ledger, None);
        let h = m.map_row(1, &row(&["日期", "客户", "金额", "价税合计"]));
        assert_eq!(h.conflicts, vec![(Field::Amount, vec![2, 3])]);
        let h = m.map_row(1, &row(&["日期", "客户", "单价", "含税单价", "数量"]));
        assert_eq!(h.conflicts, vec![(Field::UnitPrice, vec![2, 3])]);
        let h = m.map_row(1, &row(&["日期", "客户", "金额", "金额"]));
        assert_eq!(h.conflicts, vec![(Field::Amount, vec![2, 3])]);
        let h = m.map_row(
            1,
            &row(&["发货日期", "单据日期", "客户", "金额", "备注", "说明"]),
        );
        assert!(h.conflicts.is_empty(), "{:?}", h.conflicts);
        assert_eq!(h.col(Field::Date), Some(1));
        assert_eq!(h.col(Field::Remark), Some(4), "the leftmost remark");
        let mut map = BTreeMap::new();
        map.insert("amount".to_string(), "价税合计".to_string());
        let m = HeaderMatcher::new(InputKind::Ledger, Some(&map));
        let h = m.map_row(1, &row(&["日期", "客户", "金额", "价税合计"]));
        assert!(h.conflicts.is_empty(), "the mapping picks one");
        assert_eq!(h.col(Field::Amount), Some(3));
    }

    #[test]
    fn tables_side_by_side_are_told_apart() {
        let m = HeaderMatcher::new(InputKind::Ledger, None);
        let cells = row(&[
            "日期",
            "客户",
            "金额",
            "",
            "日期",
            "客户编码",
            "客户名称",
            "金额",
            "备注",
        ]);
        let t = m.tables(3, &cells, 0);
        assert_eq!(t.len(), 2);
        assert_eq!((t[0].start, t[0].col(Field::Amount)), (0, Some(2)));
        assert_eq!((t[1].start, t[1].col(Field::Amount)), (4, Some(3)));
        assert_eq!(t[1].col(Field::CustomerId), Some(1));
        assert!(t.iter().all(|t| t.row == 3 && t.conflicts.is_empty()));
        // No blank column between them: the repeated date starts the second.
        let t = m.tables(
            1,
            &row(&["日期", "客户", "金额", "日期", "客户", "金额"]),
            10,
        );
        assert_eq!(t.iter().map(|t| t.start).collect::<Vec<_>>(), vec![10, 13]);
        // One table with a blank header cell and a second amount column is one table.
        let t = m.tables(1, &row(&["日期", "客户", "金额", "", "价税合计"]), 0);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].conflicts, vec![(Field::Amount, vec![2, 4])]);
        assert!(m.tables(1, &row(&["日期", "金额"]), 0).is_empty());
    }

    #[test]
    fn the_most_header_like_row_is_named_when_none_is_found() {
        let m = HeaderMatcher::new(InputKind::Ledger, None);
        let mut search = HeaderSearch::new(&m, true);
        for (i, r) in [
            row(&["销售台账"]),
            row(&["日期", "客户名", "金额"]),
            row(&["说明：以下为二月"]),
        ]
        .iter()
        .enumerate()
        {
            assert!(matches!(search.offer(i as u32 + 1, r), Search::Continue));
        }
        assert!(matches!(search.offer(31, &row(&["x"])), Search::GiveUp));
        let (problem, row_no, cells) = search.not_found();
        assert_eq!(row_no, Some(2));
        assert_eq!(cells, vec!["日期", "客户名", "金额"]);
        assert_eq!(
            problem.message(crate::labels::Lang::En),
            "no header row in the first 30 rows; sheet skipped (missing: customer_id or customer_name). The most header-like row is row 2: 日期 | 客户名 | 金额. If a column has another name, map it in the rules file, e.g. [columns.ledger] customer_id = \"…\""
        );
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(16383), "XFD");
    }
}

/// Looks for the header row in a sheet's first rows.
#[derive(Debug)]
pub struct HeaderSearch<'m> {
    matcher: &'m HeaderMatcher,
    /// Whether tables side by side are told apart.
    split: bool,
    /// The most header-like row so far: (fields mapped, row, its cells, what it lacks).
    best: Option<(usize, u32, Vec<String>, Vec<&'static str>)>,
}

/// What [`HeaderSearch::offer`] made of a row.
#[derive(Debug)]
pub enum Search {
    /// This row is the header of these tables, left to right.
    Found(Vec<HeaderMap>),
    /// Not yet: keep offering rows.
    Continue,
    /// Past the rows a header may be in: stop reading the sheet.
    GiveUp,
}

impl<'m> HeaderSearch<'m> {
    /// A search for one table per sheet (`split` false) or for every table
    /// side by side.
    pub fn new(matcher: &'m HeaderMatcher, split: bool) -> Self {
        HeaderSearch {
            matcher,
            split,
            best: None,
        }
    }

    pub fn offer(&mut self, row: u32, cells: &[Cell]) -> Search {
        if row > HEADER_SEARCH_ROWS {
            return Search::GiveUp;
        }
        let map = self.matcher.map_row(row, cells);
        if self.matcher.accept(&map) {
            return Search::Found(match self.split {
                true => self.matcher.tables(row, cells, 0),
                false => vec![map],
            });
        }
        if cells.iter().any(|c| !c.is_blank()) {
            let score = map.fields.len();
            if self.best.as_ref().is_none_or(|(s, ..)| score > *s) {
                let missing = missing_required(self.matcher.kind(), &|f| map.has(f));
                let shown = cells.iter().map(Cell::display).collect();
                self.best = Some((score, row, shown, missing));
            }
        }
        Search::Continue
    }

    /// The notice for a sheet where no header was found, with the most
    /// header-like row (its number and cells) when there was one.
    pub fn not_found(self) -> (super::issue::Problem, Option<u32>, Vec<String>) {
        match self.best {
            Some((_, row, cells, missing)) => (
                super::issue::Problem::SheetSkipped {
                    kind: self.matcher.kind().as_str(),
                    missing,
                    row,
                    cells: cells.clone(),
                },
                Some(row),
                cells,
            ),
            None => (super::issue::Problem::SheetEmpty, None, Vec::new()),
        }
    }
}
