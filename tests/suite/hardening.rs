//! Hostile and broken inputs (SPEC 8, Safety): every one ends in exit 1 with a
//! message naming the file (and sheet where it applies), no panic, no
//! output left behind; safe writes for every command that writes; text that
//! looks like a formula is written as text.
//!
//! Each test builds its bad input here (the corpus in `../shared/corpus` is
//! used only where building the file by hand would be a project of its own,
//! and those tests skip when it is absent).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::util::{read_book, text, write_xlsx, Workdir, C};

/// A small valid sales ledger.
fn ledger(path: &Path) {
    write_xlsx(
        path,
        &[(
            "1月",
            vec![
                vec![C::S("日期"), C::S("客户名称"), C::S("金额")],
                vec![C::D(2025, 1, 5), C::S("华东机械"), C::N(1200.0)],
                vec![C::D(2025, 1, 9), C::S("南方五金"), C::N(800.5)],
            ],
        )],
    );
}

/// Runs `evaluate FILE --out out.xlsx`, asserts exit 1, that stderr names the
/// file and says `says`, and that no output (nor temporary file) exists.
fn refused(w: &Workdir, file: &str, extra: &[&str], says: &[&str]) -> String {
    let mut args = vec!["evaluate", file, "--out", "out.xlsx", "--json", "out.json"];
    args.extend_from_slice(extra);
    let err = w.fails(&args);
    assert!(err.contains(file), "message should name {file}: {err}");
    for s in says {
        assert!(err.contains(s), "message should say {s:?}: {err}");
    }
    assert!(!err.contains("panicked"), "no panic output: {err}");
    for f in w.files() {
        assert!(
            !f.starts_with("out") && !f.starts_with(".tierbook"),
            "{f} left behind after a failure"
        );
    }
    err
}

// ------------------------------------------------------------------ fixture builders

pub struct Part<'a> {
    name: &'a str,
    data: Vec<u8>,
    stored: bool,
}

pub fn part(name: &str, data: impl Into<Vec<u8>>) -> Part<'_> {
    Part {
        name,
        data: data.into(),
        stored: false,
    }
}

/// Writes a zip package from parts.
pub fn zip_file(path: &Path, parts: &[Part]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).expect("create"));
    for p in parts {
        let method = if p.stored {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(method)
            .large_file(p.data.len() > (1 << 30));
        z.start_file(p.name, opts).expect("start part");
        z.write_all(&p.data).expect("write part");
    }
    z.finish().expect("finish zip");
}

const NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

/// The parts of a one-sheet xlsx around `sheet_data` (the inside of
/// `<sheetData>`), with a `<dimension ref>` and a shared-strings part.
pub fn xlsx_parts(dimension: &str, sheet_data: &[u8], sst: &[u8]) -> Vec<Part<'static>> {
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}"><dimension ref="{dimension}"/><sheetData>"#
    )
    .into_bytes();
    sheet.extend_from_slice(sheet_data);
    sheet.extend_from_slice(b"</sheetData></worksheet>");
    let mut sst_xml =
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">"#).into_bytes();
    sst_xml.extend_from_slice(sst);
    sst_xml.extend_from_slice(b"</sst>");
    vec![
        part(
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#.to_string(),
        ),
        part(
            "_rels/.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        part(
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{rel}"><sheets><sheet name="账" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        part(
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#
            ),
        ),
        part("xl/sharedStrings.xml", sst_xml),
        part("xl/worksheets/sheet1.xml", sheet),
    ]
}

/// Rewrites the uncompressed size that a zip's central directory and local
/// header declare for `name` (a zip whose entries lie about their size).
pub fn declare_size(path: &Path, name: &str, size: u32) {
    let mut b = std::fs::read(path).expect("read zip");
    let mut at = 0;
    while let Some(p) = b[at..].windows(4).position(|w| w == b"PK\x01\x02") {
        let cd = at + p;
        let n = u16::from_le_bytes([b[cd + 28], b[cd + 29]]) as usize;
        if &b[cd + 46..cd + 46 + n] == name.as_bytes() {
            b[cd + 24..cd + 28].copy_from_slice(&size.to_le_bytes());
            let local = u32::from_le_bytes(b[cd + 42..cd + 46].try_into().unwrap()) as usize;
            b[local + 22..local + 26].copy_from_slice(&size.to_le_bytes());
        }
        at = cd + 4;
    }
    std::fs::write(path, b).expect("write zip");
}

