//! Book → xlsx bytes. The one place where roles and column kinds become Excel
//! formats (SPEC 7.2, 8).
//!
//! Each sheet is laid out top-down: the title (merged across the main table's
//! width), subtitle lines, a gap, then the blocks. Column widths are computed
//! here (CJK counts double) because `autofit()` underestimates CJK text, and so
//! that numbers never show `#####`. The output depends only on the [`Book`]:
//! the creation time is the book's date at 00:00, so the same book gives the
//! same bytes.

use std::collections::HashMap;

use anyhow::Context;
use rust_decimal::{Decimal, RoundingStrategy};
use rust_xlsxwriter::{
    quote_sheet_name, Chart as XlsxChart, ChartType, Color, DataValidation, DocProperties,
    ExcelDateTime, Format, FormatAlign, FormatBorder, FormatPattern, Formula, ProtectionOptions,
    Workbook, Worksheet, XlsxError,
};

use crate::report::model::{Block, Book, Chart, ColKind, Column, Sheet, Table, Value};
use crate::text::display_width;

/// Money: yuan with thousands separators, negatives red.
pub const FMT_MONEY: &str = "¥#,##0.00;[Red]-¥#,##0.00";
/// Whole numbers with thousands separators.
pub const FMT_INTEGER: &str = "#,##0";
pub const FMT_PERCENT: &str = "0.0%";
pub const FMT_RATIO: &str = "0.000";
pub const FMT_SCORE: &str = "0.0";
pub const FMT_DATE: &str = "yyyy-mm-dd";
pub const FMT_INDEX: &str = "0";
/// `ColKind::Number` cells get the shortest of these that shows the value
/// (rounded to two decimals) exactly, so 12 shows `12` and 1.5 shows `1.5`
/// (a single `#,##0.##` would show `12.`).
const FMT_NUMBER: [&str; 3] = ["#,##0", "#,##0.0", "#,##0.00"];

const MIN_WIDTH: f64 = 6.0;
const MAX_WIDTH: f64 = 50.0;
const MAX_LONG_WIDTH: f64 = 60.0;
/// Characters of padding added to each computed width.
const PADDING: f64 = 2.0;
/// Minimum width of an editable column, so there is room to write by hand on
/// the printed handout.
const MIN_EDIT_WIDTH: f64 = 10.0;
const MIN_FREE_EDIT_WIDTH: f64 = 16.0;
/// Points per line of 11pt text (CJK fonts need more than Latin ones).
const LINE_HEIGHT: f64 = 15.0;
const CJK_LINE_HEIGHT: f64 = 16.0;
/// Default row height in pixels (15pt).
const ROW_PX: u32 = 20;
const CHART_HEIGHT_PX: u32 = 300;
/// Excel's limit for a cell's text, in UTF-16 units.
const MAX_CELL_CHARS: usize = 32_767;
/// Excel's limit for a header/footer and for an inline list validation.
const MAX_HEADER_CHARS: usize = 255;
const MAX_SHEET_NAME: usize = 31;
/// Excel's limit of manual page breaks on a sheet.
pub const MAX_PAGE_BREAKS: usize = 1_023;
/// Name of the very hidden sheet holding long dropdown lists when the book
/// has no hidden sheet of its own.
const LISTS_SHEET: &str = "_lists";

const BORDER_COLOR: u32 = 0x80_80_80;
const HEADER_FILL: u32 = 0xDD_EB_F7;
const EDIT_FILL: u32 = 0xFF_F2_CC;
/// Best tier, second, third; the floor tier is always grey.
const TIER_FILLS: [u32; 8] = [
    0xC6_EF_CE, // green
    0xBD_D7_EE, // blue
    0xFF_EB_9C, // amber
    0xE4_DF_EC, // lavender
    0xF8_CB_AD, // peach
    0xDA_EE_F3, // aqua
    0xFC_E4_D6, // rose
    0xE2_EF_DA, // sage
];
const FLOOR_FILL: u32 = 0xD9_D9_D9;

/// Renders a book to xlsx bytes. Same Book → same bytes.
///
/// # Errors
/// Only when rust_xlsxwriter refuses the workbook (e.g. more rows than Excel
/// allows); texts, names, headers and lists that exceed Excel's limits are
/// shortened or moved rather than failing.
pub fn xlsx_bytes(book: &Book) -> anyhow::Result<Vec<u8>> {
    render(book, STREAM_ROWS)?
        .save_to_buffer()
        .context("assembling the xlsx workbook")
}

/// Renders a book as xlsx straight into `file` (an output's temporary file),
/// so the workbook's bytes are never held in memory. The same bytes as
/// [`xlsx_bytes`].
///
/// # Errors
/// As [`xlsx_bytes`], and when the file cannot be written.
pub fn write_xlsx(book: &Book, file: &mut std::fs::File) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    render(book, STREAM_ROWS)?
        .save_to_writer(&mut out)
        .context("assembling the xlsx workbook")?;
    std::io::Write::flush(&mut out).context("writing the xlsx workbook")
}

