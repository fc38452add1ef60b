//! App → Config: a fly.toml editor with diagnostics as you type (code, line:column, message, help), the process
//! groups and the machine config each gets. The text is the app's draft, which App → Deploy plans and deploys.

use flightdeck::api::MachineFilter;
use flightdeck::config::validate;
use flightdeck::diagnostics::{Severity, locate};
use leptos::prelude::*;

use crate::route::{Route, Tab};
use crate::state::{Drafts, Session, starting_draft};

#[component]
pub fn ConfigTab(app: String) -> impl IntoView {
    let session = expect_context::<Session>();
    let drafts = expect_context::<Drafts>();
    let saved = drafts.0.with_untracked(|d| d.get(&app).cloned());
    let (text, set_text) = signal(saved.clone().unwrap_or_default());
    // Until the first text is in, there is nothing to check (and no draft to keep).
    let (loaded, set_loaded) = signal(saved.is_some());
    {
        // Every edit is the app's draft.
        let app = app.clone();
        Effect::new(move |_| {
            let current = text.get();
            if loaded.get() {
                drafts.0.update(|d| {
                    d.insert(app.clone(), current);
                });
            }
        });
    }
    if saved.is_none() {
        // Fill the editor once, from the app's first machine.
        let (client, app) = (session.client.clone(), app.clone());
        leptos::task::spawn_local(async move {
            let machines = client.list_machines(&app, &MachineFilter::default()).await.unwrap_or_default();
            set_text.set(starting_draft(&app, &machines));
            set_loaded.set(true);
        });
    }
    let report = Memo::new(move |_| text.with(|t| validate(t)));
    let diagnostics = move || {
        if !loaded.get() {
            return view! { <p class="muted">"Loading fly.toml…"</p> }.into_any();
        }
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

    let deploy_href = Route::App { name: app.clone(), tab: Tab::Deploy }.href();

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
                <a class="button" href=deploy_href>"Plan the deploy of this fly.toml"</a>
            </section>
        </div>
    }
}
