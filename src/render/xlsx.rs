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
    quote_sheet_name, Color, ConditionalFormat2ColorScale, ConditionalFormatType, DataValidation,
    DocProperties, ExcelDateTime, Format, Formula, ProtectionOptions, Workbook, Worksheet,
    XlsxError,
};

use super::chart::{self, Cells, ChartInput, Series};
use super::page::{self, Keep};
use super::style::{
    self, col_formats, formats_key, FormatCache, Styles, CELL_PAD_PT, DIGIT_PX, HEADING_PT,
    LINE_PT, ROW_PT, SIGNATURE_PT, TITLE_PT,
};
use crate::report::model::{
    Block, Book, Chart, ColKind, Column, Deferred, NoParts, PageSetup, Paper, PartSource, Sheet,
    Table, Value,
};
use crate::text::display_width;

const MIN_WIDTH: f64 = 6.0;
const MAX_WIDTH: f64 = 50.0;
const MAX_LONG_WIDTH: f64 = 60.0;
/// Characters of padding added to each computed width.
const PADDING: f64 = 2.0;
/// Minimum width of an editable column, so there is room to write by hand on
/// the printed handout.
const MIN_EDIT_WIDTH: f64 = 10.0;
const MIN_FREE_EDIT_WIDTH: f64 = 16.0;
/// Charts: height, the room above one, between two side by side, and the
/// narrowest a chart is drawn (pixels).
const CHART_HEIGHT_PX: u32 = 300;
const CHART_TOP_PX: u32 = 6;
const CHART_GAP_PX: u32 = 12;
const MIN_CHART_PX: u32 = 320;
/// The height of a table's header row at least (points).
const HEADER_MIN_PT: f64 = 24.0;
/// Rows of a table printed with its heading when the table is longer than a page.
const KEEP_HEAD_ROWS: u32 = 3;
/// Excel's limit for a cell's text, in UTF-16 units.
const MAX_CELL_CHARS: usize = 32_767;
/// Excel's limit for a header/footer and for an inline list validation.
const MAX_HEADER_CHARS: usize = 255;
const MAX_SHEET_NAME: usize = 31;
/// Excel's limit of manual page breaks on a sheet.
pub const MAX_PAGE_BREAKS: usize = 1_023;
/// Name of the very hidden sheet holding long dropdown lists and chart
/// data when the book has no hidden sheet of its own.
const LISTS_SHEET: &str = "_lists";

/// Renders a book to xlsx bytes. Same Book → same bytes.
///
/// # Errors
/// Only when rust_xlsxwriter refuses the workbook (e.g. more rows than Excel
/// allows); texts, names, headers and lists that exceed Excel's limits are
/// shortened or moved rather than failing.
pub fn xlsx_bytes(book: &Book) -> anyhow::Result<Vec<u8>> {
    xlsx_bytes_with(book, &NoParts)
}

/// As [`xlsx_bytes`], the parts of the book's deferred blocks made by `parts`.
///
/// # Errors
/// As [`xlsx_bytes`], and when `parts` has no part a deferred block names.
pub fn xlsx_bytes_with(book: &Book, parts: &dyn PartSource) -> anyhow::Result<Vec<u8>> {
    render(book, parts, STREAM_ROWS, &|| {})?
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
    write_xlsx_then(book, &NoParts, file, &|| {})
}

/// As [`write_xlsx`], the parts of the book's deferred blocks made by
/// `parts`; `core_free` is called (once or more) as soon as writing the
/// sheets no longer keeps every core busy (a thread has no sheet left), and
/// at the latest once every cell is written, before the workbook is
/// assembled and compressed (on one thread) into `file`.
pub fn write_xlsx_then(
    book: &Book,
    parts: &dyn PartSource,
    file: &mut std::fs::File,
    core_free: &(dyn Fn() + Sync),
) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    let mut workbook = render(book, parts, STREAM_ROWS, core_free)?;
    core_free();
    workbook
        .save_to_writer(&mut out)
        .context("assembling the xlsx workbook")?;
    std::io::Write::flush(&mut out).context("writing the xlsx workbook")
}

/// The workbook of a book, sheets of more than `stream_rows` table rows
/// written in constant memory.
fn render(
    book: &Book,
    parts: &dyn PartSource,
    stream_rows: usize,
    core_free: &(dyn Fn() + Sync),
) -> anyhow::Result<Workbook> {
    render_in(book, parts, stream_rows, Order::Threads, core_free)
}

/// How the large sheets of a book are written: on threads of their own (the
/// product), or one after the other in either order (tests: the bytes must not
/// depend on which sheet is written first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    Threads,
    #[cfg(test)]
    Forward,
    #[cfg(test)]
    Backward,
}

fn render_in(
    book: &Book,
    parts: &dyn PartSource,
    stream_rows: usize,
    order: Order,
    core_free: &(dyn Fn() + Sync),
) -> anyhow::Result<Workbook> {
    let mut workbook = Workbook::new();
    // Every cell written without a format of its own is in the book's font.
    workbook
        .set_default_format(&style::base(), style::DEFAULT_ROW_PX, style::DEFAULT_COL_PX)
        .context("setting the workbook's font")?;
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
    let hidden_sheet = names
        .last()
        .filter(|_| book.hidden.is_some())
        .cloned()
        .unwrap_or_else(|| LISTS_SHEET.to_string());
    let mut hidden = HiddenArea::new(hidden_sheet);
    let styles = Styles::new();

    // Every sheet is added first, in order, so sheets can then be written in
    // any order (some on threads of their own) and still be where they belong.
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
    }
    let apart = threaded_sheets(book, stream_rows, order);
    for (i, (sheet, name)) in book.sheets.iter().zip(&names).enumerate() {
        if apart.contains(&i) {
            continue;
        }
        let ws = workbook.worksheet_from_index(i)?;
        SheetWriter::new(ws, name, book, &mut hidden, &styles)
            .streamed(table_rows(sheet) > stream_rows)
            .write(sheet, parts)
            .with_context(|| format!("writing sheet {name:?}"))?;
    }
    if !apart.is_empty() {
        let to = Apart {
            names: &names,
            sheets: &apart,
            styles: &styles,
            order,
            core_free,
        };
        write_apart(&mut workbook, book, parts, &to)?;
    }
    if book.sheets.is_empty() {
        // A workbook needs one visible sheet.
        workbook.add_worksheet();
    }

    let hidden_lines: &[String] = book.hidden.as_ref().map_or(&[], |h| &h.lines);
    if book.hidden.is_some() || !hidden.cols.is_empty() {
        let ws = workbook.add_worksheet();
        ws.set_name(hidden.sheet.as_str())
            .with_context(|| format!("naming sheet {:?}", hidden.sheet))?;
        for (i, line) in hidden_lines.iter().enumerate() {
            ws.write_string(row_num(i)?, 0, cell_text(line))?;
        }
        hidden.write(ws)?;
        ws.set_very_hidden(true);
    }
    Ok(workbook)
}

