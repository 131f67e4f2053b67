//! The routes of `tierbook serve` and the guard in front of them.
//!
//! | route | does |
//! |---|---|
//! | `GET /` | the page (token required) |
//! | `GET /assets/{name}` | the page's script, style, icon and texts (public: nothing in them is secret) |
//! | `GET /api/config` | the upload limit and the built-in templates |
//! | `POST /api/check` | `check` over the uploaded files |
//! | `POST /api/evaluate` | `evaluate`: the JSON of `evaluate --json` plus `downloads` |
//! | `POST /api/monthly` | `monthly`: the JSON of `monthly --json` plus `downloads` |
//! | `POST /api/reconcile` | `reconcile`: the JSON of `reconcile --json` plus `downloads` |
//! | `POST /api/handouts` | `evaluate --split-by` (`split_by`): the groups, the handouts in one zip |
//! | `GET /api/progress/{run}` | how far the run the page named in `X-Tierbook-Job` is |
//! | `GET /download/{run}/{key}` | a file a run wrote |
//!
//! Another command's job is one route in [`router`] and a three-line handler
//! like [`evaluate`]'s, with its job function in [`super::jobs`].

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Map, Value};

use super::assets;
use super::error::{json_bytes, json_response, ApiError};
use super::jobs::{self, Job};
use super::runs::{Runs, Tracker};
use super::security::{add_headers, header, Guard, Refusal};
use super::uploads;

/// Everything the routes share.
pub struct App {
    pub guard: Guard,
    pub runs: Runs,
    pub tracker: Tracker,
    /// The most bytes one request may upload.
    pub max_upload: u64,
}

/// The header the page names its run by, to ask for its progress.
pub const JOB_HEADER: &str = "x-tierbook-job";