/// The workbook of a book, sheets of more than `stream_rows` table rows
/// written in constant memory.
fn render(book: &Book, stream_rows: usize) -> anyhow::Result<Workbook> {
    let mut workbook = Workbook::new();
    // Level 3 saves about 30% of the time of the default 6 for a few percent of size;
    // a book of hundreds of thousands of rows (statements) is deflated at level 1.
    let rows: usize = book.sheets.iter().map(table_rows).sum();
    workbook.set_zip_compression_level(if rows > BIG_BOOK_ROWS { 1 } else { 3 });
    workbook.set_properties(
        &DocProperties::new()
            .set_title(&book.title)
            .set_creation_datetime(&creation_time(book)),
    );

    let names = sheet_names(book);
    let lists_sheet = names
        .last()
        .filter(|_| book.hidden.is_some())
        .cloned()
        .unwrap_or_else(|| LISTS_SHEET.to_string());
    let mut lists = ListArea::new(lists_sheet);

    for (sheet, name) in book.sheets.iter().zip(&names) {
        let ws = if table_rows(sheet) > stream_rows {
            // Written row by row (SheetWriter never goes back to an earlier
            // row) straight to a temporary file: memory stays flat.
            workbook
                .add_worksheet_with_constant_memory()
                .context("creating a temporary file for a large sheet")?
        } else {
            workbook.add_worksheet()
        };
        ws.set_name(name.as_str())
            .with_context(|| format!("naming sheet {name:?}"))?;
        SheetWriter::new(ws, name, book, &mut lists)
            .write(sheet)
            .with_context(|| format!("writing sheet {name:?}"))?;
    }
    if book.sheets.is_empty() {
        // A workbook needs one visible sheet.
        workbook.add_worksheet();
    }

    let hidden_lines: &[String] = book.hidden.as_ref().map_or(&[], |h| &h.lines);
    if book.hidden.is_some() || !lists.lists.is_empty() {
        let ws = workbook.add_worksheet();
        ws.set_name(lists.sheet.as_str())
            .with_context(|| format!("naming sheet {:?}", lists.sheet))?;
        for (i, line) in hidden_lines.iter().enumerate() {
            ws.write_string(row_num(i)?, 0, cell_text(line))?;
        }
        for (j, list) in lists.lists.iter().enumerate() {
            let col = list_col(j)?;
            for (i, choice) in list.iter().enumerate() {
                ws.write_string(row_num(i)?, col, cell_text(choice))?;
            }
        }
        ws.set_very_hidden(true);
    }
    Ok(workbook)
}

/// Sheets with more table rows than this are written in constant memory.
const STREAM_ROWS: usize = 2_000;
/// Books with more table rows than this are deflated faster (level 1).
const BIG_BOOK_ROWS: usize = 100_000;

fn table_rows(sheet: &Sheet) -> usize {
    sheet
        .blocks
        .iter()
        .map(|b| match b {
            Block::Table(t) => t.rows.len(),
            _ => 0,
        })
        .sum()
}

fn creation_time(book: &Book) -> ExcelDateTime {
    use chrono::Datelike;
    let d = book.created;
    u16::try_from(d.year())
        .ok()
        .and_then(|y| ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8).ok())
        .or_else(|| ExcelDateTime::from_ymd(2000, 1, 1).ok())
        .unwrap_or_else(|| ExcelDateTime::from_serial_datetime(0.0).unwrap_or_default())
}

/// Valid, unique sheet names: the book's sheets in order, then (when there
/// is one) the hidden sheet's.
fn sheet_names(book: &Book) -> Vec<String> {
    let mut taken: Vec<String> = Vec::new();
    let mut out = Vec::new();
    let wanted = book
        .sheets
        .iter()
        .map(|s| s.name.as_str())
        .chain(book.hidden.as_ref().map(|h| h.name.as_str()));
    for (i, name) in wanted.enumerate() {
        let base = sanitize_sheet_name(name, i + 1);
        let mut candidate = base.clone();
        let mut n = 2;
        while taken.contains(&candidate.to_lowercase()) || candidate == LISTS_SHEET {
            let suffix = format!(" ({n})");
            candidate = format!(
                "{}{suffix}",
                truncate_utf16(&base, MAX_SHEET_NAME - suffix.len())
            );
            n += 1;
        }
        taken.push(candidate.to_lowercase());
        out.push(candidate);
    }
    out
}

/// A name Excel accepts: no `[]:*?/\`, no leading/trailing apostrophe, at
/// most 31 characters, not blank, not the reserved "History".
pub fn sanitize_sheet_name(name: &str, index: usize) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let cleaned = truncate_utf16(cleaned.trim().trim_matches('\''), MAX_SHEET_NAME);
    let cleaned = cleaned.trim().trim_matches('\'').to_string();
    if cleaned.is_empty() {
        format!("Sheet{index}")
    } else if cleaned.eq_ignore_ascii_case("history") {
        format!("{cleaned}_")
    } else {
        cleaned
    }
}

/// The longest prefix of `s` that is at most `max` UTF-16 units.
fn truncate_utf16(s: &str, max: usize) -> String {
    let mut len = 0;
    let mut out = String::new();
    for c in s.chars() {
        len += c.len_utf16();
        if len > max {
            break;
        }
        out.push(c);
    }
    out
}

/// Cell text within Excel's limit.
fn cell_text(s: &str) -> String {
    if s.len() <= MAX_CELL_CHARS {
        s.to_string()
    } else {
        truncate_utf16(s, MAX_CELL_CHARS)
    }
}

/// Excel's serial number of a date in 1900-03-01 … 9999-12-31 (1900 date
/// system: days since 1899-12-30), as `write_datetime` would store it, without
/// building an `ExcelDateTime` for every cell.
fn excel_serial(d: chrono::NaiveDate) -> Option<f64> {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let first = chrono::NaiveDate::from_ymd_opt(1900, 3, 1)?;
    let last = chrono::NaiveDate::from_ymd_opt(9999, 12, 31)?;
    (first..=last)
        .contains(&d)
        .then(|| (d - epoch).num_days() as f64)
}

fn row_num(i: usize) -> Result<u32, XlsxError> {
    u32::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)
}

fn col_num(i: usize) -> Result<u16, XlsxError> {
    u16::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)
}

/// Column of the hidden sheet holding the `j`-th long dropdown list (column A
/// holds the hidden lines, B stays empty).
fn list_col(j: usize) -> Result<u16, XlsxError> {
    col_num(j + 2)
}

/// Dropdown lists too long for an inline validation, written to the hidden
/// sheet and referred to by range.
struct ListArea {
    sheet: String,
    lists: Vec<Vec<String>>,
}

impl ListArea {
    fn new(sheet: String) -> Self {
        ListArea {
            sheet,
            lists: Vec::new(),
        }
    }

    /// The range formula for `choices`, storing them if not stored yet.
    fn formula(&mut self, choices: &[String]) -> Result<String, XlsxError> {
        let j = match self.lists.iter().position(|l| l == choices) {
            Some(j) => j,
            None => {
                self.lists.push(choices.to_vec());
                self.lists.len() - 1
            }
        };
        let col = column_letters(list_col(j)?);
        Ok(format!(
            "={}!${col}$1:${col}${}",
            quote_sheet_name(&self.sheet),
            choices.len().max(1)
        ))
    }
}

