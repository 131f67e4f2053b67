//! Evaluation workbooks and handouts read back as people return them
//! (SPEC 7.4, 9 "Decisions read back").
//!
//! A workbook that can come back carries, in its very hidden sheet, a
//! [`Stamp`]: the as-of date, the rules (name, hash and TOML), the columns of
//! its Evaluation table (key, header, role), and per customer the key and a
//! checksum of the computed cells; a whole evaluation also stores the book it
//! was built from (see [`crate::report::stored`]). This module writes and
//! parses that stamp, finds the Evaluation sheet by its header and the
//! customer keys (never by its name: a renamed sheet is found, a copied one
//! is two candidates and an error), and reads its rows by customer key
//! (sorted, filtered or hidden rows read the same). A formula cell counts by
//! its saved value. Numbers are compared to 15 significant digits, so a
//! workbook saved by LibreOffice (which keeps 15) reads as one saved by Excel.
//!
//! The Evaluation table's header is matched against the stamped headers
//! rather than through [`super::header::HeaderMatcher`], whose fields are
//! those of the input kinds; rows are classified with the one sheet reader's
//! [`classify_row`].

use std::path::Path;

use chrono::NaiveDate;
use serde_json::{json, Value as J};

use super::cell::Cell;
use super::ledger::{ident_text, name_cow};
use super::sheet::{cell_at, classify_row, RowClass, TotalsColumns};
use super::source::{Limits, RowVisitor, Source};
use super::value::Style;
use super::ReadError;
use crate::labels::Lang;
use crate::text::header_key;

/// Name of the very hidden sheet holding the stamp.
pub const STAMP_SHEET: &str = "tierbook_rules";
/// The first line of a stamp.
const MARKER: &str = "tierbook-returnable";
const VERSION: u64 = 1;
/// Longest piece of stored text in one cell (characters; Excel holds 32,767
/// UTF-16 units, a character takes at most two).
pub const CHUNK_CHARS: usize = 16_000;
/// Rows from the top of a sheet the Evaluation header may be in.
const HEADER_ROWS: u32 = 30;

/// A whole evaluation or one group's handout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StampKind {
    Evaluation,
    Handout,
}

/// What a column of the Evaluation table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The customer ID: the row's key, not checksummed.
    Key,
    /// 序号: renumbering is not an edit.
    Index,
    /// A figure, grade or text tierbook computed: checksummed.
    Computed,
    /// Typed by people: proposal, decision, remarks, plans.
    Editable,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Key => "key",
            Role::Index => "index",
            Role::Computed => "computed",
            Role::Editable => "editable",
        }
    }
    fn parse(s: &str) -> Option<Role> {
        [Role::Key, Role::Index, Role::Computed, Role::Editable]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// One column of the stamped Evaluation table.
#[derive(Debug, Clone, PartialEq)]
pub struct StampColumn {
    pub key: String,
    pub header: String,
    pub role: Role,
}

/// The stamp of a workbook that can come back.
#[derive(Debug, Clone, PartialEq)]
pub struct Stamp {
    pub kind: StampKind,
    pub as_of: NaiveDate,
    pub rules_name: String,
    /// Hash of the rules as stored (`Rules::to_toml`), 16 hex digits.
    pub rules_hash: String,
    pub lang: Lang,
    /// A handout's split (`region`, `sales_rep`) and group (`None`: unassigned).
    pub group: Option<(String, Option<String>)>,
    pub columns: Vec<StampColumn>,
    /// Customer key and checksum of its computed cells, in the sheet's order.
    pub customers: Vec<(String, String)>,
    pub rules_toml: String,
    /// The stored book's JSON (a whole evaluation only).
    pub data: Option<String>,
}

/// A language's name in a stamp.
pub fn lang_name(lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => "zh-CN",
        Lang::ZhTw => "zh-TW",
        Lang::En => "en",
    }
}

