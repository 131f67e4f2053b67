//! Small text helpers shared by readers, grader and writers: name
//! normalisation (SPEC 3.3), display widths of CJK text, and the money and
//! number formats used in reasons and messages.

use rust_decimal::{Decimal, RoundingStrategy};
use unicode_normalization::{IsNormalized, UnicodeNormalization};

/// Whether `c` is a space for our purposes: ASCII and Unicode white space,
/// the ideographic space U+3000 and no-break spaces included.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}' || c == '\u{feff}'
}

/// `s` without leading and trailing spaces ([`is_space`]). Returns at once
/// when both ends plainly are not spaces (printable ASCII or a CJK ideograph,
/// the usual case in a ledger), else trims char by char.
pub fn trim_spaces(s: &str) -> &str {
    let b = s.as_bytes();
    if b.first().is_some_and(|&f| plain_lead(f)) && plain_last_char(b) {
        return s;
    }
    s.trim_matches(is_space)
}

/// Whether a char starting with byte `b` cannot be a space: printable ASCII,
/// or the lead byte of U+4000..U+9FFF (no space is there).
fn plain_lead(b: u8) -> bool {
    (0x21..=0x7e).contains(&b) || (0xe4..=0xe9).contains(&b)
}

/// Whether the last char of `b` (valid UTF-8) cannot be a space.
fn plain_last_char(b: &[u8]) -> bool {
    let n = b.len();
    (n.saturating_sub(4)..n)
        .rev()
        .find(|&i| b[i] & 0xc0 != 0x80)
        .is_some_and(|i| plain_lead(b[i]))
}

/// Folds a full-width ASCII character (U+FF01..U+FF5E) to half-width, and
/// U+3000 to a plain space.
pub fn fold_width(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Whether `c` is a character that takes no room and carries no text: zero-width
/// space, non-joiner and joiner, word joiner, and a byte-order mark inside a text.
pub fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}'
    )
}

/// Whether a text holding `c` may change under Unicode NFC: anything outside
/// ASCII, the CJK ideographs and punctuation, and the full-width forms, which
/// are all NFC already.
fn may_change_under_nfc(c: char) -> bool {
    !matches!(c as u32, 0..=0x2ff | 0x3000..=0x303f | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xff00..=0xffef)
}

/// [`normalize_name`] without allocating when the text is already normal.
pub fn normalize_name_cow(s: &str) -> std::borrow::Cow<'_, str> {
    let mut prev_space = true;
    let mut normal = true;
    let mut check_nfc = false;
    for c in s.chars() {
        if is_zero_width(c) || ('\u{ff01}'..='\u{ff5e}').contains(&c) {
            normal = false;
            break;
        }
        if is_space(c) {
            if c != ' ' || prev_space {
                normal = false;
                break;
            }
            prev_space = true;
        } else {
            check_nfc |= may_change_under_nfc(c);
            prev_space = false;
        }
    }
    if normal && check_nfc {
        normal = unicode_normalization::is_nfc_quick(s.chars()) == IsNormalized::Yes;
    }
    if normal && !prev_space {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(normalize_name(s))
    }
}

/// Trims, collapses inner runs of spaces to one space, folds full-width
/// ASCII to half-width, removes zero-width characters and composes the text
/// in Unicode NFC (the customer-name and customer-ID key of SPEC 3.3, 10).
pub fn normalize_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let mut check_nfc = false;
    for c in s.chars() {
        let c = fold_width(c);
        if is_zero_width(c) {
            continue;
        }
        if is_space(c) {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        check_nfc |= may_change_under_nfc(c);
        out.push(c);
    }
    if check_nfc && unicode_normalization::is_nfc_quick(out.chars()) != IsNormalized::Yes {
        out = out.nfc().collect();
    }
    out
}

/// The form two customer IDs share when they differ only by leading zeros
/// or a trailing `.0` (`00123`, `123`, `123.0` → `123`), for the warning of
/// SPEC 10 (Identity).
pub fn id_family(id: &str) -> &str {
    let mut s = id;
    if let Some((int, frac)) = s.rsplit_once('.') {
        if !frac.is_empty() && frac.bytes().all(|b| b == b'0') && !int.is_empty() {
            s = int;
        }
    }
    let trimmed = s.trim_start_matches('0');
    if trimmed.is_empty() && !s.is_empty() {
        "0"
    } else {
        trimmed
    }
}

