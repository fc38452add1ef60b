//! The live view of a run (deploy, scale, secrets): an overall progress bar, one row per machine with its current
//! step, state and checks, the release command's exit code, warnings, a failure report that names the machine and
//! the reason, a timeline of flyctl's lines with the second each happened, and a cancel button while it runs.

use std::time::Duration;

use flightdeck::api::{FetchTransport, MachinesClient};
use flightdeck::engine::{self, Cancel, EngineOptions, Outcome, Progress, RunState};
use flightdeck::plan::Plan;
use leptos::prelude::*;

use crate::split::{LocalBoxFuture, Unloaded, wasm_split};

/// Runs `plan`, folding its events into `progress` as they come. Resolves when the run ends either way (the
/// progress says how). The run is a split point (`crate::split`), so the main module does not carry the engine; a
/// module that cannot be fetched is told in `progress` as the run's failure.
pub async fn run_with_progress(
    client: MachinesClient<FetchTransport>,
    plan: Plan,
    progress: RwSignal<Progress>,
    cancel: Cancel,
) -> Result<(), String> {
    match run_plan(client, plan, progress, cancel).await {
        Ok(run) => run.await,
        Err(unloaded) => {
            let error = unloaded.to_string();
            progress.update(|p| {
                *p = Progress::default();
                p.state = RunState::Failed;
                p.error = Some(error.clone());
            });
            Err(error)
        }
    }
}

#[wasm_split(deferred, wasm_split_path = ::leptos::wasm_split, fallible)]
fn run_plan(
    client: MachinesClient<FetchTransport>,
    plan: Plan,
    progress: RwSignal<Progress>,
    cancel: Cancel,
) -> Result<LocalBoxFuture<Result<(), String>>, Unloaded> {
    Ok(Box::pin(async move {
        progress.set(Progress::for_plan(&plan));
        let start = js_sys::Date::now();
        let sink = move |event: engine::Event| {
            let at_ms = (js_sys::Date::now() - start).max(0.0) as u64;
            progress.update(|p| p.apply(&event, at_ms));
        };
        let options = EngineOptions { smoke_window: Duration::from_secs(2), ..EngineOptions::default() };
        engine::run(&client, &plan, &options, &sink, &cancel)
            .await
            .map(|_| ())
            .map_err(|failure| failure.error.to_string())
    }))
}

/// A screen's plan runner: an action that runs the plan it is given into `progress` and then calls `after` (clear the
/// plan, list again, …), and the current run's cancel switch, for the live view's Cancel button.
pub fn plan_runner(
    client: MachinesClient<FetchTransport>,
    progress: RwSignal<Progress>,
    after: impl Fn() + Clone + 'static,
) -> (Action<Plan, Result<(), String>>, Signal<Cancel>) {
    let (cancel, set_cancel) = signal(Cancel::default());
    let action = Action::new_local(move |plan: &Plan| {
        let (client, plan, after) = (client.clone(), plan.clone(), after.clone());
        let switch = Cancel::default();
        set_cancel.set(switch.clone());
        async move {
            let result = run_with_progress(client, plan, progress, switch).await;
            after();
            result
        }
    });
    (action, cancel.into())
}

fn outcome_text(started: bool, outcome: Option<&Outcome>) -> (&'static str, String) {
    match outcome {
        None if !started => ("queued", "queued".to_owned()),
        None => ("running", "in progress".to_owned()),
        Some(Outcome::Succeeded) => ("ok", "done".to_owned()),
        Some(Outcome::Canceled) => ("canceled", "canceled".to_owned()),
        Some(Outcome::Failed(error)) => ("failed", format!("failed: {error}")),
    }
}

