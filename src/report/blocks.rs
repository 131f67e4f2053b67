//! The building blocks every workbook repeats: the subtitle and page setup
//! (header, footer, signature block), the identity columns of a customer
//! row, the table of inputs read, a sheet's main table with the sentence
//! shown when it is empty, and the Data Issues sheet.

use super::labels::{texts, Texts};
use super::model::{Block, ColKind, Column, PageSetup, Sheet, Table, Value};
use crate::labels::{fill, Lang};
use rust_decimal::Decimal;

use crate::model::{LedgerTotals, Metrics, Period};
use crate::read::{InputKind, Issue, IssueKind, SheetStats, SheetSummary};

/// What every sheet of a workbook shares: language, period and rules name.
#[derive(Clone, Copy)]
pub struct Frame<'a> {
    pub lang: Lang,
    pub period: Period,
    pub rules_name: &'a str,
}

impl Frame<'_> {
    /// The texts of the frame's language.
    pub fn t(&self) -> &'static Texts {
        texts(self.lang)
    }

    /// The line under every title: as-of date, window, rules.
    pub fn subtitle(&self) -> Vec<String> {
        let w = &self.period.window;
        vec![fill(
            self.t().subtitle,
            &[
                ("as_of", &self.period.as_of.to_string()),
                ("start", &w.start.to_string()),
                ("end", &w.end.to_string()),
                ("months", &w.months.to_string()),
                ("rules", self.rules_name),
            ],
        )]
    }

    /// Landscape, the title and as-of date in the page header, page numbers
    /// in the footer, the header row repeated; `freeze` identity columns;
    /// the signature block (填表 / 审核 / 批准) when `signature`.
    pub fn page(&self, title: &str, freeze: u16, signature: bool) -> PageSetup {
        let t = self.t();
        PageSetup {
            landscape: true,
            header: format!("{title}  {} {}", t.as_of, self.period.as_of),
            footer: t.footer.to_string(),
            freeze_columns: freeze,
            repeat_header: true,
            protect: false,
            signature: signature.then(|| t.signature.iter().map(|s| s.to_string()).collect()),
            paper: Default::default(),
        }
    }

    /// A sheet with the frame's subtitle.
    pub fn sheet(&self, name: &str, title: &str, blocks: Vec<Block>, page: PageSetup) -> Sheet {
        Sheet {
            name: name.to_string(),
            title: title.to_string(),
            subtitle: self.subtitle(),
            blocks,
            page,
        }
    }
}

/// 序号, customer ID, name and, when `region_rep`, region and sales rep.
pub fn identity_columns(t: &Texts, region_rep: bool) -> Vec<Column> {
    let mut cols = vec![
        Column::new("row_number", t.h_no, ColKind::Index),
        Column::new("id", t.h_id, ColKind::Text),
        Column::new("name", t.h_name, ColKind::Text).max_width(28.0),
    ];
    if region_rep {
        cols.push(Column::new("region", t.h_region, ColKind::Text));
        cols.push(Column::new("sales_rep", t.h_rep, ColKind::Text));
    }
    cols
}

/// The values of [`identity_columns`] for the `n`-th row (0-based).
pub fn identity_values(n: usize, c: &Metrics, region_rep: bool) -> Vec<Value> {
    let mut row = vec![
        Value::Int(n as i64 + 1),
        Value::opt_text(c.id.as_deref()),
        Value::text(&c.name),
    ];
    if region_rep {
        row.push(Value::opt_text(c.region.as_deref()));
        row.push(Value::opt_text(c.sales_rep.as_deref()));
    }
    row
}

/// A sheet's main table, preceded by `empty` (a sentence) when it has no rows.
pub fn main_table(
    id: &str,
    columns: Vec<Column>,
    rows: Vec<Vec<Value>>,
    empty: &str,
    autofilter: bool,
) -> Vec<Block> {
    let mut blocks = Vec::new();
    if rows.is_empty() {
        blocks.push(Block::Text(vec![empty.to_string()]));
    }
    blocks.push(Block::Table(Table::new(id, columns, rows).main(autofilter)));
    blocks
}

/// The name of an input kind in a workbook.
pub fn kind_label(t: &Texts, kind: InputKind) -> &'static str {
    match kind {
        InputKind::Ledger => t.kind_ledger,
        InputKind::Receipts => t.kind_receipts,
        InputKind::Customers => t.kind_customers,
        InputKind::Previous => t.kind_previous,
    }
}

/// The input sheets grouped by file (kind and path), in input order.
pub fn by_file(inputs: &[SheetSummary]) -> Vec<&[SheetSummary]> {
    inputs
        .chunk_by(|a, b| a.kind == b.kind && a.file == b.file)
        .collect()
}

/// The header row of a group of sheets: the row when all share it, else
/// the range ("3–5"); empty when no sheet had one.
fn header_rows(group: &[SheetSummary]) -> Value {
    let rows: Vec<u32> = group.iter().filter_map(|s| s.header_row).collect();
    match (rows.iter().min(), rows.iter().max()) {
        (Some(lo), Some(hi)) if lo == hi => Value::Int(*lo as i64),
        (Some(lo), Some(hi)) => Value::Text(format!("{lo}–{hi}")),
        _ => Value::Empty,
    }
}

