//! The texts of issues (SPEC 3.5, 7.3): the label of each issue kind, the
//! names of the fields a message may name, and one sentence template per
//! problem, shown on the Data Issues sheet, in the JSON `message` and by
//! `check`.

use serde::Serialize;

use super::Lang;

/// The issue texts of one language. Templates take `{name}` placeholders
/// (see [`super::fill`]).
#[derive(Debug, Serialize)]
pub struct Messages {
    pub kind_rejected: &'static str,
    pub kind_warning: &'static str,
    pub kind_totals_mismatch: &'static str,
    pub kind_notice: &'static str,
    pub kind_conflict: &'static str,
    pub field_date: &'static str,
    pub field_amount: &'static str,
    pub field_quantity: &'static str,
    pub field_unit_price: &'static str,
    pub field_list_price: &'static str,
    pub field_due_date: &'static str,
    pub field_first_date: &'static str,
    pub field_terms_days: &'static str,
    pub field_credit_limit: &'static str,
    pub field_grade: &'static str,
    pub field_customer: &'static str,
    /// `{field}`
    pub missing_value: &'static str,
    /// `{field}`, `{raw}`
    pub unreadable: &'static str,
    /// `{raw}`
    pub ambiguous_date: &'static str,
    /// `{field}`
    pub no_saved_value: &'static str,
    /// `{field}`, `{raw}`
    pub error_value: &'static str,
    /// `{field}`, `{raw}`: a `,` or `.` that could be either mark.
    pub ambiguous_number: &'static str,
    /// `{field}`, `{raw}`: more than 28 significant digits or decimals.
    pub too_precise: &'static str,
    /// `{field}`, `{raw}`: more than 28 integer digits.
    pub too_large: &'static str,
    /// `{field}`, `{raw}`: a date outside 1950 … 2099.
    pub date_out_of_range: &'static str,
    /// `{field}`, `{raw}`: a time of day without a date.
    pub time_only: &'static str,
    pub no_customer: &'static str,
    pub amount_without_date_or_customer: &'static str,
    pub text_only: &'static str,
    pub duplicate_row: &'static str,
    /// `{id}`, `{names}` (joined with `names_sep`), `{shown}`
    pub id_several_names: &'static str,
    pub names_sep: &'static str,
    /// `{rows}`, `{name}`, `{id}`
    pub name_matched_id: &'static str,
    /// `{count}`, `{as_of}`
    pub after_as_of: &'static str,
    /// `{amount}`, `{quantity}`, `{unit_price}`
    pub amount_mismatch: &'static str,
    /// `{sheet_says}`, `{rows_add_up}`
    pub totals_mismatch: &'static str,
    pub totals_unreadable: &'static str,
    /// `{missing}`: the required columns not found, joined with `missing_sep`;
    /// `{row}` and `{cells}`: the most header-like row; `{fix}`: a `[columns]` line.
    pub sheet_skipped: &'static str,
    pub missing_sep: &'static str,
    /// `{message}`: why the reader gave up on the sheet.
    pub sheet_unreadable: &'static str,
    pub no_worksheets: &'static str,
    pub not_a_worksheet: &'static str,
    pub sheet_empty: &'static str,
}

