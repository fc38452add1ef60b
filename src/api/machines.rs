//! Machines: wire types (a machine, its events, checks, leases, wait results) and the request/response functions
//! of the machine endpoints. Pure: building a request or reading a response does no I/O.
//!
//! Every mutation can carry a lease nonce (`fly-machine-lease-nonce`); states are an open set; fields the API sends
//! and we do not model are kept.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::error::ApiError;
use super::request::{BaseUrl, encode_component};
use super::response::{error_for, request_id};
use super::token::AuthToken;
use super::transport::{HttpRequest, HttpResponse, Method};
use crate::duration::GoDuration;
use crate::machine::{Extra, MachineConfig, null_as_default};

/// The header that proves a mutation is made under the caller's lease.
pub const LEASE_NONCE_HEADER: &str = "fly-machine-lease-nonce";

/// A machine's state. The set is open: states the API adds later arrive as [`MachineState::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "js",
    derive(tsify::Tsify),
    tsify(
        type = "\"created\" | \"starting\" | \"started\" | \"stopping\" | \"stopped\" | \"suspending\" | \"suspended\" | \"replacing\" | \"replaced\" | \"destroying\" | \"destroyed\" | \"failed\" | (string & {})"
    )
)]
pub enum MachineState {
    Created,
    Starting,
    Started,
    Stopping,
    Stopped,
    Suspending,
    Suspended,
    Replacing,
    Replaced,
    Destroying,
    Destroyed,
    Failed,
    Other(String),
}

impl MachineState {
    /// The state as the API spells it.
    pub fn as_str(&self) -> &str {
        match self {
            MachineState::Created => "created",
            MachineState::Starting => "starting",
            MachineState::Started => "started",
            MachineState::Stopping => "stopping",
            MachineState::Stopped => "stopped",
            MachineState::Suspending => "suspending",
            MachineState::Suspended => "suspended",
            MachineState::Replacing => "replacing",
            MachineState::Replaced => "replaced",
            MachineState::Destroying => "destroying",
            MachineState::Destroyed => "destroyed",
            MachineState::Failed => "failed",
            MachineState::Other(other) => other,
        }
    }

    /// Parses the API's spelling; anything unknown is kept as `Other`.
    pub fn parse(text: &str) -> Self {
        match text {
            "created" => MachineState::Created,
            "starting" => MachineState::Starting,
            "started" => MachineState::Started,
            "stopping" => MachineState::Stopping,
            "stopped" => MachineState::Stopped,
            "suspending" => MachineState::Suspending,
            "suspended" => MachineState::Suspended,
            "replacing" => MachineState::Replacing,
            "replaced" => MachineState::Replaced,
            "destroying" => MachineState::Destroying,
            "destroyed" => MachineState::Destroyed,
            "failed" => MachineState::Failed,
            other => MachineState::Other(other.to_owned()),
        }
    }

    /// Gone, or on its way: not a machine an app has any more.
    pub fn is_gone(&self) -> bool {
        matches!(self, MachineState::Destroying | MachineState::Destroyed)
    }
}

impl fmt::Display for MachineState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for MachineState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for MachineState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(MachineState::parse(&Option::<String>::deserialize(deserializer)?.unwrap_or_default()))
    }
}

impl Default for MachineState {
    fn default() -> Self {
        MachineState::Other(String::new())
    }
}

/// A machine as `GET /machines/{id}` returns it (`config` is absent with `summary=true` or when the host is down).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(default)]
pub struct Machine {
    #[serde(deserialize_with = "null_as_default")]
    pub id: String,
    #[serde(deserialize_with = "null_as_default")]
    pub name: String,
    pub state: MachineState,
    #[serde(deserialize_with = "null_as_default")]
    pub region: String,
    /// Changes on every update; the same as `version`.
    #[serde(skip_serializing_if = "String::is_empty", deserialize_with = "null_as_default")]
    pub instance_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty", deserialize_with = "null_as_default")]
    pub private_ip: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<MachineConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_ref: Option<ImageRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Newest first.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub events: Vec<MachineEvent>,
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub checks: Vec<CheckStatus>,
    /// Only on create with `lease_ttl`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Only with `include_leases=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lease: Option<Lease>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cordoned: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Machine {
    /// The version to wait for or update against: `version`, else `instance_id`.
    pub fn current_version(&self) -> &str {
        self.version.as_deref().filter(|v| !v.is_empty()).unwrap_or(&self.instance_id)
    }