fn lang_of(name: &str) -> Option<Lang> {
    [Lang::ZhCn, Lang::ZhTw, Lang::En]
        .into_iter()
        .find(|l| lang_name(*l) == name)
}

/// Splits text into pieces of at most [`CHUNK_CHARS`] characters.
pub fn chunks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut piece = String::new();
    let mut n = 0;
    for c in text.chars() {
        if n == CHUNK_CHARS {
            out.push(std::mem::take(&mut piece));
            n = 0;
        }
        piece.push(c);
        n += 1;
    }
    if !piece.is_empty() {
        out.push(piece);
    }
    out
}

impl Stamp {
    /// The stamp as the lines of the hidden sheet's column A: one JSON array
    /// per line, then the rules' TOML lines and the stored book in pieces.
    pub fn lines(&self) -> Vec<String> {
        let kind = match self.kind {
            StampKind::Evaluation => "evaluation",
            StampKind::Handout => "handout",
        };
        let mut lines = vec![
            json!([MARKER, VERSION]).to_string(),
            json!(["kind", kind]).to_string(),
            json!(["as_of", self.as_of.format("%Y-%m-%d").to_string()]).to_string(),
            json!(["rules", self.rules_name, self.rules_hash]).to_string(),
            json!(["lang", lang_name(self.lang)]).to_string(),
        ];
        if let Some((split, group)) = &self.group {
            lines.push(json!(["group", split, group]).to_string());
        }
        for c in &self.columns {
            lines.push(json!(["column", c.key, c.header, c.role.as_str()]).to_string());
        }
        for (key, sum) in &self.customers {
            lines.push(json!(["customer", key, sum]).to_string());
        }
        let toml: Vec<&str> = self.rules_toml.lines().collect();
        lines.push(json!(["rules_toml", toml.len()]).to_string());
        lines.extend(toml.iter().map(|l| l.to_string()));
        if let Some(data) = &self.data {
            let pieces = chunks(data);
            lines.push(json!(["data", pieces.len()]).to_string());
            lines.extend(pieces);
        }
        lines
    }

    /// Reads a stamp from the hidden sheet's lines; `None` when the lines
    /// are not a stamp this version writes.
    pub fn parse(lines: &[String]) -> Option<Stamp> {
        let first: J = serde_json::from_str(lines.first()?).ok()?;
        if first != json!([MARKER, VERSION]) {
            return None;
        }
        let mut stamp = Stamp {
            kind: StampKind::Evaluation,
            as_of: NaiveDate::MIN,
            rules_name: String::new(),
            rules_hash: String::new(),
            lang: Lang::ZhCn,
            group: None,
            columns: Vec::new(),
            customers: Vec::new(),
            rules_toml: String::new(),
            data: None,
        };
        let mut i = 1;
        let mut as_of = None;
        while let Some(line) = lines.get(i) {
            let v: J = serde_json::from_str(line).ok()?;
            let item = v.as_array()?;
            let s = |n: usize| item.get(n).and_then(J::as_str);
            let count = || item.get(1).and_then(J::as_u64).map(|n| n as usize);
            i += 1;
            match s(0)? {
                "kind" => {
                    stamp.kind = match s(1)? {
                        "evaluation" => StampKind::Evaluation,
                        "handout" => StampKind::Handout,
                        _ => return None,
                    }
                }
                "as_of" => as_of = NaiveDate::parse_from_str(s(1)?, "%Y-%m-%d").ok(),
                "rules" => {
                    stamp.rules_name = s(1)?.to_string();
                    stamp.rules_hash = s(2)?.to_string();
                }
                "lang" => stamp.lang = lang_of(s(1)?)?,
                "group" => stamp.group = Some((s(1)?.to_string(), s(2).map(str::to_string))),
                "column" => stamp.columns.push(StampColumn {
                    key: s(1)?.to_string(),
                    header: s(2)?.to_string(),
                    role: Role::parse(s(3)?)?,
                }),
                "customer" => stamp.customers.push((s(1)?.to_string(), s(2)?.to_string())),
                "rules_toml" => {
                    let end = i.checked_add(count()?)?;
                    stamp.rules_toml = lines.get(i..end)?.join("\n");
                    i = end;
                }
                "data" => {
                    let end = i.checked_add(count()?)?;
                    stamp.data = Some(lines.get(i..end)?.concat());
                    i = end;
                }
                _ => return None,
            }
        }
        stamp.as_of = as_of?;
        Some(stamp)
    }

