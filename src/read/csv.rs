//! CSV input: encoding detected from a sample (UTF-8, UTF-8 with BOM,
//! GBK/GB18030) and then held to for the whole file, delimiter detected
//! (`,` `;` tab `|`), records split by [`Records`] on one thread and handed
//! on as rows on another.
//!
//! Records (SPEC 10): a lone CR, a lone LF and CRLF each end a line outside
//! quotes; a field that starts with `"` is quoted (`""` is a quote inside it,
//! line breaks inside it are part of the value); a quote anywhere else is a
//! literal character. Rows are numbered by physical line.

use std::borrow::Cow;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use encoding_rs::{Decoder, DecoderResult, GB18030};

use super::cell::Cell;
use super::source::{Limits, RowVisitor};
use super::ReadError;

const SAMPLE: usize = 64 * 1024;

/// The text encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gbk,
}

/// The message for a file read as UTF-8 that stops being UTF-8 at `line`.
fn not_utf8(line: u32) -> String {
    format!(
        "line {line} is not valid UTF-8 text, though the file is UTF-8 before it (GBK rows pasted into a UTF-8 file?): nothing was read; save the file as \"CSV UTF-8\" and try again"
    )
}

/// The message for a file read as GBK/GB18030 holding bytes that are not at `line`.
fn not_gbk(line: u32) -> String {
    format!(
        "line {line} is not valid GBK/GB18030 text, though the file is GBK before it: nothing was read; save the file as \"CSV UTF-8\" and try again"
    )
}

/// Detects the encoding from the first bytes. UTF-16, text that is neither
/// UTF-8 nor plausible Chinese GBK, and UTF-8 text that turns into something
/// else within the sample are refused.
pub fn detect_encoding(sample: &[u8], complete: bool) -> Result<Encoding, String> {
    if sample.starts_with(UTF8_BOM) {
        return Ok(Encoding::Utf8);
    }
    if sample.starts_with(&[0xFF, 0xFE]) || sample.starts_with(&[0xFE, 0xFF]) {
        return Err("is UTF-16 text: save it as \"CSV UTF-8\" and try again".into());
    }
    let nuls = sample.iter().filter(|&&b| b == 0).count();
    if nuls > sample.len() / 10 {
        return Err(
            "looks like UTF-16 or binary data, not CSV text: save it as \"CSV UTF-8\"".into(),
        );
    }
    let bad = match std::str::from_utf8(sample) {
        Ok(_) => return Ok(Encoding::Utf8),
        // A multi-byte character cut at the end of the sample is fine.
        Err(e) if !complete && e.error_len().is_none() => return Ok(Encoding::Utf8),
        Err(e) => e.valid_up_to(),
    };
    // Whole lines of UTF-8 Chinese above the bad bytes: a UTF-8 file with
    // something else pasted in, not a GBK file.
    let line_start = sample[..bad]
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(0, |p| p + 1);
    let above = std::str::from_utf8(&sample[..line_start]).unwrap_or_default();
    if above.chars().filter(|c| !c.is_ascii()).count() >= 2 {
        return Err(not_utf8(1 + line_breaks(&sample[..bad], false).0));
    }
    if looks_like_gbk(sample) {
        Ok(Encoding::Gbk)
    } else {
        Err(
            "is neither UTF-8 nor GBK/GB18030 Chinese text: save it as \"CSV UTF-8\" and try again"
                .into(),
        )
    }
}

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// Whether the non-ASCII bytes read mostly as GB2312-range Chinese (hanzi and
/// full-width punctuation) or GB18030 four-byte characters, which Shift-JIS
/// and Latin-1 text do not. Rare GBK characters and a few bytes that are no
/// GBK at all may be among them (the decoder then names their line).
fn looks_like_gbk(sample: &[u8]) -> bool {
    let (mut good, mut other) = (0usize, 0usize);
    let mut i = 0;
    while i < sample.len() {
        let b = sample[i];
        if b < 0x80 {
            i += 1;
            continue;
        }
        let Some(&t) = sample.get(i + 1) else { break };
        let hanzi = (0xB0..=0xF7).contains(&b) && (0xA1..=0xFE).contains(&t);
        let punct = (0xA1..=0xA9).contains(&b) && (0xA1..=0xFE).contains(&t);
        let lead = (0x81..=0xFE).contains(&b);
        let four = lead
            && (0x30..=0x39).contains(&t)
            && matches!(sample.get(i + 2..i + 4), Some(&[l, d])
                if (0x81..=0xFE).contains(&l) && (0x30..=0x39).contains(&d));
        if hanzi || punct || four {
            good += 1;
            i += if four { 4 } else { 2 };
        } else if lead && (0x40..=0xFE).contains(&t) && t != 0x7F {
            // Valid GBK outside GB2312 (a rare character such as 䶮).
            other += 1;
            i += 2;
        } else {
            // Not GBK at all.
            other += 1;
            i += 1;
        }
    }
    good > 0 && good >= other * 3
}