/// A compound file (the container of .xls and of encrypted OOXML) holding
/// the given streams, each padded to at least 4096 bytes so that none lives
/// in the mini stream. 512-byte sectors: FAT in sector 0, directory in 1.
pub fn cfb(streams: &[(&str, Vec<u8>)]) -> Vec<u8> {
    const FREE: u32 = 0xFFFF_FFFF;
    const END: u32 = 0xFFFF_FFFE;
    assert!(streams.len() <= 3, "one directory sector");
    let mut fat = vec![0xFFFF_FFFDu32, END];
    let mut body = Vec::new();
    let mut dir = vec![0u8; 512];
    let entry = |dir: &mut Vec<u8>,
                 i: usize,
                 name: &str,
                 typ: u8,
                 child: u32,
                 right: u32,
                 start: u32,
                 size: u32| {
        let e = &mut dir[i * 128..i * 128 + 128];
        let units: Vec<u16> = name.encode_utf16().chain([0]).collect();
        for (k, u) in units.iter().enumerate() {
            e[2 * k..2 * k + 2].copy_from_slice(&u.to_le_bytes());
        }
        e[0x40..0x42].copy_from_slice(&((units.len() * 2) as u16).to_le_bytes());
        e[0x42] = typ;
        e[0x43] = 1;
        e[0x44..0x48].copy_from_slice(&FREE.to_le_bytes());
        e[0x48..0x4C].copy_from_slice(&right.to_le_bytes());
        e[0x4C..0x50].copy_from_slice(&child.to_le_bytes());
        e[0x74..0x78].copy_from_slice(&start.to_le_bytes());
        e[0x78..0x7C].copy_from_slice(&size.to_le_bytes());
    };
    entry(&mut dir, 0, "Root Entry", 5, 1, FREE, END, 0);
    for (i, (name, data)) in streams.iter().enumerate() {
        let mut data = data.clone();
        data.resize(data.len().max(4096).div_ceil(512) * 512, 0);
        let start = fat.len() as u32;
        let n = data.len() / 512;
        for k in 0..n {
            fat.push(if k + 1 == n {
                END
            } else {
                start + k as u32 + 1
            });
        }
        let right = if i + 1 < streams.len() {
            i as u32 + 2
        } else {
            FREE
        };
        entry(
            &mut dir,
            i + 1,
            name,
            2,
            FREE,
            right,
            start,
            data.len() as u32,
        );
        body.extend(data);
    }
    for i in streams.len() + 1..4 {
        let e = &mut dir[i * 128..i * 128 + 128];
        e[0x44..0x50].fill(0xFF);
    }
    assert!(fat.len() <= 128, "one FAT sector");
    fat.resize(128, FREE);
    let mut h = vec![0u8; 512];
    h[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    h[0x18..0x1A].copy_from_slice(&0x3Eu16.to_le_bytes());
    h[0x1A..0x1C].copy_from_slice(&3u16.to_le_bytes());
    h[0x1C..0x1E].copy_from_slice(&0xFFFEu16.to_le_bytes());
    h[0x1E..0x20].copy_from_slice(&9u16.to_le_bytes());
    h[0x20..0x22].copy_from_slice(&6u16.to_le_bytes());
    h[0x2C..0x30].copy_from_slice(&1u32.to_le_bytes());
    h[0x30..0x34].copy_from_slice(&1u32.to_le_bytes());
    h[0x38..0x3C].copy_from_slice(&4096u32.to_le_bytes());
    h[0x3C..0x40].copy_from_slice(&END.to_le_bytes());
    h[0x44..0x48].copy_from_slice(&END.to_le_bytes());
    for k in 0..109 {
        let v = if k == 0 { 0 } else { FREE };
        h[0x4C + 4 * k..0x50 + 4 * k].copy_from_slice(&v.to_le_bytes());
    }
    let mut out = h;
    out.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
    out.extend(dir);
    out.extend(body);
    out
}

/// A BIFF8 record.
fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut v = typ.to_le_bytes().to_vec();
    v.extend((data.len() as u16).to_le_bytes());
    v.extend_from_slice(data);
    v
}

/// A BIFF8 NUMBER record at (row, col).
fn number(row: u16, col: u16, v: f64) -> Vec<u8> {
    let mut d = row.to_le_bytes().to_vec();
    d.extend(col.to_le_bytes());
    d.extend(0u16.to_le_bytes());
    d.extend(v.to_le_bytes());
    rec(0x0203, &d)
}

