//! Issues found while reading: rejected rows, warnings, totals checks and
//! notices (SPEC 3.5, 7.3). Rows that cannot be used are data, not errors.

use serde::Serialize;

use crate::labels::Lang;
use crate::text::fmt_amount;
use rust_decimal::Decimal;

/// The JSON `kind` of an issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    Rejected,
    Warning,
    TotalsMismatch,
    Notice,
    Conflict,
}

impl IssueKind {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            IssueKind::Rejected => lang.pick("拒收", "拒收", "rejected"),
            IssueKind::Warning => lang.pick("警告", "警告", "warning"),
            IssueKind::TotalsMismatch => lang.pick("合计不符", "合計不符", "totals mismatch"),
            IssueKind::Notice => lang.pick("提示", "提示", "notice"),
            IssueKind::Conflict => lang.pick("冲突", "衝突", "conflict"),
        }
    }
}

/// What is wrong, with what is needed to say it in any language.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    MissingValue {
        field: &'static str,
    },
    Unreadable {
        field: &'static str,
        raw: String,
    },
    AmbiguousDate {
        raw: String,
    },
    NoSavedValue {
        field: &'static str,
    },
    ErrorValue {
        field: &'static str,
        raw: String,
    },
    /// A `,` or `.` that could be the decimal mark or a thousands separator.
    AmbiguousNumber {
        field: &'static str,
        raw: String,
    },
    /// More significant digits or decimal places than exact arithmetic holds.
    TooPrecise {
        field: &'static str,
        raw: String,
    },
    /// More integer digits than exact arithmetic holds.
    TooLarge {
        field: &'static str,
        raw: String,
    },
    /// A date outside 1950-01-01 … 2099-12-31.
    DateOutOfRange {
        field: &'static str,
        raw: String,
    },
    /// A time of day where a date belongs.
    TimeOnly {
        field: &'static str,
        raw: String,
    },
    NoCustomer,
    AmountWithoutDateOrCustomer,
    TextOnly,
    DuplicateRow,
    IdSeveralNames {
        id: String,
        names: Vec<String>,
        shown: String,
    },
    NameMatchedId {
        name: String,
        id: String,
        rows: u64,
    },
    AfterAsOf {
        count: u64,
        as_of: chrono::NaiveDate,
    },
    AmountMismatch {
        amount: Decimal,
        quantity: Decimal,
        unit_price: Decimal,
    },
    TotalsMismatch {
        sheet_says: Decimal,
        rows_add_up: Decimal,
    },
    TotalsUnreadable,
    SheetSkipped {
        missing: Vec<&'static str>,
    },
    SheetUnreadable {
        message: String,
    },
    SheetEmpty,
}

fn field_label(field: &str, lang: Lang) -> &str {
    match field {
        "date" => lang.pick("日期", "日期", "date"),
        "amount" => lang.pick("金额", "金額", "amount"),
        "quantity" => lang.pick("数量", "數量", "quantity"),
        "unit_price" => lang.pick("单价", "單價", "unit price"),
        "list_price" => lang.pick("标准价", "標準價", "list price"),
        "due_date" => lang.pick("到期日", "到期日", "due date"),
        "first_date" => lang.pick("首次合作日期", "首次合作日期", "first order date"),
        "terms_days" => lang.pick("账期", "賬期", "terms"),
        "credit_limit" => lang.pick("信用额度", "信用額度", "credit limit"),
        "grade" => lang.pick("等级", "等級", "grade"),
        "customer" => lang.pick("客户", "客戶", "customer"),
        other => other,
    }
}

/// A sentence about one cell: its field, its text in the language's quotes, then `what`
/// (zh-CN, zh-TW, en).
fn about_cell(lang: Lang, field: &str, raw: &str, what: [&str; 3]) -> String {
    let f = field_label(field, lang);
    match lang {
        Lang::ZhCn => format!("{f}“{raw}”{}", what[0]),
        Lang::ZhTw => format!("{f}「{raw}」{}", what[1]),
        Lang::En => format!("{f} \"{raw}\" {}", what[2]),
    }
}

