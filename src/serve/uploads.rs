//! A run's request as `tierbook serve` receives it: the multipart form's
//! files (`ledger`, one or more; `receipts`; `customers`; `previous`;
//! `rules`) written into the run's private `in/` folder under their own
//! names, and its text fields (`as_of`, `lang`, `template`, `split_by`)
//! read as the command line reads its flags. Paths in what the pipeline
//! reports are shown by the names the user chose, never by the temporary
//! folder.

use std::path::{Path, PathBuf};

use axum::extract::multipart::{Field, Multipart, MultipartError};
use axum::http::StatusCode;
use chrono::NaiveDate;
use tokio::io::AsyncWriteExt;

use super::error::ApiError;
use super::runs::{RunProgress, Stage};
use crate::labels::Lang;
use crate::pipeline::{Gathered, Inputs};
use crate::read::{FilesRead, Issue, SheetSummary};
use crate::report::returnable::SplitBy;
use crate::rules::Rules;

/// What a run was asked to do.
pub struct Form {
    pub inputs: Inputs,
    pub names: Names,
    pub lang: Lang,
    pub as_of: Option<NaiveDate>,
    pub rules: Rules,
    /// What handouts are split by (`split_by`; only handouts use it).
    pub split_by: Option<SplitBy>,
}

/// The file kinds of the form, by field name.
const FILE_FIELDS: [&str; 4] = ["ledger", "receipts", "customers", "previous"];

/// How each uploaded file is shown: its stored path → the name the user
/// gave it (made unique within the run with " (2)", " (3)" …).
#[derive(Debug, Default, Clone)]
pub struct Names {
    pairs: Vec<(String, String)>,
}

impl Names {
    /// Records `stored` as shown by `name`; returns the name given.
    fn add(&mut self, stored: &Path, name: &str) -> String {
        let taken = |n: &str| self.pairs.iter().any(|(_, s)| s == n);
        let mut shown = name.to_string();
        let mut n = 2;
        while taken(&shown) {
            shown = numbered(name, n);
            n += 1;
        }
        self.pairs
            .push((crate::read::display_path(stored), shown.clone()));
        shown
    }

    /// The name a stored path is shown by (itself when not an upload).
    pub fn show(&self, file: &str) -> String {
        self.pairs
            .iter()
            .find(|(stored, _)| stored == file)
            .map_or_else(|| file.to_string(), |(_, shown)| shown.clone())
    }

    /// A message with every stored path replaced by its name (longest first,
    /// so no path is cut inside another).
    pub fn in_message(&self, message: &str) -> String {
        let mut pairs: Vec<&(String, String)> = self.pairs.iter().collect();
        pairs.sort_by_key(|(stored, _)| std::cmp::Reverse(stored.len()));
        pairs
            .iter()
            .fold(message.to_string(), |m, (stored, shown)| {
                m.replace(stored, shown)
            })
    }

    /// Renames the files of sheet summaries and issues.
    pub fn apply(&self, inputs: &mut [SheetSummary], issues: &mut [Issue]) {
        for s in inputs {
            s.file = self.show(&s.file);
        }
        for i in issues {
            i.file = self.show(&i.file);
        }
    }

    /// Renames the files of a gathered run: its sheets, issues and
    /// unmatched receipts.
    pub fn apply_gathered(&self, g: &mut Gathered) {
        self.apply(&mut g.inputs, &mut g.issues);
        for u in g.finance.iter_mut().flat_map(|f| f.unmatched.iter_mut()) {
            u.file = self.show(&u.file);
        }
    }

    /// Renames the files of what a kind's reading kept.
    pub fn apply_read<K>(&self, read: &mut FilesRead<K>) {
        for s in &mut read.sheets {
            s.summary.file = self.show(&s.summary.file);
            for i in &mut s.issues {
                i.file = self.show(&i.file);
            }
        }
        for n in &mut read.notices {
            n.file = self.show(&n.file);
        }
    }

