//! Interpreting cells as numbers and dates (SPEC 3.4) and spotting totals
//! rows (SPEC 3.5). Pure functions: no file access.

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::cell::Cell;
use crate::text::{fold_width, is_space};

/// Why a cell could not be read as the value its column needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueError {
    /// Not a number / not a date in any accepted form.
    Unreadable,
    /// A text date whose day and month order is ambiguous (03/05/2025).
    AmbiguousDate,
    /// A formula cell with no saved value.
    NoSavedValue,
    /// An Excel error value such as #N/A.
    ErrorValue,
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

/// Earliest and latest plausible Excel serial numbers for a date (1990–2099).
const SERIAL_MIN: f64 = 32874.0;
const SERIAL_MAX: f64 = 73415.0;

/// Converts a float cell to an exact decimal by its shortest round-trip
/// text, so 261.96 stays 261.96.
pub fn decimal_from_f64(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    // Fast path: values with at most 4 decimals and 15 significant digits are
    // exactly the decimal whose f64 they are.
    if f.abs() < 1e11 {
        let c = (f * 10_000.0).round();
        if c / 10_000.0 == f {
            return Some(Decimal::new(c as i64, 4).normalize());
        }
    }
    let text = format!("{f}");
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
        .map(|d| d.normalize())
}

/// Reads a number cell or a number written as text: `1,234.50`, `¥1,234.50`,
/// `￥1234`, `1234元`, `(1,234.50)` (negative), full-width digits.
///
/// Returns `Ok(None)` for a blank cell.
pub fn parse_number(cell: &Cell) -> Result<Option<Decimal>, ValueError> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(f) => decimal_from_f64(*f).map(Some).ok_or(ValueError::Unreadable),
        Cell::Int(i) => Ok(Some(Decimal::from(*i))),
        Cell::Text(t) => {
            if t.chars().all(is_space) {
                Ok(None)
            } else {
                parse_number_text(t).map(Some).ok_or(ValueError::Unreadable)
            }
        }
        Cell::NoValue => Err(ValueError::NoSavedValue),
        Cell::Error(_) => Err(ValueError::ErrorValue),
        Cell::Bool(_) | Cell::Date(_) | Cell::BadDate(_) => Err(ValueError::Unreadable),
    }
}

/// The text forms of [`parse_number`].
pub fn parse_number_text(text: &str) -> Option<Decimal> {
    // Fast path: a plain number such as 1234.50 or -12 (CSV cells mostly are).
    let b = text.as_bytes();
    let digits = b.strip_prefix(b"-").unwrap_or(b);
    if !digits.is_empty()
        && digits.len() < 26
        && digits[0].is_ascii_digit()
        && digits.iter().all(|c| c.is_ascii_digit() || *c == b'.')
        && digits.iter().filter(|&&c| c == b'.').count() <= 1
        && digits.last() != Some(&b'.')
    {
        if let Ok(d) = Decimal::from_str(text) {
            return Some(d.normalize());
        }
    }
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        let c = fold_width(c);
        match c {
            _ if is_space(c) => {}
            ',' | '\u{ffe5}' | '\u{a5}' | '$' => {}
            '−' | '－' => s.push('-'),
            _ => s.push(c),
        }
    }
    let mut body = s.as_str();
    for suffix in ["元", "RMB", "CNY", "rmb"] {
        if let Some(b) = body.strip_suffix(suffix) {
            body = b;
            break;
        }
    }
    for prefix in ["RMB", "CNY", "rmb"] {
        if let Some(b) = body.strip_prefix(prefix) {
            body = b;
            break;
        }
    }
    let mut negative = false;
    if let Some(inner) = body.strip_prefix('(').and_then(|b| b.strip_suffix(')')) {
        negative = true;
        body = inner;
    }
    if let Some(inner) = body.strip_prefix('-') {
        negative = !negative;
        body = inner;
    } else if let Some(inner) = body.strip_prefix('+') {
        body = inner;
    }
    // Currency symbols may also sit after the sign: -¥12 became -12 above.
    if body.is_empty()
        || !body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        || body.bytes().filter(|&b| b == b'.').count() > 1
        || !body.bytes().any(|b| b.is_ascii_digit())
    {
        return None;
    }
    let d = Decimal::from_str(body).ok()?;
    Some(if negative { -d } else { d }.normalize())
}

/// Reads a date cell, a plausible Excel serial, a `yyyymmdd` number, or text
/// `2025-03-05`, `2025/3/5`, `2025.3.5`, `2025年3月5日`, `20250305` (a time
/// after the date is ignored). `03/05/2025` is ambiguous unless `order` says.
///
/// Returns `Ok(None)` for a blank cell.
pub fn parse_date(cell: &Cell, order: DayMonthOrder) -> Result<Option<NaiveDate>, ValueError> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date(d) => Ok(Some(*d)),
        Cell::BadDate(_) | Cell::Bool(_) => Err(ValueError::Unreadable),
        Cell::Number(f) => date_from_number(*f).map(Some).ok_or(ValueError::Unreadable),
        Cell::Int(i) => date_from_number(*i as f64)
            .map(Some)
            .ok_or(ValueError::Unreadable),
        Cell::Text(t) => {
            if t.chars().all(is_space) {
                Ok(None)
            } else {
                parse_date_text(t, order).map(Some)
            }
        }
        Cell::NoValue => Err(ValueError::NoSavedValue),
        Cell::Error(_) => Err(ValueError::ErrorValue),
    }
}