    /// `metadata.fly_process_group`, when the config is known.
    pub fn process_group(&self) -> Option<&str> {
        self.config.as_ref()?.metadata.get("fly_process_group").map(String::as_str)
    }
}

/// The image a machine runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(default)]
pub struct ImageRef {
    pub registry: String,
    pub repository: String,
    pub tag: String,
    pub digest: String,
    #[serde(deserialize_with = "null_as_default")]
    pub labels: BTreeMap<String, String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One event in a machine's life: `launch`, `start`, `exit`, `update`, `stop`, `destroy`, …
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(default)]
pub struct MachineEvent {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    pub source: String,
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl MachineEvent {
    /// The exit code of an `exit` event (`request.exit_event.exit_code` or `request.MonitorEvent.exit_event…`).
    pub fn exit_code(&self) -> Option<i64> {
        let request = self.request.as_ref()?;
        request
            .pointer("/exit_event/exit_code")
            .or_else(|| request.pointer("/MonitorEvent/exit_event/exit_code"))
            .and_then(Value::as_i64)
    }

    /// Whether an `exit` event's stop was asked for (a stop, restart or update), not the process ending by itself.
    pub fn requested_stop(&self) -> bool {
        let Some(request) = self.request.as_ref() else { return false };
        request
            .pointer("/exit_event/requested_stop")
            .or_else(|| request.pointer("/MonitorEvent/exit_event/requested_stop"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
}

/// A health check's latest result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(default)]
pub struct CheckStatus {
    pub name: String,
    /// `passing`, `warning` or `critical`.
    pub status: String,
    pub output: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A lease on a machine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(default)]
pub struct Lease {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub nonce: String,
    /// Unix seconds.
    pub expires_at: i64,
    pub owner: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// What `GET …/wait` answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(default)]
pub struct WaitResponse {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
}

/// `POST /apps/{app}/machines` (and, with `current_version`, the update).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(default)]
pub struct MachineRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub config: MachineConfig,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_launch: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_service_registration: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_secrets_version: Option<u64>,
    /// Acquire a lease atomically on create; the machine comes back with its `nonce`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lease_ttl: Option<u64>,
    /// Update only: the version the change is based on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<String>,
}

/// Filters of `GET /apps/{app}/machines`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MachineFilter {
    pub include_deleted: bool,
    pub region: Option<String>,
    /// `created`, `started`, `stopped`, `suspended`.
    pub states: Vec<String>,
    /// Omit config, checks and events (one cheap request for big lists).
    pub summary: bool,
    /// `metadata.{key}=value`, all must match.
    pub metadata: Vec<(String, String)>,
}

/// The states `wait` can wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitState {
    Started,
    Stopped,
    Suspended,
    Destroyed,
    Failed,
    Settled,
}

impl WaitState {
    /// The state as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitState::Started => "started",
            WaitState::Stopped => "stopped",
            WaitState::Suspended => "suspended",
            WaitState::Destroyed => "destroyed",
            WaitState::Failed => "failed",
            WaitState::Settled => "settled",
        }
    }
}

/// What one `wait` call waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitFor<'a> {
    /// Any of these (default: started).
    pub states: &'a [WaitState],
    /// The machine version the state must be reached in.
    pub version: Option<&'a str>,
    /// Only a transition after this event counts (avoids missing one that already happened).
    pub from_event_id: Option<&'a str>,
    /// Clamped to 1..=60 seconds.
    pub timeout_secs: u64,
}

/// The longest one wait call may block, by the API's rule; longer waits loop.
pub const MAX_WAIT_SECS: u64 = 60;

fn machines_path(base: &BaseUrl, app: &str) -> String {
    format!("{}/v1/apps/{}/machines", base.as_str(), encode_component(app))
}

fn machine_path(base: &BaseUrl, app: &str, id: &str, action: &str) -> String {
    let mut path = format!("{}/{}", machines_path(base, app), encode_component(id));
    if !action.is_empty() {
        path.push('/');
        path.push_str(action);
    }
    path
}