/// A BIFF8 `Workbook` stream: globals (with `globals_extra` records and one
/// BOUNDSHEET "S") then one sheet holding `cells`.
fn biff8(globals_extra: &[Vec<u8>], cells: &[Vec<u8>]) -> Vec<u8> {
    let bof = |kind: u16| {
        let mut d = 0x0600u16.to_le_bytes().to_vec();
        d.extend(kind.to_le_bytes());
        d.extend([0u8; 12]);
        rec(0x0809, &d)
    };
    let mut globals = bof(0x0005);
    for r in globals_extra {
        globals.extend(r);
    }
    // BOUNDSHEET (4 + 9 bytes: position, flags, length, 8-bit flag, "S") and EOF (4 bytes).
    let sheet_pos = (globals.len() + 13 + 4) as u32;
    let mut bs = sheet_pos.to_le_bytes().to_vec();
    bs.extend([0, 0, 1, 0, b'S']);
    globals.extend(rec(0x0085, &bs));
    globals.extend(rec(0x000A, &[]));
    assert_eq!(globals.len() as u32, sheet_pos);
    let mut s = globals;
    s.extend(bof(0x0010));
    for c in cells {
        s.extend(c);
    }
    s.extend(rec(0x000A, &[]));
    s
}

fn corpus(rel: &str) -> Option<PathBuf> {
    let p = crate::util::repo().join("../shared/corpus").join(rel);
    let alt = PathBuf::from("/work/shared/corpus").join(rel);
    if p.exists() {
        Some(p)
    } else if alt.exists() {
        Some(alt)
    } else {
        eprintln!("skipped: corpus file {rel} not found");
        None
    }
}

// ------------------------------------------------------------------ broken containers

#[test]
fn truncated_zip_is_refused() {
    let w = Workdir::new();
    ledger(&w.join("good.xlsx"));
    let bytes = std::fs::read(w.join("good.xlsx")).unwrap();
    std::fs::write(w.join("cut.xlsx"), &bytes[..bytes.len() / 2]).unwrap();
    refused(&w, "cut.xlsx", &[], &["damaged or truncated"]);
}

#[test]
fn corrupt_part_header_is_refused() {
    let w = Workdir::new();
    let rows = br#"<row r="1"><c r="A1"><v>1</v></c></row>"#;
    zip_file(&w.join("bad.xlsx"), &xlsx_parts("A1", rows, b""));
    // Break the local header of the sheet part; the directory still lists it.
    let mut b = std::fs::read(w.join("bad.xlsx")).unwrap();
    let name = b"xl/worksheets/sheet1.xml";
    let at = b.windows(name.len()).position(|x| x == name).unwrap() - 30;
    assert_eq!(&b[at..at + 4], b"PK\x03\x04");
    b[at..at + 4].copy_from_slice(b"XXXX");
    std::fs::write(w.join("bad.xlsx"), b).unwrap();
    refused(&w, "bad.xlsx", &[], &["damaged"]);
}

#[test]
fn random_bytes_with_excel_extensions_are_refused() {
    let w = Workdir::new();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let junk: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    for ext in ["xlsx", "xlsm", "xlsb", "xls", "ods"] {
        let name = format!("junk.{ext}");
        std::fs::write(w.join(&name), &junk).unwrap();
        refused(&w, &name, &[], &["not a readable workbook"]);
    }
    // A zip magic followed by junk.
    let mut z = b"PK\x03\x04".to_vec();
    z.extend(&junk);
    std::fs::write(w.join("pk.xlsx"), z).unwrap();
    refused(&w, "pk.xlsx", &[], &["damaged"]);
    // A compound-file magic followed by junk.
    let mut c = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    c.extend(&junk);
    std::fs::write(w.join("cfb.xls"), c).unwrap();
    refused(&w, "cfb.xls", &[], &["could not be read"]);
}

// ------------------------------------------------------------------ encrypted

#[test]
fn encrypted_xlsx_says_password() {
    let w = Workdir::new();
    // Excel's encrypted OOXML: a compound file with EncryptionInfo and EncryptedPackage.
    let f = cfb(&[
        ("EncryptionInfo", vec![4, 0, 4, 0, 0x40, 0, 0, 0]),
        ("EncryptedPackage", vec![0x5A; 600]),
    ]);
    std::fs::write(w.join("locked.xlsx"), f).unwrap();
    refused(
        &w,
        "locked.xlsx",
        &[],
        &["password-protected", "unprotected copy"],
    );
}

#[test]
fn encrypted_xls_says_password() {
    let w = Workdir::new();
    // FILEPASS (RC4) in the globals of a BIFF8 workbook.
    let filepass = rec(0x002F, &[1, 0, 1, 0, 1, 0]);
    let f = cfb(&[("Workbook", biff8(&[filepass], &[number(0, 0, 1.0)]))]);
    std::fs::write(w.join("locked.xls"), f).unwrap();
    refused(&w, "locked.xls", &[], &["password-protected"]);
}

