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

/// Writes an xlsx with the given sheets of rows.
pub fn write_xlsx(path: &Path, sheets: &[(&str, Vec<Vec<C>>)]) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
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
                        ws.write_formula(r, c, Formula::new(*f)).expect("write");
                    }
                    C::E => {}
                }
            }
        }
    }
    wb.save(path).expect("save fixture");
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
