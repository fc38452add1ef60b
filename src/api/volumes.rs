//! Volumes: wire types and the request/response functions of the volume endpoints. A volume lives in one region
//! and is attached to at most one machine; deploys detach volumes, they never destroy them.

use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::request::{BaseUrl, authorized, encode_component, json_body};
use super::token::AuthToken;
use super::transport::{HttpRequest, HttpResponse, Method};
use crate::machine::{Extra, null_as_default};

/// A volume.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(default)]
pub struct Volume {
    #[serde(deserialize_with = "null_as_default")]
    pub id: String,
    #[serde(deserialize_with = "null_as_default")]
    pub name: String,
    /// `created`, `extending`, `restoring`, `pending_destroy`, `destroyed`, … (an open set).
    #[serde(deserialize_with = "null_as_default")]
    pub state: String,
    pub size_gb: u64,
    #[serde(deserialize_with = "null_as_default")]
    pub region: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<bool>,
    pub attached_machine_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_retention: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_backup_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fstype: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_status: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Volume {
    /// Soft- or hard-deleted.
    pub fn is_gone(&self) -> bool {
        matches!(self.state.as_str(), "destroyed" | "destroying" | "pending_destroy" | "scheduling_destroy")
    }
}

/// `POST /apps/{app}/volumes`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(default)]
pub struct CreateVolumeRequest {
    pub name: String,
    pub region: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_gb: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_unique_zone: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_retention: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_backup_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fstype: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_volume_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
}

/// `PUT /apps/{app}/volumes/{id}`: what can change on a volume besides its size. Fields left out keep their value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(default)]
pub struct UpdateVolumeRequest {
    /// Days of snapshots kept (1–60).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_retention: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_backup_enabled: Option<bool>,
}

/// `PUT …/extend` answers the volume and whether its machine must restart to see the new size.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(default)]
pub struct ExtendResponse {
    pub volume: Volume,
    pub needs_restart: bool,
}

fn volumes_path(base: &BaseUrl, app: &str) -> String {
    format!("{}/v1/apps/{}/volumes", base.as_str(), encode_component(app))
}

fn volume_path(base: &BaseUrl, app: &str, id: &str) -> String {
    format!("{}/{}", volumes_path(base, app), encode_component(id))
}

/// Request builders.
pub mod request {
    use super::*;

    /// `GET /apps/{app}/volumes`.
    pub fn list(base: &BaseUrl, token: &AuthToken, app: &str) -> HttpRequest {
        authorized(Method::Get, volumes_path(base, app), token)
    }

    /// `POST /apps/{app}/volumes`.
    pub fn create(
        base: &BaseUrl,
        token: &AuthToken,
        app: &str,
        volume: &CreateVolumeRequest,
    ) -> Result<HttpRequest, ApiError> {
        if volume.name.is_empty() || volume.region.is_empty() {
            return Err(ApiError::InvalidArgument("a volume needs a name and a region".to_owned()));
        }
        json_body(authorized(Method::Post, volumes_path(base, app), token), volume)
    }

    /// `GET /apps/{app}/volumes/{id}`.
    pub fn get(base: &BaseUrl, token: &AuthToken, app: &str, id: &str) -> HttpRequest {
        authorized(Method::Get, volume_path(base, app, id), token)
    }

    /// `DELETE /apps/{app}/volumes/{id}`.
    pub fn delete(base: &BaseUrl, token: &AuthToken, app: &str, id: &str) -> HttpRequest {
        authorized(Method::Delete, volume_path(base, app, id), token)
    }

    /// `PUT /apps/{app}/volumes/{id}` (flyctl's method; the spec says POST, which the live API also takes).
    pub fn update(
        base: &BaseUrl,
        token: &AuthToken,
        app: &str,
        id: &str,
        update: &UpdateVolumeRequest,
    ) -> Result<HttpRequest, ApiError> {
        json_body(authorized(Method::Put, volume_path(base, app, id), token), update)
    }

    /// `PUT …/extend {"size_gb": n}`: volumes only grow.
    pub fn extend(
        base: &BaseUrl,
        token: &AuthToken,
        app: &str,
        id: &str,
        size_gb: u64,
    ) -> Result<HttpRequest, ApiError> {
        let url = format!("{}/extend", volume_path(base, app, id));
        json_body(authorized(Method::Put, url, token), &serde_json::json!({ "size_gb": size_gb }))
    }
}

/// Response readers.
pub mod response {
    use super::*;

    use crate::api::response::decode;

    /// A list of volumes (`null` is an empty list).
    pub fn list(response: &HttpResponse) -> Result<Vec<Volume>, ApiError> {
        decode::<Option<Vec<Volume>>>(response).map(Option::unwrap_or_default)
    }

    /// One volume (create, get, delete).
    pub fn volume(response: &HttpResponse) -> Result<Volume, ApiError> {
        decode(response)
    }

    /// `extend`.
    pub fn extend(response: &HttpResponse) -> Result<ExtendResponse, ApiError> {
        decode(response)
    }
}
