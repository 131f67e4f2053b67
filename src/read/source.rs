//! Opening input files and streaming their rows, whatever the format:
//! xlsx/xlsm and xlsb through calamine's streaming cell readers, xls and ods
//! through calamine ranges (they have no streaming reader), CSV through the
//! `csv` crate. Every calamine call runs behind `catch_unwind`, so a file that
//! makes the library panic becomes an error naming the file.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufReader, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use calamine::{Data, DataRef, Reader, Sheets};

use super::cell::Cell;
use super::csv as csvread;
use super::layout::{xlsx_layout, SheetLayout};
use super::prescan;
use super::value::date_from_serial;
use super::ReadError;

/// File formats tierbook reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    Csv,
}

/// Caps that keep a hostile file from taking the machine (`--max-cells`,
/// `--max-unzipped-mb`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most cells read from one sheet.
    pub max_cells: u64,
    /// Most bytes a zip container may unpack to, in total.
    pub max_unzipped_bytes: u64,
}

impl Limits {
    /// Largest grid (rows × columns of the used area, blank cells included) of an `.xls` or
    /// `.ods` sheet: calamine reads those whole into a dense grid, about 32 bytes a cell, so
    /// they get a 40th of `max_cells` (5,000,000 cells, about 160 MB, by default).
    pub fn max_grid_cells(&self) -> u64 {
        self.max_cells / 40
    }

    /// Largest unpacked size of a workbook part that calamine reads whole (shared strings,
    /// styles, the workbook part): a 64th of `max_unzipped_bytes` (128 MB by default). A
    /// string table takes up to about 2.5 times its XML size in memory.
    pub fn max_part_bytes(&self) -> u64 {
        self.max_unzipped_bytes / 64
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_cells: 200_000_000,
            max_unzipped_bytes: 8 << 30,
        }
    }
}

/// Receives a sheet's rows in order. `row` is the 1-based Excel row number
/// (for CSV, the record's first physical line); blank trailing cells may be
/// absent. Returns `Ok(false)` to stop reading the sheet.
pub trait RowVisitor {
    fn row(&mut self, row: u32, cells: &[Cell]) -> Result<bool, ReadError>;

    /// Called before the first row with the sheet's merged cells and hidden
    /// rows, where the format tells them.
    fn layout(&mut self, _layout: SheetLayout) {}

    /// Called after the last row when the sheet has cells right of the
    /// columns read: the first of them (1-based row, 0-based column).
    fn beyond(&mut self, _row: u32, _col: u32) {}

    /// Called just before [`RowVisitor::row`] for each CSV record: the
    /// physical lines `first` … `last` it covers and its number of fields as
    /// written (trailing empty fields included; the row's cells leave them out).
    fn record_shape(&mut self, _first: u32, _last: u32, _fields: usize) {}
}

/// Works out a file's format from its first bytes, then its extension.
pub fn detect_format(path: &Path) -> Result<Format, ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| ReadError::io(path, e))?;
    if meta.is_dir() {
        return Err(ReadError::file(path, "is a folder, not a file"));
    }
    if !meta.is_file() {
        // A FIFO would block the read forever; a device is no spreadsheet.
        return Err(ReadError::file(
            path,
            "is not a regular file (a pipe, socket or device); save the data to a file first",
        ));
    }
    let mut head = [0u8; 8];
    let n = File::open(path)
        .and_then(|mut f| read_up_to(&mut f, &mut head))
        .map_err(|e| ReadError::io(path, e))?;
    if n == 0 {
        return Err(ReadError::file(path, "is empty (0 bytes)"));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    if head[..n].starts_with(b"PK\x03\x04") {
        return Ok(match ext.as_str() {
            "xlsb" => Format::Xlsb,
            "ods" => Format::Ods,
            _ => zip_kind(path).unwrap_or(Format::Xlsx),
        });
    }
    if head[..n].starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Ok(Format::Xls);
    }
    if matches!(ext.as_str(), "csv" | "tsv" | "txt") {
        return Ok(Format::Csv);
    }
    if matches!(
        ext.as_str(),
        "xls" | "xlsx" | "xlsm" | "xlsb" | "ods" | "et" | "xlt" | "xltx" | "xltm"
    ) {
        return Err(ReadError::file(
            path,
            "is not a readable workbook (not an Excel/OpenDocument container: corrupt, truncated, or another format)",
        ));
    }
    Err(ReadError::file(
        path,
        "is not a format tierbook reads (xlsx, xlsm, xlsb, xls, ods or csv)",
    ))
}

