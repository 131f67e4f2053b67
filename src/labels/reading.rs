//! The sentences of SPEC 10's reading rules (CSV record shapes, hidden
//! sheets and rows, merged cells, columns beyond the read area, duplicate
//! master and previous-grade rows, previous grades that are no tier, IDs and
//! names that nearly match, master dates after the as-of date), shown on the
//! Data Issues sheet, in the JSON `message` and by `check`.

use serde::Serialize;

use super::Lang;

/// The reading texts of one language. Templates take `{name}` placeholders
/// (see [`super::fill`]).
#[derive(Debug, Serialize)]
pub struct Reading {
    /// `{fields}`, `{header}`: a CSV record wider than its header.
    pub too_many_fields: &'static str,
    /// `{first}`, `{last}`, `{fields}`, `{header}`: a quoted field across lines.
    pub quoted_across_lines: &'static str,
    pub hidden_sheet: &'static str,
    /// `{count}`, `{first}`
    pub hidden_rows: &'static str,
    /// `{cell}`: the first cell right of column 1,024.
    pub cells_beyond: &'static str,
    /// `{count}`
    pub merged_filled: &'static str,
    /// `{file}`, `{sheet}`, `{row}`: where another row is.
    pub place: &'static str,
    /// `{key}`, `{other}` (a `place`)
    pub duplicate_master_row: &'static str,
    /// `{key}`, `{other}` (a `place`)
    pub duplicate_previous_row: &'static str,
    /// `{grade}`, `{tiers}`
    pub previous_not_a_tier: &'static str,
    /// `{ids}` (joined with the messages' `names_sep`)
    pub similar_ids: &'static str,
    /// `{names}` (joined with the messages' `names_sep`)
    pub similar_names: &'static str,
    /// `{key}`, `{first_date}`, `{as_of}`
    pub master_first_date_after_as_of: &'static str,
}

pub const ZH_CN: Reading = Reading {
    too_many_fields: "这一行有 {fields} 个字段，比表头的 {header} 个多：可能是数字中的逗号没有加引号（如 12,345.00），无法确定各值所属的列",
    quoted_across_lines: "第 {first} 至 {last} 行被一个跨行的引号字段连成一条记录，得到 {fields} 个字段，而表头有 {header} 个：可能缺少结束引号，这些行均未使用",
    hidden_sheet: "这是隐藏的工作表，已照常读取",
    hidden_rows: "{count} 个隐藏行已照常读取（第一个是第 {first} 行）",
    cells_beyond: "第 1,024 列之后的单元格未读取（第一个是 {cell}）",
    merged_filled: "{count} 个跨行合并单元格的值已用于合并区域的每一行",
    place: "{file} 工作表 {sheet} 第 {row} 行",
    duplicate_master_row: "客户 {key} 在客户档案中重复（另见 {other}），保留第一行",
    duplicate_previous_row: "客户 {key} 在上期等级中重复（另见 {other}），保留第一行",
    previous_not_a_tier: "上期等级“{grade}”不是本规则的等级（{tiers}），按没有上期等级处理",
    similar_ids: "客户编码 {ids} 只差前导零或末尾的 .0，按不同客户处理；如是同一客户，请统一编码",
    similar_names: "客户名称 {names} 只差字母大小写，按不同客户处理；如是同一客户，请统一名称",
    master_first_date_after_as_of: "客户 {key} 在客户档案中的首次合作日期 {first_date} 晚于评定截止日 {as_of}：区域、业务员、账期和属性照常使用，该日期不用",
};

pub const ZH_TW: Reading = Reading {
    too_many_fields: "這一行有 {fields} 個欄位，比表頭的 {header} 個多：可能是數字中的逗號沒有加引號（如 12,345.00），無法確定各值所屬的欄",
    quoted_across_lines: "第 {first} 至 {last} 行被一個跨行的引號欄位連成一筆記錄，得到 {fields} 個欄位，而表頭有 {header} 個：可能缺少結束引號，這些行均未使用",
    hidden_sheet: "這是隱藏的工作表，已照常讀取",
    hidden_rows: "{count} 個隱藏行已照常讀取（第一個是第 {first} 行）",
    cells_beyond: "第 1,024 欄之後的儲存格未讀取（第一個是 {cell}）",
    merged_filled: "{count} 個跨行合併儲存格的值已用於合併區域的每一行",
    place: "{file} 工作表 {sheet} 第 {row} 行",
    duplicate_master_row: "客戶 {key} 在客戶檔案中重複（另見 {other}），保留第一行",
    duplicate_previous_row: "客戶 {key} 在上期等級中重複（另見 {other}），保留第一行",
    previous_not_a_tier: "上期等級「{grade}」不是本規則的等級（{tiers}），按沒有上期等級處理",
    similar_ids: "客戶編碼 {ids} 只差前導零或末尾的 .0，按不同客戶處理；如是同一客戶，請統一編碼",
    similar_names: "客戶名稱 {names} 只差字母大小寫，按不同客戶處理；如是同一客戶，請統一名稱",
    master_first_date_after_as_of: "客戶 {key} 在客戶檔案中的首次合作日期 {first_date} 晚於評定截止日 {as_of}：區域、業務員、賬期和屬性照常使用，該日期不用",
};

pub const EN: Reading = Reading {
    too_many_fields: "the row has {fields} fields, more than the header's {header}: an unquoted comma in a number (such as 12,345.00)? Which value belongs to which column cannot be told",
    quoted_across_lines: "lines {first} to {last} were joined into one record by a quoted field that runs across lines, giving {fields} fields where the header has {header}: a missing closing quote? None of these lines is used",
    hidden_sheet: "this sheet is hidden; it was read like the others",
    hidden_rows: "{count} hidden row(s) were read like the others (the first is row {first})",
    cells_beyond: "cells right of column 1,024 were not read (the first is {cell})",
    merged_filled: "the values of {count} merged cell(s) spanning rows were applied to every row of their merge",
    place: "{file}, sheet {sheet}, row {row}",
    duplicate_master_row: "customer {key} appears twice in the customer master (also {other}); the first row is kept",
    duplicate_previous_row: "customer {key} appears twice in the previous grades (also {other}); the first row is kept",
    previous_not_a_tier: "previous grade \"{grade}\" is not a tier of these rules ({tiers}); taken as no previous grade",
    similar_ids: "customer IDs {ids} differ only by leading zeros or a trailing .0; they are kept as different customers (if they are one, make the IDs the same)",
    similar_names: "customer names {names} differ only by letter case; they are kept as different customers (if they are one, make the names the same)",
    master_first_date_after_as_of: "customer {key}: the first order date {first_date} in the customer master is after the as-of date {as_of}; its region, sales rep, terms and attributes are used, the date is not",
};

/// The reading texts of a language.
pub fn reading(lang: Lang) -> &'static Reading {
    match lang {
        Lang::ZhCn => &ZH_CN,
        Lang::ZhTw => &ZH_TW,
        Lang::En => &EN,
    }
}
