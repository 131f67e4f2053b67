//! String interning with a fast non-cryptographic hash, so rows refer to
//! customers, products and orders by number.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash (rustc's hasher): fast for short keys, not DoS-resistant; the keys
/// come from the user's own files.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ (rest.len() as u64) << 59);
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

pub type FxBuild = BuildHasherDefault<FxHasher>;
pub type FxMap<K, V> = HashMap<K, V, FxBuild>;
pub type FxSet<K> = std::collections::HashSet<K, FxBuild>;

/// Sentinel for "no string".
pub const NONE: u32 = u32::MAX;

/// Interns strings to dense numbers in order of first appearance.
///
/// Every text is stored once, in one buffer; the hash table holds only the
/// numbers. About 25 bytes a distinct text beyond its own bytes, so a
/// million rows with 340,000 distinct order numbers keep about 10 MB here.
#[derive(Default, Clone)]
pub struct Interner {
    text: String,
    /// End of each string in `text` (its start is the previous end).
    ends: Vec<usize>,
    table: hashbrown::HashTable<u32>,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for Interner {
    fn eq(&self, other: &Interner) -> bool {
        self.ends == other.ends && self.text == other.text
    }
}

/// The hash of a text, its bits mixed (murmur3's finalizer): the hash table
/// picks buckets by the low bits, which FxHash alone leaves depending only on
/// the low bytes of each word (order numbers that differ in their last digits
/// would all fall in a few buckets).
fn hash_text(s: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(s.as_bytes());
    let mut x = h.finish();
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

impl Interner {
    /// The number of `s`, given on first sight.
    ///
    /// # Panics
    /// Never: past `u32::MAX - 1` strings the run could not be read anyway
    /// (the reader's cell limits stop it long before).
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(i) = self.lookup(s) {
            return i;
        }
        let i = self.ends.len() as u32;
        self.text.push_str(s);
        self.ends.push(self.text.len());
        let (text, ends) = (&self.text, &self.ends);
        self.table.insert_unique(hash_text(s), i, |&j| {
            hash_text(slice(text, ends, j).unwrap_or_default())
        });
        i
    }

    pub fn get(&self, i: u32) -> Option<&str> {
        slice(&self.text, &self.ends, i)
    }

    pub fn lookup(&self, s: &str) -> Option<u32> {
        self.table
            .find(hash_text(s), |&j| self.get(j) == Some(s))
            .copied()
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The strings in number order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len() as u32).filter_map(|i| self.get(i))
    }
}

fn slice<'t>(text: &'t str, ends: &[usize], i: u32) -> Option<&'t str> {
    let i = i as usize;
    let end = *ends.get(i)?;
    let start = if i == 0 { 0 } else { ends[i - 1] };
    text.get(start..end)
}

/// A sheet's own string table while it is read, with the last string of
/// each field slot remembered: consecutive rows often repeat a value (same
/// order, customer, region), which is compared before hashing. When the sheet
/// is done its strings join the run's table in input order
/// ([`SheetStrings::absorb`]) and only the mapping is kept.
#[derive(Debug)]
pub struct SheetStrings {
    pub strings: Interner,
    /// Sheet string number → number in the run's table (after absorbing).
    pub remap: Vec<u32>,
    last: [u32; SLOTS],
}

/// Field slots [`SheetStrings::intern_at`] remembers a last string for.
pub const SLOTS: usize = 8;

impl Default for SheetStrings {
    fn default() -> Self {
        SheetStrings {
            strings: Interner::default(),
            remap: Vec::new(),
            last: [NONE; SLOTS],
        }
    }
}

impl SheetStrings {
    /// The number of `text` in field slot `slot`; [`NONE`] for no text.
    pub fn intern_at(&mut self, slot: usize, text: Option<&str>) -> u32 {
        let Some(t) = text else { return NONE };
        let Some(last) = self.last.get_mut(slot) else {
            return self.strings.intern(t);
        };
        if *last != NONE && self.strings.get(*last) == Some(t) {
            return *last;
        }
        let i = self.strings.intern(t);
        *last = i;
        i
    }

    /// Moves the sheet's strings into the run's table, keeping only the
    /// mapping: sheets absorbed in input order number every string as one
    /// table read front to back would, and each sheet's copy is freed as soon
    /// as it is absorbed (a year of monthly sheets repeats every customer).
    /// Does nothing when already absorbed.
    pub fn absorb(&mut self, run: &mut Interner) {
        if self.strings.is_empty() {
            return;
        }
        let own = std::mem::take(&mut self.strings);
        if run.is_empty() {
            // The first sheet's table becomes the run's as it is.
            self.remap = (0..own.len() as u32).collect();
            *run = own;
        } else {
            self.remap = own.iter().map(|t| run.intern(t)).collect();
        }
        self.last = [NONE; SLOTS];
    }

    /// The run's number of a sheet string number ([`NONE`] stays [`NONE`]).
    pub fn global(&self, i: u32) -> u32 {
        if i == NONE {
            NONE
        } else {
            self.remap.get(i as usize).copied().unwrap_or(NONE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_in_order() {
        let mut i = Interner::default();
        assert_eq!(i.intern("华东"), 0);
        assert_eq!(i.intern("华南"), 1);
        assert_eq!(i.intern("华东"), 0);
        assert_eq!(i.get(1), Some("华南"));
        assert_eq!(i.lookup("华北"), None);
    }
}
