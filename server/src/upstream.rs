//! `--upstream URL`: `/v1` proxied to a real Machines API instead of emulated, so the browser stays same-origin
//! (the Machines API sends no CORS headers). Only what the API needs crosses: the method, path and query, the
//! body, and the `Authorization`, lease-nonce, content-type and accept headers; back come the status, the body and
//! Fly's request id, content type and `Retry-After`. Cookies and everything else stay behind.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::emulator::reply_error;

/// Headers forwarded to the upstream.
const REQUEST_HEADERS: &[&str] = &["authorization", "fly-machine-lease-nonce", "content-type", "accept"];
/// Headers passed back to the browser.
const RESPONSE_HEADERS: &[&str] = &["content-type", "fly-request-id", "retry-after"];

/// Where `/v1` goes, and the client that takes it there.
#[derive(Debug, Clone)]
pub struct Upstream {
    base: String,
    client: reqwest::Client,
}

impl Upstream {
    /// An upstream at `base` (`https://api.machines.dev`, with or without `/v1`).
    pub fn new(base: &str) -> Result<Self, String> {
        let base = flightdeck::api::BaseUrl::parse(base).map_err(|e| e.to_string())?;
        Ok(Self { base: base.as_str().to_owned(), client: reqwest::Client::new() })
    }

    /// The upstream's base URL, without `/v1`.
    pub fn base(&self) -> &str {
        &self.base
    }
}

fn pick(headers: &HeaderMap, names: &[&'static str]) -> Vec<(HeaderName, HeaderValue)> {
    names
        .iter()
        .filter_map(|name| {
            let header = HeaderName::from_static(name);
            headers.get(&header).map(|value| (header, value.clone()))
        })
        .collect()
}

/// Forwards one `/v1/…` request.
pub async fn forward(State(upstream): State<Upstream>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let url = format!("{}/v1{path_and_query}", upstream.base);
    let body: Bytes = match axum::body::to_bytes(body, 16 * 1024 * 1024).await {
        Ok(body) => body,
        Err(_) => return reply_error(StatusCode::PAYLOAD_TOO_LARGE, "request body too large to proxy"),
    };
    let method = match reqwest::Method::from_bytes(parts.method.as_str().as_bytes()) {
        Ok(method) => method,
        Err(_) => return reply_error(StatusCode::METHOD_NOT_ALLOWED, "unsupported method"),
    };
    let mut outgoing = upstream.client.request(method, &url).body(body);
    for (name, value) in pick(&parts.headers, REQUEST_HEADERS) {
        outgoing = outgoing.header(name.as_str(), value.as_bytes());
    }
    let answer = match outgoing.send().await {
        Ok(answer) => answer,
        Err(error) => {
            return reply_error(StatusCode::BAD_GATEWAY, format!("the upstream Machines API did not answer: {error}"));
        }
    };
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut headers = HeaderMap::new();
    for name in RESPONSE_HEADERS {
        if let Some(value) = answer.headers().get(*name).and_then(|v| HeaderValue::from_bytes(v.as_bytes()).ok()) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    match answer.bytes().await {
        Ok(bytes) => (status, headers, Body::from(bytes)).into_response(),
        Err(error) => reply_error(StatusCode::BAD_GATEWAY, format!("the upstream answer broke off: {error}")),
    }
}
