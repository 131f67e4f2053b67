//! Accepted rows kept outside memory: fixed-layout records appended to an
//! anonymous temporary file while a sheet is read, read back (once or more)
//! when the model folds them. Memory follows customers and orders, never rows.
//!
//! [`Spill`] holds records of any [`Record`] type (ledger lines, receipts);
//! [`FingerprintSpill`] holds the (row, fingerprint) pairs the duplicate-row
//! check reads on its own thread.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::marker::PhantomData;

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A record that can be written to and read back from a [`Spill`].
pub trait Record: Sized {
    /// The most bytes one record takes.
    const MAX_LEN: usize;
    /// Writes the record into `out` (at least `MAX_LEN` long), returning its length.
    fn encode(&self, out: &mut [u8]) -> usize;
    /// Reads one record from `r`.
    ///
    /// # Errors
    /// The file ends early or holds a value that cannot be a record.
    fn decode(r: &mut impl Read) -> std::io::Result<Self>;
}

/// Fixed-layout records appended to an anonymous temporary file: written
/// through a buffer while a sheet is read, then sealed (the buffer is freed,
/// only the file handle stays) until the model reads them back.
struct TempRecords {
    writer: Option<BufWriter<File>>,
    file: Option<File>,
    count: u64,
    buffer: usize,
}

impl TempRecords {
    fn new(buffer: usize) -> std::io::Result<TempRecords> {
        Ok(TempRecords {
            writer: Some(BufWriter::with_capacity(buffer, tempfile::tempfile()?)),
            file: None,
            count: 0,
            buffer,
        })
    }

    fn push(&mut self, record: &[u8]) -> std::io::Result<()> {
        let Some(w) = self.writer.as_mut() else {
            return Err(std::io::Error::other("temporary records already sealed"));
        };
        w.write_all(record)?;
        self.count += 1;
        Ok(())
    }

    /// Flushes and frees the write buffer; later pushes fail.
    fn seal(&mut self) -> std::io::Result<()> {
        if let Some(w) = self.writer.take() {
            self.file = Some(w.into_inner().map_err(|e| e.into_error())?);
        }
        Ok(())
    }

    /// A reader from the first record (sealing first when needed).
    fn reader(&mut self) -> std::io::Result<BufReader<File>> {
        self.seal()?;
        let Some(f) = self.file.as_mut() else {
            return Err(std::io::Error::other("temporary records missing"));
        };
        f.seek(SeekFrom::Start(0))?;
        Ok(BufReader::with_capacity(self.buffer, f.try_clone()?))
    }
}

/// Records of one sheet, in an anonymous temporary file.
pub struct Spill<R> {
    records: TempRecords,
    kind: PhantomData<fn() -> R>,
}

impl<R: Record> Spill<R> {
    /// # Errors
    /// No temporary file can be created.
    pub fn new() -> std::io::Result<Spill<R>> {
        Ok(Spill {
            records: TempRecords::new(1 << 16)?,
            kind: PhantomData,
        })
    }

    /// Records written so far.
    pub fn count(&self) -> u64 {
        self.records.count
    }

    /// Frees the write buffer once the sheet is read.
    ///
    /// # Errors
    /// The buffered records cannot be written (disk full).
    pub fn seal(&mut self) -> std::io::Result<()> {
        self.records.seal()
    }

    /// Appends a record.
    ///
    /// # Errors
    /// The temporary file cannot be written, or the spill is sealed.
    pub fn push(&mut self, r: &R) -> std::io::Result<()> {
        let mut buf = [0u8; 256];
        let n = r.encode(&mut buf[..R::MAX_LEN.min(256)]);
        self.records.push(&buf[..n])
    }

    /// A reader over the records in order; may be called again.
    ///
    /// # Errors
    /// The temporary file cannot be read.
    pub fn reader(&mut self) -> std::io::Result<SpillReader<R>> {
        Ok(SpillReader {
            reader: self.records.reader()?,
            left: self.records.count,
            kind: PhantomData,
        })
    }
}

/// Reads records back from a [`Spill`].
pub struct SpillReader<R> {
    reader: BufReader<File>,
    left: u64,
    kind: PhantomData<fn() -> R>,
}

