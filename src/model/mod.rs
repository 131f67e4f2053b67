//! Records → per-customer facts (SPEC 3.3, 4, 7.6). Pure: no file access.
//!
//! [`period`] resolves the as-of date and the windows first; [`identity`]
//! keys customers; [`sales`] folds the spilled ledger lines per customer and
//! product; [`customers`] merges the customer master and previous grades and
//! derives each customer's [`Metrics`]; [`totals`] holds the control totals
//! that must balance. [`build`] runs them in that order.

pub mod customers;
mod duplicates;
pub mod finance;
pub mod identity;
pub mod items;
pub mod metrics;
pub mod monthly;
pub mod period;
pub mod receivables;
pub mod sales;
pub mod totals;

use std::collections::BTreeMap;

use rust_decimal::Decimal;

pub use metrics::Metrics;
pub use period::{Period, Window};
pub use totals::{check_totals, LedgerTotals};

use crate::read::intern::{Interner, NONE};
use crate::read::master::MasterRecord;
use crate::read::previous::PreviousRecord;
use crate::read::{Issue, IssueKind, LedgerSheet, Problem, SheetSummary};
use duplicates::duplicate_rows;
use identity::Identities;
use sales::{AfterAsOf, Line, SalesFold};

/// What the model needs from the rules besides the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelOptions {
    pub new_client_months: u32,
    pub annualize: bool,
    /// Keep each customer's monthly sales (`monthly`).
    pub monthly: bool,
    /// Sum each window line's quantity and price-index figures: the
    /// customers' quantity and price index, which the evaluation shows and
    /// grades by. Off, both stay empty (0 and none).
    pub price_facts: bool,
}

impl Default for ModelOptions {
    fn default() -> Self {
        ModelOptions {
            new_client_months: 6,
            annualize: true,
            monthly: false,
            price_facts: true,
        }
    }
}

/// Everything the grader and the reports need from the inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub period: Period,
    /// In order of first appearance (ledger, then master, then previous grades).
    pub customers: Vec<Metrics>,
    /// Customer key → previous grade text.
    pub previous: BTreeMap<String, String>,
    pub totals: LedgerTotals,
    /// The ledger sheets read, in input order.
    pub sheets: Vec<SheetSummary>,
    /// Warnings found while combining sheets (duplicates, renamed IDs…).
    pub issues: Vec<Issue>,
    /// Per customer (same order), when the run asked for them.
    pub monthly: Vec<monthly::MonthlySales>,
    /// Receivables and orders, when the inputs asked for them
    /// ([`ModelInputs::finance`]).
    pub finance: Option<finance::Finance>,
}

/// Errors of the model: no usable date, a figure too large, or a control
/// total that does not hold.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("no ledger line has a valid date, so there is no default as-of date: pass --as-of YYYY-MM-DD")]
    NoAsOf,
    #[error("{file}, sheet \"{sheet}\", row {row}: the latest ledger date {date} is more than 31 days after the next latest ({next}); check that row, or pass --as-of YYYY-MM-DD")]
    StrayLatest {
        date: chrono::NaiveDate,
        next: chrono::NaiveDate,
        file: String,
        sheet: String,
        row: u32,
    },
    #[error("{0}: a figure is too large to compute exactly (over 79,228,162,514,264,337,593,543,950,335)")]
    Overflow(String),
    #[error("control totals do not hold ({0}); this is a bug in tierbook, please report it with the input files")]
    Totals(String),
    #[error("cannot read a temporary file: {0}")]
    Spill(#[from] std::io::Error),
}

/// `*sum += x`, an overflow an error naming what it is about.
pub fn checked_add(
    sum: &mut Decimal,
    x: Decimal,
    what: impl Fn() -> String,
) -> Result<(), ModelError> {
    *sum = sum
        .checked_add(x)
        .ok_or_else(|| ModelError::Overflow(what()))?;
    Ok(())
}

/// `a × b`, an overflow an error naming what it is about.
pub fn checked_mul(
    a: Decimal,
    b: Decimal,
    what: impl Fn() -> String,
) -> Result<Decimal, ModelError> {
    a.checked_mul(b).ok_or_else(|| ModelError::Overflow(what()))
}