fn read_up_to(f: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Tells xlsx, xlsb and ods zip packages apart by their parts.
fn zip_kind(path: &Path) -> Option<Format> {
    let f = File::open(path).ok()?;
    let zip = zip::ZipArchive::new(BufReader::new(f)).ok()?;
    let names: Vec<String> = zip
        .file_names()
        .filter_map(Result::ok)
        .map(|n| n.into_owned())
        .collect();
    if names
        .iter()
        .any(|n| n.ends_with(".bin") && n.starts_with("xl/"))
        && !names.iter().any(|n| n == "xl/workbook.xml")
    {
        Some(Format::Xlsb)
    } else if names.iter().any(|n| n == "content.xml") {
        Some(Format::Ods)
    } else {
        Some(Format::Xlsx)
    }
}

/// Refuses a zip package whose parts unpack to more than the limit, or whose
/// compression ratio is that of a zip bomb.
fn check_zip(path: &Path, limits: &Limits) -> Result<(), ReadError> {
    let f = File::open(path).map_err(|e| ReadError::io(path, e))?;
    let packed = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut zip = match zip::ZipArchive::new(BufReader::new(f)) {
        Ok(z) => z,
        Err(e) => {
            return Err(ReadError::file(
                path,
                format!(
                    "is a damaged or truncated workbook ({e}); open it in Excel and save it again"
                ),
            ))
        }
    };
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| ReadError::file(path, format!("is a damaged workbook ({e})")))?;
        total = total.saturating_add(entry.size());
        // calamine loads these parts whole (shared strings, styles, the workbook part);
        // only worksheets stream.
        let shown = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let name = shown.to_ascii_lowercase();
        let whole = name.starts_with("xl/")
            && !name.starts_with("xl/worksheets/")
            && (name.ends_with(".xml") || name.ends_with(".bin"));
        if whole && entry.size() > limits.max_part_bytes() {
            return Err(ReadError::file(
                path,
                format!(
                    "its part {} unpacks to {} MB, more than the {} MB such a part may take (--max-unzipped-mb / 64)",
                    shown,
                    entry.size() >> 20,
                    limits.max_part_bytes() >> 20
                ),
            ));
        }
    }
    if total > limits.max_unzipped_bytes {
        return Err(ReadError::file(
            path,
            format!(
                "unpacks to {} MB, more than the limit of {} MB (--max-unzipped-mb); a real ledger this large should be split",
                total >> 20,
                limits.max_unzipped_bytes >> 20
            ),
        ));
    }
    if total > (256 << 20) && total / packed.max(1) > 200 {
        return Err(ReadError::file(
            path,
            format!(
                "looks like a zip bomb: {} KB unpack to {} MB",
                packed >> 10,
                total >> 20
            ),
        ));
    }
    Ok(())
}

fn grid_error(path: &Path, grid: &prescan::Grid, limits: &Limits) -> ReadError {
    let message = format!(
        "its used area spans {} rows × {} columns ({} cells), more than the {} an .xls or .ods sheet may span (--max-cells / 40); delete the stray cells far from the data, or save the file as .xlsx",
        grid.rows,
        grid.cols,
        grid.cells(),
        limits.max_grid_cells()
    );
    match &grid.sheet {
        Some(sheet) => ReadError::sheet(path, sheet, message),
        None => ReadError::file(path, message),
    }
}

/// Refuses an `.xls` file that is larger than the unpacked-size limit, or one
/// with a sheet whose dense grid would be over the limit (see [`prescan`]).
fn check_xls_grid(path: &Path, limits: &Limits) -> Result<(), ReadError> {
    let len = std::fs::metadata(path)
        .map_err(|e| ReadError::io(path, e))?
        .len();
    if len > limits.max_unzipped_bytes {
        return Err(ReadError::file(
            path,
            format!(
                "is {} MB, more than the limit of {} MB (--max-unzipped-mb)",
                len >> 20,
                limits.max_unzipped_bytes >> 20
            ),
        ));
    }
    let data = std::fs::read(path).map_err(|e| ReadError::io(path, e))?;
    match prescan::xls_scan(&data) {
        prescan::XlsScan::Looped => Err(ReadError::file(
            path,
            "is a damaged workbook (its internal sector chain loops back on itself); open it in Excel and save it again",
        )),
        prescan::XlsScan::Encrypted => Err(ReadError::file(
            path,
            "is password-protected: save an unprotected copy and try again",
        )),
        prescan::XlsScan::Grid(grid) if grid.cells() > limits.max_grid_cells() => {
            Err(grid_error(path, &grid, limits))
        }
        _ => Ok(()),
    }
}

/// Refuses an `.ods` file with a sheet whose dense grid would be over the limit.
fn check_ods_grid(path: &Path, limits: &Limits) -> Result<(), ReadError> {
    let f = File::open(path).map_err(|e| ReadError::io(path, e))?;
    let Ok(mut zip) = zip::ZipArchive::new(BufReader::new(f)) else {
        return Ok(());
    };
    let Ok(content) = zip.by_name("content.xml") else {
        return Ok(());
    };
    let grid = prescan::ods_grid(content.take(limits.max_unzipped_bytes));
    if grid.cells() > limits.max_grid_cells() {
        return Err(grid_error(path, &grid, limits));
    }
    Ok(())
}

/// An open workbook (or CSV file) ready to stream its sheets.
pub struct Source {
    pub path: PathBuf,
    pub format: Format,
    book: Option<Sheets<BufReader<File>>>,
    limits: Limits,
    /// Parse cells on a second thread while this one handles the rows.
    pipeline: bool,
}

/// What we know of a sheet before reading it.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetInfo {
    pub name: String,
    /// Chart sheets, macro sheets and dialog sheets hold no rows.
    pub is_worksheet: bool,
    /// Hidden or very hidden in the workbook.
    pub hidden: bool,
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "internal error in the spreadsheet library".to_string()
    }
}