impl<R: Record> SpillReader<R> {
    /// The next record, or `None` after the last.
    ///
    /// # Errors
    /// The temporary file cannot be read back.
    pub fn next_record(&mut self) -> std::io::Result<Option<R>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        R::decode(&mut self.reader).map(Some)
    }
}

/// The (row, fingerprint) pairs of one sheet's accepted lines, in an anonymous
/// temporary file, so duplicates can be found on another thread.
pub struct FingerprintSpill {
    records: TempRecords,
}

impl FingerprintSpill {
    /// # Errors
    /// No temporary file can be created.
    pub fn new() -> std::io::Result<FingerprintSpill> {
        Ok(FingerprintSpill {
            records: TempRecords::new(1 << 15)?,
        })
    }

    /// # Errors
    /// The temporary file cannot be written.
    pub fn push(&mut self, row: u32, fingerprint: u64) -> std::io::Result<()> {
        let mut buf = [0u8; 12];
        buf[..4].copy_from_slice(&row.to_le_bytes());
        buf[4..].copy_from_slice(&fingerprint.to_le_bytes());
        self.records.push(&buf)
    }

    /// Frees the write buffer once the sheet is read.
    ///
    /// # Errors
    /// The buffered records cannot be written.
    pub fn seal(&mut self) -> std::io::Result<()> {
        self.records.seal()
    }

    /// Calls `each` with every (row, fingerprint) in order; may be called again.
    ///
    /// # Errors
    /// The temporary file cannot be read back.
    pub fn read_all(&mut self, mut each: impl FnMut(u32, u64)) -> std::io::Result<()> {
        let mut r = self.records.reader()?;
        for _ in 0..self.records.count {
            let b = read_array::<12>(&mut r)?;
            each(u32_at(&b[..4]), u64_at(&b[4..]));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Field codecs shared by the record types.

/// Writes fields one after another into a record buffer.
pub struct Put<'b> {
    buf: &'b mut [u8],
    at: usize,
}

impl<'b> Put<'b> {
    pub fn new(buf: &'b mut [u8]) -> Put<'b> {
        Put { buf, at: 0 }
    }
    pub fn bytes(&mut self, b: &[u8]) {
        self.buf[self.at..self.at + b.len()].copy_from_slice(b);
        self.at += b.len();
    }
    pub fn u8(&mut self, v: u8) {
        self.bytes(&[v]);
    }
    pub fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }
    pub fn date(&mut self, d: NaiveDate) {
        self.bytes(&days(d).to_le_bytes());
    }
    pub fn decimal(&mut self, d: Decimal) {
        self.bytes(&d.serialize());
    }
    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.at
    }
    pub fn is_empty(&self) -> bool {
        self.at == 0
    }
}

/// Reads fields one after another from a record's bytes.
pub struct Take<'b> {
    buf: &'b [u8],
    at: usize,
}

impl<'b> Take<'b> {
    pub fn new(buf: &'b [u8]) -> Take<'b> {
        Take { buf, at: 0 }
    }
    fn slice(&mut self, n: usize) -> &'b [u8] {
        let s = &self.buf[self.at..self.at + n];
        self.at += n;
        s
    }
    pub fn u32(&mut self) -> u32 {
        u32_at(self.slice(4))
    }
    /// # Errors
    /// The stored day number is not a calendar date.
    pub fn date(&mut self) -> std::io::Result<NaiveDate> {
        from_days(u32_at(self.slice(4)) as i32)
    }
    pub fn decimal(&mut self) -> Decimal {
        let mut d = [0u8; 16];
        d.copy_from_slice(self.slice(16));
        Decimal::deserialize(d)
    }
}

fn days(d: NaiveDate) -> i32 {
    chrono::Datelike::num_days_from_ce(&d)
}

fn from_days(n: i32) -> std::io::Result<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(n)
        .ok_or_else(|| std::io::Error::other("bad date in a temporary file"))
}

fn u32_at(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn u64_at(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_le_bytes(a)
}

/// Reads exactly `N` bytes.
///
/// # Errors
/// The reader ends early.
pub fn read_array<const N: usize>(r: &mut impl Read) -> std::io::Result<[u8; N]> {
    let mut b = [0u8; N];
    r.read_exact(&mut b)?;
    Ok(b)
}

/// The day number of a date, as records store it (for fingerprints).
pub fn day_number(d: NaiveDate) -> i32 {
    days(d)
}
