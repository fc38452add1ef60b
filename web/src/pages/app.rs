//! One app: a heading, its tabs, and the tab's screen.

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
    let body = match tab {
        Tab::Overview => view! { <OverviewTab app=name.clone()/> }.into_any(),
        Tab::Machines => view! { <MachinesTab app=name.clone()/> }.into_any(),
        Tab::Scale => view! { <ScaleTab app=name.clone()/> }.into_any(),
        Tab::Config => view! { <ConfigTab app=name.clone()/> }.into_any(),
        Tab::Deploy => view! { <DeployTab app=name.clone()/> }.into_any(),
        Tab::Secrets => view! { <SecretsTab app=name.clone()/> }.into_any(),
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