/// A header or alias in comparable form: width-folded, lower-cased, with
/// every space removed (SPEC 3.2: case-, space- and full-width-insensitive).
pub fn header_key(s: &str) -> String {
    s.chars()
        .map(fold_width)
        .filter(|c| !is_space(*c) && !is_zero_width(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Display width of text in an Excel column: CJK and other wide characters
/// count as two.
pub fn display_width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF |
        0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF |
        0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Groups the integer digits of a plain decimal string with commas.
pub fn group_thousands(digits: &str) -> String {
    let (sign, rest) = match digits.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", digits),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    out.push_str(sign);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// Excel column letters of a 0-based index: 0 → A, 27 → AB.
pub fn column_letter(col: usize) -> String {
    let mut n = col + 1;
    let mut s = Vec::new();
    while n > 0 {
        s.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// `1234567.5` → `1,234,567.50` (two decimals, half away from zero).
pub fn fmt_amount(d: Decimal) -> String {
    let r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    group_thousands(&format!("{r:.2}"))
}

/// `1234567.5` → `¥1,234,568` (whole yuan, for reasons and summaries).
pub fn fmt_money(d: Decimal) -> String {
    let r = d.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    let s = group_thousands(&format!("{r:.0}"));
    match s.strip_prefix('-') {
        Some(rest) => format!("-¥{rest}"),
        None => format!("¥{s}"),
    }
}

/// A number with at most `dp` decimals, trailing zeros dropped: `68.50` → `68.5`.
pub fn fmt_number(d: Decimal, dp: u32) -> String {
    let r = d
        .round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
        .normalize();
    group_thousands(&r.to_string())
}

/// A ratio as a percentage with one decimal: `0.125` → `12.5%`.
pub fn fmt_percent(d: Decimal) -> String {
    format!("{}%", fmt_number(d * Decimal::ONE_HUNDRED, 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("test decimal")
    }

    #[test]
    fn names_are_trimmed_collapsed_and_folded() {
        assert_eq!(
            normalize_name("  华东\u{3000}\u{3000}机械  有限公司 "),
            "华东 机械 有限公司"
        );
        assert_eq!(normalize_name("ＡＢＣ　Ｌｔｄ．"), "ABC Ltd.");
        assert_eq!(normalize_name("\t"), "");
        for s in [
            "华东机械",
            "ABC Ltd.",
            " x",
            "x ",
            "a  b",
            "ＡＢＣ",
            "",
            "a\u{3000}b",
        ] {
            assert_eq!(normalize_name_cow(s), normalize_name(s), "{s:?}");
        }
        assert!(matches!(
            normalize_name_cow("华东 机械"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn names_lose_zero_width_characters_and_compose_in_nfc() {
        assert_eq!(normalize_name("华东\u{200b}机械"), "华东机械");
        assert_eq!(normalize_name("\u{feff}C001\u{2060}"), "C001");
        // e + combining acute → é; Hangul jamo → one syllable.
        assert_eq!(normalize_name("Cafe\u{301} Ltd"), "Caf\u{e9} Ltd");
        assert_eq!(normalize_name("\u{1100}\u{1161}"), "\u{ac00}");
        for s in [
            "Cafe\u{301}",
            "Caf\u{e9}",
            "华东\u{200b}机械",
            "\u{1100}\u{1161}",
            "Ｃ００１",
        ] {
            assert_eq!(normalize_name_cow(s), normalize_name(s), "{s:?}");
        }
        assert!(matches!(
            normalize_name_cow("Caf\u{e9} 华东"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn id_families_ignore_leading_zeros_and_a_trailing_point_zero() {
        assert_eq!(id_family("00123"), "123");
        assert_eq!(id_family("123.0"), "123");
        assert_eq!(id_family("0123.00"), "123");
        assert_eq!(id_family("C00123"), "C00123");
        assert_eq!(id_family("000"), "0");
        assert_eq!(id_family("12.5"), "12.5");
        assert_eq!(id_family(".0"), ".0");
    }

    #[test]
    fn header_keys_ignore_case_space_and_width() {
        assert_eq!(header_key(" Order  Date "), "orderdate");
        assert_eq!(header_key("ＯＲＤＥＲ　ＩＤ"), "orderid");
        assert_eq!(header_key("客户 编码"), "客户编码");
    }

    #[test]
    fn money_formats() {
        assert_eq!(fmt_amount(d("1234567.5")), "1,234,567.50");
        assert_eq!(fmt_amount(d("-0.005")), "-0.01");
        assert_eq!(fmt_money(d("6200000")), "¥6,200,000");
        assert_eq!(fmt_money(d("-1234.5")), "-¥1,235");
        assert_eq!(fmt_money(d("999")), "¥999");
        assert_eq!(fmt_number(d("68.50"), 2), "68.5");
        assert_eq!(fmt_percent(d("0.125")), "12.5%");
    }

    #[test]
    fn cjk_counts_double() {
        assert_eq!(display_width("客户A"), 5);
        assert_eq!(display_width("¥1,000"), 6);
    }

    #[test]
    fn trims_every_kind_of_space() {
        assert_eq!(trim_spaces("  华东机械 "), "华东机械");
        assert_eq!(trim_spaces("\u{3000}客户\u{3000}"), "客户");
        assert_eq!(trim_spaces("\u{a0}12.5\u{feff}"), "12.5");
        assert_eq!(trim_spaces("中\u{2003}"), "中");
        assert_eq!(trim_spaces("\u{3000}"), "");
        assert_eq!(trim_spaces(""), "");
        assert_eq!(trim_spaces("C00123"), "C00123");
    }

    proptest! {
        #[test]
        fn same_as_trimming_char_by_char(
            s in "[ \u{3000}\u{a0}\u{2003}\u{feff}\tA-Za-z0-9中国é€\u{1F600}]{0,8}"
        ) {
            prop_assert_eq!(trim_spaces(&s), s.trim_matches(is_space));
        }
    }
}