fn column_letters(col: u16) -> String {
    crate::text::column_letter(usize::from(col))
}

// ---------------------------------------------------------------------------
// Display texts and widths

fn round(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

fn group(digits: &str) -> String {
    crate::text::group_thousands(digits)
}

/// Decimals `ColKind::Number` shows for `d`: 0, 1 or 2.
fn number_decimals(d: Decimal) -> usize {
    (round(d, 2).normalize().scale() as usize).min(2)
}

/// The text Excel will show for a value in a column of `kind`, for widths.
fn display_text(kind: ColKind, value: &Value) -> String {
    let number = match value {
        Value::Empty => return String::new(),
        Value::Text(s) => return s.clone(),
        Value::Date(d) => return d.format("%Y-%m-%d").to_string(),
        Value::Number(d) | Value::Sum(d) => *d,
        Value::Int(i) => Decimal::from(*i),
    };
    match kind {
        ColKind::Money => {
            let s = group(&format!("{:.2}", round(number, 2)));
            match s.strip_prefix('-') {
                Some(rest) => format!("-¥{rest}"),
                None => format!("¥{s}"),
            }
        }
        ColKind::Number => {
            let dp = number_decimals(number);
            group(&format!("{:.dp$}", round(number, dp as u32)))
        }
        ColKind::Integer => group(&format!("{:.0}", round(number, 0))),
        ColKind::Percent => format!("{:.1}%", round(number * Decimal::ONE_HUNDRED, 1)),
        ColKind::Ratio => format!("{:.3}", round(number, 3)),
        ColKind::Score => format!("{:.1}", round(number, 1)),
        ColKind::Index => format!("{:.0}", round(number, 0)),
        // A number in a text column shows as General: up to ~11 characters.
        ColKind::Text | ColKind::LongText | ColKind::Grade | ColKind::Date => {
            let s = number.normalize().to_string();
            if s.len() > 11 {
                "0.000000E+00".to_string()
            } else {
                s
            }
        }
    }
}

/// The number of characters of [`display_text`], without formatting: the
/// widths of numbers follow from their digits, sign and the column's format.
fn shown_chars(kind: ColKind, value: &Value) -> usize {
    use chrono::Datelike;
    match value {
        Value::Empty => 0,
        Value::Text(s) => s.chars().count(),
        Value::Date(d) if (0..=9999).contains(&d.year()) => 10,
        Value::Number(d) | Value::Sum(d) => number_chars(kind, *d),
        Value::Int(i) => number_chars(kind, Decimal::from(*i)),
        Value::Date(_) => display_text(kind, value).chars().count(),
    }
}

/// Characters a decimal shows with `prec` decimals: sign, integer digits
/// (grouped by thousands when `grouped`), point and decimals.
fn fixed_chars(d: Decimal, prec: usize, grouped: bool) -> usize {
    let scale = d.scale() as usize;
    let digits = d
        .mantissa()
        .unsigned_abs()
        .checked_ilog10()
        .map_or(0, |l| l as usize + 1);
    let int = digits.saturating_sub(scale).max(1);
    let commas = if grouped { (int - 1) / 3 } else { 0 };
    usize::from(d.is_sign_negative()) + int + commas + if prec > 0 { prec + 1 } else { 0 }
}

fn number_chars(kind: ColKind, n: Decimal) -> usize {
    match kind {
        ColKind::Money => 1 + fixed_chars(round(n, 2), 2, true),
        ColKind::Number => {
            let dp = number_decimals(n);
            fixed_chars(round(n, dp as u32), dp, true)
        }
        ColKind::Integer => fixed_chars(round(n, 0), 0, true),
        ColKind::Percent => fixed_chars(round(n * Decimal::ONE_HUNDRED, 1), 1, false) + 1,
        ColKind::Ratio => fixed_chars(round(n, 3), 3, false),
        ColKind::Score => fixed_chars(round(n, 1), 1, false),
        ColKind::Index => fixed_chars(round(n, 0), 0, false),
        ColKind::Text | ColKind::LongText | ColKind::Grade | ColKind::Date => {
            display_text(kind, &Value::Number(n)).chars().count()
        }
    }
}

/// [`text_width`] of [`display_text`]: number and date texts are one line of
/// narrow characters.
fn shown_width(kind: ColKind, value: &Value) -> usize {
    match value {
        Value::Text(s) => text_width(s),
        _ => shown_chars(kind, value),
    }
}

/// Points a line of this text takes.
fn line_height(text: &str) -> f64 {
    if display_width(text) > text.chars().count() {
        CJK_LINE_HEIGHT
    } else {
        LINE_HEIGHT
    }
}

/// Widest line of a (possibly multi-line) text.
fn text_width(s: &str) -> usize {
    s.lines().map(display_width).max().unwrap_or(0)
}

/// Width of a character in column units (the width of a digit) as Excel
/// and LibreOffice draw it in the default 11pt font: CJK glyphs are a little
/// over two digits, lower-case letters a little under one.
fn char_units(c: char) -> f64 {
    if display_width(c.encode_utf8(&mut [0; 4])) == 2 {
        2.1
    } else if c == ' ' {
        0.5
    } else if c.is_ascii_uppercase() || c == '%' || c == '¥' {
        1.15
    } else if c.is_ascii_digit() {
        1.0
    } else {
        0.9
    }
}

/// Bold text is wider.
const BOLD: f64 = 1.1;

/// Pieces a text wraps between: words, and single wide characters, with
/// their widths in column units and whether a space precedes them.
fn wrap_pieces(line: &str, scale: f64) -> Vec<(f64, bool)> {
    let mut out = Vec::new();
    for_each_piece(line, scale, |w, spaced| out.push((w, spaced)));
    out
}

/// Calls `f` with each of [`wrap_pieces`] in turn, allocating nothing.
fn for_each_piece(line: &str, scale: f64, mut f: impl FnMut(f64, bool)) {
    for word in line.split_whitespace() {
        let mut first = true;
        let mut run = 0.0;
        for c in word.chars() {
            let w = char_units(c) * scale;
            if w > 2.0 * scale {
                if run > 0.0 {
                    f(run, first);
                    first = false;
                    run = 0.0;
                }
                f(w, first);
                first = false;
            } else {
                run += w;
            }
        }
        if run > 0.0 {
            f(run, first);
        }
    }
}

/// Column units a character takes at most, per byte of its UTF-8 form.
const MAX_UNITS_PER_BYTE: f64 = 1.15;

/// Lines a text takes when wrapped in `capacity` column units.
fn wrapped_lines(text: &str, capacity: f64, scale: f64) -> usize {
    let capacity = capacity.max(1.0);
    let space = char_units(' ') * scale;
    let mut total = 0;
    for line in text.split('\n') {
        // A line that cannot fill the width, however wide its characters.
        if line.len() as f64 * MAX_UNITS_PER_BYTE * scale + 0.01 < capacity {
            total += 1;
            continue;
        }
        let mut lines = 1;
        let mut used = 0.0;
        for_each_piece(line, scale, |w, spaced| {
            let add = w + if spaced && used > 0.0 { space } else { 0.0 };
            if used > 0.0 && used + add > capacity {
                // A new line; a word longer than a line is broken.
                lines += 1;
                used = 0.0;
            }
            if used == 0.0 && w > capacity {
                let extra = (w / capacity).ceil() as usize - 1;
                lines += extra;
                used = w - extra as f64 * capacity;
            } else {
                used += if used > 0.0 { add } else { w };
            }
        });
        total += lines;
    }
    total
}

/// Column units a wrapped line holds in a column `width` wide (the rest is
/// the cell's margins).
fn wrap_capacity(width: f64) -> f64 {
    (width - 1.0).max(1.0)
}

/// Width (column units, before padding) a bold header needs to fit on at
/// most two lines without breaking a word.
fn header_width(header: &str) -> f64 {
    let parts: Vec<&str> = header.split('\n').collect();
    let pieces: Vec<(f64, bool)> = parts.iter().flat_map(|p| wrap_pieces(p, BOLD)).collect();
    let longest = pieces.iter().map(|p| p.0).fold(0.0, f64::max);
    let line_width = |p: &str| -> f64 {
        wrap_pieces(p, BOLD)
            .iter()
            .enumerate()
            .map(|(i, (w, spaced))| w + if *spaced && i > 0 { BOLD * 0.5 } else { 0.0 })
            .sum()
    };
    let full = parts.iter().map(|p| line_width(p)).fold(0.0, f64::max);
    if parts.len() >= 2 {
        return full;
    }
    let mut w = (full / 2.0).max(longest);
    while w < full && wrapped_lines(header, w, BOLD) > 2 {
        w += 0.5;
    }
    w.min(full)
}

/// Whether values of this kind are numbers that must fit their column.
fn is_numeric(kind: ColKind) -> bool {
    matches!(
        kind,
        ColKind::Money
            | ColKind::Number
            | ColKind::Integer
            | ColKind::Percent
            | ColKind::Ratio
            | ColKind::Score
            | ColKind::Date
            | ColKind::Index
    )
}

/// The widest a column may be made for its texts.
fn col_max_width(col: &Column) -> f64 {
    col.max_width.unwrap_or(if col.kind == ColKind::LongText {
        MAX_LONG_WIDTH
    } else {
        MAX_WIDTH
    })
}

/// The width (in characters) a table's column wants, and whether its text
/// wraps at that width.
fn column_width(col: &Column, values: impl Iterator<Item = usize>, numbers: usize) -> f64 {
    let content = (values.max().unwrap_or(0) as f64).max(header_width(&col.header) - 1.0);
    let max = col_max_width(col);
    let mut min = MIN_WIDTH;
    if let Some(choices) = &col.editable {
        min = if choices.is_empty() {
            MIN_FREE_EDIT_WIDTH
        } else {
            MIN_EDIT_WIDTH
        };
    }
    let w = (content + PADDING).min(max).max(min.min(max));
    // Numbers never show #####.
    w.max(numbers as f64 + PADDING).max(1.0)
}

/// Widths of one table's columns.
#[cfg(test)]
fn table_widths(table: &Table) -> Vec<f64> {
    measure_table(table).iter().map(|m| m.width).collect()
}

/// What measuring a table column found.
#[derive(Debug, Clone, Copy)]
struct ColMeasure {
    /// The width the column wants.
    width: f64,
    /// The widest shown text ([`shown_width`]); a lower bound when `capped`.
    widest: usize,
    /// Measuring stopped early: the text already filled the widest width the
    /// column may have.
    capped: bool,
}

fn table_cells(table: &Table, c: usize) -> impl Iterator<Item = &Value> {
    table
        .rows
        .iter()
        .chain(table.total.as_ref())
        .filter_map(move |r| r.get(c))
}

/// Widths of one table's columns. Numbers are measured from their digits;
/// texts only until one fills the column's widest width, since the width is
/// clamped there anyway.
fn measure_table(table: &Table) -> Vec<ColMeasure> {
    table
        .columns
        .iter()
        .enumerate()
        .map(|(c, col)| {
            let numeric = is_numeric(col.kind);
            let cap = col_max_width(col).ceil().max(0.0) as usize;
            let (mut numbers, mut widest) = (0, 0);
            for v in table_cells(table, c) {
                match v {
                    Value::Empty => {}
                    Value::Text(s) => {
                        if widest < cap {
                            widest = widest.max(text_width(s));
                        }
                    }
                    _ if numeric => {
                        let n = shown_chars(col.kind, v);
                        numbers = numbers.max(n);
                        widest = widest.max(n);
                    }
                    _ => {
                        if widest < cap {
                            widest = widest.max(shown_width(col.kind, v));
                        }
                    }
                }
            }
            let capped = widest >= cap;
            ColMeasure {
                width: column_width(col, std::iter::once(widest), numbers),
                widest,
                capped,
            }
        })
        .collect()
}

/// Whether some shown text of column `c` is wider than `width` allows on
/// one line.
fn column_wraps(table: &Table, c: usize, kind: ColKind, m: &ColMeasure, width: f64) -> bool {
    if m.widest as f64 + 1.0 > width {
        return true;
    }
    if !m.capped {
        return false;
    }
    // The column grew beyond its own widest width (another table, or its
    // numbers): measure every text.
    table_cells(table, c).any(|v| shown_width(kind, v) as f64 + 1.0 > width)
}

/// Pixels of a column `chars` wide (Calibri 11: 7 px a character + 5).
fn width_px(chars: f64) -> u32 {
    (chars * 7.0 + 5.0).round() as u32
}

// ---------------------------------------------------------------------------
// Formats

fn thin_box(f: Format) -> Format {
    f.set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(BORDER_COLOR))
}

