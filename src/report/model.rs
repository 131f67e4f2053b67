//! The format-neutral workbook description that reports build and renderers
//! write. Tests assert on these values without unzipping anything; the xlsx
//! renderer turns roles and column kinds into Excel formats in one place.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A whole workbook: sheets in order plus document properties.
///
/// A book serialises to JSON (see [`super::stored`]) so that a workbook that
/// comes back (`merge`, `finalize`) can be rebuilt from what it was made of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Book {
    /// Document title (also the default page-header title).
    pub title: String,
    /// Fixed creation date (the as-of date) so identical inputs give identical bytes.
    #[serde(with = "super::stored::iso_date")]
    pub created: NaiveDate,
    pub sheets: Vec<Sheet>,
    /// Text stored in a very hidden sheet (the rules used, for `merge`/`finalize`).
    pub hidden: Option<HiddenSheet>,
    /// Tier names best first, so the renderer can colour grades and build dropdowns.
    pub tiers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HiddenSheet {
    pub name: String,
    /// One text per row in column A.
    pub lines: Vec<String>,
}

/// One worksheet: a title block, then blocks stacked downwards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// The paper the sheet prints on (`--paper`).
    pub paper: Paper,
}

/// The paper a workbook prints on (`--paper A4|A3`, SPEC 9 "Paper").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Paper {
    /// 210 × 297 mm: the Summary, handouts and short lists.
    #[default]
    A4,
    /// 297 × 420 mm: the ~30-column Evaluation form at a readable size.
    A3,
}

impl Paper {
    /// Width and height of the portrait sheet in points (1/72 inch).
    pub fn size_pt(self) -> (f64, f64) {
        let mm = |x: f64| x * 72.0 / 25.4;
        match self {
            Paper::A4 => (mm(210.0), mm(297.0)),
            Paper::A3 => (mm(297.0), mm(420.0)),
        }
    }

    /// `A4` or `A3`, as the flag is written.
    pub fn name(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::A3 => "A3",
        }
    }

    /// `A4` or `A3` in any case.
    pub fn parse(s: &str) -> Option<Paper> {
        match s.trim().to_ascii_uppercase().as_str() {
            "A4" => Some(Paper::A4),
            "A3" => Some(Paper::A3),
            _ => None,
        }
    }
}

impl Book {
    /// The book with every sheet printed on `paper`.
    pub fn with_paper(mut self, paper: Paper) -> Book {
        for sheet in &mut self.sheets {
            sheet.page.paper = paper;
        }
        self
    }
}

/// A piece of a sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Block {
    /// A heading line before a table.
    Heading(String),
    /// Plain lines of text (notes, explanations).
    Text(Vec<String>),
    Table(Table),
    /// A chart over a table already placed on this sheet (or a [`Block::ChartData`]).
    Chart(Chart),
    /// Charts side by side in one band, the width of the sheet's main table.
    Charts(Vec<Chart>),
    /// A table only charts read (a curve of many points): written out of
    /// sight on the workbook's hidden sheet, never printed.
    ChartData(Table),
    /// An empty row.
    Gap,
    /// What follows starts a new printed page (a customer's statement).
    PageBreak,
    /// The next this many blocks print on one page when they fit on one
    /// (a statement's closing balance, aging and confirmation line).
    KeepNext(usize),
    /// Blocks made only while the sheet is written, part after part (one
    /// customer's statement after another), by the [`PartSource`] the book
    /// is rendered with: a sheet of hundreds of thousands of rows is never
    /// held whole.
    Deferred(Deferred),
}

/// Parts `parts` of a [`PartSource`], in order, in place of one block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deferred {
    pub parts: std::ops::Range<usize>,
    /// Every part after the first starts a new printed page.
    pub page_each: bool,
    /// The table body rows of all the parts (how the sheet is written
    /// depends on its size).
    pub rows: usize,
    /// Every column the parts' tables have, in the order they first appear:
    /// their formats are numbered before any part is made.
    pub columns: Vec<Column>,
}

impl Deferred {
    /// The blocks of part `k` from `source`, after a page break when each
    /// part starts a page and `k` is not the first; `None` when the source
    /// has no such part.
    pub fn part(&self, k: usize, source: &dyn PartSource) -> Option<Vec<Block>> {
        let mut blocks = source.part(k)?;
        if self.page_each && k > self.parts.start {
            blocks.insert(0, Block::PageBreak);
        }
        Some(blocks)
    }
}

