//! The Machines API's machine configuration as plain data: what `config` builds from fly.toml, what `api` sends and
//! receives, and what planning diffs. Every struct keeps the fields it does not model in `extra`, so a config read
//! from the API and written back loses nothing (the API's update replaces the whole config).
//!
//! Must not depend on config parsing, HTTP or JS.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::duration::GoDuration;

/// Unknown fields of one object, kept for round trips.
pub type Extra = Map<String, Value>;

/// `Extra` and the JSON `Value` it holds, for the TypeScript declarations of every type that flattens one in.
#[cfg(feature = "js-config")]
#[wasm_bindgen::prelude::wasm_bindgen(typescript_custom_section)]
const EXTRA_TS: &str = r#"
/** Any JSON value. */
export type Value = null | boolean | number | string | Value[] | { [key: string]: Value };
/** Fields a type does not name, kept as they came so a round trip loses nothing. */
export type Extra = Record<string, unknown>;
"#;

/// `MachineConfig`: everything a machine runs with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct MachineConfig {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub image: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", deserialize_with = "null_as_default")]
    pub env: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "MachineInit::is_empty", deserialize_with = "null_as_default")]
    pub init: MachineInit,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guest: Option<Guest>,
    /// Deprecated preset name; `guest` replaces it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub services: Vec<MachineService>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", deserialize_with = "null_as_default")]
    pub checks: BTreeMap<String, MachineCheck>,
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub mounts: Vec<MachineMount>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", deserialize_with = "null_as_default")]
    pub metadata: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart: Option<MachineRestart>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_destroy: Option<bool>,
    /// `hourly`, `daily`, `weekly` or `monthly`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub processes: Vec<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub files: Vec<MachineFile>,
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub statics: Vec<MachineStatic>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_config: Option<StopConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns: Option<MachineDns>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<MachineMetrics>,
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub standbys: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rootfs: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_drive: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spot: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub containers: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volumes: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_machine_autostart: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `init`: what the machine runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct MachineInit {
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub exec: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub entrypoint: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub cmd: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tty: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub swap_size_mb: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub kernel_args: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl MachineInit {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == MachineInit::default()
    }
}

/// `guest`: CPUs and memory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct Guest {
    pub cpu_kind: String,
    pub cpus: u32,
    pub memory_mb: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpus: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu_kind: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub kernel_args: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_dedication_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persist_rootfs: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_memory_mb: Option<u32>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `services[]`: how the Fly proxy routes to the machine.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct MachineService {
    pub protocol: String,
    pub internal_port: i64,
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub ports: Vec<MachinePort>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<Concurrency>,
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub checks: Vec<MachineCheck>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autostart: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autostop: Option<Autostop>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_machines_running: Option<i64>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `autostop`: the API answers `false`, `true` or `"suspend"`, and accepts those or `"off"`/`"stop"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify), tsify(type = "boolean | \"off\" | \"stop\" | \"suspend\""))]
pub enum Autostop {
    Off,
    Stop,
    Suspend,
}

impl Serialize for Autostop {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Autostop::Off => serializer.serialize_bool(false),
            Autostop::Stop => serializer.serialize_bool(true),
            Autostop::Suspend => serializer.serialize_str("suspend"),
        }
    }
}

impl<'de> Deserialize<'de> for Autostop {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Bool(false) => Ok(Autostop::Off),
            Value::Bool(true) => Ok(Autostop::Stop),
            Value::String(s) if s == "off" => Ok(Autostop::Off),
            Value::String(s) if s == "stop" => Ok(Autostop::Stop),
            Value::String(s) if s == "suspend" => Ok(Autostop::Suspend),
            other => {
                Err(serde::de::Error::custom(format!("invalid autostop {other}: expected false, true or \"suspend\"")))
            }
        }
    }
}

/// `services[].ports[]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct MachinePort {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_port: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_port: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub handlers: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force_https: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_options: Option<TlsOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_options: Option<HttpOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_proto_options: Option<ProxyProtoOptions>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `concurrency` of a service (legacy `"soft,hard"` strings are converted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct Concurrency {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hard_limit: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soft_limit: Option<i64>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// `tls_options`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct TlsOptions {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alpn: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_self_signed: Option<bool>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// `http_options`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct HttpOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compress: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub h2_backend: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_timeout: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers_read_timeout: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<HttpResponseOptions>,
    /// Passed to the Machines API as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replay_cache: Vec<Value>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// `http_options.response`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct HttpResponseOptions {
    /// Values keep their TOML type: a string, `false` (remove the header) or a list of strings.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub headers: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pristine: Option<bool>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// `proxy_proto_options`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct ProxyProtoOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// A health check: top-level `checks.<name>` (with `kind`) or a service check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct MachineCheck {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<GoDuration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<GoDuration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grace_period: Option<GoDuration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_skip_verify: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_server_name: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub headers: Vec<MachineHeader>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One check header: `{name, values}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
pub struct MachineHeader {
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub values: Vec<String>,
}

/// `mounts[]`: one volume per machine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct MachineMount {
    /// The volume id (`vol_…`), filled in when the volume is known.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub volume: String,
    pub path: String,
    /// The volume name (fly.toml `source`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_gb: Option<i64>,
    #[serde(skip_serializing_if = "is_zero")]
    pub extend_threshold_percent: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub add_size_gb: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub size_gb_limit: i64,
    #[serde(flatten)]
    pub extra: Extra,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// `restart`: `policy` is `no`, `always`, `on-failure` or `spot-price`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct MachineRestart {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub policy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<i64>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `files[]`: exactly one of `raw_value` (base64), `secret_name` or `image_config`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct MachineFile {
    pub guest_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `statics[]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct MachineStatic {
    pub guest_path: String,
    pub url_prefix: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tigris_bucket: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_document: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `stop_config`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct StopConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<GoDuration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `dns`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct MachineDns {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_registration: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub nameservers: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "null_as_default")]
    pub searches: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `metrics`: where Fly scrapes Prometheus metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct MachineMetrics {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub https: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// Decodes `null` as the type's default: the live API sends `null` for empty lists, maps and strings. Shared by
/// every API type.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_survive_and_nulls_decode_as_empty() {
        let wire = serde_json::json!({
            "image": "nginx", "env": null, "services": null,
            "guest": {"cpu_kind": "shared", "cpus": 1, "memory_mb": 256, "future_flag": 1},
            "services_v9": [1], "init": {"cmd": ["x"], "tty": true}
        });
        let config: MachineConfig = serde_json::from_value(wire).unwrap();
        assert!(config.env.is_empty() && config.services.is_empty());
        let back = serde_json::to_value(&config).unwrap();
        assert_eq!(back["services_v9"], serde_json::json!([1]));
        assert_eq!(back["guest"]["future_flag"], 1);
        assert_eq!(back["init"], serde_json::json!({"cmd": ["x"], "tty": true}));
    }

    #[test]
    fn autostop_reads_every_wire_form_and_writes_flygo_s() {
        for (wire, value) in [
            ("false", Autostop::Off),
            ("true", Autostop::Stop),
            ("\"off\"", Autostop::Off),
            ("\"stop\"", Autostop::Stop),
            ("\"suspend\"", Autostop::Suspend),
        ] {
            assert_eq!(serde_json::from_str::<Autostop>(wire).unwrap(), value, "{wire}");
        }
        assert!(serde_json::from_str::<Autostop>("\"on\"").is_err());
        assert_eq!(serde_json::to_string(&Autostop::Stop).unwrap(), "true");
        assert_eq!(serde_json::to_string(&Autostop::Suspend).unwrap(), "\"suspend\"");
    }
}