/// Line breaks in `bytes` (a CRLF, a lone CR and a lone LF are one each),
/// given whether the byte just before them was a CR; and whether the last
/// byte is one.
fn line_breaks(bytes: &[u8], after_cr: bool) -> (u32, bool) {
    let mut n = 0;
    // Position just past the last CR seen (0 when the byte before `bytes` was one).
    let mut past_cr = if after_cr { Some(0) } else { None };
    for p in memchr::memchr2_iter(b'\r', b'\n', bytes) {
        if bytes[p] == b'\r' {
            n += 1;
            past_cr = Some(p + 1);
        } else if past_cr != Some(p) {
            n += 1;
        }
    }
    let ends_in_cr = match bytes.last() {
        Some(&b) => b == b'\r',
        None => after_cr,
    };
    (n, ends_in_cr)
}

/// Delimiters tierbook recognises, in order of preference on a tie.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Picks the delimiter that splits the first records most consistently:
/// the one found in most records, then the most often (quoted fields aside).
pub fn detect_delimiter(sample: &[u8]) -> u8 {
    let mut best = (b',', 0usize, 0usize);
    for d in DELIMITERS {
        let mut records = Records::new(sample, d);
        let mut record = RawRecord::default();
        let (mut with, mut total, mut seen) = (0, 0, 0);
        while seen < 30 && matches!(records.next(&mut record), Ok(true)) {
            if record.ends.len() == 1 && record.bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            seen += 1;
            let delimiters = record.ends.len() - 1;
            with += usize::from(delimiters > 0);
            total += delimiters;
        }
        if (with, total) > (best.1, best.2) {
            best = (d, with, total);
        }
    }
    best.0
}

/// Malformed input met by [`DecodingReader`] (the error it ends with).
#[derive(Debug)]
struct Malformed;

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("bytes that are not GB18030 text")
    }
}

impl std::error::Error for Malformed {}

/// A reader that decodes GBK/GB18030 to UTF-8 as it streams. Bytes that are
/// not GB18030 end the stream with a [`Malformed`] error, after everything
/// decoded before them.
struct DecodingReader<R> {
    inner: R,
    decoder: Decoder,
    raw: Vec<u8>,
    raw_start: usize,
    raw_end: usize,
    out: Vec<u8>,
    out_start: usize,
    out_end: usize,
    eof: bool,
    malformed: bool,
}

impl<R: Read> DecodingReader<R> {
    fn new(inner: R) -> Self {
        DecodingReader {
            inner,
            decoder: GB18030.new_decoder_without_bom_handling(),
            raw: vec![0; 1 << 16],
            raw_start: 0,
            raw_end: 0,
            out: vec![0; (1 << 17) + 16],
            out_start: 0,
            out_end: 0,
            eof: false,
            malformed: false,
        }
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.out_start < self.out_end {
                let n = buf.len().min(self.out_end - self.out_start);
                buf[..n].copy_from_slice(&self.out[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            if self.malformed {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    Malformed,
                ));
            }
            if self.eof && self.raw_start == self.raw_end {
                return Ok(0);
            }
            if self.raw_start == self.raw_end {
                let n = self.inner.read(&mut self.raw)?;
                self.raw_start = 0;
                self.raw_end = n;
                self.eof = n == 0;
            }
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.raw[self.raw_start..self.raw_end],
                &mut self.out,
                self.eof,
            );
            self.raw_start += read;
            self.out_start = 0;
            self.out_end = written;
            match result {
                DecoderResult::Malformed(..) => self.malformed = true,
                DecoderResult::InputEmpty if self.eof && written == 0 => {
                    self.raw_start = self.raw_end;
                    return Ok(0);
                }
                _ => {}
            }
        }
    }
}