fn fill(f: Format, rgb: u32) -> Format {
    f.set_pattern(FormatPattern::Solid)
        .set_background_color(Color::RGB(rgb))
}

fn tier_fill(index: usize, tiers: usize) -> u32 {
    if tiers >= 2 && index + 1 == tiers {
        FLOOR_FILL
    } else {
        TIER_FILLS[index % TIER_FILLS.len()]
    }
}

fn kind_format(kind: ColKind, wrap: bool) -> Format {
    let f = Format::new().set_align(FormatAlign::VerticalCenter);
    match kind {
        ColKind::Text | ColKind::LongText => {
            let f = f.set_align(FormatAlign::Left);
            if wrap {
                f.set_text_wrap()
            } else {
                f
            }
        }
        ColKind::Money => f.set_num_format(FMT_MONEY),
        ColKind::Number => f.set_num_format(FMT_NUMBER[2]),
        ColKind::Integer => f.set_num_format(FMT_INTEGER),
        ColKind::Percent => f.set_num_format(FMT_PERCENT),
        ColKind::Ratio => f.set_num_format(FMT_RATIO),
        ColKind::Score => f.set_num_format(FMT_SCORE),
        ColKind::Date => f.set_num_format(FMT_DATE).set_align(FormatAlign::Center),
        ColKind::Grade => f.set_bold().set_align(FormatAlign::Center),
        ColKind::Index => f.set_num_format(FMT_INDEX).set_align(FormatAlign::Center),
    }
}