    /// The index of the column with `key`.
    pub fn column(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.key == key)
    }
}

// ---------------------------------------------------------------------------
// Checksums

/// 64-bit FNV-1a: a fixed hash, the same in every build and on every machine.
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    pub fn add(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    /// Adds one field, followed by a separator no text holds.
    pub fn field(&mut self, text: &str) {
        self.add(text.as_bytes());
        self.add(&[0x1f]);
    }
    /// The hash as 16 hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

/// The hash of a text as 16 hex digits.
pub fn hash_text(text: &str) -> String {
    let mut h = Fnv::default();
    h.add(text.as_bytes());
    h.hex()
}

/// A number as compared in checksums: its shortest decimal text rounded
/// half away from zero to 15 significant digits, as LibreOffice writes
/// numbers when it saves a workbook.
pub fn number_canon(x: f64) -> String {
    use rust_decimal::prelude::*;
    let shortest = format!("{x}");
    match Decimal::from_str(&shortest)
        .ok()
        .and_then(|d| d.round_sf_with_strategy(15, RoundingStrategy::MidpointAwayFromZero))
    {
        Some(d) => d.normalize().to_string(),
        None => format!("{x:.14e}"),
    }
}

/// A text as compared in checksums (line ends as Excel keeps them).
pub fn text_canon(s: &str) -> String {
    s.replace("\r\n", "\n")
}

/// A cell as compared in checksums.
pub fn cell_canon(c: &Cell) -> String {
    match c {
        Cell::Empty => String::new(),
        Cell::Text(t) => text_canon(t),
        Cell::Number(f) | Cell::BadDate(f) => number_canon(*f),
        Cell::Int(i) => number_canon(*i as f64),
        Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        other => other.display(),
    }
}

// ---------------------------------------------------------------------------
// Reading a workbook back

/// One row of the Evaluation sheet as it came back.
#[derive(Debug, Clone, PartialEq)]
pub struct BackRow {
    /// 1-based Excel row.
    pub row: u32,
    /// The customer key: the ID, else the normalised name.
    pub key: Option<String>,
    pub id: Option<String>,
    pub name: Option<String>,
    /// Editable cells by column key, as the text a person sees (a formula
    /// by its saved value; one without a saved value reads `=?`).
    pub edits: Vec<(String, String)>,
    /// Checksum of the computed cells; `None` when a computed column is
    /// missing from the sheet.
    pub checksum: Option<String>,
}

impl BackRow {
    /// The editable cell of column `key`, when not blank.
    pub fn edit(&self, key: &str) -> Option<&str> {
        self.edits
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The customer as a person names it: ID and name.
    pub fn who(&self) -> String {
        match (&self.id, &self.name) {
            (Some(i), Some(n)) => format!("{i} {n}"),
            (Some(i), None) => i.clone(),
            (None, Some(n)) => n.clone(),
            (None, None) => String::new(),
        }
    }
}

/// A workbook read back: its stamp and its Evaluation sheet.
#[derive(Debug, Clone)]
pub struct Returned {
    /// The path as the user gave it.
    pub file: String,
    pub stamp: Stamp,
    /// The name of the sheet found by its header and keys.
    pub sheet: String,
    /// Its header row.
    pub header_row: u32,
    /// Headers of the computed columns not on the sheet.
    pub missing: Vec<String>,
    pub rows: Vec<BackRow>,
}

/// Collects column A of the stamp sheet, each line at its row.
#[derive(Default)]
struct Lines {
    lines: Vec<String>,
    /// Only the first row: is this the stamp sheet?
    first_only: bool,
}

impl RowVisitor for Lines {
    fn row(&mut self, row: u32, cells: &[Cell]) -> Result<bool, ReadError> {
        let at = row.saturating_sub(1) as usize;
        if self.lines.len() <= at {
            self.lines.resize(at + 1, String::new());
        }
        self.lines[at] = match cell_at(cells, Some(0)) {
            Cell::Text(t) => t.to_string(),
            Cell::Empty => String::new(),
            other => other.display(),
        };
        Ok(!self.first_only)
    }
}

/// How the columns of the found header map to stamped columns.
struct Layout {
    /// (sheet column, stamp column index) of every stamped header found.
    cols: Vec<(usize, usize)>,
    id: Option<usize>,
    name: Option<usize>,
}

/// Looks for the stamped Evaluation header in a sheet, then reads its rows.
struct EvalScan<'s> {
    stamp: &'s Stamp,
    layout: Option<Layout>,
    header_row: u32,
    rows: Vec<BackRow>,
}

impl<'s> EvalScan<'s> {
    fn new(stamp: &'s Stamp) -> Self {
        EvalScan {
            stamp,
            layout: None,
            header_row: 0,
            rows: Vec::new(),
        }
    }

    /// The layout of a header row: every cell whose text is a stamped
    /// header; `None` unless it has the customer and the three editable
    /// meeting columns.
    fn header(&self, cells: &[Cell]) -> Option<Layout> {
        let mut cols = Vec::new();
        for (c, cell) in cells.iter().enumerate() {
            let Some(text) = cell.as_text() else { continue };
            let k = header_key(text);
            if let Some(s) = self
                .stamp
                .columns
                .iter()
                .position(|sc| header_key(&sc.header) == k)
            {
                if !cols.iter().any(|&(_, x)| x == s) {
                    cols.push((c, s));
                }
            }
        }
        let at = |key: &str| {
            let s = self.stamp.column(key)?;
            cols.iter().find(|&&(_, x)| x == s).map(|&(c, _)| c)
        };
        let (id, name) = (at("id"), at("name"));
        let needed = ["proposed", "decision", "remarks"];
        let ok = (id.is_some() || name.is_some()) && needed.iter().all(|k| at(k).is_some());
        ok.then_some(Layout { cols, id, name })
    }

    fn back_row(&self, layout: &Layout, row: u32, cells: &[Cell]) -> BackRow {
        let id = layout.id.and_then(|c| ident_text(cell_at(cells, Some(c))));
        let name = layout
            .name
            .and_then(|c| name_cow(cell_at(cells, Some(c))).map(|n| n.into_owned()));
        let mut edits = Vec::new();
        let mut sum = Fnv::default();
        let mut complete = true;
        for (s, sc) in self.stamp.columns.iter().enumerate() {
            let col = layout.cols.iter().find(|&&(_, x)| x == s).map(|&(c, _)| c);
            match sc.role {
                Role::Editable => {
                    let cell = cell_at(cells, col);
                    if !cell.is_blank() {
                        edits.push((sc.key.clone(), cell.display().trim().to_string()));
                    }
                }
                Role::Computed => match col {
                    Some(c) => sum.field(&cell_canon(cell_at(cells, Some(c)))),
                    None => complete = false,
                },
                Role::Key | Role::Index => {}
            }
        }
        BackRow {
            row,
            key: id.clone().or_else(|| name.clone()),
            id,
            name,
            edits,
            checksum: complete.then(|| sum.hex()),
        }
    }
}

impl RowVisitor for EvalScan<'_> {
    fn row(&mut self, row: u32, cells: &[Cell]) -> Result<bool, ReadError> {
        let Some(layout) = &self.layout else {
            if row > HEADER_ROWS {
                return Ok(false);
            }
            self.layout = self.header(cells);
            self.header_row = row;
            return Ok(true);
        };
        if classify_row(cells, &TotalsColumns::default(), &Style::default()) == RowClass::Data {
            let r = self.back_row(layout, row, cells);
            self.rows.push(r);
        }
        Ok(true)
    }
}

