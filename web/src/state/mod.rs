//! Session state shared through context: which backend the dashboard talks to, and the API client for it.

use flightdeck::api::{ApiError, AuthToken, FetchTransport, MachinesClient};
use serde::{Deserialize, Serialize};

/// What `/__flightdeck/session` says about the backend.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SessionInfo {
    /// `emulator` or `upstream`.
    pub mode: String,
    pub org_slug: String,
    /// Offered only by the local emulator.
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
}

/// The connected session: the client every page uses, and the org it looks at.
#[derive(Debug, Clone)]
pub struct Session {
    pub info: SessionInfo,
    pub client: MachinesClient<FetchTransport>,
}

/// Why the dashboard could not connect.
#[derive(Debug, Clone)]
pub enum ConnectError {
    Unreachable(String),
    NoToken,
    Api(ApiError),
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectError::Unreachable(why) => {
                write!(f, "The Flightdeck server did not answer: {why}")
            }
            ConnectError::NoToken => f.write_str("This server proxies a real Machines API: connect with an API token."),
            ConnectError::Api(error) => write!(f, "{error}"),
        }
    }
}

/// The page's own origin (`http://127.0.0.1:4280`): the API base the dashboard may reach under its CSP.
pub fn page_origin() -> Result<String, ConnectError> {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .ok_or_else(|| ConnectError::Unreachable("no page origin".to_owned()))
}

/// Asks the serving flightdeck-server which backend it fronts (and, when it emulates, its token).
pub async fn session_info() -> Result<SessionInfo, ConnectError> {
    let origin = page_origin()?;
    let response = gloo_net::http::Request::get(&format!("{origin}/__flightdeck/session"))
        .send()
        .await
        .map_err(|e| ConnectError::Unreachable(e.to_string()))?;
    if !response.ok() {
        return Err(ConnectError::Unreachable(format!("HTTP {}", response.status())));
    }
    let body = response.text().await.map_err(|e| ConnectError::Unreachable(e.to_string()))?;
    flightdeck::json::from_json(body.as_bytes()).map_err(|e| ConnectError::Unreachable(e.to_string()))
}

/// What the connect screen asks for. The token lives in memory; it reaches sessionStorage only when the user asks
/// to be remembered on this device (and leaves with the tab).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub base_url: String,
    pub token: String,
    pub org: String,
}

const STORAGE_KEY: &str = "flightdeck.connection";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

/// The connection remembered in this tab, if the user asked for that.
pub fn remembered() -> Option<Connection> {
    let text = session_storage()?.get_item(STORAGE_KEY).ok().flatten()?;
    flightdeck::json::from_json(text.as_bytes()).ok()
}

/// Remembers `connection` for this tab's session, or forgets any remembered one.
pub fn remember(connection: Option<&Connection>) {
    let Some(storage) = session_storage() else { return };
    match connection.and_then(|c| serde_json::to_string(c).ok()) {
        Some(text) => {
            let _ = storage.set_item(STORAGE_KEY, &text);
        }
        None => {
            let _ = storage.remove_item(STORAGE_KEY);
        }
    }
}

/// Opens a session: a client for `connection`, proven by listing the org's apps (a wrong token or org reads as a
/// sentence here, not later on some page).
pub async fn open(info: &SessionInfo, connection: &Connection) -> Result<Session, ConnectError> {
    let origin = page_origin()?;
    let base = connection.base_url.trim().trim_end_matches('/');
    let base = if base.is_empty() { origin.as_str() } else { base };
    if base != origin {
        return Err(ConnectError::Unreachable(format!(
            "this dashboard may only reach its own server ({origin}); to use another Machines API, run \
             flightdeck-server with --upstream {base}"
        )));
    }
    let token = AuthToken::new(connection.token.trim()).map_err(|e| ConnectError::Api(e.into()))?;
    let client = MachinesClient::new(base, token, FetchTransport).map_err(ConnectError::Api)?;
    let org = if connection.org.trim().is_empty() { info.org_slug.clone() } else { connection.org.trim().to_owned() };
    client.list_apps(&org).await.map_err(ConnectError::Api)?;
    Ok(Session { info: SessionInfo { org_slug: org, ..info.clone() }, client })
}

