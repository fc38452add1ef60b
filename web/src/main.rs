//! The Flightdeck dashboard: a Leptos client-side app over the core's Machines API client.
//!
//! Layout by role: `state/` (the session and API client in context), `route/` (the screen the URL names),
//! `pages/` (screens), `components/` (small reusable views), `split` (what loads as a wasm module of its own, when
//! first needed). It must not reach the API except through `flightdeck::api`.

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod pages;
#[cfg(target_arch = "wasm32")]
mod route;
#[cfg(target_arch = "wasm32")]
mod split;
#[cfg(target_arch = "wasm32")]
mod state;

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("flightdeck-web runs in the browser: build it with trunk (scripts/dev serves it).");
}
