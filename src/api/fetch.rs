//! The fetch transport for wasm: calls the global `fetch` (through gloo-net), so the same code runs in browsers
//! and in Node ≥ 18. Timeouts abort the request through an `AbortController`. Never touches `window`.

use std::future::Future;
use std::time::Duration;

use gloo_net::http::{Method as FetchMethod, RequestBuilder};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::transport::{HttpRequest, HttpResponse, MaybeSend, Method, Transport, TransportError};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, millis: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
    /// `performance.now()`: monotonic, in browsers and Node ≥ 16.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Resolves after `duration` on the host's `setTimeout`.
async fn sleep(duration: Duration) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        set_timeout(&resolve, duration.as_millis() as f64);
    });
    // A timer promise never rejects.
    let _: Result<JsValue, JsValue> = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Sends requests with the host's `fetch`.
#[derive(Debug, Clone, Copy, Default)]
pub struct FetchTransport;

/// Aborts the request when the timer fires; clears the timer when dropped (request done or abandoned).
struct AbortTimer {
    handle: JsValue,
    _callback: Closure<dyn FnMut()>,
}

impl AbortTimer {
    fn start(controller: &web_sys::AbortController, after: Duration) -> Self {
        let controller = controller.clone();
        let callback = Closure::<dyn FnMut()>::new(move || controller.abort());
        let handle = set_timeout(callback.as_ref().unchecked_ref(), after.as_millis() as f64);
        Self { handle, _callback: callback }
    }
}

impl Drop for AbortTimer {
    fn drop(&mut self) {
        clear_timeout(&self.handle);
    }
}

fn describe(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown JavaScript error".to_owned())
}

fn fetch_method(method: Method) -> FetchMethod {
    match method {
        Method::Get => FetchMethod::GET,
        Method::Post => FetchMethod::POST,
        Method::Put => FetchMethod::PUT,
        Method::Delete => FetchMethod::DELETE,
    }
}

async fn send(request: HttpRequest) -> Result<HttpResponse, TransportError> {
    let controller = web_sys::AbortController::new().map_err(|e| TransportError::Invalid(describe(&e)))?;
    let mut builder =
        RequestBuilder::new(&request.url).method(fetch_method(request.method)).abort_signal(Some(&controller.signal()));
    for (name, value) in &request.headers {
        // Browsers refuse to let scripts set User-Agent; the header is informative only.
        if !name.eq_ignore_ascii_case("user-agent") {
            builder = builder.header(name, value);
        }
    }
    let built = match request.body {
        Some(body) => builder.body(js_sys::Uint8Array::from(body.as_slice())),
        None => builder.build(),
    }
    .map_err(|e| TransportError::Invalid(e.to_string()))?;

    let timer = request.timeout.map(|after| AbortTimer::start(&controller, after));
    let outcome = async {
        let response = built.send().await?;
        let status = response.status();
        let headers: Vec<(String, String)> = response.headers().entries().collect();
        let body = response.binary().await?;
        Ok::<_, gloo_net::Error>(HttpResponse { status, headers, body })
    }
    .await;
    drop(timer);
    outcome.map_err(|error| match request.timeout {
        Some(limit) if controller.signal().aborted() => TransportError::Timeout(limit),
        _ => TransportError::Connect(error.to_string()),
    })
}

impl Transport for FetchTransport {
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, TransportError>> + MaybeSend {
        send(request)
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + MaybeSend {
        sleep(duration)
    }

    fn now_ms(&self) -> f64 {
        performance_now()
    }
}
