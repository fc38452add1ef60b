//! The transport seam: plain request/response values and the one-method [`Transport`] trait.
//!
//! Owns nothing but data shapes; the fetch (wasm) and native transports live beside it, and test doubles are tiny
//! structs implementing the trait. Futures are `Send` natively and need not be in the browser, where nothing is.

use std::fmt;
use std::future::Future;
use std::time::Duration;

/// HTTP methods the Machines API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    /// The method as it goes on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// One request, fully built: absolute URL, headers (including `Authorization`), optional body and timeout.
#[derive(Clone, PartialEq)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub timeout: Option<Duration>,
}

impl HttpRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// Never prints the `Authorization` value: requests end up in logs and panics.
impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                let shown = if k.eq_ignore_ascii_case("authorization") { "<redacted>" } else { v.as_str() };
                (k.as_str(), shown)
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// One response: status, headers and the whole body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Why a request got no HTTP response at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    #[error("the request took longer than {0:?} and was abandoned")]
    Timeout(Duration),
    #[error("could not reach the Machines API: {0}")]
    Connect(String),
    #[error("the request could not be sent: {0}")]
    Invalid(String),
}

/// `Send` where threads exist, nothing in the browser (whose futures are `!Send`).
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSend: Send {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send> MaybeSend for T {}
/// `Send` where threads exist, nothing in the browser (whose futures are `!Send`).
#[cfg(target_arch = "wasm32")]
pub trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T> MaybeSend for T {}

/// Sends requests, and lends the client its host's timer and clock (for backoff, rate limits and deadlines), so the
/// same client runs on tokio, in browsers and in Node — and, in tests, on a virtual clock.
pub trait Transport {
    /// Sends one request and returns the response, whatever its status; only the absence of a response is an error.
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, TransportError>> + MaybeSend;

    /// Waits `duration` on the host's timer.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + MaybeSend;

    /// Milliseconds on a clock that never goes back.
    fn now_ms(&self) -> f64;
}

impl<T: Transport + ?Sized> Transport for &T {
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, TransportError>> + MaybeSend {
        (**self).send(request)
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + MaybeSend {
        (**self).sleep(duration)
    }

    fn now_ms(&self) -> f64 {
        (**self).now_ms()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_authorization_header() {
        let request = HttpRequest {
            method: Method::Get,
            url: "http://x/v1/apps".into(),
            headers: vec![("Authorization".into(), "Bearer secret-token".into())],
            body: None,
            timeout: None,
        };
        let shown = format!("{request:?}");
        assert!(!shown.contains("secret-token"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn headers_are_found_case_insensitively() {
        let response =
            HttpResponse { status: 200, headers: vec![("Fly-Request-Id".into(), "01J".into())], body: vec![] };
        assert_eq!(response.header("fly-request-id"), Some("01J"));
        assert_eq!(response.header("x-missing"), None);
    }
}
