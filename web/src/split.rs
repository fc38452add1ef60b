//! Split points: code that ships as a wasm module of its own and is fetched the first time it is called
//! (`scripts/split-web`, Trunk's post-build hook, does the split), and what a page shows while such a module loads
//! or when it cannot.
//!
//! A split point is a function marked
//! `#[wasm_split(MODULE, wasm_split_path = ::leptos::wasm_split, fallible)]`: every function naming the same
//! `MODULE` ships in that one module, code reached from several modules ships in chunks they share, and only what
//! the main module reaches itself stays in it. The main module holds the first render of the Apps and App → Machines
//! screens; the rest is in two modules:
//! - `launch_wizard`: the Apps page's launch wizard, fetched once the list of apps is drawn;
//! - `deferred`: everything else (the other app screens, the Machines tab's panels, plans and runs, the engine),
//!   fetched by App → Machines once its table has painted and the page is idle ([`preload_deferred_when_idle`]), or
//!   by the first screen that needs it.
//!
//! Two modules, not one per screen: wasm-split gives every combination of modules that share code a chunk of its own,
//! and with eight modules a screen's first load was 20 to 45 files (BENCHMARKS.md). With two there is one shared chunk.
//!
//! `fallible` makes a failed fetch an [`Unloaded`] instead of a panic (which would stop the whole dashboard): a page
//! left open while the dashboard is redeployed asks for its own build's modules, which the server no longer has. Each
//! marked function must return `Result<_, Unloaded>`; one that does asynchronous work returns its future boxed
//! (`LocalBoxFuture`), to be awaited after the load.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
pub use leptos::wasm_split::wasm_split;
use wasm_bindgen::JsCast;

use crate::components::ErrorNote;

/// The asynchronous work of a split point, started once its module is loaded.
pub type LocalBoxFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// A split module could not be fetched (the loader logs why to the console).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unloaded;

impl From<leptos::wasm_split::SplitLoaderError> for Unloaded {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        Unloaded
    }
}

impl std::fmt::Display for Unloaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "This part of the dashboard could not be loaded: the dashboard may have been updated since this page \
             opened. Reload the page.",
        )
    }
}

impl From<Unloaded> for String {
    fn from(unloaded: Unloaded) -> Self {
        unloaded.to_string()
    }
}

/// Fetches the deferred module, without running anything of it, once the browser is idle: a screen calls this when
/// its first render is up, so that what the user does next finds the module there, and fetching and compiling it
/// does not compete with that render's frames.
pub fn preload_deferred_when_idle() {
    fn preload() {
        // A failed fetch is tried again by the first split point called, which then says so.
        leptos::task::spawn_local(async {
            let _ = deferred_loaded().await;
        });
    }
    let when_idle = wasm_bindgen::closure::Closure::once_into_js(preload);
    let asked = web_sys::window().is_some_and(|w| w.request_idle_callback(when_idle.unchecked_ref()).is_ok());
    if !asked {
        // A browser without idle callbacks: shortly after the first render instead.
        set_timeout(preload, std::time::Duration::from_millis(200));
    }
}

#[wasm_split(deferred, wasm_split_path = ::leptos::wasm_split, fallible)]
fn deferred_loaded() -> Result<(), Unloaded> {
    Ok(())
}

/// Shows `part` from the first time `needed` holds, and keeps it: a split module's view is then not asked for
/// (nor its module fetched) before it is needed.
pub fn once_needed(
    needed: impl Fn() -> bool + Send + Sync + 'static,
    part: impl Fn() -> AnyView + Send + Sync + 'static,
) -> impl IntoView {
    let needed = Memo::new(move |was: Option<&bool>| was.copied().unwrap_or(false) || needed());
    move || needed.get().then(&part)
}

/// A view from a split module, with a note while the module loads (the first time only; then it shows at once), or
/// the sentence saying it could not load.
pub fn loaded(view: impl Future<Output = Result<AnyView, Unloaded>> + Send + 'static) -> AnyView {
    let fallback = || view! { <p class="muted" role="status">"Loading…"</p> };
    view! { <Suspense fallback=fallback>{Suspend::new(shown(view))}</Suspense> }.into_any()
}

/// [`loaded`] with nothing in its place while the module loads: for a part that appears beside what is already
/// shown (a plan, a run's live view, a panel).
pub fn loaded_quietly(view: impl Future<Output = Result<AnyView, Unloaded>> + Send + 'static) -> AnyView {
    view! { <Suspense fallback=|| ()>{Suspend::new(shown(view))}</Suspense> }.into_any()
}

async fn shown(view: impl Future<Output = Result<AnyView, Unloaded>>) -> AnyView {
    view.await.unwrap_or_else(|unloaded| view! { <ErrorNote message=unloaded.to_string()/> }.into_any())
}
