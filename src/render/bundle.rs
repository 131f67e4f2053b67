//! Several workbooks in one zip (the page's handouts download): each book
//! rendered as `write_xlsx` renders it, stored under its own file name
//! (UTF-8, flagged as such in the zip) without a second compression, since
//! an xlsx is deflated already.

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use anyhow::{Context, Result};
use chrono::{Datelike, Timelike};

use crate::report::model::Book;

/// Writes `books` (file name, book) into `out` as one zip; each workbook is
/// assembled in an anonymous temporary file in `scratch` first.
///
/// # Errors
/// A workbook cannot be assembled, or a file written.
pub fn write_zip(books: &[(&str, &Book)], scratch: &Path, out: &mut std::fs::File) -> Result<()> {
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(out));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(now());
    for (name, book) in books {
        let mut file = tempfile::tempfile_in(scratch).context("making a temporary file")?;
        super::xlsx::write_xlsx(book, &mut file)?;
        let size = file.seek(SeekFrom::End(0)).context("reading a workbook")?;
        file.seek(SeekFrom::Start(0))
            .context("reading a workbook")?;
        zip.start_file(*name, options.large_file(size >= u64::from(u32::MAX)))
            .with_context(|| format!("adding {name} to the zip"))?;
        std::io::copy(&mut file, &mut zip).with_context(|| format!("adding {name} to the zip"))?;
    }
    let mut w = zip.finish().context("finishing the zip")?;
    w.flush().context("writing the zip")
}

/// The local time as a zip entry's date (1980 when the clock says otherwise).
fn now() -> zip::DateTime {
    let t = chrono::Local::now().naive_local();
    let fields = (
        u16::try_from(t.year()).ok(),
        u8::try_from(t.month()).ok(),
        u8::try_from(t.day()).ok(),
        u8::try_from(t.hour()).ok(),
        u8::try_from(t.minute()).ok(),
        u8::try_from(t.second()).ok(),
    );
    match fields {
        (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s)) => {
            zip::DateTime::from_date_and_time(y, mo, d, h, mi, s).unwrap_or_default()
        }
        _ => zip::DateTime::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{Block, PageSetup, Paper, Sheet};
    use std::io::Read;

    fn book(title: &str) -> Book {
        let page = PageSetup {
            landscape: false,
            header: title.to_string(),
            footer: String::new(),
            freeze_columns: 0,
            repeat_header: false,
            protect: false,
            signature: None,
            paper: Paper::A4,
        };
        let sheet = Sheet {
            name: "S".to_string(),
            title: title.to_string(),
            subtitle: Vec::new(),
            blocks: vec![Block::Heading(title.to_string())],
            page,
        };
        Book {
            title: title.to_string(),
            created: chrono::NaiveDate::from_ymd_opt(2025, 12, 31).expect("date"),
            sheets: vec![sheet],
            hidden: None,
            tiers: Vec::new(),
        }
    }

    #[test]
    fn every_book_is_one_entry_under_its_utf8_name() {
        let dir = tempfile::tempdir().expect("dir");
        let (a, b) = (book("甲"), book("B"));
        let path = dir.path().join("h.zip");
        let mut out = std::fs::File::create(&path).expect("create");
        write_zip(
            &[("评定表-华东.xlsx", &a), ("评定表-B.xlsx", &b)],
            dir.path(),
            &mut out,
        )
        .expect("zip");
        let bytes = std::fs::read(&path).expect("read");
        // The first local header: general purpose flag bit 11 (UTF-8 name), method 0 (stored).
        assert_eq!(&bytes[..4], b"PK\x03\x04");
        assert_eq!(u16::from_le_bytes([bytes[6], bytes[7]]) & 0x800, 0x800);
        assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), 0);
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        assert_eq!(z.len(), 2);
        let names: Vec<String> = (0..2)
            .map(|i| {
                z.by_index(i)
                    .expect("entry")
                    .name()
                    .expect("name")
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["评定表-华东.xlsx", "评定表-B.xlsx"]);
        let mut inner = Vec::new();
        z.by_index(0)
            .expect("entry")
            .read_to_end(&mut inner)
            .expect("read");
        assert!(
            zip::ZipArchive::new(std::io::Cursor::new(inner)).is_ok(),
            "an xlsx"
        );
        // Nothing is left in the scratch folder but the zip itself.
        assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 1);
    }
}
