//! Interpreting cells as numbers and dates (SPEC 3.4) and spotting totals
//! rows (SPEC 3.5). Pure functions: no file access.

use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::cell::Cell;
use crate::text::{fold_width, is_space};

/// Why a cell could not be read as the value its column needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueError {
    /// Not a number / not a date in any accepted form.
    Unreadable,
    /// A text date whose day and month order is ambiguous (03/05/2025).
    AmbiguousDate,
    /// A formula cell with no saved value.
    NoSavedValue,
    /// An Excel error value such as #N/A.
    ErrorValue,
    /// A number whose `,` or `.` reads as a decimal mark in one convention and a
    /// thousands separator in the other (`12,5`, `1.234,50`; `1,234.50` under
    /// `decimal_comma`).
    AmbiguousNumber,
    /// A number with more than 28 significant digits, or finer than 28 decimal
    /// places (5e-324): exact decimal arithmetic cannot hold it.
    TooPrecise,
    /// A number with more than 28 digits before the decimal mark (1e30).
    TooLarge,
    /// A date before 1950-01-01 or after 2099-12-31.
    DateOutOfRange,
    /// A time of day without a date (a date cell or serial below 1).
    TimeOnly,
}

/// How to read `dd/mm/yyyy`-like text dates (rules file `date_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DayMonthOrder {
    /// Ambiguous orders are rejected.
    #[default]
    Reject,
    DayFirst,
    MonthFirst,
}

/// How an input writes its numbers and dates: the rules file's `date_format`
/// and `decimal_comma`, and the workbook's date system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// Day and month order of `03/05/2025`-like text dates.
    pub order: DayMonthOrder,
    /// `,` is the decimal mark, `.` or a space the thousands separator.
    pub decimal_comma: bool,
    /// Serial numbers count days from 1904-01-01 (the workbook's date system).
    pub date_1904: bool,
}

/// First and last year of a date tierbook accepts (SPEC 10).
pub const FIRST_YEAR: i32 = 1950;
pub const LAST_YEAR: i32 = 2099;

/// Most significant digits, and most decimal places, of an exact decimal.
const MAX_DIGITS: usize = 28;

/// Largest Excel serial number (9999-12-31) in the 1900 and 1904 date systems.
const SERIAL_END_1900: f64 = 2_958_466.0;
const SERIAL_END_1904: f64 = 2_957_004.0;

/// Converts a float cell to an exact decimal by its shortest round-trip
/// text, so 261.96 stays 261.96; a value that text cannot give exactly is an error.
pub fn decimal_from_f64(f: f64) -> Result<Decimal, ValueError> {
    if !f.is_finite() {
        return Err(ValueError::Unreadable);
    }
    // Fast path: values with at most 4 decimals and 15 significant digits are
    // exactly the decimal whose f64 they are.
    if f.abs() < 1e11 {
        let c = (f * 10_000.0).round();
        if c / 10_000.0 == f {
            return Ok(Decimal::new(c as i64, 4).normalize());
        }
    }
    // Display writes the shortest round-trip digits, never an exponent.
    let text = f.abs().to_string();
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    exact_decimal(f.is_sign_negative(), int, frac)
}

/// `int.frac` (ASCII digits) as an exact decimal, or why it cannot be one.
fn exact_decimal(negative: bool, int: &str, frac: &str) -> Result<Decimal, ValueError> {
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    if int.len() > MAX_DIGITS {
        return Err(ValueError::TooLarge);
    }
    let significant = if int.is_empty() {
        frac.trim_start_matches('0').len()
    } else {
        int.len() + frac.len()
    };
    if significant > MAX_DIGITS || frac.len() > MAX_DIGITS {
        return Err(ValueError::TooPrecise);
    }
    // At most 28 significant digits: below 10^28, well inside i128 and the decimal's 96 bits.
    let mantissa = int
        .bytes()
        .chain(frac.bytes())
        .fold(0i128, |m, b| m * 10 + i128::from(b - b'0'));
    let mantissa = if negative { -mantissa } else { mantissa };
    Decimal::try_from_i128_with_scale(mantissa, frac.len() as u32)
        .map(|d| d.normalize())
        .map_err(|_| ValueError::TooLarge)
}