/// The server's routes behind the guard.
pub fn router(app: Arc<App>) -> Router {
    let limit = usize::try_from(app.max_upload).unwrap_or(usize::MAX);
    Router::new()
        .route("/", get(index))
        .route("/assets/{name}", get(asset))
        .route("/api/config", get(config))
        .route("/api/progress/{id}", get(progress))
        .route("/api/check", post(check))
        .route("/api/evaluate", post(evaluate))
        .route("/api/monthly", post(monthly))
        .route("/api/reconcile", post(reconcile))
        .route("/api/handouts", post(handouts))
        .route("/download/{id}/{key}", get(download))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// The multipart form of a job's request.
type Form = Result<Multipart, MultipartRejection>;

async fn check(app: State<Arc<App>>, headers: HeaderMap, form: Form) -> Response {
    run(app, headers, form, jobs::check).await
}

async fn evaluate(app: State<Arc<App>>, headers: HeaderMap, form: Form) -> Response {
    run(app, headers, form, jobs::evaluate).await
}

async fn monthly(app: State<Arc<App>>, headers: HeaderMap, form: Form) -> Response {
    run(app, headers, form, jobs::monthly).await
}

async fn reconcile(app: State<Arc<App>>, headers: HeaderMap, form: Form) -> Response {
    run(app, headers, form, jobs::reconcile).await
}

async fn handouts(app: State<Arc<App>>, headers: HeaderMap, form: Form) -> Response {
    run(app, headers, form, jobs::handouts).await
}

/// Checks every request (see [`super::security`]) and adds the security
/// headers to every answer.
async fn guard(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let uri = req.uri().clone();
    let public = uri.path().starts_with("/assets/");
    let checked = app
        .guard
        .check(req.method(), uri.path(), uri.query(), req.headers(), public);
    let mut response = match checked {
        Err(r) => refusal(r, uri.path()),
        Ok(()) if declared_size(req.headers()).is_some_and(|n| n > app.max_upload) => {
            too_large(req, app.max_upload)
        }
        Ok(()) => next.run(req).await,
    };
    add_headers(response.headers_mut());
    response
}

/// The size a request declares (`Content-Length`).
fn declared_size(headers: &HeaderMap) -> Option<u64> {
    header(headers, "content-length").and_then(|v| v.trim().parse().ok())
}

/// A 413 for an upload over the limit, answered at once; the body is read
/// and dropped meanwhile, so the client gets to read the answer (a closed
/// connection would reset it) and the server stays up.
fn too_large(req: Request, limit: u64) -> Response {
    let mut body = req.into_body();
    tokio::spawn(async move {
        let drain = async { while let Some(Ok(_)) = body.frame().await {} };
        let _ = tokio::time::timeout(Duration::from_secs(600), drain).await;
    });
    ApiError::too_large(Some(limit)).into_response()
}

/// The answer to a refused request: 404 for a path with `..`, else 403;
/// the page opened without its token says where to find the address.
fn refusal(r: Refusal, path: &str) -> Response {
    match r {
        Refusal::Path => ApiError::new(StatusCode::NOT_FOUND, r.message()).into_response(),
        Refusal::Token if path == "/" => (
            StatusCode::FORBIDDEN,
            [("content-type", "text/html; charset=utf-8")],
            assets::no_token_page(),
        )
            .into_response(),
        _ => ApiError::new(StatusCode::FORBIDDEN, r.message()).into_response(),
    }
}

async fn not_found() -> Response {
    ApiError::new(StatusCode::NOT_FOUND, "not found").into_response()
}

async fn index() -> Response {
    (
        [("content-type", "text/html; charset=utf-8")],
        assets::INDEX_HTML,
    )
        .into_response()
}

async fn asset(Path(name): Path<String>) -> Response {
    match assets::asset(&name) {
        Some((mime, bytes)) => (
            [("content-type", mime), ("cache-control", "no-cache")],
            bytes,
        )
            .into_response(),
        None => ApiError::new(StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

async fn config(State(app): State<Arc<App>>) -> Response {
    json_response(
        StatusCode::OK,
        &json!({
            "version": env!("CARGO_PKG_VERSION"),
            "max_upload_bytes": app.max_upload,
            "templates": ["three-tier", "four-tier"],
        }),
    )
}

async fn progress(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    match app.tracker.get(&id) {
        Some(report) => json_response(
            StatusCode::OK,
            &serde_json::to_value(report).unwrap_or(Value::Null),
        ),
        None => ApiError::new(
            StatusCode::NOT_FOUND,
            "no run in progress by that id (it has finished, or never started)",
        )
        .into_response(),
    }
}

/// Receives a run's files, runs its job on a blocking thread, and answers
/// with the job's JSON (plus `downloads` when it wrote files).
async fn run(State(app): State<Arc<App>>, headers: HeaderMap, form: Form, job: Job) -> Response {
    match run_job(&app, &headers, form, job).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn run_job(
    app: &Arc<App>,
    headers: &HeaderMap,
    form: Form,
    job: Job,
) -> Result<Response, ApiError> {
    let form = form.map_err(|e| {
        ApiError::bad_request(format!(
            "send the files as multipart/form-data: {}",
            e.body_text()
        ))
    })?;
    let tracked = app.tracker.track(header(headers, JOB_HEADER));
    let dir = app
        .runs
        .create()
        .map_err(|e| ApiError::internal(format!("cannot make the run's folder: {e}")))?;
    let form = uploads::read_form(form, &dir.input(), &tracked.progress).await?;
    let progress = tracked.progress.clone();
    let (result, dir) = tokio::task::spawn_blocking(move || {
        let result = job(form, &dir, progress);
        (result, dir)
    })
    .await
    .map_err(|e| ApiError::internal(format!("the run stopped: {e}")))?;
    let done = result?;
    if done.downloads.is_empty() {
        return Ok(json_bytes(StatusCode::OK, done.json));
    }
    let token = app.guard.token();
    let links: Map<String, Value> = done
        .downloads
        .iter()
        .map(|d| {
            let url = format!("/download/{}/{}?token={token}", dir.id, d.key);
            (d.key.to_string(), Value::String(url))
        })
        .collect();
    app.runs.finish(dir, done.downloads);
    let body = jobs::with_downloads(&done.json, &Value::Object(links));
    Ok(json_bytes(StatusCode::OK, body))
}

async fn download(
    State(app): State<Arc<App>>,
    Path((id, key)): Path<(String, String)>,
) -> Response {
    let Some(d) = app.runs.download(&id, &key) else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "no such download (runs are kept for an hour)",
        )
        .into_response();
    };
    match tokio::fs::read(&d.path).await {
        Ok(bytes) => {
            let disposition = content_disposition(&d.name, &d.ascii_name);
            let mut r = (StatusCode::OK, Body::from(bytes)).into_response();
            let h = r.headers_mut();
            h.insert("content-type", HeaderValue::from_static(d.mime));
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                h.insert("content-disposition", v);
            }
            r
        }
        Err(_) => ApiError::new(StatusCode::NOT_FOUND, "the file is gone").into_response(),
    }
}

/// RFC 5987 `attr-char`s: what may stand unescaped in `filename*`.
const ATTR_CHAR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `attachment` with an ASCII `filename` (anything else replaced by `_`)
/// and the real name as RFC 5987 `filename*`.
pub fn content_disposition(name: &str, ascii_name: &str) -> String {
    let ascii: String = ascii_name
        .chars()
        .map(|c| match c {
            ' '..='~' if !matches!(c, '"' | '\\' | '%' | ';') => c,
            _ => '_',
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(name, ATTR_CHAR);
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_are_safe_in_both_forms() {
        assert_eq!(
            content_disposition("客户质量等级评定表_2025-12-31.xlsx", "tierbook-evaluation-2025-12-31.xlsx"),
            "attachment; filename=\"tierbook-evaluation-2025-12-31.xlsx\"; \
             filename*=UTF-8''%E5%AE%A2%E6%88%B7%E8%B4%A8%E9%87%8F%E7%AD%89%E7%BA%A7%E8%AF%84%E5%AE%9A%E8%A1%A8_2025-12-31.xlsx"
        );
        let hostile = content_disposition("a\"; filename=x.exe\r\n.xlsx", "a\"; x\r\n.xlsx");
        assert!(!hostile.contains('\r') && !hostile.contains('\n'));
        assert!(hostile.starts_with("attachment; filename=\"a__ x__.xlsx\"; filename*=UTF-8''a%22%3B%20filename%3Dx.exe%0D%0A.xlsx"));
    }
}