/// Formats of one table column: body cell, total cell.
struct ColFormats {
    body: CellFormats,
    total: CellFormats,
}

/// The formats a cell of one column and role takes, by its value: built
/// once per table rather than per cell.
struct CellFormats {
    plain: Format,
    /// `ColKind::Number` values by the decimals they show.
    numbers: [Format; 3],
    date: Format,
    /// Grade cells filled with their tier's colour (empty: not coloured).
    tiers: Vec<Format>,
}

impl CellFormats {
    fn new(plain: Format, tiers: Option<&[String]>) -> Self {
        let tiers = tiers.map_or_else(Vec::new, |names| {
            (0..names.len())
                .map(|i| fill(plain.clone(), tier_fill(i, names.len())))
                .collect()
        });
        CellFormats {
            numbers: FMT_NUMBER.map(|n| plain.clone().set_num_format(n)),
            date: plain.clone().set_num_format(FMT_DATE),
            tiers,
            plain,
        }
    }
}

fn col_formats(col: &Column, wrap: bool, tiers: &[String]) -> ColFormats {
    let base = thin_box(kind_format(col.kind, wrap));
    let body = match &col.editable {
        Some(_) => fill(base.clone(), EDIT_FILL).set_unlocked(),
        None => base.clone(),
    };
    let total = base
        .set_bold()
        .set_border_top(FormatBorder::Double)
        .set_border_top_color(Color::Black);
    // Grade cells are coloured by tier, except where they are to be edited.
    let colour = (col.kind == ColKind::Grade && col.editable.is_none()).then_some(tiers);
    ColFormats {
        body: CellFormats::new(body, colour),
        total: CellFormats::new(total, None),
    }
}

fn header_format() -> Format {
    thin_box(Format::new())
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_pattern(FormatPattern::Solid)
        .set_background_color(Color::RGB(HEADER_FILL))
}

/// Axis labels for a chart series of this kind.
fn axis_format(kind: ColKind) -> &'static str {
    match kind {
        ColKind::Money => "¥#,##0",
        ColKind::Percent => "0%",
        ColKind::Ratio | ColKind::Score => "0.0",
        _ => "#,##0",
    }
}

/// `&` is a code character in headers and footers.
fn escape_header_text(s: &str) -> String {
    s.replace('&', "&&")
}

/// A header/footer string within Excel's 255-character limit: `prefix` +
/// as much of `text` as fits, never ending inside an `&&` pair or a code.
fn header_string(prefix: &str, text: &str) -> String {
    let room = MAX_HEADER_CHARS.saturating_sub(prefix.encode_utf16().count());
    let mut body = truncate_utf16(text, room);
    // Drop a dangling '&' left by the cut.
    let trailing = body.chars().rev().take_while(|&c| c == '&').count();
    if trailing % 2 == 1 {
        body.pop();
    }
    format!("{prefix}{body}")
}

// ---------------------------------------------------------------------------
// Sheets

/// Where a table landed, for charts.
struct Placed {
    header_row: u32,
    body_rows: Option<(u32, u32)>,
    ncols: usize,
    kinds: Vec<ColKind>,
    width_px: u32,
}

struct SheetWriter<'a> {
    ws: &'a mut Worksheet,
    name: &'a str,
    book: &'a Book,
    lists: &'a mut ListArea,
    widths: Vec<f64>,
    /// Columns titles and text lines are merged across.
    span: u16,
    row: u32,
    placed: HashMap<String, Placed>,
    /// The body rows of the table being written, for its `SUM` totals.
    body_rows: Option<(u32, u32)>,
    /// Rows that start a new printed page.
    breaks: Vec<u32>,
}

impl<'a> SheetWriter<'a> {
    fn new(ws: &'a mut Worksheet, name: &'a str, book: &'a Book, lists: &'a mut ListArea) -> Self {
        SheetWriter {
            ws,
            name,
            book,
            lists,
            widths: Vec::new(),
            span: 1,
            row: 0,
            placed: HashMap::new(),
            body_rows: None,
            breaks: Vec::new(),
        }
    }