/// Reads the stamp of a workbook: the first sheet whose first line is a
/// stamp's (the very hidden `tierbook_rules` when tierbook wrote it).
fn read_stamp(src: &mut Source, path: &Path) -> Result<(String, Stamp), ReadError> {
    let mut names: Vec<String> = src
        .sheets()
        .into_iter()
        .filter(|s| s.is_worksheet)
        .map(|s| s.name)
        .collect();
    // The stamp sheet is usually the last one: look there first.
    names.reverse();
    for name in names {
        let mut probe = Lines {
            first_only: true,
            ..Lines::default()
        };
        src.read_sheet(&name, &mut probe)?;
        let is_stamp = probe.lines.first().is_some_and(|l| l.contains(MARKER));
        if !is_stamp {
            continue;
        }
        let mut all = Lines::default();
        src.read_sheet(&name, &mut all)?;
        return Stamp::parse(&all.lines)
            .map(|s| (name.clone(), s))
            .ok_or_else(|| {
                ReadError::sheet(
                    path,
                    &name,
                    "holds tierbook's data but it is damaged; use the workbook tierbook wrote",
                )
            });
    }
    Err(ReadError::file(
        path,
        "is not an evaluation workbook or handout written by tierbook evaluate \
         (its hidden data sheet is missing)",
    ))
}

