//! A [`Book`] as JSON: what an evaluation workbook stores in its very
//! hidden sheet so that `merge` and `finalize` rebuild the workbook from what
//! it was made of (dropdowns, protection and formats whole again) instead of
//! patching what came back.
//!
//! Cell values keep their kind in the JSON itself: `null` (empty), a string
//! (text), an integer (whole count), a number written with a decimal point
//! (an exact decimal), `{"sum": "…"}` (a total) and `{"date": "YYYY-MM-DD"}`.

use std::collections::BTreeSet;
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::model::{Book, Value};

/// The book as compact JSON.
///
/// # Errors
/// Only when a value cannot be serialised (it always can).
pub fn to_json(book: &Book) -> serde_json::Result<String> {
    serde_json::to_string(book)
}

/// A book read back from its JSON.
///
/// # Errors
/// The text is not a stored book (damaged or from another program).
pub fn from_json(text: &str) -> serde_json::Result<Book> {
    serde_json::from_str(text)
}

/// `YYYY-MM-DD` dates in the stored JSON.
pub mod iso_date {
    use super::*;

    pub fn serialize<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&d.format("%Y-%m-%d"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let text = String::deserialize(d)?;
        NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(D::Error::custom)
    }
}

/// Longest column key a stored book may name.
const MAX_KEY_CHARS: usize = 64;
/// Most distinct column keys kept for the life of the process.
const MAX_KEYS: usize = 4096;

/// A column key read back, as the `&'static str` every column holds: each
/// distinct key is kept once for the life of the process (a workbook names a
/// few dozen).
pub fn static_key<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    static KEYS: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let text = String::deserialize(d)?;
    if text.chars().count() > MAX_KEY_CHARS {
        return Err(D::Error::custom("a column key is too long"));
    }
    let keys = KEYS.get_or_init(|| Mutex::new(BTreeSet::new()));
    let mut keys = keys
        .lock()
        .map_err(|_| D::Error::custom("column keys unavailable"))?;
    if let Some(k) = keys.get(text.as_str()) {
        return Ok(k);
    }
    if keys.len() >= MAX_KEYS {
        return Err(D::Error::custom("too many column keys"));
    }
    let k: &'static str = Box::leak(text.into_boxed_str());
    keys.insert(k);
    Ok(k)
}

/// A decimal as a JSON number that always shows a decimal point, so it reads
/// back as a number and not as a whole count.
fn decimal_number(d: Decimal) -> Result<serde_json::Number, serde_json::Error> {
    let mut text = d.to_string();
    if !text.contains('.') {
        text.push_str(".0");
    }
    serde_json::Number::from_str(&text)
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Value::Empty => s.serialize_unit(),
            Value::Text(t) => s.serialize_str(t),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Number(d) => decimal_number(*d)
                .map_err(serde::ser::Error::custom)?
                .serialize(s),
            Value::Sum(d) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("sum", &d.to_string())?;
                m.end()
            }
            Value::Date(d) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("date", &d.format("%Y-%m-%d").to_string())?;
                m.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        use serde_json::Value as J;
        let decimal = |t: &str| {
            Decimal::from_str(t)
                .or_else(|_| Decimal::from_scientific(t))
                .map_err(D::Error::custom)
        };
        Ok(match J::deserialize(d)? {
            J::Null => Value::Empty,
            J::String(t) => Value::Text(t),
            J::Number(n) => {
                let t = n.to_string();
                match t.parse::<i64>() {
                    Ok(i) if !t.contains(['.', 'e', 'E']) => Value::Int(i),
                    _ => Value::Number(decimal(&t)?),
                }
            }
            J::Object(m) => match (m.get("sum"), m.get("date")) {
                (Some(J::String(t)), None) => Value::Sum(decimal(t)?),
                (None, Some(J::String(t))) => {
                    Value::Date(NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(D::Error::custom)?)
                }
                _ => return Err(D::Error::custom("not a stored cell value")),
            },
            other => {
                return Err(D::Error::custom(format!(
                    "not a stored cell value: {other}"
                )))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{Block, ColKind, Column, PageSetup, Sheet, Table};

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("test decimal")
    }

    #[test]
    fn every_value_kind_comes_back_as_it_was() {
        let values = vec![
            Value::Empty,
            Value::text("00123"),
            Value::text("12.5"),
            Value::Int(12),
            Value::Number(d("12")),
            Value::Number(d("-0.045724524202883230")),
            Value::Number(d("79228162514264337593543950335")),
            Value::Sum(d("1234.50")),
            Value::Date(NaiveDate::from_ymd_opt(2025, 11, 30).expect("date")),
        ];
        let json = serde_json::to_string(&values).expect("json");
        let back: Vec<Value> = serde_json::from_str(&json).expect("back");
        assert_eq!(back, values);
        assert!(matches!(back[4], Value::Number(_)), "12 stays a number");
        assert!(matches!(back[3], Value::Int(12)));
    }

    #[test]
    fn a_book_round_trips() {
        let table = Table::new(
            "evaluation",
            vec![
                Column::new("id", "客户编码", ColKind::Text),
                Column::new("proposed", "建议等级", ColKind::Grade).editable(vec!["A".into()]),
                Column::new("tierbook_test_key", "x", ColKind::Money).max_width(12.5),
            ],
            vec![vec![
                Value::text("K001"),
                Value::Empty,
                Value::Number(d("1.5")),
            ]],
        )
        .main(true)
        .with_total(vec![Value::Empty, Value::Empty, Value::Sum(d("1.5"))]);
        let book = Book {
            title: "t".into(),
            created: NaiveDate::from_ymd_opt(2025, 3, 31).expect("date"),
            sheets: vec![Sheet {
                name: "评定表".into(),
                title: "评定".into(),
                subtitle: vec!["s".into()],
                blocks: vec![Block::Heading("h".into()), Block::Gap, Block::Table(table)],
                page: PageSetup {
                    landscape: true,
                    header: "h".into(),
                    footer: "f".into(),
                    freeze_columns: 3,
                    repeat_header: true,
                    protect: true,
                    signature: Some(vec!["填表：".into()]),
                    paper: Default::default(),
                },
            }],
            hidden: None,
            tiers: vec!["A".into(), "B".into()],
        };
        let back = from_json(&to_json(&book).expect("json")).expect("back");
        assert_eq!(back, book);
    }

    #[test]
    fn damaged_json_is_an_error() {
        assert!(from_json("{\"title\": 3}").is_err());
        assert!(serde_json::from_str::<Value>("{\"sum\": 3}").is_err());
        assert!(serde_json::from_str::<Value>("true").is_err());
    }
}