#[test]
fn encrypted_corpus_files_say_password() {
    let w = Workdir::new();
    for rel in ["poi/58616.xlsx", "poi/xor-encryption-abc.xls"] {
        let Some(p) = corpus(rel) else { return };
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        std::fs::copy(&p, w.join(&name)).unwrap();
        refused(&w, &name, &[], &["password-protected"]);
    }
}

// ------------------------------------------------------------------ empty

#[test]
fn empty_file_and_empty_sheet_are_refused() {
    let w = Workdir::new();
    std::fs::write(w.join("zero.xlsx"), b"").unwrap();
    refused(&w, "zero.xlsx", &[], &["empty"]);
    std::fs::write(w.join("zero.csv"), b"").unwrap();
    refused(&w, "zero.csv", &[], &["empty"]);
    zip_file(&w.join("blank.xlsx"), &xlsx_parts("A1", b"", b""));
    refused(&w, "blank.xlsx", &[], &["账", "empty"]);
    std::fs::write(w.join("lines.csv"), "\n\n,,,\n".repeat(5000)).unwrap();
    refused(&w, "lines.csv", &[], &["no sheet"]);
}

// ------------------------------------------------------------------ absurd sizes

#[test]
fn absurd_dimension_in_xlsx_is_not_allocated() {
    let w = Workdir::new();
    let cells = br#"<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#;
    zip_file(
        &w.join("dim.xlsx"),
        &xlsx_parts("A1:XFD1048576", cells, b""),
    );
    let start = std::time::Instant::now();
    refused(&w, "dim.xlsx", &[], &["账", "no header row"]);
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}

#[test]
fn xls_with_cells_in_far_corners_is_refused_before_reading() {
    let w = Workdir::new();
    // Four cells in the corners of a BIFF8 sheet: a dense reader builds 65,536 × 256 cells.
    let cells = [
        number(0, 0, 1.0),
        number(0, 255, 1.0),
        number(65535, 0, 1.0),
        number(65535, 255, 1.0),
    ];
    std::fs::write(
        w.join("corners.xls"),
        cfb(&[("Workbook", biff8(&[], &cells))]),
    )
    .unwrap();
    refused(
        &w,
        "corners.xls",
        &[],
        &["sheet \"S\"", "65536 rows × 256 columns", "--max-cells"],
    );
    // The same cells a few rows apart are read (and found to have no header).
    let near = [number(0, 0, 1.0), number(3, 2, 1.0)];
    std::fs::write(w.join("near.xls"), cfb(&[("Workbook", biff8(&[], &near))])).unwrap();
    refused(&w, "near.xls", &[], &["no header row"]);
}

#[test]
fn xls_dimensions_record_that_lies_is_refused() {
    let w = Workdir::new();
    // DIMENSIONS claiming 4 billion rows: calamine would reserve that many cells.
    let mut d = 0u32.to_le_bytes().to_vec();
    d.extend(u32::MAX.to_le_bytes());
    d.extend(0u16.to_le_bytes());
    d.extend(256u16.to_le_bytes());
    d.extend([0, 0]);
    let cells = [rec(0x0200, &d), number(0, 0, 1.0)];
    std::fs::write(w.join("dims.xls"), cfb(&[("Workbook", biff8(&[], &cells))])).unwrap();
    refused(&w, "dims.xls", &[], &["--max-cells"]);
}

/// Found by the `workbook` fuzz target within seconds: a compound file whose
/// directory chain loops made calamine grow a buffer until memory ran out
/// (24 GB and a timeout here).
#[test]
fn xls_with_looping_sector_chain_is_refused() {
    let w = Workdir::new();
    let good = cfb(&[("Workbook", biff8(&[], &[number(0, 0, 1.0)]))]);
    // FAT entry 1 (the directory's sector) points back to itself.
    let mut dir_loop = good.clone();
    dir_loop[512 + 4..512 + 8].copy_from_slice(&1u32.to_le_bytes());
    std::fs::write(w.join("dirloop.xls"), dir_loop).unwrap();
    refused(&w, "dirloop.xls", &[], &["damaged", "loops"]);
    // The workbook stream's last sector points back to its first, and the stream
    // declares 4 GB.
    let mut stream_loop = good;
    let last = 2 + 4096 / 512 - 1;
    stream_loop[512 + 4 * last..512 + 4 * last + 4].copy_from_slice(&2u32.to_le_bytes());
    let size_at = 1024 + 128 + 0x78;
    stream_loop[size_at..size_at + 4].copy_from_slice(&0xFFFF_FF00u32.to_le_bytes());
    std::fs::write(w.join("streamloop.xls"), stream_loop).unwrap();
    refused(&w, "streamloop.xls", &[], &["damaged", "loops"]);
}