#[component]
pub fn RunView(
    /// What the run has done so far.
    progress: RwSignal<Progress>,
    /// The current run's cancel switch; a Cancel button shows while it runs.
    #[prop(optional, into)]
    cancel: Option<Signal<Cancel>>,
    /// Names the view for assistive technology (`Deploy`, `Scale`, …).
    #[prop(into)]
    label: String,
) -> impl IntoView {
    // Bumped on click so the button disables at once; each run has its own switch, so nothing carries over.
    let (clicked, set_clicked) = signal(0u32);
    let running = move || progress.with(|p| p.state == RunState::Running);
    let bar = move || {
        progress.with(|p| {
            let percent = (p.fraction() * 100.0).round();
            let text = format!("{} of {} steps", p.finished, p.total);
            let class = match p.state {
                RunState::Failed => "bar failed",
                RunState::Succeeded => "bar done",
                _ => "bar",
            };
            view! {
                <div class="run-head">
                    <strong>{p.operation.clone()}</strong>
                    <span class="muted">{p.current_phase.clone().unwrap_or_default()}</span>
                    <span class="steps">{text.clone()}</span>
                </div>
                // A native progress element: accessible as a progress bar, and no inline style (the CSP forbids it).
                <progress class=class max="100" value=percent.to_string() aria-label=format!("{} progress", p.operation)
                    aria-valuetext=text></progress>
            }
        })
    };
    let rows = move || {
        progress.with(|p| {
            p.machines
                .iter()
                .map(|m| {
                    let (class, outcome) = outcome_text(m.started, m.outcome.as_ref());
                    let checks =
                        m.checks.map_or_else(|| "—".to_owned(), |(passing, total)| format!("{passing}/{total}"));
                    view! {
                        <tr class=format!("run-row {class}")>
                            <td class="mono">{m.machine.clone()}</td>
                            <td>{m.group.clone()}</td>
                            <td>{m.region.clone().unwrap_or_default()}</td>
                            <td title=m.description.clone()>{m.step.clone()}</td>
                            <td>{m.state.clone().unwrap_or_else(|| "—".to_owned())}</td>
                            <td>{checks}</td>
                            <td class="outcome">{outcome}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let release = move || {
        progress.with(|p| {
            p.release_command.clone().map(|(machine, code)| {
                let text = if code == 0 {
                    format!("Release command on machine {machine} exited with code 0.")
                } else {
                    format!("Release command on machine {machine} exited with code {code}; the machine is kept, stopped, for debugging.")
                };
                view! { <p class=if code == 0 { "ok" } else { "error" }>{text}</p> }
            })
        })
    };
    let report = move || {
        progress.with(|p| {
            p.error.clone().map(|error| {
                let failed: Vec<String> = p
                    .machines
                    .iter()
                    .filter_map(|m| match &m.outcome {
                        Some(Outcome::Failed(why)) => Some(format!("{} [{}]: {why}", m.machine, m.group)),
                        _ => None,
                    })
                    .collect();
                let items = failed.into_iter().map(|line| view! { <li>{line}</li> }).collect_view();
                view! {
                    <div class="failure" role="alert">
                        <strong>{format!("The run failed: {error}")}</strong>
                        <ul>{items}</ul>
                        <p class="muted">"Leases were released, and nothing the plan did not name was destroyed (volumes never are)."</p>
                    </div>
                }
            })
        })
    };
    let timeline = move || {
        progress.with(|p| {
            p.timeline
                .iter()
                .map(|entry| {
                    let at = format!("{:>5.1}s", entry.at_ms as f64 / 1000.0);
                    view! { <li><span class="at mono">{at}</span><span class="mono">{entry.line.clone()}</span></li> }
                })
                .collect_view()
        })
    };
    let cancel_button = move || {
        let cancel = cancel?;
        running().then(|| {
            let canceled = move || {
                clicked.track();
                progress.track();
                cancel.with(Cancel::is_canceled)
            };
            view! {
                <button type="button" class="danger" disabled=canceled
                    on:click=move |_| { cancel.with_untracked(Cancel::cancel); set_clicked.update(|n| *n += 1); }>
                    {move || if canceled() { "Canceling…" } else { "Cancel" }}
                </button>
            }
        })
    };
    view! {
        <section class="run" aria-label=label.clone() class:hidden=move || progress.with(|p| p.state == RunState::Waiting && p.total == 0)>
            {bar}
            {cancel_button}
            {report}
            {release}
            <table class="grid run-machines" aria-label=format!("{label} machines")>
                <thead><tr>
                    <th>"Machine"</th><th>"Group"</th><th>"Region"</th><th>"Step"</th><th>"State"</th><th>"Checks"</th><th>"Outcome"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {move || progress.with(|p| p.warnings.iter().map(|w| view! { <p class="warn">{format!("Warning: {w}")}</p> }).collect_view())}
            <ol class="timeline" aria-label=format!("{label} timeline")>{timeline}</ol>
        </section>
    }
}
