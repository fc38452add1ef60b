//! `/v1/apps/{app}/volumes…`: volumes bound to a region and to at most one machine. A machine created with a mount
//! must be in its volume's region and the volume must be free; destroying the machine detaches the volume (it is
//! never destroyed with it).

#![allow(clippy::result_large_err)] // see machines.rs: `Response` errors are axum's idiom

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flightdeck::api::{CreateVolumeRequest, Volume};
use serde_json::{Value, json};

use super::{Emulator, OrgScope, reply};
use crate::ids;

/// A volume as the emulator keeps it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct VolumeRecord {
    pub app: String,
    pub volume: Volume,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 30
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn find(emulator: &Emulator, scope: &OrgScope, app: &str, id: &str) -> Result<Volume, Response> {
    emulator.require_app(app, scope)?;
    emulator
        .volume(id)
        .filter(|r| r.app == app && !r.volume.is_gone())
        .map(|r| r.volume)
        .ok_or_else(|| reply::error(StatusCode::NOT_FOUND, "volume not found"))
}

/// `GET /v1/apps/{app}/volumes`.
pub async fn list(State(emulator): State<Emulator>, scope: OrgScope, Path(app): Path<String>) -> Response {
    if let Err(response) = emulator.require_app(&app, &scope) {
        return response;
    }
    Json(emulator.volumes_of(&app).into_iter().filter(|v| !v.is_gone()).collect::<Vec<_>>()).into_response()
}

/// `POST /v1/apps/{app}/volumes`.
pub async fn create(
    State(emulator): State<Emulator>,
    scope: OrgScope,
    Path(app): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(response) = emulator.require_app(&app, &scope) {
        return response;
    }
    let request: CreateVolumeRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => return reply::error(StatusCode::BAD_REQUEST, format!("invalid volume request: {error}")),
    };
    if !valid_name(&request.name) {
        return reply::error(
            StatusCode::BAD_REQUEST,
            "volume name must be 1-30 lowercase letters, digits or underscores",
        );
    }
    if request.region.is_empty() {
        return reply::error(StatusCode::BAD_REQUEST, "region is required");
    }
    let size_gb = request.size_gb.unwrap_or(3);
    if !(1..=500).contains(&size_gb) {
        return reply::error(StatusCode::BAD_REQUEST, "size_gb must be between 1 and 500");
    }
    if request.snapshot_retention.is_some_and(|d| !(1..=60).contains(&d)) {
        return reply::error(StatusCode::BAD_REQUEST, "snapshot_retention must be between 1 and 60 days");
    }
    let volume = new_volume(request, size_gb);
    emulator.insert_volume(VolumeRecord { app, volume: volume.clone() });
    Json(volume).into_response()
}

/// A volume as the API creates it (state `created`, a zone, the API's defaults for what the request leaves out).
pub(crate) fn new_volume(request: CreateVolumeRequest, size_gb: u64) -> Volume {
    Volume {
        id: format!("vol_{}", ids::object_id(16)),
        name: request.name,
        state: "created".to_owned(),
        size_gb,
        region: request.region,
        zone: Some(ids::hex_id(4)),
        encrypted: Some(request.encrypted.unwrap_or(true)),
        attached_machine_id: None,
        created_at: Some(super::machines::now_timestamp()),
        snapshot_retention: Some(request.snapshot_retention.unwrap_or(5)),
        auto_backup_enabled: Some(request.auto_backup_enabled.unwrap_or(true)),
        fstype: Some(request.fstype.unwrap_or_else(|| "ext4".to_owned())),
        host_status: Some("ok".to_owned()),
        ..Volume::default()
    }
}

/// `GET /v1/apps/{app}/volumes/{id}`.
pub async fn show(
    State(emulator): State<Emulator>,
    scope: OrgScope,
    Path((app, id)): Path<(String, String)>,
) -> Response {
    match find(&emulator, &scope, &app, &id) {
        Ok(volume) => Json(volume).into_response(),
        Err(response) => response,
    }
}

/// `DELETE /v1/apps/{app}/volumes/{id}`: refused while attached.
pub async fn delete(
    State(emulator): State<Emulator>,
    scope: OrgScope,
    Path((app, id)): Path<(String, String)>,
) -> Response {
    let volume = match find(&emulator, &scope, &app, &id) {
        Ok(volume) => volume,
        Err(response) => return response,
    };
    if let Some(machine) = &volume.attached_machine_id {
        return reply::error(
            StatusCode::PRECONDITION_FAILED,
            format!("failed_precondition: volume {id} is attached to machine {machine}; destroy the machine first"),
        );
    }
    let deleted = emulator.with_volume(&id, |record| {
        record.volume.state = "destroyed".to_owned();
        record.volume.clone()
    });
    deleted.map_or_else(|| reply::error(StatusCode::NOT_FOUND, "volume not found"), |v| Json(v).into_response())
}

/// `PUT /v1/apps/{app}/volumes/{id}/extend {"size_gb": n}`.
pub async fn extend(
    State(emulator): State<Emulator>,
    scope: OrgScope,
    Path((app, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let volume = match find(&emulator, &scope, &app, &id) {
        Ok(volume) => volume,
        Err(response) => return response,
    };
    let size = serde_json::from_slice::<Value>(&body).ok().and_then(|b| b.get("size_gb").and_then(Value::as_u64));
    let Some(size) = size else { return reply::error(StatusCode::BAD_REQUEST, "body must be {\"size_gb\": n}") };
    if size <= volume.size_gb || size > 500 {
        return reply::error(
            StatusCode::BAD_REQUEST,
            format!("size_gb must grow the volume ({} GB) and be at most 500", volume.size_gb),
        );
    }
    let needs_restart = volume.attached_machine_id.as_deref().and_then(|m| emulator.machine(m)).is_some_and(|m| {
        matches!(m.machine.state, flightdeck::api::MachineState::Started | flightdeck::api::MachineState::Starting)
    });
    let updated = emulator.with_volume(&id, |record| {
        record.volume.size_gb = size;
        record.volume.clone()
    });
    Json(json!({ "volume": updated, "needs_restart": needs_restart })).into_response()
}

/// `PUT /v1/apps/{app}/volumes/{id} {"snapshot_retention": days, "auto_backup_enabled": bool}` (flyctl sends PUT;
/// the spec says POST: both are accepted). Fields left out keep their value.
pub async fn update(
    State(emulator): State<Emulator>,
    scope: OrgScope,
    Path((app, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    if let Err(response) = find(&emulator, &scope, &app, &id) {
        return response;
    }
    let request: flightdeck::api::UpdateVolumeRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => return reply::error(StatusCode::BAD_REQUEST, format!("invalid volume update: {error}")),
    };
    if request.snapshot_retention.is_some_and(|d| !(1..=60).contains(&d)) {
        return reply::error(StatusCode::BAD_REQUEST, "snapshot_retention must be between 1 and 60 days");
    }
    let updated = emulator.with_volume(&id, |record| {
        if let Some(days) = request.snapshot_retention {
            record.volume.snapshot_retention = Some(days);
        }
        if let Some(enabled) = request.auto_backup_enabled {
            record.volume.auto_backup_enabled = Some(enabled);
        }
        record.volume.clone()
    });
    updated.map_or_else(|| reply::error(StatusCode::NOT_FOUND, "volume not found"), |v| Json(v).into_response())
}