    fn write(mut self, sheet: &Sheet) -> Result<(), XlsxError> {
        let tables: Vec<&Table> = sheet
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .collect();
        let main = tables
            .iter()
            .find(|t| t.main)
            .or_else(|| tables.iter().max_by_key(|t| t.columns.len()))
            .copied();
        let measures: Vec<Vec<ColMeasure>> = tables.iter().map(|t| measure_table(t)).collect();
        for m in &measures {
            for (c, m) in m.iter().enumerate() {
                if c >= self.widths.len() {
                    self.widths.resize(c + 1, MIN_WIDTH);
                }
                self.widths[c] = self.widths[c].max(m.width);
            }
        }
        for (c, w) in self.widths.iter().enumerate() {
            self.ws.set_column_width(col_num(c)?, *w)?;
        }
        self.span = col_num(main.map_or(1, |t| t.columns.len()).max(1))?;

        // Title, subtitle, gap.
        let title = Format::new()
            .set_bold()
            .set_font_size(16)
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter);
        self.merged_line(&sheet.title, &title)?;
        self.ws.set_row_height(0, 28)?;
        for line in &sheet.subtitle {
            self.text_line(line)?;
        }
        self.row += 1;

        let mut main_header = None;
        let mut measures = measures.iter();
        for block in &sheet.blocks {
            match block {
                Block::Heading(h) => {
                    let f = Format::new()
                        .set_bold()
                        .set_font_size(12)
                        .set_align(FormatAlign::VerticalCenter);
                    self.ws
                        .write_string_with_format(self.row, 0, cell_text(h), &f)?;
                    self.ws.set_row_height(self.row, 20)?;
                    self.row += 1;
                }
                Block::Text(lines) => {
                    for line in lines {
                        self.text_line(line)?;
                    }
                }
                Block::Gap => self.row += 1,
                Block::Table(t) => {
                    let header = self.table(t, measures.next().map_or(&[], |m| m))?;
                    if t.main && main_header.is_none() {
                        main_header = Some(header);
                        self.main_table_setup(t, header, &sheet.page)?;
                    }
                }
                Block::Chart(c) => self.chart(c)?,
                Block::PageBreak => self.breaks.push(self.row),
            }
        }
        // Excel keeps at most 1,023 manual page breaks.
        self.breaks.truncate(MAX_PAGE_BREAKS);
        self.ws.set_page_breaks(&self.breaks)?;

