//! Small reusable views. Every string from the API is rendered as text, never as HTML.

pub mod files;
mod plan_preview;
mod run_view;

pub use plan_preview::PlanPreview;
pub use run_view::{RunView, plan_runner, run_with_progress};

use flightdeck::api::{App, Machine, MachineFilter, MachineState};
use flightdeck::config::{PRESETS, REGIONS};
use leptos::prelude::*;

use crate::state::{Session, SessionInfo};

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

/// Runs `then` once the next frame is painted: queued from that frame's animation callback, which runs before its
/// paint.
pub fn after_next_paint(then: impl FnOnce() + 'static) {
    request_animation_frame(move || set_timeout(then, std::time::Duration::ZERO));
}

/// Machines counted by state, the usual states first: `2 started · 1 stopped`; `—` for none.
pub fn count_by_state(machines: &[Machine]) -> String {
    fn rank(state: &MachineState) -> u8 {
        match state {
            MachineState::Started => 0,
            MachineState::Stopped => 1,
            MachineState::Suspended => 2,
            MachineState::Created => 3,
            _ => 4,
        }
    }
    let mut counts: Vec<(u8, &str, usize)> = Vec::new();
    for machine in machines {
        let state = machine.state.as_str();
        match counts.iter_mut().find(|(_, counted, _)| *counted == state) {
            Some((_, _, n)) => *n += 1,
            None => counts.push((rank(&machine.state), state, 1)),
        }
    }
    if counts.is_empty() {
        return "—".to_owned();
    }
    flightdeck::sort::sort(&mut counts);
    counts.iter().map(|(_, state, n)| format!("{n} {state}")).collect::<Vec<_>>().join(" · ")
}

/// The apps of the org, one row each, with their machines counted by state (one summary list per app, read when
/// the row is drawn).
#[component]
pub fn AppTable(apps: Vec<App>) -> impl IntoView {
    if apps.is_empty() {
        return view! { <p class="muted">"No apps yet. Create one below."</p> }.into_any();
    }
    let session = expect_context::<Session>();
    // The machines are listed once the table is painted: its first frame is the apps, not a big app's machines being
    // decoded (the apps page drew 90 ms later when the lists were read at once).
    let painted = RwSignal::new(false);
    after_next_paint(move || {
        // Gone already when the page changed first: nothing to list then.
        let _ = painted.try_set(true);
    });
    let rows = apps
        .into_iter()
        .map(|app| {
            let listed = {
                let (client, name) = (session.client.clone(), app.name.clone());
                LocalResource::new(move || {
                    let (client, name, go) = (client.clone(), name.clone(), painted.get());
                    async move {
                        let summaries = MachineFilter { summary: true, ..Default::default() };
                        if go { Some(client.list_machines(&name, &summaries).await) } else { None }
                    }
                })
            };
            let listed = move || listed.get().flatten();
            let counted = app.machine_count.unwrap_or(0);
            // The app list's count until the machines are listed; then theirs (the two can differ while one moves).
            let machines = move || listed().and_then(Result::ok).map_or(counted, |m| m.len() as u64);
            let states = move || match listed() {
                None => view! { <span class="muted">"counting…"</span> }.into_any(),
                Some(Ok(machines)) => count_by_state(&machines).into_any(),
                Some(Err(error)) => view! { <span class="muted" title=error.to_string()>"unknown"</span> }.into_any(),
            };
            let volumes = app.volume_count.unwrap_or(0);
            view! {
                <tr>
                    <td class="name"><a href=crate::route::Route::App { name: app.name.clone(), tab: crate::route::Tab::Machines }.href()>{app.name.clone()}</a></td>
                    <td class="num">{machines}</td>
                    <td class="states">{states}</td>
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
                <tr><th>"Name"</th><th class="num">"Machines"</th><th>"States"</th><th class="num">"Volumes"</th><th>"Network"</th><th>"ID"</th></tr>
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

/// "1 CPU", "2 CPUs".
pub fn cpu_count(cpus: u32) -> String {
    if cpus == 1 { "1 CPU".to_owned() } else { format!("{cpus} CPUs") }
}

/// `<option>`s of the CPU presets (`shared-cpu-2x · 2 shared CPUs · 512 MB`), `selected` chosen.
pub fn size_options(selected: &str) -> impl IntoView + use<> {
    PRESETS
        .iter()
        .filter(|p| p.gpu_kind.is_none())
        .map(|p| {
            let (count, kind) = (cpu_count(p.cpus), p.cpu_kind);
            let cpus = count.replacen("CPU", &format!("{kind} CPU"), 1);
            let label = format!("{} · {cpus} · {} MB", p.name, p.memory_mb);
            view! { <option value=p.name selected=p.name == selected>{label}</option> }
        })
        .collect_view()
}
