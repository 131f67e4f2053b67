//! Customer identity (SPEC 3.3, 9, 10): a customer is keyed by its ID when
//! the row has one, else by its normalised name; a name-only row whose name
//! goes with exactly one ID joins that customer. IDs and names that still
//! differ only slightly are kept apart and warned about ([`near_matches`]).

use std::collections::BTreeMap;

use crate::model::Metrics;
use crate::read::intern::{FxMap, Interner};
use crate::read::master::Who;
use crate::read::Problem;
use crate::text::id_family;

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

/// Customers kept apart whose IDs differ only by leading zeros or a trailing
/// `.0` (`00123`, `123`, `123.0`), and customers without an ID whose name
/// differs from another customer's only by letter case: one warning per
/// group, naming them all.
pub fn near_matches(customers: &[Metrics]) -> Vec<Problem> {
    let mut ids: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut names: BTreeMap<String, (Vec<&str>, bool)> = BTreeMap::new();
    for c in customers {
        if let Some(id) = &c.id {
            ids.entry(id_family(id)).or_default().push(id);
        }
        let (group, name_keyed) = names.entry(c.name.to_lowercase()).or_default();
        group.push(&c.name);
        *name_keyed |= c.id.is_none();
    }
    let mut out = Vec::new();
    for group in ids.into_values() {
        if let Some(ids) = distinct(group) {
            out.push(Problem::SimilarIds { ids });
        }
    }
    for (group, name_keyed) in names.into_values() {
        if let (true, Some(names)) = (name_keyed, distinct(group)) {
            out.push(Problem::SimilarNames { names });
        }
    }
    out
}

/// The distinct texts of a group, sorted, when there are two or more.
fn distinct(mut group: Vec<&str>) -> Option<Vec<String>> {
    group.sort_unstable();
    group.dedup();
    (group.len() > 1).then(|| group.into_iter().map(str::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(id: Option<&str>, name: &str) -> Metrics {
        Metrics {
            key: id.unwrap_or(name).to_string(),
            id: id.map(str::to_string),
            name: name.to_string(),
            ..Metrics::default()
        }
    }

    #[test]
    fn ids_differing_by_leading_zeros_or_point_zero_and_names_by_case_are_warned_about() {
        let found = near_matches(&[
            customer(Some("00123"), "华东机械"),
            customer(Some("123"), "华东机械厂"),
            customer(Some("123.0"), "华东"),
            customer(Some("C9"), "ABC Ltd"),
            customer(None, "abc ltd"),
            customer(None, "Delta Co"),
            customer(Some("D1"), "DELTA CO"),
            customer(Some("E1"), "Echo"),
            customer(Some("E2"), "ECHO"),
        ]);
        assert_eq!(
            found,
            vec![
                Problem::SimilarIds {
                    ids: vec!["00123".into(), "123".into(), "123.0".into()]
                },
                Problem::SimilarNames {
                    names: vec!["ABC Ltd".into(), "abc ltd".into()]
                },
                Problem::SimilarNames {
                    names: vec!["DELTA CO".into(), "Delta Co".into()]
                },
            ],
            "two ID customers whose names differ by case are told apart by their IDs"
        );
    }
}
