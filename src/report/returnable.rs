//! Workbooks that come back: the evaluation workbook and its handouts.
//!
//! Every such workbook gets a very hidden sheet holding its
//! [`Stamp`]: the as-of date, the rules, the Evaluation table's columns and,
//! per customer, the key and a checksum of the computed cells; a whole
//! evaluation also stores its [`Book`] as JSON, from which `merge` rebuilds
//! it. A handout (`evaluate --split-by`) is the same workbook for one region
//! or sales rep: the same sheets filtered to its customers, every title
//! naming the group.

use super::evaluation::Evaluation;
use super::model::{Block, Book, HiddenSheet, Table, Value};
use super::stored;
use crate::labels::meeting::meeting;
use crate::labels::{fill, Lang};
use crate::read::evaluation_back::{
    hash_text, number_canon, text_canon, Fnv, Role, Stamp, StampColumn, StampKind, STAMP_SHEET,
};
use crate::rules::Rules;

/// What handouts are split by (`--split-by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitBy {
    Region,
    SalesRep,
}

impl SplitBy {
    /// The name on the command line and in the stamp.
    pub fn as_str(self) -> &'static str {
        match self {
            SplitBy::Region => "region",
            SplitBy::SalesRep => "sales_rep",
        }
    }

    /// What the handout's titles call it.
    pub fn label(self, lang: Lang) -> &'static str {
        let m = meeting(lang);
        match self {
            SplitBy::Region => m.split_region,
            SplitBy::SalesRep => m.split_sales_rep,
        }
    }
}

/// One handout's customers.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub split: SplitBy,
    /// The region or sales rep; `None`: customers without one (未分配).
    pub name: Option<String>,
    /// Per customer of the model: in this group or not.
    pub members: Vec<bool>,
}

impl Group {
    /// The group's name as titles and file names show it.
    pub fn display(&self, lang: Lang) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| meeting(lang).unassigned.to_string())
    }
}

/// The customers of `ev` split by region or sales rep: one group per name
/// (trimmed; blank is no name), in name order, the unassigned group last.
/// Every customer is in exactly one group.
pub fn groups(ev: &Evaluation, split: SplitBy) -> Vec<Group> {
    let cs = &ev.model.customers;
    let names: Vec<Option<String>> = cs
        .iter()
        .map(|c| {
            let v = match split {
                SplitBy::Region => c.region.as_deref(),
                SplitBy::SalesRep => c.sales_rep.as_deref(),
            };
            v.map(crate::text::normalize_name).filter(|s| !s.is_empty())
        })
        .collect();
    let mut distinct: Vec<Option<String>> = names.clone();
    distinct.sort_by(|a, b| match (a, b) {
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(_), None) => std::cmp::Ordering::Less,
        (Some(x), Some(y)) => x.cmp(y),
    });
    distinct.dedup();
    distinct
        .into_iter()
        .map(|name| Group {
            split,
            members: names.iter().map(|n| *n == name).collect(),
            name,
        })
        .collect()
}

/// The last step of building an evaluation book: a handout's titles name
/// its group; the stamp goes into the very hidden sheet (with the book
/// itself for a whole evaluation).
pub fn finish(ev: &Evaluation, mut book: Book) -> Book {
    if let Some(g) = &ev.group {
        name_group(&mut book, g, ev.lang);
    }
    let keys: Vec<String> = ev
        .order()
        .into_iter()
        .map(|i| ev.model.customers[i].key.clone())
        .collect();
    let how = StampOf {
        rules: ev.rules,
        lang: ev.lang,
        kind: match ev.group {
            Some(_) => StampKind::Handout,
            None => StampKind::Evaluation,
        },
        group: ev
            .group
            .as_ref()
            .map(|g| (g.split.as_str().to_string(), g.name.clone())),
    };
    let stamp = how.stamp(&book, &keys);
    book.hidden = Some(HiddenSheet {
        name: STAMP_SHEET.to_string(),
        lines: stamp.lines(),
    });
    book
}

/// Every title, page header and the document title name the group.
fn name_group(book: &mut Book, g: &Group, lang: Lang) {
    let group = g.display(lang);
    let split = g.split.label(lang);
    let named = |title: &str| {
        fill(
            meeting(lang).handout_title,
            &[("title", title), ("split", split), ("group", &group)],
        )
    };
    for sheet in &mut book.sheets {
        let title = named(&sheet.title);
        sheet.page.header = sheet.page.header.replacen(&sheet.title, &title, 1);
        sheet.title = title;
    }
    book.title = named(&book.title);
}

/// How to stamp a book.
pub struct StampOf<'a> {
    pub rules: &'a Rules,
    pub lang: Lang,
    pub kind: StampKind,
    pub group: Option<(String, Option<String>)>,
}

impl StampOf<'_> {
    /// The stamp of `book` (no hidden sheet yet) whose Evaluation table
    /// holds the customers `keys` in its row order.
    pub fn stamp(&self, book: &Book, keys: &[String]) -> Stamp {
        let table = evaluation_table(book);
        let columns: Vec<StampColumn> = table
            .map(|t| {
                t.columns
                    .iter()
                    .map(|c| StampColumn {
                        key: c.key.to_string(),
                        header: c.header.clone(),
                        role: role_of(c.key, c.editable.is_some()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let customers = match table {
            Some(t) => keys
                .iter()
                .zip(&t.rows)
                .map(|(k, row)| (k.clone(), checksum(&columns, row)))
                .collect(),
            None => Vec::new(),
        };
        let rules_toml = self.rules.to_toml();
        Stamp {
            kind: self.kind,
            as_of: book.created,
            rules_name: self.rules.name.clone(),
            rules_hash: hash_text(&rules_toml),
            lang: self.lang,
            group: self.group.clone(),
            columns,
            customers,
            rules_toml,
            data: (self.kind == StampKind::Evaluation)
                .then(|| stored::to_json(book).unwrap_or_default()),
        }
    }
}

/// The role of an Evaluation column in checksums.
fn role_of(key: &str, editable: bool) -> Role {
    match key {
        "id" => Role::Key,
        "row_number" => Role::Index,
        _ if editable => Role::Editable,
        _ => Role::Computed,
    }
}

/// The Evaluation table of a book (its table with id `evaluation`).
pub fn evaluation_table(book: &Book) -> Option<&Table> {
    book.sheets
        .iter()
        .flat_map(|s| s.blocks.iter())
        .find_map(|b| match b {
            Block::Table(t) if t.id == "evaluation" => Some(t),
            _ => None,
        })
}

/// The checksum of a row's computed cells, as its workbook will read back.
pub fn checksum(columns: &[StampColumn], row: &[Value]) -> String {
    let mut h = Fnv::default();
    for (c, v) in columns.iter().zip(row) {
        if c.role == Role::Computed {
            h.field(&value_canon(v));
        }
    }
    h.hex()
}

/// A value as its cell reads back, compared in checksums.
fn value_canon(v: &Value) -> String {
    match v {
        Value::Empty => String::new(),
        Value::Text(t) => text_canon(t),
        Value::Int(i) => number_canon(*i as f64),
        Value::Number(d) | Value::Sum(d) => match d.to_string().parse::<f64>() {
            Ok(x) if x.is_finite() => number_canon(x),
            _ => d.to_string(),
        },
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
    }
}