thread_local! {
    /// Set while this thread runs a [`guarded`] call, whose panics are expected
    /// and reported as errors: the panic hook stays quiet for them.
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs (once) a panic hook that says nothing for a panic inside
/// [`guarded`] and defers to the previous hook for every other panic.
fn quiet_guarded_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !GUARDED.with(|g| g.get()) {
                previous(info);
            }
        }));
    });
}

/// How a panic inside the spreadsheet library is reported.
const MALFORMED: &str = "could not be read: the workbook is malformed";

/// Runs a calamine call, turning a panic into an error naming the file.
fn guarded<T>(path: &Path, f: impl FnOnce() -> Result<T, ReadError>) -> Result<T, ReadError> {
    quiet_guarded_panics();
    let was = GUARDED.with(|g| g.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    match result {
        Ok(r) => r,
        Err(p) => Err(ReadError::file(
            path,
            format!("{MALFORMED} ({})", panic_message(p)),
        )),
    }
}

fn open_error(path: &Path, err: calamine::Error) -> ReadError {
    let text = err.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("password") || lower.contains("encrypt") {
        return ReadError::file(
            path,
            "is password-protected: save an unprotected copy and try again",
        );
    }
    if lower.contains("codepage") {
        return ReadError::file(
            path,
            format!(
                "could not be read ({text}); if it is password-protected, save an unprotected copy"
            ),
        );
    }
    ReadError::file(path, format!("could not be read as a workbook ({text})"))
}

impl Source {
    /// Opens a file for reading. Errors name the file and say what to do.
    pub fn open(path: &Path, limits: Limits) -> Result<Source, ReadError> {
        let format = detect_format(path)?;
        let book = match format {
            Format::Csv => None,
            Format::Xlsx | Format::Xlsb => {
                check_zip(path, &limits)?;
                Some(Self::open_book(path, format)?)
            }
            Format::Ods => {
                check_zip(path, &limits)?;
                check_ods_grid(path, &limits)?;
                Some(Self::open_book(path, format)?)
            }
            Format::Xls => {
                check_xls_grid(path, &limits)?;
                Some(Self::open_book(path, format)?)
            }
        };
        Ok(Source {
            path: path.to_path_buf(),
            format,
            book,
            limits,
            pipeline: false,
        })
    }

    fn open_book(path: &Path, format: Format) -> Result<Sheets<BufReader<File>>, ReadError> {
        guarded(path, || {
            let reader = BufReader::with_capacity(
                1 << 16,
                File::open(path).map_err(|e| ReadError::io(path, e))?,
            );
            let opened = match format {
                Format::Xlsx => calamine::Xlsx::new(reader)
                    .map(Sheets::Xlsx)
                    .map_err(calamine::Error::Xlsx),
                Format::Xlsb => calamine::Xlsb::new(reader)
                    .map(Sheets::Xlsb)
                    .map_err(calamine::Error::Xlsb),
                Format::Ods => calamine::Ods::new(reader)
                    .map(Sheets::Ods)
                    .map_err(calamine::Error::Ods),
                Format::Xls => match calamine::Xls::new(reader) {
                    Ok(x) => Ok(Sheets::Xls(x)),
                    Err(e) => {
                        // An encrypted xlsx is a CFB container too: let the xlsx reader say so.
                        let again = File::open(path).map_err(|e| ReadError::io(path, e))?;
                        match calamine::Xlsx::new(BufReader::new(again)) {
                            Err(calamine::XlsxError::Password) => {
                                Err(calamine::Error::Xlsx(calamine::XlsxError::Password))
                            }
                            _ => Err(calamine::Error::Xls(e)),
                        }
                    }
                },
                Format::Csv => return Err(ReadError::file(path, "is not a workbook")),
            };
            opened.map_err(|e| open_error(path, e))
        })
    }

    /// Parse a sheet's cells on a second thread while the calling thread
    /// handles the rows (worth it when there are fewer sheets than cores).
    pub fn set_pipeline(&mut self, on: bool) {
        self.pipeline = on;
    }

    /// Whether the workbook counts serial dates from 1904-01-01 (its date
    /// system; xlsx, xlsb and xls say so, ods and CSV have none).
    pub fn date_1904(&self) -> bool {
        match &self.book {
            Some(Sheets::Xlsx(x)) => x.has_1904_epoch(),
            Some(Sheets::Xlsb(x)) => x.has_1904_epoch(),
            Some(Sheets::Xls(x)) => x.has_1904_epoch(),
            Some(Sheets::Ods(_)) | None => false,
        }
    }

    /// The file's sheets in workbook order (a CSV file is one sheet named after the file).
    pub fn sheets(&self) -> Vec<SheetInfo> {
        match &self.book {
            None => vec![SheetInfo {
                name: csv_sheet_name(&self.path),
                is_worksheet: true,
                hidden: false,
            }],
            Some(book) => book
                .sheets_metadata()
                .iter()
                .map(|s| SheetInfo {
                    name: s.name.clone(),
                    is_worksheet: matches!(s.typ, calamine::SheetType::WorkSheet),
                    hidden: !matches!(s.visible, calamine::SheetVisible::Visible),
                })
                .collect(),
        }
    }

    /// Streams one sheet's rows to `visitor`. Cells of one row are gathered
    /// into a reused buffer; nothing else of the sheet is kept.
    pub fn read_sheet(
        &mut self,
        sheet: &str,
        visitor: &mut dyn RowVisitor,
    ) -> Result<(), ReadError> {
        let path = self.path.clone();
        let limits = self.limits;
        let format = self.format;
        let pipeline = self.pipeline;
        let Some(book) = self.book.as_mut() else {
            return csvread::read_csv(&path, visitor, &limits);
        };
        let at = LastCell::default();
        let result = guarded(&path, || match book {
            Sheets::Xlsx(x) => {
                visitor.layout(xlsx_layout(&path, sheet));
                let mut reader = x.worksheet_cells_reader(sheet).map_err(|e| {
                    ReadError::sheet(&path, sheet, format!("could not be read ({e})"))
                })?;
                let path_ref: &Path = &path;
                let at = &at;
                let mut next_cell = move || -> NextCell<'_> {
                    let next = reader
                        .next_cell_with_formula_metadata()
                        .map_err(|e| at.error(path_ref, sheet, e))?;
                    Ok(next.map(|rec| {
                        at.set(rec.pos);
                        let cell = if rec.formula.is_some() && matches!(rec.value, DataRef::Empty) {
                            Cell::NoValue
                        } else {
                            from_data_ref(rec.value)
                        };
                        (rec.pos, cell)
                    }))
                };
                if pipeline {
                    return pipelined(&path, sheet, limits, &mut next_cell, visitor);
                }
                let mut sink = VisitorSink(visitor);
                let mut rows = RowAssembler::new(&path, sheet, limits);
                while let Some(((r, c), cell)) = next_cell()? {
                    rows.push(r, c, cell, &mut sink)?;
                    if rows.stopped {
                        break;
                    }
                }
                rows.finish(&mut sink)
            }
            Sheets::Xlsb(x) => {
                let mut reader = x.worksheet_cells_reader(sheet).map_err(|e| {
                    ReadError::sheet(&path, sheet, format!("could not be read ({e})"))
                })?;
                let mut sink = VisitorSink(visitor);
                let mut rows = RowAssembler::new(&path, sheet, limits);
                loop {
                    let next = reader.next_cell().map_err(|e| at.error(&path, sheet, e))?;
                    let Some(cell) = next else { break };
                    let (r, c) = cell.get_position();
                    at.set((r, c));
                    rows.push(r, c, from_data_ref(cell.get_value().clone()), &mut sink)?;
                    if rows.stopped {
                        break;
                    }
                }
                rows.finish(&mut sink)
            }
            Sheets::Xls(_) | Sheets::Ods(_) => {
                let range = match book {
                    Sheets::Xls(x) => x.worksheet_range(sheet).map_err(|e| e.to_string()),
                    Sheets::Ods(x) => x.worksheet_range(sheet).map_err(|e| e.to_string()),
                    _ => Err(String::new()),
                }
                .map_err(|e| ReadError::sheet(&path, sheet, format!("could not be read ({e})")))?;
                let (rows_n, cols_n) = range.get_size();
                if (rows_n as u64).saturating_mul(cols_n as u64) > limits.max_cells {
                    return Err(ReadError::sheet(
                        &path,
                        sheet,
                        format!("declares {rows_n} rows × {cols_n} columns, more than the cell limit (--max-cells)"),
                    ));
                }
                if let Sheets::Xls(x) = book {
                    let mut layout = SheetLayout::default();
                    layout.add_merges(
                        x.merge_cells_by_sheet_name(sheet)
                            .into_iter()
                            .flatten()
                            .map(|d| (d.start, d.end)),
                    );
                    visitor.layout(layout);
                }
                let start = range.start().unwrap_or((0, 0));
                let mut sink = VisitorSink(visitor);
                let mut rows = RowAssembler::new(&path, sheet, limits);
                for (r, c, v) in range.used_cells() {
                    let cell = from_data(v, format);
                    rows.push(start.0 + r as u32, start.1 + c as u32, cell, &mut sink)?;
                    if rows.stopped {
                        break;
                    }
                }
                rows.finish(&mut sink)
            }
        });
        result.map_err(|e| at.locate(e, &path, sheet))
    }
}

