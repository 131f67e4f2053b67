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
    /// Field → 0-based column index.
    pub fields: BTreeMap<Field, usize>,
    /// Every header cell's text by column (empty where blank).
    pub headers: Vec<String>,
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
            _ => column_letter(col),
        }
    }
}

pub use crate::text::column_letter;

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

    /// Maps a row's cells to fields. `row` is the 1-based Excel row.
    pub fn map_row(&self, row: u32, cells: &[Cell]) -> HeaderMap {
        let headers: Vec<String> = cells
            .iter()
            .map(|c| match c {
                Cell::Text(t) => crate::text::normalize_name(t),
                Cell::Empty => String::new(),
                other => other.display(),
            })
            .collect();
        let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
        let mut fields: BTreeMap<Field, usize> = BTreeMap::new();
        let mut taken = vec![false; keys.len()];
        // Rules-file mappings win where their header exists.
        for (key, field) in &self.mapped {
            if let Some(col) = keys.iter().position(|k| !k.is_empty() && k == key) {
                if let std::collections::btree_map::Entry::Vacant(e) = fields.entry(*field) {
                    e.insert(col);
                    taken[col] = true;
                }
            }
        }
        // Then aliases by priority; within a priority, the leftmost column.
        let mut best: BTreeMap<Field, (usize, usize)> = BTreeMap::new();
        for (col, key) in keys.iter().enumerate() {
            if key.is_empty() || taken[col] {
                continue;
            }
            if let Some((_, field, prio)) = self.aliases.iter().find(|(a, _, _)| a == key) {
                if fields.contains_key(field) {
                    continue;
                }
                let better = match best.get(field) {
                    None => true,
                    Some(&(p, _)) => *prio < p,
                };
                if better {
                    best.insert(*field, (*prio, col));
                }
            }
        }
        for (field, (_, col)) in best {
            fields.insert(field, col);
        }
        HeaderMap {
            row,
            fields,
            headers,
        }
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
    use std::borrow::Cow;

    fn row(texts: &[&'static str]) -> Vec<Cell<'static>> {
        texts
            .iter()
            .map(|t| {
                if t.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(Cow::Borrowed(*t))
                }
            })
            .collect()
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
    best: Option<(usize, Vec<&'static str>)>,
}

/// What [`HeaderSearch::offer`] made of a row.
#[derive(Debug)]
pub enum Search {
    /// This row is the header.
    Found(HeaderMap),
    /// Not yet: keep offering rows.
    Continue,
    /// Past the rows a header may be in: stop reading the sheet.
    GiveUp,
}

impl<'m> HeaderSearch<'m> {
    pub fn new(matcher: &'m HeaderMatcher) -> Self {
        HeaderSearch {
            matcher,
            best: None,
        }
    }

    pub fn offer(&mut self, row: u32, cells: &[Cell]) -> Search {
        if row > HEADER_SEARCH_ROWS {
            return Search::GiveUp;
        }
        let map = self.matcher.map_row(row, cells);
        if self.matcher.accept(&map) {
            return Search::Found(map);
        }
        if cells.iter().any(|c| !c.is_blank()) {
            let score = map.fields.len();
            if self.best.as_ref().is_none_or(|(s, _)| score > *s) {
                let missing = missing_required(self.matcher.kind(), &|f| map.has(f));
                self.best = Some((score, missing));
            }
        }
        Search::Continue
    }

    /// The notice for a sheet where no header was found.
    pub fn not_found(self) -> super::issue::Problem {
        match self.best {
            Some((_, missing)) => super::issue::Problem::SheetSkipped { missing },
            None => super::issue::Problem::SheetEmpty,
        }
    }
}
