//! Cheap looks inside `.xls` and `.ods` files before calamine opens them.
//!
//! calamine has no streaming reader for these two formats: opening one
//! builds every sheet as a dense grid spanning its used area, so a 42 KB
//! file with four cells in the corners of a sheet (`poi/51535.xls`) takes
//! 1.5 GB, and an ODS row repeated 90,000 times takes 5 GB. These scanners
//! work out each sheet's grid size from the file's own records, without
//! building anything, so that [`super::source::Source::open`] can refuse a
//! file whose grid is over the limit. They never fail: a file they cannot
//! make sense of is left to calamine, which reports it as damaged.

use std::io::{BufRead, Read};

/// The largest grid (rows × columns of the used area) of any sheet, and that sheet's name
/// when known.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grid {
    pub rows: u64,
    pub cols: u64,
    pub sheet: Option<String>,
}

impl Grid {
    pub fn cells(&self) -> u64 {
        self.rows.saturating_mul(self.cols)
    }
    fn keep_larger(&mut self, other: Grid) {
        if other.cells() > self.cells() {
            *self = other;
        }
    }
}

// ---------------------------------------------------------------- xls (CFB + BIFF)

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
/// Sector numbers from here up are markers, not sectors.
const RESERVED: u32 = 0xFFFF_FFFA;
const DIFAT_SECTOR: u32 = 0xFFFF_FFFC;

/// Why the compound-file reader stopped.
enum Stop {
    /// A sector chain loops back on itself: calamine would follow it until memory runs out.
    Loop,
    /// Anything else calamine reports as an error of its own.
    Other,
}

fn some<T>(v: Option<T>) -> Result<T, Stop> {
    v.ok_or(Stop::Other)
}

/// A minimal read-only compound-file (CFB) reader, built to read a file the
/// way calamine's does (same FAT, same tolerance of a short last sector), so
/// that a chain calamine would follow forever is found here first: every
/// chain calamine follows (directory, mini FAT, mini stream, workbook
/// stream) is walked through the FAT, without reading, and one longer than
/// the file has sectors loops.
struct Cfb<'a> {
    data: &'a [u8],
    sector: usize,
    /// Highest sector number inside the file (calamine refuses higher ones).
    maxid: usize,
    fat: Vec<u32>,
}

impl<'a> Cfb<'a> {
    fn new(data: &'a [u8]) -> Result<Cfb<'a>, Stop> {
        if !data.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return Err(Stop::Other);
        }
        let shift = some(u16_at(data, 0x1E))?;
        if !(7..=16).contains(&shift) {
            return Err(Stop::Other);
        }
        let sector = 1usize << shift;
        let mut cfb = Cfb {
            data,
            sector,
            maxid: data.len() / sector,
            fat: Vec::new(),
        };
        // FAT sector numbers: 109 in the header, the rest in a chain of DIFAT sectors whose
        // last entry points to the next.
        let mut difat: Vec<u32> = (0..109)
            .filter_map(|i| u32_at(data, 0x4C + 4 * i))
            .collect();
        let mut next = some(u32_at(data, 0x44))?;
        let mut steps = 0;
        while next < RESERVED {
            steps += 1;
            if steps > cfb.maxid + 1 {
                return Err(Stop::Other);
            }
            difat.extend(
                cfb.sector_bytes(next)?
                    .chunks_exact(4)
                    .filter_map(|c| u32_at(c, 0)),
            );
            next = some(difat.pop())?;
        }
        let mut fat = Vec::new();
        for id in difat.into_iter().filter(|&id| id < DIFAT_SECTOR) {
            fat.extend(
                cfb.sector_bytes(id)?
                    .chunks_exact(4)
                    .filter_map(|c| u32_at(c, 0)),
            );
        }
        cfb.fat = fat;
        Ok(cfb)
    }

