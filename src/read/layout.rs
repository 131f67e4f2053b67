//! What a sheet holds besides its cells (SPEC 10, Headers and tables):
//! merged cells that span rows and hidden rows.
//!
//! calamine's streaming xlsx reader hands out cells only: the merge ranges
//! come after the rows in the sheet's XML and a row's `hidden` attribute is
//! not passed on. [`xlsx_layout`] finds both in one pass over the sheet's
//! unpacked XML (inflating and searching bytes, no XML parsing) before the
//! cells are read, so rows stream as before and nothing is held back.
//! `.xls` merges come from calamine; `.xlsb` and `.ods` give neither.
//! [`MergeFill`] applies a merged cell's value to every row of its merge.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use memchr::memmem::Finder;

use super::cell::Cell;

/// A merged cell spanning rows: its value (in the first row) applies to
/// column `col` of every row `first_row` … `last_row` (1-based Excel rows,
/// 0-based column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Merge {
    pub first_row: u32,
    pub last_row: u32,
    pub col: u32,
}

/// Merges and hidden rows of one sheet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SheetLayout {
    /// Merged cells spanning more than one row.
    pub merges: Vec<Merge>,
    /// Hidden rows, 1-based, ascending.
    pub hidden_rows: Vec<u32>,
}

impl SheetLayout {
    /// Keeps the merges that span rows, from (first row, first column) and
    /// (last row, last column) pairs, all 0-based.
    pub fn add_merges(&mut self, ranges: impl IntoIterator<Item = ((u32, u32), (u32, u32))>) {
        for ((r0, c0), (r1, _)) in ranges {
            if r1 > r0 {
                self.merges.push(Merge {
                    first_row: r0.saturating_add(1),
                    last_row: r1.saturating_add(1),
                    col: c0,
                });
            }
        }
        self.merges.sort_unstable();
        self.merges.dedup();
    }
}

/// Applies merged cells spanning rows to the rows they cover: a blank cell
/// under a merge's first row takes its value. Rows come in ascending order.
#[derive(Debug, Default)]
pub struct MergeFill {
    /// Merges not begun yet, the earliest last.
    waiting: Vec<Merge>,
    /// Merges under way, with their value.
    active: Vec<(Merge, Cell<'static>)>,
    /// Merges whose value was applied after the header row.
    pub applied: u64,
}

impl MergeFill {
    pub fn new(mut merges: Vec<Merge>) -> MergeFill {
        merges.sort_unstable_by(|a, b| b.cmp(a));
        MergeFill {
            waiting: merges,
            active: Vec::new(),
            applied: 0,
        }
    }

    /// Takes the values of the merges that begin on `row` and retires those
    /// that ended; `counting` says whether merges begun now are reported.
    pub fn advance(&mut self, row: u32, cells: &[Cell], counting: bool) {
        if self.waiting.is_empty() && self.active.is_empty() {
            return;
        }
        self.active.retain(|(m, _)| m.last_row >= row);
        while let Some(m) = self.waiting.last().copied() {
            if m.first_row > row {
                break;
            }
            self.waiting.pop();
            let value = cells.get(m.col as usize).filter(|c| !c.is_blank());
            if let (true, Some(value)) = (m.first_row == row, value) {
                self.active.push((m, value.clone().into_owned()));
                self.applied += u64::from(counting);
            }
        }
    }