/// Reads an evaluation workbook or handout back: its stamp, then the one
/// sheet that has the stamped Evaluation header and rows of its customers.
///
/// # Errors
/// The file cannot be read; it holds no stamp (not written by `evaluate`) or
/// a damaged one; no sheet, or more than one (a copied sheet), looks like
/// its Evaluation sheet.
pub fn read_returned(path: &Path, limits: Limits) -> Result<Returned, ReadError> {
    let mut src = Source::open(path, limits)?;
    let (stamp_sheet, stamp) = read_stamp(&mut src, path)?;
    let keys: std::collections::HashSet<&str> =
        stamp.customers.iter().map(|(k, _)| k.as_str()).collect();
    let mut found: Vec<(String, EvalScan)> = Vec::new();
    for info in src.sheets() {
        if !info.is_worksheet || info.name == stamp_sheet {
            continue;
        }
        let mut scan = EvalScan::new(&stamp);
        src.read_sheet(&info.name, &mut scan)?;
        let ours = scan
            .rows
            .iter()
            .any(|r| r.key.as_deref().is_some_and(|k| keys.contains(k)));
        if scan.layout.is_some() && (ours || keys.is_empty()) {
            found.push((info.name, scan));
        }
    }
    let file = super::display_path(path);
    if found.len() > 1 {
        let names: Vec<String> = found.iter().map(|(n, _)| format!("\"{n}\"")).collect();
        return Err(ReadError::file(
            path,
            format!(
                "has {} sheets that look like its Evaluation sheet ({}): delete the copies and keep one",
                found.len(),
                names.join(", ")
            ),
        ));
    }
    let Some((sheet, scan)) = found.pop() else {
        return Err(ReadError::file(
            path,
            "has no sheet with the Evaluation table's header (客户编码 / 建议等级 / 会议决定 …) \
             and its customers",
        ));
    };
    let missing = missing_computed(&stamp, scan.layout.as_ref());
    Ok(Returned {
        file,
        sheet,
        header_row: scan.header_row,
        missing,
        rows: scan.rows,
        stamp,
    })
}