    /// Sector `n`, short or empty at the end of the file as calamine reads it.
    fn sector_bytes(&self, n: u32) -> Result<&'a [u8], Stop> {
        if n as usize > self.maxid {
            return Err(Stop::Other);
        }
        let start = (n as usize + 1) * self.sector;
        let end = (start + self.sector).min(self.data.len());
        Ok(self.data.get(start..end).unwrap_or_default())
    }

    /// Walks a chain through `table` without reading it: `Loop` when it is longer than
    /// `most` links.
    fn walk(table: &[u32], start: u32, most: usize) -> Result<(), Stop> {
        let mut s = start;
        let mut steps = 0usize;
        while s != END_OF_CHAIN {
            steps += 1;
            if steps > most + 1 {
                return Err(Stop::Loop);
            }
            s = *some(table.get(s as usize))?;
        }
        Ok(())
    }

    /// The bytes of a FAT chain, cut to `size` (checked for loops first).
    fn file_chain(&self, start: u32, size: usize) -> Result<Vec<u8>, Stop> {
        Self::walk(&self.fat, start, self.maxid)?;
        let mut out = Vec::new();
        let mut s = start;
        while s != END_OF_CHAIN && out.len() < size {
            out.extend_from_slice(self.sector_bytes(s)?);
            s = *some(self.fat.get(s as usize))?;
        }
        out.truncate(size);
        Ok(out)
    }

    fn stream(&self, names: &[&str]) -> Result<Vec<u8>, Stop> {
        let dir = self.file_chain(some(u32_at(self.data, 0x30))?, usize::MAX)?;
        let cutoff = some(u32_at(self.data, 0x38))? as usize;
        let entry = |i: usize| some(dir.get(i * 128..i * 128 + 128));
        let root = entry(0)?;
        let (root_start, root_size) = (some(u32_at(root, 0x74))?, some(u32_at(root, 0x78))?);
        // calamine reads the mini FAT and the mini stream when it opens the file.
        let minifat_start = some(u32_at(self.data, 0x3C))?;
        Self::walk(&self.fat, minifat_start, self.maxid)?;
        Self::walk(&self.fat, root_start, self.maxid)?;
        for i in 0..dir.len() / 128 {
            let e = entry(i)?;
            if e[0x42] != 2 {
                continue;
            }
            let name_len = (some(u16_at(e, 0x40))? as usize).min(64);
            let name: String = char::decode_utf16(
                e[..name_len]
                    .chunks_exact(2)
                    .filter_map(|c| u16_at(c, 0))
                    .take_while(|&c| c != 0),
            )
            .map(|c| c.unwrap_or('\u{FFFD}'))
            .collect();
            if !names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                continue;
            }
            let (start, size) = (some(u32_at(e, 0x74))?, some(u32_at(e, 0x78))? as usize);
            if size >= cutoff {
                return self.file_chain(start, size);
            }
            // A small stream lives in the mini stream (64-byte sectors).
            let mini_stream = self.file_chain(root_start, root_size as usize)?;
            let minifat: Vec<u32> = self
                .file_chain(minifat_start, usize::MAX)?
                .chunks_exact(4)
                .filter_map(|c| u32_at(c, 0))
                .collect();
            Self::walk(&minifat, start, mini_stream.len() / 64)?;
            let mut out = Vec::new();
            let mut s = start;
            while s != END_OF_CHAIN && out.len() < size {
                let at = s as usize * 64;
                out.extend_from_slice(some(mini_stream.get(at..(at + 64).min(mini_stream.len())))?);
                s = *some(minifat.get(s as usize))?;
            }
            out.truncate(size);
            return Ok(out);
        }
        Err(Stop::Other)
    }
}

/// What a look inside an `.xls` file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XlsScan {
    /// Not a compound file holding a workbook stream that we could follow.
    Unknown,
    /// A sector chain loops back on itself (calamine would follow it forever).
    Looped,
    /// A FILEPASS record: the workbook is encrypted (RC4, CryptoAPI or XOR
    /// obfuscation, which calamine reports as a missing code page).
    Encrypted,
    /// The largest sheet grid calamine would build.
    Grid(Grid),
}

/// The largest sheet grid an `.xls` file would make calamine build: the bounding box of its
/// cell records, or the area of a DIMENSIONS record (calamine reserves that much), whichever
/// is larger.
pub fn xls_scan(data: &[u8]) -> XlsScan {
    match Cfb::new(data).and_then(|cfb| cfb.stream(&["Workbook", "Book"])) {
        Err(Stop::Loop) => XlsScan::Looped,
        Err(Stop::Other) => XlsScan::Unknown,
        Ok(stream) => match biff_grid(&stream) {
            Some(g) => XlsScan::Grid(g),
            None => XlsScan::Encrypted,
        },
    }
}