/// The connected session, if any, shared so the connect screen can set it and every page can read it.
#[derive(Debug, Clone, Copy)]
pub struct SessionSlot(pub leptos::prelude::RwSignal<Option<Session>>);

/// fly.toml drafts by app: App → Config edits the text that App → Deploy plans. Kept in this tab's sessionStorage
/// ([`Drafts::keep_in_tab`]), so a reload does not lose an edit; closing the tab does drop them, as it drops a
/// remembered token.
#[derive(Debug, Clone, Copy)]
pub struct Drafts(pub leptos::prelude::RwSignal<std::collections::BTreeMap<String, String>>);

const DRAFTS_KEY: &str = "flightdeck.drafts";

impl Drafts {
    /// The drafts this tab kept (none on a first visit, or when storage is unavailable or holds something else),
    /// written back on every change.
    pub fn keep_in_tab() -> Self {
        use leptos::prelude::*;
        let kept = session_storage()
            .and_then(|storage| storage.get_item(DRAFTS_KEY).ok().flatten())
            .and_then(|text| flightdeck::json::from_json(text.as_bytes()).ok())
            .unwrap_or_default();
        let drafts = Drafts(RwSignal::new(kept));
        Effect::new(move |_| {
            let text = drafts.0.with(|drafts| serde_json::to_string(drafts).ok());
            if let (Some(storage), Some(text)) = (session_storage(), text) {
                // A full storage keeps the drafts in memory only.
                let _ = storage.set_item(DRAFTS_KEY, &text);
            }
        });
        drafts
    }
}

/// A first fly.toml for an app that has machines but no draft yet: the config its machines describe
/// (`plan::config_from_machines`: name, primary region, image, and each group with its command).
pub fn starting_draft(app: &str, machines: &[flightdeck::api::Machine]) -> String {
    let config = flightdeck::plan::config_from_machines(app, machines);
    flightdeck::config::to_toml(&config).unwrap_or_else(|_| format!("app = \"{app}\"\n"))
}

/// A counter bumped every `every` while the screen that asked is shown.
fn ticker(every: std::time::Duration) -> (leptos::prelude::ReadSignal<u32>, leptos::prelude::WriteSignal<u32>) {
    use leptos::prelude::*;
    let (tick, set_tick) = signal(0u32);
    if let Ok(handle) = set_interval_with_handle(move || set_tick.update(|t| *t += 1), every) {
        on_cleanup(move || handle.clear());
    }
    (tick, set_tick)
}

/// One machine of `app` (by id), read at first and again every `every` while the screen that asked is shown.
pub fn live_machine(
    session: &Session,
    app: &str,
    id: &str,
    every: std::time::Duration,
) -> leptos::prelude::LocalResource<Result<flightdeck::api::Machine, ApiError>> {
    use leptos::prelude::*;
    let (tick, _) = ticker(every);
    let (client, app, id) = (session.client.clone(), app.to_owned(), id.to_owned());
    LocalResource::new(move || {
        tick.track();
        let (client, app, id) = (client.clone(), app.clone(), id.clone());
        async move { client.get_machine(&app, &id).await }
    })
}

/// The full machine list of `app`, listed at first and again whenever the returned counter is bumped.
fn listed_machines(
    session: &Session,
    app: &str,
) -> (leptos::prelude::LocalResource<Result<Vec<flightdeck::api::Machine>, ApiError>>, leptos::prelude::WriteSignal<u32>)
{
    use leptos::prelude::*;
    let (tick, set_tick) = signal(0u32);
    let (client, app) = (session.client.clone(), app.to_owned());
    let machines = LocalResource::new(move || {
        tick.track();
        let (client, app) = (client.clone(), app.clone());
        async move {
            // Queued now, run once the list's request is sent and this task waits for it: the browser compiles the
            // decoder while the list is on the way, not after it arrived.
            leptos::task::spawn_local(async { warm_machine_decoder() });
            client.list_machines(&app, &flightdeck::api::MachineFilter::default()).await
        }
    });
    (machines, set_tick)
}