/// The sheets written apart from the others, on threads of their own: the
/// constant-memory sheets that store nothing on the hidden sheet (no charts,
/// no dropdown lists), when there are at least two of them and two cores.
fn threaded_sheets(book: &Book, stream_rows: usize, order: Order) -> Vec<usize> {
    if order == Order::Threads && crate::threads::cores(0) < 2 {
        return Vec::new();
    }
    let apart: Vec<usize> = (book.sheets.iter().enumerate())
        .filter(|(_, s)| table_rows(s) > stream_rows && !uses_hidden(s))
        .map(|(i, _)| i)
        .collect();
    if apart.len() < 2 {
        return Vec::new();
    }
    apart
}

/// Whether writing a sheet stores something on the hidden sheet (chart data,
/// a dropdown list), which the sheets share.
fn uses_hidden(sheet: &Sheet) -> bool {
    sheet.blocks.iter().any(block_uses_hidden)
}

/// Whether writing a block stores something on the hidden sheet (deferred
/// parts never do: [`deferred_part`] refuses them).
fn block_uses_hidden(b: &Block) -> bool {
    match b {
        Block::Chart(_) | Block::Charts(_) | Block::ChartData(_) => true,
        Block::Table(t) => t.columns.iter().any(|c| c.editable.is_some()),
        _ => false,
    }
}

/// The sheets written apart and what writing them needs.
#[derive(Clone, Copy)]
struct Apart<'a> {
    names: &'a [String],
    /// Indices into the book.
    sheets: &'a [usize],
    styles: &'a Styles,
    order: Order,
    /// Called when a thread has no sheet left to write.
    core_free: &'a (dyn Fn() + Sync),
}

/// Writes the sheets `apart` (indices into the book) on as many threads as
/// there are cores, largest first. Every format they can use is numbered
/// first, in sheet order, so the workbook's bytes do not depend on which
/// thread reaches a format first.
fn write_apart(
    workbook: &mut Workbook,
    book: &Book,
    parts: &dyn PartSource,
    to: &Apart,
) -> anyhow::Result<()> {
    let Apart {
        names,
        sheets: apart,
        styles,
        order,
        core_free,
    } = *to;
    register_formats(
        workbook,
        apart.iter().map(|&i| &book.sheets[i]),
        book,
        styles,
    );
    let mut jobs: Vec<(usize, &mut Worksheet)> = workbook
        .worksheets_mut()
        .iter_mut()
        .enumerate()
        .filter(|(i, _)| apart.contains(i))
        .collect();
    let write = |(i, ws): (usize, &mut Worksheet)| -> anyhow::Result<()> {
        // Nothing of these sheets goes to the hidden sheet (`uses_hidden`).
        let mut hidden = HiddenArea::new(String::new());
        let name = &names[i];
        // Every sheet written apart is streamed (`threaded_sheets`).
        SheetWriter::new(ws, name, book, &mut hidden, styles)
            .streamed(true)
            .write(&book.sheets[i], parts)
            .with_context(|| format!("writing sheet {name:?}"))
    };
    match order {
        Order::Threads => {}
        #[cfg(test)]
        Order::Forward => return jobs.into_iter().try_for_each(write),
        #[cfg(test)]
        Order::Backward => return jobs.into_iter().rev().try_for_each(write),
    }
    jobs.sort_by_key(|(i, _)| std::cmp::Reverse(table_rows(&book.sheets[*i])));
    let cores = crate::threads::cores(0);
    let queue = std::sync::Mutex::new(jobs.into_iter());
    let mut failures: Vec<(usize, anyhow::Error)> = Vec::new();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..cores.min(apart.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut failed = Vec::new();
                    loop {
                        let job = match queue.lock() {
                            Ok(mut q) => q.next(),
                            Err(_) => None,
                        };
                        let Some((i, ws)) = job else { break };
                        if let Err(e) = write((i, ws)) {
                            failed.push((i, e));
                        }
                    }
                    // No sheet left for this thread: its core is free.
                    core_free();
                    failed
                })
            })
            .collect();
        for w in workers {
            match w.join() {
                Ok(f) => failures.extend(f),
                Err(p) => std::panic::resume_unwind(p),
            }
        }
    });
    // The first sheet in the book's order that failed.
    failures.sort_by_key(|(i, _)| *i);
    match failures.into_iter().next() {
        Some((_, e)) => Err(e),
        None => Ok(()),
    }
}