/// `None` when the globals hold a FILEPASS record (the rest is ciphertext).
fn biff_grid(stream: &[u8]) -> Option<Grid> {
    let mut best = Grid::default();
    let mut depth = 0u32;
    let mut substream = 0u32;
    let mut names: Vec<String> = Vec::new();
    // Bounding box of the current sheet: (row_min, row_max, col_min, col_max).
    let mut bbox: Option<(u32, u32, u32, u32)> = None;
    let mut dims = Grid::default();
    let mut at = 0usize;
    let sheet_name =
        |substream: u32, names: &[String]| names.get(substream.saturating_sub(2) as usize).cloned();
    let close = |bbox: &mut Option<(u32, u32, u32, u32)>,
                 dims: &mut Grid,
                 name: Option<String>,
                 best: &mut Grid| {
        if let Some((r0, r1, c0, c1)) = bbox.take() {
            best.keep_larger(Grid {
                rows: (r1 - r0) as u64 + 1,
                cols: (c1 - c0) as u64 + 1,
                sheet: name.clone(),
            });
        }
        let mut d = std::mem::take(dims);
        d.sheet = name;
        best.keep_larger(d);
    };
    while let (Some(typ), Some(len)) = (u16_at(stream, at), u16_at(stream, at + 2)) {
        let start = at + 4;
        let end = (start + len as usize).min(stream.len());
        let r = &stream[start..end];
        at = start + len as usize;
        match typ {
            0x0809 => {
                depth += 1;
                if depth == 1 {
                    substream += 1;
                }
            }
            0x000A => {
                if depth == 1 && substream >= 2 {
                    close(
                        &mut bbox,
                        &mut dims,
                        sheet_name(substream, &names),
                        &mut best,
                    );
                }
                depth = depth.saturating_sub(1);
            }
            0x002F if substream == 1 => return None,
            0x0085 if substream == 1 => {
                // BOUNDSHEET: the name follows 6 bytes of position and flags.
                let n = r.get(6).copied().unwrap_or(0) as usize;
                let raw = r.get(8..).unwrap_or_default();
                let name = if r.get(7) == Some(&1) {
                    String::from_utf16_lossy(
                        &raw.chunks_exact(2)
                            .take(n)
                            .filter_map(|c| u16_at(c, 0))
                            .collect::<Vec<_>>(),
                    )
                } else {
                    raw.iter().take(n).map(|&b| b as char).collect()
                };
                names.push(name);
            }
            _ if depth != 1 || substream < 2 => {}
            0x0200 => {
                // DIMENSIONS, as calamine reads it (it reserves rows × cols cells).
                let (rf, rl, mut cf, cl) = match r.len() {
                    10 => (
                        u16_at(r, 0).unwrap_or(0) as u32,
                        u16_at(r, 2).unwrap_or(0) as u32,
                        u16_at(r, 4).unwrap_or(0) as u32,
                        u16_at(r, 6).unwrap_or(0) as u32,
                    ),
                    14 | 16 => (
                        u32_at(r, 0).unwrap_or(0),
                        u32_at(r, 4).unwrap_or(0),
                        u16_at(r, 8).unwrap_or(0) as u32,
                        u16_at(r, 10).unwrap_or(0) as u32,
                    ),
                    _ => continue,
                };
                if 0xFF < cf || cl < cf {
                    cf = 0;
                }
                let (rows, cols) = if rl >= 1 && cl >= 1 {
                    (
                        (rl - 1).wrapping_sub(rf).wrapping_add(1) as u64,
                        (cl - 1).wrapping_sub(cf).wrapping_add(1) as u64,
                    )
                } else {
                    (1, 1)
                };
                dims.keep_larger(Grid {
                    rows,
                    cols,
                    sheet: None,
                });
            }
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 | 0x00BD => {
                let (Some(row), Some(col)) = (u16_at(r, 0), u16_at(r, 2)) else {
                    continue;
                };
                let last = if typ == 0x00BD && r.len() >= 6 {
                    u16_at(r, r.len() - 2).unwrap_or(col).max(col)
                } else {
                    col
                };
                let (row, col, last) = (row as u32, col as u32, last as u32);
                bbox = Some(match bbox {
                    None => (row, row, col, last),
                    Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(last)),
                });
            }
            _ => {}
        }
    }
    if depth >= 1 && substream >= 2 {
        close(
            &mut bbox,
            &mut dims,
            sheet_name(substream, &names),
            &mut best,
        );
    }
    Some(best)
}

// ---------------------------------------------------------------- ods (content.xml)

/// The largest sheet grid an ODS `content.xml` would make calamine build: the bounding box
/// of the non-empty cells, with `number-rows-repeated` and `number-columns-repeated`
/// expanded. Reads the XML as it streams; keeps nothing but counters.
pub fn ods_grid(content: impl Read) -> Grid {
    let mut scan = OdsScan::default();
    let mut reader = std::io::BufReader::with_capacity(1 << 16, content);
    let mut tag: Vec<u8> = Vec::with_capacity(256);
    loop {
        // Skip text up to the next tag.
        let mut skip = Vec::new();
        match reader.read_until(b'<', &mut skip) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        tag.clear();
        let mut quote: Option<u8> = None;
        let mut done = false;
        while !done {
            let buf = match reader.fill_buf() {
                Ok([]) | Err(_) => return scan.finish(),
                Ok(b) => b,
            };
            let mut used = 0;
            for &b in buf {
                used += 1;
                match quote {
                    Some(q) if b == q => quote = None,
                    Some(_) => {}
                    None if b == b'"' || b == b'\'' => quote = Some(b),
                    None if b == b'>' => {
                        done = true;
                        break;
                    }
                    None => {}
                }
                // Only the tag's name and attributes matter; a long tag is cut.
                if tag.len() < 4096 {
                    tag.push(b);
                }
            }
            reader.consume(used);
        }
        scan.tag(&tag);
    }
    scan.finish()
}