/// Decodes a sample machine list once per page (`response::warm_up`), so the first real list does not pay for
/// compiling the decoder.
fn warm_machine_decoder() {
    thread_local! { static WARM: std::cell::Cell<bool> = const { std::cell::Cell::new(false) }; }
    if !WARM.with(|warm| warm.replace(true)) {
        flightdeck::api::machines::response::warm_up();
    }
}

/// The app's machines as summaries (`summary=true`: no config, checks or events — a fraction of the full list, as
/// machines-api.md advises dashboards), listed every `every` when `ready` says so at that moment; `None` when not.
fn listed_summaries(
    session: &Session,
    app: &str,
    every: std::time::Duration,
    ready: impl Fn() -> bool + 'static,
) -> leptos::prelude::LocalResource<Option<Result<Vec<flightdeck::api::Machine>, ApiError>>> {
    use leptos::prelude::*;
    let (tick, _) = ticker(every);
    let (client, app) = (session.client.clone(), app.to_owned());
    LocalResource::new(move || {
        tick.track();
        let ready = untrack(&ready);
        let (client, app) = (client.clone(), app.clone());
        async move {
            let filter = flightdeck::api::MachineFilter { summary: true, ..flightdeck::api::MachineFilter::default() };
            if ready { Some(client.list_machines(&app, &filter).await) } else { None }
        }
    })
}

/// What [`live_fleet`] gives a screen.
#[derive(Clone, Copy)]
pub struct LiveFleet {
    /// The last full list.
    pub machines: leptos::prelude::LocalResource<Result<Vec<flightdeck::api::Machine>, ApiError>>,
    /// Bump to read the full list now (after an action).
    pub relist: leptos::prelude::WriteSignal<u32>,
    /// Whether a full list (or its error) has arrived.
    pub loaded: leptos::prelude::ReadSignal<bool>,
}

/// An app's machines kept live for a screen, as cheaply as a list of 1,000 allows: the summary list every
/// `summary_every`, and the full list (configs, checks: the part summaries leave out) at first, after
/// `summaries_per_full_list` summaries, and at once when `apply_summaries` says the summaries show something only
/// the full list can tell (a machine new, gone or at another version) or a summary fails. No summary is read while
/// the full list is on its way. `apply_full` gets every full list (or its error) as it arrives.
pub fn live_fleet(
    session: &Session,
    app: &str,
    summary_every: std::time::Duration,
    summaries_per_full_list: u32,
    apply_full: impl Fn(&Result<Vec<flightdeck::api::Machine>, ApiError>) + 'static,
    apply_summaries: impl Fn(&[flightdeck::api::Machine]) -> bool + 'static,
) -> LiveFleet {
    use leptos::prelude::*;
    let (machines, relist) = listed_machines(session, app);
    let (loaded, set_loaded) = signal(false);
    // Summaries read since the last full list, and whether the full list has been asked for and has not come yet.
    let summaries_since_full_list = StoredValue::new(0u32);
    let full_list_asked = StoredValue::new(false);
    Effect::new(move |_| {
        machines.with(|listed| {
            let Some(listed) = listed else { return };
            full_list_asked.set_value(false);
            summaries_since_full_list.set_value(0);
            apply_full(listed);
            if !loaded.get_untracked() {
                set_loaded.set(true);
            }
        })
    });
    let summaries = listed_summaries(session, app, summary_every, move || loaded.get() && !full_list_asked.get_value());
    Effect::new(move |_| {
        summaries.with(|listed| {
            let Some(Some(listed)) = listed else { return };
            if full_list_asked.get_value() {
                return;
            }
            let stale = listed.as_ref().map_or(true, |summaries| apply_summaries(summaries));
            summaries_since_full_list.update_value(|n| *n += 1);
            if stale || summaries_since_full_list.get_value() >= summaries_per_full_list {
                full_list_asked.set_value(true);
                relist.update(|t| *t += 1);
            }
        })
    });
    LiveFleet { machines, relist, loaded }
}
