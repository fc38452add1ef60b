//! The wasm suite in Node (`cargo test --target wasm32-unknown-unknown --test wasm_node`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed step is a failed test
#![cfg(target_arch = "wasm32")]

mod wasm_suite;
