//! Output languages and the label tables: every user-facing sentence, in one
//! table per language (zh-CN, zh-TW, en). Code that speaks to the user picks
//! a template from a table and fills its `{name}` placeholders with [`fill`].
//!
//! - [`messages`]: issue kinds, field names and the issue messages of the
//!   Data Issues sheet, the JSON and `check`.
//! - [`cli`]: what `evaluate` prints on stderr and what `check` prints.
//! - [`meeting`]: handouts, merge conflicts, final grades, the monthly workbook.
//! - [`charts`]: the titles and axes of the Summary's charts.
//! - [`reading`]: the issues of SPEC 10's reading rules.
//! - [`crate::report::labels`]: sheet names, titles and headers of workbooks.
//! - [`reasons`]: the grading sentences (rendered by [`crate::report::reasons`]).
//! - [`serve`]: the web page of `tierbook serve`.
//! - [`finance`]: the finance sheets, the reconciliation workbook and the
//!   credit sentences.

pub mod charts;
pub mod cli;
pub mod finance;
pub mod meeting;
pub mod messages;
pub mod reading;
pub mod reasons;
pub mod serve;

use serde::Serialize;

/// The output language of workbooks and reasons (`--lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Lang {
    #[default]
    ZhCn,
    ZhTw,
    En,
}

impl Lang {
    /// Picks the text for this language; zh-TW falls back to its own column.
    pub fn pick<'a>(self, zh_cn: &'a str, zh_tw: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::ZhCn => zh_cn,
            Lang::ZhTw => zh_tw,
            Lang::En => en,
        }
    }
}

/// Fills the `{name}` placeholders of a template with `args` (name, value).
///
/// The template is read once from left to right, so a value that itself
/// contains `{name}` (a cell of an input file) is inserted as it is. A
/// placeholder without a value stays in the text.
///
/// ```
/// use tierbook::labels::fill;
/// assert_eq!(fill("{a} → {b}", &[("a", "1"), ("b", "{a}")]), "1 → {a}");
/// ```
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// [`fill`] with values that are owned texts (counts, dates).
pub fn fill_owned(template: &str, args: &[(&str, String)]) -> String {
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    fill(template, &args)
}

/// Every text of a label table (a struct of texts), in field order: the
/// string leaves of its serialised form.
pub fn table_texts(table: &impl Serialize) -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            serde_json::Value::Object(m) => m.values().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(v) = serde_json::to_value(table) {
        walk(&v, &mut out);
    }
    out
}

/// Every text of the label tables of `lang` held under this module and in
/// [`crate::report::labels`] (the grading sentences live in
/// [`crate::grade::reasons`]).
pub fn all_texts(lang: Lang) -> Vec<String> {
    let mut out = table_texts(messages::messages(lang));
    out.extend(table_texts(cli::cli(lang)));
    out.extend(table_texts(charts::charts(lang)));
    out.extend(table_texts(reading::reading(lang)));
    out.extend(table_texts(crate::report::labels::texts(lang)));
    out.extend(table_texts(reasons::phrases(lang)));
    out.extend(table_texts(meeting::meeting(lang)));
    out.extend(table_texts(serve::page(lang)));
    out.extend(table_texts(finance::finance(lang)));
    out.extend(
        crate::model::metrics::Metric::ALL
            .iter()
            .map(|m| reasons::metric_label(*m, lang).to_string()),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_every_placeholder() {
        assert_eq!(
            fill(
                "{metric} {value} ≥ {min} → {tier}",
                &[
                    ("metric", "销售额"),
                    ("value", "¥6,200,000"),
                    ("min", "¥5,000,000"),
                    ("tier", "A"),
                ]
            ),
            "销售额 ¥6,200,000 ≥ ¥5,000,000 → A"
        );
        assert_eq!(fill("{a}{a}", &[("a", "x")]), "xx");
    }

    #[test]
    fn fill_leaves_unknown_placeholders_and_braces_alone() {
        assert_eq!(fill("{a} {b}", &[("a", "1")]), "1 {b}");
        assert_eq!(fill("{ {a} }", &[("a", "1")]), "{ 1 }");
        assert_eq!(fill("tail {", &[]), "tail {");
        assert_eq!(fill("", &[("a", "1")]), "");
    }

    #[test]
    fn fill_keeps_a_value_that_looks_like_a_placeholder() {
        // A raw cell such as "{field}" is shown as read.
        assert_eq!(
            fill(
                "{field}: \"{raw}\"",
                &[("raw", "{field}"), ("field", "date")]
            ),
            "date: \"{field}\""
        );
    }

    #[test]
    fn every_language_has_the_same_number_of_texts() {
        let n = all_texts(Lang::ZhCn).len();
        assert!(n > 150, "{n}");
        assert_eq!(all_texts(Lang::ZhTw).len(), n);
        assert_eq!(all_texts(Lang::En).len(), n);
    }
}
