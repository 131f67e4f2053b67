//! The jobs the page and the API run, each on the library pipeline exactly
//! as its command does: `check` (what each file reads as), `evaluate` (the
//! evaluation workbook and the JSON of `evaluate --json`), `monthly`,
//! `reconcile` (their workbooks and JSON) and `handouts` (the workbooks of
//! `evaluate --split-by` in one zip). A job runs on a blocking thread with
//! the run's uploads and writes its outputs into the run's `out/` folder;
//! workbooks print on A4 (`--paper` is the command line's).
//!
//! Each job is a function of one shape: a [`Form`] in, the command's JSON
//! and its [`Output`]s (built by the command's own report, written by
//! [`write_outputs`]) out; [`super::routes`] gives it its route.

use std::io::Write;
use std::sync::Arc;

use chrono::NaiveDate;

use serde_json::{json, Map, Value};

use super::error::ApiError;
use super::runs::{Download, RunDir, RunProgress, Stage};
use super::uploads::Form;
use crate::cmd::check::FileView;
use crate::labels::finance::finance;
use crate::labels::meeting::meeting;
use crate::labels::Lang;
use crate::pipeline::{self, Evaluated, Settings};
use crate::read::{FilesRead, InputKind, Issue, SheetRead};
use crate::render::handouts_json::HandoutsJson;
use crate::render::json::Issues;
use crate::render::monthly_json::MonthlyJson;
use crate::report::evaluation::Evaluation;
use crate::report::labels::texts;
use crate::report::model::{Book, NoParts, Paper, PartSource};
use crate::report::monthly::Monthly;
use crate::report::reconcile::{Reconciliation, NO_RECEIPTS};

/// What a job answers with: its JSON and the files it offers.
pub struct Done {
    pub json: Vec<u8>,
    pub downloads: Vec<Download>,
}

/// The signature of every job.
pub type Job = fn(Form, &RunDir, Arc<RunProgress>) -> Result<Done, ApiError>;

/// How many issues `check` lists per sheet (as `tierbook check --show`).
const CHECK_SHOW: usize = 5;

/// A file a job writes.
pub struct Output<'a> {
    pub key: &'static str,
    /// Its name in the output language, and in ASCII.
    pub name: String,
    pub ascii_name: String,
    pub mime: &'static str,
    pub body: Body<'a>,
}

