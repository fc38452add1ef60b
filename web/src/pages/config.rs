//! App → Config: a fly.toml editor with diagnostics as you type (code, line:column, message, help), the process
//! groups and the machine config each gets, and the deploy plan of the text against the app's machines — which it
//! can then run, with flyctl's progress lines.

use std::time::Duration;

use flightdeck::api::MachineFilter;
use flightdeck::config::{AppConfig, Build, validate};
use flightdeck::diagnostics::{Severity, locate};
use flightdeck::engine::{self, AppSnapshot, Cancel, EngineOptions, Event};
use flightdeck::plan::{DeployOptions, Plan, Strategy, plan_deploy};
use leptos::prelude::*;

use crate::components::ErrorNote;
use crate::state::Session;

/// A first fly.toml for an app that has machines: its name, and the region and image its first machine runs.
fn starting_text(app: &str, region: Option<String>, image: Option<String>) -> String {
    let config = AppConfig {
        app: Some(app.to_owned()),
        primary_region: region,
        build: image.map(|image| Build { image: Some(image), ..Build::default() }),
        ..AppConfig::default()
    };
    flightdeck::config::to_toml(&config).unwrap_or_else(|_| format!("app = \"{app}\"\n"))
}

#[component]
pub fn ConfigTab(app: String) -> impl IntoView {
    let session = expect_context::<Session>();
    let (text, set_text) = signal(String::new());
    {
        // Fill the editor once, from the app's first machine.
        let (client, app) = (session.client.clone(), app.clone());
        leptos::task::spawn_local(async move {
            let machines = client.list_machines(&app, &MachineFilter::default()).await.unwrap_or_default();
            let first = machines.first();
            let region = first.map(|m| m.region.clone());
            let image = first.and_then(|m| m.config.as_ref()).map(|c| c.image.clone());
            set_text.set(starting_text(&app, region, image));
        });
    }
    let report = Memo::new(move |_| text.with(|t| validate(t)));
    let diagnostics = move || {
        let source = text.get();
        let located = locate(&source, &report.get().diagnostics);
        if located.is_empty() {
            return view! { <p class="ok" role="status">"No problems found."</p> }.into_any();
        }
        let items = located
            .into_iter()
            .map(|d| {
                let severity = match d.diagnostic.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    _ => "info",
                };
                let help = d.diagnostic.help.clone().map(|h| view! { <span class="help">{h}</span> });
                view! {
                    <li class=format!("diag diag-{severity}")>
                        <span class="where mono">{format!("{}:{}", d.start.line, d.start.column)}</span>
                        <span class="code mono">{d.diagnostic.code}</span>
                        <span class="message">{d.diagnostic.message.clone()}</span>
                        {help}
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="diagnostics" aria-label="Diagnostics">{items}</ul> }.into_any()
    };
    let groups = move || {
        let config = report.get().config;
        config
            .process_names()
            .into_iter()
            .map(|group| {
                let machine = config
                    .machine_config(&group, None)
                    .map(|m| serde_json::to_string_pretty(&m).unwrap_or_default())
                    .unwrap_or_else(|e| e.to_string());
                view! { <details><summary>{format!("Machine config of group {group}")}</summary><pre class="mono">{machine}</pre></details> }
            })
            .collect_view()
    };

    let (log, set_log) = signal(Vec::<String>::new());
    let (strategy, set_strategy) = signal(String::from("rolling"));
    let (start_stopped, set_start_stopped) = signal(false);
    let preview = {
        let (client, app) = (session.client.clone(), app.clone());
        Action::new_local(move |(source, options): &(String, DeployOptions)| {
            let (client, app, source, options) = (client.clone(), app.clone(), source.clone(), options.clone());
            async move {
                let parsed = validate(&source);
                if parsed.has_errors() {
                    return Err("fix the errors above first".to_owned());
                }
                let snapshot = AppSnapshot::read(&client, &app).await.map_err(|e| e.to_string())?;
                plan_deploy(&snapshot.deploy_input(&app, &parsed.config), &options).map_err(|e| e.to_string())
            }
        })
    };
    let deploy = {
        let client = session.client.clone();
        Action::new_local(move |plan: &Plan| {
            let (client, plan) = (client.clone(), plan.clone());
            async move {
                set_log.set(Vec::new());
                let sink = move |event: Event| {
                    if let Some(line) = event.line() {
                        set_log.update(|lines| lines.push(line));
                    }
                };
                let options = EngineOptions { smoke_window: Duration::from_secs(2), ..EngineOptions::default() };
                engine::run(&client, &plan, &options, &sink, &Cancel::default()).await.map_err(|f| f.error.to_string())
            }
        })
    };
    let plan_view = move || {
        preview.value().get().map(|result| match result {
            Ok(plan) => {
                let text = plan.describe();
                let run = plan.clone();
                view! {
                    <pre class="plan" aria-label="Deploy plan">{text}</pre>
                    <button type="button" disabled=move || deploy.pending().get()
                        on:click=move |_| { deploy.dispatch(run.clone()); }>"Deploy"</button>
                }
                .into_any()
            }
            Err(error) => view! { <ErrorNote message=error/> }.into_any(),
        })
    };

    view! {
        <div class="config">
            <section class="card" aria-labelledby="editor-heading">
                <h2 id="editor-heading">"fly.toml"</h2>
                <textarea class="editor mono" aria-label="fly.toml" spellcheck="false" rows="22"
                    prop:value=text on:input=move |ev| set_text.set(event_target_value(&ev))></textarea>
                {diagnostics}
            </section>
            <section class="card" aria-labelledby="groups-heading">
                <h2 id="groups-heading">"Process groups"</h2>
                {groups}
                <div class="deploy-options">
                    <label for="strategy">"Strategy"</label>
                    <select id="strategy" on:change=move |ev| set_strategy.set(event_target_value(&ev))>
                        <option value="rolling" selected>"rolling"</option>
                        <option value="immediate">"immediate"</option>
                        <option value="canary">"canary"</option>
                        <option value="bluegreen">"bluegreen"</option>
                    </select>
                    <label><input type="checkbox" on:change=move |ev| set_start_stopped.set(event_target_checked(&ev))/>
                        " Start stopped machines"</label>
                </div>
                <button type="button" on:click=move |_| {
                    let options = DeployOptions {
                        strategy: Strategy::parse(&strategy.get_untracked()),
                        start_stopped: start_stopped.get_untracked(),
                        ..DeployOptions::default()
                    };
                    preview.dispatch((text.get_untracked(), options));
                }>"Plan deploy"</button>
                {plan_view}
                {move || deploy.value().get().and_then(Result::err).map(|e| view! { <ErrorNote message=e/> })}
                <pre class="log" aria-label="Deploy progress" aria-live="polite">{move || log.get().join("\n")}</pre>
            </section>
        </div>
    }
}
