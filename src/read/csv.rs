//! CSV input: encoding detected from a sample (UTF-8, UTF-8 with BOM,
//! GBK/GB18030), delimiter detected (`,` `;` tab), records streamed through
//! the `csv` crate's byte records and decoded as they stream.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use encoding_rs::{CoderResult, Decoder, GB18030};

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

/// Detects the encoding from the first bytes. UTF-16 and text that is
/// neither UTF-8 nor plausible Chinese GBK are refused.
pub fn detect_encoding(sample: &[u8], complete: bool) -> Result<Encoding, &'static str> {
    if sample.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Ok(Encoding::Utf8);
    }
    if sample.starts_with(&[0xFF, 0xFE]) || sample.starts_with(&[0xFE, 0xFF]) {
        return Err("is UTF-16 text: save it as \"CSV UTF-8\" and try again");
    }
    let nuls = sample.iter().filter(|&&b| b == 0).count();
    if nuls > sample.len() / 10 {
        return Err("looks like UTF-16 or binary data, not CSV text: save it as \"CSV UTF-8\"");
    }
    match std::str::from_utf8(sample) {
        Ok(_) => return Ok(Encoding::Utf8),
        // A multi-byte character cut at the end of the sample is fine.
        Err(e) if !complete && e.error_len().is_none() => return Ok(Encoding::Utf8),
        Err(_) => {}
    }
    if looks_like_gbk(sample) {
        Ok(Encoding::Gbk)
    } else {
        Err("is neither UTF-8 nor GBK/GB18030 Chinese text: save it as \"CSV UTF-8\" and try again")
    }
}

/// Whether the non-ASCII bytes read as GB2312-range Chinese (hanzi and
/// full-width punctuation), which Shift-JIS and Latin-1 text do not.
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
        if hanzi || punct {
            good += 1;
            i += 2;
        } else if (0x81..=0xFE).contains(&b) && (0x40..=0xFE).contains(&t) && t != 0x7F {
            // Valid GBK outside GB2312 (rare characters) or a four-byte GB18030 sequence.
            other += 1;
            i += 2;
        } else {
            return false;
        }
    }
    good > 0 && good >= other * 9
}

/// Picks the delimiter that splits the first lines most consistently.
pub fn detect_delimiter(sample: &str) -> u8 {
    let lines: Vec<&str> = sample
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(30)
        .collect();
    let mut best = (b',', 0usize, 0usize);
    for d in [b',', b';', b'\t'] {
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| count_outside_quotes(l, d as char))
            .collect();
        let lines_with = counts.iter().filter(|&&c| c > 0).count();
        let total: usize = counts.iter().sum();
        if (lines_with, total) > (best.1, best.2) {
            best = (d, lines_with, total);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, d: char) -> usize {
    let mut quoted = false;
    line.chars()
        .filter(|&c| {
            if c == '"' {
                quoted = !quoted;
            }
            !quoted && c == d
        })
        .count()
}

/// A reader that decodes GBK/GB18030 to UTF-8 as it streams.
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
            if self.eof && self.raw_start == self.raw_end {
                return Ok(0);
            }
            if self.raw_start == self.raw_end && !self.eof {
                let n = self.inner.read(&mut self.raw)?;
                self.raw_start = 0;
                self.raw_end = n;
                if n == 0 {
                    self.eof = true;
                }
            }
            let (result, read, written, _) = self.decoder.decode_to_utf8(
                &self.raw[self.raw_start..self.raw_end],
                &mut self.out,
                self.eof,
            );
            self.raw_start += read;
            self.out_start = 0;
            self.out_end = written;
            if self.eof && matches!(result, CoderResult::InputEmpty) && written == 0 {
                self.raw_start = self.raw_end;
                return Ok(0);
            }
        }
    }
}

/// Marks empty lines (outside quotes) with a single space, so the `csv`
/// crate reads them as blank records instead of skipping them: it would
/// otherwise give the next record the empty line's number.
struct BlankLineMarker<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    in_quotes: bool,
    /// Whether only `\r` has been seen since the last `\n` (or the start).
    line_empty: bool,
}