/// The `workbook` fuzz target's finds, kept as they were found (minus the
/// format-picking first byte): each made calamine follow a looping sector
/// chain, growing past 20 GB until killed. The second one slipped past the
/// first fix, whose compound-file reader gave up on a short last sector where
/// calamine reads on.
#[test]
fn fuzz_finds_stay_fixed() {
    let w = Workdir::new();
    let dir = crate::util::repo().join("tests/fixtures/fuzz");
    let mut found = 0;
    for e in std::fs::read_dir(dir).expect("fixtures") {
        let p = e.expect("entry").path();
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        std::fs::copy(&p, w.join(&name)).unwrap();
        let start = std::time::Instant::now();
        refused(&w, &name, &[], &[]);
        assert!(
            start.elapsed().as_secs() < 20,
            "{name} took {:?}",
            start.elapsed()
        );
        found += 1;
    }
    assert!(found >= 2);
}

#[test]
fn corpus_51535_xls_is_refused_quickly() {
    let Some(p) = corpus("poi/51535.xls") else {
        return;
    };
    let w = Workdir::new();
    std::fs::copy(p, w.join("51535.xls")).unwrap();
    refused(&w, "51535.xls", &[], &["65536 rows × 256 columns"]);
}

#[test]
fn ods_with_repeated_rows_is_refused_before_reading() {
    let w = Workdir::new();
    let content = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="S"><table:table-row table:number-rows-repeated="90000"><table:table-cell table:number-columns-repeated="1000" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
    let mut mime = part("mimetype", "application/vnd.oasis.opendocument.spreadsheet");
    mime.stored = true;
    zip_file(
        &w.join("rep.ods"),
        &[
            mime,
            part("content.xml", content),
            part(
                "META-INF/manifest.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>"#,
            ),
        ],
    );
    refused(
        &w,
        "rep.ods",
        &[],
        &["sheet \"S\"", "90000 rows × 1000 columns"],
    );
}

#[test]
fn zip_bomb_is_refused_by_ratio_and_by_limit() {
    let w = Workdir::new();
    let rows = br#"<row r="1"><c r="A1"><v>1</v></c></row>"#;
    zip_file(&w.join("bomb.xlsx"), &xlsx_parts("A1", rows, b""));
    // The sheet part declares 3 GB: a 2 KB file that unpacks to 3 GB.
    declare_size(&w.join("bomb.xlsx"), "xl/worksheets/sheet1.xml", 3 << 30);
    refused(&w, "bomb.xlsx", &[], &["zip bomb"]);
    // Under an explicit limit, the same file fails on the limit first.
    refused(
        &w,
        "bomb.xlsx",
        &["--max-unzipped-mb", "100"],
        &["--max-unzipped-mb"],
    );
}

#[test]
fn huge_shared_strings_table_is_refused() {
    let w = Workdir::new();
    let rows = br#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
    zip_file(
        &w.join("sst.xlsx"),
        &xlsx_parts("A1", rows, b"<si><t>a</t></si>"),
    );
    // A shared-strings table declaring 2 GB: calamine would hold it all in memory.
    declare_size(&w.join("sst.xlsx"), "xl/sharedStrings.xml", 2 << 30);
    refused(&w, "sst.xlsx", &[], &["xl/sharedStrings.xml", "2048 MB"]);
}

#[test]
fn zip_entry_larger_than_it_declares_is_refused() {
    let w = Workdir::new();
    let rows = br#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
    let strings = "<si><t>客户</t></si>".repeat(50_000);
    zip_file(
        &w.join("liar.xlsx"),
        &xlsx_parts("A1", rows, strings.as_bytes()),
    );
    declare_size(&w.join("liar.xlsx"), "xl/sharedStrings.xml", 1000);
    refused(&w, "liar.xlsx", &[], &["could not be read"]);
}

#[test]
fn deeply_nested_xml_is_survived() {
    let w = Workdir::new();
    let depth = 1_000_000;
    let mut v = b"<row r=\"1\"><c r=\"A1\"><v>".to_vec();
    v.extend(b"<a>".repeat(depth));
    v.extend(b"</a>".repeat(depth));
    v.extend(b"</v></c></row>");
    zip_file(&w.join("deep.xlsx"), &xlsx_parts("A1", &v, b""));
    refused(&w, "deep.xlsx", &[], &["账"]);
    let mut s = b"<si>".to_vec();
    s.extend(b"<r>".repeat(depth));
    s.extend(b"</r>".repeat(depth));
    s.extend(b"</si>");
    let rows = br#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
    zip_file(&w.join("deepsst.xlsx"), &xlsx_parts("A1", rows, &s));
    refused(&w, "deepsst.xlsx", &[], &[]);
}

