//! `/v1/apps`: list, create, show. App names are global; another org's app answers 404, never 403, so a token
//! cannot probe which names exist elsewhere (except through create's `name_taken`, as on Fly).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AppRecord, Emulator, OrgScope, reply};

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    org_slug: Option<String>,
}

/// One app as `GET /v1/apps/{app}` shows it.
fn app_json(emulator: &Emulator, app: &AppRecord) -> Value {
    json!({
        "id": app.id,
        "name": app.name,
        "status": app.status,
        "organization": {
            "name": emulator.org_name(&app.org_slug).unwrap_or_else(|| app.org_slug.clone()),
            "slug": app.org_slug,
        },
    })
}

/// One app as the list shows it (machines-api.md §3.1).
fn list_item_json(emulator: &Emulator, app: &AppRecord) -> Value {
    json!({
        "id": app.id,
        "name": app.name,
        "machine_count": emulator.live_machine_count(&app.name),
        "volume_count": emulator.live_volume_count(&app.name),
        "network": app.network,
    })
}

/// `GET /v1/apps?org_slug=…` → `{"total_apps": n, "apps": [...]}`.
pub async fn list(State(emulator): State<Emulator>, scope: OrgScope, Query(query): Query<ListQuery>) -> Response {
    let Some(org) = query.org_slug.filter(|s| !s.is_empty()) else {
        return reply::error(StatusCode::BAD_REQUEST, "org_slug is required");
    };
    if !scope.allows(&org) {
        return reply::error(StatusCode::NOT_FOUND, "organization not found");
    }
    let apps: Vec<Value> = emulator.apps_of_org(&org).iter().map(|a| list_item_json(&emulator, a)).collect();
    Json(json!({ "total_apps": apps.len(), "apps": apps })).into_response()
}

pub(crate) use flightdeck::config::valid_app_name;

/// `POST /v1/apps` with `{"name"|"app_name", "org_slug", "network"?}` → 201 and the app.
pub async fn create(State(emulator): State<Emulator>, scope: OrgScope, body: Bytes) -> Response {
    let body: Value = match serde_json::from_slice(&body) {
        Ok(value @ Value::Object(_)) => value,
        Ok(_) => {
            return reply::error(StatusCode::BAD_REQUEST, "json: cannot unmarshal non-object into CreateAppRequest");
        }
        Err(error) => {
            return reply::error(StatusCode::BAD_REQUEST, format!("invalid JSON body: {error}"));
        }
    };
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let Some(name) = text("name").or_else(|| text("app_name")) else {
        return reply::error(StatusCode::BAD_REQUEST, "app name is required");
    };
    let Some(org) = text("org_slug") else {
        return reply::error(StatusCode::BAD_REQUEST, "org_slug is required");
    };
    if !scope.allows(org) {
        return reply::error(StatusCode::NOT_FOUND, "organization not found");
    }
    if !valid_app_name(name) {
        return reply::error(
            StatusCode::BAD_REQUEST,
            "app name may only contain lowercase letters, numbers and dashes, and be at most 63 characters",
        );
    }
    match emulator.create_app(org, name, text("network").map(str::to_owned)) {
        Ok(app) => (StatusCode::CREATED, Json(app_json(&emulator, &app))).into_response(),
        Err(_) => {
            reply::error_with_status(StatusCode::UNPROCESSABLE_ENTITY, "Name has already been taken", "name_taken")
        }
    }
}

/// `GET /v1/apps/{app_name}`.
pub async fn show(State(emulator): State<Emulator>, scope: OrgScope, Path(name): Path<String>) -> Response {
    match emulator.app(&name) {
        Some(app) if scope.allows(&app.org_slug) => Json(app_json(&emulator, &app)).into_response(),
        _ => reply::error(StatusCode::NOT_FOUND, "app not found"),
    }
}

/// `DELETE /v1/apps/{app_name}[?force=true]` → 202.
pub async fn delete(
    State(emulator): State<Emulator>,
    scope: OrgScope,
    Path(name): Path<String>,
    Query(query): Query<std::collections::BTreeMap<String, String>>,
) -> Response {
    match emulator.app(&name) {
        Some(app) if scope.allows(&app.org_slug) => {
            let force = query.get("force").is_some_and(|v| v == "true");
            match emulator.delete_app(&name, force) {
                Ok(()) => {
                    emulator.changed();
                    StatusCode::ACCEPTED.into_response()
                }
                Err(message) => {
                    reply::error(StatusCode::PRECONDITION_FAILED, format!("failed_precondition: {message}"))
                }
            }
        }
        _ => reply::error(StatusCode::NOT_FOUND, "app not found"),
    }
}

#[cfg(test)]
mod tests {
    use super::valid_app_name;

    #[test]
    fn app_names_follow_flys_rule() {
        for ok in ["a", "my-app-1", "0day"] {
            assert!(valid_app_name(ok), "{ok}");
        }
        for bad in ["", "My-App", "-x", "x-", "a_b", "a.b", &"a".repeat(64)] {
            assert!(!valid_app_name(bad), "{bad}");
        }
    }
}
