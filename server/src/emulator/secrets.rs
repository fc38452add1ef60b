//! `/v1/apps/{app}/secrets`: app secrets. The emulator keeps only a digest of each value — a value can never leak
//! back out because it is never stored. Every change bumps the app's secrets version.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flightdeck::api::secrets::valid_secret_name;
use serde_json::{Value, json};

use super::{Emulator, OrgScope, reply};

/// One stored secret: no value, only what the API shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SecretRecord {
    pub digest: String,
    pub created_at: String,
    pub updated_at: String,
}

/// A stable digest of a value (not a security boundary: the emulator's own callers chose the values).
fn digest(value: &str) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

fn listing(secrets: &BTreeMap<String, SecretRecord>) -> Vec<Value> {
    secrets
        .iter()
        .map(|(name, s)| json!({ "name": name, "digest": s.digest, "created_at": s.created_at, "updated_at": s.updated_at }))
        .collect()
}

/// `GET /v1/apps/{app}/secrets`.
pub async fn list(State(emulator): State<Emulator>, scope: OrgScope, Path(app): Path<String>) -> Response {
    if let Err(response) = emulator.require_app(&app, &scope) {
        return response;
    }
    let secrets = emulator.with_app(&app, |a| listing(&a.secrets)).unwrap_or_default();
    Json(json!({ "secrets": secrets })).into_response()
}

/// `POST /v1/apps/{app}/secrets {"values": {NAME: "value" | null}}`.
pub async fn update(
    State(emulator): State<Emulator>,
    scope: OrgScope,
    Path(app): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(response) = emulator.require_app(&app, &scope) {
        return response;
    }
    let values = match serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|b| b.get("values").and_then(Value::as_object).cloned())
    {
        Some(values) => values,
        None => {
            return reply::error(StatusCode::BAD_REQUEST, "body must be {\"values\": {\"NAME\": \"value\" | null}}");
        }
    };
    if let Some(bad) = values.keys().find(|name| !valid_secret_name(name)) {
        return reply::error(StatusCode::BAD_REQUEST, format!("invalid secret name {bad:?}"));
    }
    if let Some((name, _)) = values.iter().find(|(_, v)| !(v.is_string() || v.is_null())) {
        return reply::error(StatusCode::BAD_REQUEST, format!("the value of {name} must be a string or null"));
    }
    let now = super::machines::now_timestamp();
    let result = emulator.with_app(&app, |a| {
        for (name, value) in &values {
            match value.as_str() {
                Some(value) => {
                    let created_at = a.secrets.get(name).map_or_else(|| now.clone(), |s| s.created_at.clone());
                    a.secrets.insert(
                        name.clone(),
                        SecretRecord { digest: digest(value), created_at, updated_at: now.clone() },
                    );
                }
                None => {
                    a.secrets.remove(name);
                }
            }
        }
        a.secrets_version += 1;
        json!({ "secrets": listing(&a.secrets), "version": a.secrets_version })
    });
    result.map_or_else(|| reply::error(StatusCode::NOT_FOUND, "app not found"), |r| Json(r).into_response())
}

/// `DELETE /v1/apps/{app}/secrets/{name}`.
pub async fn delete(
    State(emulator): State<Emulator>,
    scope: OrgScope,
    Path((app, name)): Path<(String, String)>,
) -> Response {
    if let Err(response) = emulator.require_app(&app, &scope) {
        return response;
    }
    let result = emulator.with_app(&app, |a| {
        a.secrets.remove(&name).map(|_| {
            a.secrets_version += 1;
            a.secrets_version
        })
    });
    match result.flatten() {
        Some(version) => Json(json!({ "version": version })).into_response(),
        None => reply::error(StatusCode::NOT_FOUND, "secret not found"),
    }
}
