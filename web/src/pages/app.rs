//! One app: a heading, its tabs, and the tab's screen. Every screen but Machines is a split point into the deferred
//! module (`crate::split`), fetched by the first screen that needs it.

use leptos::prelude::*;

use crate::pages::{ConfigTab, DeployTab, MachinesTab, OverviewTab, ScaleTab, SecretsTab};
use crate::route::{Route, Tab};
use crate::split::{Unloaded, loaded, wasm_split};

#[component]
pub fn AppPage(name: String, tab: Tab) -> impl IntoView {
    let tabs = Tab::ALL
        .into_iter()
        .map(|t| {
            let href = Route::App { name: name.clone(), tab: t }.href();
            let current = if t == tab { "page" } else { "false" };
            view! { <a class="tab" href=href aria-current=current>{t.label()}</a> }
        })
        .collect_view();
    let app = name.clone();
    // Machines is drawn by the main module: it is where a link to an app lands, and the busiest screen.
    let body = match tab {
        Tab::Machines => view! { <MachinesTab app/> }.into_any(),
        tab => loaded(deferred_screen(app, tab)),
    };
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="#/">"Apps"</a>" / "<span>{name.clone()}</span></nav>
        <div class="section-head">
            <h1>{name}</h1>
            <nav class="tabs" aria-label="App sections">{tabs}</nav>
        </div>
        {body}
    }
}

/// An app screen other than Machines, from the deferred module.
#[wasm_split(deferred, wasm_split_path = ::leptos::wasm_split, fallible)]
fn deferred_screen(app: String, tab: Tab) -> Result<AnyView, Unloaded> {
    Ok(match tab {
        Tab::Overview => view! { <OverviewTab app/> }.into_any(),
        Tab::Scale => view! { <ScaleTab app/> }.into_any(),
        Tab::Config => view! { <ConfigTab app/> }.into_any(),
        Tab::Deploy => view! { <DeployTab app/> }.into_any(),
        Tab::Secrets => view! { <SecretsTab app/> }.into_any(),
        // Drawn by the main module (`AppPage`), not through here.
        Tab::Machines => view! { <MachinesTab app/> }.into_any(),
    })
}