pub const ZH_CN: Messages = Messages {
    kind_rejected: "拒收",
    kind_warning: "警告",
    kind_totals_mismatch: "合计不符",
    kind_notice: "提示",
    kind_conflict: "冲突",
    field_date: "日期",
    field_amount: "金额",
    field_quantity: "数量",
    field_unit_price: "单价",
    field_list_price: "标准价",
    field_due_date: "到期日",
    field_first_date: "首次合作日期",
    field_terms_days: "账期",
    field_credit_limit: "信用额度",
    field_grade: "等级",
    field_customer: "客户",
    missing_value: "缺少{field}",
    unreadable: "{field}无法识别：“{raw}”",
    ambiguous_date: "日期“{raw}”日月顺序不明确（可在规则文件设置 date_format）",
    no_saved_value: "{field}为公式且没有保存的值：请在 Excel 中打开并保存该文件",
    error_value: "{field}为错误值 {raw}",
    ambiguous_number: "{field}“{raw}”中的逗号或句点无法确定是小数点还是千位分隔符（千位分隔须三位一组；逗号作小数点时请在规则文件设置 decimal_comma = true）",
    too_precise: "{field}“{raw}”有效数字或小数位超过 28 位，无法精确计算，未作舍入：请核对单元格",
    too_large: "{field}“{raw}”过大（整数部分超过 28 位）：请核对单元格",
    date_out_of_range: "{field}“{raw}”不在 1950-01-01 至 2099-12-31 之间",
    time_only: "{field}“{raw}”只有时间，没有日期",
    no_customer: "缺少客户编码和客户名称",
    amount_without_date_or_customer: "有金额但没有日期和客户，且不是合计行",
    text_only: "只有文字的行（说明或备注），不是数据",
    duplicate_row: "与前面某行完全相同（已计入）",
    id_several_names: "客户编码 {id} 对应多个名称：{names}；显示最近的“{shown}”",
    names_sep: " / ",
    name_matched_id: "{rows} 行没有客户编码，按名称“{name}”归入客户 {id}",
    after_as_of: "{count} 行日期晚于评定截止日 {as_of}，不参与评级",
    amount_mismatch: "金额 {amount} ≠ 数量 {quantity} × 单价 {unit_price}",
    totals_mismatch: "表内合计为 {sheet_says}，上方各行相加为 {rows_add_up}",
    totals_unreadable: "合计行的金额无法识别，未核对",
    sheet_skipped: "前 30 行中找不到表头，已跳过（缺少：{missing}）。最像表头的是第 {row} 行：{cells}。如果该列用了别的名称，请在规则文件中指明，例如 {fix}",
    missing_sep: ", ",
    sheet_unreadable: "工作表无法读取，已跳过：{message}",
    no_worksheets: "工作簿中没有工作表（只有图表或宏表）",
    not_a_worksheet: "不是工作表（图表或宏表），已跳过",
    sheet_empty: "工作表为空，已跳过",
};

pub const ZH_TW: Messages = Messages {
    kind_rejected: "拒收",
    kind_warning: "警告",
    kind_totals_mismatch: "合計不符",
    kind_notice: "提示",
    kind_conflict: "衝突",
    field_date: "日期",
    field_amount: "金額",
    field_quantity: "數量",
    field_unit_price: "單價",
    field_list_price: "標準價",
    field_due_date: "到期日",
    field_first_date: "首次合作日期",
    field_terms_days: "賬期",
    field_credit_limit: "信用額度",
    field_grade: "等級",
    field_customer: "客戶",
    missing_value: "缺少{field}",
    unreadable: "{field}無法識別：「{raw}」",
    ambiguous_date: "日期「{raw}」日月順序不明確（可在規則檔案設定 date_format）",
    no_saved_value: "{field}為公式且沒有儲存的值：請在 Excel 中開啟並儲存該檔案",
    error_value: "{field}為錯誤值 {raw}",
    ambiguous_number: "{field}「{raw}」中的逗號或句點無法確定是小數點還是千位分隔符（千位分隔須三位一組；逗號作小數點時請在規則檔案設定 decimal_comma = true）",
    too_precise: "{field}「{raw}」有效數字或小數位超過 28 位，無法精確計算，未作捨入：請核對儲存格",
    too_large: "{field}「{raw}」過大（整數部分超過 28 位）：請核對儲存格",
    date_out_of_range: "{field}「{raw}」不在 1950-01-01 至 2099-12-31 之間",
    time_only: "{field}「{raw}」只有時間，沒有日期",
    no_customer: "缺少客戶編碼和客戶名稱",
    amount_without_date_or_customer: "有金額但沒有日期和客戶，且不是合計行",
    text_only: "只有文字的行（說明或備註），不是資料",
    duplicate_row: "與前面某行完全相同（已計入）",
    id_several_names: "客戶編碼 {id} 對應多個名稱：{names}；顯示最近的「{shown}」",
    names_sep: " / ",
    name_matched_id: "{rows} 行沒有客戶編碼，按名稱「{name}」歸入客戶 {id}",
    after_as_of: "{count} 行日期晚於評定截止日 {as_of}，不參與評級",
    amount_mismatch: "金額 {amount} ≠ 數量 {quantity} × 單價 {unit_price}",
    totals_mismatch: "表內合計為 {sheet_says}，上方各行相加為 {rows_add_up}",
    totals_unreadable: "合計行的金額無法識別，未核對",
    sheet_skipped: "前 30 行中找不到表頭，已跳過（缺少：{missing}）。最像表頭的是第 {row} 行：{cells}。如果該欄用了別的名稱，請在規則檔案中指明，例如 {fix}",
    missing_sep: ", ",
    sheet_unreadable: "工作表無法讀取，已跳過：{message}",
    no_worksheets: "活頁簿中沒有工作表（只有圖表或巨集表）",
    not_a_worksheet: "不是工作表（圖表或巨集表），已跳過",
    sheet_empty: "工作表為空，已跳過",
};

