//! The emulator's control API under `/__emulator` (on by default, `--no-control` turns it off): read and set the
//! faults in force, seed apps with machines and volumes, change the speed, read the counters. It takes the same
//! tokens as `/v1`, so only the sandbox's owner can break it.

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

async fn post_seed(State(emulator): State<Emulator>, _scope: OrgScope, body: Bytes) -> Response {
    let seed = match serde_json::from_slice::<super::seed::Seed>(&body) {
        Ok(seed) => seed,
        Err(error) => return reply::error(StatusCode::BAD_REQUEST, format!("invalid seed: {error}")),
    };
    match emulator.seed(&seed) {
        Ok(seeded) => (StatusCode::CREATED, Json(seeded)).into_response(),
        Err(error @ super::seed::SeedError::NameTaken(_)) => reply::error(StatusCode::CONFLICT, error.to_string()),
        Err(error) => reply::error(StatusCode::BAD_REQUEST, error.to_string()),
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Speed {
    speed: f64,
}

async fn get_speed(State(emulator): State<Emulator>, _scope: OrgScope) -> Response {
    Json(Speed { speed: emulator.speed() }).into_response()
}

async fn put_speed(State(emulator): State<Emulator>, _scope: OrgScope, body: Bytes) -> Response {
    match serde_json::from_slice::<Speed>(&body) {
        Ok(Speed { speed }) if speed.is_finite() && speed > 0.0 => {
            Json(Speed { speed: emulator.set_speed(speed) }).into_response()
        }
        _ => reply::error(StatusCode::BAD_REQUEST, "body must be {\"speed\": a number above 0}"),
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
        .route("/seed", axum::routing::post(post_seed))
        .route("/speed", get(get_speed).put(put_speed))
        .with_state(emulator)
}