/// Makes the parts of [`Block::Deferred`] blocks. A part may hold neither
/// charts nor editable columns (nothing of it goes to the hidden sheet), and
/// must be the same each time it is asked for: the renderer makes each part
/// twice, once to measure its columns and once to write it.
pub trait PartSource: Sync {
    /// The blocks of part `k`; `None` when there is no such part.
    fn part(&self, k: usize) -> Option<Vec<Block>>;
}

/// The source of a book with no deferred blocks.
pub struct NoParts;

impl PartSource for NoParts {
    fn part(&self, _: usize) -> Option<Vec<Block>> {
        None
    }
}

impl Book {
    /// The book with every deferred block replaced by its parts (tests, and
    /// a book that has to be held whole).
    pub fn expanded(&self, source: &dyn PartSource) -> Option<Book> {
        let mut book = self.clone();
        for sheet in &mut book.sheets {
            let mut blocks = Vec::with_capacity(sheet.blocks.len());
            for b in std::mem::take(&mut sheet.blocks) {
                let Block::Deferred(d) = b else {
                    blocks.push(b);
                    continue;
                };
                for k in d.parts.clone() {
                    blocks.extend(d.part(k, source)?);
                }
            }
            sheet.blocks = blocks;
        }
        Some(book)
    }
}

/// A table: header row, body rows, optional total row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Body cells shaded by their value (a heat map), these columns.
    pub heat_map: Option<HeatMap>,
}

/// Columns `first..=last` of a table's body shaded from white (the smallest
/// value) to a strong colour (the largest), as a colour-scale conditional
/// format, so the figures stay as typed and the shading follows edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeatMap {
    pub first: usize,
    pub last: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// A stable key: the SPEC's JSON name of what the column holds
    /// (`sales`, `grade`), so a workbook read back finds it whatever the
    /// language or the order of the columns.
    #[serde(deserialize_with = "super::stored::static_key")]
    pub key: ColumnKey,
    pub header: String,
    pub kind: ColKind,
    /// An editable column: shaded, unlocked, with this dropdown list (may be empty: free text).
    pub editable: Option<Vec<String>>,
    /// Widest width in characters the renderer may give this column (long text wraps).
    pub max_width: Option<f64>,
}

/// A column's key (`&'static str`, spelt through an alias so that serde
/// reads it with [`super::stored::static_key`] instead of borrowing).
pub type ColumnKey = &'static str;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
            heat_map: None,
        }
    }
    /// Body cells of columns `first..=last` shaded by value.
    pub fn heat_map(mut self, first: usize, last: usize) -> Table {
        self.heat_map = Some(HeatMap { first, last });
        self
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
/// Axis titles and series names are the columns' headers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    pub title: String,
    pub table_id: String,
    /// Column index of the categories (of the x values for a [`ChartKind::Curve`]).
    pub categories: usize,
    /// Column indexes of the series (the first on the primary axis, the rest on the secondary).
    pub series: Vec<usize>,
    pub kind: ChartKind,
    /// Straight lines across the plot (tier cuts on a Pareto curve).
    pub lines: Vec<RefLine>,
}

impl Chart {
    /// A [`ChartKind::ColumnLine`] chart of `series` over `categories` of table `table_id`.
    pub fn new(
        title: impl Into<String>,
        table_id: &str,
        categories: usize,
        series: Vec<usize>,
    ) -> Chart {
        Chart {
            title: title.into(),
            table_id: table_id.to_string(),
            categories,
            series,
            kind: ChartKind::ColumnLine,
            lines: Vec::new(),
        }
    }
    pub fn kind(mut self, kind: ChartKind) -> Chart {
        self.kind = kind;
        self
    }
    pub fn lines(mut self, lines: Vec<RefLine>) -> Chart {
        self.lines = lines;
        self
    }
}

/// How a chart draws its series. Points whose categories are tier names
/// take their tier's colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ChartKind {
    /// Columns for the first series, lines on a secondary axis for the rest.
    #[default]
    ColumnLine,
    /// A pie of the first series with each slice's share written on it.
    Pie,
    /// A curve through (x, y) points, x from the categories column, both
    /// axes from 0 to 100 %.
    Curve,
}

/// A straight line across a [`ChartKind::Curve`] at `at` (a share, 0–1):
/// horizontal (at a y value) or vertical (at an x value), named in the legend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefLine {
    pub label: String,
    pub vertical: bool,
    pub at: Decimal,
}