pub const EN: Messages = Messages {
    kind_rejected: "rejected",
    kind_warning: "warning",
    kind_totals_mismatch: "totals mismatch",
    kind_notice: "notice",
    kind_conflict: "conflict",
    field_date: "date",
    field_amount: "amount",
    field_quantity: "quantity",
    field_unit_price: "unit price",
    field_list_price: "list price",
    field_due_date: "due date",
    field_first_date: "first order date",
    field_terms_days: "terms",
    field_credit_limit: "credit limit",
    field_grade: "grade",
    field_customer: "customer",
    missing_value: "no {field}",
    unreadable: "{field} is not readable: \"{raw}\"",
    ambiguous_date:
        "date \"{raw}\" is ambiguous (day/month order); set date_format in the rules file",
    no_saved_value: "{field}: formula has no saved value: open and save the file in Excel",
    error_value: "{field} is an error value {raw}",
    ambiguous_number: "{field} \"{raw}\" is ambiguous: its , or . could be the decimal mark or a thousands separator (thousands come in groups of three; set decimal_comma = true in the rules file when , is the decimal mark)",
    too_precise: "{field} \"{raw}\" has more than 28 significant digits or decimal places: it cannot be held exactly and is not rounded; check the cell",
    too_large: "{field} \"{raw}\" is too large (more than 28 digits before the decimal mark); check the cell",
    date_out_of_range: "{field} \"{raw}\" is outside 1950-01-01 … 2099-12-31",
    time_only: "{field} \"{raw}\" is a time of day without a date",
    no_customer: "no customer ID or name",
    amount_without_date_or_customer:
        "an amount with neither date nor customer, and not a totals row",
    text_only: "a row of text only (a note), not data",
    duplicate_row: "exact duplicate of an earlier row (kept)",
    id_several_names:
        "customer ID {id} appears with several names: {names}; showing the most recent, \"{shown}\"",
    names_sep: " / ",
    name_matched_id: "{rows} row(s) without a customer ID assigned to {id} by the name \"{name}\"",
    after_as_of: "{count} row(s) dated after the as-of date {as_of} are not graded",
    amount_mismatch: "amount {amount} ≠ quantity {quantity} × unit price {unit_price}",
    totals_mismatch: "sheet says {sheet_says}, rows add up to {rows_add_up}",
    totals_unreadable: "totals row amount is not readable; not checked",
    sheet_skipped: "no header row in the first 30 rows; sheet skipped (missing: {missing}). The most header-like row is row {row}: {cells}. If a column has another name, map it in the rules file, e.g. {fix}",
    missing_sep: ", ",
    sheet_unreadable: "sheet could not be read and was skipped: {message}",
    no_worksheets: "the workbook has no worksheets",
    not_a_worksheet: "not a worksheet (chart or macro sheet); skipped",
    sheet_empty: "sheet is empty; skipped",
};

/// The issue texts of a language.
pub fn messages(lang: Lang) -> &'static Messages {
    match lang {
        Lang::ZhCn => &ZH_CN,
        Lang::ZhTw => &ZH_TW,
        Lang::En => &EN,
    }
}

impl Messages {
    /// The display name of an input field (`unit_price` → 单价); a field
    /// without a label is shown by its name.
    pub fn field<'a>(&self, field: &'a str) -> &'a str {
        match field {
            "date" => self.field_date,
            "amount" => self.field_amount,
            "quantity" => self.field_quantity,
            "unit_price" => self.field_unit_price,
            "list_price" => self.field_list_price,
            "due_date" => self.field_due_date,
            "first_date" => self.field_first_date,
            "terms_days" => self.field_terms_days,
            "credit_limit" => self.field_credit_limit,
            "grade" => self.field_grade,
            "customer" => self.field_customer,
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_have_labels_and_unknown_fields_keep_their_name() {
        assert_eq!(messages(Lang::ZhCn).field("unit_price"), "单价");
        assert_eq!(messages(Lang::ZhTw).field("unit_price"), "單價");
        assert_eq!(messages(Lang::En).field("unit_price"), "unit price");
        assert_eq!(messages(Lang::ZhTw).field("product"), "product");
    }
}