    /// The files of `paths` as shown.
    pub fn shown(&self, paths: &[PathBuf]) -> Vec<PathBuf> {
        paths
            .iter()
            .map(|p| PathBuf::from(self.show(&crate::read::display_path(p))))
            .collect()
    }
}

/// `name` with ` (n)` before its extension.
fn numbered(name: &str, n: usize) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem} ({n}).{ext}"),
        _ => format!("{name} ({n})"),
    }
}

/// A file name a browser sent, made safe to store: the last part of any
/// path, control characters dropped, no leading dot, at most 120 characters
/// (the extension kept, since it says how the file is read).
pub fn safe_file_name(sent: &str) -> String {
    let last = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim().trim_start_matches('.').trim();
    let clean = if clean.chars().count() > 120 {
        let ext: String = match clean.rsplit_once('.') {
            Some((_, e)) if e.chars().count() <= 8 => format!(".{e}"),
            _ => String::new(),
        };
        let stem: String = clean.chars().take(120 - ext.chars().count()).collect();
        format!("{stem}{ext}")
    } else {
        clean.to_string()
    };
    if clean.is_empty() {
        "upload".to_string()
    } else {
        clean
    }
}

/// The form's fields before they are checked.
#[derive(Default)]
struct Raw {
    inputs: Inputs,
    names: Names,
    lang: Option<String>,
    as_of: Option<String>,
    template: Option<String>,
    split_by: Option<String>,
    rules: Option<(String, Vec<u8>)>,
}

/// Reads a run's form, writing its files into `dir` (the run's `in/`).
///
/// # Errors
/// The form is not multipart or breaks off, is over the upload limit (413),
/// has an unknown field or a bad value (400), or a file cannot be written.
pub async fn read_form(
    mut form: Multipart,
    dir: &Path,
    progress: &RunProgress,
) -> Result<Form, ApiError> {
    let mut raw = Raw::default();
    let mut received = 0u64;
    let mut count = 0usize;
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "as_of" | "lang" | "template" | "split_by" => {
                let text = field.text().await.map_err(multipart_error)?;
                let text = text.trim().to_string();
                let slot = match name.as_str() {
                    "as_of" => &mut raw.as_of,
                    "lang" => &mut raw.lang,
                    "split_by" => &mut raw.split_by,
                    _ => &mut raw.template,
                };
                *slot = (!text.is_empty()).then_some(text);
            }
            "rules" => {
                let file = safe_file_name(field.file_name().unwrap_or("rules.toml"));
                let bytes = field.bytes().await.map_err(multipart_error)?;
                if !bytes.is_empty() {
                    raw.rules = Some((file, bytes.to_vec()));
                }
            }
            kind if FILE_FIELDS.contains(&kind) => {
                count += 1;
                let sub = dir.join(format!("{kind}-{count}"));
                let stored = save(field, &sub, &mut received, progress).await?;
                if let Some((path, shown)) = stored {
                    raw.names.add(&path, &shown);
                    let list = match kind {
                        "ledger" => &mut raw.inputs.ledgers,
                        "receipts" => &mut raw.inputs.receipts,
                        "customers" => &mut raw.inputs.customers,
                        _ => &mut raw.inputs.previous,
                    };
                    list.push(path);
                }
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown form field \"{other}\": the fields are ledger, receipts, customers, previous, rules (files) and as_of, lang, template, split_by"
                )))
            }
        }
    }
    raw.check()
}

