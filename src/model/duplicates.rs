//! Exact-duplicate rows across every ledger sheet, from the fingerprint spills,
//! in memory that does not grow like a set of every row.
//!
//! Two passes over the spilled (row, fingerprint) pairs: a Bloom filter of
//! about ten bits a line marks the fingerprints that may have been seen
//! before; the second pass keeps an exact set of those candidates alone (the
//! true repeats plus about 1 % false alarms) and reports each row whose
//! fingerprint an earlier row already had. The result is exactly what one
//! hash set of every fingerprint would give.

use crate::read::intern::FxSet;
use crate::read::spill::FingerprintSpill;

/// Rows (per sheet, in input order) repeating an earlier accepted row.
///
/// # Errors
/// A spill cannot be read back.
pub fn duplicate_rows(
    mut spills: Vec<Option<FingerprintSpill>>,
    lines: u64,
) -> std::io::Result<Vec<Vec<u32>>> {
    let mut bloom = Bloom::new(lines);
    let mut candidates: FxSet<u64> = FxSet::default();
    for spill in spills.iter_mut().flatten() {
        spill.read_all(|_, fp| {
            if bloom.insert(fp) {
                candidates.insert(fp);
            }
        })?;
    }
    drop(bloom);
    let mut seen: FxSet<u64> =
        FxSet::with_capacity_and_hasher(candidates.len(), Default::default());
    let mut out = Vec::with_capacity(spills.len());
    for spill in spills.iter_mut() {
        let mut rows = Vec::new();
        if let (Some(spill), false) = (spill, candidates.is_empty()) {
            spill.read_all(|row, fp| {
                if candidates.contains(&fp) && !seen.insert(fp) {
                    rows.push(row);
                }
            })?;
        }
        out.push(rows);
    }
    Ok(out)
}

/// A Bloom filter over 64-bit fingerprints: 10 bits and 7 probes per expected
/// item, about 1 % false positives.
struct Bloom {
    words: Vec<u64>,
    bits: u64,
}

const BITS_PER_ITEM: u64 = 10;
const PROBES: u64 = 7;

impl Bloom {
    fn new(items: u64) -> Bloom {
        let words = (items.saturating_mul(BITS_PER_ITEM) / 64).max(16);
        Bloom {
            words: vec![0; words as usize],
            bits: words * 64,
        }
    }

    /// Adds `fp`; true when every probed bit was already set (maybe seen).
    fn insert(&mut self, fp: u64) -> bool {
        // Two independent 64-bit hashes (the probes step by a full-width odd
        // number, so their high bits, which pick the bit, differ).
        let h1 = mix(fp);
        let h2 = mix(h1) | 1;
        let mut all_set = true;
        for i in 0..PROBES {
            let probe = h1.wrapping_add(i.wrapping_mul(h2));
            // Lemire's multiply-shift maps the probe onto 0..bits without a division.
            let bit = ((probe as u128 * self.bits as u128) >> 64) as u64;
            let (word, mask) = ((bit / 64) as usize, 1u64 << (bit % 64));
            all_set &= self.words[word] & mask != 0;
            self.words[word] |= mask;
        }
        all_set
    }
}

/// SplitMix64's finaliser: spreads the fingerprint's entropy over all bits.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn spill_of(pairs: &[(u32, u64)]) -> FingerprintSpill {
        let mut s = FingerprintSpill::new().expect("temp file");
        for &(row, fp) in pairs {
            s.push(row, fp).expect("push");
        }
        s
    }

    /// The obvious answer: one set of every fingerprint.
    fn naive(sheets: &[Vec<(u32, u64)>]) -> Vec<Vec<u32>> {
        let mut seen = std::collections::HashSet::new();
        sheets
            .iter()
            .map(|s| {
                s.iter()
                    .filter(|(_, fp)| !seen.insert(*fp))
                    .map(|(row, _)| *row)
                    .collect()
            })
            .collect()
    }

    #[test]
    fn repeats_across_sheets_are_reported_where_they_recur() {
        let a = vec![(2, 11), (3, 12), (4, 11)];
        let b = vec![(2, 12), (3, 13), (4, 13), (5, 13)];
        let spills = vec![Some(spill_of(&a)), None, Some(spill_of(&b))];
        let got = duplicate_rows(spills, 7).expect("read");
        assert_eq!(got, vec![vec![4], vec![], vec![2, 4, 5]]);
    }

    #[test]
    fn false_positive_rate_is_about_one_percent() {
        let n = 100_000u64;
        let mut bloom = Bloom::new(n);
        let mut hits = 0;
        for i in 0..n {
            // Distinct fingerprints: every "maybe seen" is a false positive.
            if bloom.insert(i.wrapping_mul(0x9e37_79b9_7f4a_7c15)) {
                hits += 1;
            }
        }
        // ~0.8 % expected over the whole fill (the filter is emptier early on).
        assert!(hits < n / 50, "{hits} false positives in {n}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn same_rows_as_one_set_of_every_fingerprint(
            sheets in prop::collection::vec(
                prop::collection::vec(0u64..40, 0..60), 0..5),
            undersized in any::<bool>(),
        ) {
            let sheets: Vec<Vec<(u32, u64)>> = sheets
                .into_iter()
                .map(|fps| fps.into_iter().enumerate().map(|(i, fp)| (i as u32 + 2, fp)).collect())
                .collect();
            let lines: u64 = sheets.iter().map(|s| s.len() as u64).sum();
            // An undersized filter only raises false alarms; the answer stays exact.
            let sized = if undersized { 1 } else { lines };
            let spills = sheets.iter().map(|s| Some(spill_of(s))).collect();
            prop_assert_eq!(duplicate_rows(spills, sized).expect("read"), naive(&sheets));
        }
    }
}
