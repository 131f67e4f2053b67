//! The JSON of a handouts run (the page's `/api/handouts`): the head every
//! command writes (`tool` … `totals`), then `split_by` and `handouts`, one
//! entry per group in the zip's order with its file name and how many
//! customers it lists.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::json;

use super::json::Head;
use crate::report::evaluation::Evaluation;
use crate::report::handouts::Handout;
use crate::report::returnable::SplitBy;

/// The JSON document of a handouts run.
pub struct HandoutsJson<'a> {
    pub ev: &'a Evaluation<'a>,
    pub split: SplitBy,
    pub handouts: &'a [Handout],
    /// Where the rules came from.
    pub source: &'a str,
}

impl Serialize for HandoutsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut root = s.serialize_map(None)?;
        Head::of(self.ev, self.source).write(&mut root)?;
        root.serialize_entry("split_by", self.split.as_str())?;
        let groups: Vec<serde_json::Value> = (self.handouts.iter())
            .map(|h| json!({"group": h.group, "file": h.file, "customers": h.customers}))
            .collect();
        root.serialize_entry("handouts", &groups)?;
        root.end()
    }
}