/// What an output file holds.
pub enum Body<'a> {
    Bytes(&'a [u8]),
    /// A workbook, assembled straight into its file, its deferred blocks
    /// made by the source.
    Workbook(&'a Book, &'a dyn PartSource),
    /// Workbooks (file name, book) in one zip.
    Zip(&'a [(&'a str, &'a Book)]),
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const JSON: &str = "application/json";
const ZIP: &str = "application/zip";

/// Writes the outputs into the run's `out/` folder, each under its key.
///
/// # Errors
/// A file cannot be written or a workbook assembled.
pub fn write_outputs(run: &RunDir, outputs: &[Output]) -> Result<Vec<Download>, ApiError> {
    let mut downloads = Vec::new();
    for o in outputs {
        let ext = o.ascii_name.rsplit_once('.').map_or("bin", |(_, e)| e);
        let path = run.output().join(format!("{}.{ext}", o.key));
        let failed = |e: String| ApiError::internal(format!("cannot write {}: {e}", o.name));
        let mut file = std::fs::File::create(&path).map_err(|e| failed(e.to_string()))?;
        match &o.body {
            Body::Bytes(b) => file.write_all(b).map_err(|e| failed(e.to_string()))?,
            Body::Workbook(book, parts) => {
                crate::render::xlsx::write_xlsx_then(book, *parts, &mut file, &|| {})
                    .map_err(|e| failed(format!("{e:#}")))?
            }
            Body::Zip(books) => crate::render::bundle::write_zip(books, &run.output(), &mut file)
                .map_err(|e| failed(format!("{e:#}")))?,
        }
        downloads.push(Download {
            key: o.key,
            path,
            name: o.name.clone(),
            ascii_name: o.ascii_name.clone(),
            mime: o.mime,
        });
    }
    Ok(downloads)
}

/// The pipeline's settings for a form, reporting to `progress`.
fn settings(form: &Form, progress: Arc<RunProgress>) -> Settings {
    let mut s = Settings::new(form.rules.clone());
    s.as_of = form.as_of;
    s.lang = form.lang;
    s.progress = progress;
    s
}

/// The request's sales ledgers, or a 400 naming the field.
fn need_ledger(form: &Form) -> Result<(), ApiError> {
    if form.inputs.ledgers.is_empty() {
        return Err(ApiError::bad_request(
            "no sales ledger: send at least one file in the form field \"ledger\"",
        ));
    }
    Ok(())
}

/// The pipeline's error as a 422, files named as uploaded.
fn failed(form: &Form, e: &pipeline::PipelineError) -> ApiError {
    ApiError::unprocessable(form.names.in_message(&e.to_string()))
}

/// The graded run of a form (as `evaluate` and `monthly` grade), files
/// shown by their upload names; the stage is writing when it returns.
///
/// # Errors
/// No ledger (400); the pipeline's error (422).
fn graded(form: &Form, settings: &Settings, progress: &RunProgress) -> Result<Evaluated, ApiError> {
    need_ledger(form)?;
    let mut done = pipeline::evaluate(&form.inputs, settings).map_err(|e| failed(form, &e))?;
    form.names.apply_gathered(&mut done.gathered);
    progress.set(Stage::Writing);
    Ok(done)
}

/// A document as the command's `--json` writes it.
fn json_of(doc: &impl serde::Serialize) -> Result<Vec<u8>, ApiError> {
    let mut json = Vec::new();
    crate::render::json::write_pretty(&mut json, doc)
        .map_err(|e| ApiError::internal(format!("cannot write the JSON: {e}")))?;
    Ok(json)
}

/// A workbook and the JSON beside it, downloaded as `{title}_{as_of}.xlsx`
/// (`tierbook-{what}-{as_of}.xlsx` in ASCII) and `tierbook-{what}-{as_of}.json`.
fn book_and_json<'a>(
    key: &'static str,
    what: &str,
    title: &str,
    as_of: NaiveDate,
    book: &'a Book,
    parts: &'a dyn PartSource,
    json: &'a [u8],
) -> [Output<'a>; 2] {
    let json_name = format!("tierbook-{what}-{as_of}.json");
    [
        Output {
            key,
            name: format!("{title}_{as_of}.xlsx"),
            ascii_name: format!("tierbook-{what}-{as_of}.xlsx"),
            mime: XLSX,
            body: Body::Workbook(book, parts),
        },
        Output {
            key: "json",
            name: json_name.clone(),
            ascii_name: json_name,
            mime: JSON,
            body: Body::Bytes(json),
        },
    ]
}

/// `evaluate`: grades, writes the evaluation workbook and the JSON of
/// `evaluate --json`.
///
/// # Errors
/// No ledger (400); the pipeline's error, files named as uploaded (422).
pub fn evaluate(form: Form, run: &RunDir, progress: Arc<RunProgress>) -> Result<Done, ApiError> {
    let settings = settings(&form, progress.clone());
    let done = graded(&form, &settings, &progress)?;
    let ev = Evaluation::of(&done, &settings.rules, settings.lang);
    let book = ev.book();
    let json = json_of(&crate::render::json::evaluation_json(
        &ev,
        &settings.rules.source,
    ))?;
    let title = texts(settings.lang).title_evaluation;
    let as_of = ev.model.period.as_of;
    let outputs = book_and_json(
        "evaluation",
        "evaluation",
        title,
        as_of,
        &book,
        &NoParts,
        &json,
    );
    let downloads = write_outputs(run, &outputs)?;
    Ok(Done { json, downloads })
}

/// `monthly`: grades with the monthly sales kept, writes the monthly
/// follow-up workbook and the JSON of `monthly --json`.
///
/// # Errors
/// As [`evaluate`].
pub fn monthly(form: Form, run: &RunDir, progress: Arc<RunProgress>) -> Result<Done, ApiError> {
    let mut settings = settings(&form, progress.clone());
    settings.monthly = true;
    let done = graded(&form, &settings, &progress)?;
    let monthly = Monthly::of(Evaluation::of(&done, &settings.rules, settings.lang));
    let book = monthly.book();
    let json = json_of(&MonthlyJson {
        monthly: &monthly,
        source: &settings.rules.source,
    })?;
    let title = meeting(settings.lang).title_monthly;
    let as_of = monthly.ev.model.period.as_of;
    let outputs = book_and_json("monthly", "monthly", title, as_of, &book, &NoParts, &json);
    let downloads = write_outputs(run, &outputs)?;
    Ok(Done { json, downloads })
}

/// Handouts (`evaluate --split-by`): grades, writes one evaluation workbook
/// per region or sales rep into one zip, and answers with the groups.
///
/// # Errors
/// No `split_by` or no ledger (400); the pipeline's error (422).
pub fn handouts(form: Form, run: &RunDir, progress: Arc<RunProgress>) -> Result<Done, ApiError> {
    let split = form.split_by.ok_or_else(|| {
        ApiError::bad_request(
            "no split_by: send the form field \"split_by\" as region or sales_rep",
        )
    })?;
    let settings = settings(&form, progress.clone());
    let done = graded(&form, &settings, &progress)?;
    let ev = Evaluation::of(&done, &settings.rules, settings.lang);
    let handouts = crate::report::handouts::handouts(&ev, split, Paper::A4);
    let json = json_of(&HandoutsJson {
        ev: &ev,
        split,
        handouts: &handouts,
        source: &settings.rules.source,
    })?;
    let books: Vec<(&str, &Book)> = (handouts.iter())
        .map(|h| (h.file.as_str(), &h.book))
        .collect();
    let title = texts(settings.lang).title_evaluation;
    let (as_of, by) = (ev.model.period.as_of, split.label(settings.lang));
    let outputs = [Output {
        key: "handouts",
        name: format!("{title}_{by}_{as_of}.zip"),
        ascii_name: format!("tierbook-handouts-{}-{as_of}.zip", split.as_str()),
        mime: ZIP,
        body: Body::Zip(&books),
    }];
    let downloads = write_outputs(run, &outputs)?;
    Ok(Done { json, downloads })
}

/// `reconcile`: reads ledgers, receipts and customer master (previous
/// grades are not its inputs), matches them, writes the reconciliation
/// workbook and the JSON of `reconcile --json`.
///
/// # Errors
/// No ledger or no receipts (400); the pipeline's error, or receipts that
/// give no sheet (422).
pub fn reconcile(
    mut form: Form,
    run: &RunDir,
    progress: Arc<RunProgress>,
) -> Result<Done, ApiError> {
    need_ledger(&form)?;
    if form.inputs.receipts.is_empty() {
        return Err(ApiError::bad_request(format!(
            "{NO_RECEIPTS}: send the receipts ledger (回款台账) in the form field \"receipts\""
        )));
    }
    form.inputs.previous.clear();
    let mut settings = settings(&form, progress.clone());
    settings.statements = true;
    settings.evaluation_facts = false;
    let mut gathered = pipeline::gather(&form.inputs, &settings).map_err(|e| failed(&form, &e))?;
    form.names.apply_gathered(&mut gathered);
    progress.set(Stage::Writing);
    let rec = Reconciliation::of(&gathered, &settings.rules, settings.lang)
        .ok_or_else(|| ApiError::unprocessable(NO_RECEIPTS))?;
    let book = rec.book();
    let json = json_of(&crate::render::json::reconciliation_json(
        &rec,
        &settings.rules.source,
    ))?;
    let title = finance(settings.lang).title_reconcile;
    let as_of = rec.model.period.as_of;
    let outputs = book_and_json(
        "reconciliation",
        "reconciliation",
        title,
        as_of,
        &book,
        &rec,
        &json,
    );
    let downloads = write_outputs(run, &outputs)?;
    Ok(Done { json, downloads })
}

/// `check`: what each file reads as (header row, columns, counts, first
/// issues), nothing computed. A file with no usable sheet makes it a 422
/// that still lists every file.
///
/// # Errors
/// No file (400); a file cannot be read at all, or a file has no sheet with
/// the required columns (422).
pub fn check(form: Form, _run: &RunDir, progress: Arc<RunProgress>) -> Result<Done, ApiError> {
    if form.inputs.all().is_empty() {
        return Err(ApiError::bad_request(
            "nothing to check: send files in the form fields ledger, receipts, customers or previous",
        ));
    }
    let settings = settings(&form, progress);
    let mut read = pipeline::check(&form.inputs, &settings).map_err(|e| failed(&form, &e))?;
    let n = &form.names;
    n.apply_read(&mut read.ledgers);
    n.apply_read(&mut read.receipts);
    n.apply_read(&mut read.customers);
    n.apply_read(&mut read.previous);
    let i = &form.inputs;
    let lang = form.lang;
    let mut files = Vec::new();
    let mut failed = Vec::new();
    kind_json(
        InputKind::Ledger,
        &n.shown(&i.ledgers),
        &read.ledgers,
        lang,
        &mut files,
        &mut failed,
    );
    kind_json(
        InputKind::Receipts,
        &n.shown(&i.receipts),
        &read.receipts,
        lang,
        &mut files,
        &mut failed,
    );
    kind_json(
        InputKind::Customers,
        &n.shown(&i.customers),
        &read.customers,
        lang,
        &mut files,
        &mut failed,
    );
    kind_json(
        InputKind::Previous,
        &n.shown(&i.previous),
        &read.previous,
        lang,
        &mut files,
        &mut failed,
    );
    let files = Value::Array(files);
    if !failed.is_empty() {
        return Err(ApiError::unprocessable(failed.join("\n"))
            .with("ok", Value::Bool(false))
            .with("files", files));
    }
    let json = serde_json::to_vec(&json!({"ok": true, "files": files}))
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Done {
        json,
        downloads: Vec::new(),
    })
}

