//! App → Deploy: the fly.toml draft (from App → Config) planned against the app's machines with a strategy and
//! flyctl's options (max unavailable, detach, start stopped machines); the plan with each machine's changes; then
//! the deploy in the live view (progress, a row per machine, release command, timeline, cancel, failure report).

use flightdeck::config::{parse, validate};
use flightdeck::engine::{AppSnapshot, Progress};
use flightdeck::plan::{DeployOptions, Plan, Strategy, plan_deploy};
use leptos::prelude::*;

use crate::components::{PlanPreview, RunView, plan_runner};
use crate::route::{Route, Tab};
use crate::state::{Drafts, Session};

/// `0.33` (a fraction of each group) or `2` (machines at a time); empty is flyctl's default.
fn max_unavailable(text: &str) -> Result<Option<f64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 && (n < 1.0 || n.fract() == 0.0) => Ok(Some(n)),
        _ => Err(format!("max unavailable {text:?}: a fraction below 1 (0.33) or a whole number of machines (2)")),
    }
}

/// What the draft says, for the fields' defaults.
#[derive(Debug, Clone, PartialEq)]
struct Configured {
    strategy: &'static str,
    max_unavailable: String,
    image: String,
    /// The app fly.toml names, when it is not the app shown: the deploy goes to the app shown.
    other_app: Option<String>,
}

#[component]
pub fn DeployTab(app: String) -> impl IntoView {
    let session = expect_context::<Session>();
    let drafts = expect_context::<Drafts>();
    let draft = {
        let app = app.clone();
        Memo::new(move |_| drafts.0.with(|d| d.get(&app).cloned()))
    };
    // Empty: `[deploy] strategy` of the draft, else rolling (flyctl's order); a choice overrides it like `--strategy`.
    let (strategy, set_strategy) = signal(String::new());
    // What the draft says, shown where the fields start empty (their default): the strategy, max unavailable
    // (flyctl's 0.33 when fly.toml has none) and the image (`[build] image`, else the one the machines run).
    let configured = {
        let app = app.clone();
        Memo::new(move |_| {
            // Parsed only: the rules run when planning.
            let config = draft.with(|source| source.as_deref().map(|source| parse(source).config));
            let named = config.as_ref().and_then(|c| c.app.clone()).filter(|named| *named != app);
            let (deploy, build) = config.map(|c| (c.deploy, c.build)).unwrap_or_default();
            let strategy = deploy.as_ref().and_then(|d| d.strategy.as_deref()).and_then(Strategy::parse);
            Configured {
                strategy: strategy.unwrap_or(Strategy::Rolling).as_str(),
                max_unavailable: deploy.and_then(|d| d.max_unavailable).unwrap_or(0.33).to_string(),
                image: build.and_then(|b| b.image).unwrap_or_else(|| "the image the machines run".to_owned()),
                other_app: named,
            }
        })
    };
    // Empty: the draft's image; else the image to deploy, like flyctl's `--image`.
    let (image, set_image) = signal(String::new());
    let (max_unavailable_text, set_max_unavailable) = signal(String::new());
    let (detach, set_detach) = signal(false);
    let (start_stopped, set_start_stopped) = signal(false);

    let preview = {
        let (client, app) = (session.client.clone(), app.clone());
        Action::new_local(move |(source, options): &(String, DeployOptions)| {
            let (client, app, source, options) = (client.clone(), app.clone(), source.clone(), options.clone());
            async move {
                let parsed = validate(&source);
                if parsed.has_errors() {
                    return Err("fly.toml has errors: fix them in App → Config first".to_owned());
                }
                let snapshot = AppSnapshot::read(&client, &app).await.map_err(|e| e.to_string())?;
                plan_deploy(&snapshot.deploy_input(&app, &parsed.config), &options).map_err(|e| e.to_string())
            }
        })
    };
    let progress = RwSignal::new(Progress::default());
    let (deploy, cancel) = plan_runner(session.client.clone(), progress, || {});
    let on_plan = move |_| {
        let Some(source) = draft.get_untracked() else { return };
        let options = match max_unavailable(&max_unavailable_text.get_untracked()) {
            Ok(max_unavailable) => DeployOptions {
                strategy: Strategy::parse(&strategy.get_untracked()),
                image: image.with_untracked(|i| Some(i.trim().to_owned()).filter(|i| !i.is_empty())),
                max_unavailable,
                detach: detach.get_untracked(),
                start_stopped: start_stopped.get_untracked(),
                ..DeployOptions::default()
            },
            Err(error) => {
                preview.value().set(Some(Err(error)));
                return;
            }
        };
        preview.dispatch((source, options));
    };
    let config_href = Route::App { name: app.clone(), tab: Tab::Config }.href();
    let app_shown = app.clone();
    let no_draft = move || {
        draft.with(Option::is_none).then(|| {
            view! {
                <p class="muted">"No fly.toml yet: write or load one in "<a href=config_href.clone()>"App → Config"</a>"."</p>
            }
        })
    };

    view! {
        <div class="deploy">
            <section class="card" aria-labelledby="deploy-options-heading">
                <h2 id="deploy-options-heading">"Deploy"</h2>
                {no_draft}
                {move || configured.with(|c| c.other_app.clone()).map(|named| view! {
                    <p class="warn" role="note">{format!(
                        "This fly.toml names app \"{named}\"; the deploy goes to {}, the app shown here.", app_shown.clone())}</p>
                })}
                <div class="deploy-options">
                    <label for="strategy">"Strategy"</label>
                    <select id="strategy" on:change=move |ev| set_strategy.set(event_target_value(&ev))>
                        <option value="" selected>{move || format!("as in fly.toml ({})", configured.with(|c| c.strategy))}</option>
                        <option value="rolling">"rolling"</option>
                        <option value="immediate">"immediate"</option>
                        <option value="canary">"canary"</option>
                        <option value="bluegreen">"bluegreen"</option>
                    </select>
                    <label for="deploy-image">"Image"</label>
                    <input id="deploy-image" class="image" spellcheck="false" autocomplete="off"
                        placeholder=move || configured.with(|c| c.image.clone())
                        on:input=move |ev| set_image.set(event_target_value(&ev))/>
                    <label for="max-unavailable">"Max unavailable"</label>
                    <input id="max-unavailable" class="narrow" placeholder=move || configured.with(|c| c.max_unavailable.clone()) inputmode="decimal"
                        on:input=move |ev| set_max_unavailable.set(event_target_value(&ev))/>
                    <label><input type="checkbox" on:change=move |ev| set_start_stopped.set(event_target_checked(&ev))/>
                        " Start stopped machines"</label>
                    <label><input type="checkbox" on:change=move |ev| set_detach.set(event_target_checked(&ev))/>
                        " Detach (do not wait for health checks)"</label>
                </div>
                <button type="button" disabled=move || draft.with(Option::is_none) on:click=on_plan>"Plan deploy"</button>
                <PlanPreview planned=Signal::derive(move || preview.value().get()) label="Deploy plan" button="Deploy"
                    busy=deploy.pending() on_run=Callback::new(move |plan: Plan| { deploy.dispatch(plan); })/>
            </section>
            <RunView progress=progress label="Deploy" cancel=cancel/>
            {move || deploy.value().get().and_then(Result::ok).map(|()| view! { <p class="ok" role="status">"Deployed."</p> })}
        </div>
    }
}
