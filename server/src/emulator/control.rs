//! The emulator's control API under `/__emulator` (on by default, `--no-control` turns it off): read and set the
//! faults in force. It takes the same tokens as `/v1`, so only the sandbox's owner can break it.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::faults::Faults;
use super::{Emulator, OrgScope, reply};

async fn get_faults(State(emulator): State<Emulator>, _scope: OrgScope) -> Response {
    Json(emulator.faults()).into_response()
}

async fn put_faults(State(emulator): State<Emulator>, _scope: OrgScope, body: Bytes) -> Response {
    match serde_json::from_slice::<Faults>(&body) {
        Ok(faults) => {
            emulator.set_faults(faults.clone());
            Json(faults).into_response()
        }
        Err(error) => reply::error(StatusCode::BAD_REQUEST, format!("invalid faults: {error}")),
    }
}

async fn get_counters(State(emulator): State<Emulator>, _scope: OrgScope) -> Response {
    Json(emulator.counters()).into_response()
}

/// The control routes (to be nested under `/__emulator`).
pub fn routes(emulator: Emulator) -> Router {
    Router::new()
        .route("/faults", get(get_faults).put(put_faults))
        .route("/counters", get(get_counters))
        .with_state(emulator)
}