/// The inputs read with their row counts (SPEC 7.2): one row per file
/// (`per_file`), its sheets summed, or one row per sheet; a total row of
/// `SUM` formulas.
pub fn inputs_table(t: &Texts, inputs: &[SheetSummary], per_file: bool) -> Table {
    let groups: Vec<&[SheetSummary]> = if per_file {
        by_file(inputs)
    } else {
        inputs.chunks(1).collect()
    };
    let mut rows = Vec::with_capacity(groups.len());
    let mut sum = SheetStats::default();
    for group in groups {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let mut stats = SheetStats::default();
        for s in group {
            stats.add(&s.stats);
        }
        let sheet = if group.len() == 1 {
            first.sheet.clone()
        } else {
            let n = group.len().to_string();
            let args = [
                ("n", n.as_str()),
                ("first", &first.sheet),
                ("last", &last.sheet),
            ];
            fill(t.sheets_span, &args)
        };
        rows.push(vec![
            Value::text(kind_label(t, first.kind)),
            Value::text(file_name(&first.file)),
            Value::Text(sheet),
            header_rows(group),
            Value::Int(stats.rows_read as i64),
            Value::Int(stats.accepted as i64),
            Value::Int(stats.rejected as i64),
            Value::Int(stats.totals_rows as i64),
        ]);
        sum.add(&stats);
    }
    let columns = vec![
        Column::new("kind", t.h_kind, ColKind::Text),
        Column::new("file", t.h_file, ColKind::Text).max_width(40.0),
        Column::new("sheet", t.h_sheet, ColKind::Text).max_width(40.0),
        Column::new("header_row", t.h_header_row, ColKind::Integer),
        Column::new("rows_read", t.h_rows_read, ColKind::Integer),
        Column::new("accepted", t.h_accepted, ColKind::Integer),
        Column::new("rejected", t.h_rejected, ColKind::Integer),
        Column::new("totals_rows", t.h_totals_rows, ColKind::Integer),
    ];
    let count = |n: u64| Value::Sum(n.into());
    let id = if per_file { "inputs" } else { "input_sheets" };
    Table::new(id, columns, rows).with_total(vec![
        Value::text(t.total),
        Value::Empty,
        Value::Empty,
        Value::Empty,
        count(sum.rows_read),
        count(sum.accepted),
        count(sum.rejected),
        count(sum.totals_rows),
    ])
}

/// The control totals of SPEC 7.6, each with both sides: the ledger's
/// three, then `more` (rows of the same five columns: the receipts').
pub fn controls_table(t: &Texts, tt: &LedgerTotals, more: Vec<Vec<Value>>) -> Table {
    let num = |d: Decimal| Value::Number(d);
    let columns = vec![
        Column::new("check", t.h_check, ColKind::Text),
        Column::new("left", t.h_left, ColKind::Number),
        Column::new("right", t.h_right, ColKind::Text),
        Column::new("right_value", t.h_right_value, ColKind::Number),
        Column::new("result", t.h_result, ColKind::Text),
    ];
    let mut rows = vec![
        vec![
            Value::text(t.control_rows),
            Value::Int(tt.rows_read as i64),
            Value::text(t.control_rows_right),
            Value::Int((tt.accepted + tt.rejected + tt.totals_rows) as i64),
            Value::text(t.ok),
        ],
        vec![
            Value::text(t.control_amount),
            num(tt.accepted_amount),
            Value::text(t.control_amount_right),
            num(tt.in_window + tt.before_window + tt.after_as_of),
            Value::text(t.ok),
        ],
        vec![
            Value::text(t.control_window),
            num(tt.in_window),
            Value::text(t.control_window_right),
            num(tt.customer_sales),
            Value::text(t.ok),
        ],
    ];
    rows.extend(more);
    Table::new("controls", columns, rows)
}

/// The Data Issues sheet: every rejected row, warning, totals check and
/// notice, with file, sheet, Excel row, column, message and raw cells.
pub fn issues_sheet(frame: &Frame, issues: &[Issue]) -> Sheet {
    let (t, lang) = (frame.t(), frame.lang);
    let columns = vec![
        Column::new("kind", t.h_issue_kind, ColKind::Text),
        Column::new("file", t.h_file, ColKind::Text).max_width(24.0),
        Column::new("sheet", t.h_sheet, ColKind::Text),
        Column::new("row", t.h_row, ColKind::Integer),
        Column::new("column", t.h_column, ColKind::Text),
        Column::new("message", t.h_message, ColKind::LongText).max_width(50.0),
        Column::new("cells", t.h_cells, ColKind::LongText).max_width(50.0),
    ];
    let rows: Vec<Vec<Value>> = issues
        .iter()
        .map(|i| {
            vec![
                Value::text(i.kind.label(lang)),
                Value::text(file_name(&i.file)),
                Value::text(&i.sheet),
                Value::opt_int(i.row.map(i64::from)),
                Value::opt_text(i.column.as_deref()),
                Value::text(i.problem.message(lang)),
                Value::text(raw_cells(&i.cells)),
            ]
        })
        .collect();
    let blocks = main_table("issues", columns, rows, t.no_issues, true);
    frame.sheet(
        t.sheet_issues,
        t.title_issues,
        blocks,
        frame.page(t.title_issues, 0, false),
    )
}

/// The raw cells of a row as one line: blanks dropped at the end, ` | ` between.
pub fn raw_cells(cells: &[String]) -> String {
    let end = cells
        .iter()
        .rposition(|c| !c.trim().is_empty())
        .map_or(0, |p| p + 1);
    cells[..end].join(" | ")
}

/// The last component of a path, for display.
pub fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// Counts of issues per kind, in kind order.
pub fn issue_counts(issues: &[Issue]) -> Vec<(IssueKind, usize)> {
    let mut m = std::collections::BTreeMap::new();
    for i in issues {
        *m.entry(i.kind).or_insert(0usize) += 1;
    }
    m.into_iter().collect()
}