fn with_nonce(mut request: HttpRequest, nonce: Option<&str>) -> HttpRequest {
    if let Some(nonce) = nonce.filter(|n| !n.is_empty()) {
        request.headers.push((LEASE_NONCE_HEADER.to_owned(), nonce.to_owned()));
    }
    request
}

/// Request builders for the machine endpoints.
pub mod request {
    use super::*;
    use crate::api::request::{authorized, json_body};

    /// `GET /apps/{app}/machines` with filters.
    pub fn list(base: &BaseUrl, token: &AuthToken, app: &str, filter: &MachineFilter) -> HttpRequest {
        let mut query: Vec<String> = Vec::new();
        if filter.include_deleted {
            query.push("include_deleted=true".to_owned());
        }
        if let Some(region) = &filter.region {
            query.push(format!("region={}", encode_component(region)));
        }
        if !filter.states.is_empty() {
            query.push(format!("state={}", encode_component(&filter.states.join(","))));
        }
        if filter.summary {
            query.push("summary=true".to_owned());
        }
        for (key, value) in &filter.metadata {
            query.push(format!("metadata.{}={}", encode_component(key), encode_component(value)));
        }
        let mut url = machines_path(base, app);
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query.join("&"));
        }
        authorized(Method::Get, url, token)
    }

    /// `GET /apps/{app}/machines/{id}`.
    pub fn get(base: &BaseUrl, token: &AuthToken, app: &str, id: &str, include_lease: bool) -> HttpRequest {
        let mut url = machine_path(base, app, id, "");
        if include_lease {
            url.push_str("?include_leases=true");
        }
        authorized(Method::Get, url, token)
    }

    /// `POST /apps/{app}/machines`.
    pub fn create(
        base: &BaseUrl,
        token: &AuthToken,
        app: &str,
        machine: &MachineRequest,
    ) -> Result<HttpRequest, ApiError> {
        if machine.config.image.is_empty() {
            return Err(ApiError::InvalidArgument("a machine needs config.image".to_owned()));
        }
        json_body(authorized(Method::Post, machines_path(base, app), token), machine)
    }

    /// `POST /apps/{app}/machines/{id}`: replaces the whole config (read, change, write back).
    pub fn update(
        base: &BaseUrl,
        token: &AuthToken,
        app: &str,
        id: &str,
        machine: &MachineRequest,
        nonce: Option<&str>,
    ) -> Result<HttpRequest, ApiError> {
        let request = authorized(Method::Post, machine_path(base, app, id, ""), token);
        json_body(with_nonce(request, nonce), machine)
    }

    /// `DELETE /apps/{app}/machines/{id}[?force=true]`.
    pub fn destroy(
        base: &BaseUrl,
        token: &AuthToken,
        app: &str,
        id: &str,
        force: bool,
        nonce: Option<&str>,
    ) -> HttpRequest {
        let mut url = machine_path(base, app, id, "");
        if force {
            url.push_str("?force=true");
        }
        with_nonce(authorized(Method::Delete, url, token), nonce)
    }

    /// A bodiless lifecycle action: `start`, `suspend`, `cordon`, `uncordon`.
    pub fn action(
        base: &BaseUrl,
        token: &AuthToken,
        app: &str,
        id: &str,
        action: &str,
        nonce: Option<&str>,
    ) -> HttpRequest {
        with_nonce(authorized(Method::Post, machine_path(base, app, id, action), token), nonce)
    }

    /// `POST …/stop` with an optional signal and timeout (always an object: an array is a 400).
    pub fn stop(
        base: &BaseUrl,
        token: &AuthToken,
        app: &str,
        id: &str,
        signal: Option<&str>,
        timeout: Option<GoDuration>,
        nonce: Option<&str>,
    ) -> Result<HttpRequest, ApiError> {
        #[derive(Serialize)]
        #[cfg_attr(feature = "js", derive(tsify::Tsify))]
        struct Stop<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            signal: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            timeout: Option<GoDuration>,
        }
        let request = with_nonce(authorized(Method::Post, machine_path(base, app, id, "stop"), token), nonce);
        json_body(request, &Stop { signal, timeout })
    }

    /// `POST …/restart?signal=&timeout=`.
    pub fn restart(
        base: &BaseUrl,
        token: &AuthToken,
        app: &str,
        id: &str,
        signal: Option<&str>,
        timeout: Option<GoDuration>,
        nonce: Option<&str>,
    ) -> HttpRequest {
        let mut query = Vec::new();
        if let Some(signal) = signal {
            query.push(format!("signal={}", encode_component(signal)));
        }
        if let Some(timeout) = timeout {
            query.push(format!("timeout={}", encode_component(&timeout.to_string())));
        }
        let mut url = machine_path(base, app, id, "restart");
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query.join("&"));
        }
        with_nonce(authorized(Method::Post, url, token), nonce)
    }

    /// `POST …/signal {"signal": …}`.
    pub fn signal(
        base: &BaseUrl,
        token: &AuthToken,
        app: &str,
        id: &str,
        signal: &str,
    ) -> Result<HttpRequest, ApiError> {
        json_body(
            authorized(Method::Post, machine_path(base, app, id, "signal"), token),
            &serde_json::json!({ "signal": signal }),
        )
    }

    /// `GET …/wait`: one call, at most [`MAX_WAIT_SECS`]; the client loops to longer deadlines.
    pub fn wait(base: &BaseUrl, token: &AuthToken, app: &str, id: &str, wait: &WaitFor<'_>) -> HttpRequest {
        let states: Vec<&str> = wait.states.iter().map(|s| s.as_str()).collect();
        let mut query = vec![
            format!(
                "state={}",
                encode_component(&if states.is_empty() { "started".to_owned() } else { states.join(",") })
            ),
            format!("timeout={}", wait.timeout_secs.clamp(1, MAX_WAIT_SECS)),
        ];
        if let Some(version) = wait.version.filter(|v| !v.is_empty()) {
            query.push(format!("version={}", encode_component(version)));
        }
        if let Some(event) = wait.from_event_id.filter(|v| !v.is_empty()) {
            query.push(format!("from_event_id={}", encode_component(event)));
        }
        authorized(Method::Get, format!("{}?{}", machine_path(base, app, id, "wait"), query.join("&")), token)
    }

    /// `POST …/lease`: acquire (no nonce) or refresh (the current nonce). The TTL goes both in the body (spec) and
    /// the query (flyctl), so servers of either kind honour it.
    pub fn acquire_lease(
        base: &BaseUrl,
        token: &AuthToken,
        app: &str,
        id: &str,
        ttl_secs: u64,
        description: &str,
        nonce: Option<&str>,
    ) -> Result<HttpRequest, ApiError> {
        let url = format!("{}?ttl={ttl_secs}", machine_path(base, app, id, "lease"));
        let body = serde_json::json!({ "ttl": ttl_secs, "description": description });
        json_body(with_nonce(authorized(Method::Post, url, token), nonce), &body)
    }

    /// `DELETE …/lease` (the nonce is required).
    pub fn release_lease(base: &BaseUrl, token: &AuthToken, app: &str, id: &str, nonce: &str) -> HttpRequest {
        with_nonce(authorized(Method::Delete, machine_path(base, app, id, "lease"), token), Some(nonce))
    }

    /// `GET …/lease`.
    pub fn get_lease(base: &BaseUrl, token: &AuthToken, app: &str, id: &str) -> HttpRequest {
        authorized(Method::Get, machine_path(base, app, id, "lease"), token)
    }

    /// `GET …/metadata`.
    pub fn metadata(base: &BaseUrl, token: &AuthToken, app: &str, id: &str) -> HttpRequest {
        authorized(Method::Get, machine_path(base, app, id, "metadata"), token)
    }

    /// `POST …/metadata/{key} {"value": …}`.
    pub fn set_metadata(
        base: &BaseUrl,
        token: &AuthToken,
        app: &str,
        id: &str,
        key: &str,
        value: &str,
    ) -> Result<HttpRequest, ApiError> {
        let url = format!("{}/{}", machine_path(base, app, id, "metadata"), encode_component(key));
        json_body(authorized(Method::Post, url, token), &serde_json::json!({ "value": value }))
    }

    /// `DELETE …/metadata/{key}`.
    pub fn delete_metadata(base: &BaseUrl, token: &AuthToken, app: &str, id: &str, key: &str) -> HttpRequest {
        let url = format!("{}/{}", machine_path(base, app, id, "metadata"), encode_component(key));
        authorized(Method::Delete, url, token)
    }

    /// `GET …/events?limit=`.
    pub fn events(base: &BaseUrl, token: &AuthToken, app: &str, id: &str, limit: u32) -> HttpRequest {
        authorized(
            Method::Get,
            format!("{}?limit={}", machine_path(base, app, id, "events"), limit.clamp(1, 50)),
            token,
        )
    }
}

