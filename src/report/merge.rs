//! `merge`: region chiefs' proposals and remarks carried from their handouts
//! into the evaluation workbook, by customer key (SPEC 2, 7.2, 9).
//!
//! The output is rebuilt from the book the evaluation stored when it was
//! made, so dropdowns, protection and formats are whole again whatever came
//! back; only the editable cells are taken from the returned sheets.
//! Everything that could not be carried cleanly is a conflict on the Data
//! Issues sheet: a customer proposed differently by two workbooks, a
//! customer on two rows of one sheet, a row whose customer is not in the
//! evaluation, a customer missing from its handout, computed cells edited,
//! a handout made under another as-of date or other rules. A proposal (or
//! decision) that names no tier is an error listing every such row.

use std::collections::{BTreeMap, HashMap};

use super::blocks::file_name;
use super::model::{Block, Book, HiddenSheet, Table, Value};
use super::returnable::{evaluation_table, StampOf};
use super::stored;
use crate::labels::meeting::meeting;
use crate::labels::{fill, Lang};
use crate::read::evaluation_back::{tier_of, Returned, StampKind, STAMP_SHEET};
use crate::read::IssueKind;
use crate::rules::Rules;

/// A proposal or decision that cannot be taken.
#[derive(Debug, Clone, PartialEq)]
pub struct BadEdit {
    pub file: String,
    pub sheet: String,
    /// 1-based Excel row.
    pub row: u32,
    /// ID and name.
    pub customer: String,
    /// The column's header.
    pub column: String,
    /// What the cell holds.
    pub value: String,
    /// Other rows of the same customer holding something else (empty: the
    /// value names no tier).
    pub other_rows: Vec<u32>,
}

impl std::fmt::Display for BadEdit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}, sheet \"{}\", row {}, customer {}: {} \"{}\"",
            self.file, self.sheet, self.row, self.customer, self.column, self.value
        )?;
        if !self.other_rows.is_empty() {
            let rows: Vec<String> = self.other_rows.iter().map(u32::to_string).collect();
            write!(
                f,
                " differs from row {} of the same customer",
                rows.join(", ")
            )?;
        }
        Ok(())
    }
}

/// Why `merge` or `finalize` stopped (nothing is written).
#[derive(Debug, thiserror::Error)]
pub enum MeetingError {
    #[error("{} proposals or decisions cannot be taken; the tiers are {tiers} (or their labels). Correct these cells and run again:\n{}", .edits.len(), .edits.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Invalid { edits: Vec<BadEdit>, tiers: String },
    #[error("{0}: is a handout (one group's customers); give the whole evaluation workbook here, and the handouts after it")]
    Handout(String),
    #[error("{file}: the data tierbook stored in the workbook cannot be read ({what}); use the workbook tierbook wrote")]
    Damaged { file: String, what: String },
    #[error(transparent)]
    Rules(#[from] crate::rules::RulesError),
}

/// A conflict for the Data Issues sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub file: String,
    pub sheet: String,
    pub row: Option<u32>,
    /// The column's header.
    pub column: Option<String>,
    /// ID and name.
    pub customer: String,
    pub message: String,
}

/// What one customer's row(s) of one returned sheet say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Edits {
    pub row: u32,
    pub proposal: Option<usize>,
    pub decision: Option<usize>,
    pub remarks: Option<String>,
}

/// How strictly [`read_edits`] takes a returned sheet.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    /// Decisions count (the evaluation itself, not a handout).
    pub decisions: bool,
    /// One customer on rows that disagree is an error (`finalize`), not a
    /// conflict (`merge`).
    pub strict: bool,
}

/// The rules a returned workbook was made with, or `given` (`--rules`).
///
/// # Errors
/// The stored rules cannot be read.
pub fn rules_of(r: &Returned, given: Option<Rules>) -> Result<Rules, MeetingError> {
    match given {
        Some(rules) => Ok(rules),
        None => Ok(Rules::from_toml(
            &r.stamp.rules_toml,
            &format!("{} (stored rules)", r.file),
        )?),
    }
}

