//! The native transport (reqwest): used by tests, benchmarks and the server. Not compiled for wasm.

use super::transport::{HttpRequest, HttpResponse, MaybeSend, Method, Transport, TransportError};
use std::future::Future;

/// Sends requests with a shared reqwest client (connection pooling across calls); tokio's timer and the process's
/// monotonic clock.
#[derive(Debug, Clone)]
pub struct NativeTransport {
    client: reqwest::Client,
    started: std::time::Instant,
}

impl Default for NativeTransport {
    fn default() -> Self {
        Self { client: reqwest::Client::new(), started: std::time::Instant::now() }
    }
}

impl NativeTransport {
    /// A transport with a fresh connection pool.
    pub fn new() -> Self {
        Self::default()
    }
}

fn method(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Delete => reqwest::Method::DELETE,
    }
}

impl Transport for NativeTransport {
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, TransportError>> + MaybeSend {
        let client = self.client.clone();
        async move {
            let timeout = request.timeout;
            let mut builder = client.request(method(request.method), &request.url);
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            if let Some(body) = request.body {
                builder = builder.body(body);
            }
            if let Some(timeout) = timeout {
                builder = builder.timeout(timeout);
            }
            let classify = |error: reqwest::Error| match (error.is_timeout(), timeout) {
                (true, Some(limit)) => TransportError::Timeout(limit),
                _ if error.is_builder() => TransportError::Invalid(error.to_string()),
                _ => TransportError::Connect(error.to_string()),
            };
            let response = builder.send().await.map_err(classify)?;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_owned(), v.to_owned())))
                .collect();
            let body = response.bytes().await.map_err(classify)?.to_vec();
            Ok(HttpResponse { status, headers, body })
        }
    }

    fn sleep(&self, duration: std::time::Duration) -> impl Future<Output = ()> + MaybeSend {
        tokio::time::sleep(duration)
    }

    fn now_ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }
}