/// A number in a date column: `yyyymmdd`, or an Excel serial in 1990–2099.
pub fn date_from_number(f: f64) -> Option<NaiveDate> {
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && (19_000_101.0..=21_001_231.0).contains(&f) {
        let n = f as i64;
        return NaiveDate::from_ymd_opt(
            (n / 10_000) as i32,
            (n / 100 % 100) as u32,
            (n % 100) as u32,
        );
    }
    if (SERIAL_MIN..SERIAL_MAX).contains(&f) {
        return date_from_serial(f, false);
    }
    None
}

/// An Excel serial (1900 or 1904 system) as a calendar date; the time of day is dropped.
pub fn date_from_serial(f: f64, is_1904: bool) -> Option<NaiveDate> {
    if !f.is_finite() || !(0.0..=2_958_465.0).contains(&f) {
        return None;
    }
    let days = f.floor() as i64;
    let base = if is_1904 {
        NaiveDate::from_ymd_opt(1904, 1, 1)?
    } else {
        // Excel counts a fictitious 1900-02-29 (serial 60); serials after it are off by one.
        if days < 60 {
            return NaiveDate::from_ymd_opt(1899, 12, 31)?
                .checked_add_signed(chrono::Duration::days(days));
        }
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
    if !(1900..=2199).contains(&y) {
        return Err(ValueError::Unreadable);
    }
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or(ValueError::Unreadable)
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

    #[test]
    fn numeric_cells_keep_their_shortest_text() {
        assert_eq!(parse_number(&Cell::Number(261.96)), Ok(Some(d("261.96"))));
        assert_eq!(
            parse_number(&Cell::Number(0.1 + 0.2)),
            Ok(Some(d("0.30000000000000004")))
        );
        assert_eq!(
            parse_number(&Cell::Number(1e20)),
            Ok(Some(d("100000000000000000000")))
        );
        assert_eq!(parse_number(&Cell::Number(-1234.5)), Ok(Some(d("-1234.5"))));
        assert_eq!(
            parse_number(&Cell::Number(12345678.123456)),
            Ok(Some(d("12345678.123456")))
        );
        assert_eq!(parse_number(&Cell::Int(10023)), Ok(Some(d("10023"))));
        assert_eq!(
            parse_number(&Cell::Number(f64::NAN)),
            Err(ValueError::Unreadable)
        );
    }

    #[test]
    fn text_numbers_in_every_form() {
        for (t, want) in [
            ("1,234.50", "1234.5"),
            ("¥1,234.50", "1234.5"),
            ("￥1234", "1234"),
            ("1234元", "1234"),
            ("(1,234.50)", "-1234.5"),
            ("１２３４．５", "1234.5"),
            ("-¥12.00", "-12"),
            (" 88 ", "88"),
            ("RMB 1,000", "1000"),
            ("+5", "5"),
        ] {
            assert_eq!(parse_number(&text(t)), Ok(Some(d(want))), "{t}");
        }
        for t in ["待定", "1.2.3", "12abc", "(", "--5", "¥", "1,23x"] {
            assert_eq!(parse_number(&text(t)), Err(ValueError::Unreadable), "{t}");
        }
        assert_eq!(parse_number(&text("  \u{3000}")), Ok(None));
        assert_eq!(parse_number(&Cell::NoValue), Err(ValueError::NoSavedValue));
        assert_eq!(
            parse_number(&Cell::Error(Cow::Borrowed("#N/A"))),
            Err(ValueError::ErrorValue)
        );
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
            assert_eq!(
                parse_date(&text(t), DayMonthOrder::Reject),
                Ok(Some(want)),
                "{t}"
            );
        }
        assert_eq!(
            parse_date(&Cell::Date(want), DayMonthOrder::Reject),
            Ok(Some(want))
        );
        assert_eq!(
            parse_date(&Cell::Number(45721.0), DayMonthOrder::Reject),
            Ok(Some(want))
        );
        assert_eq!(
            parse_date(&Cell::Number(45721.75), DayMonthOrder::Reject),
            Ok(Some(want))
        );
        assert_eq!(
            parse_date(&Cell::Int(20250305), DayMonthOrder::Reject),
            Ok(Some(want))
        );
        assert_eq!(
            parse_date(&Cell::Number(12.0), DayMonthOrder::Reject),
            Err(ValueError::Unreadable)
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
        for t in [
            "2025-02-30",
            "2025年13月1日",
            "next tuesday",
            "2025",
            "20251301",
            "1066-10-14",
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
        assert_eq!(date_from_serial(-1.0, false), None);
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
