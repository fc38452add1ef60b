//! The one way the crate reads typed JSON (API responses, values from JavaScript, stored settings): the bytes are
//! parsed into a [`serde_json::Value`] and the type is deserialized from that value. Every type's deserializer is
//! then compiled into the wasm once, for JSON values, and the byte parser once, for `Value` — instead of a byte-
//! parsing copy of each type's deserializer per reader (this took 42 KB off the npm wasm, gzipped; BENCHMARKS.md).

use serde::de::DeserializeOwned;

/// Reads `bytes` as JSON into `T`.
pub fn from_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_slice::<serde_json::Value>(bytes).and_then(T::deserialize)
}