/// The files of one kind as `check` shows them; failures are added to `failed`.
fn kind_json<K>(
    kind: InputKind,
    shown: &[std::path::PathBuf],
    read: &FilesRead<K>,
    lang: Lang,
    files: &mut Vec<Value>,
    failed: &mut Vec<String>,
) {
    for view in FileView::all(kind, shown, read) {
        let failure = view.failure();
        let sheets: Vec<Value> = view.sheets.iter().map(|s| sheet_json(s, lang)).collect();
        let notices: Vec<Value> = view
            .notices
            .iter()
            .map(|i| json!({"sheet": i.sheet, "message": i.problem.message(lang)}))
            .collect();
        files.push(json!({
            "kind": kind.as_str(),
            "file": view.file,
            "ok": failure.is_none(),
            "sheets": sheets,
            "notices": notices,
        }));
        failed.extend(failure);
    }
}

/// One sheet as `check` shows it: header row, counts, column mapping and
/// the first issues.
fn sheet_json<K>(s: &SheetRead<K>, lang: Lang) -> Value {
    let sum = &s.summary;
    let issues: Vec<Issue> = FileView::sheet_issues(s).into_iter().cloned().collect();
    let shown = issues.len().min(CHECK_SHOW);
    let mut o = Map::new();
    o.insert("sheet".into(), json!(sum.sheet));
    o.insert("header_row".into(), json!(sum.header_row));
    o.insert("rows_read".into(), json!(sum.stats.rows_read));
    o.insert("accepted".into(), json!(sum.stats.accepted));
    o.insert("rejected".into(), json!(sum.stats.rejected));
    o.insert("totals_rows".into(), json!(sum.stats.totals_rows));
    o.insert("columns".into(), json!(sum.columns));
    o.insert(
        "issues".into(),
        serde_json::to_value(Issues(&issues[..shown], lang)).unwrap_or(Value::Null),
    );
    o.insert("more_issues".into(), json!(issues.len() - shown));
    Value::Object(o)
}