/// The book a whole evaluation stored.
///
/// # Errors
/// A handout (no stored book) or damaged data.
pub fn stored_book(r: &Returned) -> Result<Book, MeetingError> {
    let Some(data) = r.stamp.data.as_deref() else {
        return Err(MeetingError::Handout(r.file.clone()));
    };
    let book = stored::from_json(data).map_err(|e| MeetingError::Damaged {
        file: r.file.clone(),
        what: e.to_string(),
    })?;
    let rows = evaluation_table(&book).map_or(0, |t| t.rows.len());
    if r.stamp.kind != StampKind::Evaluation || rows != r.stamp.customers.len() {
        return Err(MeetingError::Damaged {
            file: r.file.clone(),
            what: "its customers do not match its evaluation table".into(),
        });
    }
    Ok(book)
}

/// The header of a stamped column.
fn header(r: &Returned, key: &str) -> String {
    r.stamp
        .column(key)
        .map_or_else(|| key.to_string(), |i| r.stamp.columns[i].header.clone())
}

/// Reads one returned sheet's edits by customer key, validating proposals
/// (and decisions) against the tiers. Rows of customers not in `known`,
/// customers on several rows, edited computed cells and customers missing
/// from the sheet become conflicts (in `lang`).
pub fn read_edits(
    r: &Returned,
    rules: &Rules,
    known: &HashMap<&str, String>,
    check: Check,
    lang: Lang,
    out: &mut (Vec<Conflict>, Vec<BadEdit>),
) -> HashMap<String, Edits> {
    let m = meeting(lang);
    let conflict = |row: Option<u32>, customer: String, message: String| Conflict {
        file: r.file.clone(),
        sheet: r.sheet.clone(),
        row,
        column: None,
        customer,
        message,
    };
    if !r.missing.is_empty() {
        let columns = r.missing.join(m.list_sep);
        let message = fill(m.conflict_columns, &[("columns", &columns)]);
        out.0.push(conflict(None, String::new(), message));
    }
    let sums: HashMap<&str, &str> = (r.stamp.customers.iter())
        .map(|(k, s)| (k.as_str(), s.as_str()))
        .collect();
    let mut by_key: BTreeMap<&str, Vec<(usize, Edits)>> = BTreeMap::new();
    for (n, row) in r.rows.iter().enumerate() {
        let Some(key) = row.key.as_deref() else {
            continue;
        };
        if !known.contains_key(key) {
            out.0.push(conflict(
                Some(row.row),
                row.who(),
                m.conflict_unknown.into(),
            ));
            continue;
        }
        if let (Some(got), Some(want)) = (&row.checksum, sums.get(key)) {
            if got != want {
                out.0.push(conflict(
                    Some(row.row),
                    row.who(),
                    m.conflict_tampered.into(),
                ));
            }
        }
        let e = row_edits(r, n, rules, check, &mut out.1);
        by_key.entry(key).or_default().push((n, e));
    }
    for (key, _) in &r.stamp.customers {
        if known.contains_key(key.as_str()) && !by_key.contains_key(key.as_str()) {
            let who = known.get(key.as_str()).cloned().unwrap_or_default();
            out.0.push(conflict(None, who, m.conflict_missing.into()));
        }
    }
    let mut edits = HashMap::new();
    for (key, rows) in by_key {
        if rows.len() > 1 {
            let list: Vec<String> = (rows.iter())
                .map(|(n, _)| r.rows[*n].row.to_string())
                .collect();
            let message = fill(m.conflict_duplicate, &[("rows", &list.join(", "))]);
            let first = &r.rows[rows[0].0];
            out.0.push(conflict(Some(first.row), first.who(), message));
        }
        if let Some(e) = agreed(r, &rows, check, &mut out.1) {
            edits.insert(key.to_string(), e);
        }
    }
    edits
}