    /// The row with the blank cells that a merge covers filled in, when
    /// there is any; `None` when the row is as read.
    pub fn fill<'s>(&'s self, row: u32, cells: &[Cell<'s>]) -> Option<Vec<Cell<'s>>> {
        let mut out: Option<Vec<Cell<'s>>> = None;
        for (m, value) in &self.active {
            let col = m.col as usize;
            if m.first_row == row || !cells.get(col).is_none_or(Cell::is_blank) {
                continue;
            }
            let v = out.get_or_insert_with(|| cells.to_vec());
            if v.len() <= col {
                v.resize(col + 1, Cell::Empty);
            }
            v[col] = borrowed(value);
        }
        out
    }
}

/// A cell that borrows the text of `c`.
fn borrowed<'s>(c: &'s Cell<'_>) -> Cell<'s> {
    match c {
        Cell::Text(t) => Cell::Text(Cow::Borrowed(t.as_ref())),
        Cell::Error(e) => Cell::Error(Cow::Borrowed(e.as_ref())),
        Cell::Empty => Cell::Empty,
        Cell::Number(f) => Cell::Number(*f),
        Cell::Int(i) => Cell::Int(*i),
        Cell::Bool(b) => Cell::Bool(*b),
        Cell::Date(d) => Cell::Date(*d),
        Cell::BadDate(f) => Cell::BadDate(*f),
        Cell::NoValue => Cell::NoValue,
    }
}

/// The merges and hidden rows of the xlsx sheet named `sheet`, read from
/// its XML part. A workbook whose parts cannot be found this way gives an
/// empty layout (calamine reports real damage when it reads the cells).
pub fn xlsx_layout(path: &Path, sheet: &str) -> SheetLayout {
    let Ok(file) = File::open(path) else {
        return SheetLayout::default();
    };
    let Ok(mut zip) = zip::ZipArchive::new(BufReader::new(file)) else {
        return SheetLayout::default();
    };
    let Some(part) = sheet_part(&mut zip, sheet) else {
        return SheetLayout::default();
    };
    let layout = match zip.by_name(&part) {
        Ok(entry) => scan_sheet_xml(entry),
        Err(_) => SheetLayout::default(),
    };
    layout
}

/// A small part of the package, read whole (at most 64 MB).
fn small_part(zip: &mut zip::ZipArchive<BufReader<File>>, name: &str) -> Option<Vec<u8>> {
    let entry = zip.by_name(name).ok()?;
    let mut out = Vec::new();
    entry.take(64 << 20).read_to_end(&mut out).ok()?;
    Some(out)
}

/// The zip path of the worksheet named `sheet`: its relationship id in
/// `xl/workbook.xml`, then that relationship's target.
fn sheet_part(zip: &mut zip::ZipArchive<BufReader<File>>, sheet: &str) -> Option<String> {
    let workbook = small_part(zip, "xl/workbook.xml")?;
    let id = tags(&workbook)
        .filter(|(name, _)| *name == b"sheet")
        .find(|(_, attrs)| attr(attrs, b"name").is_some_and(|n| unescape(n) == sheet))
        .and_then(|(_, attrs)| attr(attrs, b"id"))?
        .to_vec();
    let rels = small_part(zip, "xl/_rels/workbook.xml.rels")?;
    let target = tags(&rels)
        .filter(|(name, _)| *name == b"Relationship")
        .find(|(_, attrs)| attr(attrs, b"Id") == Some(&id[..]))
        .and_then(|(_, attrs)| attr(attrs, b"Target"))?;
    let target = unescape(target);
    Some(match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("xl/{target}"),
    })
}

/// The tags of an XML text: (local name, the bytes of its attributes).
fn tags(xml: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut at = 0;
    std::iter::from_fn(move || loop {
        let lt = at + memchr::memchr(b'<', xml.get(at..)?)?;
        let gt = lt + memchr::memchr(b'>', &xml[lt..])?;
        at = gt + 1;
        let inner = &xml[lt + 1..gt];
        if inner
            .first()
            .is_some_and(|b| matches!(b, b'/' | b'?' | b'!'))
        {
            continue;
        }
        let end = inner
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
            .unwrap_or(inner.len());
        return Some((local(&inner[..end]), &inner[end..]));
    })
}

/// A name without its namespace prefix (`x:row` → `row`).
fn local(name: &[u8]) -> &[u8] {
    match memchr::memrchr(b':', name) {
        Some(p) => &name[p + 1..],
        None => name,
    }
}

/// The value of the attribute whose local name is `name` (`r:id` answers
/// `id`), as written.
fn attr<'a>(attrs: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let mut rest = attrs;
    loop {
        let eq = memchr::memchr(b'=', rest)?;
        let key = rest[..eq].trim_ascii();
        let key = key
            .rsplit(|b| b.is_ascii_whitespace())
            .next()
            .unwrap_or(key);
        let after = rest[eq + 1..].trim_ascii_start();
        let quote = *after.first()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let close = 1 + memchr::memchr(quote, &after[1..])?;
        if local(key) == name {
            return Some(&after[1..close]);
        }
        rest = &after[close + 1..];
    }
}

