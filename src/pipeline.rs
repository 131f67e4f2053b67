//! The library pipeline, free of the command line: plain [`Inputs`] and
//! [`Settings`] in, [`Gathered`] (every input read, the period resolved, the
//! model built) and then [`Evaluated`] (grades) out. The command line, the
//! tests and the web page all call it; none of them read or grade on their
//! own.
//!
//! # Examples
//!
//! ```no_run
//! use tierbook::pipeline::{evaluate, Inputs, Settings};
//! use tierbook::rules::Rules;
//! let inputs = Inputs {
//!     ledgers: vec!["samples/销售台账.xlsx".into()],
//!     ..Inputs::default()
//! };
//! let done = evaluate(&inputs, &Settings::new(Rules::three_tier())).expect("graded");
//! println!("{} customers", done.gathered.model.customers.len());
//! ```

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::grade::{grade_all, CustomerGrade};
use crate::labels::Lang;
use crate::model::finance::{Finance, FinanceInputs};
use crate::model::{build, Model, ModelError, ModelInputs, ModelOptions, Period};
use crate::progress::{Deferred, Progress, Silent};
use crate::read::master::{MasterRecord, MasterRows};
use crate::read::previous::{PreviousRecord, PreviousRows};
use crate::read::receipts::ReceiptRows;
use crate::read::{
    read_files, read_ledgers, DayMonthOrder, FilesRead, HeaderMatcher, InputKind, Issue, IssueKind,
    KindReader, LatestDates, Ledgers, Limits, ReadError, ReadOptions, RowKind, SheetRead,
    SheetSummary, SheetTask, Style,
};
use crate::rules::Rules;

/// The files of a run, by kind. Several files of a kind are concatenated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    pub ledgers: Vec<PathBuf>,
    pub receipts: Vec<PathBuf>,
    pub customers: Vec<PathBuf>,
    pub previous: Vec<PathBuf>,
}

impl Inputs {
    /// Every input file, for the rule that no output replaces an input.
    pub fn all(&self) -> Vec<PathBuf> {
        self.ledgers
            .iter()
            .chain(&self.receipts)
            .chain(&self.customers)
            .chain(&self.previous)
            .cloned()
            .collect()
    }
}

/// How to run: validated once, by whoever calls.
#[derive(Clone)]
pub struct Settings {
    pub rules: Rules,
    /// `None`: the latest valid ledger date.
    pub as_of: Option<NaiveDate>,
    pub lang: Lang,
    pub limits: Limits,
    /// Only these sheets of the sales ledgers, when non-empty (`--sheet`).
    pub sheets: Vec<String>,
    /// Threads for reading sheets (0: one per core).
    pub threads: usize,
    pub progress: Arc<dyn Progress>,
    /// Keep each customer's monthly sales (the monthly follow-up).
    pub monthly: bool,
    /// Keep every customer's statement lines and open items (the
    /// reconciliation workbook).
    pub statements: bool,
    /// Build the facts only the evaluation shows: each customer's quantity
    /// and price index (its columns and factors) and the window orders'
    /// price index and paid-on-time flag (its Order Upgrades sheet). The
    /// reconciliation shows none of them.
    pub evaluation_facts: bool,
}

impl Settings {
    /// Defaults for everything but the rules: as-of from the data, zh-CN,
    /// default limits, every sheet, one thread per core, no progress.
    pub fn new(rules: Rules) -> Settings {
        Settings {
            rules,
            as_of: None,
            lang: Lang::default(),
            limits: Limits::default(),
            sheets: Vec::new(),
            threads: 0,
            progress: Arc::new(Silent),
            monthly: false,
            statements: false,
            evaluation_facts: true,
        }
    }

    fn read_options(&self, sheets: &[String]) -> ReadOptions {
        ReadOptions {
            sheets: sheets.to_vec(),
            style: Style {
                order: match self.rules.day_first() {
                    Some(true) => DayMonthOrder::DayFirst,
                    Some(false) => DayMonthOrder::MonthFirst,
                    None => DayMonthOrder::Reject,
                },
                decimal_comma: self.rules.decimal_comma,
                // Each workbook's own date system is added where it is opened.
                date_1904: false,
            },
            limits: self.limits,
            threads: self.threads,
            progress: Some(self.progress.clone()),
        }
    }

