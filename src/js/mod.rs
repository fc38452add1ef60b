//! The wasm-bindgen facade of the npm package: convert JS values in, call the core, convert results out, map
//! errors to real JavaScript `Error`s with `code`, `status` and `requestId`. No logic lives here.
//!
//! Every export takes `JsValue`s and checks them itself, so wrong types from JavaScript become typed errors rather
//! than panics inside the module.
//!
//! Two builds: feature `js` has every export (the package's main entry); feature `js-config` only the fly.toml
//! exports of `config` (the light `flightdeck/config` entry: no API client, planners or engine compiled in).

#[cfg(feature = "js")]
mod api;
mod arena;
mod config;
#[cfg(feature = "js")]
mod plan;
#[cfg(feature = "js")]
mod plans;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

#[cfg(feature = "js")]
use crate::api::ApiError;

#[wasm_bindgen(module = "/pkg/errors.js")]
extern "C" {
    /// The package's error class (`pkg/errors.js`): one per realm, so `instanceof` holds across entry points.
    #[wasm_bindgen(js_name = FlightdeckError, extends = js_sys::Error)]
    type FlightdeckError;

    #[wasm_bindgen(constructor, js_class = FlightdeckError)]
    fn new(message: &str, code: &str, status: JsValue, request_id: JsValue) -> FlightdeckError;
}

/// Builds the thrown value: a `FlightdeckError` (an `Error` subclass) with `code`, `status` and `requestId`.
pub(crate) fn js_error(code: &str, message: &str, status: Option<u16>, request_id: Option<&str>) -> JsValue {
    FlightdeckError::new(
        message,
        code,
        status.map_or(JsValue::NULL, |s| JsValue::from_f64(f64::from(s))),
        request_id.map_or(JsValue::NULL, JsValue::from_str),
    )
    .into()
}

#[cfg(feature = "js")]
pub(crate) fn api_error(error: &ApiError) -> JsValue {
    js_error(error.code(), &error.to_string(), error.status(), error.request_id())
}

pub(crate) fn invalid_argument(message: impl AsRef<str>) -> JsValue {
    js_error("invalid_argument", message.as_ref(), None, None)
}

/// Rust → JS through JSON: `serde_json` here and the engine's `JSON.parse` there. One set of serde impls (the
/// ones the API client needs anyway) instead of a second set for serde-wasm-bindgen — measured: ~260 KB of wasm
/// before wasm-opt — and V8 parses JSON faster than it takes a value apart field by field.
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let json = serde_json::to_string(value).map_err(|e| js_error("encode", &e.to_string(), None, None))?;
    js_sys::JSON::parse(&json).map_err(|_| js_error("encode", "could not hand the result to JavaScript", None, None))
}

/// JS → Rust through JSON: `JSON.stringify` there (cycles, BigInts and the like fail here as typed errors) and
/// `serde_json` here (which also bounds nesting depth).
pub(crate) fn from_js<T: for<'de> Deserialize<'de>>(value: JsValue, what: &str) -> Result<T, JsValue> {
    let json = js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| invalid_argument(format!("{what}: not a plain JSON-like value")))?;
    crate::json::from_json(json.as_bytes()).map_err(|e| invalid_argument(format!("{what}: {e}")))
}

pub(crate) fn string_arg(value: &JsValue, what: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| invalid_argument(format!("{what} must be a string")))
}

/// The version of the library inside the package.
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_owned()
}