impl<R: Read> BlankLineMarker<R> {
    fn new(inner: R) -> Self {
        BlankLineMarker {
            inner,
            buf: vec![0; 1 << 16],
            start: 0,
            end: 0,
            in_quotes: false,
            line_empty: true,
        }
    }
}

impl<R: Read> Read for BlankLineMarker<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.start == self.end {
            self.start = 0;
            self.end = self.inner.read(&mut self.buf)?;
            if self.end == 0 {
                return Ok(0);
            }
        }
        let mut n = 0;
        // Keep room for a line break and one inserted space.
        while self.start < self.end && n + 2 <= out.len() {
            let room = out.len() - n - 2;
            let avail = &self.buf[self.start..self.end];
            let chunk = &avail[..avail.len().min(room)];
            let (seg_len, special) = match memchr::memchr2(b'\n', b'"', chunk) {
                Some(p) => (p, Some(chunk[p])),
                None if chunk.is_empty() && !avail.is_empty() => (0, Some(avail[0])),
                None => (chunk.len(), None),
            };
            let seg = &chunk[..seg_len];
            if self.line_empty && seg.iter().any(|&c| c != b'\r') {
                self.line_empty = false;
            }
            out[n..n + seg_len].copy_from_slice(seg);
            n += seg_len;
            self.start += seg_len;
            match special {
                None => {}
                Some(b'"') => {
                    self.in_quotes = !self.in_quotes;
                    self.line_empty = false;
                    out[n] = b'"';
                    n += 1;
                    self.start += 1;
                }
                Some(b'\n') => {
                    if !self.in_quotes {
                        if self.line_empty {
                            out[n] = b' ';
                            n += 1;
                        }
                        self.line_empty = true;
                    }
                    out[n] = b'\n';
                    n += 1;
                    self.start += 1;
                }
                Some(other) => {
                    // Room ran out before a special byte: copy one plain byte.
                    if other != b'\r' {
                        self.line_empty = false;
                    }
                    out[n] = other;
                    n += 1;
                    self.start += 1;
                }
            }
            if n > 0 && special.is_none() {
                break;
            }
        }
        Ok(n)
    }
}

/// Largest CSV record (one row, quoted line breaks included) in bytes. A ledger row is a few
/// hundred bytes; without a cap the CSV reader would buffer a file with no line break whole.
pub const MAX_RECORD_BYTES: u64 = 16 << 20;

