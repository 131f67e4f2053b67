//! Ledger lines → per-customer metrics (SPEC 3.3 identity, SPEC 4 metrics,
//! SPEC 7.6 control totals). Reads the spilled lines of every sheet once, in
//! input order, with the as-of date known; keeps one accumulator per customer
//! and per product, so memory follows customers, not rows.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::duplicates::duplicate_rows;
use super::Metrics;
use crate::read::intern::{FxMap, FxSet, Interner, NONE};
use crate::read::tables::{MasterRecord, PreviousRecord, Who};
use crate::read::value::add_months;
use crate::read::{Issue, IssueKind, LedgerSheet, Problem, SheetStats};

/// What the model needs from the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelOptions {
    pub as_of: Option<NaiveDate>,
    pub window_months: u32,
    pub new_client_months: u32,
    pub annualize: bool,
}

impl Default for ModelOptions {
    fn default() -> Self {
        ModelOptions {
            as_of: None,
            window_months: 12,
            new_client_months: 6,
            annualize: true,
        }
    }
}

/// The grading window `(as_of − months, as_of]` and the prior window before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First day included.
    pub start: NaiveDate,
    /// Last day included (= as_of).
    pub end: NaiveDate,
    pub months: u32,
    pub prior_start: NaiveDate,
    pub prior_end: NaiveDate,
}

impl Window {
    pub fn new(as_of: NaiveDate, months: u32) -> Window {
        let m = months as i32;
        let cut = add_months(as_of, -m);
        let prior_cut = add_months(as_of, -2 * m);
        Window {
            start: cut.succ_opt().unwrap_or(cut),
            end: as_of,
            months,
            prior_start: prior_cut.succ_opt().unwrap_or(prior_cut),
            prior_end: cut,
        }
    }
    pub fn contains(&self, d: NaiveDate) -> bool {
        d >= self.start && d <= self.end
    }
    pub fn in_prior(&self, d: NaiveDate) -> bool {
        d >= self.prior_start && d <= self.prior_end
    }
    /// Days in the window (for DSO).
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }
}

/// The ledger's control totals (SPEC 7.6).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LedgerTotals {
    pub rows_read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub totals_rows: u64,
    pub accepted_amount: Decimal,
    pub in_window: Decimal,
    pub before_window: Decimal,
    pub after_as_of: Decimal,
    pub customer_sales: Decimal,
}

/// Per-sheet summary kept for the Summary sheet and JSON `inputs`.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetSummary {
    pub file_index: usize,
    pub file: String,
    pub sheet: String,
    pub header_row: Option<u32>,
    pub columns: BTreeMap<String, String>,
    pub stats: SheetStats,
}

/// Everything the grader and the reports need from the inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub as_of: NaiveDate,
    pub window: Window,
    /// In order of first appearance (ledger, then master, then previous grades).
    pub customers: Vec<Metrics>,
    /// Customer key → previous grade text.
    pub previous: BTreeMap<String, String>,
    pub totals: LedgerTotals,
    pub sheets: Vec<SheetSummary>,
    /// Warnings found while combining sheets (duplicates, renamed IDs…).
    pub issues: Vec<Issue>,
}

/// Errors of the model: no usable date, or a control total that does not hold.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("no ledger line has a valid date, so there is no default as-of date: pass --as-of YYYY-MM-DD")]
    NoAsOf,
    #[error("control totals do not hold ({0}); this is a bug in tierbook, please report it with the input files")]
    Totals(String),
    #[error("cannot read a temporary file: {0}")]
    Spill(#[from] std::io::Error),
}

/// How a customer is keyed: by ID text, else by normalised name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Id(u32),
    Name(u32),
}