/// Streams one file field into `sub/<its name>`; `None` for an empty field
/// without a name (a file input left empty).
async fn save(
    mut field: Field<'_>,
    sub: &Path,
    received: &mut u64,
    progress: &RunProgress,
) -> Result<Option<(PathBuf, String)>, ApiError> {
    let sent = field.file_name().unwrap_or_default().to_string();
    let name = safe_file_name(&sent);
    let io = |e: std::io::Error| ApiError::internal(format!("cannot store the upload {name}: {e}"));
    tokio::fs::create_dir(sub).await.map_err(io)?;
    let path = sub.join(&name);
    let mut file = tokio::fs::File::create(&path).await.map_err(io)?;
    let mut size = 0u64;
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        file.write_all(&chunk).await.map_err(io)?;
        size += chunk.len() as u64;
        *received += chunk.len() as u64;
        progress.set(Stage::Receiving { bytes: *received });
    }
    file.flush().await.map_err(io)?;
    drop(file);
    if size == 0 && sent.is_empty() {
        tokio::fs::remove_dir_all(sub).await.map_err(io)?;
        return Ok(None);
    }
    Ok(Some((path, name)))
}

/// A broken or oversized form as an answer (413 for the size limit).
fn multipart_error(e: MultipartError) -> ApiError {
    let status = e.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::too_large(None);
    }
    ApiError::new(
        status,
        format!("the upload could not be read: {}", e.body_text()),
    )
}

impl Raw {
    /// The form's values, checked as the command line checks its flags.
    fn check(self) -> Result<Form, ApiError> {
        let lang = match &self.lang {
            None => Lang::default(),
            Some(l) => crate::cmd::parse_lang(l).map_err(ApiError::bad_request)?,
        };
        let as_of = self
            .as_of
            .as_deref()
            .map(crate::cmd::parse_as_of)
            .transpose()
            .map_err(ApiError::bad_request)?;
        let rules = match (&self.rules, &self.template) {
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_request(
                    "give either a rules file or a template, not both",
                ))
            }
            (Some((name, bytes)), None) => {
                let text = std::str::from_utf8(bytes).map_err(|_| {
                    ApiError::bad_request(format!("{name}: the rules file is not UTF-8 text"))
                })?;
                Rules::from_toml(text, name).map_err(|e| ApiError::bad_request(e.to_string()))?
            }
            (None, Some(t)) => Rules::builtin(t).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "\"{t}\" is not a built-in template: use three-tier or four-tier"
                ))
            })?,
            (None, None) => Rules::three_tier(),
        };
        let split_by = (self.split_by.as_deref())
            .map(crate::report::handouts::parse_split)
            .transpose()
            .map_err(ApiError::bad_request)?;
        Ok(Form {
            inputs: self.inputs,
            names: self.names,
            lang,
            as_of,
            rules,
            split_by,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_their_own_name_and_nothing_else() {
        assert_eq!(safe_file_name("销售台账.xlsx"), "销售台账.xlsx");
        assert_eq!(safe_file_name("C:\\Users\\x\\台账.csv"), "台账.csv");
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name(".bashrc"), "bashrc");
        assert_eq!(safe_file_name("a\u{0}b\nc.xlsx"), "abc.xlsx");
        assert_eq!(safe_file_name(""), "upload");
        assert_eq!(safe_file_name(".."), "upload");
        let long = format!("{}.xlsx", "账".repeat(300));
        let safe = safe_file_name(&long);
        assert_eq!(safe.chars().count(), 120);
        assert!(safe.ends_with(".xlsx"));
    }

    #[test]
    fn stored_paths_are_shown_by_their_names() {
        let mut names = Names::default();
        let a = Path::new("/tmp/t/in/ledger-1/台账.xlsx");
        let b = Path::new("/tmp/t/in/ledger-2/台账.xlsx");
        assert_eq!(names.add(a, "台账.xlsx"), "台账.xlsx");
        assert_eq!(names.add(b, "台账.xlsx"), "台账 (2).xlsx");
        assert_eq!(names.show("/tmp/t/in/ledger-2/台账.xlsx"), "台账 (2).xlsx");
        assert_eq!(names.show("other.xlsx"), "other.xlsx");
        assert_eq!(
            names.in_message("/tmp/t/in/ledger-1/台账.xlsx, sheet \"1月\": encrypted"),
            "台账.xlsx, sheet \"1月\": encrypted"
        );
        assert_eq!(numbered("noext", 3), "noext (3)");
    }
}