/// Response readers for the machine endpoints.
pub mod response {
    use serde::de::DeserializeOwned;

    use super::*;

    fn ok(response: &HttpResponse) -> Result<(), ApiError> {
        if (200..300).contains(&response.status) { Ok(()) } else { Err(machine_error(response)) }
    }

    fn decode<T: DeserializeOwned>(response: &HttpResponse) -> Result<T, ApiError> {
        crate::api::response::decode_with(response, machine_error)
    }

    /// Machine endpoints' errors: the general mapping, plus a held lease (409 naming its owner and expiry) and
    /// wait's `deadline_exceeded` whatever its status.
    pub fn machine_error(response: &HttpResponse) -> ApiError {
        let error = error_for(response);
        match error {
            ApiError::Conflict { ref message, ref request_id } => match lease_holder(message) {
                Some((owner, expires_at)) => {
                    ApiError::LeaseHeld { owner, expires_at, message: message.clone(), request_id: request_id.clone() }
                }
                None => error,
            },
            ApiError::BadRequest { ref message, ref request_id }
            | ApiError::Server { ref message, ref request_id, .. }
                if message.starts_with("deadline_exceeded") =>
            {
                ApiError::Timeout { message: message.clone(), request_id: request_id.clone() }
            }
            other => other,
        }
    }

