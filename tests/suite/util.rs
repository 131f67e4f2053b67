//! One helper for every integration test: a temporary folder, the real
//! binary, fixture writers and workbook readers.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use calamine::{open_workbook_auto, Data, Reader};

/// A temporary working folder that runs `tierbook` inside it.
pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("temporary folder"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs the binary with `args` in this folder.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_tierbook"))
            .args(args)
            .current_dir(self.path())
            .output()
            .expect("run tierbook")
    }

    /// Runs and asserts exit 0, returning stderr.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "tierbook {args:?} failed: {stderr}");
        stderr
    }

    /// Runs and asserts exit 1, returning stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(1),
            "tierbook {args:?} should exit 1: {stderr}"
        );
        stderr
    }

    /// Names of the files in the folder, sorted.
    pub fn files(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.path())
            .expect("read dir")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    pub fn json(&self, name: &str) -> serde_json::Value {
        let text = std::fs::read_to_string(self.join(name)).expect("read json");
        serde_json::from_str(&text).expect("parse json")
    }
}

/// The repository folder (for `samples/`).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture cell.
#[derive(Debug, Clone)]
pub enum C {
    S(&'static str),
    T(String),
    N(f64),
    /// A real Excel date cell (year, month, day).
    D(u16, u8, u8),
    /// A formula with its cached result.
    F(&'static str, f64),
    /// A formula without a cached result.
    FNoValue(&'static str),
    E,
}

/// The cached result written for [`C::FNoValue`], removed again after saving.
const NO_VALUE_MARK: &str = "__tierbook_no_value__";

/// Writes an xlsx with the given sheets of rows. A [`C::FNoValue`] formula is
/// stored as Excel stores a formula never calculated: `<f>` without `<v>`.
pub fn write_xlsx(path: &Path, sheets: &[(&str, Vec<Vec<C>>)]) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
    let no_value = sheets
        .iter()
        .any(|(_, rows)| rows.iter().flatten().any(|c| matches!(c, C::FNoValue(_))));
    let mut wb = Workbook::new();
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).expect("sheet name");
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    C::S(s) => {
                        ws.write_string(r, c, *s).expect("write");
                    }
                    C::T(s) => {
                        ws.write_string(r, c, s).expect("write");
                    }
                    C::N(n) => {
                        ws.write_number(r, c, *n).expect("write");
                    }
                    C::D(y, m, d) => {
                        let dt = ExcelDateTime::from_ymd(*y, *m, *d).expect("date");
                        ws.write_datetime_with_format(r, c, &dt, &date_fmt)
                            .expect("write");
                    }
                    C::F(f, v) => {
                        ws.write_formula(r, c, Formula::new(*f).set_result(v.to_string()))
                            .expect("write");
                    }
                    C::FNoValue(f) => {
                        ws.write_formula(r, c, Formula::new(*f).set_result(NO_VALUE_MARK))
                            .expect("write");
                    }
                    C::E => {}
                }
            }
        }
    }
    wb.save(path).expect("save fixture");
    if no_value {
        strip_formula_results(path);
    }
}

/// Rewrites every worksheet of `path`, dropping the marked formula results.
fn strip_formula_results(path: &Path) {
    rewrite_xlsx(path, |name, xml| {
        if !(name.starts_with("xl/worksheets/") && name.ends_with(".xml")) {
            return xml;
        }
        let mut xml = xml;
        let v = format!("<v>{NO_VALUE_MARK}</v>");
        while let Some(at) = xml.find(&v) {
            xml.replace_range(at..at + v.len(), "");
            // The cell's t="str" (a string result) goes too.
            if let Some(open) = xml[..at].rfind("<c ") {
                if let Some(t) = xml[open..at].find(r#" t="str""#) {
                    let t = open + t;
                    xml.replace_range(t..t + r#" t="str""#.len(), "");
                }
            }
        }
        xml
    });
}

/// Rewrites the XML parts of an xlsx through `edit(part name, text)`.
pub fn rewrite_xlsx(path: &Path, edit: impl Fn(&str, String) -> String) {
    use std::io::{Read, Write};
    let bytes = std::fs::read(path).expect("read fixture");
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("fixture zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).expect("zip entry");
        let name = f.name().expect("zip entry name").to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).expect("zip read");
        if name.ends_with(".xml") {
            let xml = String::from_utf8(data).expect("utf-8 xml");
            data = edit(&name, xml).into_bytes();
        }
        out.start_file(name, opts).expect("zip write");
        out.write_all(&data).expect("zip write");
    }
    let bytes = out.finish().expect("zip finish").into_inner();
    std::fs::write(path, bytes).expect("write fixture");
}

