//! App → Secrets: names and digests (values are write-only: the API never returns them and neither does this
//! screen), set and unset, then the restart-only deploy that gives the machines the new secrets, in the live view.

use std::collections::BTreeMap;

use flightdeck::api::MachineFilter;
use flightdeck::engine::{Cancel, Progress};
use flightdeck::plan::{DeployOptions, plan_secrets_deploy};
use leptos::prelude::*;

use crate::components::{ErrorNote, RunView, run_with_progress};
use crate::state::Session;

#[component]
pub fn SecretsTab(app: String) -> impl IntoView {
    let session = expect_context::<Session>();
    let progress = RwSignal::new(Progress::default());
    let change = {
        let (client, app) = (session.client.clone(), app.clone());
        Action::new_local(move |values: &BTreeMap<String, Option<String>>| {
            let (client, app, values) = (client.clone(), app.clone(), values.clone());
            async move {
                let update = client.update_secrets(&app, &values).await.map_err(|e| e.to_string())?;
                let machines =
                    client.list_machines(&app, &MachineFilter::default()).await.map_err(|e| e.to_string())?;
                let plan = plan_secrets_deploy(&app, &machines, update.version, &DeployOptions::default());
                if plan.is_empty() {
                    // As flyctl: an app without machines gets the secrets with its first deployment.
                    return Ok((update.version, false));
                }
                run_with_progress(client, plan, progress, Cancel::default()).await?;
                Ok::<(u64, bool), String>((update.version, true))
            }
        })
    };
    let secrets = {
        let (client, app) = (session.client.clone(), app.clone());
        LocalResource::new(move || {
            change.version().track();
            let (client, app) = (client.clone(), app.clone());
            async move { client.list_secrets(&app).await }
        })
    };
    let (name, set_name) = signal(String::new());
    let (value, set_value) = signal(String::new());
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let values = BTreeMap::from([(name.get_untracked().trim().to_owned(), Some(value.get_untracked()))]);
        // The value leaves the page with the request and is not kept.
        set_value.set(String::new());
        change.dispatch(values);
    };
    let rows = move || {
        secrets.get().map(|result| match result {
            Ok(list) if list.is_empty() => view! { <p class="muted">"No secrets yet."</p> }.into_any(),
            Ok(list) => {
                let rows = list
                    .into_iter()
                    .map(|secret| {
                        let unset = BTreeMap::from([(secret.name.clone(), None)]);
                        let label = format!("Unset secret {}", secret.name);
                        view! {
                            <tr>
                                <td class="name mono">{secret.name.clone()}</td>
                                <td class="mono">{secret.digest.clone()}</td>
                                <td>{secret.updated_at.clone().or(secret.created_at.clone()).unwrap_or_default()}</td>
                                <td><button type="button" class="small danger" aria-label=label
                                    disabled=move || change.pending().get()
                                    on:click=move |_| { change.dispatch(unset.clone()); }>"Unset"</button></td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <table class="grid" aria-label="Secrets">
                        <thead><tr><th>"Name"</th><th>"Digest"</th><th>"Updated"</th><th>""</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
                .into_any()
            }
            Err(error) => view! { <ErrorNote message=error.to_string()/> }.into_any(),
        })
    };
    view! {
        <section aria-label="Secrets">
            <Transition fallback=|| view! { <p class="muted">"Loading secrets…"</p> }>{rows}</Transition>
            <form class="card" on:submit=on_submit>
                <label for="secret-name">"Name"</label>
                <input id="secret-name" required pattern="[A-Za-z_][A-Za-z0-9_]*" placeholder="DATABASE_URL"
                    prop:value=name on:input=move |ev| set_name.set(event_target_value(&ev))/>
                <label for="secret-value">"Value"</label>
                <input id="secret-value" type="password" required autocomplete="off"
                    prop:value=value on:input=move |ev| set_value.set(event_target_value(&ev))/>
                <button type="submit" disabled=move || change.pending().get()>"Set secret and restart"</button>
            </form>
            {move || change.value().get().map(|result| match result {
                Ok((version, restarted)) => {
                    let text = if restarted {
                        format!("Secrets are at version {version}; machines restarted.")
                    } else {
                        format!("Secrets are at version {version}; no machines to restart: they are staged for the first deployment.")
                    };
                    view! { <p class="ok" role="status">{text}</p> }.into_any()
                }
                Err(error) => view! { <ErrorNote message=error/> }.into_any(),
            })}
            <RunView progress=progress label="Secrets deploy"/>
        </section>
    }
}
