//! One app: a heading, its tabs, and the tab's screen. Every screen but Machines is a split point: its code is a wasm
//! module of its own (scripts/split-web, Trunk's post-build hook), loaded the first time the screen opens.

use leptos::prelude::*;

use crate::pages::{ConfigTab, DeployTab, MachinesTab, OverviewTab, ScaleTab, SecretsTab};
use crate::route::{Route, Tab};

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
    // Machines stays in the main module: it is where a link to an app's machines lands, and the busiest screen.
    let body = match tab {
        Tab::Machines => view! { <MachinesTab app/> }.into_any(),
        Tab::Overview => loaded(overview_screen(app)),
        Tab::Scale => loaded(scale_screen(app)),
        Tab::Config => loaded(config_screen(app)),
        Tab::Deploy => loaded(deploy_screen(app)),
        Tab::Secrets => loaded(secrets_screen(app)),
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

/// A screen from its split module, with a note while the module loads (the first time only; then it is at once).
fn loaded(screen: impl Future<Output = AnyView> + Send + 'static) -> AnyView {
    let fallback = || view! { <p class="muted" role="status">"Loading…"</p> };
    view! { <Suspense fallback=fallback>{Suspend::new(screen)}</Suspense> }.into_any()
}

#[lazy]
fn overview_screen(app: String) -> AnyView {
    view! { <OverviewTab app/> }.into_any()
}

#[lazy]
fn scale_screen(app: String) -> AnyView {
    view! { <ScaleTab app/> }.into_any()
}

#[lazy]
fn config_screen(app: String) -> AnyView {
    view! { <ConfigTab app/> }.into_any()
}

#[lazy]
fn deploy_screen(app: String) -> AnyView {
    view! { <DeployTab app/> }.into_any()
}

#[lazy]
fn secrets_screen(app: String) -> AnyView {
    view! { <SecretsTab app/> }.into_any()
}