/// Reads a number cell or a number written as text: `1,234.50`, `¥1,234.50`,
/// `￥1234`, `1234元`, `(1,234.50)` (negative), full-width digits; with
/// `decimal_comma`, `1.234,50`.
///
/// Returns `Ok(None)` for a blank cell.
pub fn parse_number(cell: &Cell, style: &Style) -> Result<Option<Decimal>, ValueError> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(f) => decimal_from_f64(*f).map(Some),
        Cell::Int(i) => Ok(Some(Decimal::from(*i))),
        Cell::Text(t) => {
            if t.chars().all(is_space) {
                Ok(None)
            } else {
                parse_number_text(t, style.decimal_comma).map(Some)
            }
        }
        Cell::NoValue => Err(ValueError::NoSavedValue),
        Cell::Error(_) => Err(ValueError::ErrorValue),
        Cell::Bool(_) | Cell::Date(_) | Cell::BadDate(_) => Err(ValueError::Unreadable),
    }
}

/// A plain number such as `1234.50` or `-12` (what CSV cells mostly are),
/// read without copying; `None` for anything else.
fn plain_number(text: &str, decimal_comma: bool) -> Option<Decimal> {
    let b = text.as_bytes();
    let digits = b.strip_prefix(b"-").unwrap_or(b);
    let mut dots = 0;
    for &c in digits {
        if c == b'.' {
            dots += 1;
        } else if !c.is_ascii_digit() {
            return None;
        }
    }
    // Under 26 characters: at most 25 digits, which a decimal holds exactly.
    if digits.len() >= 26
        || !digits.first().is_some_and(u8::is_ascii_digit)
        || digits.last() == Some(&b'.')
        || dots > usize::from(!decimal_comma)
    {
        return None;
    }
    Decimal::from_str(text).ok().map(|d| d.normalize())
}

/// Currency marks read before and after a number.
const CURRENCY_BEFORE: [&str; 7] = ["¥", "\u{ffe5}", "$", "€", "RMB", "CNY", "rmb"];
const CURRENCY_AFTER: [&str; 4] = ["元", "RMB", "CNY", "rmb"];

/// The text forms of [`parse_number`]; `decimal_comma` as in [`Style`].
pub fn parse_number_text(text: &str, decimal_comma: bool) -> Result<Decimal, ValueError> {
    if let Some(d) = plain_number(text, decimal_comma) {
        return Ok(d);
    }
    let folded: String = text
        .chars()
        .map(|c| match fold_width(c) {
            c if is_space(c) => ' ',
            '\u{2212}' => '-',
            c => c,
        })
        .collect();
    let (negative, body) = strip_marks(&folded).ok_or(ValueError::Unreadable)?;
    match number_digits(body, decimal_comma) {
        Some((int, frac)) => exact_decimal(negative, &int, frac),
        None if number_digits(body, !decimal_comma).is_some() => Err(ValueError::AmbiguousNumber),
        None => Err(ValueError::Unreadable),
    }
}

/// Takes the sign (`-`, `+` or parentheses, one of them), a currency mark
/// before and one after, and the spaces around them off a number; returns
/// whether it is negative and what is left.
fn strip_marks(s: &str) -> Option<(bool, &str)> {
    let mut body = s.trim_matches(' ');
    let (mut negative, mut signed, mut before, mut after) = (false, false, false, false);
    loop {
        if !signed {
            if let Some(inner) = body.strip_prefix('(').and_then(|b| b.strip_suffix(')')) {
                (signed, negative, body) = (true, true, inner.trim_matches(' '));
                continue;
            }
            if let Some(rest) = body.strip_prefix('-') {
                (signed, negative, body) = (true, true, rest.trim_start_matches(' '));
                continue;
            }
            if let Some(rest) = body.strip_prefix('+') {
                (signed, body) = (true, rest.trim_start_matches(' '));
                continue;
            }
        }
        if !before {
            if let Some(rest) = CURRENCY_BEFORE.iter().find_map(|m| body.strip_prefix(m)) {
                (before, body) = (true, rest.trim_start_matches(' '));
                continue;
            }
        }
        if !after {
            if let Some(rest) = CURRENCY_AFTER.iter().find_map(|m| body.strip_suffix(m)) {
                (after, body) = (true, rest.trim_end_matches(' '));
                continue;
            }
        }
        break;
    }
    (!body.is_empty()).then_some((negative, body))
}

