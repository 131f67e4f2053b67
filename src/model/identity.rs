//! Customer identity (SPEC 3.3, 9): a customer is keyed by its ID when the
//! row has one, else by its normalised name; a name-only row whose name goes
//! with exactly one ID joins that customer.

use crate::read::intern::{FxMap, Interner};
use crate::read::master::Who;

/// How a customer is keyed: by ID text, else by normalised name (numbers in
/// the run's string table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Id(u32),
    Name(u32),
}

/// Which IDs each normalised name goes with, from ledger lines and master
/// rows that carry both.
#[derive(Debug, Default)]
pub struct Identities {
    name_ids: FxMap<u32, Vec<u32>>,
}

impl Identities {
    /// Records that `name` was seen with `id`.
    pub fn pair(&mut self, id: u32, name: u32) {
        let ids = self.name_ids.entry(name).or_default();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }

    /// The one ID a name goes with, when there is exactly one.
    pub fn only_id(&self, name: u32) -> Option<u32> {
        match self.name_ids.get(&name).map(Vec::as_slice) {
            Some([only]) => Some(*only),
            _ => None,
        }
    }

    /// The key of a ledger line with run string numbers `id` (or
    /// [`crate::read::intern::NONE`]) and `name`; the second value says the
    /// line had no ID and joined an ID customer by its name.
    pub fn line_key(&self, id: u32, name: u32) -> (Key, bool) {
        if id != crate::read::intern::NONE {
            return (Key::Id(id), false);
        }
        match self.only_id(name) {
            Some(only) => (Key::Id(only), true),
            None => (Key::Name(name), false),
        }
    }

    /// The key of a master or previous-grade row.
    pub fn key_of(&self, who: &Who, strings: &mut Interner) -> Key {
        if let Some(id) = &who.id {
            return Key::Id(strings.intern(id));
        }
        let name = strings.intern(who.name.as_deref().unwrap_or_default());
        match self.only_id(name) {
            Some(only) => Key::Id(only),
            None => Key::Name(name),
        }
    }
}
