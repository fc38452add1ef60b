//! The fetch transport for wasm: calls the global `fetch` with a URL and an init object, so the same code runs in browsers
//! and in Node ≥ 18. Timeouts abort the request through an `AbortController`. Never touches `window`.

use std::future::Future;
use std::time::Duration;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::transport::{HttpRequest, HttpResponse, MaybeSend, Transport, TransportError};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, millis: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
    /// `performance.now()`: monotonic, in browsers and Node ≥ 16.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
    /// The global `fetch(url, init)`, called with a URL and a plain init object: building a `Request` with a signal
    /// first costs Node's fetch (undici) about 200 µs per call in listener bookkeeping.
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(url: &str, init: &js_sys::Object) -> Result<js_sys::Promise, JsValue>;
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

/// A value JavaScript threw or rejected with, as a sentence: an `Error`'s message, a thrown string, or a note that
/// it was neither.
pub fn describe_js_error(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown JavaScript error".to_owned())
}

fn set(target: &js_sys::Object, key: &str, value: &JsValue) -> Result<(), TransportError> {
    js_sys::Reflect::set(target, &JsValue::from_str(key), value)
        .map(drop)
        .map_err(|e| TransportError::Invalid(describe_js_error(&e)))
}

/// The `init` argument of `fetch`: method, headers as a plain object, body bytes, abort signal.
fn init_for(request: &HttpRequest, signal: &web_sys::AbortSignal) -> Result<js_sys::Object, TransportError> {
    let init = js_sys::Object::new();
    set(&init, "method", &JsValue::from_str(request.method.as_str()))?;
    let headers = js_sys::Object::new();
    for (name, value) in &request.headers {
        // Browsers refuse to let scripts set User-Agent; the header is informative only.
        if !name.eq_ignore_ascii_case("user-agent") {
            set(&headers, name, &JsValue::from_str(value))?;
        }
    }
    set(&init, "headers", &headers)?;
    if let Some(body) = &request.body {
        set(&init, "body", &js_sys::Uint8Array::from(body.as_slice()))?;
    }
    set(&init, "signal", signal)?;
    Ok(init)
}

async fn exchange(request: &HttpRequest, signal: &web_sys::AbortSignal) -> Result<HttpResponse, JsValue> {
    let init = init_for(request, signal).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let response: web_sys::Response = JsFuture::from(global_fetch(&request.url, &init)?).await?.dyn_into()?;
    let status = response.status();
    let mut headers = Vec::new();
    if let Some(entries) = js_sys::try_iter(&response.headers())? {
        for entry in entries {
            let pair: js_sys::Array = entry?.dyn_into()?;
            if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                headers.push((name, value));
            }
        }
    }
    let body = js_sys::Uint8Array::new(&JsFuture::from(response.array_buffer()?).await?).to_vec();
    Ok(HttpResponse { status, headers, body })
}

async fn send(request: HttpRequest) -> Result<HttpResponse, TransportError> {
    let controller = web_sys::AbortController::new().map_err(|e| TransportError::Invalid(describe_js_error(&e)))?;
    let signal = controller.signal();
    let timer = request.timeout.map(|after| AbortTimer::start(&controller, after));
    let outcome = exchange(&request, &signal).await;
    drop(timer);
    outcome.map_err(|error| match request.timeout {
        Some(limit) if signal.aborted() => TransportError::Timeout(limit),
        _ => TransportError::Connect(describe_js_error(&error)),
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