/// The last cell read from a sheet, shared with the thread that parses it,
/// so that a cell the library cannot read, or a panic inside it, is reported
/// with the place where reading stopped.
#[derive(Debug, Default)]
struct LastCell(std::sync::atomic::AtomicU64);

impl LastCell {
    /// Records the position (0-based row and column) of a cell just read.
    fn set(&self, (row, col): (u32, u32)) {
        let packed = (u64::from(row) + 1) << 32 | u64::from(col);
        self.0.store(packed, std::sync::atomic::Ordering::Relaxed);
    }

    /// The last cell read as `B12`, if any.
    fn shown(&self) -> Option<String> {
        let packed = self.0.load(std::sync::atomic::Ordering::Relaxed);
        let row = packed >> 32;
        (row > 0).then(|| {
            format!(
                "{}{row}",
                super::header::column_letter((packed & 0xffff_ffff) as usize)
            )
        })
    }

    /// A cell the library cannot read: the run stops naming where (the
    /// sheet's money cannot be counted without it).
    fn error(&self, path: &Path, sheet: &str, e: impl std::fmt::Display) -> ReadError {
        let place = match self.shown() {
            Some(cell) => format!("the cell after {cell}"),
            None => "its first cell".to_string(),
        };
        ReadError::Table {
            path: path.display().to_string(),
            sheet: sheet.to_string(),
            message: format!(
                "{place} cannot be read ({e}); open the file in Excel, check that cell and save it again"
            ),
        }
    }

