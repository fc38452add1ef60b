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