/// Largest CSV record (one row, quoted line breaks included) in bytes. A ledger row is a few
/// hundred bytes; without a cap a file with no line break would be held whole.
pub const MAX_RECORD_BYTES: u64 = 16 << 20;

/// One record as [`Records`] splits it: its fields' bytes end to end, where
/// each field ends in them, and the physical lines it covers.
#[derive(Debug, Default, Clone, PartialEq)]
struct RawRecord {
    bytes: Vec<u8>,
    ends: Vec<u32>,
    first: u32,
    last: u32,
}

/// Where [`Records`] is within a record.
#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    /// At the start of a field.
    FieldStart,
    /// In a field that did not start with a quote (a quote in it is a literal).
    Plain,
    /// Inside a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: a second quote, or its end.
    QuoteInQuoted,
}

/// Splits a CSV byte stream into records (see the module's rules).
struct Records<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    delimiter: u8,
    /// Physical line of the next byte (1-based).
    line: u32,
    /// The last byte taken was a CR: an LF now belongs to the same line break.
    after_cr: bool,
}

impl<R: Read> Records<R> {
    fn new(inner: R, delimiter: u8) -> Self {
        Records {
            inner,
            buf: vec![0; 1 << 16],
            pos: 0,
            end: 0,
            eof: false,
            delimiter,
            line: 1,
            after_cr: false,
        }
    }

    /// Makes unread bytes available; `false` at the end of the input.
    fn fill(&mut self) -> std::io::Result<bool> {
        while self.pos == self.end {
            if self.eof {
                return Ok(false);
            }
            match self.inner.read(&mut self.buf) {
                Ok(n) => {
                    self.pos = 0;
                    self.end = n;
                    self.eof = n == 0;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Reads the next record into `record`; `false` at the end of the input.
    fn next(&mut self, record: &mut RawRecord) -> std::io::Result<bool> {
        record.bytes.clear();
        record.ends.clear();
        // The LF of a CRLF that ended the previous record.
        if self.after_cr && self.fill()? && self.buf[self.pos] == b'\n' {
            self.pos += 1;
        }
        self.after_cr = false;
        if !self.fill()? {
            return Ok(false);
        }
        record.first = self.line;
        let mut state = State::FieldStart;
        let mut taken: u64 = 0;
        loop {
            if !self.fill()? {
                // End of input: the record ends here, a quoted field unclosed or not.
                // A line break just taken into an unclosed quote ends the last line.
                record.ends.push(record.bytes.len() as u32);
                let broke =
                    state == State::Quoted && matches!(record.bytes.last(), Some(b'\n' | b'\r'));
                record.last = self.line - u32::from(broke && self.line > record.first);
                return Ok(true);
            }
            let avail = &self.buf[self.pos..self.end];
            let before = self.pos;
            match state {
                State::FieldStart if avail[0] == b'"' => {
                    self.pos += 1;
                    state = State::Quoted;
                }
                State::FieldStart | State::Plain => {
                    state = State::Plain;
                    let found = memchr::memchr3(self.delimiter, b'\r', b'\n', avail);
                    let seg = found.unwrap_or(avail.len());
                    record.bytes.extend_from_slice(&avail[..seg]);
                    self.pos += seg;
                    if let Some(p) = found {
                        let b = avail[p];
                        self.pos += 1;
                        record.ends.push(record.bytes.len() as u32);
                        if b == self.delimiter {
                            state = State::FieldStart;
                        } else {
                            record.last = self.line;
                            self.line += 1;
                            self.after_cr = b == b'\r';
                            return Ok(true);
                        }
                    }
                }
                State::Quoted => {
                    let found = memchr::memchr(b'"', avail);
                    let seg = &avail[..found.unwrap_or(avail.len())];
                    record.bytes.extend_from_slice(seg);
                    let (breaks, cr) = line_breaks(seg, self.after_cr);
                    self.line += breaks;
                    self.after_cr = cr;
                    self.pos += seg.len();
                    if found.is_some() {
                        self.pos += 1;
                        self.after_cr = false;
                        state = State::QuoteInQuoted;
                    }
                }
                State::QuoteInQuoted => {
                    if avail[0] == b'"' {
                        record.bytes.push(b'"');
                        self.pos += 1;
                        state = State::Quoted;
                    } else {
                        // The quoted part is over; anything up to the delimiter is literal.
                        state = State::Plain;
                    }
                }
            }
            taken += (self.pos - before) as u64;
            if taken > MAX_RECORD_BYTES {
                return Err(std::io::Error::other(format!(
                    "a single row is longer than {} MB: this is not a ledger CSV (no line breaks, or an unclosed quote)",
                    MAX_RECORD_BYTES >> 20
                )));
            }
        }
    }
}

/// Streams a CSV file's records to `visitor` as one sheet.
pub fn read_csv(
    path: &Path,
    visitor: &mut dyn RowVisitor,
    limits: &Limits,
) -> Result<(), ReadError> {
    let mut file = File::open(path).map_err(|e| ReadError::io(path, e))?;
    let mut sample = vec![0u8; SAMPLE];
    let mut n = 0;
    while n < SAMPLE {
        match file.read(&mut sample[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => return Err(ReadError::io(path, e)),
        }
    }
    sample.truncate(n);
    let complete = n < SAMPLE;
    let encoding = detect_encoding(&sample, complete).map_err(|m| ReadError::file(path, m))?;
    let delimiter = match encoding {
        Encoding::Utf8 => detect_delimiter(&sample),
        Encoding::Gbk => {
            detect_delimiter(GB18030.decode_without_bom_handling(&sample).0.as_bytes())
        }
    };
    // One thread splits and checks records, this one turns them into rows:
    // batches of records go between them and come back empty to be reused.
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Result<Batch, ReadError>>(8);
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Batch>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            parse_records(path, sample, file, encoding, delimiter, full_tx, empty_rx)
        });
        let result = rows_from_records(path, &full_rx, &empty_tx, visitor, limits);
        drop(full_rx);
        result
    })
}

/// A record as the parsing thread hands it on, checked as text there.
struct Record {
    text: String,
    ends: Vec<u32>,
    first: u32,
    last: u32,
}

impl Record {
    /// The record as text, or the line of its first byte that is not UTF-8
    /// (or of a field that ends inside a character).
    fn of(raw: RawRecord) -> Result<Record, u32> {
        let line_at = |bytes: &[u8], at: usize| raw.first + line_breaks(&bytes[..at], false).0;
        let text = match String::from_utf8(raw.bytes) {
            Ok(t) => t,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                return Err(line_at(e.as_bytes(), at));
            }
        };
        if let Some(&end) = raw
            .ends
            .iter()
            .find(|&&e| !text.is_char_boundary(e as usize))
        {
            return Err(line_at(text.as_bytes(), end as usize));
        }
        Ok(Record {
            text,
            ends: raw.ends,
            first: raw.first,
            last: raw.last,
        })
    }