#[derive(Debug, Default)]
struct Acc {
    key: Option<Key>,
    sales: Decimal,
    prior: Decimal,
    quantity: Decimal,
    orders: FxSet<u64>,
    /// The order of this customer's previous counted line: an order's lines
    /// are usually adjacent, so most lines skip the set.
    last_order: u64,
    unnumbered_lines: u64,
    first_date: Option<NaiveDate>,
    has_window_lines: bool,
    /// (date, sequence) of the most recent line: its name, region, rep are shown.
    recent: Option<(NaiveDate, u64)>,
    name: u32,
    region: u32,
    sales_rep: u32,
    /// Price index: Σ amount of counted lines, Σ qty × list price of lines with one.
    pi_amount: Decimal,
    pi_list: Decimal,
    pi_lines: u64,
    /// Quantity per product of counted lines without a list price.
    pi_products: FxMap<u32, Decimal>,
    /// Distinct names seen with this ID, first-seen order.
    names: Vec<u32>,
    name_change_at: Option<(usize, u32)>,
}

impl Acc {
    fn new(key: Key, name: u32) -> Acc {
        Acc {
            key: Some(key),
            name,
            region: NONE,
            sales_rep: NONE,
            ..Acc::default()
        }
    }
}

#[derive(Debug, Default, Clone)]
struct ProductAcc {
    quantity: Decimal,
    value: Decimal,
}