/// `json` (an object, as the command writes it) with `downloads` added as
/// its last entry.
pub fn with_downloads(json: &[u8], downloads: &Value) -> Vec<u8> {
    let end = json.iter().rposition(|&b| b == b'}').unwrap_or(json.len());
    let head = json[..end].trim_ascii_end();
    let mut out = Vec::with_capacity(json.len() + 512);
    out.extend_from_slice(head);
    if head != b"{" {
        out.push(b',');
    }
    out.extend_from_slice(b"\n  \"downloads\": ");
    out.extend_from_slice(&serde_json::to_vec(downloads).unwrap_or_else(|_| b"{}".to_vec()));
    out.extend_from_slice(b"\n}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_are_added_to_the_document() {
        let doc = json!({"tool": "tierbook", "customers": [{"key": "K1", "sales": 1.50}]});
        let mut bytes = Vec::new();
        crate::render::json::write_pretty(&mut bytes, &doc).expect("json");
        let links = json!({"evaluation": "/download/ab/evaluation?token=t"});
        let out = with_downloads(&bytes, &links);
        let back: Value = serde_json::from_slice(&out).expect("still JSON");
        assert_eq!(back["downloads"], links);
        assert_eq!(back["customers"], doc["customers"]);
        assert_eq!(back.as_object().map(|o| o.len()), Some(3));
        let empty = with_downloads(b"{}", &links);
        assert_eq!(
            serde_json::from_slice::<Value>(&empty).expect("json")["downloads"],
            links
        );
    }
}
