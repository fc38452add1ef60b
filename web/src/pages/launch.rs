//! The launch wizard on the apps page: image, internal port, a suggested app name, region and VM size; the fly.toml
//! that launch writes, validated as the fields change (and offered as a download); then the launch itself (create
//! the app, its machines, wait until they start) with flyctl's progress lines and a link to the new app, whose
//! App → Config draft is that fly.toml.

use flightdeck::config::{DEFAULT_PRESET, validate};
use flightdeck::diagnostics::{Severity, locate};
use flightdeck::engine::{Cancel, Progress};
use flightdeck::plan::{Launch, LaunchRequest, plan_launch};
use leptos::prelude::*;

use crate::components::{ErrorNote, files, region_options, run_with_progress, size_options};
use crate::route::{Route, Tab};
use crate::state::{Drafts, Session};

/// A name for an app running `image`: its repository's last part, cleaned to the app-name alphabet, and a short
/// random suffix so that launching the same image twice does not collide.
fn suggested_name(image: &str) -> String {
    let repository = image.rsplit('/').next().unwrap_or_default().split([':', '@']).next().unwrap_or_default();
    let mut base: String = repository
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    base.truncate(40);
    let base = base.trim_end_matches('-');
    let suffix = (js_sys::Math::random() * f64::from(0x10000)) as u32;
    if base.is_empty() { format!("app-{suffix:04x}") } else { format!("{base}-{suffix:04x}") }
}

#[component]
pub fn LaunchWizard(#[prop(into)] on_launched: Callback<()>) -> impl IntoView {
    let session = expect_context::<Session>();
    let drafts = expect_context::<Drafts>();
    let org = session.info.org_slug.clone();
    let image = RwSignal::new(String::from("nginx:latest"));
    let port = RwSignal::new(String::from("80"));
    let name = RwSignal::new(suggested_name("nginx:latest"));
    // The name follows the image until the user types one.
    let (name_edited, set_name_edited) = signal(false);
    let region = RwSignal::new(String::from("iad"));
    let size = RwSignal::new(String::from(DEFAULT_PRESET));
    let (single, set_single) = signal(false);

    let launch = Memo::new(move |_| {
        let internal_port = port
            .with(|p| p.trim().parse::<u32>())
            .map_err(|_| "the internal port is a number, like 8080".to_owned())?;
        plan_launch(&LaunchRequest {
            app: name.get().trim().to_owned(),
            org: org.clone(),
            image: image.get(),
            internal_port,
            region: region.get(),
            vm_size: Some(size.get()),
            single_machine: single.get(),
        })
        .map_err(|e| e.to_string())
    });
    // The run's progress: its timeline holds flyctl's lines, which the log shows.
    let progress = RwSignal::new(Progress::default());
    let run = {
        let client = session.client.clone();
        Action::new_local(move |launch: &Launch| {
            let (client, plan, fly_toml) = (client.clone(), launch.plan.clone(), launch.fly_toml.clone());
            async move {
                // The fly.toml launch writes is the new app's draft in App → Config, as the CLI writes it to disk.
                drafts.0.update(|d| {
                    d.insert(plan.app.clone(), fly_toml);
                });
                // The engine is in the deferred module (`crate::split`): the wizard's own module stays small.
                let app = plan.app.clone();
                let result = run_with_progress(client, plan, progress, Cancel::default()).await;
                on_launched.run(());
                result.map(|()| app)
            }
        })
    };

    let (save_error, set_save_error) = signal(None::<String>);
    let fly_toml = move || match launch.get() {
        Ok(launch) => {
            let report = validate(&launch.fly_toml);
            // Each error with its line:column in the text shown beside it.
            let errors: Vec<String> = locate(&launch.fly_toml, &report.diagnostics)
                .into_iter()
                .filter(|d| d.diagnostic.severity == Severity::Error)
                .map(|d| format!("{}:{} {}", d.start.line, d.start.column, d.diagnostic.message))
                .collect();
            let status = if errors.is_empty() {
                view! { <p class="ok" role="status">"fly.toml is valid."</p> }.into_any()
            } else {
                view! { <ErrorNote message=format!("fly.toml has errors: {}", errors.join("; "))/> }.into_any()
            };
            let source = launch.fly_toml.clone();
            let save = move |_| {
                if let Err(error) = files::download("fly.toml", &source) {
                    set_save_error.set(Some(error));
                }
            };
            view! {
                <pre class="plan mono" aria-label="Generated fly.toml">{launch.fly_toml}</pre>
                {status}
                <button type="button" class="small" on:click=save>"Download fly.toml"</button>
                {move || save_error.get().map(|e| view! { <ErrorNote message=e/> })}
            }
            .into_any()
        }
        Err(error) => view! { <ErrorNote message=error/> }.into_any(),
    };
    let done = move || {
        run.value().get().map(|result| match result {
            Ok(app) => {
                let href = Route::App { name: app.clone(), tab: Tab::Machines }.href();
                view! { <p class="ok" role="status">"Launched " <a href=href>{app}</a> "."</p> }.into_any()
            }
            Err(error) => view! { <ErrorNote message=error/> }.into_any(),
        })
    };
    view! {
        <section aria-labelledby="launch-heading" class="card launch">
            <h2 id="launch-heading">"Launch an app"</h2>
            <div class="launch-body">
                <form class="fields" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    if let Ok(launch) = launch.get_untracked() {
                        run.dispatch(launch);
                    }
                }>
                    <label for="launch-image">"Image"</label>
                    <input id="launch-image" required prop:value=image on:input=move |ev| {
                        let value = event_target_value(&ev);
                        if !name_edited.get_untracked() {
                            name.set(suggested_name(&value));
                        }
                        image.set(value);
                    }/>
                    <label for="launch-port">"Internal port"</label>
                    <input id="launch-port" inputmode="numeric" required prop:value=port
                        on:input=move |ev| port.set(event_target_value(&ev))/>
                    <label for="launch-name">"New app name"</label>
                    <input id="launch-name" required prop:value=name on:input=move |ev| {
                        set_name_edited.set(true);
                        name.set(event_target_value(&ev));
                    }/>
                    <label for="launch-region">"Region"</label>
                    <select id="launch-region" on:change=move |ev| region.set(event_target_value(&ev))>{region_options("iad", &[])}</select>
                    <label for="launch-size">"VM size"</label>
                    <select id="launch-size" on:change=move |ev| size.set(event_target_value(&ev))>{size_options(DEFAULT_PRESET)}</select>
                    <label class="check"><input type="checkbox" on:change=move |ev| set_single.set(event_target_checked(&ev))/>
                        " One machine (no second one for high availability)"</label>
                    <button type="submit" disabled=move || launch.with(Result::is_err) || run.pending().get()>"Launch"</button>
                </form>
                <div class="preview">{fly_toml}</div>
            </div>
            {done}
            <pre class="log" aria-label="Launch progress" aria-live="polite">{move || progress.with(|p| p.timeline.iter().map(|entry| entry.line.as_str()).collect::<Vec<_>>().join("\n"))}</pre>
        </section>
    }
}