    /// Turns a panic reported for the whole workbook into one naming the
    /// sheet and the cell where reading stopped.
    fn locate(&self, e: ReadError, path: &Path, sheet: &str) -> ReadError {
        match (e, self.shown()) {
            (ReadError::File { message, .. }, Some(cell)) if message.starts_with(MALFORMED) => {
                ReadError::Table {
                    path: path.display().to_string(),
                    sheet: sheet.to_string(),
                    message: format!("{message}, after cell {cell}"),
                }
            }
            (e, _) => e,
        }
    }
}

/// The next cell of a sheet with its (row, column), or the end of the sheet.
type NextCell<'a> = Result<Option<((u32, u32), Cell<'a>)>, ReadError>;

/// A cell in a [`Batch`]: as it is when it owns no memory (numbers, dates,
/// texts borrowed from the shared-strings table), else a span of the batch's
/// text buffer.
enum Slot<'a> {
    Plain(Cell<'a>),
    Text(usize, usize),
    Error(usize, usize),
}

/// Cells handed from the parsing thread to the row thread, as parsed: the
/// parser only copies texts it owns (inline strings) into one buffer per
/// batch, so nothing allocated on one thread is freed on the other (the
/// allocator's slow path when it happens per cell), and leaves gathering the
/// cells into rows to the row thread. Used batches go back to be refilled.
#[derive(Default)]
struct Batch<'a> {
    text: String,
    /// (row, column, cell), in sheet order; empty cells are left out.
    cells: Vec<(u32, u32, Slot<'a>)>,
}

impl<'a> Batch<'a> {
    fn clear(&mut self) {
        self.text.clear();
        self.cells.clear();
    }

    fn push(&mut self, row: u32, col: u32, cell: Cell<'a>) {
        let slot = match cell {
            Cell::Text(Cow::Owned(t)) => {
                let start = self.text.len();
                self.text.push_str(&t);
                Slot::Text(start, self.text.len())
            }
            Cell::Error(Cow::Owned(t)) => {
                let start = self.text.len();
                self.text.push_str(&t);
                Slot::Error(start, self.text.len())
            }
            plain => Slot::Plain(plain),
        };
        self.cells.push((row, col, slot));
    }

    /// Hands the batch's cells to `rows`, which passes finished rows to `visitor`.
    fn assemble<'b>(
        &'b self,
        rows: &mut RowAssembler<'b, '_>,
        visitor: &mut dyn RowVisitor,
    ) -> Result<(), ReadError> {
        let mut sink = VisitorSink(visitor);
        for (row, col, slot) in &self.cells {
            let cell = match slot {
                Slot::Plain(c) => c.clone(),
                Slot::Text(a, b) => Cell::Text(Cow::Borrowed(&self.text[*a..*b])),
                Slot::Error(a, b) => Cell::Error(Cow::Borrowed(&self.text[*a..*b])),
            };
            rows.push(*row, *col, cell, &mut sink)?;
            if rows.stopped {
                break;
            }
        }
        Ok(())
    }
}

/// Cells a batch holds before it is sent (about 256 ledger rows).
const BATCH_CELLS: usize = 4096;

/// Reads a sheet with two threads: a scoped one parses cells into batches,
/// this one gathers them into rows and runs `visitor`. Output is identical to
/// one thread.
fn pipelined<'a>(
    path: &Path,
    sheet: &str,
    limits: Limits,
    next_cell: &mut (dyn FnMut() -> NextCell<'a> + Send),
    visitor: &mut dyn RowVisitor,
) -> Result<(), ReadError> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Batch<'a>>(16);
    let (back, used) = std::sync::mpsc::channel::<Batch<'a>>();
    std::thread::scope(|scope| {
        let parser = scope.spawn(move || -> Result<Option<(u32, u32)>, ReadError> {
            let mut batch = Batch::default();
            let mut count: u64 = 0;
            let mut beyond = None;
            while let Some(((r, c), cell)) = next_cell()? {
                count += 1;
                if count > limits.max_cells {
                    return Err(too_many_cells(path, sheet, &limits));
                }
                if matches!(cell, Cell::Empty) {
                    continue;
                }
                if c >= MAX_COLUMNS {
                    beyond.get_or_insert((r, c));
                    continue;
                }
                batch.push(r, c, cell);
                if batch.cells.len() >= BATCH_CELLS {
                    let next = used.try_recv().unwrap_or_default();
                    if tx.send(std::mem::replace(&mut batch, next)).is_err() {
                        // The row thread stopped reading.
                        return Ok(beyond);
                    }
                }
            }
            if !batch.cells.is_empty() {
                let _ = tx.send(batch);
            }
            Ok(beyond)
        });
        // The row still open at the end of a batch, its cells owned: it may go
        // on in the next batch, and the batch its cells borrow from is reused.
        let mut open: Option<(u32, Vec<Cell<'static>>)> = None;
        let mut result = Ok(());
        let mut stopped = false;
        for mut batch in rx.iter() {
            let mut rows = RowAssembler::new(path, sheet, limits);
            if let Some((row, cells)) = open.take() {
                rows.resume(row, cells);
            }
            if let Err(e) = batch.assemble(&mut rows, visitor) {
                result = Err(e);
                break;
            }
            if rows.stopped {
                stopped = true;
                break;
            }
            open = rows.take_open();
            drop(rows);
            batch.clear();
            // The parser may have finished: then the batch is dropped here.
            let _ = back.send(batch);
        }
        if let (Ok(()), false, Some((row, cells))) = (&result, stopped, open) {
            let mut rows = RowAssembler::new(path, sheet, limits);
            rows.resume(row, cells);
            result = rows.finish(&mut VisitorSink(visitor));
        }
        drop(rx);
        let parsed = match parser.join() {
            Ok(r) => r,
            Err(p) => std::panic::resume_unwind(p),
        };
        if let (Ok(()), Ok(Some((r, c)))) = (&result, &parsed) {
            visitor.beyond(r + 1, *c);
        }
        result.and(parsed.map(|_| ()))
    })
}