/// What the readers produced, for [`build`].
pub struct ModelInputs<'a> {
    /// The ledger sheets, in input order.
    pub sheets: Vec<LedgerSheet>,
    /// The run's string table (every sheet's strings absorbed in order).
    pub strings: Interner,
    pub master: &'a [MasterRecord],
    pub previous: &'a [PreviousRecord],
    /// Receipts and receivable settings; `None`: no open items are built.
    pub finance: Option<finance::FinanceInputs>,
}

/// Builds the model from what the readers produced, for a resolved period.
///
/// # Errors
/// [`ModelError::Overflow`] when a figure is too large; [`ModelError::Totals`]
/// when a control total breaks; [`ModelError::Spill`] when a spilled sheet
/// cannot be read back.
pub fn build(
    mut input: ModelInputs,
    period: Period,
    opts: &ModelOptions,
) -> Result<Model, ModelError> {
    let identities = identities(&mut input);
    let mut fold = SalesFold::new(period, &identities);
    fold.monthly = monthly::MonthlyFold::new(period.as_of, opts.monthly);
    let order_facts = input.finance.as_ref().is_some_and(|f| f.order_facts);
    fold.items = items::ItemsFold::new(input.finance.is_some()).price_facts(order_facts);
    fold.prices = opts.price_facts;
    let duplicates = fold_sheets(&mut fold, &mut input.sheets)?;
    let sheets = &input.sheets;
    let mut issues = Vec::new();
    for (si, (rows, after)) in duplicates.into_iter().enumerate() {
        for row in rows {
            issues.push(warning(
                &sheets[si].summary,
                Some(row),
                Problem::DuplicateRow,
            ));
        }
        if after.count > 0 {
            let problem = Problem::AfterAsOf {
                count: after.count,
                as_of: period.as_of,
            };
            issues.push(warning(&sheets[si].summary, after.first_row, problem));
        }
    }
    for s in sheets {
        fold.totals.add_sheet(&s.summary.stats)?;
    }
    let strings = &mut input.strings;
    let master_by = customers::merge_master(
        &mut fold,
        input.master,
        &identities,
        strings,
        period.as_of,
        &mut issues,
    );
    let prev_by =
        customers::merge_previous(&mut fold, input.previous, &identities, strings, &mut issues);
    let means = fold.product_means();
    let derive = customers::Derive {
        period,
        opts,
        strings,
        means: &means,
    };
    let mut customers = Vec::with_capacity(fold.accs.len());
    let mut monthly = Vec::new();
    for (ai, acc) in fold.accs.iter().enumerate() {
        let Some(key) = acc.key else { continue };
        if fold.monthly.is_on() {
            monthly.push(fold.monthly.sales.get(ai).cloned().unwrap_or_default());
        }
        let c = derive.metrics(acc, key, master_by.get(&key).copied())?;
        if let (true, Some((si, row))) = (acc.names.len() > 1, acc.name_change_at) {
            let problem = Problem::IdSeveralNames {
                id: c.key.clone(),
                names: acc
                    .names
                    .iter()
                    .filter_map(|&n| derive_text(strings, n))
                    .collect(),
                shown: c.name.clone(),
            };
            issues.push(warning(&sheets[si].summary, Some(row), problem));
        }
        customers.push(c);
    }
    for ((name, id), (rows, si, row)) in &fold.by_name {
        let problem = Problem::NameMatchedId {
            name: derive_text(strings, *name).unwrap_or_default(),
            id: derive_text(strings, *id).unwrap_or_default(),
            rows: *rows,
        };
        issues.push(warning(&sheets[*si].summary, Some(*row), problem));
    }
    for problem in identity::near_matches(&customers) {
        issues.push(Issue {
            kind: IssueKind::Warning,
            file: String::new(),
            sheet: String::new(),
            row: None,
            column: None,
            problem,
            cells: Vec::new(),
        });
    }
    let finance = match input.finance.take() {
        Some(f) => {
            let items = std::mem::take(&mut fold.items);
            let cx = finance::Context {
                period,
                fold: &fold,
                identities: &identities,
                strings,
                means: &means,
            };
            let mut done = finance::run(f, items, cx, &mut customers)?;
            done.strings = std::mem::take(strings);
            Some(done)
        }
        None => None,
    };
    let mut previous = BTreeMap::new();
    for (key, grade) in prev_by {
        if let Some(c) = fold.index.get(&key).and_then(|&ci| customers.get(ci)) {
            previous.entry(c.key.clone()).or_insert(grade);
        }
    }
    let mut totals = fold.totals;
    for c in &customers {
        checked_add(&mut totals.customer_sales, c.sales, || {
            "the sum of customer sales".into()
        })?;
    }
    check_totals(&totals)?;
    Ok(Model {
        period,
        customers,
        previous,
        totals,
        sheets: sheets.iter().map(|s| s.summary.clone()).collect(),
        issues,
        monthly,
        finance,
    })
}

