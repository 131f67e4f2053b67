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
#[derive(Default, Debug, Clone)]
pub struct Interner {
    map: FxMap<Box<str>, u32>,
    list: Vec<Box<str>>,
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.map.get(s) {
            return i;
        }
        let i = self.list.len() as u32;
        let b: Box<str> = s.into();
        self.list.push(b.clone());
        self.map.insert(b, i);
        i
    }
    pub fn get(&self, i: u32) -> Option<&str> {
        self.list.get(i as usize).map(|s| &**s)
    }
    pub fn lookup(&self, s: &str) -> Option<u32> {
        self.map.get(s).copied()
    }
    pub fn len(&self) -> usize {
        self.list.len()
    }
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
    pub fn strings(&self) -> &[Box<str>] {
        &self.list
    }
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
        self.remap = own.strings().iter().map(|t| run.intern(t)).collect();
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