/// The edits of a customer's rows when they all say the same; rows that
/// disagree give `None` (an error in `bad` when `check.strict`).
fn agreed(
    r: &Returned,
    rows: &[(usize, Edits)],
    check: Check,
    bad: &mut Vec<BadEdit>,
) -> Option<Edits> {
    let (first_n, first) = rows.first()?;
    let same = |e: &Edits| {
        e.proposal == first.proposal && e.decision == first.decision && e.remarks == first.remarks
    };
    if rows.iter().all(|(_, e)| same(e)) {
        return Some(first.clone());
    }
    if check.strict {
        let row = &r.rows[*first_n];
        bad.push(BadEdit {
            file: r.file.clone(),
            sheet: r.sheet.clone(),
            row: row.row,
            customer: row.who(),
            column: header(r, "decision"),
            value: row.edit("decision").unwrap_or_default().to_string(),
            other_rows: rows[1..].iter().map(|(n, _)| r.rows[*n].row).collect(),
        });
    }
    None
}

/// One row's proposal, decision and remarks; a value that names no tier
/// goes to `bad`.
fn row_edits(r: &Returned, n: usize, rules: &Rules, check: Check, bad: &mut Vec<BadEdit>) -> Edits {
    let row = &r.rows[n];
    let mut tier = |key: &str| -> Option<usize> {
        let text = row.edit(key)?;
        let t = tier_of(rules, text);
        if t.is_none() {
            bad.push(BadEdit {
                file: r.file.clone(),
                sheet: r.sheet.clone(),
                row: row.row,
                customer: row.who(),
                column: header(r, key),
                value: text.to_string(),
                other_rows: Vec::new(),
            });
        }
        t
    };
    let proposal = tier("proposed");
    let decision = if check.decisions {
        tier("decision")
    } else {
        None
    };
    Edits {
        row: row.row,
        proposal,
        decision,
        remarks: row.edit("remarks").map(str::to_string),
    }
}

/// The merged evaluation workbook and what went into it.
pub struct Merged {
    pub book: Book,
    pub conflicts: Vec<Conflict>,
    /// Customers with a proposal carried.
    pub proposals: usize,
}

/// Each customer of a stored evaluation book: its key and "ID name", in
/// the Evaluation table's order.
pub fn customers_of(r: &Returned, book: &Book) -> Vec<(String, String)> {
    let table = evaluation_table(book);
    let at = |row: &[Value], key: &str| -> String {
        match table.and_then(|t| t.col(key)).and_then(|c| row.get(c)) {
            Some(Value::Text(s)) => s.clone(),
            _ => String::new(),
        }
    };
    let rows = table.map_or(&[][..], |t| t.rows.as_slice());
    (r.stamp.customers.iter())
        .zip(rows)
        .map(|((key, _), row)| {
            let who = format!("{} {}", at(row, "id"), at(row, "name"));
            (key.clone(), who.trim().to_string())
        })
        .collect()
}

/// A returned evaluation opened: its stored book, rules, customers and the
/// edits of its own Evaluation sheet.
pub struct Opened {
    pub book: Book,
    /// The rules stored in the workbook.
    pub stored_rules: Rules,
    /// `--rules` when given, else the stored rules: proposals and decisions
    /// must name their tiers.
    pub rules: Rules,
    /// Key and "ID name" of each customer, in the Evaluation table's order.
    pub customers: Vec<(String, String)>,
    pub edits: HashMap<String, Edits>,
    /// Conflicts and edits that cannot be taken, so far.
    pub out: (Vec<Conflict>, Vec<BadEdit>),
}

impl Opened {
    /// Opens a returned evaluation (decisions count; `strict`: rows of one
    /// customer that disagree are errors).
    ///
    /// # Errors
    /// A handout, damaged stored data or rules.
    pub fn open(ev: &Returned, given: Option<Rules>, strict: bool) -> Result<Opened, MeetingError> {
        let book = stored_book(ev)?;
        let stored_rules = rules_of(ev, None)?;
        let rules = given.unwrap_or_else(|| stored_rules.clone());
        let customers = customers_of(ev, &book);
        let check = Check {
            decisions: true,
            strict,
        };
        let mut out = (Vec::new(), Vec::new());
        let edits = read_edits(
            ev,
            &rules,
            &known_of(&customers),
            check,
            ev.stamp.lang,
            &mut out,
        );
        Ok(Opened {
            book,
            stored_rules,
            rules,
            customers,
            edits,
            out,
        })
    }
}