    fn into_raw(self) -> RawRecord {
        RawRecord {
            bytes: self.text.into_bytes(),
            ends: self.ends,
            first: 0,
            last: 0,
        }
    }
}

/// CSV records handed between the two threads of [`read_csv`].
type Batch = Vec<Record>;

const BATCH_RECORDS: usize = 512;

/// The parsing thread: fills batches of records and sends them on.
fn parse_records(
    path: &Path,
    mut sample: Vec<u8>,
    file: File,
    encoding: Encoding,
    delimiter: u8,
    full: std::sync::mpsc::SyncSender<Result<Batch, ReadError>>,
    empty: std::sync::mpsc::Receiver<Batch>,
) {
    if sample.starts_with(UTF8_BOM) {
        sample.drain(..UTF8_BOM.len());
    }
    let rest = std::io::Cursor::new(sample).chain(file);
    let reader: Box<dyn Read> = match encoding {
        Encoding::Utf8 => Box::new(rest),
        Encoding::Gbk => Box::new(DecodingReader::new(rest)),
    };
    let mut records = Records::new(reader, delimiter);
    let mut spare: Vec<RawRecord> = Vec::new();
    loop {
        let mut batch = empty.try_recv().unwrap_or_default();
        spare.extend(batch.drain(..).map(Record::into_raw));
        let mut done = false;
        while batch.len() < BATCH_RECORDS {
            let mut raw = spare.pop().unwrap_or_default();
            let failed = match records.next(&mut raw) {
                Ok(true) => match Record::of(raw) {
                    Ok(record) => {
                        batch.push(record);
                        continue;
                    }
                    Err(line) => not_utf8(line),
                },
                Ok(false) => {
                    done = true;
                    break;
                }
                Err(e) if e.get_ref().is_some_and(|i| i.is::<Malformed>()) => not_gbk(records.line),
                Err(e) if e.kind() == std::io::ErrorKind::Other => e.to_string(),
                Err(e) => format!("could not be read ({e})"),
            };
            // Rows before the bad one go first: the row thread stops at the error.
            if !batch.is_empty() {
                let _ = full.send(Ok(std::mem::take(&mut batch)));
            }
            let _ = full.send(Err(ReadError::file(path, failed)));
            return;
        }
        if (!batch.is_empty() && full.send(Ok(batch)).is_err()) || done {
            return;
        }
    }
}

