//! Fuzzes the value parsers (SPEC 3.4, 3.5): number and date text, numeric
//! cells, totals words, month arithmetic. None may panic; what they accept
//! must be consistent.
#![no_main]

use std::borrow::Cow;

use libfuzzer_sys::fuzz_target;
use tierbook::model::period::add_months;
use tierbook::read::value::{
    date_from_number, date_from_serial, decimal_from_f64, parse_date, parse_date_text,
    parse_number, parse_number_text, totals_word,
};
use tierbook::read::{Cell, DayMonthOrder, Style};

fuzz_target!(|data: &[u8]| {
    if data.len() >= 8 {
        let f = f64::from_le_bytes(data[..8].try_into().unwrap());
        let i = i64::from_le_bytes(data[..8].try_into().unwrap());
        if let Ok(d) = decimal_from_f64(f) {
            // The shortest round-trip text of the float reads back as the same decimal.
            assert_eq!(parse_number_text(&d.to_string(), false), Ok(d), "{f}");
        }
        for date_1904 in [false, true] {
            let style = Style {
                date_1904,
                ..Style::default()
            };
            let _ = date_from_serial(f, date_1904);
            let _ = parse_date(&Cell::Number(f), &style);
            if let Ok(d) = date_from_number(f, date_1904) {
                let _ = add_months(d, i as i32 % 2400);
            }
        }
        let _ = parse_number(&Cell::Number(f), &Style::default());
        let _ = parse_number(&Cell::Int(i), &Style::default());
        let _ = parse_date(&Cell::Int(i), &Style::default());
    }
    let text = String::from_utf8_lossy(data);
    for decimal_comma in [false, true] {
        if let Ok(n) = parse_number_text(&text, decimal_comma) {
            // What is accepted is exact: its own text reads back the same.
            assert_eq!(parse_number_text(&n.to_string(), false), Ok(n), "{text:?}");
        }
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
        let style = Style {
            order,
            ..Style::default()
        };
        let _ = parse_date(&Cell::Text(Cow::Borrowed(&text)), &style);
    }
    let _ = parse_number(&Cell::Text(Cow::Borrowed(&text)), &Style::default());
    let _ = totals_word(&text);
});