fn derive_text(strings: &Interner, i: u32) -> Option<String> {
    (i != NONE).then(|| strings.get(i).unwrap_or_default().to_string())
}

/// The run's strings complete (sheets not yet absorbed by the reader join
/// in input order), and which IDs each normalised name goes with.
fn identities(input: &mut ModelInputs) -> Identities {
    let mut identities = Identities::default();
    for s in &mut input.sheets {
        s.rows.strings.absorb(&mut input.strings);
        for &(id, name) in &s.rows.id_names {
            identities.pair(s.rows.strings.global(id), s.rows.strings.global(name));
        }
    }
    for m in input.master {
        if let (Some(id), Some(name)) = (&m.who.id, &m.who.name) {
            let (gid, gname) = (input.strings.intern(id), input.strings.intern(name));
            identities.pair(gid, gname);
        }
    }
    identities
}

/// Folds every sheet's spilled lines in input order while a second thread
/// looks for exact duplicate rows; per sheet, the duplicate rows and the
/// lines after the as-of date.
fn fold_sheets(
    fold: &mut SalesFold,
    sheets: &mut [LedgerSheet],
) -> Result<Vec<(Vec<u32>, AfterAsOf)>, ModelError> {
    let lines: u64 = sheets.iter().map(|s| s.summary.stats.accepted).sum();
    let fingerprints: Vec<_> = sheets
        .iter_mut()
        .map(|s| s.rows.fingerprints.take())
        .collect();
    let mut after = vec![AfterAsOf::default(); sheets.len()];
    let duplicates = std::thread::scope(|scope| -> Result<Vec<Vec<u32>>, ModelError> {
        let finder = scope.spawn(move || duplicate_rows(fingerprints, lines));
        for (si, sheet) in sheets.iter_mut().enumerate() {
            fold_sheet(fold, si, sheet, &mut after[si])?;
        }
        match finder.join() {
            Ok(found) => Ok(found?),
            Err(p) => std::panic::resume_unwind(p),
        }
    })?;
    Ok(duplicates.into_iter().zip(after).collect())
}

/// Folds one sheet's spilled lines, texts renumbered into the run's table.
fn fold_sheet(
    fold: &mut SalesFold,
    si: usize,
    sheet: &mut LedgerSheet,
    after: &mut AfterAsOf,
) -> Result<(), ModelError> {
    let Some(mut spill) = sheet.rows.spill.take() else {
        return Ok(());
    };
    let strings = &sheet.rows.strings;
    let mut reader = spill.reader()?;
    while let Some(mut rec) = reader.next_record()? {
        for v in [
            &mut rec.id,
            &mut rec.name,
            &mut rec.product,
            &mut rec.region,
            &mut rec.sales_rep,
            &mut rec.order,
            &mut rec.source_order,
        ] {
            *v = strings.global(*v);
        }
        fold.line(
            Line {
                sheet: si,
                rec: &rec,
            },
            after,
        )?;
    }
    Ok(())
}

/// A warning about a row (or, with `row` None, the whole sheet) of a ledger sheet.
fn warning(sheet: &SheetSummary, row: Option<u32>, problem: Problem) -> Issue {
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

#[cfg(test)]
mod tests;
