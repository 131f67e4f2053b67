//! Issues found while reading: rejected rows, warnings, totals checks and
//! notices (SPEC 3.5, 7.3). Rows that cannot be used are data, not errors.

use serde::Serialize;

use crate::labels::messages::messages;
use crate::labels::reading::reading;
use crate::labels::{fill, Lang};
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
    /// The word for this kind on the Data Issues sheet and in `check`.
    pub fn label(self, lang: Lang) -> &'static str {
        let m = messages(lang);
        match self {
            IssueKind::Rejected => m.kind_rejected,
            IssueKind::Warning => m.kind_warning,
            IssueKind::TotalsMismatch => m.kind_totals_mismatch,
            IssueKind::Notice => m.kind_notice,
            IssueKind::Conflict => m.kind_conflict,
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
    /// No header in the first rows: what is missing, and the most
    /// header-like row (its number and cells).
    SheetSkipped {
        kind: &'static str,
        missing: Vec<&'static str>,
        row: u32,
        cells: Vec<String>,
    },
    SheetUnreadable {
        message: String,
    },
    SheetEmpty,
    /// A workbook with no worksheet at all (only charts or macros).
    NoWorksheets,
    /// A chart, macro or dialog sheet: it holds no rows.
    NotAWorksheet,
    /// A CSV record with more fields than its header (after trailing padding).
    TooManyFields {
        fields: usize,
        header: usize,
    },
    /// A CSV record joined across lines by a quoted field, with a number of
    /// fields other than the header's.
    QuotedAcrossLines {
        first: u32,
        last: u32,
        fields: usize,
        header: usize,
    },
    HiddenSheet,
    HiddenRows {
        count: u64,
        first: u32,
    },
    /// Cells right of the columns read; `cell` is the first, as `AMK12`.
    CellsBeyond {
        cell: String,
    },
    /// Merged cells spanning rows whose value was applied to every row.
    MergedFilled {
        count: u64,
    },
    /// A customer a second time in the customer master; `first` is where it
    /// was first (file, sheet, row).
    DuplicateMasterRow {
        key: String,
        first: (String, String, u32),
    },
    /// A customer a second time in the previous grades.
    DuplicatePreviousRow {
        key: String,
        first: (String, String, u32),
    },
    PreviousNotATier {
        grade: String,
        tiers: Vec<String>,
    },
    /// Customer IDs that differ only by leading zeros or a trailing `.0`.
    SimilarIds {
        ids: Vec<String>,
    },
    /// Customer names that differ only by letter case.
    SimilarNames {
        names: Vec<String>,
    },
    MasterFirstDateAfterAsOf {
        key: String,
        first_date: chrono::NaiveDate,
        as_of: chrono::NaiveDate,
    },
}

impl Problem {
    /// One sentence for the Data Issues sheet and the JSON `message`, from
    /// the language's [`crate::labels::messages::Messages`] table.
    pub fn message(&self, lang: Lang) -> String {
        let m = messages(lang);
        match self {
            Problem::MissingValue { field } => fill(m.missing_value, &[("field", m.field(field))]),
            Problem::Unreadable { field, raw } => {
                fill(m.unreadable, &[("field", m.field(field)), ("raw", raw)])
            }
            Problem::AmbiguousDate { raw } => fill(m.ambiguous_date, &[("raw", raw)]),
            Problem::NoSavedValue { field } => fill(m.no_saved_value, &[("field", m.field(field))]),
            Problem::ErrorValue { field, raw } => {
                fill(m.error_value, &[("field", m.field(field)), ("raw", raw)])
            }
            Problem::AmbiguousNumber { field, raw } => about(m.ambiguous_number, m, field, raw),
            Problem::TooPrecise { field, raw } => about(m.too_precise, m, field, raw),
            Problem::TooLarge { field, raw } => about(m.too_large, m, field, raw),
            Problem::DateOutOfRange { field, raw } => about(m.date_out_of_range, m, field, raw),
            Problem::TimeOnly { field, raw } => about(m.time_only, m, field, raw),
            Problem::NoCustomer => m.no_customer.to_string(),
            Problem::AmountWithoutDateOrCustomer => m.amount_without_date_or_customer.to_string(),
            Problem::TextOnly => m.text_only.to_string(),
            Problem::DuplicateRow => m.duplicate_row.to_string(),
            Problem::IdSeveralNames { id, names, shown } => fill(
                m.id_several_names,
                &[
                    ("id", id),
                    ("names", &names.join(m.names_sep)),
                    ("shown", shown),
                ],
            ),
            Problem::NameMatchedId { name, id, rows } => fill(
                m.name_matched_id,
                &[("rows", &rows.to_string()), ("name", name), ("id", id)],
            ),
            Problem::AfterAsOf { count, as_of } => fill(
                m.after_as_of,
                &[("count", &count.to_string()), ("as_of", &as_of.to_string())],
            ),
            Problem::AmountMismatch {
                amount,
                quantity,
                unit_price,
            } => fill(
                m.amount_mismatch,
                &[
                    ("amount", &fmt_amount(*amount)),
                    ("quantity", &quantity.normalize().to_string()),
                    ("unit_price", &unit_price.normalize().to_string()),
                ],
            ),
            Problem::TotalsMismatch {
                sheet_says,
                rows_add_up,
            } => fill(
                m.totals_mismatch,
                &[
                    ("sheet_says", &fmt_amount(*sheet_says)),
                    ("rows_add_up", &fmt_amount(*rows_add_up)),
                ],
            ),
            Problem::TotalsUnreadable => m.totals_unreadable.to_string(),
            Problem::SheetSkipped {
                kind,
                missing,
                row,
                cells,
            } => fill(
                m.sheet_skipped,
                &[
                    ("missing", &missing.join(m.missing_sep)),
                    ("row", &row.to_string()),
                    ("cells", &shown_cells(cells)),
                    ("fix", &columns_fix(kind, missing)),
                ],
            ),
            Problem::SheetUnreadable { message } => {
                fill(m.sheet_unreadable, &[("message", message)])
            }
            Problem::SheetEmpty => m.sheet_empty.to_string(),
            Problem::NoWorksheets => m.no_worksheets.to_string(),
            Problem::NotAWorksheet => m.not_a_worksheet.to_string(),
            other => other.reading_message(lang),
        }
    }

