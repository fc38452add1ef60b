//! The apps page: the org's apps, the launch wizard (loaded apart: `crate::split`), and a form to create an empty app.

use flightdeck::api::CreateAppRequest;
use leptos::prelude::*;

use crate::components::{AppTable, ErrorNote};
use crate::pages::launch::LaunchWizard;
use crate::split::{Unloaded, loaded, once_needed, wasm_split};
use crate::state::Session;

#[component]
pub fn AppsPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let org = session.info.org_slug.clone();

    let create = {
        let (client, org) = (session.client.clone(), org.clone());
        Action::new_local(move |name: &String| {
            let (client, request) = (
                client.clone(),
                CreateAppRequest { name: name.trim().to_owned(), org_slug: org.clone(), ..Default::default() },
            );
            async move { client.create_app(&request).await }
        })
    };
    let apps = {
        let client = session.client.clone();
        LocalResource::new(move || {
            // Re-list after every create.
            create.version().track();
            let (client, org) = (client.clone(), org.clone());
            async move { client.list_apps(&org).await }
        })
    };

    let (name, set_name) = signal(String::new());
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        create.dispatch(name.get_untracked());
    };
    let create_error =
        move || create.value().get().and_then(Result::err).map(|e| view! { <ErrorNote message=e.to_string()/> });
    let created_name = move || create.value().get().and_then(Result::ok).map(|app| format!("Created {}.", app.name));

    view! {
        <section aria-labelledby="apps-heading">
            <div class="section-head">
                <h1 id="apps-heading">"Apps"</h1>
                <button type="button" on:click=move |_| apps.refetch()>"Refresh"</button>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading apps…"</p> }>
                {move || apps.get().map(|result| match result {
                    Ok(list) => view! { <AppTable apps=list/> }.into_any(),
                    Err(error) => view! { <ErrorNote message=error.to_string()/> }.into_any(),
                })}
            </Transition>
        </section>
        // The wizard once the list is drawn: fetching its module then does not hold the list back.
        {once_needed(move || apps.with(Option::is_some), move || loaded(launch_wizard(Callback::new(move |()| apps.refetch()))))}
        <section aria-labelledby="create-heading" class="card">
            <h2 id="create-heading">"Create an app"</h2>
            <form on:submit=on_submit>
                <label for="app-name">"App name"</label>
                <input id="app-name" name="app-name" required placeholder="my-app"
                    prop:value=name on:input=move |ev| set_name.set(event_target_value(&ev))/>
                <button type="submit" disabled=move || create.pending().get()>"Create app"</button>
            </form>
            <p class="muted" role="status">{created_name}</p>
            {create_error}
        </section>
    }
}

/// The launch wizard, a split module of its own (`crate::split`): it brings fly.toml's validation and writing and the
/// launch planner, which the list of apps does not need (its launch runs through the engine in the deferred module).
#[wasm_split(launch_wizard, wasm_split_path = ::leptos::wasm_split, fallible)]
fn launch_wizard(on_launched: Callback<()>) -> Result<AnyView, Unloaded> {
    Ok(view! { <LaunchWizard on_launched/> }.into_any())
}
