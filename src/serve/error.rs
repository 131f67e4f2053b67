//! How `tierbook serve` answers a request it cannot carry out: a status and
//! a JSON body `{"error": message}` whose message is the command line's
//! (English, naming the file, sheet, row and column where that applies),
//! sometimes with more (what `check` read).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

/// A refused or failed request.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// More entries for the body beside `error`.
    pub more: Map<String, Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            more: Map::new(),
        }
    }

    /// A request that is malformed or asks for something that does not exist (400).
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// Inputs that cannot be read or graded (422), as the command line's exit 1.
    pub fn unprocessable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    /// The server's own failure (500).
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// An upload over the limit (413); `limit` in bytes when known here.
    pub fn too_large(limit: Option<u64>) -> ApiError {
        let limit = limit.map_or_else(String::new, |l| format!(" of {} MB", l >> 20));
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the upload is over the limit{limit}: start tierbook serve with --max-upload-mb to raise it"),
        )
    }

    /// Adds an entry to the body.
    pub fn with(mut self, key: &str, value: Value) -> ApiError {
        self.more.insert(key.to_string(), value);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = Map::new();
        body.insert("error".to_string(), Value::String(self.message));
        body.extend(self.more);
        json_response(self.status, &Value::Object(body))
    }
}

/// A JSON answer.
pub fn json_response(status: StatusCode, value: &Value) -> Response {
    let bytes = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    json_bytes(status, bytes)
}

/// An answer of JSON bytes already made.
pub fn json_bytes(status: StatusCode, bytes: Vec<u8>) -> Response {
    (
        status,
        [("content-type", "application/json; charset=utf-8")],
        bytes,
    )
        .into_response()
}
