//! What the commands print for a person at a terminal: the summary
//! `evaluate` writes on stderr and the per-sheet report of `check`. Errors
//! stay in English.

use serde::Serialize;

use super::Lang;

/// The terminal texts of one language. Templates take `{name}`
/// placeholders (see [`super::fill`]); indentation is added by the caller.
#[derive(Debug, Serialize)]
pub struct Cli {
    /// `evaluate`, first line: `{rows}`, `{accepted}`, `{rejected}`,
    /// `{totals_rows}`, `{customers}`, `{as_of}`.
    pub summary_read: &'static str,
    /// One line per tier: `{tier}`, `{label}`, `{customers}`, `{sales}`.
    pub summary_tier: &'static str,
    /// `{rejected}`, `{other}`, `{sheet}` (the Data Issues sheet).
    pub summary_issues: &'static str,
    /// `{path}` of a file written.
    pub wrote: &'static str,
    /// `check`: the kinds of input, at the head of a file's lines.
    pub kind_ledger: &'static str,
    pub kind_receipts: &'static str,
    pub kind_customers: &'static str,
    pub kind_previous: &'static str,
    /// `{kind}`, `{file}`
    pub file: &'static str,
    /// The head of the table of a file's sheets: sheet, header row, rows
    /// read, accepted, rejected, totals rows; and its total row.
    pub table_head: [&'static str; 6],
    pub table_total: &'static str,
    /// `{columns}`: the mappings joined with `list_sep` (every sheet's).
    pub columns: &'static str,
    /// `{sheet}`, `{columns}`: one sheet's mappings when the sheets differ.
    pub sheet_columns: &'static str,
    /// `{n}` issues of the file, all shown.
    pub issues_all: &'static str,
    /// `{n}` issues of the file, the first `{shown}` shown.
    pub issues_first: &'static str,
    /// `{field}` (the column key of the rules file), `{header}` (its header text).
    pub column_map: &'static str,
    pub list_sep: &'static str,
    /// `{sheet}`
    pub sheet_skipped: &'static str,
    /// `{sheet}`, `{message}`
    pub sheet_notice: &'static str,
    /// `{kind}`, `{place}` (empty or one of the `at_` texts), `{message}`
    pub issue: &'static str,
    /// `{sheet}`: where an issue is, in a file of several sheets.
    pub in_sheet: &'static str,
    /// `{row}`, `{column}`
    pub at_row_column: &'static str,
    /// `{row}`
    pub at_row: &'static str,
    /// `{n}` issues not shown.
    pub more: &'static str,
    /// The progress bar: `{kind}` being read; `{rows}` read so far; the
    /// sheets done of all (`{pos}`, `{len}`, filled in by the bar).
    pub progress_reading: &'static str,
    pub progress_rows: &'static str,
    pub progress_sheets: &'static str,
}

pub const ZH_CN: Cli = Cli {
    summary_read: "tierbook：读取 {rows} 行（有效 {accepted}，拒收 {rejected}，合计行 {totals_rows}）；评定截止日 {as_of}，共评定 {customers} 个客户",
    summary_tier: "{tier}（{label}）：{customers} 个客户，销售额 {sales}",
    summary_issues: "拒收 {rejected} 行，其他问题 {other} 条：见“{sheet}”表",
    wrote: "已写入 {path}",
    kind_ledger: "销售台账",
    kind_receipts: "回款台账",
    kind_customers: "客户档案",
    kind_previous: "上期等级",
    file: "{kind} {file}",
    table_head: ["工作表", "表头行", "读取行数", "有效", "拒收", "合计行"],
    table_total: "合计",
    columns: "列：{columns}",
    sheet_columns: "工作表“{sheet}”的列：{columns}",
    issues_all: "问题 {n} 条：",
    issues_first: "问题 {n} 条，前 {shown} 条：",
    column_map: "{field} ← {header}",
    list_sep: "，",
    sheet_skipped: "工作表“{sheet}”：已跳过",
    sheet_notice: "工作表“{sheet}”：{message}",
    issue: "{kind} {place}{message}",
    in_sheet: "工作表“{sheet}”",
    at_row_column: "第 {row} 行“{column}”列：",
    at_row: "第 {row} 行：",
    more: "…… 另有 {n} 条",
    progress_reading: "正在读取{kind}",
    progress_rows: "{rows} 行",
    progress_sheets: "{pos}/{len} 个工作表",
};

pub const ZH_TW: Cli = Cli {
    summary_read: "tierbook：讀取 {rows} 行（有效 {accepted}，拒收 {rejected}，合計行 {totals_rows}）；評定截止日 {as_of}，共評定 {customers} 個客戶",
    summary_tier: "{tier}（{label}）：{customers} 個客戶，銷售額 {sales}",
    summary_issues: "拒收 {rejected} 行，其他問題 {other} 條：見「{sheet}」表",
    wrote: "已寫入 {path}",
    kind_ledger: "銷售台賬",
    kind_receipts: "回款台賬",
    kind_customers: "客戶檔案",
    kind_previous: "上期等級",
    file: "{kind} {file}",
    table_head: ["工作表", "表頭行", "讀取行數", "有效", "拒收", "合計行"],
    table_total: "合計",
    columns: "欄：{columns}",
    sheet_columns: "工作表「{sheet}」的欄：{columns}",
    issues_all: "問題 {n} 條：",
    issues_first: "問題 {n} 條，前 {shown} 條：",
    column_map: "{field} ← {header}",
    list_sep: "，",
    sheet_skipped: "工作表「{sheet}」：已跳過",
    sheet_notice: "工作表「{sheet}」：{message}",
    issue: "{kind} {place}{message}",
    in_sheet: "工作表「{sheet}」",
    at_row_column: "第 {row} 行「{column}」欄：",
    at_row: "第 {row} 行：",
    more: "…… 另有 {n} 條",
    progress_reading: "正在讀取{kind}",
    progress_rows: "{rows} 行",
    progress_sheets: "{pos}/{len} 個工作表",
};

pub const EN: Cli = Cli {
    summary_read: "tierbook: read {rows} rows ({accepted} accepted, {rejected} rejected, {totals_rows} totals rows); {customers} customers graded as of {as_of}",
    summary_tier: "{tier} ({label}): {customers} customers, sales {sales}",
    summary_issues: "{rejected} rows rejected and {other} other issues: see the \"{sheet}\" sheet",
    wrote: "wrote {path}",
    kind_ledger: "ledger",
    kind_receipts: "receipts",
    kind_customers: "customers",
    kind_previous: "previous",
    file: "{kind} {file}",
    table_head: ["sheet", "header row", "rows read", "accepted", "rejected", "totals rows"],
    table_total: "total",
    columns: "columns: {columns}",
    sheet_columns: "sheet \"{sheet}\" columns: {columns}",
    issues_all: "{n} issues:",
    issues_first: "{n} issues, the first {shown}:",
    column_map: "{field} ← {header}",
    list_sep: ", ",
    sheet_skipped: "sheet \"{sheet}\": skipped",
    sheet_notice: "sheet \"{sheet}\": {message}",
    issue: "{kind} {place}{message}",
    in_sheet: "sheet \"{sheet}\", ",
    at_row_column: "row {row}, column {column}: ",
    at_row: "row {row}: ",
    more: "… and {n} more",
    progress_reading: "reading {kind}",
    progress_rows: "{rows} rows",
    progress_sheets: "{pos}/{len} sheets",
};

/// The terminal texts of a language.
pub fn cli(lang: Lang) -> &'static Cli {
    match lang {
        Lang::ZhCn => &ZH_CN,
        Lang::ZhTw => &ZH_TW,
        Lang::En => &EN,
    }
}

impl Cli {
    /// The name of an input kind at the head of a file's lines.
    pub fn kind(&self, kind: crate::read::InputKind) -> &'static str {
        use crate::read::InputKind;
        match kind {
            InputKind::Ledger => self.kind_ledger,
            InputKind::Receipts => self.kind_receipts,
            InputKind::Customers => self.kind_customers,
            InputKind::Previous => self.kind_previous,
        }
    }
}