/// Headers of the stamped computed columns the found header lacks.
fn missing_computed(stamp: &Stamp, layout: Option<&Layout>) -> Vec<String> {
    stamp
        .columns
        .iter()
        .enumerate()
        .filter(|(s, c)| {
            c.role == Role::Computed
                && !layout.is_some_and(|l| l.cols.iter().any(|&(_, x)| x == *s))
        })
        .map(|(_, c)| c.header.clone())
        .collect()
}

/// The tier a proposal or decision names: trimmed, full-width folded, any
/// letter case, by name or by label (`A`, `ａ`, ` A `, `A类客户`, `A级`).
pub fn tier_of(rules: &crate::rules::Rules, text: &str) -> Option<usize> {
    rules.tier_index(&crate::text::normalize_name(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp() -> Stamp {
        Stamp {
            kind: StampKind::Handout,
            as_of: NaiveDate::from_ymd_opt(2025, 12, 31).expect("date"),
            rules_name: "三级客户分级".into(),
            rules_hash: hash_text("x"),
            lang: Lang::ZhTw,
            group: Some(("region".into(), None)),
            columns: vec![StampColumn {
                key: "id".into(),
                header: "客户编码".into(),
                role: Role::Key,
            }],
            customers: vec![("K\t01".into(), "00ff".into())],
            rules_toml: "name = \"x\"\n\n[tiers]\norder = [\"A\"]".into(),
            data: Some("é".repeat(CHUNK_CHARS + 3)),
        }
    }

    #[test]
    fn a_stamp_reads_back_from_its_lines() {
        let s = stamp();
        let lines = s.lines();
        assert!(lines.iter().all(|l| l.chars().count() <= CHUNK_CHARS));
        assert_eq!(Stamp::parse(&lines), Some(s));
    }

    #[test]
    fn damaged_or_foreign_lines_are_no_stamp() {
        let mut lines = stamp().lines();
        lines[2] = "[\"as_of\", \"2025-13-01\"]".into();
        assert_eq!(Stamp::parse(&lines), None);
        assert_eq!(Stamp::parse(&["name = \"x\"".to_string()]), None);
        let mut short = stamp().lines();
        short.truncate(short.len() - 1);
        assert_eq!(Stamp::parse(&short), None, "a data piece is missing");
        let mut huge = stamp().lines();
        let at = huge
            .iter()
            .position(|l| l.starts_with("[\"data\""))
            .expect("data");
        huge[at] = format!("[\"data\",{}]", u64::MAX);
        assert_eq!(Stamp::parse(&huge), None, "a count past the end");
    }

    #[test]
    fn numbers_compare_to_fifteen_digits() {
        // Excel keeps 17 digits, LibreOffice 15.
        assert_eq!(
            number_canon(0.04572452420288323),
            number_canon(0.0457245242028832)
        );
        assert_eq!(number_canon(42234.0), cell_canon(&Cell::Int(42234)));
        assert_ne!(number_canon(3405462.22), number_canon(3405462.23));
        assert_eq!(number_canon(-0.0), "0");
        // LibreOffice rounds the shortest text half up: …0805 → …081.
        assert_eq!(
            number_canon(0.9841510969120805),
            number_canon(0.984151096912081)
        );
        assert_eq!(
            number_canon(1.077061683072125),
            number_canon(1.07706168307213)
        );
        assert_eq!(number_canon(-0.1836908658504872), "-0.183690865850487");
    }

    #[test]
    fn fnv_is_the_published_hash() {
        // FNV-1a 64 of "a" (from the reference test vectors).
        assert_eq!(hash_text("a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn decisions_are_normalised() {
        let rules = crate::rules::Rules::three_tier();
        for text in ["A", " a ", "Ａ", "ａ", "A类客户", "A级", "A 级", "a類"] {
            assert_eq!(tier_of(&rules, text), Some(0), "{text}");
        }
        assert_eq!(tier_of(&rules, "c"), Some(2));
        for text in ["", "D", "A+", "1", "好", "AB"] {
            assert_eq!(tier_of(&rules, text), None, "{text}");
        }
    }
}
