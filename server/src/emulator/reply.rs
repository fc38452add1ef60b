//! Response helpers shared by the emulator's handlers: Fly's error body and the `fly-request-id` header.

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::ids;

/// `{"error": message}` with the status, as the real API answers (plus `"status"` where Fly sends one).
pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// Like [`error`], with Fly's machine-readable `status` (`name_taken`, `insufficient_capacity`, …).
pub fn error_with_status(status: StatusCode, message: impl Into<String>, fly_status: &str) -> Response {
    (status, Json(json!({ "error": message.into(), "status": fly_status }))).into_response()
}

/// 429 with `Retry-After` in whole seconds (at least 1).
pub fn rate_limited(wait: std::time::Duration) -> Response {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    let mut response = error(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded");
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert("retry-after", value);
    }
    response
}

/// Every `/v1` response carries a `fly-request-id`, as the real API's do.
pub async fn with_request_id(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&ids::ulid()) {
        response.headers_mut().insert("fly-request-id", value);
    }
    response
}
