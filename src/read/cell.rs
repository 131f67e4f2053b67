//! The one cell type every reader produces, whatever the file format.

use std::borrow::Cow;

use chrono::NaiveDate;

/// A cell as read from a workbook or CSV, before any interpretation.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(Cow<'a, str>),
    Number(f64),
    Int(i64),
    Bool(bool),
    /// A date(-time) cell, already converted to a calendar date.
    Date(NaiveDate),
    /// A date cell whose value is not a valid calendar date (e.g. negative serial).
    BadDate(f64),
    /// An Excel error value such as `#N/A`.
    Error(Cow<'a, str>),
    /// A formula without a saved (cached) value.
    NoValue,
}

impl Cell<'_> {
    /// Whether the cell holds nothing, or only spaces.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.chars().all(crate::text::is_space),
            _ => false,
        }
    }

    /// The text of a text cell, trimmed of spaces (U+3000 included).
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Cell::Text(t) => Some(crate::text::trim_spaces(t)),
            _ => None,
        }
    }

    /// The cell as the text a person sees (for raw cells of rejected rows and for
    /// identifiers): numbers by their shortest round-trip form, dates ISO.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.to_string(),
            Cell::Number(f) => format_f64(*f),
            Cell::Int(i) => i.to_string(),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::BadDate(f) => format_f64(*f),
            Cell::Error(e) => e.to_string(),
            Cell::NoValue => "=?".to_string(),
        }
    }

    /// An owned copy (detached from the workbook's string table).
    pub fn into_owned(self) -> Cell<'static> {
        match self {
            Cell::Empty => Cell::Empty,
            Cell::Text(t) => Cell::Text(Cow::Owned(t.into_owned())),
            Cell::Number(f) => Cell::Number(f),
            Cell::Int(i) => Cell::Int(i),
            Cell::Bool(b) => Cell::Bool(b),
            Cell::Date(d) => Cell::Date(d),
            Cell::BadDate(f) => Cell::BadDate(f),
            Cell::Error(e) => Cell::Error(Cow::Owned(e.into_owned())),
            Cell::NoValue => Cell::NoValue,
        }
    }
}

/// Shortest round-trip text of a float, integers without a trailing `.0`;
/// a float whose digits would run past 24 characters (5e-324, 1e30) in
/// scientific notation.
pub fn format_f64(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    let plain = format!("{f}");
    if plain.len() > 24 {
        format!("{f:e}")
    } else {
        plain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_shown_by_their_shortest_text() {
        assert_eq!(format_f64(10023.0), "10023");
        assert_eq!(format_f64(261.96), "261.96");
        assert_eq!(format_f64(1234567890123456.0), "1234567890123456");
        assert_eq!(format_f64(5e-324), "5e-324");
        assert_eq!(format_f64(1e30), "1e30");
        assert_eq!(format_f64(-1.2345e-20), "-1.2345e-20");
    }
}