#[test]
fn enormous_sheet_hits_the_cell_limit_and_fails_the_run() {
    let w = Workdir::new();
    let mut rows = String::from(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>日期</t></is></c><c r="B1" t="inlineStr"><is><t>客户名称</t></is></c><c r="C1" t="inlineStr"><is><t>金额</t></is></c></row>"#,
    );
    for r in 2..2000 {
        rows.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}"><v>45667</v></c><c r="B{r}" t="inlineStr"><is><t>客户{r}</t></is></c><c r="C{r}"><v>10</v></c></row>"#
        ));
    }
    zip_file(
        &w.join("big.xlsx"),
        &xlsx_parts("A1:C1999", rows.as_bytes(), b""),
    );
    refused(
        &w,
        "big.xlsx",
        &["--max-cells", "1000"],
        &["sheet \"账\"", "--max-cells"],
    );
    // Within the default limit it is an ordinary ledger.
    w.ok(&["evaluate", "big.xlsx", "--out", "ok.xlsx"]);
}

// ------------------------------------------------------------------ CSV encodings

#[test]
fn csv_neither_utf8_nor_gbk_is_refused() {
    let w = Workdir::new();
    // Latin-1 "café" and Shift-JIS kana.
    std::fs::write(
        w.join("latin1.csv"),
        b"Date,Customer,Amount\n2025-01-05,caf\xE9 na\xEFf,12\n",
    )
    .unwrap();
    refused(&w, "latin1.csv", &[], &["neither UTF-8 nor GBK"]);
    std::fs::write(
        w.join("sjis.csv"),
        b"Date,Customer,Amount\n2025-01-05,\x82\xA0\x82\xA2\x82\xA4,12\n",
    )
    .unwrap();
    refused(&w, "sjis.csv", &[], &["neither UTF-8 nor GBK"]);
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "日期,客户名称,金额\n"
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes()),
        )
        .collect();
    std::fs::write(w.join("utf16.csv"), utf16).unwrap();
    refused(&w, "utf16.csv", &[], &["UTF-16"]);
    std::fs::write(w.join("nul.csv"), vec![0u8; 5000]).unwrap();
    refused(&w, "nul.csv", &[], &["binary"]);
}

#[test]
fn csv_without_line_breaks_or_with_an_unclosed_quote_is_refused() {
    // A 300 MB line took 2.1 GB and 69 s before the record cap; now 40 MB and a moment.
    let w = Workdir::new();
    let mut one = b"a,".to_vec();
    one.resize(20 << 20, b'x');
    std::fs::write(w.join("oneline.csv"), one).unwrap();
    refused(&w, "oneline.csv", &[], &["longer than 16 MB"]);
    let mut quote = "日期,客户名称,金额\n2025-01-05,\"华东".to_string();
    quote.push_str(&"机械,1\n".repeat(3 << 20));
    std::fs::write(w.join("quote.csv"), quote).unwrap();
    refused(&w, "quote.csv", &[], &["longer than 16 MB"]);
}

// ------------------------------------------------------------------ not a readable file

