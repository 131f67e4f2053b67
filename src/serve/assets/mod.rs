//! The page of `tierbook serve`, embedded in the binary: its HTML, CSS,
//! JavaScript and icon, and its texts in the three languages, made from the
//! label tables (the page's own, `check`'s, the workbook's, the change words
//! and the issue kinds).

use serde_json::{json, Map, Value};

use crate::grade::Change;
use crate::labels::{cli::cli, serve::page, Lang};
use crate::read::IssueKind;
use crate::report::labels::texts;
use crate::report::reasons::change_label;

/// The page.
pub const INDEX_HTML: &str = include_str!("index.html");
const APP_JS: &str = include_str!("app.js");
const APP_CSS: &str = include_str!("app.css");
const ICON_SVG: &str = include_str!("icon.svg");

/// An asset by name: its content type and bytes.
pub fn asset(name: &str) -> Option<(&'static str, Vec<u8>)> {
    let (mime, bytes) = match name {
        "app.js" => ("text/javascript; charset=utf-8", APP_JS.as_bytes().to_vec()),
        "app.css" => ("text/css; charset=utf-8", APP_CSS.as_bytes().to_vec()),
        "icon.svg" => ("image/svg+xml", ICON_SVG.as_bytes().to_vec()),
        "labels.json" => ("application/json; charset=utf-8", labels_json()),
        _ => return None,
    };
    Some((mime, bytes))
}

/// The language codes of the page, as `--lang` takes them.
pub const LANGS: [(&str, Lang); 3] = [
    ("zh-CN", Lang::ZhCn),
    ("zh-TW", Lang::ZhTw),
    ("en", Lang::En),
];

/// Every text the page shows, by language code.
pub fn labels_json() -> Vec<u8> {
    let mut all = Map::new();
    for (code, lang) in LANGS {
        let changes: Map<String, Value> = [
            Change::Up,
            Change::Down,
            Change::Same,
            Change::New,
            Change::Lost,
        ]
        .iter()
        .map(|c| (c.as_str().to_string(), json!(change_label(*c, lang))))
        .collect();
        let kinds: Map<String, Value> = [
            IssueKind::Rejected,
            IssueKind::Warning,
            IssueKind::TotalsMismatch,
            IssueKind::Notice,
            IssueKind::Conflict,
        ]
        .iter()
        .filter_map(|k| match serde_json::to_value(k) {
            Ok(Value::String(key)) => Some((key, json!(k.label(lang)))),
            _ => None,
        })
        .collect();
        all.insert(
            code.to_string(),
            json!({
                "page": page(lang),
                "cli": cli(lang),
                "book": texts(lang),
                "change": changes,
                "issue_kinds": kinds,
            }),
        );
    }
    serde_json::to_vec(&Value::Object(all)).unwrap_or_default()
}

/// The page shown without the token: where to find the right address, in
/// every language.
pub fn no_token_page() -> String {
    let lines: String = LANGS
        .iter()
        .map(|(code, lang)| {
            format!(
                "<p lang=\"{code}\">{}</p>\n",
                escape_html(page(*lang).open_printed_url)
            )
        })
        .collect();
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>tierbook</title></head>\n<body>\n{lines}</body></html>\n"
    )
}

/// Text made safe inside HTML.
fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_nothing_from_elsewhere() {
        for text in [INDEX_HTML, APP_JS, APP_CSS, ICON_SVG] {
            for bad in ["http://", "https://", "//cdn", "@import", "url("] {
                let ok = text
                    .match_indices(bad)
                    .all(|(at, _)| text[at..].starts_with("http://www.w3.org/2000/svg"));
                assert!(ok, "{bad} in an asset");
            }
        }
        assert!(!INDEX_HTML.contains("<script>"), "no inline script");
        assert!(!INDEX_HTML.contains("style="), "no inline style");
        assert!(!APP_JS.contains("innerHTML"), "texts are never HTML");
    }

    #[test]
    fn labels_cover_every_language() {
        let v: Value = serde_json::from_slice(&labels_json()).expect("json");
        for (code, _) in LANGS {
            assert!(v[code]["page"]["title"].is_string(), "{code}");
            assert!(v[code]["cli"]["columns"].is_string(), "{code}");
            assert!(v[code]["book"]["h_grade"].is_string(), "{code}");
            assert!(v[code]["change"]["lost"].is_string(), "{code}");
            assert!(
                v[code]["issue_kinds"]["totals_mismatch"].is_string(),
                "{code}"
            );
        }
        assert_eq!(v["zh-TW"]["page"]["title"], "客戶分級評定");
        assert!(no_token_page().contains("?token="));
    }
}