/// An attribute value with XML's character references resolved.
fn unescape(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    if !text.contains('&') {
        return text.into_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = &text[..];
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let Some(semi) = tail.find(';') else {
            out.push_str(tail);
            return out;
        };
        let entity = &tail[1..semi];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => out.push(c),
            None => out.push_str(&tail[..=semi]),
        }
        rest = &tail[semi + 1..];
    }
    out.push_str(rest);
    out
}

/// A cell reference such as `AB12`: (1-based row, 0-based column).
fn cell_ref(r: &[u8]) -> Option<(u32, u32)> {
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let col = r[..letters].iter().fold(0u32, |n, b| {
        n * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1
    });
    let row: u32 = std::str::from_utf8(&r[letters..]).ok()?.parse().ok()?;
    (row >= 1).then_some((row, col - 1))
}

/// How many bytes of the sheet's XML are inflated at a time.
const CHUNK: usize = 1 << 18;

/// Finds the merged cells and hidden rows in a sheet's XML as it is
/// inflated: `<mergeCell ref="…"/>` and `<row … hidden="1">` (by searching
/// bytes; `<` never stands in text or attribute values, so a tag is whatever
/// lies between a `<` and the next `>`).
pub fn scan_sheet_xml(mut xml: impl Read) -> SheetLayout {
    let hidden = Finder::new(b"hidden=");
    let merge = Finder::new(b"mergeCell");
    let mut layout = SheetLayout::default();
    let mut ranges = Vec::new();
    let mut buf: Vec<u8> = Vec::with_capacity(2 * CHUNK);
    loop {
        let kept = buf.len();
        buf.resize(kept + CHUNK, 0);
        let n = match xml.read(&mut buf[kept..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                buf.truncate(kept);
                continue;
            }
            Err(_) => break,
        };
        buf.truncate(kept + n);
        let done = n == 0;
        // A tag still open at the end waits for the next chunk.
        let limit = match memchr::memrchr(b'<', &buf) {
            Some(lt) if !done && memchr::memchr(b'>', &buf[lt..]).is_none() => lt,
            _ => buf.len(),
        };
        for at in hidden.find_iter(&buf[..limit]) {
            if let Some(row) = hidden_row(&buf, at) {
                layout.hidden_rows.push(row);
            }
        }
        for at in merge.find_iter(&buf[..limit]) {
            ranges.extend(merge_range(&buf, at));
        }
        if done {
            break;
        }
        buf.drain(..limit);
        if buf.len() > CHUNK {
            // No tag is that long: not XML we understand.
            buf.clear();
        }
    }
    layout.hidden_rows.sort_unstable();
    layout.hidden_rows.dedup();
    layout.add_merges(ranges);
    layout
}

/// The tag around byte `at` of `buf`: its local name and attributes, when
/// `at` lies inside one.
fn tag_at(buf: &[u8], at: usize) -> Option<(&[u8], &[u8])> {
    let lt = memchr::memrchr(b'<', &buf[..at])?;
    if memchr::memchr(b'>', &buf[lt..at]).is_some() {
        return None;
    }
    let gt = at + memchr::memchr(b'>', &buf[at..])?;
    tags(&buf[lt..=gt]).next()
}

/// The row number of a `<row … hidden="1">` tag around `at`.
fn hidden_row(buf: &[u8], at: usize) -> Option<u32> {
    let (name, attrs) = tag_at(buf, at)?;
    if name != b"row" || !matches!(attr(attrs, b"hidden")?, b"1" | b"true") {
        return None;
    }
    std::str::from_utf8(attr(attrs, b"r")?).ok()?.parse().ok()
}

