//! The format-neutral workbook description that reports build and renderers
//! write. Tests assert on these values without unzipping anything; the xlsx
//! renderer turns roles and column kinds into Excel formats in one place.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A whole workbook: sheets in order plus document properties.
#[derive(Debug, Clone, PartialEq)]
pub struct Book {
    /// Document title (also the default page-header title).
    pub title: String,
    /// Fixed creation date (the as-of date) so identical inputs give identical bytes.
    pub created: NaiveDate,
    pub sheets: Vec<Sheet>,
    /// Text stored in a very hidden sheet (the rules used, for `merge`/`finalize`).
    pub hidden: Option<HiddenSheet>,
    /// Tier names best first, so the renderer can colour grades and build dropdowns.
    pub tiers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HiddenSheet {
    pub name: String,
    /// One text per row in column A.
    pub lines: Vec<String>,
}

/// One worksheet: a title block, then blocks stacked downwards.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// Sheet tab name (at most 31 characters, no `[]:*?/\`).
    pub name: String,
    /// Big title in the first row.
    pub title: String,
    /// Lines under the title (as-of date, window, rules…).
    pub subtitle: Vec<String>,
    pub blocks: Vec<Block>,
    /// Print and view setup.
    pub page: PageSetup,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PageSetup {
    pub landscape: bool,
    /// Page header text (centre), e.g. "客户质量等级评定表 2025-03-31".
    pub header: String,
    /// Footer text with Excel codes, e.g. "第 &P 页 共 &N 页".
    pub footer: String,
    /// Freeze panes at the main table's first data row and after this many columns.
    pub freeze_columns: u16,
    /// Repeat the main table's header row on every printed page.
    pub repeat_header: bool,
    /// Protect the sheet (no password) so only editable columns can change.
    pub protect: bool,
    /// Signature block (填表 / 审核 / 批准) after the last row.
    pub signature: Option<Vec<String>>,
}

/// A piece of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading line before a table.
    Heading(String),
    /// Plain lines of text (notes, explanations).
    Text(Vec<String>),
    Table(Table),
    /// A clustered column chart over a table already placed on this sheet.
    Chart(Chart),
    /// An empty row.
    Gap,
    /// What follows starts a new printed page (a customer's statement).
    PageBreak,
}

/// A table: header row, body rows, optional total row.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// An id other blocks (charts) can refer to.
    pub id: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
    /// A closing row (totals), styled apart.
    pub total: Option<Vec<Value>>,
    /// The main table of the sheet: gets freeze panes, autofilter, print titles.
    pub main: bool,
    pub autofilter: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// A stable key: the SPEC's JSON name of what the column holds
    /// (`sales`, `grade`), so a workbook read back finds it whatever the
    /// language or the order of the columns.
    pub key: &'static str,
    pub header: String,
    pub kind: ColKind,
    /// An editable column: shaded, unlocked, with this dropdown list (may be empty: free text).
    pub editable: Option<Vec<String>>,
    /// Widest width in characters the renderer may give this column (long text wraps).
    pub max_width: Option<f64>,
}

impl Column {
    pub fn new(key: &'static str, header: impl Into<String>, kind: ColKind) -> Self {
        Column {
            key,
            header: header.into(),
            kind,
            editable: None,
            max_width: None,
        }
    }
    pub fn editable(mut self, choices: Vec<String>) -> Self {
        self.editable = Some(choices);
        self
    }
    pub fn max_width(mut self, w: f64) -> Self {
        self.max_width = Some(w);
        self
    }
}

/// How a column's values are formatted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColKind {
    Text,
    /// Long text that wraps (reasons, remarks).
    LongText,
    /// ¥#,##0.00
    Money,
    /// #,##0.##
    Number,
    /// 0
    Integer,
    /// 0.0%
    Percent,
    /// 0.000 (price index and other ratios)
    Ratio,
    /// 0.0 (scores)
    Score,
    /// yyyy-mm-dd
    Date,
    /// A tier name, coloured per tier.
    Grade,
    /// Row number (序号).
    Index,
}

/// One cell value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    /// Always written as a string, never as a formula.
    Text(String),
    Number(Decimal),
    Int(i64),
    Date(NaiveDate),
    /// In a total row: the sum of the column's body rows, written as a `SUM`
    /// formula over them with this value saved as its result, so the file
    /// reads right in Excel and in tools that do not recalculate.
    Sum(Decimal),
}

impl Value {
    pub fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }
    pub fn opt_text(s: Option<&str>) -> Value {
        s.map_or(Value::Empty, |s| Value::Text(s.to_string()))
    }
    pub fn opt_num(d: Option<Decimal>) -> Value {
        d.map_or(Value::Empty, Value::Number)
    }
    pub fn opt_date(d: Option<NaiveDate>) -> Value {
        d.map_or(Value::Empty, Value::Date)
    }
    pub fn opt_int(i: Option<i64>) -> Value {
        i.map_or(Value::Empty, Value::Int)
    }
    /// The number of a numeric value (a total's cached result included).
    pub fn number(&self) -> Option<Decimal> {
        match self {
            Value::Number(d) | Value::Sum(d) => Some(*d),
            Value::Int(i) => Some(Decimal::from(*i)),
            _ => None,
        }
    }
}

impl Table {
    /// A table of `rows` under `columns`, no total row, not the sheet's main table.
    pub fn new(id: &str, columns: Vec<Column>, rows: Vec<Vec<Value>>) -> Table {
        Table {
            id: id.to_string(),
            columns,
            rows,
            total: None,
            main: false,
            autofilter: false,
        }
    }
    /// With a closing total row.
    pub fn with_total(mut self, total: Vec<Value>) -> Table {
        self.total = Some(total);
        self
    }
    /// The sheet's main table (freeze panes, print titles), with an autofilter or not.
    pub fn main(mut self, autofilter: bool) -> Table {
        self.main = true;
        self.autofilter = autofilter;
        self
    }
    /// The index of the column with `key`.
    pub fn col(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.key == key)
    }
}

/// A chart of one or more columns of a table, categories from another.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub table_id: String,
    /// Column index of the categories.
    pub categories: usize,
    /// Column indexes of the series (the first on the primary axis, the rest on the secondary).
    pub series: Vec<usize>,
}
