//! Fuzzes the value parsers (SPEC 3.4, 3.5): number and date text, numeric
//! cells, totals words, month arithmetic. None may panic; what they accept
//! must be consistent.
#![no_main]

use std::borrow::Cow;

use libfuzzer_sys::fuzz_target;
use tierbook::read::value::{
    add_months, date_from_number, date_from_serial, decimal_from_f64, parse_date, parse_date_text,
    parse_number, parse_number_text, totals_word,
};
use tierbook::read::{Cell, DayMonthOrder};

fuzz_target!(|data: &[u8]| {
    if data.len() >= 8 {
        let f = f64::from_le_bytes(data[..8].try_into().unwrap());
        if let Some(d) = decimal_from_f64(f) {
            // The shortest round-trip text of the float reads back as the same decimal.
            assert_eq!(parse_number_text(&d.to_string()), Some(d), "{f}");
        }
        let _ = date_from_number(f);
        let _ = date_from_serial(f, false);
        let _ = date_from_serial(f, true);
        let _ = parse_number(&Cell::Number(f));
        let _ = parse_date(&Cell::Number(f), DayMonthOrder::Reject);
        let i = i64::from_le_bytes(data[..8].try_into().unwrap());
        let _ = parse_number(&Cell::Int(i));
        let _ = parse_date(&Cell::Int(i), DayMonthOrder::Reject);
        if let Some(d) = date_from_number(f) {
            let _ = add_months(d, i as i32 % 2400);
        }
    }
    let text = String::from_utf8_lossy(data);
    if let Some(n) = parse_number_text(&text) {
        assert_eq!(parse_number_text(&n.to_string()), Some(n), "{text:?}");
    }
    for order in [
        DayMonthOrder::Reject,
        DayMonthOrder::DayFirst,
        DayMonthOrder::MonthFirst,
    ] {
        if let Ok(d) = parse_date_text(&text, order) {
            assert_eq!(
                parse_date_text(&d.format("%Y-%m-%d").to_string(), order),
                Ok(d)
            );
        }
        let _ = parse_date(&Cell::Text(Cow::Borrowed(&text)), order);
    }
    let _ = parse_number(&Cell::Text(Cow::Borrowed(&text)));
    let _ = totals_word(&text);
});
