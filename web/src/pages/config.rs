//! App → Config: a fly.toml editor with diagnostics as you type — marked in the text (a layer of marks behind the
//! textarea, drawn from `marked_runs`, scrolled with it) and listed (line:column, which selects the span, code,
//! message, help) — the process groups and the machine config each gets. The text is the app's draft, which
//! App → Deploy plans and deploys.

use flightdeck::api::MachineFilter;
use flightdeck::config::validate;
use flightdeck::diagnostics::{LocatedDiagnostic, locate, marked_runs};
use leptos::prelude::*;

use crate::components::{ErrorNote, files};
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
    let editor = NodeRef::<leptos::html::Textarea>::new();
    let backdrop = NodeRef::<leptos::html::Div>::new();
    // The marks behind the text: the source cut into runs, each plain or marked with its most severe diagnostic.
    // Text nodes only (the source is never HTML); a trailing line so the layer is as tall as the textarea's text.
    let marks = move || {
        text.with(|source| {
            report.with(|report| {
                let mut runs = marked_runs(source, &report.diagnostics)
                    .into_iter()
                    .map(|(span, severity)| {
                        let run = span.text(source).unwrap_or_default().to_owned();
                        match severity {
                            None => run.into_any(),
                            Some(severity) => {
                                view! { <mark class=format!("mark-{}", severity.as_str())>{run}</mark> }.into_any()
                            }
                        }
                    })
                    .collect::<Vec<_>>();
                runs.push("\n ".into_any());
                runs
            })
        })
    };
    let follow_scroll = move |_| {
        if let (Some(editor), Some(backdrop)) = (editor.get_untracked(), backdrop.get_untracked()) {
            backdrop.set_scroll_top(editor.scroll_top());
            backdrop.set_scroll_left(editor.scroll_left());
        }
    };
    // A diagnostic's line:column selects its span in the editor (UTF-16 offsets, as the textarea counts).
    let select = move |d: &LocatedDiagnostic| {
        let (start, end) = (d.start.utf16, d.end.utf16);
        move |_| {
            if let Some(editor) = editor.get_untracked() {
                let _ = editor.focus();
                let _ = editor.set_selection_range(start, end);
            }
        }
    };
    let diagnostics = move || {
        if !loaded.get() {
            return view! { <p class="muted">"Loading fly.toml…"</p> }.into_any();
        }
        let located = text.with(|source| report.with(|r| locate(source, &r.diagnostics)));
        if located.is_empty() {
            return view! { <p class="ok" role="status">"No problems found."</p> }.into_any();
        }
        let items = located
            .into_iter()
            .map(|d| {
                let severity = d.diagnostic.severity.as_str();
                let help = d.diagnostic.help.clone().map(|h| view! { <span class="help">{h}</span> });
                let (line, column) = (d.start.line, d.start.column);
                view! {
                    <li class=format!("diag diag-{severity}")>
                        <button type="button" class="where mono link" on:click=select(&d)
                            aria-label=format!("Line {line}, column {column}: select in the editor")>
                            {format!("{line}:{column}")}</button>
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
                    .map(|m| {
                        // Through a value: the machine config's serializer is compiled once, for compact text.
                        flightdeck::json::to_value(&m)
                            .and_then(|value| serde_json::to_string_pretty(&value))
                            .unwrap_or_default()
                    })
                    .unwrap_or_else(|e| e.to_string());
                view! { <details><summary>{format!("Machine config of group {group}")}</summary><pre class="mono">{machine}</pre></details> }
            })
            .collect_view()
    };

    let deploy_href = Route::App { name: app.clone(), tab: Tab::Deploy }.href();
    // Open a fly.toml from disk into the editor; download the edited text to save it back.
    let (file_note, set_file_note) = signal(None::<Result<String, String>>);
    let open_file = move |event: leptos::ev::Event| {
        leptos::task::spawn_local(async move {
            match files::picked_text(&event).await {
                Ok(Some((name, source))) => {
                    set_text.set(source);
                    set_loaded.set(true);
                    set_file_note.set(Some(Ok(format!("Opened {name}."))));
                }
                Ok(None) => {}
                Err(error) => set_file_note.set(Some(Err(error))),
            }
        });
    };
    let save_file = move |_| {
        if let Err(error) = text.with_untracked(|source| files::download("fly.toml", source)) {
            set_file_note.set(Some(Err(error)));
        }
    };

    view! {
        <div class="config">
            <section class="card" aria-labelledby="editor-heading">
                <div class="section-head">
                    <h2 id="editor-heading">"fly.toml"</h2>
                    <div class="file-actions">
                        <label class="button small">"Open…"
                            <input type="file" class="visually-hidden" accept=".toml,text/plain"
                                aria-label="Open a fly.toml file" on:change=open_file/></label>
                        <button type="button" class="small" on:click=save_file>"Download"</button>
                    </div>
                </div>
                {move || file_note.get().map(|note| match note {
                    Ok(text) => view! { <p class="muted" role="status">{text}</p> }.into_any(),
                    Err(error) => view! { <ErrorNote message=error/> }.into_any(),
                })}
                <div class="editor-wrap">
                    <div class="editor-backdrop" aria-hidden="true" node_ref=backdrop>{marks}</div>
                    <textarea class="editor" aria-label="fly.toml" spellcheck="false" rows="22" wrap="off" node_ref=editor
                        prop:value=text on:input=move |ev| set_text.set(event_target_value(&ev)) on:scroll=follow_scroll></textarea>
                </div>
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