    /// The sentences of SPEC 10's reading rules ([`crate::labels::reading`]).
    fn reading_message(&self, lang: Lang) -> String {
        let r = reading(lang);
        let sep = messages(lang).names_sep;
        let n = |v: &dyn ToString| v.to_string();
        match self {
            Problem::TooManyFields { fields, header } => fill(
                r.too_many_fields,
                &[("fields", &n(fields)), ("header", &n(header))],
            ),
            Problem::QuotedAcrossLines {
                first,
                last,
                fields,
                header,
            } => fill(
                r.quoted_across_lines,
                &[
                    ("first", &n(first)),
                    ("last", &n(last)),
                    ("fields", &n(fields)),
                    ("header", &n(header)),
                ],
            ),
            Problem::HiddenSheet => r.hidden_sheet.to_string(),
            Problem::HiddenRows { count, first } => {
                fill(r.hidden_rows, &[("count", &n(count)), ("first", &n(first))])
            }
            Problem::CellsBeyond { cell } => fill(r.cells_beyond, &[("cell", cell)]),
            Problem::MergedFilled { count } => fill(r.merged_filled, &[("count", &n(count))]),
            Problem::DuplicateMasterRow { key, first } => fill(
                r.duplicate_master_row,
                &[("key", key), ("other", &place(r, first))],
            ),
            Problem::DuplicatePreviousRow { key, first } => fill(
                r.duplicate_previous_row,
                &[("key", key), ("other", &place(r, first))],
            ),
            Problem::PreviousNotATier { grade, tiers } => fill(
                r.previous_not_a_tier,
                &[("grade", grade), ("tiers", &tiers.join(sep))],
            ),
            Problem::SimilarIds { ids } => fill(r.similar_ids, &[("ids", &ids.join(sep))]),
            Problem::SimilarNames { names } => {
                fill(r.similar_names, &[("names", &names.join(sep))])
            }
            Problem::MasterFirstDateAfterAsOf {
                key,
                first_date,
                as_of,
            } => fill(
                r.master_first_date_after_as_of,
                &[
                    ("key", key),
                    ("first_date", &n(first_date)),
                    ("as_of", &n(as_of)),
                ],
            ),
            _ => String::new(),
        }
    }
}

/// Where another row is, as a person finds it.
fn place(
    r: &crate::labels::reading::Reading,
    (file, sheet, row): &(String, String, u32),
) -> String {
    fill(
        r.place,
        &[("file", file), ("sheet", sheet), ("row", &row.to_string())],
    )
}

/// A row's cells for a message: the first twelve, trailing blanks left out.
fn shown_cells(cells: &[String]) -> String {
    let end = cells
        .iter()
        .rposition(|c| !c.trim().is_empty())
        .map_or(0, |p| p + 1);
    let mut shown: Vec<&str> = cells[..end].iter().take(12).map(String::as_str).collect();
    if end > 12 {
        shown.push("…");
    }
    shown.join(" | ")
}

/// The `[columns]` line that maps the first missing field, for a message.
fn columns_fix(kind: &str, missing: &[&str]) -> String {
    let field = missing
        .first()
        .and_then(|m| m.split_whitespace().next())
        .unwrap_or("date");
    format!("[columns.{kind}] {field} = \"…\"")
}

/// A sentence about one cell of `field` holding `raw`.
fn about(template: &str, m: &crate::labels::messages::Messages, field: &str, raw: &str) -> String {
    fill(template, &[("field", m.field(field)), ("raw", raw)])
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