/// Builds the model from what the readers produced.
///
/// # Errors
/// [`ModelError::NoAsOf`] when no as-of date is given and no line has a date;
/// [`ModelError::Totals`] when a control total breaks.
pub fn build(
    mut sheets: Vec<LedgerSheet>,
    mut strings: Interner,
    master: &[MasterRecord],
    previous: &[PreviousRecord],
    opts: &ModelOptions,
) -> Result<Model, ModelError> {
    let max_date = sheets.iter().filter_map(|s| s.max_date).max();
    let as_of = opts.as_of.or(max_date).ok_or(ModelError::NoAsOf)?;
    let window = Window::new(as_of, opts.window_months);

    // The run's strings (sheets not yet absorbed by the reader join in input
    // order), and which IDs each normalised name goes with.
    let mut remaps: Vec<Vec<u32>> = Vec::with_capacity(sheets.len());
    let mut name_ids: FxMap<u32, Vec<u32>> = FxMap::default();
    for s in &mut sheets {
        if !s.strings.is_empty() {
            s.absorb_strings(&mut strings);
        }
        let remap = std::mem::take(&mut s.remap);
        for &(id, name) in &s.id_names {
            let (gid, gname) = (remap[id as usize], remap[name as usize]);
            let ids = name_ids.entry(gname).or_default();
            if !ids.contains(&gid) {
                ids.push(gid);
            }
        }
        remaps.push(remap);
    }
    for m in master {
        if let (Some(id), Some(name)) = (&m.who.id, &m.who.name) {
            let (gid, gname) = (strings.intern(id), strings.intern(name));
            let ids = name_ids.entry(gname).or_default();
            if !ids.contains(&gid) {
                ids.push(gid);
            }
        }
    }

    let mut index: FxMap<Key, usize> = FxMap::default();
    let mut accs: Vec<Acc> = Vec::new();
    let mut products: FxMap<u32, ProductAcc> = FxMap::default();
    let lines: u64 = sheets.iter().map(|s| s.stats.accepted).sum();
    let fingerprint_spills: Vec<_> = sheets.iter_mut().map(|s| s.fingerprints.take()).collect();
    let mut after_issues: Vec<Option<Issue>> = (0..sheets.len()).map(|_| None).collect();
    let mut totals = LedgerTotals::default();
    let mut issues = Vec::new();
    let mut by_name: BTreeMap<(u32, u32), (u64, usize, u32)> = BTreeMap::new();
    let mut seq: u64 = 0;
    let mut last_customer: Option<(Key, usize)> = None;
    let mut summaries = Vec::with_capacity(sheets.len());

    // Exact duplicates are looked for on a second thread while this one folds
    // the lines; the warnings are placed per sheet as one thread would.
    let duplicates = std::thread::scope(|scope| -> Result<Vec<Vec<u32>>, ModelError> {
        let finder = scope.spawn(move || duplicate_rows(fingerprint_spills, lines));
        for (si, sheet) in sheets.iter_mut().enumerate() {
            let remap = &remaps[si];
            let g = |i: u32| if i == NONE { NONE } else { remap[i as usize] };
            let mut after_count = 0u64;
            let mut after_first_row = None;
            if let Some(spill) = sheet.spill.as_mut() {
                let mut reader = spill.finish()?;
                while let Some(rec) = reader.next_record()? {
                    seq += 1;
                    let (id, name) = (g(rec.id), g(rec.name));
                    let key = if id != NONE {
                        Key::Id(id)
                    } else {
                        match name_ids.get(&name).map(Vec::as_slice) {
                            Some([only]) => {
                                let e = by_name.entry((name, *only)).or_insert((0, si, rec.row));
                                e.0 += 1;
                                Key::Id(*only)
                            }
                            _ => Key::Name(name),
                        }
                    };
                    // Lines after as-of are counted, not graded; a customer seen only
                    // after as-of is not in the population (SPEC 4).
                    if rec.date > as_of {
                        totals.after_as_of += rec.amount;
                        after_count += 1;
                        after_first_row.get_or_insert(rec.row);
                        continue;
                    }
                    // Consecutive lines are often one customer's: skip the lookup then.
                    let ci = match last_customer {
                        Some((k, ci)) if k == key => ci,
                        _ => {
                            let ci = *index.entry(key).or_insert_with(|| {
                                accs.push(Acc::new(key, NONE));
                                accs.len() - 1
                            });
                            last_customer = Some((key, ci));
                            ci
                        }
                    };
                    let acc = &mut accs[ci];
                    if let Key::Id(_) = key {
                        if name != NONE && !acc.names.contains(&name) {
                            acc.names.push(name);
                            if acc.names.len() == 2 {
                                acc.name_change_at = Some((si, rec.row));
                            }
                        }
                    }
                    if acc.first_date.is_none_or(|f| rec.date < f) {
                        acc.first_date = Some(rec.date);
                    }
                    if acc.recent.is_none_or(|r| (rec.date, seq) >= r) {
                        acc.recent = Some((rec.date, seq));
                        if name != NONE {
                            acc.name = name;
                        }
                        let (region, rep) = (g(rec.region), g(rec.sales_rep));
                        if region != NONE {
                            acc.region = region;
                        }
                        if rep != NONE {
                            acc.sales_rep = rep;
                        }
                    }
                    if !window.contains(rec.date) {
                        totals.before_window += rec.amount;
                        if window.in_prior(rec.date) {
                            acc.prior += rec.amount;
                        }
                        continue;
                    }
                    totals.in_window += rec.amount;
                    acc.sales += rec.amount;
                    acc.has_window_lines = true;
                    if rec.order == crate::read::ledger::NO_ORDER {
                        acc.unnumbered_lines += 1;
                    } else {
                        if rec.order != acc.last_order {
                            acc.orders.insert(rec.order);
                            acc.last_order = rec.order;
                        }
                    }
                    let Some(q) = rec.quantity else { continue };
                    acc.quantity += q;
                    if q <= Decimal::ZERO {
                        continue;
                    }
                    let product = g(rec.product);
                    if product != NONE {
                        let p = products.entry(product).or_default();
                        p.quantity += q;
                        p.value += match rec.unit_price {
                            Some(u) => q * u,
                            None => rec.amount,
                        };
                    }
                    if let Some(list) = rec.list_price {
                        acc.pi_amount += rec.amount;
                        acc.pi_list += q * list;
                        acc.pi_lines += 1;
                    } else if product != NONE {
                        acc.pi_amount += rec.amount;
                        *acc.pi_products.entry(product).or_default() += q;
                        acc.pi_lines += 1;
                    }
                }
            }
            if after_count > 0 {
                after_issues[si] = Some(warning(
                    sheet,
                    after_first_row,
                    Problem::AfterAsOf {
                        count: after_count,
                        as_of,
                    },
                ));
            }
            let st = &sheet.stats;
            totals.rows_read += st.rows_read;
            totals.accepted += st.accepted;
            totals.rejected += st.rejected;
            totals.totals_rows += st.totals_rows;
            totals.accepted_amount += st.accepted_amount;
            summaries.push(SheetSummary {
                file_index: sheet.file_index,
                file: sheet.file.clone(),
                sheet: sheet.sheet.clone(),
                header_row: sheet.header.as_ref().map(|h| h.row),
                columns: sheet
                    .header
                    .as_ref()
                    .map(|h| h.columns())
                    .unwrap_or_default(),
                stats: sheet.stats.clone(),
            });
            sheet.spill = None;
        }
        match finder.join() {
            Ok(found) => Ok(found?),
            Err(p) => std::panic::resume_unwind(p),
        }
    })?;
    for (si, rows) in duplicates.into_iter().enumerate() {
        for row in rows {
            issues.push(warning(&sheets[si], Some(row), Problem::DuplicateRow));
        }
        if let Some(after) = after_issues[si].take() {
            issues.push(after);
        }
    }

    let means: FxMap<u32, Decimal> = products
        .iter()
        .filter(|(_, p)| p.quantity > Decimal::ZERO)
        .map(|(k, p)| (*k, p.value / p.quantity))
        .collect();

    // Master and previous grades add customers and facts.
    let mut master_by: FxMap<Key, &MasterRecord> = FxMap::default();
    for m in master {
        if m.first_date.is_some_and(|d| d > as_of) {
            continue;
        }
        let key = key_of(&m.who, &mut strings, &name_ids);
        master_by.entry(key).or_insert(m);
        index.entry(key).or_insert_with(|| {
            accs.push(Acc::new(
                key,
                m.who.name.as_deref().map_or(NONE, |n| strings.intern(n)),
            ));
            accs.len() - 1
        });
    }
    let mut prev_by: Vec<(Key, String)> = Vec::new();
    for p in previous {
        let key = key_of(&p.who, &mut strings, &name_ids);
        prev_by.push((key, p.grade.clone()));
        index.entry(key).or_insert_with(|| {
            accs.push(Acc::new(
                key,
                p.who.name.as_deref().map_or(NONE, |n| strings.intern(n)),
            ));
            accs.len() - 1
        });
    }

    let s = |i: u32| (i != NONE).then(|| strings.get(i).unwrap_or_default().to_string());
    let mut customers = Vec::with_capacity(accs.len());
    for acc in &accs {
        let Some(key) = acc.key else { continue };
        let (id, key_text) = match key {
            Key::Id(i) => {
                let t = s(i).unwrap_or_default();
                (Some(t.clone()), t)
            }
            Key::Name(n) => (None, s(n).unwrap_or_default()),
        };
        let m = master_by.get(&key).copied();
        let name = s(acc.name)
            .or_else(|| m.and_then(|m| m.who.name.clone()))
            .unwrap_or_else(|| key_text.clone());
        let first_date = m.and_then(|m| m.first_date).or(acc.first_date);
        let months_active = first_date.map(|f| {
            (as_of.year() as i64 * 12 + as_of.month() as i64)
                - (f.year() as i64 * 12 + f.month() as i64)
                + 1
        });
        let provisional =
            first_date.is_some_and(|f| add_months(f, opts.new_client_months as i32) > as_of);
        let formal_evaluation_date = first_date
            .filter(|_| provisional)
            .map(|f| add_months(f, opts.new_client_months as i32));
        let big_m = Decimal::from(opts.window_months);
        let basis_sales = match months_active {
            Some(ma) if provisional && opts.annualize && ma > 0 => {
                acc.sales * big_m / Decimal::from(ma.min(opts.window_months as i64))
            }
            _ => acc.sales,
        };
        let growth = (acc.prior > Decimal::ZERO).then(|| acc.sales / acc.prior - Decimal::ONE);
        // Every counted product line fed its product's mean, so a mean exists.
        let price_index = (acc.pi_lines > 0)
            .then(|| {
                let reference = acc.pi_list
                    + acc
                        .pi_products
                        .iter()
                        .map(|(p, q)| *q * means.get(p).copied().unwrap_or_default())
                        .sum::<Decimal>();
                (reference > Decimal::ZERO).then(|| acc.pi_amount / reference)
            })
            .flatten();
        customers.push(Metrics {
            key: key_text,
            id,
            name,
            region: m.and_then(|m| m.region.clone()).or_else(|| s(acc.region)),
            sales_rep: m
                .and_then(|m| m.sales_rep.clone())
                .or_else(|| s(acc.sales_rep)),
            sales: acc.sales,
            prior_sales: acc.prior,
            growth,
            quantity: acc.quantity,
            orders: acc.orders.len() as u64 + acc.unnumbered_lines,
            first_date,
            months_active,
            provisional,
            formal_evaluation_date,
            basis_sales,
            price_index,
            has_window_lines: acc.has_window_lines,
            attrs: m.map(|m| m.attrs.clone()).unwrap_or_default(),
            special_policy: m.and_then(|m| m.special_policy.clone()),
            credit_limit: m.and_then(|m| m.credit_limit),
            terms_days: m.and_then(|m| m.terms_days),
            ..Metrics::default()
        });
        if acc.names.len() > 1 {
            if let Some((si, row)) = acc.name_change_at {
                issues.push(warning(
                    &sheets[si],
                    Some(row),
                    Problem::IdSeveralNames {
                        id: customers.last().map(|c| c.key.clone()).unwrap_or_default(),
                        names: acc.names.iter().filter_map(|&n| s(n)).collect(),
                        shown: customers.last().map(|c| c.name.clone()).unwrap_or_default(),
                    },
                ));
            }
        }
    }
    for ((name, id), (rows, si, row)) in by_name {
        issues.push(warning(
            &sheets[si],
            Some(row),
            Problem::NameMatchedId {
                name: s(name).unwrap_or_default(),
                id: s(id).unwrap_or_default(),
                rows,
            },
        ));
    }
    let mut prev_map = BTreeMap::new();
    for (key, grade) in prev_by {
        if let Some(&ci) = index.get(&key) {
            if let Some(c) = customers.get(ci) {
                prev_map.entry(c.key.clone()).or_insert(grade);
            }
        }
    }

    totals.customer_sales = customers.iter().map(|c| c.sales).sum();
    check_totals(&totals)?;
    Ok(Model {
        as_of,
        window,
        customers,
        previous: prev_map,
        totals,
        sheets: summaries,
        issues,
    })
}