/// How a CSV fixture is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enc {
    Utf8,
    Utf8Bom,
    Gb18030,
}

/// Writes rows of text as CSV with `delim`, quoting as Excel does, short
/// rows left short; lines end in CRLF (Excel on Windows) when `crlf`.
pub fn write_csv(path: &Path, rows: &[Vec<String>], delim: u8, enc: Enc, crlf: bool) {
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut text = String::new();
    for r in rows {
        // An empty row is an empty line (the csv writer would write `""`).
        if !r.is_empty() {
            let mut w = csv::WriterBuilder::new()
                .delimiter(delim)
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(Vec::new());
            w.write_record(r).expect("csv row");
            let line = String::from_utf8(w.into_inner().expect("csv bytes")).expect("utf-8");
            text.push_str(line.trim_end_matches('\n'));
        }
        text.push_str(eol);
    }
    let bytes = match enc {
        Enc::Utf8 => text.into_bytes(),
        Enc::Utf8Bom => {
            let mut b = vec![0xEF, 0xBB, 0xBF];
            b.extend(text.as_bytes());
            b
        }
        Enc::Gb18030 => {
            let (b, _, bad) = encoding_rs::GB18030.encode(&text);
            assert!(!bad, "fixture text not encodable");
            b.into_owned()
        }
    };
    std::fs::write(path, bytes).expect("write csv");
}

/// A JSON number (or string) as an exact decimal.
pub fn dec(v: &serde_json::Value) -> rust_decimal::Decimal {
    use std::str::FromStr;
    let s = match v {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => panic!("not a number: {other}"),
    };
    rust_decimal::Decimal::from_str(&s)
        .or_else(|_| rust_decimal::Decimal::from_scientific(&s))
        .unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// A decimal from text, for expected figures.
pub fn d(s: &str) -> rust_decimal::Decimal {
    use std::str::FromStr;
    rust_decimal::Decimal::from_str(s).expect("test decimal")
}

/// The JSON customer with `key`.
pub fn customer<'j>(j: &'j serde_json::Value, key: &str) -> &'j serde_json::Value {
    j["customers"]
        .as_array()
        .expect("customers")
        .iter()
        .find(|c| c["key"] == key)
        .unwrap_or_else(|| panic!("no customer {key}"))
}

/// The sheet named `name` of a book read by [`read_book`].
pub fn sheet<'b>(book: &'b [(String, Vec<Vec<Data>>)], name: &str) -> &'b [Vec<Data>] {
    book.iter()
        .find(|(n, _)| n == name)
        .map(|(_, rows)| rows.as_slice())
        .unwrap_or_else(|| panic!("no sheet {name}"))
}

/// The text of a sheet's XML part inside an xlsx (for what calamine does not
/// expose: protection, data validation).
pub fn sheet_xml(path: &Path, index: usize) -> String {
    use std::io::Read;
    let bytes = std::fs::read(path).expect("read xlsx");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("xlsx zip");
    let mut f = z
        .by_name(&format!("xl/worksheets/sheet{}.xml", index + 1))
        .expect("sheet part");
    let mut s = String::new();
    f.read_to_string(&mut s).expect("sheet xml");
    s
}

/// Reads every sheet of a workbook: (name, rows of cells).
pub fn read_book(path: &Path) -> Vec<(String, Vec<Vec<Data>>)> {
    let mut wb = open_workbook_auto(path).expect("open workbook");
    let names = wb.sheet_names().to_vec();
    names
        .into_iter()
        .map(|n| {
            let range = wb.worksheet_range(&n).expect("sheet");
            let rows = range.rows().map(|r| r.to_vec()).collect();
            (n, rows)
        })
        .collect()
}

/// The cell text of a calamine value, for assertions.
pub fn text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => i.to_string(),
        other => other.to_string(),
    }
}

/// Finds the row whose cells include `needle`, returning its index.
pub fn find_row(rows: &[Vec<Data>], needle: &str) -> Option<usize> {
    rows.iter()
        .position(|r| r.iter().any(|c| text(c) == needle))
}
