//! The one way the crate reads typed JSON (API responses, values from JavaScript, stored settings).
//!
//! The npm build (feature `js`) reads some forty types from JavaScript and the API: there the bytes are parsed into a
//! [`serde_json::Value`] and the type is deserialized from that value, so every type's deserializer is compiled into
//! the wasm once, for JSON values, with one byte parser for `Value` — instead of a byte-parsing copy of each type's
//! deserializer (42 KB off the npm wasm, gzipped, with the tagged-enum change in `plan`; BENCHMARKS.md). Everywhere
//! else (the dashboard, native) types are decoded straight from the bytes, which is twice as fast for a list of 1,000
//! machines (5 ms against 10 ms natively) — the dashboard does that every two seconds.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Reads `bytes` as JSON into `T`.
pub fn from_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    #[cfg(feature = "js-config")]
    return serde_json::from_slice(bytes).and_then(from_value);
    #[cfg(not(feature = "js-config"))]
    return serde_json::from_slice(bytes);
}

/// Reads a JSON value into `T` with the same decoder as [`from_json`]: straight from the value in the npm build, and
/// through its text everywhere else (where the decoder reads bytes), so no build compiles a second decoder of `T`.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, serde_json::Error> {
    #[cfg(feature = "js-config")]
    return T::deserialize(value);
    #[cfg(not(feature = "js-config"))]
    return serde_json::to_vec(&value).and_then(|text| serde_json::from_slice(&text));
}

/// `value` as a JSON value, through its compact JSON text: a type's serializer is then compiled once, for text (what
/// requests are sent as), instead of once more for values — 8–9 KB of wasm for the machine config alone. Floats come
/// back as serde_json reads them, not always the closest double; `config::to_toml`, which must keep fly.toml's
/// numbers exactly, serialises to a value directly.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<serde_json::Value, serde_json::Error> {
    serde_json::to_vec(value).and_then(|text| serde_json::from_slice(&text))
}
