//! Small reusable views. Every string from the API is rendered as text, never as HTML.

mod plan_preview;
mod run_view;

pub use plan_preview::PlanPreview;
pub use run_view::{RunView, plan_runner, run_with_progress};

use flightdeck::api::App;
use flightdeck::config::{PRESETS, REGIONS};
use leptos::prelude::*;

use crate::state::SessionInfo;

/// The top bar: product name and which backend the dashboard talks to.
#[component]
pub fn Header(#[prop(into)] session: Signal<Option<SessionInfo>>) -> impl IntoView {
    let backend = move || {
        session.get().map_or_else(
            || "Not connected".to_owned(),
            |info| match info.mode.as_str() {
                "emulator" => format!("Local emulator · org {}", info.org_slug),
                other => format!("{other} · org {}", info.org_slug),
            },
        )
    };
    view! {
        <header class="topbar">
            <span class="brand">"Flightdeck"</span>
            <span class="backend" aria-label="Backend">{backend}</span>
            <a class="connection" href="#/connect">"Connection"</a>
        </header>
    }
}

/// A failure, as a sentence.
#[component]
pub fn ErrorNote(#[prop(into)] message: String) -> impl IntoView {
    view! { <p class="error" role="alert">{message}</p> }
}

/// The apps of the org, one row each.
#[component]
pub fn AppTable(apps: Vec<App>) -> impl IntoView {
    if apps.is_empty() {
        return view! { <p class="muted">"No apps yet. Create one below."</p> }.into_any();
    }
    let rows = apps
        .into_iter()
        .map(|app| {
            let machines = app.machine_count.unwrap_or(0);
            let volumes = app.volume_count.unwrap_or(0);
            view! {
                <tr>
                    <td class="name"><a href=crate::route::Route::App { name: app.name.clone(), tab: crate::route::Tab::Machines }.href()>{app.name.clone()}</a></td>
                    <td class="num">{machines}</td>
                    <td class="num">{volumes}</td>
                    <td>{app.network.unwrap_or_default()}</td>
                    <td class="mono">{app.id}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="apps" aria-label="Apps">
            <thead>
                <tr><th>"Name"</th><th class="num">"Machines"</th><th class="num">"Volumes"</th><th>"Network"</th><th>"ID"</th></tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// `<option>`s of the current regions (`syd · Sydney, Australia`) but those in `except`, `selected` chosen.
pub fn region_options(selected: &str, except: &[String]) -> impl IntoView + use<> {
    REGIONS
        .iter()
        .filter(|(code, _)| !except.iter().any(|r| r == code))
        .map(|(code, place)| view! { <option value=*code selected=*code == selected>{format!("{code} · {place}")}</option> })
        .collect_view()
}

/// `<option>`s of the CPU presets (`shared-cpu-2x · 2 shared CPU · 512 MB`), `selected` chosen.
pub fn size_options(selected: &str) -> impl IntoView + use<> {
    PRESETS
        .iter()
        .filter(|p| p.gpu_kind.is_none())
        .map(|p| {
            let label = format!("{} · {} {} CPU · {} MB", p.name, p.cpus, p.cpu_kind, p.memory_mb);
            view! { <option value=p.name selected=p.name == selected>{label}</option> }
        })
        .collect_view()
}