/// A warning about a row (or, with `row` None, the whole sheet) of a ledger sheet.
fn warning(sheet: &LedgerSheet, row: Option<u32>, problem: Problem) -> Issue {
    Issue {
        kind: IssueKind::Warning,
        file: sheet.file.clone(),
        sheet: sheet.sheet.clone(),
        row,
        column: None,
        problem,
        cells: Vec::new(),
    }
}

fn key_of(who: &Who, strings: &mut Interner, name_ids: &FxMap<u32, Vec<u32>>) -> Key {
    if let Some(id) = &who.id {
        return Key::Id(strings.intern(id));
    }
    let name = strings.intern(who.name.as_deref().unwrap_or_default());
    match name_ids.get(&name).map(Vec::as_slice) {
        Some([only]) => Key::Id(*only),
        _ => Key::Name(name),
    }
}

/// SPEC 7.6: any break is an error, not a footnote.
pub fn check_totals(t: &LedgerTotals) -> Result<(), ModelError> {
    if t.rows_read != t.accepted + t.rejected + t.totals_rows {
        return Err(ModelError::Totals(format!(
            "rows read {} ≠ accepted {} + rejected {} + totals rows {}",
            t.rows_read, t.accepted, t.rejected, t.totals_rows
        )));
    }
    if t.accepted_amount != t.in_window + t.before_window + t.after_as_of {
        return Err(ModelError::Totals(format!(
            "accepted amount {} ≠ in window {} + before window {} + after as-of {}",
            t.accepted_amount, t.in_window, t.before_window, t.after_as_of
        )));
    }
    if t.in_window != t.customer_sales {
        return Err(ModelError::Totals(format!(
            "in-window amount {} ≠ sum of customer sales {}",
            t.in_window, t.customer_sales
        )));
    }
    Ok(())
}
