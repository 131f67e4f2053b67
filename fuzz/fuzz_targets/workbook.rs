//! Fuzzes reading a workbook from bytes through the real reading path: the
//! bytes become a file with an xlsx, xlsb, xls, ods or csv name (first byte
//! picks), and the sales-ledger reader reads every sheet. Any outcome but a
//! panic or an abort is fine; limits are low so a bomb fails fast.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tierbook::read::source::with_bytes_as_file;
use tierbook::read::{read_ledgers, HeaderMatcher, InputKind, Limits, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let name = ["f.xlsx", "f.xlsb", "f.xls", "f.ods", "f.csv"][pick as usize % 5];
    let opts = ReadOptions {
        limits: Limits {
            max_cells: 2_000_000,
            max_unzipped_bytes: 64 << 20,
        },
        threads: 1,
        ..ReadOptions::default()
    };
    let matcher = HeaderMatcher::new(InputKind::Ledger, None);
    let _ = with_bytes_as_file(bytes, name, |path| {
        read_ledgers(&[path.to_path_buf()], &matcher, &opts)
    });
});