/// Counts the bytes handed to the CSV reader and fails the read once the
/// record in progress has grown past [`MAX_RECORD_BYTES`].
struct RecordCap<R> {
    inner: R,
    read: u64,
    record_start: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for RecordCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // The CSV reader buffers ahead: allow a buffer's worth beyond the cap.
        if self.read.saturating_sub(self.record_start.get()) > MAX_RECORD_BYTES + (1 << 17) {
            return Err(std::io::Error::other(format!(
                "a single row is longer than {} MB: this is not a ledger CSV (no line breaks, or an unclosed quote)",
                MAX_RECORD_BYTES >> 20
            )));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
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
    let text_sample: Cow<str> = match encoding {
        Encoding::Utf8 => String::from_utf8_lossy(&sample),
        Encoding::Gbk => GB18030.decode_without_bom_handling(&sample).0,
    };
    let delimiter = detect_delimiter(&text_sample);
    // One thread parses CSV records (decoding, blank-line marking, quoting),
    // this one turns them into rows: batches of records go between them and
    // come back empty to be reused.
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

/// A CSV record as the parsing thread hands it on: checked as UTF-8 there
/// (one check per record, off the row thread), or its bytes when they are not.
enum Record {
    Text(csv::StringRecord),
    Bytes(csv::ByteRecord),
}

impl Record {
    fn into_bytes(self) -> csv::ByteRecord {
        match self {
            Record::Text(r) => r.into_byte_record(),
            Record::Bytes(r) => r,
        }
    }
}

/// CSV records handed between the two threads of [`read_csv`].
type Batch = Vec<Record>;

const BATCH_RECORDS: usize = 512;

/// The parsing thread: fills batches of records and sends them on.
fn parse_records(
    path: &Path,
    sample: Vec<u8>,
    file: File,
    encoding: Encoding,
    delimiter: u8,
    full: std::sync::mpsc::SyncSender<Result<Batch, ReadError>>,
    empty: std::sync::mpsc::Receiver<Batch>,
) {
    let rest = std::io::Cursor::new(sample).chain(BufReader::with_capacity(1 << 16, file));
    let reader: Box<dyn Read> = match encoding {
        Encoding::Utf8 => Box::new(BlankLineMarker::new(rest)),
        Encoding::Gbk => Box::new(BlankLineMarker::new(DecodingReader::new(rest))),
    };
    let record_start = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let reader = RecordCap {
        inner: reader,
        read: 0,
        record_start: record_start.clone(),
    };
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        // Lines end at \n; a \r before it is dropped below. (With the crate's
        // CRLF terminator a record's line number is one short after \r\n.)
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(1 << 16)
        .from_reader(reader);
    let mut spare: Vec<csv::ByteRecord> = Vec::new();
    loop {
        let mut batch = empty.try_recv().unwrap_or_default();
        spare.extend(batch.drain(..).map(Record::into_bytes));
        let mut done = false;
        while batch.len() < BATCH_RECORDS {
            let mut record = spare.pop().unwrap_or_default();
            match csv.read_byte_record(&mut record) {
                Ok(true) => {
                    record_start.set(csv.position().byte());
                    batch.push(match csv::StringRecord::from_byte_record(record) {
                        Ok(text) => Record::Text(text),
                        Err(e) => Record::Bytes(e.into_byte_record()),
                    });
                }
                Ok(false) => {
                    done = true;
                    break;
                }
                Err(e) => {
                    let _ = full.send(Err(ReadError::file(
                        path,
                        format!("could not be read as CSV ({e})"),
                    )));
                    return;
                }
            }
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
            let (position, fields) = match record {
                Record::Text(r) => (r.position(), r.len()),
                Record::Bytes(r) => (r.position(), r.len()),
            };
            // A field that is not UTF-8 (a CSV claimed as UTF-8 with a stray byte)
            // is read with U+FFFD in place of the bad bytes.
            let line = position.map_or(0, |p| p.line()) as u32;
            let last = fields.saturating_sub(1);
            match record {
                Record::Text(r) => {
                    for (i, field) in r.iter().enumerate().take(1024) {
                        let mut t = field;
                        if i == last {
                            t = t.strip_suffix('\r').unwrap_or(t);
                        }
                        if first && i == 0 {
                            t = t.strip_prefix('\u{feff}').unwrap_or(t);
                        }
                        cells.push(if t.is_empty() {
                            Cell::Empty
                        } else {
                            Cell::Text(Cow::Borrowed(t))
                        });
                    }
                }
                Record::Bytes(r) => {
                    for (i, field) in r.iter().enumerate().take(1024) {
                        let mut field = field;
                        if i == last {
                            field = field.strip_suffix(b"\r").unwrap_or(field);
                        }
                        if first && i == 0 {
                            field = field.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(field);
                        }
                        let text = String::from_utf8_lossy(field);
                        cells.push(if text.is_empty() {
                            Cell::Empty
                        } else {
                            Cell::Text(text)
                        });
                    }
                }
            }
            first = false;
            count += cells.len() as u64;
            if count > limits.max_cells {
                return Err(ReadError::file(
                    path,
                    format!("has more than {} cells (--max-cells)", limits.max_cells),
                ));
            }
            while matches!(cells.last(), Some(Cell::Empty)) {
                cells.pop();
            }
            if !cells.is_empty() && !visitor.row(line, &cells)? {
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

    /// Rows as the row thread hands them on: (line, cell texts).
    #[derive(Default)]
    struct Collect(Vec<(u32, Vec<String>)>);

    impl RowVisitor for Collect {
        fn row(&mut self, row: u32, cells: &[Cell]) -> Result<bool, ReadError> {
            self.0
                .push((row, cells.iter().map(Cell::display).collect()));
            Ok(true)
        }
    }

    #[test]
    fn bom_carriage_returns_and_a_stray_byte_past_the_sample() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("l.csv");
        let mut bytes = b"\xEF\xBB\xBF\xE6\x97\xA5\xE6\x9C\x9F,amount\r\n".to_vec();
        // Enough good lines that the bad byte falls after the encoding sample.
        let good = SAMPLE / 10;
        for i in 0..good {
            bytes.extend_from_slice(format!("2025-03-05,{i}\r\n").as_bytes());
        }
        assert!(bytes.len() > SAMPLE);
        bytes.extend_from_slice(b"2025-03-06,b\xFFad\r\n");
        std::fs::write(&path, &bytes).expect("write");
        let mut rows = Collect::default();
        read_csv(&path, &mut rows, &Limits::default()).expect("read");
        assert_eq!(rows.0.len(), good + 2);
        assert_eq!(
            rows.0[0],
            (1, vec!["日期".to_string(), "amount".to_string()])
        );
        assert_eq!(
            rows.0[1],
            (2, vec!["2025-03-05".to_string(), "0".to_string()])
        );
        let last = &rows.0[good + 1];
        assert_eq!(last.0, good as u32 + 2);
        assert_eq!(
            last.1,
            vec!["2025-03-06".to_string(), "b\u{FFFD}ad".to_string()]
        );
    }

    #[test]
    fn delimiters() {
        assert_eq!(detect_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(detect_delimiter("a;b;c\n1;\"2,5\";3\n"), b';');
        assert_eq!(detect_delimiter("a\tb\tc\n1\t2,5\t3\n"), b'\t');
    }

    #[test]
    fn blank_lines_are_marked_outside_quotes() {
        let mut out = String::new();
        BlankLineMarker::new(std::io::Cursor::new(b"\na\r\n\r\n\"x\n\ny\"\n\n".to_vec()))
            .read_to_string(&mut out)
            .expect("read");
        // The space lands just before the \n: a blank field either way.
        assert_eq!(out, " \na\r\n\r \n\"x\n\ny\"\n \n");
    }

    /// The byte-by-byte rule [`BlankLineMarker`] implements with memchr.
    fn mark_reference(input: &[u8]) -> Vec<u8> {
        let (mut out, mut quoted, mut empty) = (Vec::new(), false, true);
        for &b in input {
            match b {
                b'"' => {
                    quoted = !quoted;
                    empty = false;
                }
                b'\n' if !quoted => {
                    if empty {
                        out.push(b' ');
                    }
                    empty = true;
                }
                b'\r' => {}
                _ => empty = false,
            }
            out.push(b);
        }
        out
    }

    /// Reads through the marker with tiny output buffers of varying size.
    fn mark_chunked(input: &[u8], sizes: &[usize]) -> Vec<u8> {
        let mut m = BlankLineMarker::new(std::io::Cursor::new(input.to_vec()));
        let mut out = Vec::new();
        let mut i = 0;
        loop {
            let mut buf = vec![0u8; sizes[i % sizes.len()].max(2)];
            i += 1;
            match m.read(&mut buf) {
                Ok(0) => break,
                Ok(k) => out.extend_from_slice(&buf[..k]),
                Err(e) => panic!("{e}"),
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn blank_line_marker_matches_the_byte_rule(
            input in proptest::collection::vec(proptest::sample::select(vec![b'a', b',', b'"', b'\n', b'\r', b' ']), 0..300),
            sizes in proptest::collection::vec(2usize..9, 1..5),
        ) {
            proptest::prop_assert_eq!(mark_chunked(&input, &sizes), mark_reference(&input));
        }
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
}
