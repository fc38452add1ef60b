//! Hosting the built dashboard, and `/__flightdeck/session`, which tells the dashboard which backend it talks to
//! and, for the local emulator only, offers the dev token.

use std::path::Path;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::emulator::{Emulator, PERSONAL_ORG};

/// Who the dashboard talks to.
#[derive(Debug, Clone)]
struct Backend {
    emulator: Emulator,
    /// `Some(url)` when `/v1` is proxied to a real Machines API.
    upstream: Option<String>,
}

/// `GET /__flightdeck/session`: `{mode, org_slug, token, version}`. The token is offered only by the emulator; a
/// real API's token is the user's to give.
async fn session(State(backend): State<Backend>) -> Response {
    match &backend.upstream {
        Some(url) => Json(json!({ "mode": "upstream", "upstream": url, "org_slug": PERSONAL_ORG, "token": null, "version": flightdeck::VERSION })),
        None => Json(json!({
            "mode": "emulator",
            "org_slug": PERSONAL_ORG,
            "token": backend.emulator.dev_token(),
            "version": flightdeck::VERSION,
        })),
    }
    .into_response()
}

async fn not_built() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(
            "<!doctype html><title>Flightdeck</title><p>The dashboard is not built yet. Run <code>scripts/dev</code> \
              (or <code>trunk build --release</code>) and reload. The API is up at <code>/v1</code>.</p>",
        ),
    )
        .into_response()
}

/// The session endpoint, then the dashboard's files with `index.html` for any other path (client-side routes).
pub fn routes(emulator: Emulator, dir: &Path, upstream: Option<String>) -> Router {
    let api = Router::new().route("/__flightdeck/session", get(session)).with_state(Backend { emulator, upstream });
    let index = dir.join("index.html");
    let files = if index.is_file() {
        Router::new().fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
    } else {
        Router::new().fallback(not_built)
    };
    api.merge(files).layer(SetResponseHeaderLayer::if_not_present(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ))
}
