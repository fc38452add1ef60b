//! Flightdeck core: everything `flyctl` knows about Fly.io apps on Machines, as a library that runs natively and in
//! WebAssembly (browsers and Node).
//!
//! Layers, with dependencies pointing one way:
//! - [`config`]: fly.toml parsing and validation with [`diagnostics`] (pure, synchronous);
//! - [`api`]: the Machines API client — plain request builders and response decoders, a [`api::Transport`] trait,
//!   a fetch transport for wasm and a native one;
//! - [`plan`]: deploy, scale and machine-command plans (pure, synchronous), from a config and the machines listed;
//! - [`engine`]: runs plans through the client (async, runtime-agnostic), leases, waits, a typed event stream;
//! - `js` (features `js` and `js-config`, wasm only): the mechanical wasm-bindgen facade the npm package is built
//!   from.
//!
//! The core never touches the DOM, a global window, or a particular async runtime.

pub mod api;
pub mod config;
pub mod diagnostics;
pub mod duration;
pub mod engine;
pub mod json;
pub mod machine;
pub mod plan;
pub mod sort;

#[cfg(all(feature = "js-config", target_arch = "wasm32"))]
mod js;

/// The version of this library, as published (crate and npm package share it).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