/// The row thread: turns records into rows of cells for `visitor`.
fn rows_from_records(
    path: &Path,
    full: &std::sync::mpsc::Receiver<Result<Batch, ReadError>>,
    empty: &std::sync::mpsc::Sender<Batch>,
    visitor: &mut dyn RowVisitor,
    limits: &Limits,
) -> Result<(), ReadError> {
    let mut count: u64 = 0;
    let mut first = true;
    for batch in full.iter() {
        let batch = batch?;
        let mut cells: Vec<Cell> = Vec::with_capacity(32);
        for record in &batch {
            cells.clear();
            let mut start = 0;
            for &end in &record.ends {
                let mut t = &record.text[start..end as usize];
                start = end as usize;
                if first {
                    // A GB18030 byte-order mark, decoded.
                    t = t.strip_prefix('\u{feff}').unwrap_or(t);
                    first = false;
                }
                cells.push(if t.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(Cow::Borrowed(t))
                });
            }
            count += cells.len() as u64;
            if count > limits.max_cells {
                return Err(ReadError::file(
                    path,
                    format!("has more than {} cells (--max-cells)", limits.max_cells),
                ));
            }
            // Trailing empty fields are padding.
            while matches!(cells.last(), Some(Cell::Empty)) {
                cells.pop();
            }
            if cells.is_empty() {
                continue;
            }
            visitor.record_shape(record.first, record.last, record.ends.len());
            if !visitor.row(record.first, &cells)? {
                return Ok(());
            }
        }
        drop(cells);
        let _ = empty.send(batch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(
            detect_encoding("日期,金额\n".as_bytes(), true),
            Ok(Encoding::Utf8)
        );
        assert_eq!(
            detect_encoding(b"\xEF\xBB\xBFa,b", true),
            Ok(Encoding::Utf8)
        );
        let (gbk, _, _) = GB18030.encode("日期,客户名称,金额\n2025-03-05,华东机械,1234.50\n");
        assert_eq!(detect_encoding(&gbk, true), Ok(Encoding::Gbk));
        assert!(detect_encoding(b"\xFF\xFEa\0b\0", true).is_err());
        // Latin-1 "café, naïve" and Shift-JIS kana are not GBK Chinese.
        assert!(detect_encoding(b"caf\xE9,na\xEFve\n", true).is_err());
        assert!(detect_encoding(b"\x82\xA0\x82\xA2\x82\xA4", true).is_err());
        // A UTF-8 character cut at the end of an incomplete sample.
        assert_eq!(
            detect_encoding(&"日期".as_bytes()[..5], false),
            Ok(Encoding::Utf8)
        );
    }

    #[test]
    fn gb18030_four_byte_characters_are_gbk_family() {
        // 𠀀 (U+20000) takes four bytes in GB18030, 䶮 (U+4DAE) two outside GB2312.
        let (gbk, _, bad) = GB18030.encode(
            "日期,客户名称,金额\n2025-03-05,刘䶮商行,10\n2025-03-06,𠀀记,20\n2025-03-07,刘䶮商行,30\n",
        );
        assert!(!bad);
        assert!(gbk.windows(4).any(|w| w == [0x95, 0x32, 0x82, 0x36]));
        assert!(gbk.windows(2).any(|w| w == [0xFE, 0x9F]));
        assert_eq!(detect_encoding(&gbk, true), Ok(Encoding::Gbk));
    }

    #[test]
    fn gbk_bytes_under_utf8_lines_in_the_sample_name_their_line() {
        let mut bytes = "日期,客户名称,金额\r\n2025-03-05,华东机械,10\r\n"
            .as_bytes()
            .to_vec();
        bytes.extend_from_slice(&GB18030.encode("2025-03-06,华东机械,20\r\n").0);
        let message = detect_encoding(&bytes, true).expect_err("mixed");
        assert!(
            message.starts_with("line 3 is not valid UTF-8"),
            "{message}"
        );
    }

    /// Splits `input` into (first line, last line, fields), reading it
    /// `chunk` bytes at a time.
    fn split(input: &[u8], delimiter: u8, chunk: usize) -> Vec<(u32, u32, Vec<String>)> {
        let reader = Chunked { data: input, chunk };
        let mut records = Records::new(reader, delimiter);
        let mut raw = RawRecord::default();
        let mut out = Vec::new();
        while records.next(&mut raw).expect("split") {
            let mut start = 0;
            let fields = raw
                .ends
                .iter()
                .map(|&e| {
                    let f = String::from_utf8_lossy(&raw.bytes[start..e as usize]).into_owned();
                    start = e as usize;
                    f
                })
                .collect();
            out.push((raw.first, raw.last, fields));
        }
        out
    }

    /// A reader that hands out at most `chunk` bytes a call.
    struct Chunked<'a> {
        data: &'a [u8],
        chunk: usize,
    }

    impl Read for Chunked<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.chunk.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn rec(first: u32, last: u32, fields: &[&str]) -> (u32, u32, Vec<String>) {
        (first, last, fields.iter().map(|f| f.to_string()).collect())
    }

    #[test]
    fn cr_lf_and_crlf_each_end_a_line() {
        let want = vec![
            rec(1, 1, &["a", "1"]),
            rec(2, 2, &["b", "2"]),
            rec(3, 3, &["c", "3"]),
            rec(4, 4, &["d", "4"]),
        ];
        assert_eq!(split(b"a,1\rb,2\nc,3\r\nd,4", b',', 1 << 16), want);
        assert_eq!(split(b"a,1\rb,2\nc,3\r\nd,4\r\n", b',', 1), want);
        // Blank lines of every kind keep the numbering: \r then \r\n is two
        // line ends, \n\n two, \r\r two.
        let blank = split(b"a\r\r\nb\n\nc\r\rd", b',', 1 << 16);
        assert_eq!(
            blank,
            vec![
                rec(1, 1, &["a"]),
                rec(2, 2, &[""]),
                rec(3, 3, &["b"]),
                rec(4, 4, &[""]),
                rec(5, 5, &["c"]),
                rec(6, 6, &[""]),
                rec(7, 7, &["d"]),
            ]
        );
    }

    #[test]
    fn a_quote_inside_a_field_is_a_literal() {
        let got = split(
            b"x,1/2\" pipe,3\ny,ab\"c,d\"e,4\n\"q\"\"uote\",5\n\"q\"r,6\n\"\",7\n",
            b',',
            3,
        );
        assert_eq!(
            got,
            vec![
                rec(1, 1, &["x", "1/2\" pipe", "3"]),
                rec(2, 2, &["y", "ab\"c", "d\"e", "4"]),
                rec(3, 3, &["q\"uote", "5"]),
                rec(4, 4, &["qr", "6"]),
                rec(5, 5, &["", "7"]),
            ]
        );
    }

    #[test]
    fn quoted_line_breaks_stay_in_the_field_and_count_as_lines() {
        let got = split(
            b"h1,h2\n\"line\r\nbreak\",2\r\nnext,3\n\"a\rb\",1\rc,2",
            b',',
            2,
        );
        assert_eq!(
            got,
            vec![
                rec(1, 1, &["h1", "h2"]),
                rec(2, 3, &["line\r\nbreak", "2"]),
                rec(4, 4, &["next", "3"]),
                rec(5, 6, &["a\rb", "1"]),
                rec(7, 7, &["c", "2"]),
            ]
        );
        // An unclosed quote runs to the end of the input: one record over its
        // lines, the last being the one its final line break ends.
        assert_eq!(
            split(b"a,\"b\nc,1\nd,2\n", b',', 5),
            vec![rec(1, 3, &["a", "b\nc,1\nd,2\n"])]
        );
        assert_eq!(
            split(b"a,\"b\nc,1\nd,2", b',', 5),
            vec![rec(1, 3, &["a", "b\nc,1\nd,2"])]
        );
    }

    #[test]
    fn every_field_is_handed_on() {
        let mut line = "2025-03-05,K001,12,345,678.90".to_string();
        assert_eq!(
            split(line.as_bytes(), b',', 1 << 16),
            vec![rec(1, 1, &["2025-03-05", "K001", "12", "345", "678.90"])]
        );
        line.push_str(&",".repeat(2_000));
        line.push_str("far");
        let got = split(line.as_bytes(), b',', 1 << 16);
        assert_eq!(got[0].2.len(), 2_005);
        assert_eq!(got[0].2[2_004], "far");
    }

    proptest::proptest! {
        #[test]
        fn chunk_boundaries_change_nothing(
            input in proptest::collection::vec(proptest::sample::select(vec![b'a', b',', b'"', b'\n', b'\r', b' ']), 0..300),
            chunk in 1usize..9,
        ) {
            proptest::prop_assert_eq!(split(&input, b',', chunk), split(&input, b',', 1 << 16));
        }

        #[test]
        fn without_quotes_a_record_is_a_physical_line(
            input in proptest::collection::vec(proptest::sample::select(vec![b'a', b',', b'\n', b'\r']), 0..300),
            chunk in 1usize..9,
        ) {
            let records = split(&input, b',', chunk);
            // Physical lines: every line break ends one, and text after the last is one more.
            let (breaks, _) = line_breaks(&input, false);
            let tail = !input.is_empty() && !matches!(input.last(), Some(b'\r' | b'\n'));
            proptest::prop_assert_eq!(records.len() as u32, breaks + u32::from(tail));
            for (i, (first, last, _)) in records.iter().enumerate() {
                proptest::prop_assert_eq!((*first, *last), (i as u32 + 1, i as u32 + 1));
            }
        }
    }

    #[test]
    fn delimiters() {
        assert_eq!(detect_delimiter(b"a,b,c\n1,2,3\n"), b',');
        assert_eq!(detect_delimiter(b"a;b;c\n1;\"2,5\";3\n"), b';');
        assert_eq!(detect_delimiter(b"a\tb\tc\n1\t2,5\t3\n"), b'\t');
        assert_eq!(detect_delimiter(b"a|b|c\r1|2,5|3\r4|5|6\r"), b'|');
        // An inch mark inside a field does not hide the commas after it.
        assert_eq!(
            detect_delimiter(
                b"date,product,amount\n2025-03-05,1/2\" pipe;brass,10\n2025-03-06,3/4\" pipe,20\n"
            ),
            b','
        );
        // A quoted field over two lines is one record.
        assert_eq!(detect_delimiter(b"a;b\n\"x\ny,z\";1\n"), b';');
    }

    /// Rows as the row thread hands them on: (line, cell texts), and the
    /// lines of records that run across lines.
    #[derive(Default)]
    struct Collect {
        rows: Vec<(u32, Vec<String>)>,
        spans: Vec<(u32, u32)>,
    }

    impl RowVisitor for Collect {
        fn row(&mut self, row: u32, cells: &[Cell]) -> Result<bool, ReadError> {
            self.rows
                .push((row, cells.iter().map(Cell::display).collect()));
            Ok(true)
        }

        fn record_shape(&mut self, first: u32, last: u32, _fields: usize) {
            if last > first {
                self.spans.push((first, last));
            }
        }
    }

    fn read_bytes(bytes: &[u8]) -> (Collect, Result<(), ReadError>) {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("l.csv");
        std::fs::write(&path, bytes).expect("write");
        let mut rows = Collect::default();
        let result = read_csv(&path, &mut rows, &Limits::default());
        (rows, result)
    }

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    /// A header and `n` good lines ending in CRLF: more than the encoding sample.
    fn long_start(header: &str, n: usize) -> String {
        let mut text = format!("{header}\r\n");
        for i in 0..n {
            text.push_str(&format!("2025-03-05,华东机械,{i}\r\n"));
        }
        text
    }

    #[test]
    fn gbk_bytes_past_the_sample_of_a_utf8_file_are_an_error_naming_the_line() {
        for bom in [true, false] {
            let good = SAMPLE / 20;
            let mut bytes = if bom { UTF8_BOM.to_vec() } else { Vec::new() };
            bytes.extend_from_slice(long_start("日期,客户名称,金额", good).as_bytes());
            assert!(bytes.len() > SAMPLE);
            bytes.extend_from_slice(&GB18030.encode("2025-03-06,华南贸易,20\r\n").0);
            let (rows, result) = read_bytes(&bytes);
            let message = result.expect_err("mixed encodings").to_string();
            // Header on line 1, good lines 2 ..= good + 1, the GBK line next.
            assert!(
                message.contains(&format!("line {} is not valid UTF-8", good + 2)),
                "{message}"
            );
            assert!(rows
                .rows
                .iter()
                .all(|(_, c)| c.iter().all(|t| !t.contains('\u{fffd}'))));
            assert_eq!(rows.rows[0], (1, strings(&["日期", "客户名称", "金额"])));
        }
    }

    #[test]
    fn bytes_that_are_not_gb18030_in_a_gbk_file_are_an_error_naming_the_line() {
        let text = long_start("日期,客户名称,金额", SAMPLE / 20);
        let mut bytes = GB18030.encode(&text).0.into_owned();
        let lines = text.matches("\r\n").count() as u32;
        bytes.extend_from_slice(b"2025-03-06,\xFF\xFE,20\r\n");
        let (_, result) = read_bytes(&bytes);
        let message = result.expect_err("bad GBK").to_string();
        assert!(
            message.contains(&format!("line {} is not valid GBK", lines + 1)),
            "{message}"
        );
    }

    #[test]
    fn a_stray_byte_in_the_sample_of_a_gbk_file_is_an_error_naming_its_line() {
        let mut bytes = GB18030
            .encode("日期,客户名称,金额\n2025-03-05,华东机械,10\n")
            .0
            .into_owned();
        bytes.extend_from_slice(b"2025-03-06,\xFF,20\n");
        let (rows, result) = read_bytes(&bytes);
        let message = result.expect_err("stray byte").to_string();
        assert!(message.contains("line 3 is not valid GBK"), "{message}");
        assert_eq!(rows.rows.len(), 2);
    }

    #[test]
    fn gb18030_four_byte_characters_are_read_whole() {
        let text = "日期|客户名称|金额\n2025-03-05|刘䶮商行|10\r2025-03-06|𠀀记|20\r\n";
        let (rows, result) = read_bytes(&GB18030.encode(text).0);
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(
            rows.rows,
            vec![
                (1, strings(&["日期", "客户名称", "金额"])),
                (2, strings(&["2025-03-05", "刘䶮商行", "10"])),
                (3, strings(&["2025-03-06", "𠀀记", "20"])),
            ]
        );
    }

    #[test]
    fn records_over_several_lines_say_which_lines() {
        let text = "\u{feff}\"日期\",\"客户名称\",\"金额\"\r\n2025-03-05,\"华东\r\n机械\",10\r\n\r\n2025-03-06,华南,\"1,234.50\"\r\n";
        let (rows, result) = read_bytes(text.as_bytes());
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(
            rows.rows,
            vec![
                (1, strings(&["日期", "客户名称", "金额"])),
                (2, strings(&["2025-03-05", "华东\r\n机械", "10"])),
                (5, strings(&["2025-03-06", "华南", "1,234.50"])),
            ]
        );
        assert_eq!(rows.spans, vec![(2, 3)]);
    }

    #[test]
    fn decoding_reader_streams_gbk() {
        let text = "客户,金额\n".repeat(20_000);
        let (gbk, _, _) = GB18030.encode(&text);
        let mut out = String::new();
        DecodingReader::new(std::io::Cursor::new(gbk.into_owned()))
            .read_to_string(&mut out)
            .expect("decode");
        assert_eq!(out, text);
    }

    #[test]
    fn decoding_reader_stops_at_bytes_that_are_not_gb18030() {
        let mut bytes = GB18030.encode("客户,金额\n").0.into_owned();
        bytes.extend_from_slice(b"\xFFx\n");
        let mut reader = DecodingReader::new(std::io::Cursor::new(bytes));
        let mut out = Vec::new();
        let err = reader.read_to_end(&mut out).expect_err("malformed");
        assert!(err.get_ref().is_some_and(|e| e.is::<Malformed>()));
        assert_eq!(String::from_utf8_lossy(&out), "客户,金额\n");
    }
}