/// The integer digits (thousands separators taken out) and the decimals of a
/// number under one convention: `.` is the decimal mark and `,` or a space
/// groups thousands, or with `decimal_comma` `,` and `.` or a space. Groups
/// must be of three digits after a first of one to three, with one kind of
/// separator. `None` when the body is not such a number.
fn number_digits(body: &str, decimal_comma: bool) -> Option<(String, &str)> {
    let (mark, group) = if decimal_comma {
        (',', '.')
    } else {
        ('.', ',')
    };
    let (int, frac) = body.split_once(mark).unwrap_or((body, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(frac) || (int.is_empty() && frac.is_empty()) {
        return None;
    }
    if digits(int) {
        return Some((int.to_string(), frac));
    }
    let sep = int.chars().find(|&c| c == group || c == ' ')?;
    let mut groups = int.split(sep);
    let first = groups
        .next()
        .filter(|g| (1..=3).contains(&g.len()) && digits(g))?;
    let mut out = String::with_capacity(int.len());
    out.push_str(first);
    for g in groups {
        if g.len() != 3 || !digits(g) {
            return None;
        }
        out.push_str(g);
    }
    Some((out, frac))
}

/// Reads a date cell, a serial number in the workbook's date system, a
/// `yyyymmdd` number, or text `2025-03-05`, `2025/3/5`, `2025.3.5`,
/// `2025年3月5日`, `20250305` (a time after the date is ignored).
/// `03/05/2025` is ambiguous unless `style.order` says. Every date must fall
/// in 1950-01-01 … 2099-12-31.
///
/// Returns `Ok(None)` for a blank cell.
pub fn parse_date(cell: &Cell, style: &Style) -> Result<Option<NaiveDate>, ValueError> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date(d) => in_range(*d).map(Some),
        Cell::BadDate(f) if (0.0..1.0).contains(f) => Err(ValueError::TimeOnly),
        Cell::BadDate(_) | Cell::Bool(_) => Err(ValueError::Unreadable),
        Cell::Number(f) => date_from_number(*f, style.date_1904).map(Some),
        Cell::Int(i) => date_from_number(*i as f64, style.date_1904).map(Some),
        Cell::Text(t) => {
            if t.chars().all(is_space) {
                Ok(None)
            } else {
                parse_date_text(t, style.order).map(Some)
            }
        }
        Cell::NoValue => Err(ValueError::NoSavedValue),
        Cell::Error(_) => Err(ValueError::ErrorValue),
    }
}

/// The date itself when it falls in 1950-01-01 … 2099-12-31.
pub fn in_range(d: NaiveDate) -> Result<NaiveDate, ValueError> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&d.year()) {
        Ok(d)
    } else {
        Err(ValueError::DateOutOfRange)
    }
}

/// A number in a date column: `yyyymmdd`, or an Excel serial in the given
/// date system (1904 when `date_1904`); below 1 it is a time of day.
pub fn date_from_number(f: f64, date_1904: bool) -> Result<NaiveDate, ValueError> {
    if !f.is_finite() || f < 0.0 {
        return Err(ValueError::Unreadable);
    }
    if f < 1.0 {
        return Err(ValueError::TimeOnly);
    }
    if f.fract() == 0.0 && (10_000_101.0..=99_991_231.0).contains(&f) {
        let n = f as i64;
        let d = NaiveDate::from_ymd_opt(
            (n / 10_000) as i32,
            (n / 100 % 100) as u32,
            (n % 100) as u32,
        );
        return d.ok_or(ValueError::Unreadable).and_then(in_range);
    }
    let end = if date_1904 {
        SERIAL_END_1904
    } else {
        SERIAL_END_1900
    };
    if f >= end {
        return Err(ValueError::Unreadable);
    }
    // Serial 60 of the 1900 system is Excel's fictitious 1900-02-29.
    date_from_serial(f, date_1904).map_or(Err(ValueError::DateOutOfRange), in_range)
}