/// The range of a `<mergeCell ref="A5:A8"/>` tag around `at`, 0-based.
fn merge_range(buf: &[u8], at: usize) -> Option<((u32, u32), (u32, u32))> {
    let (name, attrs) = tag_at(buf, at)?;
    if name != b"mergeCell" {
        return None;
    }
    let r = attr(attrs, b"ref")?;
    let colon = memchr::memchr(b':', r)?;
    let (r0, c0) = cell_ref(&r[..colon])?;
    let (r1, c1) = cell_ref(&r[colon + 1..])?;
    Some(((r0 - 1, c0), (r1 - 1, c1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &'static str) -> Cell<'static> {
        crate::read::sheet::text_cells(&[s]).remove(0)
    }

    /// Reads `xml` a few bytes at a time, so tags fall across chunks.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(self.0.len()).min(out.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    const SHEET: &str = r#"<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>hidden="1" &lt;mergeCell ref="A1:A9"/&gt;</t></is></c></row><row r="3" hidden="1" spans="1:3"><c r="A3"/></row><x:row r="7" customHeight="1" hidden="true"></x:row><row r="8" hidden="0"/></sheetData><mergeCells count="3"><mergeCell ref="B5:B8"/><mergeCell ref="A1:M1"/><mergeCell ref="AA10:AB12"/></mergeCells></worksheet>"#;

    #[test]
    fn merges_and_hidden_rows_are_found_in_the_xml_however_it_is_cut() {
        for step in [1, 7, 64, CHUNK] {
            let layout = scan_sheet_xml(Trickle(SHEET.as_bytes(), step));
            assert_eq!(layout.hidden_rows, vec![3, 7], "step {step}");
            assert_eq!(
                layout.merges,
                vec![
                    Merge {
                        first_row: 5,
                        last_row: 8,
                        col: 1
                    },
                    Merge {
                        first_row: 10,
                        last_row: 12,
                        col: 26
                    },
                ],
                "step {step}: the one-row title merge is left out"
            );
        }
    }

    #[test]
    fn attributes_and_references() {
        assert_eq!(
            attr(b" name=\"1&amp;2\" r:id='rId3'", b"id"),
            Some(&b"rId3"[..])
        );
        assert_eq!(
            attr(b" sheetId=\"4\" r:id=\"rId3\"", b"id"),
            Some(&b"rId3"[..])
        );
        assert_eq!(
            unescape(b"R&amp;D &#x4E2D;&#25991; &bogus;"),
            "R&D 中文 &bogus;"
        );
        assert_eq!(cell_ref(b"A1"), Some((1, 0)));
        assert_eq!(cell_ref(b"XFD1048576"), Some((1_048_576, 16_383)));
        assert_eq!(cell_ref(b"ABCD1"), None);
        assert_eq!(cell_ref(b"A0"), None);
    }

    #[test]
    fn a_merged_value_applies_to_every_row_of_its_merge() {
        let mut fill = MergeFill::new(vec![Merge {
            first_row: 2,
            last_row: 4,
            col: 1,
        }]);
        let rows: Vec<Vec<Cell<'static>>> = vec![
            vec![t("日期"), t("客户")],
            vec![t("2025-03-01"), t("甲")],
            vec![t("2025-03-02")],
            vec![t("2025-03-03"), t("乙")],
            vec![t("2025-03-04")],
        ];
        let mut seen = Vec::new();
        for (i, cells) in rows.iter().enumerate() {
            let row = i as u32 + 1;
            fill.advance(row, cells, true);
            let filled = fill.fill(row, cells);
            let cells = filled.as_deref().unwrap_or(cells);
            seen.push(cells.get(1).map(Cell::display).unwrap_or_default());
        }
        // A cell with its own value under a merge keeps it; row 5 is past the merge.
        assert_eq!(seen, vec!["客户", "甲", "甲", "乙", ""]);
        assert_eq!(fill.applied, 1);
    }
}