#[derive(Default)]
struct OdsScan {
    best: Grid,
    name: Option<String>,
    row: u64,
    rows_repeat: u64,
    col: u64,
    row_has_value: bool,
    row_col_min: u64,
    row_col_max: u64,
    /// (row_min, row_max, col_min, col_max) of the current table's non-empty cells.
    bbox: Option<(u64, u64, u64, u64)>,
    /// Inside a non-empty cell whose content decides nothing more.
    in_cell: bool,
}

fn attr<'t>(tag: &'t [u8], name: &[u8]) -> Option<&'t [u8]> {
    let mut i = 0;
    while let Some(p) = tag[i..].windows(name.len()).position(|w| w == name) {
        let at = i + p;
        let after = at + name.len();
        let before_ok = at > 0 && tag[at - 1].is_ascii_whitespace();
        if before_ok && tag.get(after) == Some(&b'=') {
            let q = *tag.get(after + 1)?;
            let rest = tag.get(after + 2..)?;
            let end = rest.iter().position(|&b| b == q)?;
            return Some(&rest[..end]);
        }
        i = after;
    }
    None
}

fn repeat(tag: &[u8], name: &[u8]) -> u64 {
    attr(tag, name)
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .clamp(1, 1 << 32)
}

impl OdsScan {
    fn tag(&mut self, tag: &[u8]) {
        let self_closing = tag.ends_with(b"/");
        let name_end = tag
            .iter()
            .skip(1)
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
            .map_or(tag.len(), |p| p + 1);
        let name = &tag[..name_end];
        match name {
            b"table:table" => {
                self.close_table();
                self.name =
                    attr(tag, b"table:name").map(|n| String::from_utf8_lossy(n).into_owned());
                self.row = 0;
            }
            b"/table:table" => self.close_table(),
            b"table:table-row" => {
                self.rows_repeat = repeat(tag, b"table:number-rows-repeated");
                self.col = 0;
                self.row_has_value = false;
                if self_closing {
                    self.end_row();
                }
            }
            b"/table:table-row" => self.end_row(),
            b"table:table-cell" | b"table:covered-table-cell" => {
                let n = repeat(tag, b"table:number-columns-repeated");
                let has_value = attr(tag, b"office:value-type").is_some() || !self_closing;
                if has_value {
                    if !self.row_has_value {
                        self.row_col_min = self.col;
                    }
                    self.row_has_value = true;
                    self.row_col_max = self.col.saturating_add(n - 1);
                }
                self.in_cell = !self_closing;
                self.col = self.col.saturating_add(n);
            }
            _ => {}
        }
    }

    fn end_row(&mut self) {
        if self.row_has_value {
            let last = self.row.saturating_add(self.rows_repeat - 1);
            self.bbox = Some(match self.bbox {
                None => (self.row, last, self.row_col_min, self.row_col_max),
                Some((r0, _, c0, c1)) => {
                    (r0, last, c0.min(self.row_col_min), c1.max(self.row_col_max))
                }
            });
        }
        self.row = self.row.saturating_add(self.rows_repeat);
        self.rows_repeat = 1;
        self.row_has_value = false;
    }

    fn close_table(&mut self) {
        if let Some((r0, r1, c0, c1)) = self.bbox.take() {
            self.best.keep_larger(Grid {
                rows: r1 - r0 + 1,
                cols: c1 - c0 + 1,
                sheet: self.name.clone(),
            });
        }
    }

    fn finish(mut self) -> Grid {
        self.close_table();
        self.best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ods_repeats_count_but_trailing_empties_do_not() {
        let xml = br#"<office:body><table:table table:name="S"><table:table-row table:number-rows-repeated="3"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="4"><text:p>1</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1020"/></table:table-row><table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>"#;
        let g = ods_grid(&xml[..]);
        assert_eq!((g.rows, g.cols, g.sheet.as_deref()), (3, 4, Some("S")));
    }

    #[test]
    fn biff_bbox_and_dimensions() {
        fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
            let mut v = typ.to_le_bytes().to_vec();
            v.extend((data.len() as u16).to_le_bytes());
            v.extend(data);
            v
        }
        let mut s = Vec::new();
        s.extend(rec(0x0809, &[0; 16]));
        s.extend(rec(0x000A, &[]));
        s.extend(rec(0x0809, &[0; 16]));
        // NUMBER at (0,0) and at (65535, 255)
        s.extend(rec(0x0203, &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        s.extend(rec(
            0x0203,
            &[0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        ));
        s.extend(rec(0x000A, &[]));
        let g = biff_grid(&s).expect("not encrypted");
        assert_eq!((g.rows, g.cols), (65536, 256));
    }
}