/// Customer key → "ID name".
fn known_of(customers: &[(String, String)]) -> HashMap<&str, String> {
    (customers.iter())
        .map(|(k, w)| (k.as_str(), w.clone()))
        .collect()
}

/// Merges handouts into an evaluation workbook (see the module doc).
///
/// # Errors
/// [`MeetingError::Invalid`] listing every proposal (or decision) that names
/// no tier; [`MeetingError::Handout`] when `evaluation` is a handout;
/// damaged stored data or rules.
pub fn merge(
    evaluation: &Returned,
    handouts: &[Returned],
    given: Option<Rules>,
) -> Result<Merged, MeetingError> {
    let mut opened = Opened::open(evaluation, given, false)?;
    let lang = evaluation.stamp.lang;
    let mut out = std::mem::take(&mut opened.out);
    let Opened {
        book: pristine,
        stored_rules,
        rules,
        customers,
        edits: base,
        ..
    } = opened;
    let known = known_of(&customers);
    let mut sources = vec![(file_name(&evaluation.file), base)];
    for h in handouts {
        if h.stamp.as_of != evaluation.stamp.as_of
            || h.stamp.rules_hash != evaluation.stamp.rules_hash
        {
            out.0.push(other_run(h, evaluation, lang));
            continue;
        }
        let check = Check {
            decisions: false,
            strict: false,
        };
        let e = read_edits(h, &rules, &known, check, lang, &mut out);
        sources.push((file_name(&h.file), e));
    }
    let (mut conflicts, bad) = out;
    if !bad.is_empty() {
        return Err(invalid(bad, &rules));
    }
    let resolved = resolve(evaluation, &customers, &sources, &rules, &mut conflicts);
    let proposals = resolved.iter().filter(|e| e.proposal.is_some()).count();
    let mut book = pristine.clone();
    fill_edits(&mut book, &resolved, &rules);
    add_conflicts(&mut book, &conflicts, lang);
    let keys: Vec<String> = customers.into_iter().map(|(k, _)| k).collect();
    let how = StampOf {
        rules: &stored_rules,
        lang,
        kind: StampKind::Evaluation,
        group: None,
    };
    book.hidden = Some(HiddenSheet {
        name: STAMP_SHEET.to_string(),
        lines: how.stamp(&pristine, &keys).lines(),
    });
    Ok(Merged {
        book,
        conflicts,
        proposals,
    })
}

/// The error listing every edit that cannot be taken.
pub fn invalid(edits: Vec<BadEdit>, rules: &Rules) -> MeetingError {
    MeetingError::Invalid {
        edits,
        tiers: rules.tiers.order.join(", "),
    }
}

/// The conflict of a handout made under another as-of date or rules.
fn other_run(h: &Returned, ev: &Returned, lang: Lang) -> Conflict {
    let as_of = h.stamp.as_of.to_string();
    let eval_as_of = ev.stamp.as_of.to_string();
    let args = [
        ("as_of", as_of.as_str()),
        ("rules", h.stamp.rules_name.as_str()),
        ("eval_as_of", eval_as_of.as_str()),
        ("eval_rules", ev.stamp.rules_name.as_str()),
    ];
    Conflict {
        file: h.file.clone(),
        sheet: h.sheet.clone(),
        row: None,
        column: None,
        customer: String::new(),
        message: fill(meeting(lang).conflict_other_run, &args),
    }
}

