//! The wasm suite in headless Chromium (`cargo test --target wasm32-unknown-unknown --test wasm_browser`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed step is a failed test
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod wasm_suite;
