//! Response decoding: pure functions from [`HttpResponse`] to typed values or a typed [`ApiError`].
//!
//! Error bodies are read defensively: JSON `{error, message, status}`, else plain text, else the status alone —
//! the live API sometimes answers with an empty body.

use std::time::Duration;

use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::transport::HttpResponse;
use super::types::{App, CreateAppRequest, ListAppsResponse};

/// The `fly-request-id` header, when present.
pub fn request_id(response: &HttpResponse) -> Option<String> {
    response.header("fly-request-id").map(str::to_owned)
}

#[derive(Debug, Default, PartialEq)]
struct ErrorBody {
    message: String,
    status: Option<String>,
}

fn error_body(response: &HttpResponse) -> ErrorBody {
    if let Ok(serde_json::Value::Object(object)) = serde_json::from_slice::<serde_json::Value>(&response.body) {
        let text = |key: &str| object.get(key).and_then(|v| v.as_str()).filter(|s| !s.is_empty()).map(str::to_owned);
        let message = text("error").or_else(|| text("message"));
        if let Some(message) = message {
            return ErrorBody { message, status: text("status") };
        }
    }
    let text = String::from_utf8_lossy(&response.body).trim().chars().take(500).collect::<String>();
    if text.is_empty() {
        ErrorBody { message: format!("HTTP {} with an empty body", response.status), status: None }
    } else {
        ErrorBody { message: text, status: None }
    }
}

fn retry_after(response: &HttpResponse) -> Option<Duration> {
    response.header("retry-after").and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_secs)
}

/// Maps a non-2xx response to its typed error.
pub fn error_for(response: &HttpResponse) -> ApiError {
    let request_id = request_id(response);
    let ErrorBody { message, status } = error_body(response);
    let name_taken = status.as_deref() == Some("name_taken") || message.contains("already been taken");
    if matches!(status.as_deref(), Some("insufficient_capacity" | "volume_placement_capacity")) {
        return ApiError::Capacity { message, request_id };
    }
    match response.status {
        400 => ApiError::BadRequest { message, request_id },
        401 => ApiError::Unauthorized { message, request_id },
        403 => ApiError::Forbidden { message, request_id },
        404 => ApiError::NotFound { message, request_id },
        408 => ApiError::Timeout { message, request_id },
        409 | 422 if name_taken => ApiError::NameTaken { message, request_id },
        409 => ApiError::Conflict { message, request_id },
        412 => ApiError::PreconditionFailed { message, request_id },
        422 => ApiError::BadRequest { message, request_id },
        429 => ApiError::RateLimited { retry_after: retry_after(response), message, request_id },
        status @ 500..=599 => ApiError::Server { status, message, request_id },
        status => ApiError::UnexpectedStatus { status, message, request_id },
    }
}

fn is_success(response: &HttpResponse) -> bool {
    (200..300).contains(&response.status)
}

/// A 2xx body as `T`, or the status's typed error.
pub(crate) fn decode<T: DeserializeOwned>(response: &HttpResponse) -> Result<T, ApiError> {
    decode_with(response, error_for)
}

/// Like [`decode`], with an endpoint family's own error mapping.
pub(crate) fn decode_with<T: DeserializeOwned>(
    response: &HttpResponse,
    errors: fn(&HttpResponse) -> ApiError,
) -> Result<T, ApiError> {
    if !is_success(response) {
        return Err(errors(response));
    }
    crate::json::from_json(&response.body)
        .map_err(|e| ApiError::Decode { message: e.to_string(), request_id: request_id(response) })
}

/// Decodes `GET /v1/apps`.
pub fn list_apps(response: &HttpResponse) -> Result<Vec<App>, ApiError> {
    decode::<ListAppsResponse>(response).map(|list| list.apps)
}

/// Decodes `GET /v1/apps/{name}`.
pub fn get_app(response: &HttpResponse) -> Result<App, ApiError> {
    decode(response)
}

/// Decodes `POST /v1/apps`, whose body may be empty (spec), partial (`{id, created_at}`, docs) or a whole App:
/// what the server leaves out is filled in from the request.
pub fn create_app(response: &HttpResponse, requested: &CreateAppRequest) -> Result<App, ApiError> {
    if !is_success(response) {
        return Err(error_for(response));
    }
    let mut app =
        if response.body.iter().all(u8::is_ascii_whitespace) { App::default() } else { decode::<App>(response)? };
    if app.name.is_empty() {
        app.name.clone_from(&requested.name);
    }
    if app.network.is_none() {
        app.network.clone_from(&requested.network);
    }
    Ok(app)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("fly-request-id".into(), "req-1".into()), ("Retry-After".into(), "3".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn error_bodies_are_read_as_json_text_or_nothing() {
        let err = error_for(&response(404, r#"{"error":"app not found"}"#));
        assert_eq!(err, ApiError::NotFound { message: "app not found".into(), request_id: Some("req-1".into()) });
        let err = error_for(&response(400, ""));
        assert_eq!(err.to_string(), "bad request: HTTP 400 with an empty body");
        let err = error_for(&response(502, "<html>bad gateway</html>"));
        assert_eq!(err.status(), Some(502));
        assert_eq!(err.code(), "server_error");
    }

    #[test]
    fn name_taken_is_recognised_in_both_forms() {
        let current = error_for(&response(422, r#"{"error":"taken","status":"name_taken"}"#));
        let legacy = error_for(&response(422, r#"{"error":"Name has already been taken"}"#));
        assert_eq!(current.code(), "name_taken");
        assert_eq!(legacy.code(), "name_taken");
    }

    #[test]
    fn rate_limits_carry_retry_after() {
        let err = error_for(&response(429, r#"{"error":"rate limit exceeded"}"#));
        assert!(matches!(err, ApiError::RateLimited { retry_after: Some(d), .. } if d.as_secs() == 3));
        assert_eq!(err.request_id(), Some("req-1"));
    }

    #[test]
    fn create_app_accepts_empty_partial_and_full_bodies() {
        let requested = CreateAppRequest { name: "shop".into(), org_slug: "personal".into(), ..Default::default() };
        assert_eq!(create_app(&response(201, ""), &requested).unwrap().name, "shop");
        let partial = create_app(&response(201, r#"{"id":"z4k69dxd8r31p5mx","created_at":1708631799000}"#), &requested);
        let partial = partial.unwrap();
        assert_eq!((partial.id.as_str(), partial.name.as_str()), ("z4k69dxd8r31p5mx", "shop"));
        let full = create_app(&response(200, r#"{"id":"a","name":"shop","status":"pending"}"#), &requested).unwrap();
        assert_eq!(full.status.as_deref(), Some("pending"));
    }

    #[test]
    fn malformed_success_bodies_are_decode_errors() {
        let err = list_apps(&response(200, "{not json")).unwrap_err();
        assert_eq!(err.code(), "decode");
        assert_eq!(err.request_id(), Some("req-1"));
    }
}