    /// `machine ID <id> lease currently held by <owner>, expires at <time>` → (owner, time).
    fn lease_holder(message: &str) -> Option<(String, String)> {
        let rest = message.split_once("lease currently held by ")?.1;
        let (owner, expires) = rest.split_once(", expires at ")?;
        Some((owner.trim().to_owned(), expires.trim().to_owned()))
    }

    /// A list of machines.
    pub fn list(response: &HttpResponse) -> Result<Vec<Machine>, ApiError> {
        decode::<Option<Vec<Machine>>>(response).map(Option::unwrap_or_default)
    }

    /// A one-machine list as the API returns it, with the parts real lists have (a config with a service, ports and
    /// a check; check statuses; an event): what [`warm_up`] decodes.
    const SAMPLE_LIST: &str = r#"[{"id":"30666964315331","name":"web-syd","state":"started","region":"syd",
        "instance_id":"013LM2AWLNJPT4QGAIB5LFMHC6","version":"013LM2AWLNJPT4QGAIB5LFMHC6",
        "private_ip":"fdaa:0:1:a7b:3066:6964::2","config":{"image":"registry.fly.io/demo-web:deployment-01J9",
        "env":{"FLY_PROCESS_GROUP":"web","PRIMARY_REGION":"iad"},"init":{"cmd":["bin/server","--port","8080"]},
        "guest":{"cpu_kind":"shared","cpus":1,"memory_mb":512},"services":[{"protocol":"tcp","internal_port":8080,
        "ports":[{"port":80,"handlers":["http"],"force_https":true},{"port":443,"handlers":["tls","http"]}],
        "checks":[{"type":"http","interval":"15s","timeout":"2s","grace_period":"5s","method":"GET",
        "path":"/healthz"}],"autostart":true,"autostop":"stop"}],"mounts":[{"volume":"vol_123","path":"/data"}],
        "restart":{"policy":"on-failure","max_retries":10},"metadata":{"fly_platform_version":"v2",
        "fly_process_group":"web"}},"created_at":"2026-11-27T11:43:29Z","updated_at":"2026-11-27T11:43:29Z",
        "events":[{"id":"01PJUPBXXTT8WUPXMZEMN7ZCRZ","type":"launch","status":"created","source":"user",
        "timestamp":1795779809204}],"checks":[{"name":"servicecheck-00-http-8080","status":"passing",
        "output":"OK","updated_at":"2026-11-27T11:43:29Z"}],"host_status":"ok","cordoned":false}]"#;

    /// Decodes a one-machine sample list; true when it decoded. In WebAssembly the first decode of a machine list
    /// also compiles the decoder (a browser compiles each function on its first call: tens of milliseconds for the
    /// API's machine type), so a page that calls this while its first list is on the way keeps that compile off
    /// the path from the response to the screen.
    pub fn warm_up() -> bool {
        let sample = HttpResponse { status: 200, headers: Vec::new(), body: SAMPLE_LIST.as_bytes().to_vec() };
        list(&sample).is_ok_and(|machines| machines.len() == 1 && machines[0].config.is_some())
    }

    /// One machine (get, create, update).
    pub fn machine(response: &HttpResponse) -> Result<Machine, ApiError> {
        decode(response)
    }

    /// Actions whose body does not matter (start, stop, destroy, cordon, metadata writes, …): any 2xx.
    pub fn done(response: &HttpResponse) -> Result<(), ApiError> {
        ok(response)
    }

    /// `wait`.
    pub fn wait(response: &HttpResponse) -> Result<WaitResponse, ApiError> {
        ok(response)?;
        if response.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(WaitResponse { ok: true, ..WaitResponse::default() });
        }
        decode(response)
    }

    /// A lease, from the `{status, data}` envelope the live API sends (or a bare lease, as the spec says).
    pub fn lease(response: &HttpResponse) -> Result<Lease, ApiError> {
        let value: Value = decode(response)?;
        let lease = value.get("data").cloned().unwrap_or(value);
        serde_json::from_value(lease)
            .map_err(|e| ApiError::Decode { message: e.to_string(), request_id: request_id(response) })
    }

    /// The metadata map.
    pub fn metadata(response: &HttpResponse) -> Result<BTreeMap<String, String>, ApiError> {
        decode::<Option<BTreeMap<String, String>>>(response).map(Option::unwrap_or_default)
    }

    /// Events, newest first.
    pub fn events(response: &HttpResponse) -> Result<Vec<MachineEvent>, ApiError> {
        decode::<Option<Vec<MachineEvent>>>(response).map(Option::unwrap_or_default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> BaseUrl {
        BaseUrl::parse("https://api.machines.dev").unwrap()
    }

    fn token() -> AuthToken {
        AuthToken::new("t").unwrap()
    }

    #[test]
    fn the_warm_up_sample_decodes_with_every_part() {
        assert!(response::warm_up());
    }

    fn reply(status: u16, body: &str) -> HttpResponse {
        HttpResponse { status, headers: vec![("fly-request-id".into(), "r1".into())], body: body.as_bytes().to_vec() }
    }

    #[test]
    fn list_filters_become_the_apis_query() {
        let filter = MachineFilter {
            region: Some("syd".into()),
            states: vec!["started".into(), "stopped".into()],
            summary: true,
            metadata: vec![("fly_process_group".into(), "web".into())],
            ..MachineFilter::default()
        };
        let req = request::list(&base(), &token(), "my app", &filter);
        assert_eq!(
            req.url,
            "https://api.machines.dev/v1/apps/my%20app/machines?region=syd&state=started%2Cstopped&summary=true&metadata.fly_process_group=web"
        );
    }

    #[test]
    fn mutations_carry_the_lease_nonce() {
        let req = request::action(&base(), &token(), "a", "148ed599c14189", "start", Some("n0nce"));
        assert_eq!(req.url, "https://api.machines.dev/v1/apps/a/machines/148ed599c14189/start");
        assert_eq!(req.header("fly-machine-lease-nonce"), Some("n0nce"));
        let req = request::destroy(&base(), &token(), "a", "148ed599c14189", true, None);
        assert!(req.url.ends_with("?force=true") && req.header(LEASE_NONCE_HEADER).is_none());
        let stop =
            request::stop(&base(), &token(), "a", "m", Some("SIGTERM"), Some(GoDuration::from_secs(10)), None).unwrap();
        assert_eq!(stop.body.as_deref(), Some(br#"{"signal":"SIGTERM","timeout":"10s"}"#.as_slice()));
        let bare = request::stop(&base(), &token(), "a", "m", None, None, None).unwrap();
        assert_eq!(bare.body.as_deref(), Some(b"{}".as_slice()), "always an object: an array is a 400");
    }

    #[test]
    fn wait_clamps_to_the_apis_limit_and_lists_states() {
        let wait = WaitFor {
            states: &[WaitState::Started, WaitState::Stopped],
            version: Some("01HV"),
            from_event_id: None,
            timeout_secs: 600,
        };
        let req = request::wait(&base(), &token(), "a", "m", &wait);
        assert_eq!(
            req.url,
            "https://api.machines.dev/v1/apps/a/machines/m/wait?state=started%2Cstopped&timeout=60&version=01HV"
        );
    }

    #[test]
    fn leases_send_ttl_both_ways_and_read_the_envelope() {
        let req = request::acquire_lease(&base(), &token(), "a", "m", 13, "deploy", None).unwrap();
        assert!(req.url.ends_with("/lease?ttl=13"));
        let body: Value = serde_json::from_slice(req.body.as_deref().unwrap()).unwrap();
        assert_eq!(body, serde_json::json!({"ttl": 13, "description": "deploy"}));
        let envelope = r#"{"status":"success","data":{"nonce":"5c35f65c9f95","expires_at":1708569778,"owner":"hello@fly.io","description":"","version":"01HQ"}}"#;
        let lease = response::lease(&reply(201, envelope)).unwrap();
        assert_eq!(
            (lease.nonce.as_str(), lease.expires_at, lease.owner.as_str()),
            ("5c35f65c9f95", 1708569778, "hello@fly.io")
        );
        let bare = response::lease(&reply(200, r#"{"nonce":"x","expires_at":1,"owner":"o"}"#)).unwrap();
        assert_eq!(bare.nonce, "x");
    }

    #[test]
    fn held_leases_capacity_and_wait_timeouts_are_typed() {
        let held = response::machine_error(&reply(
            409,
            r#"{"error":"machine ID 2879325b42d318 lease currently held by 9af60c27@tokens.fly.io, expires at 2026-05-14T10:41:08Z"}"#,
        ));
        assert_eq!(
            held,
            ApiError::LeaseHeld {
                owner: "9af60c27@tokens.fly.io".into(),
                expires_at: "2026-05-14T10:41:08Z".into(),
                message: "machine ID 2879325b42d318 lease currently held by 9af60c27@tokens.fly.io, expires at 2026-05-14T10:41:08Z".into(),
                request_id: Some("r1".into()),
            }
        );
        assert_eq!(held.to_string(), "the machine is leased by 9af60c27@tokens.fly.io until 2026-05-14T10:41:08Z");
        let capacity =
            response::machine_error(&reply(412, r#"{"error":"no capacity","status":"insufficient_capacity"}"#));
        assert_eq!(capacity.code(), "capacity");
        let deadline = response::machine_error(&reply(
            400,
            r#"{"error":"deadline_exceeded: machine failed to reach desired state, started, currently stopped"}"#,
        ));
        assert_eq!(deadline.code(), "timeout");
    }

    #[test]
    fn machines_decode_tolerantly_and_keep_unknown_fields() {
        let wire = r#"[{"id":"1857156b526dd8","name":"aged-thunder-7371","state":"hibernating","region":"ord",
            "instance_id":"01HEPA","private_ip":"fdaa::2","config":{"image":"ubuntu","metadata":{"fly_process_group":"web"}},
            "image_ref":{"registry":"r","repository":"library/ubuntu","tag":"latest","digest":"sha256:x","labels":null},
            "events":[{"type":"exit","status":"stopped","source":"flyd","timestamp":1699408355000,"request":{"exit_event":{"exit_code":3}}}],
            "checks":null,"host_status":"ok","future":{"a":1}}]"#;
        let machines = response::list(&reply(200, wire)).unwrap();
        let machine = &machines[0];
        assert_eq!(machine.state, MachineState::Other("hibernating".into()));
        assert_eq!(machine.current_version(), "01HEPA");
        assert_eq!(machine.process_group(), Some("web"));
        assert_eq!(machine.events[0].exit_code(), Some(3));
        assert!(!machine.events[0].requested_stop());
        let stopped: MachineEvent = serde_json::from_str(
            r#"{"type":"exit","status":"stopped","source":"flyd","timestamp":1,
                "request":{"MonitorEvent":{"exit_event":{"exit_code":143,"requested_stop":true}}}}"#,
        )
        .unwrap();
        assert_eq!((stopped.exit_code(), stopped.requested_stop()), (Some(143), true));
        assert!(machine.checks.is_empty());
        assert_eq!(serde_json::to_value(machine).unwrap()["future"]["a"], 1);
        assert!(response::list(&reply(200, "null")).unwrap().is_empty());
    }
}