/// Numbers every format the writer can give the cells of `sheets`, in a fixed
/// order: the roles' formats, then each table column's by kind, editability
/// and wrapping (wrapped or not: which one a table takes depends on its text).
fn register_formats<'b>(
    workbook: &mut Workbook,
    sheets: impl Iterator<Item = &'b Sheet>,
    book: &Book,
    styles: &Styles,
) {
    for f in [
        &styles.title,
        &styles.heading,
        &styles.note,
        &styles.header,
        &styles.signature_label,
        &styles.signature_line,
        &styles.signature_text(),
    ] {
        workbook.register_format(f);
    }
    let mut seen = std::collections::HashSet::new();
    for sheet in sheets {
        for b in &sheet.blocks {
            let columns = match b {
                Block::Table(t) => &t.columns,
                Block::Deferred(d) => &d.columns,
                _ => continue,
            };
            for col in columns {
                for wrap in [false, true] {
                    if !seen.insert(formats_key(col, wrap)) {
                        continue;
                    }
                    let f = col_formats(col, wrap, &book.tiers);
                    for cf in [&f.body, &f.total] {
                        let fixed = [&cf.plain, &cf.date].into_iter();
                        for format in fixed.chain(&cf.numbers).chain(&cf.tiers) {
                            workbook.register_format(format);
                        }
                    }
                }
            }
        }
    }
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
            Block::Deferred(d) => d.rows,
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

/// Column of the hidden sheet holding the `j`-th stored column (column A
/// holds the hidden lines, B stays empty).
fn list_col(j: usize) -> Result<u16, XlsxError> {
    col_num(j + 2)
}

/// Columns C, D, … of the very hidden sheet: dropdown lists too long for
/// an inline validation, referred to by range, and the tables only charts
/// read ([`Block::ChartData`]).
struct HiddenArea {
    sheet: String,
    cols: Vec<Vec<Value>>,
    /// The dropdown lists stored, with their column.
    lists: Vec<(Vec<String>, usize)>,
}

impl HiddenArea {
    fn new(sheet: String) -> Self {
        HiddenArea {
            sheet,
            cols: Vec::new(),
            lists: Vec::new(),
        }
    }

    /// Stores `cols` side by side; returns the sheet column of the first.
    fn add(&mut self, cols: Vec<Vec<Value>>) -> Result<u16, XlsxError> {
        let first = list_col(self.cols.len())?;
        self.cols.extend(cols);
        Ok(first)
    }

    /// The range formula for `choices`, storing them if not stored yet.
    fn formula(&mut self, choices: &[String]) -> Result<String, XlsxError> {
        let col = match self.lists.iter().find(|(l, _)| l == choices) {
            Some((_, j)) => list_col(*j)?,
            None => {
                let j = self.cols.len();
                self.add(vec![choices.iter().map(Value::text).collect()])?;
                self.lists.push((choices.to_vec(), j));
                list_col(j)?
            }
        };
        let col = column_letters(col);
        Ok(format!(
            "={}!${col}$1:${col}${}",
            quote_sheet_name(&self.sheet),
            choices.len().max(1)
        ))
    }

    /// Writes the stored columns (texts as text, numbers as numbers).
    fn write(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        for (j, col) in self.cols.iter().enumerate() {
            let c = list_col(j)?;
            for (i, v) in col.iter().enumerate() {
                let r = row_num(i)?;
                match v {
                    Value::Text(t) => {
                        ws.write_string(r, c, cell_text(t))?;
                    }
                    Value::Empty => {}
                    _ => {
                        if let Some(x) = v.number().and_then(to_f64) {
                            ws.write_number(r, c, x)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// A decimal as the nearest f64 (what Excel stores), if finite.
fn to_f64(d: Decimal) -> Option<f64> {
    decimal_f64(d, &mut String::new())
}

/// The powers of ten an f64 holds exactly.
const EXACT_POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A decimal as the nearest f64, the value its text parses to, if finite.
/// When its digits (below 2^53) and its power of ten are both exact f64s,
/// one division is correctly rounded, so the text is not built (every
/// money cell); else `buf` holds the text while it is parsed, and still
/// holds it when `None` is returned.
fn decimal_f64(d: Decimal, buf: &mut String) -> Option<f64> {
    use std::fmt::Write;
    let digits = d.mantissa().unsigned_abs();
    if let Some(&pow) = EXACT_POW10.get(d.scale() as usize) {
        if digits < 1 << 53 {
            let x = digits as f64 / pow;
            return Some(if d.is_sign_negative() { -x } else { x });
        }
    }
    buf.clear();
    let _ = write!(buf, "{d}");
    buf.parse::<f64>().ok().filter(|x| x.is_finite())
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

/// Widest line of a (possibly multi-line) text.
fn text_width(s: &str) -> usize {
    s.lines().map(display_width).max().unwrap_or(0)
}

/// Whether a character is drawn a full em wide (CJK), and may start a new
/// line anywhere.
fn is_wide(c: char) -> bool {
    display_width(c.encode_utf8(&mut [0; 4])) == 2
}

/// Width of a character in column units (the width of a digit) as Excel
/// draws it in the book's 11 pt font (a digit 8 px, a CJK glyph 14.7 px)
/// and LibreOffice in its fallback fonts: CJK glyphs are a little under
/// two digits, lower-case letters a little under one.
fn char_units(c: char) -> f64 {
    if is_wide(c) {
        1.85
    } else if c == ' ' {
        0.5
    } else if matches!(c, 'M' | 'W') {
        1.5
    } else if matches!(c, 'm' | 'w') {
        // "Recommendation" printed as "Recommendatio|n" at 0.9.
        1.4
    } else if c.is_ascii_uppercase() || c == '%' || c == '¥' {
        1.15
    } else if c.is_ascii_digit() {
        1.0
    } else {
        0.9
    }
}

/// Bold Latin text is wider (CJK glyphs keep their em width).
const BOLD: f64 = 1.1;

/// Pieces a text wraps between: words, and single wide characters, with
/// their widths in column units and whether a space precedes them.
fn wrap_pieces(line: &str, scale: f64) -> Vec<(f64, bool)> {
    let mut out = Vec::new();
    for_each_piece(line, scale, |w, spaced| out.push((w, spaced)));
    out
}

/// Calls `f` with each of [`wrap_pieces`] in turn, allocating nothing.
/// `scale` widens narrow characters (bold).
fn for_each_piece(line: &str, scale: f64, mut f: impl FnMut(f64, bool)) {
    for word in line.split_whitespace() {
        let mut first = true;
        let mut run = 0.0;
        for c in word.chars() {
            if is_wide(c) {
                if run > 0.0 {
                    f(run, first);
                    first = false;
                    run = 0.0;
                }
                f(char_units(c), first);
                first = false;
            } else {
                run += char_units(c) * scale;
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
    let mut total = 0;
    for line in text.split('\n') {
        // A line that cannot fill the width, however wide its characters.
        if line.len() as f64 * MAX_UNITS_PER_BYTE * scale + 0.01 < capacity.max(1.0) {
            total += 1;
            continue;
        }
        wrap_line(line, capacity, scale, |_| total += 1);
    }
    total
}

/// Wraps one line of text as Excel does (words kept whole unless longer
/// than a line, CJK characters one by one) in `capacity` column units,
/// calling `line_done` with the width of each line it makes.
fn wrap_line(line: &str, capacity: f64, scale: f64, mut line_done: impl FnMut(f64)) {
    let capacity = capacity.max(1.0);
    let space = char_units(' ') * scale;
    let mut used = 0.0;
    for_each_piece(line, scale, |w, spaced| {
        let add = w + if spaced && used > 0.0 { space } else { 0.0 };
        if used > 0.0 && used + add > capacity + 1e-9 {
            line_done(used);
            used = 0.0;
        }
        if used == 0.0 && w > capacity {
            // A word longer than a line is broken.
            let extra = (w / capacity).ceil() as usize - 1;
            for _ in 0..extra {
                line_done(capacity);
            }
            used = w - extra as f64 * capacity;
        } else {
            used += if used > 0.0 { add } else { w };
        }
    });
    line_done(used);
}

/// Column units a wrapped line holds in a column `width` wide: the column's
/// pixels less the cell's margins (5 px, a digit's width less than the
/// padding of [`width_px`]); character widths carry the slack.
fn wrap_capacity(width: f64) -> f64 {
    (width - 0.1).max(1.0)
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

/// The width, at least `width`, at which a Chinese header either fits on
/// one line or wraps into lines of similar length (never `销量等|级`).
fn balanced_header_width(header: &str, width: f64) -> f64 {
    // Latin headers break between words, where a short last line is natural.
    if header.contains('\n') || !header.chars().any(is_wide) {
        return width;
    }
    let mut w = width;
    for _ in 0..40 {
        let mut lines = Vec::new();
        wrap_line(header, wrap_capacity(w), BOLD, |used| lines.push(used));
        match (lines.first(), lines.last()) {
            (Some(first), Some(last)) if lines.len() > 1 && *last < 0.5 * first => w += 0.25,
            _ => break,
        }
    }
    w
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

/// Pixels of a column `chars` wide, as Excel (and rust_xlsxwriter, which
/// places charts) computes them: a digit's width a character, plus 5.
fn width_px(chars: f64) -> u32 {
    (chars * DIGIT_PX).round() as u32 + 5
}

// ---------------------------------------------------------------------------
// Page headers

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

/// Where a table landed, for charts: its cells, column kinds and headers.
struct Placed {
    sheet: String,
    first_col: u16,
    body_rows: Option<(u32, u32)>,
    kinds: Vec<ColKind>,
    headers: Vec<String>,
    /// Per body row: the tier named in the table's first Grade column.
    tier_of: Vec<Option<usize>>,
}

impl Placed {
    /// Column `c` of the table as a chart series.
    fn series(&self, c: usize) -> Option<Series> {
        let (first, last) = self.body_rows?;
        let col = self.first_col.checked_add(u16::try_from(c).ok()?)?;
        Some(Series {
            name: self.headers.get(c)?.clone(),
            values: Cells {
                sheet: self.sheet.clone(),
                col,
                first,
                last,
            },
            kind: *self.kinds.get(c)?,
        })
    }
}

/// Per row of `t`: the tier its first Grade column names.
fn tiers_of_rows(t: &Table, tiers: &[String]) -> Vec<Option<usize>> {
    let Some(c) = t.columns.iter().position(|c| c.kind == ColKind::Grade) else {
        return Vec::new();
    };
    t.rows
        .iter()
        .map(|r| match r.get(c) {
            Some(Value::Text(s)) => tiers.iter().position(|x| x == s),
            _ => None,
        })
        .collect()
}

/// Where writing a sheet's blocks has got to.
struct Run {
    /// The measures of the tables still to be written, in order.
    measures: std::vec::IntoIter<Vec<ColMeasure>>,
    /// The header row of the sheet's main table, once written.
    main_header: Option<u32>,
    /// A run of blocks kept on one page: its first row, the blocks still
    /// to come, where its keep goes among the others (before theirs).
    group: Option<(u32, usize, usize)>,
}

/// Part `k` of a deferred block, checked: a part may put nothing on the
/// hidden sheet, which sheets written apart do not share.
fn deferred_part(d: &Deferred, parts: &dyn PartSource, k: usize) -> Result<Vec<Block>, XlsxError> {
    let part = d
        .part(k, parts)
        .ok_or_else(|| XlsxError::ParameterError(format!("no deferred part {k} to write")))?;
    if part
        .iter()
        .any(|b| matches!(b, Block::Deferred(_)) || block_uses_hidden(b))
    {
        return Err(XlsxError::ParameterError(format!(
            "deferred part {k} holds a chart, a dropdown or another deferred block"
        )));
    }
    Ok(part)
}

/// Calls `f` on every table of `blocks` in the order they are written, the
/// tables of deferred parts included.
fn each_table(
    blocks: &[Block],
    parts: &dyn PartSource,
    f: &mut dyn FnMut(&Table),
) -> Result<(), XlsxError> {
    for b in blocks {
        match b {
            Block::Table(t) => f(t),
            Block::Deferred(d) => {
                // Their formats were numbered from the block's columns: a
                // column of another kind would take a number depending on
                // which thread met it first.
                let listed: std::collections::HashSet<_> =
                    d.columns.iter().map(|c| formats_key(c, false)).collect();
                for k in d.parts.clone() {
                    for b in deferred_part(d, parts, k)? {
                        let Block::Table(t) = b else { continue };
                        if let Some(c) =
                            (t.columns.iter()).find(|c| !listed.contains(&formats_key(c, false)))
                        {
                            return Err(XlsxError::ParameterError(format!(
                                "deferred part {k}: column {:?} is not among its block's columns",
                                c.key
                            )));
                        }
                        f(&t);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

struct SheetWriter<'a> {
    ws: &'a mut Worksheet,
    name: &'a str,
    book: &'a Book,
    hidden: &'a mut HiddenArea,
    styles: &'a Styles,
    widths: Vec<f64>,
    /// Columns titles and text lines are merged across.
    span: u16,
    row: u32,
    placed: HashMap<String, Placed>,
    /// The body rows of the table being written, for its `SUM` totals.
    body_rows: Option<(u32, u32)>,
    /// Points of every row whose height was set (0: the sheet's default).
    heights: Vec<f64>,
    /// Blocks that print on one page.
    keeps: Vec<Keep>,
    /// The first row of the block being written (its heading).
    block_start: Option<u32>,
    /// The height of a printed page in the sheet's points.
    page_pt: f64,
    /// Rows the report starts a new printed page at.
    breaks: Vec<u32>,
    /// The column formats built so far (kept for the writer's life, so a
    /// format's address names it).
    formats: FormatCache<'a>,
    /// Whether the sheet is written in constant memory: a row is written
    /// out as soon as a cell of a later row is.
    streamed: bool,
    /// The format each column lends its cells while a streamed sheet is
    /// written (see [`SheetWriter::row_cells`]); none at the end.
    lent: Vec<Option<*const Format>>,
}

impl<'a> SheetWriter<'a> {
    fn new(
        ws: &'a mut Worksheet,
        name: &'a str,
        book: &'a Book,
        hidden: &'a mut HiddenArea,
        styles: &'a Styles,
    ) -> Self {
        SheetWriter {
            ws,
            name,
            book,
            hidden,
            styles,
            widths: Vec::new(),
            span: 1,
            row: 0,
            placed: HashMap::new(),
            body_rows: None,
            heights: Vec::new(),
            keeps: Vec::new(),
            block_start: None,
            page_pt: f64::MAX,
            breaks: Vec::new(),
            formats: FormatCache::new(&book.tiers),
            streamed: false,
            lent: Vec::new(),
        }
    }

    /// A writer for a sheet written in constant memory.
    fn streamed(self, streamed: bool) -> Self {
        SheetWriter { streamed, ..self }
    }

    fn write(mut self, sheet: &Sheet, parts: &dyn PartSource) -> Result<(), XlsxError> {
        // First pass: every table measured, those of deferred parts included
        // (made, measured and dropped), in the order they are written.
        let mut measures: Vec<Vec<ColMeasure>> = Vec::new();
        let (mut main_cols, mut widest_cols) = (None, None);
        // Every table's headers in order, as (column, header number).
        let (mut headers, mut heads) = (Vec::<String>::new(), Vec::<(usize, usize)>::new());
        let mut header_ids: HashMap<String, usize> = HashMap::new();
        each_table(&sheet.blocks, parts, &mut |t| {
            for (c, col) in t.columns.iter().enumerate() {
                let id = match header_ids.get(&col.header) {
                    Some(&id) => id,
                    None => {
                        headers.push(col.header.clone());
                        header_ids.insert(col.header.clone(), headers.len() - 1);
                        headers.len() - 1
                    }
                };
                heads.push((c, id));
            }
            let m = measure_table(t);
            for (c, m) in m.iter().enumerate() {
                if c >= self.widths.len() {
                    self.widths.resize(c + 1, MIN_WIDTH);
                }
                self.widths[c] = self.widths[c].max(m.width);
            }
            measures.push(m);
            if t.main && main_cols.is_none() {
                main_cols = Some(t.columns.len());
            }
            if widest_cols.is_none_or(|w| t.columns.len() > w) {
                widest_cols = Some(t.columns.len());
            }
        })?;
        // Headers balanced in the order the tables come (a statements sheet
        // repeats the same few headers thousands of times).
        let mut balanced: HashMap<(usize, u64), f64> = HashMap::new();
        for (c, id) in heads {
            let w = self.widths[c];
            self.widths[c] = *balanced
                .entry((id, w.to_bits()))
                .or_insert_with(|| balanced_header_width(&headers[id], w));
        }
        for (c, w) in self.widths.iter().enumerate() {
            self.ws.set_column_width(col_num(c)?, *w)?;
        }
        self.span = col_num(main_cols.or(widest_cols).unwrap_or(1).max(1))?;
        self.ws.set_default_row_height(ROW_PT);
        self.page_pt = page_height(&sheet.page.paper, sheet.page.landscape, &self.widths);

        // Title, subtitle, gap.
        let title = self.styles.title.clone();
        self.set_height(0, TITLE_PT)?;
        self.merged_line(&sheet.title, &title)?;
        for line in &sheet.subtitle {
            self.text_line(line)?;
        }
        self.row += 1;

        let mut run = Run {
            measures: measures.into_iter(),
            main_header: None,
            group: None,
        };
        self.blocks(&sheet.blocks, sheet, &mut run, parts)?;
        let main_header = run.main_header;

        if let Some(labels) = &sheet.page.signature {
            self.signature(labels)?;
        }
        let heights: Vec<f64> = (0..self.row).map(|r| self.height(r)).collect();
        let shrink = self.shrink(&sheet.page, &heights);
        if let Some(scale) = shrink {
            self.page_pt = page::printable(sheet.page.paper, sheet.page.landscape).1 / scale;
        }
        self.page_setup(sheet, shrink)?;
        let repeat = main_header
            .filter(|_| sheet.page.repeat_header)
            .map(|r| (r, self.height(r)));
        let mut breaks =
            page::page_breaks(&heights, &self.keeps, &self.breaks, self.page_pt, repeat);
        // Excel keeps at most 1,023 manual page breaks.
        breaks.truncate(MAX_PAGE_BREAKS);
        if !breaks.is_empty() {
            self.ws.set_page_breaks(&breaks)?;
        }
        self.take_back_lent()
    }

    /// Takes the formats lent to columns back (every cell that took one has
    /// been written out: see [`SheetWriter::row_cells`]), so that the
    /// sheet's columns carry no format of their own.
    fn take_back_lent(&mut self) -> Result<(), XlsxError> {
        let base = style::base();
        for (c, lent) in self.lent.iter().enumerate() {
            if lent.is_some() {
                self.ws.set_column_format(col_num(c)?, &base)?;
            }
        }
        self.lent.clear();
        Ok(())
    }

    /// Writes `blocks` in order, a deferred block's parts made one at a time.
    fn blocks(
        &mut self,
        blocks: &[Block],
        sheet: &Sheet,
        run: &mut Run,
        parts: &dyn PartSource,
    ) -> Result<(), XlsxError> {
        for block in blocks {
            if let Block::KeepNext(n) = block {
                run.group = Some((self.row, *n, self.keeps.len()));
                continue;
            }
            match block {
                Block::Heading(h) => {
                    self.block_start.get_or_insert(self.row);
                    let f = &self.styles.heading;
                    self.ws
                        .write_string_with_format(self.row, 0, cell_text(h), f)?;
                    self.set_height(self.row, HEADING_PT)?;
                    self.row += 1;
                }
                Block::Text(lines) => {
                    let start = self.block_start.take().unwrap_or(self.row);
                    for line in lines {
                        self.text_line(line)?;
                    }
                    self.keep(start, KEEP_HEAD_ROWS);
                }
                Block::Gap => self.row += 1,
                Block::Table(t) => {
                    let start = self.block_start.take().unwrap_or(self.row);
                    let measures = run.measures.next().unwrap_or_default();
                    let header = self.table(t, &measures)?;
                    if t.main && run.main_header.is_none() {
                        run.main_header = Some(header);
                        self.main_table_setup(t, header, &sheet.page)?;
                    }
                    // A table longer than a page keeps its heading, header
                    // and first rows together.
                    self.keep(start, header - start + 1 + KEEP_HEAD_ROWS);
                }
                Block::Chart(c) => self.charts(std::slice::from_ref(c))?,
                Block::Charts(cs) => self.charts(cs)?,
                Block::ChartData(t) => self.chart_data(t)?,
                Block::PageBreak => self.breaks.push(self.row),
                Block::KeepNext(_) => {}
                Block::Deferred(d) => {
                    for k in d.parts.clone() {
                        let part = deferred_part(d, parts, k)?;
                        self.blocks(&part, sheet, run, parts)?;
                    }
                    // A deferred block counts as one block of a kept run.
                }
            }
            if let Some((start, left, at)) = run.group {
                run.group = (left > 1).then_some((start, left - 1, at));
                if left <= 1 {
                    self.keep_group(start, at);
                }
            }
        }
        Ok(())
    }

    /// Sets a row's height and remembers it for the page breaks.
    fn set_height(&mut self, row: u32, pt: f64) -> Result<(), XlsxError> {
        let i = row as usize;
        if self.heights.len() <= i {
            self.heights.resize(i + 1, 0.0);
        }
        self.heights[i] = pt;
        self.ws.set_row_height(row, pt)?;
        Ok(())
    }

    /// The points a row takes.
    fn height(&self, row: u32) -> f64 {
        match self.heights.get(row as usize) {
            Some(&h) if h > 0.0 => h,
            _ => ROW_PT,
        }
    }

    /// Keeps the rows from `start` to the cursor on one page; when they are
    /// taller than a page, only the first `head` of them.
    fn keep(&mut self, start: u32, head: u32) {
        let Some(last) = self.row.checked_sub(1).filter(|&l| l >= start) else {
            return;
        };
        let whole: f64 = (start..=last).map(|r| self.height(r)).sum();
        let keep_last = if whole <= self.page_pt {
            last
        } else {
            last.min(start + head.max(1) - 1)
        };
        self.keeps.push(Keep {
            first: start,
            keep_last,
        });
    }

    /// Keeps the rows from `start` to the cursor on one page when they fit
    /// on one; its keep goes at `at`, before those of the blocks inside it.
    fn keep_group(&mut self, start: u32, at: usize) {
        let Some(last) = self.row.checked_sub(1).filter(|&l| l >= start) else {
            return;
        };
        let whole: f64 = (start..=last).map(|r| self.height(r)).sum();
        if whole <= self.page_pt {
            let keep = Keep {
                first: start,
                keep_last: last,
            };
            self.keeps.insert(at.min(self.keeps.len()), keep);
        }
    }

    /// The scale at which each page the report starts (a statement) prints
    /// on one sheet of paper, when it is below the one fitting the columns.
    fn shrink(&self, page: &PageSetup, heights: &[f64]) -> Option<f64> {
        let (w, h) = page::printable(page.paper, page.landscape);
        let content: f64 = self.widths.iter().map(|c| f64::from(width_px(*c))).sum();
        let fit = page::fit_scale(content * page::PT_PER_PX, w);
        page::shrink_to_forced_pages(heights, &self.breaks, fit, h)
    }

    /// Total width in characters of the first `span` columns.
    fn span_chars(&self) -> f64 {
        (0..usize::from(self.span))
            .map(|c| self.widths.get(c).copied().unwrap_or(8.43))
            .sum()
    }

    /// Pixels of the first `span` columns.
    fn span_px(&self) -> u32 {
        (0..usize::from(self.span))
            .map(|c| width_px(self.widths.get(c).copied().unwrap_or(MIN_WIDTH)))
            .sum()
    }

    /// The column `x` pixels from the left edge falls in, and the offset in it.
    fn column_at(&self, x: u32) -> (u16, u32) {
        let mut left = 0;
        for (c, w) in self.widths.iter().enumerate() {
            let px = width_px(*w);
            if x < left + px {
                return (u16::try_from(c).unwrap_or(u16::MAX), x - left);
            }
            left += px;
        }
        (0, x)
    }

    /// The column (within the span) whose left edge is nearest `x` pixels.
    fn column_nearest(&self, x: u32) -> usize {
        let mut left = 0;
        let mut best = (0, u32::MAX);
        for c in 0..usize::from(self.span) {
            let d = left.max(x) - left.min(x);
            if d < best.1 {
                best = (c, d);
            }
            left += width_px(self.widths.get(c).copied().unwrap_or(MIN_WIDTH));
        }
        best.0
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
        let row = self.row;
        let note = self.styles.note.clone();
        self.merged_line(text, &note)?;
        if lines > 1 {
            self.set_height(row, lines as f64 * LINE_PT + CELL_PAD_PT)?;
        }
        Ok(())
    }

    /// Writes a table at the cursor; returns its header row.
    fn table(&mut self, t: &Table, measures: &[ColMeasure]) -> Result<u32, XlsxError> {
        let header_row = self.row;
        let mut header_lines = 1;
        let hf = &self.styles.header;
        // The headers written, then formatted in one call (see `row_cells`);
        // an empty header is a formatted blank, so every column of the table
        // is in the sheet's dimensions from here on.
        for (c, col) in t.columns.iter().enumerate() {
            let cn = col_num(c)?;
            let text = cell_text(&col.header);
            if text.is_empty() {
                self.ws.write_blank(header_row, cn, hf)?;
            } else {
                self.ws.write_string(header_row, cn, text)?;
            }
            let w = self.widths.get(c).copied().unwrap_or(MIN_WIDTH);
            header_lines = header_lines.max(wrapped_lines(&col.header, wrap_capacity(w), BOLD));
        }
        if let Some(last) = t.columns.len().checked_sub(1) {
            self.ws
                .set_range_format(header_row, 0, header_row, col_num(last)?, hf)?;
        }
        let header_pt = header_lines as f64 * LINE_PT + CELL_PAD_PT;
        self.set_height(header_row, header_pt.max(HEADER_MIN_PT))?;
        self.row += 1;

        let wraps = self.wrapping_columns(t, measures);
        let wrap_cols: Vec<(usize, ColKind, f64)> = t
            .columns
            .iter()
            .zip(&wraps)
            .enumerate()
            .filter_map(|(c, (col, wrap))| wrap.map(|w| (c, col.kind, w)))
            .collect();
        let formats: Vec<std::rc::Rc<style::ColFormats>> = t
            .columns
            .iter()
            .zip(&wraps)
            .map(|(col, wrap)| self.formats.get(col, wrap.is_some()))
            .collect();

        let first_body = self.row;
        let mut buf = String::new();
        let mut runs = Vec::with_capacity(t.columns.len());
        let body: Vec<&style::CellFormats> = formats.iter().map(|f| &f.body).collect();
        for (i, r) in t.rows.iter().enumerate() {
            // The last body row never borrows its column's format: it is the
            // row that writes out the ones before it.
            let lean = self.streamed && i + 1 < t.rows.len();
            self.row_cells(r, &t.columns, &body, &mut runs, &mut buf, lean)?;
            self.fit_row_height(r, &wrap_cols)?;
            self.row += 1;
        }
        let body_rows = (!t.rows.is_empty()).then(|| (first_body, self.row - 1));
        self.body_rows = body_rows;
        if let Some(total) = &t.total {
            let totals: Vec<&style::CellFormats> = formats.iter().map(|f| &f.total).collect();
            self.row_cells(total, &t.columns, &totals, &mut runs, &mut buf, false)?;
            self.fit_row_height(total, &wrap_cols)?;
            self.row += 1;
        }
        if let Some((first, last)) = body_rows {
            self.dropdowns(t, first, last)?;
            self.heat_map(t, first, last)?;
        }
        self.placed.insert(
            t.id.clone(),
            Placed {
                sheet: self.name.to_string(),
                first_col: 0,
                body_rows,
                kinds: t.columns.iter().map(|c| c.kind).collect(),
                headers: t.columns.iter().map(|c| c.header.clone()).collect(),
                tier_of: tiers_of_rows(t, &self.book.tiers),
            },
        );
        Ok(header_row)
    }

    /// Per column: the characters a line holds when its text wraps.
    fn wrapping_columns(&self, t: &Table, measures: &[ColMeasure]) -> Vec<Option<f64>> {
        t.columns
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
            .collect()
    }

    /// Dropdowns over the editable body columns.
    fn dropdowns(&mut self, t: &Table, first: u32, last: u32) -> Result<(), XlsxError> {
        for (c, col) in t.columns.iter().enumerate() {
            if let Some(choices) = col.editable.as_ref().filter(|ch| !ch.is_empty()) {
                let dv = self.dropdown(choices)?;
                self.ws
                    .add_data_validation(first, col_num(c)?, last, col_num(c)?, &dv)?;
            }
        }
        Ok(())
    }

    /// The body cells of the heat map's columns shaded from white (0) to
    /// the strongest colour (the largest value).
    fn heat_map(&mut self, t: &Table, first: u32, last: u32) -> Result<(), XlsxError> {
        let Some(h) = t
            .heat_map
            .filter(|h| h.first <= h.last && h.last < t.columns.len())
        else {
            return Ok(());
        };
        let scale = ConditionalFormat2ColorScale::new()
            .set_minimum(ConditionalFormatType::Number, 0)
            .set_minimum_color(Color::RGB(style::HEAT_LOW))
            .set_maximum_color(Color::RGB(style::HEAT_HIGH));
        self.ws
            .add_conditional_format(first, col_num(h.first)?, last, col_num(h.last)?, &scale)?;
        Ok(())
    }

    /// A table only charts read, stored on the hidden sheet.
    fn chart_data(&mut self, t: &Table) -> Result<(), XlsxError> {
        let cols: Vec<Vec<Value>> = (0..t.columns.len())
            .map(|c| {
                t.rows
                    .iter()
                    .map(|r| r.get(c).cloned().unwrap_or(Value::Empty))
                    .collect()
            })
            .collect();
        let first_col = self.hidden.add(cols)?;
        let body_rows = row_num(t.rows.len())?.checked_sub(1).map(|last| (0, last));
        self.placed.insert(
            t.id.clone(),
            Placed {
                sheet: self.hidden.sheet.clone(),
                first_col,
                body_rows,
                kinds: t.columns.iter().map(|c| c.kind).collect(),
                headers: t.columns.iter().map(|c| c.header.clone()).collect(),
                tier_of: Vec::new(),
            },
        );
        Ok(())
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
                height = height.max(lines as f64 * LINE_PT + CELL_PAD_PT);
            }
        }
        if height > ROW_PT {
            self.set_height(self.row, height)?;
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
        let formula = self.hidden.formula(choices)?;
        Ok(DataValidation::new().allow_list_formula(Formula::new(formula)))
    }

    /// One row of a table. Every value is written without a format, then each
    /// run of neighbouring cells that share one gets it in a single call:
    /// rust_xlsxwriter hashes the whole `Format` on every call that takes one,
    /// and on a statements sheet of millions of cells that was the largest
    /// cost of writing it. An empty cell is only formatted (the table's header
    /// row has already brought every column into the sheet's dimensions);
    /// when the row holds no value at all its first cell is written blank, so
    /// that the row is started by a written cell before its formats are set
    /// (a constant-memory sheet moves on to a new row only when a cell is
    /// written in it). The workbook's bytes are those of formatting each cell
    /// as it is written. `buf` is scratch space for number texts.
    ///
    /// With `lean` (a body row of a streamed sheet followed by another) a
    /// written cell in its column's usual format is not formatted at all: the
    /// column lends it the format. rust_xlsxwriter gives a cell written
    /// without a format its column's format when it writes the row out (as
    /// Excel does when one types into a formatted column), which happens
    /// when the next row is started, so each column's first such cell lends
    /// it its format (one look-up for the sheet) and [`Self::take_back_lent`]
    /// takes them back once every row has been written out. An empty cell is
    /// still formatted: it has to be written to exist. (A row format would
    /// come before the column's; no row here has one.)
    fn row_cells<'f>(
        &mut self,
        values: &[Value],
        cols: &[Column],
        formats: &[&'f style::CellFormats],
        runs: &mut Vec<(u16, u16, &'f Format, bool)>,
        buf: &mut String,
        lean: bool,
    ) -> Result<(), XlsxError> {
        runs.clear();
        let mut written = false;
        for (c, (col, formats)) in cols.iter().zip(formats).enumerate() {
            let cn = col_num(c)?;
            let v = values.get(c).unwrap_or(&Value::Empty);
            let format = self.cell_format(col, v, formats);
            let wrote = self.value(cn, v, buf)?;
            written |= wrote;
            let lend = lean
                && wrote
                && c < self.widths.len()
                && match self.lent.get(c).copied().flatten() {
                    Some(lent) if std::ptr::eq(lent, format) => continue,
                    Some(_) => false,
                    // Lent below, in column order among the runs, so formats
                    // are met (and numbered) in the order they always were.
                    None => true,
                };
            match runs.last_mut() {
                Some((_, last, f, false))
                    if !lend && std::ptr::eq(*f, format) && *last + 1 == cn =>
                {
                    *last = cn
                }
                _ => runs.push((cn, cn, format, lend)),
            }
        }
        let row = self.row;
        if let (false, Some(&(first, _, format, _))) = (written, runs.first()) {
            self.ws.write_blank(row, first, format)?;
        }
        for &(first, last, format, lend) in runs.iter() {
            if lend {
                self.lend(usize::from(first), format)?;
            } else {
                self.ws.set_range_format(row, first, row, last, format)?;
            }
        }
        Ok(())
    }

    /// Column `c`, one of the measured columns (whose entries exist, so that
    /// taking the format back leaves them as they were), lends its cells
    /// `format` from now on (see [`Self::row_cells`]).
    fn lend(&mut self, c: usize, format: &Format) -> Result<(), XlsxError> {
        if self.lent.len() <= c {
            self.lent.resize(c + 1, None);
        }
        self.ws.set_column_format(col_num(c)?, format)?;
        self.lent[c] = Some(format);
        Ok(())
    }

    /// The format a cell of `col` holding `v` is written in.
    fn cell_format<'f>(
        &self,
        col: &Column,
        v: &Value,
        formats: &'f style::CellFormats,
    ) -> &'f Format {
        match (col.kind, v) {
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
        }
    }

    /// Writes the value of one cell of the current row without a format (its
    /// run is formatted after the row). Whether a cell was written: an empty
    /// value, or a text that Excel would keep as nothing, writes none.
    fn value(&mut self, cn: u16, v: &Value, buf: &mut String) -> Result<bool, XlsxError> {
        let row = self.row;
        match v {
            Value::Empty => return Ok(false),
            Value::Text(s) => {
                let text = cell_text(s);
                if text.is_empty() {
                    return Ok(false);
                }
                self.ws.write_string(row, cn, text)?;
            }
            Value::Number(d) => match decimal_f64(*d, buf) {
                Some(x) => {
                    self.ws.write_number(row, cn, x)?;
                }
                // `buf` holds the text that did not parse.
                None => {
                    self.ws.write_string(row, cn, buf.as_str())?;
                }
            },
            Value::Int(i) => {
                self.ws.write_number(row, cn, *i as f64)?;
            }
            Value::Sum(d) => self.sum(cn, *d, buf)?,
            Value::Date(d) => {
                use chrono::Datelike;
                if let Some(serial) = excel_serial(*d) {
                    self.ws.write_number(row, cn, serial)?;
                    return Ok(true);
                }
                let excel = u16::try_from(d.year())
                    .ok()
                    .and_then(|y| ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8).ok());
                match excel {
                    Some(dt) => {
                        self.ws.write_datetime(row, cn, &dt)?;
                    }
                    None => {
                        let s = d.format("%Y-%m-%d").to_string();
                        self.ws.write_string(row, cn, s)?;
                    }
                }
            }
        }
        Ok(true)
    }

    /// A total: `=SUM(…)` over the table's body rows in this column, with
    /// `d` saved as its result; a plain number when the table has no rows.
    fn sum(&mut self, cn: u16, d: Decimal, buf: &mut String) -> Result<(), XlsxError> {
        use std::fmt::Write;
        buf.clear();
        let _ = write!(buf, "{}", d.normalize());
        let x = buf.parse::<f64>().unwrap_or(0.0);
        let Some((first, last)) = self.body_rows else {
            self.ws.write_number(self.row, cn, x)?;
            return Ok(());
        };
        let col = column_letters(cn);
        let formula = Formula::new(format!("=SUM({col}{}:{col}{})", first + 1, last + 1))
            .set_result(buf.as_str());
        self.ws.write_formula(self.row, cn, formula)?;
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

    /// A band of charts side by side, as wide as the sheet's span, below
    /// the cursor; kept on one page with its heading.
    fn charts(&mut self, charts: &[Chart]) -> Result<(), XlsxError> {
        let start = self.block_start.take().unwrap_or(self.row);
        let mut inputs = Vec::new();
        for c in charts {
            if let Some(input) = self.chart_input(c)? {
                inputs.push(input);
            }
        }
        if !inputs.is_empty() {
            let n = inputs.len() as u32;
            let span = self.span_px().max(MIN_CHART_PX * n);
            let width = (span - CHART_GAP_PX * (n - 1)) / n;
            for (k, input) in inputs.iter().enumerate() {
                let Some(chart) = chart::build(input, width, CHART_HEIGHT_PX) else {
                    continue;
                };
                let (col, x) = self.column_at(k as u32 * (width + CHART_GAP_PX));
                self.ws
                    .insert_chart_with_offset(self.row, col, &chart, x, CHART_TOP_PX)?;
            }
            let row_px = (ROW_PT / page::PT_PER_PX).round() as u32;
            self.row += (CHART_HEIGHT_PX + CHART_TOP_PX).div_ceil(row_px.max(1));
        }
        self.keep(start, u32::MAX);
        Ok(())
    }

    /// What `chart` is drawn from: its table's cells, and its cut lines
    /// stored on the hidden sheet; `None` when the table is not placed or
    /// has no rows.
    fn chart_input<'c>(&mut self, chart: &'c Chart) -> Result<Option<ChartInput<'c>>, XlsxError> {
        let Some(placed) = self.placed.get(&chart.table_id) else {
            return Ok(None);
        };
        let (Some(categories), series) = (
            placed.series(chart.categories),
            chart
                .series
                .iter()
                .filter_map(|&c| placed.series(c))
                .collect::<Vec<_>>(),
        ) else {
            return Ok(None);
        };
        if series.is_empty() {
            return Ok(None);
        }
        let tier_of = placed.tier_of.clone();
        let mut lines = Vec::new();
        for l in &chart.lines {
            let (zero, one) = (Value::Int(0), Value::Int(1));
            let at = Value::Number(l.at);
            let (xs, ys) = if l.vertical {
                (vec![at.clone(), at], vec![zero, one])
            } else {
                (vec![zero, one], vec![at.clone(), at])
            };
            let col = self.hidden.add(vec![xs, ys])?;
            let cells = |col: u16| Cells {
                sheet: self.hidden.sheet.clone(),
                col,
                first: 0,
                last: 1,
            };
            lines.push((l.label.clone(), cells(col), cells(col + 1)));
        }
        Ok(Some(ChartInput {
            title: &chart.title,
            kind: chart.kind,
            categories,
            series,
            tier_of,
            tiers: self.book.tiers.len(),
            lines,
        }))
    }

    /// Labels spread evenly across the span, each followed by a line to
    /// sign on; kept on one page with the last rows above it.
    fn signature(&mut self, labels: &[String]) -> Result<(), XlsxError> {
        if labels.is_empty() {
            return Ok(());
        }
        let start = self.row.saturating_sub(2);
        self.row += 1;
        let row = self.row;
        let n = labels.len();
        // The column starting nearest each label's share of the span.
        let span_px = self.span_px();
        let mut bounds: Vec<usize> = (0..n)
            .map(|i| self.column_nearest(span_px * i as u32 / n as u32))
            .collect();
        bounds.push(usize::from(self.span));
        if bounds.windows(2).any(|w| w[0] + 2 > w[1]) {
            // Too few columns for a line each: one line of text.
            let text = labels
                .iter()
                .map(|l| format!("{l}__________"))
                .collect::<Vec<_>>()
                .join("    ");
            let f = self.styles.signature_text();
            self.ws
                .write_string_with_format(row, 0, cell_text(&text), &f)?;
        } else {
            for (i, label) in labels.iter().enumerate() {
                let (first, end) = (bounds[i], bounds[i + 1] - 1);
                self.signature_part(row, label, first, end)?;
            }
        }
        self.set_height(row, SIGNATURE_PT)?;
        self.row += 1;
        self.keep(start, u32::MAX);
        Ok(())
    }

    /// One label in columns `first…`, as many as it needs, right-aligned,
    /// and the line to sign on after it up to column `end`.
    fn signature_part(
        &mut self,
        row: u32,
        label: &str,
        first: usize,
        end: usize,
    ) -> Result<(), XlsxError> {
        let need = display_width(label) as f64 + 1.0;
        let mut label_end = first;
        let mut have = self.widths.get(first).copied().unwrap_or(MIN_WIDTH);
        while have < need && label_end + 1 < end {
            label_end += 1;
            have += self.widths.get(label_end).copied().unwrap_or(MIN_WIDTH);
        }
        let f = &self.styles.signature_label;
        if label_end > first {
            let (a, b) = (col_num(first)?, col_num(label_end)?);
            self.ws.merge_range(row, a, row, b, &cell_text(label), f)?;
        } else {
            self.ws
                .write_string_with_format(row, col_num(first)?, cell_text(label), f)?;
        }
        for c in label_end + 1..=end {
            let f = &self.styles.signature_line;
            self.ws.write_blank(row, col_num(c)?, f)?;
        }
        Ok(())
    }

    fn page_setup(&mut self, sheet: &Sheet, shrink: Option<f64>) -> Result<(), XlsxError> {
        let page = &sheet.page;
        let ws = &mut *self.ws;
        ws.set_paper_size(paper_code(page.paper));
        if page.landscape {
            ws.set_landscape();
        }
        match shrink {
            // Whole percents, rounded down as the page breaks assumed.
            Some(scale) => ws.set_print_scale((scale * 100.0) as u16),
            None => ws.set_print_fit_to_pages(1, 0),
        };
        let (side, end, header) = (page::MARGIN_SIDE_IN, page::MARGIN_END_IN, page::HEADER_IN);
        ws.set_margins(side, side, end, end, header, header);
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

/// Excel's code of a paper size.
fn paper_code(paper: Paper) -> u8 {
    match paper {
        Paper::A4 => 9,
        Paper::A3 => 8,
    }
}

/// The height of a printed page in a sheet's points: the printable height
/// over the scale fitting the columns `widths` (characters) to one page wide.
fn page_height(paper: &Paper, landscape: bool, widths: &[f64]) -> f64 {
    let (w, h) = page::printable(*paper, landscape);
    let content: f64 = widths.iter().map(|c| f64::from(width_px(*c))).sum();
    h / page::fit_scale(content * page::PT_PER_PX, w)
}

#[cfg(test)]
#[path = "xlsx_tests.rs"]
mod tests;