impl Problem {
    /// One sentence for the Data Issues sheet and the JSON `message`.
    pub fn message(&self, lang: Lang) -> String {
        let zh = lang.is_chinese();
        match self {
            Problem::MissingValue { field } => {
                let f = field_label(field, lang);
                if zh {
                    format!("缺少{f}")
                } else {
                    format!("no {f}")
                }
            }
            Problem::Unreadable { field, raw } => {
                let f = field_label(field, lang);
                if zh {
                    format!("{f}无法识别：“{raw}”")
                } else {
                    format!("{f} is not readable: \"{raw}\"")
                }
            }
            Problem::AmbiguousDate { raw } => {
                if zh {
                    format!("日期“{raw}”日月顺序不明确（可在规则文件设置 date_format）")
                } else {
                    format!("date \"{raw}\" is ambiguous (day/month order); set date_format in the rules file")
                }
            }
            Problem::NoSavedValue { field } => {
                let f = field_label(field, lang);
                if zh {
                    format!("{f}为公式且没有保存的值：请在 Excel 中打开并保存该文件")
                } else {
                    format!("{f}: formula has no saved value: open and save the file in Excel")
                }
            }
            Problem::ErrorValue { field, raw } => {
                let f = field_label(field, lang);
                if zh {
                    format!("{f}为错误值 {raw}")
                } else {
                    format!("{f} is an error value {raw}")
                }
            }
            Problem::AmbiguousNumber { field, raw } => about_cell(
                lang,
                field,
                raw,
                [
                    "中的逗号或句点无法确定是小数点还是千位分隔符（千位分隔须三位一组；逗号作小数点时请在规则文件设置 decimal_comma = true）",
                    "中的逗號或句點無法確定是小數點還是千位分隔符（千位分隔須三位一組；逗號作小數點時請在規則檔設定 decimal_comma = true）",
                    "is ambiguous: its , or . could be the decimal mark or a thousands separator (thousands come in groups of three; set decimal_comma = true in the rules file when , is the decimal mark)",
                ],
            ),
            Problem::TooPrecise { field, raw } => about_cell(
                lang,
                field,
                raw,
                [
                    "有效数字或小数位超过 28 位，无法精确计算，未作舍入：请核对单元格",
                    "有效數字或小數位超過 28 位，無法精確計算，未作捨入：請核對儲存格",
                    "has more than 28 significant digits or decimal places: it cannot be held exactly and is not rounded; check the cell",
                ],
            ),
            Problem::TooLarge { field, raw } => about_cell(
                lang,
                field,
                raw,
                [
                    "过大（整数部分超过 28 位）：请核对单元格",
                    "過大（整數部分超過 28 位）：請核對儲存格",
                    "is too large (more than 28 digits before the decimal mark); check the cell",
                ],
            ),
            Problem::DateOutOfRange { field, raw } => about_cell(
                lang,
                field,
                raw,
                [
                    "不在 1950-01-01 至 2099-12-31 之间",
                    "不在 1950-01-01 至 2099-12-31 之間",
                    "is outside 1950-01-01 … 2099-12-31",
                ],
            ),
            Problem::TimeOnly { field, raw } => about_cell(
                lang,
                field,
                raw,
                [
                    "只有时间，没有日期",
                    "只有時間，沒有日期",
                    "is a time of day without a date",
                ],
            ),
            Problem::NoCustomer => lang
                .pick(
                    "缺少客户编码和客户名称",
                    "缺少客戶編碼和客戶名稱",
                    "no customer ID or name",
                )
                .to_string(),
            Problem::AmountWithoutDateOrCustomer => lang
                .pick(
                    "有金额但没有日期和客户，且不是合计行",
                    "有金額但沒有日期和客戶，且不是合計行",
                    "an amount with neither date nor customer, and not a totals row",
                )
                .to_string(),
            Problem::TextOnly => lang
                .pick(
                    "只有文字的行（说明或备注），不是数据",
                    "只有文字的行（說明或備註），不是資料",
                    "a row of text only (a note), not data",
                )
                .to_string(),
            Problem::DuplicateRow => lang
                .pick(
                    "与前面某行完全相同（已计入）",
                    "與前面某行完全相同（已計入）",
                    "exact duplicate of an earlier row (kept)",
                )
                .to_string(),
            Problem::IdSeveralNames { id, names, shown } => {
                let list = names.join(" / ");
                if zh {
                    format!("客户编码 {id} 对应多个名称：{list}；显示最近的“{shown}”")
                } else {
                    format!("customer ID {id} appears with several names: {list}; showing the most recent, \"{shown}\"")
                }
            }
            Problem::NameMatchedId { name, id, rows } => {
                if zh {
                    format!("{rows} 行没有客户编码，按名称“{name}”归入客户 {id}")
                } else {
                    format!("{rows} row(s) without a customer ID assigned to {id} by the name \"{name}\"")
                }
            }
            Problem::AfterAsOf { count, as_of } => {
                if zh {
                    format!("{count} 行日期晚于评定截止日 {as_of}，不参与评级")
                } else {
                    format!("{count} row(s) dated after the as-of date {as_of} are not graded")
                }
            }
            Problem::AmountMismatch {
                amount,
                quantity,
                unit_price,
            } => {
                let (a, q, p) = (
                    fmt_amount(*amount),
                    quantity.normalize(),
                    unit_price.normalize(),
                );
                if zh {
                    format!("金额 {a} ≠ 数量 {q} × 单价 {p}")
                } else {
                    format!("amount {a} ≠ quantity {q} × unit price {p}")
                }
            }
            Problem::TotalsMismatch {
                sheet_says,
                rows_add_up,
            } => {
                let (s, r) = (fmt_amount(*sheet_says), fmt_amount(*rows_add_up));
                if zh {
                    format!("表内合计为 {s}，上方各行相加为 {r}")
                } else {
                    format!("sheet says {s}, rows add up to {r}")
                }
            }
            Problem::TotalsUnreadable => lang
                .pick(
                    "合计行的金额无法识别，未核对",
                    "合計行的金額無法識別，未核對",
                    "totals row amount is not readable; not checked",
                )
                .to_string(),
            Problem::SheetSkipped { missing } => {
                let list = missing.join(", ");
                if zh {
                    format!("前 30 行中找不到表头，已跳过（缺少：{list}）")
                } else {
                    format!("no header row in the first 30 rows; sheet skipped (missing: {list})")
                }
            }
            Problem::SheetUnreadable { message } => {
                if zh {
                    format!("工作表无法读取，已跳过：{message}")
                } else {
                    format!("sheet could not be read and was skipped: {message}")
                }
            }
            Problem::SheetEmpty => lang
                .pick(
                    "工作表为空，已跳过",
                    "工作表為空，已跳過",
                    "sheet is empty; skipped",
                )
                .to_string(),
        }
    }
}

/// One issue, located as precisely as possible.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub kind: IssueKind,
    pub file: String,
    pub sheet: String,
    /// 1-based Excel row (CSV: line number).
    pub row: Option<u32>,
    /// Header text of the column concerned.
    pub column: Option<String>,
    pub problem: Problem,
    /// The row's raw cells as text (rejected rows and warnings on rows).
    pub cells: Vec<String>,
}
