//! Fuzzes the CSV reader through the real reading path (SPEC 10, CSV): the
//! bytes become a `.csv` file read by the sales-ledger reader. Besides never
//! panicking, every table read keeps its control count (rows read =
//! accepted + rejected + totals rows) and its accepted amount is the sum of
//! the lines it spilled.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;
use tierbook::read::source::with_bytes_as_file;
use tierbook::read::{read_ledgers, HeaderMatcher, InputKind, Limits, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let opts = ReadOptions {
        limits: Limits {
            max_cells: 2_000_000,
            max_unzipped_bytes: 64 << 20,
        },
        threads: 1,
        ..ReadOptions::default()
    };
    let matcher = HeaderMatcher::new(InputKind::Ledger, None);
    let read = with_bytes_as_file(data, "f.csv", |path| {
        read_ledgers(&[path.to_path_buf()], &matcher, &opts)
    });
    let Ok(Ok(mut ledgers)) = read else { return };
    for sheet in &mut ledgers.read.sheets {
        let st = &sheet.summary.stats;
        assert_eq!(st.rows_read, st.accepted + st.rejected + st.totals_rows);
        let mut sum = Decimal::ZERO;
        let mut lines = 0;
        if let Some(spill) = sheet.rows.spill.as_mut() {
            let mut r = spill.reader().expect("spill reads back");
            while let Some(rec) = r.next_record().expect("record") {
                sum += rec.amount;
                lines += 1;
            }
        }
        assert_eq!(lines, sheet.summary.stats.accepted);
        assert_eq!(sum, sheet.summary.stats.accepted_amount);
    }
});
