//! Output languages. User-facing text of the workbook lives in one table per
//! language (see [`crate::report::labels`] for sheet texts and
//! [`crate::grade::reasons`] for grading sentences).

use serde::Serialize;

pub mod reasons;

/// The output language of workbooks and reasons (`--lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, clap::ValueEnum)]
pub enum Lang {
    #[default]
    #[value(name = "zh-CN")]
    ZhCn,
    #[value(name = "zh-TW")]
    ZhTw,
    #[value(name = "en")]
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

    pub fn is_chinese(self) -> bool {
        !matches!(self, Lang::En)
    }
}

/// Fills `{name}` placeholders of a template.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}