        if let Some(labels) = &sheet.page.signature {
            self.signature(labels)?;
        }
        self.page_setup(sheet)?;
        Ok(())
    }

    /// Total width in characters of the first `span` columns.
    fn span_chars(&self) -> f64 {
        (0..usize::from(self.span))
            .map(|c| self.widths.get(c).copied().unwrap_or(8.43))
            .sum()
    }

    /// A line written across the span, wrapped, the row as tall as needed.
    fn merged_line(&mut self, text: &str, format: &Format) -> Result<(), XlsxError> {
        let text = cell_text(text);
        if self.span > 1 {
            self.ws
                .merge_range(self.row, 0, self.row, self.span - 1, &text, format)?;
        } else {
            self.ws
                .write_string_with_format(self.row, 0, &text, format)?;
        }
        self.row += 1;
        Ok(())
    }

    /// A subtitle or note line: merged across the span and wrapped when longer.
    fn text_line(&mut self, text: &str) -> Result<(), XlsxError> {
        if self.span <= 1 {
            // No table to align with: let the text run to the right.
            self.ws.write_string(self.row, 0, cell_text(text))?;
            self.row += 1;
            return Ok(());
        }
        let span = self.span_chars();
        let lines = wrapped_lines(text, wrap_capacity(span), 1.0);
        let f = Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Left)
            .set_align(FormatAlign::VerticalCenter);
        let row = self.row;
        self.merged_line(text, &f)?;
        if lines > 1 {
            self.ws
                .set_row_height(row, lines as f64 * LINE_HEIGHT + 2.0)?;
        }
        Ok(())
    }

    /// Writes a table at the cursor; returns its header row.
    fn table(&mut self, t: &Table, measures: &[ColMeasure]) -> Result<u32, XlsxError> {
        let header_row = self.row;
        let hf = header_format();
        let mut header_lines = 2;
        for (c, col) in t.columns.iter().enumerate() {
            let cn = col_num(c)?;
            self.ws
                .write_string_with_format(header_row, cn, cell_text(&col.header), &hf)?;
            let w = self.widths.get(c).copied().unwrap_or(MIN_WIDTH);
            header_lines = header_lines.max(wrapped_lines(&col.header, wrap_capacity(w), BOLD));
        }
        self.ws
            .set_row_height(header_row, header_lines as f64 * CJK_LINE_HEIGHT + 4.0)?;
        self.row += 1;

        // Columns whose text wraps, with the characters a line holds.
        let wraps: Vec<Option<f64>> = t
            .columns
            .iter()
            .enumerate()
            .map(|(c, col)| {
                let w = self.widths.get(c).copied().unwrap_or(MIN_WIDTH);
                let wrap = col.kind == ColKind::LongText
                    || match measures.get(c) {
                        Some(m) => column_wraps(t, c, col.kind, m, w),
                        None => {
                            table_cells(t, c).any(|v| shown_width(col.kind, v) as f64 + 1.0 > w)
                        }
                    };
                wrap.then(|| wrap_capacity(w))
            })
            .collect();
        let wrap_cols: Vec<(usize, ColKind, f64)> = t
            .columns
            .iter()
            .zip(&wraps)
            .enumerate()
            .filter_map(|(c, (col, wrap))| wrap.map(|w| (c, col.kind, w)))
            .collect();
        let formats: Vec<ColFormats> = t
            .columns
            .iter()
            .zip(&wraps)
            .map(|(col, wrap)| col_formats(col, wrap.is_some(), &self.book.tiers))
            .collect();

        let first_body = self.row;
        let mut buf = String::new();
        for r in &t.rows {
            for (c, col) in t.columns.iter().enumerate() {
                let v = r.get(c).unwrap_or(&Value::Empty);
                self.cell(c, col, v, &formats[c].body, &mut buf)?;
            }
            self.fit_row_height(r, &wrap_cols)?;
            self.row += 1;
        }
        let body_rows = (!t.rows.is_empty()).then(|| (first_body, self.row - 1));
        self.body_rows = body_rows;
        if let Some(total) = &t.total {
            for (c, col) in t.columns.iter().enumerate() {
                let v = total.get(c).unwrap_or(&Value::Empty);
                self.cell(c, col, v, &formats[c].total, &mut buf)?;
            }
            self.fit_row_height(total, &wrap_cols)?;
            self.row += 1;
        }

        // Dropdowns over editable body columns.
        if let Some((first, last)) = body_rows {
            for (c, col) in t.columns.iter().enumerate() {
                if let Some(choices) = col.editable.as_ref().filter(|ch| !ch.is_empty()) {
                    let dv = self.dropdown(choices)?;
                    self.ws
                        .add_data_validation(first, col_num(c)?, last, col_num(c)?, &dv)?;
                }
            }
        }

        let width_px = (0..t.columns.len())
            .map(|c| width_px(self.widths.get(c).copied().unwrap_or(MIN_WIDTH)))
            .sum();
        self.placed.insert(
            t.id.clone(),
            Placed {
                header_row,
                body_rows,
                ncols: t.columns.len(),
                kinds: t.columns.iter().map(|c| c.kind).collect(),
                width_px,
            },
        );
        Ok(header_row)
    }

    /// Sets the current row tall enough for its wrapped cells (applications
    /// do not all re-measure rows on opening, LibreOffice does not).
    /// `wrap_cols`: the columns whose text wraps, with their kind and the
    /// characters a line holds; no other cell can take more than a line.
    fn fit_row_height(
        &mut self,
        row: &[Value],
        wrap_cols: &[(usize, ColKind, f64)],
    ) -> Result<(), XlsxError> {
        let mut height: f64 = 0.0;
        for &(c, kind, capacity) in wrap_cols {
            let Some(v) = row.get(c) else { continue };
            let shown;
            let text = match v {
                Value::Empty => continue,
                Value::Text(s) => s.as_str(),
                _ => {
                    shown = display_text(kind, v);
                    shown.as_str()
                }
            };
            let lines = wrapped_lines(text, capacity, 1.0);
            if lines > 1 {
                height = height.max(lines as f64 * line_height(text) + 2.0);
            }
        }
        if height > 0.0 {
            self.ws.set_row_height(self.row, height)?;
        }
        Ok(())
    }

    fn dropdown(&mut self, choices: &[String]) -> Result<DataValidation, XlsxError> {
        let joined: usize = choices
            .iter()
            .map(|s| s.replace('"', "\"\"").encode_utf16().count() + 1)
            .sum::<usize>()
            .saturating_sub(1);
        let inline_ok = joined <= MAX_HEADER_CHARS && !choices.iter().any(|c| c.contains(','));
        if inline_ok {
            if let Ok(dv) = DataValidation::new().allow_list_strings(choices) {
                return Ok(dv);
            }
        }
        let formula = self.lists.formula(choices)?;
        Ok(DataValidation::new().allow_list_formula(Formula::new(formula)))
    }

    /// One cell in the format `formats` gives its value; `buf` is scratch
    /// space for number texts.
    fn cell(
        &mut self,
        c: usize,
        col: &Column,
        v: &Value,
        formats: &CellFormats,
        buf: &mut String,
    ) -> Result<(), XlsxError> {
        use std::fmt::Write;
        let (row, cn) = (self.row, col_num(c)?);
        let format = match (col.kind, v) {
            (ColKind::Grade, Value::Text(s)) if !formats.tiers.is_empty() => {
                match self.book.tiers.iter().position(|t| t == s) {
                    Some(i) => &formats.tiers[i],
                    None => &formats.plain,
                }
            }
            (ColKind::Number, Value::Number(d) | Value::Sum(d)) => {
                &formats.numbers[number_decimals(*d)]
            }
            (ColKind::Number, Value::Int(_)) => &formats.numbers[0],
            (_, Value::Date(_)) => &formats.date,
            _ => &formats.plain,
        };
        match v {
            Value::Empty => {
                self.ws.write_blank(row, cn, format)?;
            }
            Value::Text(s) => {
                self.ws
                    .write_string_with_format(row, cn, cell_text(s), format)?;
            }
            Value::Number(d) => {
                buf.clear();
                let _ = write!(buf, "{d}");
                match buf.parse::<f64>() {
                    Ok(x) if x.is_finite() => {
                        self.ws.write_number_with_format(row, cn, x, format)?;
                    }
                    _ => {
                        self.ws
                            .write_string_with_format(row, cn, buf.as_str(), format)?;
                    }
                }
            }
            Value::Int(i) => {
                self.ws
                    .write_number_with_format(row, cn, *i as f64, format)?;
            }
            Value::Sum(d) => self.sum(cn, *d, format, buf)?,
            Value::Date(d) => {
                use chrono::Datelike;
                if let Some(serial) = excel_serial(*d) {
                    self.ws.write_number_with_format(row, cn, serial, format)?;
                    return Ok(());
                }
                let excel = u16::try_from(d.year())
                    .ok()
                    .and_then(|y| ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8).ok());
                match excel {
                    Some(dt) => {
                        self.ws.write_datetime_with_format(row, cn, &dt, format)?;
                    }
                    None => {
                        let s = d.format("%Y-%m-%d").to_string();
                        self.ws.write_string_with_format(row, cn, s, format)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// A total: `=SUM(…)` over the table's body rows in this column, with
    /// `d` saved as its result; a plain number when the table has no rows.
    fn sum(
        &mut self,
        cn: u16,
        d: Decimal,
        format: &Format,
        buf: &mut String,
    ) -> Result<(), XlsxError> {
        use std::fmt::Write;
        buf.clear();
        let _ = write!(buf, "{}", d.normalize());
        let x = buf.parse::<f64>().unwrap_or(0.0);
        let Some((first, last)) = self.body_rows else {
            self.ws.write_number_with_format(self.row, cn, x, format)?;
            return Ok(());
        };
        let col = column_letters(cn);
        let formula = Formula::new(format!("=SUM({col}{}:{col}{})", first + 1, last + 1))
            .set_result(buf.as_str());
        self.ws
            .write_formula_with_format(self.row, cn, formula, format)?;
        Ok(())
    }

    fn main_table_setup(
        &mut self,
        t: &Table,
        header_row: u32,
        page: &crate::report::model::PageSetup,
    ) -> Result<(), XlsxError> {
        let ncols = col_num(t.columns.len().max(1))?;
        let freeze_cols = page.freeze_columns.min(ncols);
        self.ws.set_freeze_panes(header_row + 1, freeze_cols)?;
        if t.autofilter && !t.columns.is_empty() {
            let last = header_row + row_num(t.rows.len())?;
            self.ws.autofilter(header_row, 0, last, ncols - 1)?;
        }
        if page.repeat_header {
            self.ws.set_repeat_rows(header_row, header_row)?;
        }
        Ok(())
    }

    /// A clustered column chart of a placed table, below the cursor.
    fn chart(&mut self, chart: &Chart) -> Result<(), XlsxError> {
        let Some(placed) = self.placed.get(&chart.table_id) else {
            return Ok(());
        };
        let Some((first, last)) = placed.body_rows else {
            return Ok(());
        };
        let ncols = placed.ncols;
        let valid = |c: usize| c < ncols;
        let series: Vec<u16> = chart
            .series
            .iter()
            .copied()
            .filter(|&c| valid(c))
            .filter_map(|c| col_num(c).ok())
            .collect();
        if series.is_empty() || !valid(chart.categories) {
            return Ok(());
        }
        let cat = col_num(chart.categories)?;
        let name = self.name;
        let hr = placed.header_row;

        let mut columns = XlsxChart::new(ChartType::Column);
        columns
            .add_series()
            .set_name((name, hr, series[0]))
            .set_categories((name, first, cat, last, cat))
            .set_values((name, first, series[0], last, series[0]));
        if series.len() > 1 {
            let mut line = XlsxChart::new(ChartType::Line);
            for &s in &series[1..] {
                line.add_series()
                    .set_name((name, hr, s))
                    .set_categories((name, first, cat, last, cat))
                    .set_values((name, first, s, last, s))
                    .set_secondary_axis(true);
            }
            columns.combine(&line);
        }
        columns.y_axis().set_min(0);
        columns
            .y_axis()
            .set_num_format(axis_format(placed.kinds[usize::from(series[0])]));
        if let Some(&s) = series.get(1) {
            columns.y2_axis().set_min(0);
            columns
                .y2_axis()
                .set_num_format(axis_format(placed.kinds[usize::from(s)]));
        }
        let title = chart.title.trim_start_matches('=');
        if !title.is_empty() {
            columns.title().set_name(title);
        }
        columns
            .legend()
            .set_position(rust_xlsxwriter::ChartLegendPosition::Bottom);
        let width = placed.width_px.clamp(480, 720);
        columns.set_width(width).set_height(CHART_HEIGHT_PX);
        self.ws
            .insert_chart_with_offset(self.row, 0, &columns, 4, 4)?;
        self.row += CHART_HEIGHT_PX.div_ceil(ROW_PX) + 1;
        Ok(())
    }

    /// Labels spread across the span, each followed by a line to sign on.
    fn signature(&mut self, labels: &[String]) -> Result<(), XlsxError> {
        if labels.is_empty() {
            return Ok(());
        }
        self.row += 1;
        let row = self.row;
        let label_f = Format::new()
            .set_bold()
            .set_align(FormatAlign::Right)
            .set_align(FormatAlign::Bottom);
        let line_f = Format::new().set_border_bottom(FormatBorder::Thin);
        let span = usize::from(self.span);
        let n = labels.len();
        if span < 2 * n {
            let text = labels
                .iter()
                .map(|l| format!("{l}__________"))
                .collect::<Vec<_>>()
                .join("    ");
            let f = label_f.clone().set_align(FormatAlign::Left);
            self.ws
                .write_string_with_format(row, 0, cell_text(&text), &f)?;
        } else {
            let group = span / n;
            for (i, label) in labels.iter().enumerate() {
                let start = i * group;
                let end = start + group - 1; // last column of the group: a gap
                                             // Columns the label needs.
                let need = display_width(label) as f64 + 1.0;
                let mut label_end = start;
                let mut have = self.widths.get(start).copied().unwrap_or(MIN_WIDTH);
                while have < need && label_end + 1 < end {
                    label_end += 1;
                    have += self.widths.get(label_end).copied().unwrap_or(MIN_WIDTH);
                }
                if label_end > start {
                    self.ws.merge_range(
                        row,
                        col_num(start)?,
                        row,
                        col_num(label_end)?,
                        &cell_text(label),
                        &label_f,
                    )?;
                } else {
                    self.ws.write_string_with_format(
                        row,
                        col_num(start)?,
                        cell_text(label),
                        &label_f,
                    )?;
                }
                let line_end = if end > label_end + 1 { end - 1 } else { end };
                for c in label_end + 1..=line_end {
                    self.ws.write_blank(row, col_num(c)?, &line_f)?;
                }
            }
        }
        self.ws.set_row_height(row, 30)?;
        self.row += 1;
        Ok(())
    }

    fn page_setup(&mut self, sheet: &Sheet) -> Result<(), XlsxError> {
        let page = &sheet.page;
        let ws = &mut *self.ws;
        ws.set_paper_size(9); // A4
        if page.landscape {
            ws.set_landscape();
        }
        ws.set_print_fit_to_pages(1, 0);
        // Excel's "Narrow" margins (inches).
        ws.set_margins(0.25, 0.25, 0.75, 0.75, 0.3, 0.3);
        ws.set_print_center_horizontally(true);
        ws.set_print_gridlines(false);
        if !page.header.is_empty() {
            ws.set_header(header_string(
                "&C&\"-,Bold\"",
                &escape_header_text(&page.header),
            ));
        }
        if !page.footer.is_empty() {
            ws.set_footer(header_string("&C", &page.footer));
        }
        if page.protect {
            ws.protect_with_options(&ProtectionOptions {
                select_locked_cells: true,
                select_unlocked_cells: true,
                format_columns: true,
                format_rows: true,
                sort: true,
                use_autofilter: true,
                ..ProtectionOptions::default()
            });
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "xlsx_tests.rs"]
mod tests;