    fn matcher(&self, kind: InputKind) -> HeaderMatcher {
        HeaderMatcher::new(kind, self.rules.columns.get(kind.as_str()))
    }
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Model(#[from] ModelError),
    /// No sheet of the sales ledgers has a header with the required columns.
    #[error("no sheet of the sales ledger has a header row with the required columns (date, customer, amount):\n{}", .0.join("\n"))]
    NoLedgerHeader(Vec<String>),
}

/// Every input read, the period resolved and the model built.
pub struct Gathered {
    pub model: Model,
    /// Every sheet read, every kind, in input order (ledger, receipts,
    /// customers, previous).
    pub inputs: Vec<SheetSummary>,
    /// Every issue, in input order.
    pub issues: Vec<Issue>,
    pub has_previous: bool,
    pub has_receipts: bool,
    /// Receivables (when receipts were given) and the window orders (when
    /// receipts were given or the order-upgrade rule needs no payment).
    pub finance: Option<Finance>,
}

/// A gathered run with every customer graded (in the model's order).
pub struct Evaluated {
    pub gathered: Gathered,
    pub grades: Vec<CustomerGrade>,
}

/// The small tables of a run: customer master and previous grades.
struct Tables {
    master: FilesRead<MasterRows>,
    previous: FilesRead<PreviousRows>,
}

/// Reads the sheets of every file of a small-table kind (kept in memory).
fn read_table<K: RowKind + Send>(
    files: &[PathBuf],
    matcher: &HeaderMatcher,
    opts: &ReadOptions,
    make: impl Fn(&SheetTask) -> K + Sync,
) -> Result<FilesRead<K>, ReadError> {
    let how = KindReader {
        matcher,
        make: |t: &SheetTask| Ok(make(t)),
        sheets: &[],
    };
    read_files(files, &how, opts, &mut |_: &mut SheetRead<K>| {})
}

fn read_tables(inputs: &Inputs, settings: &Settings) -> Result<Tables, ReadError> {
    let opts = settings.read_options(&[]);
    Ok(Tables {
        master: read_table(
            &inputs.customers,
            &settings.matcher(InputKind::Customers),
            &opts,
            MasterRows::new,
        )?,
        previous: read_table(
            &inputs.previous,
            &settings.matcher(InputKind::Previous),
            &opts,
            PreviousRows::new,
        )?,
    })
}

/// Reads the receipts ledgers through the same machinery as the sales
/// ledgers. Their strings join the run's table afterwards
/// ([`read_ledgers_and_receipts`]), so they can be read while the ledgers are.
fn read_receipts(
    inputs: &Inputs,
    settings: &Settings,
    progress: Arc<dyn Progress>,
    threads: usize,
) -> Result<FilesRead<ReceiptRows>, ReadError> {
    let opts = ReadOptions {
        progress: Some(progress),
        threads,
        ..settings.read_options(&[])
    };
    let matcher = settings.matcher(InputKind::Receipts);
    let how = KindReader {
        matcher: &matcher,
        make: ReceiptRows::new,
        sheets: &[],
    };
    read_files(&inputs.receipts, &how, &opts, &mut |_: &mut SheetRead<
        ReceiptRows,
    >| {})
}

/// Reads the sales ledgers and the receipts ledgers, the receipts on a
/// thread of their own while the ledgers are read when there is more than
/// one core to read with (their progress is shown once the ledgers' is
/// over). A ledger's error comes first, as when they are read in turn. The
/// receipts' strings then join the run's table, sheet by sheet in input
/// order, as the ledgers' did.
fn read_ledgers_and_receipts(
    inputs: &Inputs,
    settings: &Settings,
) -> Result<(Ledgers, FilesRead<ReceiptRows>), ReadError> {
    let (mut ledgers, mut receipts) = read_both(inputs, settings)?;
    let summaries = ledgers.read.sheets.iter().map(|s| &s.summary);
    crate::read::amounts_fit(summaries.chain(receipts.sheets.iter().map(|s| &s.summary)))?;
    for s in &mut receipts.sheets {
        s.rows.strings.absorb(&mut ledgers.strings);
    }
    Ok((ledgers, receipts))
}

/// See [`read_ledgers_and_receipts`].
fn read_both(
    inputs: &Inputs,
    settings: &Settings,
) -> Result<(Ledgers, FilesRead<ReceiptRows>), ReadError> {
    let opts = settings.read_options(&settings.sheets);
    let matcher = settings.matcher(InputKind::Ledger);
    if inputs.receipts.is_empty() || crate::threads::cores(settings.threads) < 2 {
        let ledgers = read_ledgers(&inputs.ledgers, &matcher, &opts)?;
        let receipts = read_receipts(
            inputs,
            settings,
            settings.progress.clone(),
            settings.threads,
        )?;
        return Ok((ledgers, receipts));
    }
    let later = Arc::new(Deferred::new(settings.progress.clone()));
    std::thread::scope(|scope| {
        let progress: Arc<dyn Progress> = later.clone();
        // One thread: the ledgers' readers keep the other cores busy.
        let receipts = scope.spawn(move || read_receipts(inputs, settings, progress, 1));
        let ledgers = read_ledgers(&inputs.ledgers, &matcher, &opts);
        later.show();
        let receipts = receipts
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        Ok((ledgers?, receipts?))
    })
}

/// The notices that explain why no ledger sheet was usable.
fn no_header_reasons<K>(read: &FilesRead<K>) -> Vec<String> {
    read.issues()
        .filter(|i| i.kind == IssueKind::Notice)
        .map(|i| {
            format!(
                "  {} / {}: {}",
                i.file,
                i.sheet,
                i.problem.message(Lang::En)
            )
        })
        .collect()
}

/// Reads every input, resolves the period and builds the model.
///
/// # Errors
/// A file cannot be read ([`PipelineError::Read`], naming it); no ledger
/// sheet has a header ([`PipelineError::NoLedgerHeader`]); no as-of date can
/// be found, a figure overflows or a control total breaks
/// ([`PipelineError::Model`]).
pub fn gather(inputs: &Inputs, settings: &Settings) -> Result<Gathered, PipelineError> {
    let (Ledgers { read, strings }, receipts) = read_ledgers_and_receipts(inputs, settings)?;
    if read.no_header() {
        return Err(PipelineError::NoLedgerHeader(no_header_reasons(&read)));
    }
    let mut latest = LatestDates::default();
    for s in &read.sheets {
        latest.merge(&s.rows.dates);
    }
    let period = Period::resolve(settings.as_of, &latest, settings.rules.window.months)?;
    let tables = read_tables(inputs, settings)?;
    let mut issues: Vec<Issue> = read.issues().cloned().collect();
    let mut summaries = read.summaries();
    summaries.extend(receipts.summaries());
    summaries.extend(tables.master.summaries());
    summaries.extend(tables.previous.summaries());
    let later: Vec<Issue> = receipts
        .issues()
        .chain(tables.master.issues())
        .chain(tables.previous.issues())
        .cloned()
        .collect();
    let master: Vec<MasterRecord> = records(tables.master);
    let previous: Vec<PreviousRecord> = records(tables.previous);
    let unknown_grades = crate::read::previous::unknown_grades(&previous, &settings.rules);
    let finance = finance_inputs(inputs, settings, receipts.sheets);
    let mut model = build(
        ModelInputs {
            sheets: read.sheets,
            strings,
            master: &master,
            previous: &previous,
            finance,
        },
        period,
        &ModelOptions {
            new_client_months: settings.rules.new_clients.months,
            annualize: settings.rules.new_clients.annualize,
            monthly: settings.monthly,
            price_facts: settings.evaluation_facts,
        },
    )?;
    issues.extend(model.issues.iter().cloned());
    issues.extend(later);
    issues.extend(unknown_grades);
    let finance = model.finance.take();
    Ok(Gathered {
        model,
        inputs: summaries,
        issues,
        has_previous: !inputs.previous.is_empty(),
        has_receipts: !inputs.receipts.is_empty(),
        finance,
    })
}

/// What the model needs to build open items: the receipts read (when any
/// receipts file was given) and the `[receivables]` settings; `None` when
/// neither receipts nor the order-upgrade rule need orders.
fn finance_inputs(
    inputs: &Inputs,
    settings: &Settings,
    receipts: Vec<SheetRead<ReceiptRows>>,
) -> Option<FinanceInputs> {
    let rules = &settings.rules;
    let given = !inputs.receipts.is_empty();
    if !given && rules.order_upgrade.paid_on_time {
        return None;
    }
    Some(FinanceInputs {
        receipts: given.then_some(receipts),
        default_terms_days: rules.receivables.default_terms_days,
        aging_days: rules.receivables.aging_days.clone(),
        basis: rules.receivables.aging_basis,
        keep_statements: settings.statements,
        order_facts: settings.evaluation_facts,
    })
}

/// The records of a small table, sheets in order.
fn records<R>(read: FilesRead<crate::read::master::TableRows<R>>) -> Vec<R> {
    read.sheets
        .into_iter()
        .flat_map(|s| s.rows.records)
        .collect()
}

/// Reads, builds and grades (SPEC 7.1).
///
/// # Errors
/// As [`gather`].
pub fn evaluate(inputs: &Inputs, settings: &Settings) -> Result<Evaluated, PipelineError> {
    let gathered = gather(inputs, settings)?;
    let previous: HashMap<String, String> = gathered
        .model
        .previous
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let grades = grade_all(&gathered.model.customers, &previous, &settings.rules);
    Ok(Evaluated { gathered, grades })
}

/// What `check` shows: every input read, nothing computed.
pub struct Checked {
    pub ledgers: FilesRead<crate::read::LedgerRows>,
    pub receipts: FilesRead<ReceiptRows>,
    pub customers: FilesRead<MasterRows>,
    pub previous: FilesRead<PreviousRows>,
}

/// Reads every input as `evaluate` would and keeps what was read (a dry run:
/// no period, no model, nothing written).
///
/// # Errors
/// A file cannot be opened or read at all.
pub fn check(inputs: &Inputs, settings: &Settings) -> Result<Checked, PipelineError> {
    let (Ledgers { read, .. }, receipts) = read_ledgers_and_receipts(inputs, settings)?;
    let tables = read_tables(inputs, settings)?;
    Ok(Checked {
        ledgers: read,
        receipts,
        customers: tables.master,
        previous: tables.previous,
    })
}