fn too_many_cells(path: &Path, sheet: &str, limits: &Limits) -> ReadError {
    // A limit breached fails the run: dropping the sheet would change the figures.
    ReadError::file(
        path,
        format!(
            "sheet \"{}\" has more than {} cells (--max-cells)",
            sheet, limits.max_cells
        ),
    )
}

/// A CSV file's "sheet": the file name without its extension (SPEC 7.3).
pub fn csv_sheet_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Gathers streamed cells into rows and hands each finished row on.
struct RowAssembler<'a, 'p> {
    path: &'p Path,
    sheet: &'p str,
    limits: Limits,
    current: Option<u32>,
    cells: Vec<Cell<'a>>,
    count: u64,
    stopped: bool,
    /// The first cell right of [`MAX_COLUMNS`] (0-based row and column).
    beyond: Option<(u32, u32)>,
}

/// Widest row we keep cells of; cells further right are ignored (and the
/// visitor is told where the first of them is).
pub const MAX_COLUMNS: u32 = 1024;

impl<'a, 'p> RowAssembler<'a, 'p> {
    fn new(path: &'p Path, sheet: &'p str, limits: Limits) -> Self {
        RowAssembler {
            path,
            sheet,
            limits,
            current: None,
            cells: Vec::with_capacity(32),
            count: 0,
            stopped: false,
            beyond: None,
        }
    }

    fn push(
        &mut self,
        row: u32,
        col: u32,
        cell: Cell<'a>,
        sink: &mut impl RowSink<'a>,
    ) -> Result<(), ReadError> {
        self.count += 1;
        if self.count > self.limits.max_cells {
            return Err(too_many_cells(self.path, self.sheet, &self.limits));
        }
        if self.current != Some(row) {
            self.flush(sink)?;
            self.current = Some(row);
        }
        if matches!(cell, Cell::Empty) {
            return Ok(());
        }
        if col >= MAX_COLUMNS {
            self.beyond.get_or_insert((row, col));
            return Ok(());
        }
        let col = col as usize;
        let len = self.cells.len();
        if col == len {
            // Cells come left to right: most go at the end.
            self.cells.push(cell);
        } else if col > len {
            self.cells.resize(col, Cell::Empty);
            self.cells.push(cell);
        } else {
            self.cells[col] = cell;
        }
        Ok(())
    }

    fn flush(&mut self, sink: &mut impl RowSink<'a>) -> Result<(), ReadError> {
        if let Some(r) = self.current.take() {
            if !self.cells.is_empty() && !self.stopped && !sink.take_row(r + 1, &mut self.cells)? {
                self.stopped = true;
            }
            self.cells.clear();
        }
        Ok(())
    }

    fn finish(mut self, sink: &mut impl RowSink<'a>) -> Result<(), ReadError> {
        self.flush(sink)?;
        if let Some((r, c)) = self.beyond {
            sink.beyond(r + 1, c);
        }
        Ok(())
    }

    /// Goes on with a row begun elsewhere (0-based row, its cells so far).
    fn resume(&mut self, row: u32, cells: Vec<Cell<'a>>) {
        self.current = Some(row);
        self.cells = cells;
    }

    /// Takes out the row still being gathered, its cells owned, to go on with
    /// it elsewhere ([`RowAssembler::resume`]).
    fn take_open(&mut self) -> Option<(u32, Vec<Cell<'static>>)> {
        let row = self.current.take()?;
        Some((row, self.cells.drain(..).map(Cell::into_owned).collect()))
    }
}

/// Where assembled rows go: straight to a visitor, or into batches for
/// another thread. A sink may take the cells out of `cells`.
trait RowSink<'a> {
    fn take_row(&mut self, row: u32, cells: &mut Vec<Cell<'a>>) -> Result<bool, ReadError>;

    /// The first cell right of the columns read (1-based row).
    fn beyond(&mut self, row: u32, col: u32);
}