/// An Excel serial (1900 or 1904 system) as a calendar date; the time of day
/// is dropped. `None` below 1 (a time of day only), for serial 60 of the 1900
/// system (Excel's fictitious 1900-02-29) and past 9999-12-31.
pub fn date_from_serial(f: f64, is_1904: bool) -> Option<NaiveDate> {
    let end = if is_1904 {
        SERIAL_END_1904
    } else {
        SERIAL_END_1900
    };
    if !f.is_finite() || !(1.0..end).contains(&f) {
        return None;
    }
    let days = f.floor() as i64;
    let base = if is_1904 {
        NaiveDate::from_ymd_opt(1904, 1, 1)?
    } else if days < 60 {
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    } else if days == 60 {
        return None;
    } else {
        // Excel counts a fictitious 1900-02-29: serials after it are one day ahead.
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    };
    base.checked_add_signed(chrono::Duration::days(days))
}

/// The text forms of [`parse_date`].
pub fn parse_date_text(text: &str, order: DayMonthOrder) -> Result<NaiveDate, ValueError> {
    // Fast path: exactly yyyy-mm-dd or yyyy/mm/dd (what ERP exports mostly write).
    let b = text.as_bytes();
    if b.len() == 10 && (b[4] == b'-' || b[4] == b'/') && b[7] == b[4] {
        let num = |r: std::ops::Range<usize>| {
            b[r].iter().try_fold(0u32, |acc, &c| {
                c.is_ascii_digit().then(|| acc * 10 + (c - b'0') as u32)
            })
        };
        if let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) {
            return ymd(y, m, d);
        }
    }
    let folded: String = crate::text::trim_spaces(text)
        .chars()
        .map(fold_width)
        .collect();
    // Drop a time part: "2025-03-05 10:00:00", "2025-03-05T10:00".
    let date_part = folded
        .split(|c: char| c == 'T' || is_space(c))
        .next()
        .unwrap_or_default();
    let nums: Vec<&str> = date_part
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    let bad = ValueError::Unreadable;
    if !date_part
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '/' | '.' | '年' | '月' | '日'))
    {
        return Err(bad);
    }
    if date_part.contains('年') && !date_part.contains('月') {
        return Err(bad);
    }
    let num = |s: &str| s.parse::<u32>().map_err(|_| ValueError::Unreadable);
    match nums.as_slice() {
        [one] if one.len() == 8 && !date_part.contains(['-', '/', '.']) => {
            let n = num(one)?;
            ymd(n / 10_000, n / 100 % 100, n % 100)
        }
        [y, m, d] if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => ymd(num(y)?, num(m)?, num(d)?),
        [a, b, y] if y.len() == 4 && a.len() <= 2 && b.len() <= 2 && !date_part.contains('年') => {
            let (a, b, y) = (num(a)?, num(b)?, num(y)?);
            match order {
                DayMonthOrder::Reject => Err(ValueError::AmbiguousDate),
                DayMonthOrder::DayFirst => ymd(y, b, a),
                DayMonthOrder::MonthFirst => ymd(y, a, b),
            }
        }
        _ => Err(bad),
    }
}

fn ymd(y: u32, m: u32, d: u32) -> Result<NaiveDate, ValueError> {
    NaiveDate::from_ymd_opt(y as i32, m, d)
        .ok_or(ValueError::Unreadable)
        .and_then(in_range)
}

/// What a totals word says about its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotalsKind {
    /// 合计, 总计, 本月合计, Total, Grand Total: checked against the rows above.
    Grand,
    /// 小计, Subtotal, 累计: excluded, not checked.
    Sub,
}

