//! Session state shared through context: which backend the dashboard talks to, and the API client for it.

use flightdeck::api::{ApiError, AuthToken, FetchTransport, MachinesClient};
use serde::Deserialize;

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
            ConnectError::NoToken => f.write_str("This server proxies a real Machines API: an API token is needed."),
            ConnectError::Api(error) => write!(f, "{error}"),
        }
    }
}

fn page_origin() -> Result<String, ConnectError> {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .ok_or_else(|| ConnectError::Unreachable("no page origin".to_owned()))
}

/// Asks the serving flightdeck-server for the session, then builds a same-origin client.
pub async fn connect() -> Result<Session, ConnectError> {
    let origin = page_origin()?;
    let response = gloo_net::http::Request::get(&format!("{origin}/__flightdeck/session"))
        .send()
        .await
        .map_err(|e| ConnectError::Unreachable(e.to_string()))?;
    if !response.ok() {
        return Err(ConnectError::Unreachable(format!("HTTP {}", response.status())));
    }
    let body = response.text().await.map_err(|e| ConnectError::Unreachable(e.to_string()))?;
    let info: SessionInfo = serde_json::from_str(&body).map_err(|e| ConnectError::Unreachable(e.to_string()))?;
    let raw = info.token.clone().ok_or(ConnectError::NoToken)?;
    let token = AuthToken::new(&raw).map_err(|e| ConnectError::Api(e.into()))?;
    let client = MachinesClient::new(&origin, token, FetchTransport).map_err(ConnectError::Api)?;
    Ok(Session { info, client })
}

/// fly.toml drafts by app, kept while the dashboard is open: App → Config edits the text that App → Deploy plans.
#[derive(Debug, Clone, Copy)]
pub struct Drafts(pub leptos::prelude::RwSignal<std::collections::BTreeMap<String, String>>);

/// A first fly.toml for an app that has machines but no draft yet: its name, and the region and image its first
/// machine runs, and a `[processes]` entry (with the command the machines run) for each group besides `app`.
pub fn starting_draft(app: &str, machines: &[flightdeck::api::Machine]) -> String {
    use flightdeck::config::{AppConfig, Build, DEFAULT_GROUP, RESERVED_GROUPS};
    let first = machines.iter().find(|m| flightdeck::plan::is_managed(m)).or(machines.first());
    let mut processes = std::collections::BTreeMap::new();
    for machine in machines.iter().filter(|m| flightdeck::plan::is_managed(m)) {
        let group = flightdeck::plan::group_of(machine);
        let command = machine.config.as_ref().map(|c| c.init.cmd.join(" ")).unwrap_or_default();
        if group != DEFAULT_GROUP && !RESERVED_GROUPS.contains(&group) && !command.is_empty() {
            processes.entry(group.to_owned()).or_insert(command);
        }
    }
    let config = AppConfig {
        app: Some(app.to_owned()),
        primary_region: first.map(|m| m.region.clone()),
        build: first
            .and_then(|m| m.config.as_ref())
            .map(|c| Build { image: Some(c.image.clone()), ..Build::default() }),
        processes,
        ..AppConfig::default()
    };
    flightdeck::config::to_toml(&config).unwrap_or_else(|_| format!("app = \"{app}\"\n"))
}