/// Hands rows to a [`RowVisitor`] on this thread.
struct VisitorSink<'v>(&'v mut dyn RowVisitor);

impl<'a> RowSink<'a> for VisitorSink<'_> {
    fn take_row(&mut self, row: u32, cells: &mut Vec<Cell<'a>>) -> Result<bool, ReadError> {
        self.0.row(row, cells)
    }

    fn beyond(&mut self, row: u32, col: u32) {
        self.0.beyond(row, col);
    }
}

fn from_data_ref(v: DataRef<'_>) -> Cell<'_> {
    match v {
        DataRef::Empty => Cell::Empty,
        DataRef::SharedString(s) => Cell::Text(Cow::Borrowed(s)),
        DataRef::String(s) => Cell::Text(Cow::Owned(s)),
        DataRef::Float(f) => Cell::Number(f),
        DataRef::Int(i) => Cell::Int(i),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::DateTime(dt) => excel_date(&dt),
        DataRef::DateTimeIso(s) => iso_date(&s),
        DataRef::DurationIso(s) => Cell::Text(Cow::Owned(s)),
        DataRef::Error(e) => Cell::Error(Cow::Owned(e.to_string())),
    }
}

fn from_data(v: &Data, _format: Format) -> Cell<'_> {
    match v {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(Cow::Borrowed(s.as_str())),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Int(*i),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => excel_date(dt),
        Data::DateTimeIso(s) => iso_date(s),
        Data::DurationIso(s) => Cell::Text(Cow::Borrowed(s.as_str())),
        Data::Error(e) => Cell::Error(Cow::Owned(e.to_string())),
    }
}

fn excel_date(dt: &calamine::ExcelDateTime) -> Cell<'static> {
    if !dt.is_datetime() || dt.as_f64() < 1.0 {
        // A duration (time span), or a time of day alone, is no calendar date.
        return Cell::BadDate(dt.as_f64());
    }
    if dt.as_f64().is_nan() || dt.as_f64() >= LAST_SERIAL {
        // Past 9999-12-31 (or not a number): calamine's conversion would overflow.
        return Cell::BadDate(dt.as_f64());
    }
    match dt.as_datetime() {
        Some(d) => Cell::Date(d.date()),
        None => match date_from_serial(dt.as_f64(), false) {
            Some(d) => Cell::Date(d),
            None => Cell::BadDate(dt.as_f64()),
        },
    }
}

/// The serial number of 10000-01-01 in either date system, with room: a
/// date cell from here on is no calendar date.
const LAST_SERIAL: f64 = 2_958_466.0;

fn iso_date(s: &str) -> Cell<'static> {
    let head = s.get(..10).unwrap_or(s);
    match chrono::NaiveDate::parse_from_str(head, "%Y-%m-%d") {
        Ok(d) => Cell::Date(d),
        Err(_) => Cell::Text(Cow::Owned(s.to_string())),
    }
}