/// Per customer (in `customers` order): the proposal every source agrees
/// on (else the evaluation's own, with a conflict), the evaluation's
/// decision, the distinct remarks of every source.
fn resolve(
    ev: &Returned,
    customers: &[(String, String)],
    sources: &[(String, HashMap<String, Edits>)],
    rules: &Rules,
    conflicts: &mut Vec<Conflict>,
) -> Vec<Edits> {
    let m = meeting(ev.stamp.lang);
    let mut out = Vec::with_capacity(customers.len());
    for (key, who) in customers {
        let own = sources.first().and_then(|(_, e)| e.get(key));
        let said: Vec<(&str, usize)> = (sources.iter())
            .filter_map(|(name, e)| e.get(key)?.proposal.map(|p| (name.as_str(), p)))
            .collect();
        let mut proposal = said.first().map(|&(_, p)| p);
        if said.iter().any(|&(_, p)| Some(p) != proposal) {
            let list: Vec<String> = (said.iter())
                .map(|(source, p)| {
                    let grade = rules.tier_name(*p);
                    fill(m.conflict_source, &[("source", source), ("grade", grade)])
                })
                .collect();
            conflicts.push(Conflict {
                file: ev.file.clone(),
                sheet: ev.sheet.clone(),
                row: own.map(|e| e.row),
                column: Some(header(ev, "proposed")),
                customer: who.clone(),
                message: fill(m.conflict_differs, &[("list", &list.join(m.list_sep))]),
            });
            proposal = own.and_then(|e| e.proposal);
        }
        let mut remarks: Vec<&str> = Vec::new();
        for r in sources
            .iter()
            .filter_map(|(_, e)| e.get(key)?.remarks.as_deref())
        {
            if !remarks.contains(&r) {
                remarks.push(r);
            }
        }
        out.push(Edits {
            row: own.map_or(0, |e| e.row),
            proposal,
            decision: own.and_then(|e| e.decision),
            remarks: (!remarks.is_empty()).then(|| remarks.join("\n")),
        });
    }
    out
}

/// Writes proposals, decisions and remarks into the Evaluation table, row
/// by row (`edits` in its row order).
fn fill_edits(book: &mut Book, edits: &[Edits], rules: &Rules) {
    let Some(table) = table_mut(book, "evaluation") else {
        return;
    };
    let cols = ["proposed", "decision", "remarks"].map(|k| table.col(k));
    for (row, e) in table.rows.iter_mut().zip(edits) {
        let tier = |t: Option<usize>| t.map_or(Value::Empty, |t| Value::text(rules.tier_name(t)));
        let values = [
            tier(e.proposal),
            tier(e.decision),
            Value::opt_text(e.remarks.as_deref()),
        ];
        for (col, v) in cols.iter().zip(values) {
            if let Some(cell) = col.and_then(|c| row.get_mut(c)) {
                *cell = v;
            }
        }
    }
}

/// The table with `id`, to change.
fn table_mut<'b>(book: &'b mut Book, id: &str) -> Option<&'b mut Table> {
    book.sheets
        .iter_mut()
        .flat_map(|s| s.blocks.iter_mut())
        .find_map(|b| match b {
            Block::Table(t) if t.id == id => Some(t),
            _ => None,
        })
}

/// Appends conflicts to the Data Issues table (its "no issues" sentence goes).
pub fn add_conflicts(book: &mut Book, conflicts: &[Conflict], lang: Lang) {
    if conflicts.is_empty() {
        return;
    }
    for sheet in &mut book.sheets {
        let holds = |b: &Block| matches!(b, Block::Table(t) if t.id == "issues");
        let Some(at) = sheet.blocks.iter().position(holds) else {
            continue;
        };
        let Block::Table(table) = &mut sheet.blocks[at] else {
            continue;
        };
        let was_empty = table.rows.is_empty();
        for c in conflicts {
            table.rows.push(conflict_row(table, c, lang));
        }
        if was_empty {
            sheet.blocks.retain(|b| !matches!(b, Block::Text(_)));
        }
        return;
    }
}

/// A conflict as a row of the Data Issues table, cells placed by column key.
fn conflict_row(table: &Table, c: &Conflict, lang: Lang) -> Vec<Value> {
    table
        .columns
        .iter()
        .map(|col| match col.key {
            "kind" => Value::text(IssueKind::Conflict.label(lang)),
            "file" => Value::text(file_name(&c.file)),
            "sheet" => Value::text(&c.sheet),
            "row" => Value::opt_int(c.row.map(i64::from)),
            "column" => Value::opt_text(c.column.as_deref()),
            "message" => Value::text(&c.message),
            "cells" => Value::text(&c.customer),
            _ => Value::Empty,
        })
        .collect()
}