#[test]
fn folders_missing_files_and_pipes_are_refused() {
    let w = Workdir::new();
    std::fs::create_dir(w.join("folder.xlsx")).unwrap();
    refused(&w, "folder.xlsx", &[], &["folder"]);
    refused(&w, "missing.xlsx", &[], &["not found"]);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("nowhere.xlsx", w.join("dangling.xlsx")).unwrap();
        refused(&w, "dangling.xlsx", &[], &["not found"]);
        // A FIFO would block a reader forever.
        let made = std::process::Command::new("mkfifo")
            .arg(w.join("pipe.csv"))
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if made {
            refused(&w, "pipe.csv", &[], &["not a regular file"]);
        }
    }
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let w = Workdir::new();
    ledger(&w.join("secret.xlsx"));
    std::fs::set_permissions(
        w.join("secret.xlsx"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    if std::fs::File::open(w.join("secret.xlsx")).is_ok() {
        eprintln!("skipped: running as root, permissions do not stop reads");
        return;
    }
    refused(&w, "secret.xlsx", &[], &["permission denied"]);
}

#[test]
fn xlsb_that_panics_calamine_is_an_error_without_panic_output() {
    let Some(p) = corpus("poi/Simple.xlsb") else {
        return;
    };
    let w = Workdir::new();
    std::fs::copy(p, w.join("Simple.xlsb")).unwrap();
    let err = refused(&w, "Simple.xlsb", &[], &["malformed"]);
    assert!(!err.contains("RUST_BACKTRACE"), "{err}");
}

// ------------------------------------------------------------------ safe writes

#[test]
fn never_writes_over_an_input_however_it_is_named() {
    let w = Workdir::new();
    ledger(&w.join("in.xlsx"));
    std::fs::create_dir(w.join("sub")).unwrap();
    let before = std::fs::read(w.join("in.xlsx")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("in.xlsx", w.join("link.xlsx")).unwrap();
    let mut names = vec!["in.xlsx", "./in.xlsx", "sub/../in.xlsx"];
    if cfg!(unix) {
        names.push("link.xlsx");
    }
    for out in names {
        for force in [false, true] {
            let mut args = vec!["evaluate", "in.xlsx", "--out", out];
            if force {
                args.push("--force");
            }
            let err = w.fails(&args);
            assert!(err.contains("input file"), "{out}: {err}");
            // And as the JSON output.
            let mut args = vec!["evaluate", "in.xlsx", "--out", "o.xlsx", "--json", out];
            if force {
                args.push("--force");
            }
            w.fails(&args);
        }
    }
    assert_eq!(std::fs::read(w.join("in.xlsx")).unwrap(), before);
    assert!(!w.join("o.xlsx").exists());
}

#[test]
fn existing_output_needs_force_and_failure_leaves_nothing() {
    let w = Workdir::new();
    ledger(&w.join("in.xlsx"));
    std::fs::write(w.join("out.xlsx"), b"keep me").unwrap();
    let err = w.fails(&["evaluate", "in.xlsx", "--out", "out.xlsx"]);
    assert!(err.contains("out.xlsx") && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read(w.join("out.xlsx")).unwrap(), b"keep me");
    // The same name twice.
    let err = w.fails(&[
        "evaluate", "in.xlsx", "--out", "a.xlsx", "--json", "./a.xlsx",
    ]);
    assert!(err.contains("twice"), "{err}");
    // A failing read with --force leaves the old output alone and no temporary file.
    std::fs::write(w.join("bad.xlsx"), b"PK\x03\x04junk").unwrap();
    w.fails(&["evaluate", "bad.xlsx", "--out", "out.xlsx", "--force"]);
    assert_eq!(std::fs::read(w.join("out.xlsx")).unwrap(), b"keep me");
    // Into a missing folder.
    let err = w.fails(&["evaluate", "in.xlsx", "--out", "nowhere/out.xlsx"]);
    assert!(err.contains("nowhere"), "{err}");
    // With --force it is replaced, and only the outputs are there.
    w.ok(&[
        "evaluate", "in.xlsx", "--out", "out.xlsx", "--json", "out.json", "--force",
    ]);
    assert_ne!(std::fs::read(w.join("out.xlsx")).unwrap(), b"keep me");
    assert_eq!(
        w.files(),
        vec!["bad.xlsx", "in.xlsx", "out.json", "out.xlsx"]
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(w.join("out.xlsx"))
            .unwrap()
            .permissions()
            .mode();
        assert_ne!(
            mode & 0o044,
            0,
            "output readable like any saved file: {mode:o}"
        );
    }
}

#[test]
fn init_and_sample_refuse_existing_files() {
    let w = Workdir::new();
    w.ok(&["init"]);
    let rules: Vec<String> = w.files();
    assert_eq!(rules.len(), 1, "{rules:?}");
    let before = std::fs::read(w.join(&rules[0])).unwrap();
    std::fs::write(w.join(&rules[0]), b"edited").unwrap();
    w.fails(&["init"]);
    assert_eq!(std::fs::read(w.join(&rules[0])).unwrap(), b"edited");
    w.ok(&["init", "--force"]);
    assert_eq!(std::fs::read(w.join(&rules[0])).unwrap(), before);

    let s = Workdir::new();
    s.ok(&["sample", "--out-dir", ".", "--rows", "200"]);
    let made = s.files();
    let first = s.join(&made[0]);
    std::fs::write(&first, b"mine").unwrap();
    s.fails(&["sample", "--out-dir", ".", "--rows", "200"]);
    assert_eq!(std::fs::read(&first).unwrap(), b"mine");
    assert_eq!(s.files(), made, "nothing staged left behind");
}

// ------------------------------------------------------------------ formula injection

#[test]
fn text_that_looks_like_a_formula_is_written_as_text() {
    let w = Workdir::new();
    let names = [
        "=1+1",
        "+SUM(A1:A9)",
        "-2+3",
        "@cmd",
        "=HYPERLINK(\"http://x\",\"y\")",
    ];
    let mut rows = vec![vec![C::S("日期"), C::S("客户名称"), C::S("金额")]];
    for (i, n) in names.iter().enumerate() {
        rows.push(vec![
            C::D(2025, 1, 5 + i as u8),
            C::S(n),
            C::N(100.0 * (i + 1) as f64),
        ]);
    }
    write_xlsx(&w.join("in.xlsx"), &[("1月", rows)]);
    w.ok(&["evaluate", "in.xlsx", "--out", "out.xlsx"]);
    let book = read_book(&w.join("out.xlsx"));
    for n in names {
        let found = book
            .iter()
            .any(|(_, rows)| rows.iter().flatten().any(|c| text(c) == n));
        assert!(found, "{n} written as its text");
    }
    // No formula anywhere mentions the names' text.
    let mut wb = calamine::open_workbook_auto(w.join("out.xlsx")).unwrap();
    use calamine::Reader;
    for sheet in wb.sheet_names().to_vec() {
        if let Ok(f) = wb.worksheet_formula(&sheet) {
            for cell in f.used_cells() {
                for n in ["1+1", "SUM(A1:A9)", "2+3", "cmd", "HYPERLINK"] {
                    assert!(!cell.2.contains(n), "{sheet}: formula {}", cell.2);
                }
            }
        }
    }
}

/// 10^26 as the ledgers write it: 27 digits, read exactly.
const HUGE: &str = "100000000000000000000000000";

/// A ledger whose running total stays small while its amounts, signs
/// ignored, add up past what a decimal holds (about 7.9 × 10^28): `n`
/// customers A… invoiced 10^26 each and as many Z… with credit notes of
/// −10^26, rows taking turns. Totals over customers (Σ invoiced of the
/// statements overview, the tiers' shares) would overflow; before the
/// check below they panicked.
fn write_huge_ledger(path: &Path, n: usize) {
    let mut csv = String::from("日期,单号,客户编码,客户名称,金额\n");
    for i in 1..=n {
        let day = 1 + i % 28;
        csv += &format!("2025-03-{day:02},SO-{i},A{i:04},甲{i}公司,{HUGE}\n");
        csv += &format!("2025-03-{day:02},RT-{i},Z{i:04},乙{i}公司,-{HUGE}\n");
    }
    std::fs::write(path, csv).expect("write ledger");
}

#[test]
fn amounts_too_large_to_total_are_an_error_never_a_panic() {
    let w = Workdir::new();
    write_huge_ledger(&w.join("台账.csv"), 400);
    std::fs::write(
        w.join("回款.csv"),
        "回款日期,客户编码,客户名称,回款金额\n2025-03-10,A0001,甲1公司,100\n",
    )
    .expect("write receipts");
    let outs = ["--out", "out.xlsx", "--json", "out.json"];
    let runs: [&[&str]; 5] = [
        &["reconcile", "台账.csv", "--receipts", "回款.csv"],
        &["evaluate", "台账.csv", "--receipts", "回款.csv"],
        &["evaluate", "台账.csv"],
        &["monthly", "台账.csv", "--receipts", "回款.csv"],
        &["check", "台账.csv", "--receipts", "回款.csv"],
    ];
    for run in runs {
        let mut args = run.to_vec();
        if run[0] != "check" {
            args.extend(outs);
        }
        let err = w.fails(&args);
        // 400 pairs: 800 amounts of 10^26; the 793rd passes 7.92 × 10^28,
        // on Excel row 794 (the header is row 1).
        for says in [
            "台账.csv",
            "row 794",
            "signs ignored",
            "79,228,162,514,264,337,593,543,950,335",
        ] {
            assert!(err.contains(says), "{run:?} should say {says:?}: {err}");
        }
        assert!(!err.contains("panicked"), "{err}");
        assert!(!w.join("out.xlsx").exists() && !w.join("out.json").exists());
    }

    // Each file fits; the ledger and the receipts together do not: the
    // error names the receipts sheet where the sum goes over.
    write_huge_ledger(&w.join("台账.csv"), 300);
    let mut receipts = String::from("回款日期,客户编码,客户名称,回款金额\n");
    for i in 1..=300 {
        receipts += &format!("2025-03-20,A{i:04},甲{i}公司,{HUGE}\n");
    }
    std::fs::write(w.join("回款.csv"), receipts).expect("write receipts");
    let reconcile = [
        "reconcile",
        "台账.csv",
        "--receipts",
        "回款.csv",
        "--out",
        "out.xlsx",
    ];
    let err = w.fails(&reconcile);
    for says in ["回款.csv", "ledgers and receipts", "signs ignored"] {
        assert!(err.contains(says), "should say {says:?}: {err}");
    }
    assert!(!w.join("out.xlsx").exists());
    // Half of it reads and reconciles.
    write_huge_ledger(&w.join("台账.csv"), 100);
    w.ok(&reconcile);
}