/// Runs `f` on `bytes` saved as a temporary file named `file_name`, so that a
/// workbook held in memory (a fuzzer's input, a test's) is read through the
/// very path every input file takes, format detection and guards included.
///
/// # Errors
/// Only when the temporary file cannot be written.
pub fn with_bytes_as_file<T>(
    bytes: &[u8],
    file_name: &str,
    f: impl FnOnce(&Path) -> T,
) -> std::io::Result<T> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join(file_name);
    std::fs::write(&path, bytes)?;
    Ok(f(&path))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows as a visitor sees them, stopping after `stop_after` rows when set.
    #[derive(Default)]
    struct Collect {
        rows: Vec<(u32, Vec<String>)>,
        stop_after: Option<usize>,
    }

    impl RowVisitor for Collect {
        fn row(&mut self, row: u32, cells: &[Cell]) -> Result<bool, ReadError> {
            self.rows
                .push((row, cells.iter().map(|c| format!("{c:?}")).collect()));
            Ok(self.stop_after.is_none_or(|n| self.rows.len() < n))
        }
    }

    /// A sheet's cells in stream order: rows of varying width with gaps, owned
    /// and borrowed texts, empty cells, a row of only empty cells, cells past
    /// the last column kept, and rows that are skipped.
    fn cells(shared: &str) -> Vec<((u32, u32), Cell<'_>)> {
        let mut out = Vec::new();
        for r in 0..3_000u32 {
            if r % 97 == 5 {
                continue; // a row that is not in the file
            }
            if r % 89 == 7 {
                out.push(((r, 0), Cell::Empty));
                out.push(((r, 3), Cell::Empty));
                continue;
            }
            let width = 1 + (r % 13);
            for c in 0..width {
                if (r + c) % 5 == 0 {
                    continue; // a gap
                }
                let cell = match (r + c) % 4 {
                    0 => Cell::Text(Cow::Owned(format!("t{r}-{c}"))),
                    1 => Cell::Text(Cow::Borrowed(shared)),
                    2 => Cell::Number(f64::from(r * 100 + c)),
                    _ => Cell::Error(Cow::Owned("#N/A".to_string())),
                };
                out.push(((r, c), cell));
            }
            if r % 50 == 0 {
                out.push(((r, MAX_COLUMNS + 3), Cell::Number(1.0)));
            }
        }
        out
    }

    fn read(
        pipeline: bool,
        stop_after: Option<usize>,
        limits: Limits,
    ) -> (Collect, Result<(), ReadError>) {
        let shared = String::from("共享文本");
        let mut it = cells(&shared).into_iter();
        let mut next_cell = move || -> NextCell<'_> { Ok(it.next()) };
        let mut visitor = Collect {
            stop_after,
            ..Collect::default()
        };
        let path = Path::new("l.xlsx");
        let result = if pipeline {
            pipelined(path, "一月", limits, &mut next_cell, &mut visitor)
        } else {
            let mut rows = RowAssembler::new(path, "一月", limits);
            let mut sink = VisitorSink(&mut visitor);
            let mut r = Ok(());
            while let Ok(Some(((row, col), cell))) = next_cell() {
                if let Err(e) = rows.push(row, col, cell, &mut sink) {
                    r = Err(e);
                    break;
                }
                if rows.stopped {
                    break;
                }
            }
            r.and_then(|()| rows.finish(&mut sink))
        };
        (visitor, result)
    }

    #[test]
    fn cells_parsed_on_a_second_thread_make_the_same_rows() {
        let (one, r1) = read(false, None, Limits::default());
        let (two, r2) = read(true, None, Limits::default());
        assert!(r1.is_ok() && r2.is_ok());
        assert!(one.rows.len() > 2_800, "{}", one.rows.len());
        assert_eq!(one.rows, two.rows);
        // Rows of only empty cells are not handed on; gaps are empty cells.
        assert!(one.rows.iter().all(|(_, c)| !c.is_empty()));
        assert!(one
            .rows
            .iter()
            .all(|(_, c)| c.len() <= MAX_COLUMNS as usize));
    }

    #[test]
    fn a_visitor_that_stops_stops_both_readers_at_the_same_row() {
        for n in [1, 300, 301, 1_000] {
            let (one, _) = read(false, Some(n), Limits::default());
            let (two, r) = read(true, Some(n), Limits::default());
            assert!(r.is_ok());
            assert_eq!(one.rows.len(), n);
            assert_eq!(one.rows, two.rows, "stopping after {n}");
        }
    }

    #[test]
    fn the_workbooks_date_system_is_read_in_every_excel_format() {
        let dir = Path::new("/work/shared/corpus/calamine");
        if !dir.exists() {
            eprintln!("skipped: corpus not found");
            return;
        }
        for (file, is_1904) in [
            ("date.xlsx", false),
            ("date_1904.xlsx", true),
            ("date.xls", false),
            ("date_1904.xls", true),
            ("date.xlsb", false),
            ("date_1904.xlsb", true),
            ("date.ods", false),
        ] {
            let mut src = Source::open(&dir.join(file), Limits::default()).expect("open");
            assert_eq!(src.date_1904(), is_1904, "{file}");
            let mut rows = Collect::default();
            let sheet = src.sheets()[0].name.clone();
            src.read_sheet(&sheet, &mut rows).expect("read");
            if file.ends_with(".ods") {
                continue;
            }
            // Date cells carry their system: 2021-01-01 in both files.
            assert_eq!(rows.rows[0].1[0], "Date(2021-01-01)", "{file}");
        }
    }

    /// Keeps the layout a source announces.
    #[derive(Default)]
    struct Layout(Option<SheetLayout>);

    impl RowVisitor for Layout {
        fn row(&mut self, _row: u32, _cells: &[Cell]) -> Result<bool, ReadError> {
            Ok(false)
        }
        fn layout(&mut self, layout: SheetLayout) {
            self.0 = Some(layout);
        }
    }

    #[test]
    fn merges_spanning_rows_are_announced_for_xlsx_and_xls_as_calamine_reads_them() {
        let dir = Path::new("/work/shared/corpus/calamine");
        if !dir.exists() {
            eprintln!("skipped: corpus not found");
            return;
        }
        use crate::read::layout::Merge;
        let m = |first_row, last_row, col| Merge {
            first_row,
            last_row,
            col,
        };
        for file in ["merged_range.xlsx", "merged_range.xls"] {
            let mut src = Source::open(&dir.join(file), Limits::default()).expect("open");
            let mut got = Layout::default();
            src.read_sheet("Sheet2", &mut got).expect("read");
            // A1:A4, C3:D4, F1:H4, B1:B2, C1:D2, E1:E2 (the one-row merges left out).
            assert_eq!(
                got.0.map(|l| l.merges),
                Some(vec![
                    m(1, 2, 1),
                    m(1, 2, 2),
                    m(1, 2, 4),
                    m(1, 4, 0),
                    m(1, 4, 5),
                    m(3, 4, 2)
                ]),
                "{file}"
            );
        }
    }

    #[test]
    fn the_cell_limit_fails_the_read_on_either_path() {
        let limits = Limits {
            max_cells: 5_000,
            ..Limits::default()
        };
        for pipeline in [false, true] {
            let (_, r) = read(pipeline, None, limits);
            let message = r.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(message.contains("--max-cells"), "{pipeline}: {message}");
        }
    }
}