/// Whether a cell's text is a totals word (after trimming and folding spaces).
pub fn totals_word(text: &str) -> Option<TotalsKind> {
    // Cheap test first: every totals word ends in 计/計, l (Total) or a colon,
    // maybe followed by spaces; look at the last byte before anything else.
    let quick = matches!(
        text.as_bytes().last(),
        // l L : 计(..A1) 計(..88) ｌ(..8C) Ｌ(..AC) ：(..9A), then space endings:
        // ASCII white space, U+3000 (..80), no-break space (..A0), BOM (..BF).
        Some(
            b'l' | b'L'
                | b':'
                | 0xA1
                | 0x88
                | 0x8C
                | 0xAC
                | 0x9A
                | b' '
                | b'\t'
                | b'\r'
                | b'\n'
                | 0x80
                | 0xA0
                | 0xBF
        )
    );
    if !quick || text.len() > 40 {
        return None;
    }
    let last = text.trim_end_matches(is_space).chars().next_back();
    if !matches!(
        last,
        Some('计' | '計' | 'l' | 'L' | 'ｌ' | 'Ｌ' | ':' | '：')
    ) {
        return None;
    }
    let key = crate::text::header_key(text);
    let key = key.trim_end_matches([':', '：']);
    match key {
        "合计" | "合計" | "总计" | "總計" | "本月合计" | "本月合計" | "total" | "grandtotal"
        | "总合计" | "總合計" => Some(TotalsKind::Grand),
        "小计" | "小計" | "累计" | "累計" | "subtotal" | "本年累计" | "本年累計" => {
            Some(TotalsKind::Sub)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("test decimal")
    }
    fn text(s: &str) -> Cell<'_> {
        Cell::Text(Cow::Borrowed(s))
    }
    fn date(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("test date")
    }
    const DOT: Style = Style {
        order: DayMonthOrder::Reject,
        decimal_comma: false,
        date_1904: false,
    };
    const COMMA: Style = Style {
        decimal_comma: true,
        ..DOT
    };
    const EPOCH_1904: Style = Style {
        date_1904: true,
        ..DOT
    };

    #[test]
    fn numeric_cells_keep_their_shortest_text() {
        for (f, want) in [
            (261.96, "261.96"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e20, "100000000000000000000"),
            (-1234.5, "-1234.5"),
            (12345678.123456, "12345678.123456"),
            // 28 digits: the most an exact decimal takes.
            (1e27, "1000000000000000000000000000"),
            // 21 decimal places.
            (1.5e-20, "0.000000000000000000015"),
        ] {
            assert_eq!(
                parse_number(&Cell::Number(f), &DOT),
                Ok(Some(d(want))),
                "{f}"
            );
        }
        assert_eq!(parse_number(&Cell::Int(10023), &DOT), Ok(Some(d("10023"))));
        assert_eq!(
            parse_number(&Cell::Number(f64::NAN), &DOT),
            Err(ValueError::Unreadable)
        );
    }

    #[test]
    fn numeric_cells_beyond_exact_decimals_are_rejected_not_rounded() {
        for (f, want) in [
            // The smallest float: 324 decimal places, not 0.
            (5e-324, ValueError::TooPrecise),
            // 31 decimal places.
            (1.2345678901234567e-15, ValueError::TooPrecise),
            // 31 and 29 digits before the point.
            (1e30, ValueError::TooLarge),
            (-1e30, ValueError::TooLarge),
            (1e28, ValueError::TooLarge),
        ] {
            assert_eq!(parse_number(&Cell::Number(f), &DOT), Err(want), "{f}");
        }
        assert_eq!(
            parse_number(&Cell::Bool(true), &DOT),
            Err(ValueError::Unreadable)
        );
        assert_eq!(
            parse_number(&Cell::Error(Cow::Borrowed("#REF!")), &DOT),
            Err(ValueError::ErrorValue)
        );
    }

    #[test]
    fn text_numbers_in_every_form() {
        for (t, want) in [
            ("1,234.50", "1234.5"),
            ("1,234,567.89", "1234567.89"),
            ("1 234 567.89", "1234567.89"),
            ("1\u{a0}234.5", "1234.5"),
            ("1,234", "1234"),
            ("¥1,234.50", "1234.5"),
            ("￥1234", "1234"),
            ("1234元", "1234"),
            ("1,000 元", "1000"),
            ("(1,234.50)", "-1234.5"),
            ("¥(12)", "-12"),
            ("(¥12)元", "-12"),
            ("１２３４．５", "1234.5"),
            ("１，２３４．５０", "1234.5"),
            ("－５", "-5"),
            ("\u{2212}5", "-5"),
            ("-¥12.00", "-12"),
            ("¥-12", "-12"),
            (" 88 ", "88"),
            ("RMB 1,000", "1000"),
            ("$1,234.50", "1234.5"),
            ("+5", "5"),
            (".5", "0.5"),
            ("007", "7"),
        ] {
            assert_eq!(parse_number(&text(t), &DOT), Ok(Some(d(want))), "{t}");
        }
        for t in [
            "待定",
            "1.2.3",
            "12abc",
            "(",
            "--5",
            "(-5)",
            "-(5)",
            "¥",
            "1,23x",
            "1¥2",
            "12 5",
            "1,,234",
            "1, 234",
            "1,234 567",
            "1,234.5,6",
            ".",
            "",
        ] {
            let want = if t.is_empty() {
                Ok(None)
            } else {
                Err(ValueError::Unreadable)
            };
            assert_eq!(parse_number(&text(t), &DOT), want, "{t}");
        }
        assert_eq!(parse_number(&text("  \u{3000}"), &DOT), Ok(None));
        assert_eq!(
            parse_number(&Cell::NoValue, &DOT),
            Err(ValueError::NoSavedValue)
        );
        assert_eq!(
            parse_number(&Cell::Error(Cow::Borrowed("#N/A")), &DOT),
            Err(ValueError::ErrorValue)
        );
    }

    #[test]
    fn a_comma_that_is_not_a_thousands_separator_is_ambiguous() {
        for t in [
            "1000,00",
            "12,5",
            "1.234,50",
            "1 234,50",
            "12,34",
            "1,2345",
            "1.234.567",
            "-12,5",
            "¥1.234,50",
        ] {
            assert_eq!(
                parse_number_text(t, false),
                Err(ValueError::AmbiguousNumber),
                "{t}"
            );
        }
    }

    #[test]
    fn decimal_comma_reads_the_comma_as_the_decimal_mark() {
        for (t, want) in [
            ("1000,00", "1000"),
            ("12,5", "12.5"),
            ("1.234,50", "1234.5"),
            ("1 234,50", "1234.5"),
            ("1\u{202f}234,50", "1234.5"),
            ("1.234.567", "1234567"),
            ("1.234", "1234"),
            ("-1.234,5", "-1234.5"),
            ("(1.234,50)", "-1234.5"),
            ("€1.234,50", "1234.5"),
            ("1234", "1234"),
            ("-7", "-7"),
        ] {
            assert_eq!(parse_number(&text(t), &COMMA), Ok(Some(d(want))), "{t}");
        }
        // Dot-decimal numbers do not fit the comma convention: ambiguous, not misread.
        for t in ["1,234.50", "1234.5", "1.5", "12,345,678"] {
            assert_eq!(
                parse_number_text(t, true),
                Err(ValueError::AmbiguousNumber),
                "{t}"
            );
        }
        // Groups must still be of three.
        assert_eq!(
            parse_number_text("1.23.456,7", true),
            Err(ValueError::Unreadable)
        );
        // Numeric cells have no separators to misread.
        assert_eq!(
            parse_number(&Cell::Number(1234.5), &COMMA),
            Ok(Some(d("1234.5")))
        );
    }

    #[test]
    fn text_numbers_are_exact_or_rejected() {
        let max = "1234567890123456789012345678";
        assert_eq!(parse_number_text(max, false), Ok(d(max)));
        assert_eq!(parse_number_text(&format!("-{max}"), false), Ok(-d(max)));
        assert_eq!(
            parse_number_text("0.0000000000000000000000000001", false),
            Ok(Decimal::new(1, 28))
        );
        assert_eq!(
            parse_number_text("1.50000000000000000000000000000000", false),
            Ok(d("1.5"))
        );
        assert_eq!(
            parse_number_text("000000000000000000000000000000001", false),
            Ok(d("1"))
        );
        for (t, want) in [
            ("12345678901234567890123456789", ValueError::TooLarge),
            ("1000000000000000000000000000000", ValueError::TooLarge),
            (
                "12,345,678,901,234,567,890,123,456,789.00",
                ValueError::TooLarge,
            ),
            ("1234567890123456789012345678.9", ValueError::TooPrecise),
            ("0.00000000000000000000000000001", ValueError::TooPrecise),
            ("-0.00000000000000000000000000005", ValueError::TooPrecise),
            ("1.0000000000000000000000000001234", ValueError::TooPrecise),
        ] {
            assert_eq!(parse_number_text(t, false), Err(want), "{t}");
        }
    }

    #[test]
    fn dates_in_every_form() {
        let want = date(2025, 3, 5);
        for t in [
            "2025-03-05",
            "2025/3/5",
            "2025.3.5",
            "2025年3月5日",
            "20250305",
            "2025-03-05 14:30:00",
            "2025-03-05T00:00:00",
            "２０２５年３月５日",
        ] {
            assert_eq!(parse_date(&text(t), &DOT), Ok(Some(want)), "{t}");
        }
        for cell in [
            Cell::Date(want),
            Cell::Number(45721.0),
            Cell::Number(45721.75),
            Cell::Int(45721),
            Cell::Int(20250305),
            Cell::Number(20250305.0),
        ] {
            assert_eq!(parse_date(&cell, &DOT), Ok(Some(want)), "{cell:?}");
        }
    }

    #[test]
    fn dates_fall_in_1950_to_2099_whatever_their_form() {
        let first = date(1950, 1, 1);
        let last = date(2099, 12, 31);
        // Serials: 1950-01-01 is 18264 (50 years of 365 days, 12 leap days,
        // serial 1 is 1900-01-01 and Excel counts a 1900-02-29); 2099-12-31 is
        // 73050 (2000-01-01 is 36526, a century later 36525 days on, minus one).
        for (cell, want) in [
            (Cell::Date(first), Ok(Some(first))),
            (Cell::Date(last), Ok(Some(last))),
            (
                Cell::Date(date(1949, 12, 31)),
                Err(ValueError::DateOutOfRange),
            ),
            (
                Cell::Date(date(2100, 1, 1)),
                Err(ValueError::DateOutOfRange),
            ),
            (
                Cell::Date(date(1899, 12, 31)),
                Err(ValueError::DateOutOfRange),
            ),
            (Cell::Number(18264.0), Ok(Some(first))),
            (Cell::Number(73050.0), Ok(Some(last))),
            (Cell::Number(18263.0), Err(ValueError::DateOutOfRange)),
            (Cell::Number(73051.0), Err(ValueError::DateOutOfRange)),
            (Cell::Number(12.0), Err(ValueError::DateOutOfRange)),
            (Cell::Int(19491231), Err(ValueError::DateOutOfRange)),
            (Cell::Int(21000101), Err(ValueError::DateOutOfRange)),
            (Cell::Int(20251301), Err(ValueError::Unreadable)),
            (Cell::Number(5_000_000.0), Err(ValueError::Unreadable)),
            (Cell::Number(-3.0), Err(ValueError::Unreadable)),
            (text("1949-12-31"), Err(ValueError::DateOutOfRange)),
            (text("2100-01-01"), Err(ValueError::DateOutOfRange)),
            (text("1066年10月14日"), Err(ValueError::DateOutOfRange)),
            (text("1950-01-01"), Ok(Some(first))),
            (text("2099/12/31"), Ok(Some(last))),
        ] {
            assert_eq!(parse_date(&cell, &DOT), want, "{cell:?}");
        }
    }

    #[test]
    fn time_only_serial_zero_and_the_fictitious_leap_day_are_rejected() {
        for (cell, want) in [
            (Cell::Number(0.0), ValueError::TimeOnly),
            (Cell::Number(0.75), ValueError::TimeOnly),
            (Cell::BadDate(0.5), ValueError::TimeOnly),
            (Cell::BadDate(-1.0), ValueError::Unreadable),
            // 1900-02-29 never existed.
            (Cell::Number(60.0), ValueError::DateOutOfRange),
            (Cell::Bool(true), ValueError::Unreadable),
        ] {
            assert_eq!(parse_date(&cell, &DOT), Err(want), "{cell:?}");
            assert_eq!(parse_date(&cell, &EPOCH_1904), Err(want), "{cell:?}");
        }
    }

    #[test]
    fn serials_follow_the_workbooks_date_system() {
        // 1904 system: 1462 days fewer for one date.
        assert_eq!(
            parse_date(&Cell::Number(44259.0), &EPOCH_1904),
            Ok(Some(date(2025, 3, 5)))
        );
        // 45721 in the 1904 system is 1462 days after 2025-03-05: four years
        // (1461 days, 2028-02-29 among them) and one day.
        assert_eq!(
            parse_date(&Cell::Number(45721.0), &EPOCH_1904),
            Ok(Some(date(2029, 3, 6)))
        );
        assert_eq!(
            parse_date(&Cell::Number(16802.0), &EPOCH_1904),
            Ok(Some(date(1950, 1, 1)))
        );
        assert_eq!(
            parse_date(&Cell::Number(16801.0), &EPOCH_1904),
            Err(ValueError::DateOutOfRange)
        );
        // yyyymmdd numbers and text do not depend on it.
        assert_eq!(
            parse_date(&Cell::Int(20250305), &EPOCH_1904),
            Ok(Some(date(2025, 3, 5)))
        );
        assert_eq!(
            parse_date(&text("2025-03-05"), &EPOCH_1904),
            Ok(Some(date(2025, 3, 5)))
        );
    }

    #[test]
    fn ambiguous_and_impossible_dates() {
        for t in ["03/05/2025", "25/03/2025", "3-5-2025"] {
            assert_eq!(
                parse_date_text(t, DayMonthOrder::Reject),
                Err(ValueError::AmbiguousDate),
                "{t}"
            );
        }
        assert_eq!(
            parse_date_text("03/05/2025", DayMonthOrder::DayFirst),
            Ok(date(2025, 5, 3))
        );
        assert_eq!(
            parse_date_text("03/05/2025", DayMonthOrder::MonthFirst),
            Ok(date(2025, 3, 5))
        );
        assert_eq!(
            parse_date_text("25/03/2025", DayMonthOrder::MonthFirst),
            Err(ValueError::Unreadable)
        );
        assert_eq!(
            parse_date_text("25/03/1925", DayMonthOrder::DayFirst),
            Err(ValueError::DateOutOfRange)
        );
        for t in [
            "2025-02-30",
            "2025年13月1日",
            "next tuesday",
            "2025",
            "20251301",
            "14:30",
        ] {
            assert_eq!(
                parse_date_text(t, DayMonthOrder::Reject),
                Err(ValueError::Unreadable),
                "{t}"
            );
        }
    }

    #[test]
    fn serials_in_both_epochs() {
        assert_eq!(date_from_serial(45721.0, false), Some(date(2025, 3, 5)));
        assert_eq!(date_from_serial(44259.0, true), Some(date(2025, 3, 5)));
        assert_eq!(date_from_serial(61.0, false), Some(date(1900, 3, 1)));
        assert_eq!(date_from_serial(59.0, false), Some(date(1900, 2, 28)));
        assert_eq!(date_from_serial(1.0, false), Some(date(1900, 1, 1)));
        assert_eq!(date_from_serial(1.0, true), Some(date(1904, 1, 2)));
        assert_eq!(date_from_serial(60.0, false), None);
        assert_eq!(date_from_serial(0.5, false), None);
        assert_eq!(date_from_serial(0.0, true), None);
        assert_eq!(date_from_serial(-1.0, false), None);
        assert_eq!(
            date_from_serial(2_958_465.0, false),
            Some(date(9999, 12, 31))
        );
        assert_eq!(date_from_serial(2_958_466.0, false), None);
    }

    #[test]
    fn totals_words() {
        for t in [
            "合计",
            " 合 计 ",
            "合计：",
            "本月合计",
            "Total",
            "GRAND TOTAL",
            "总计",
            "合\u{3000}計",
        ] {
            assert_eq!(totals_word(t), Some(TotalsKind::Grand), "{t}");
        }
        for t in ["小计", "Subtotal", "累计"] {
            assert_eq!(totals_word(t), Some(TotalsKind::Sub), "{t}");
        }
        for t in ["合计金额", "以下为退货冲红", "", "Totally"] {
            assert_eq!(totals_word(t), None, "{t}");
        }
    }
}
