//! The fly.toml model: every section and key flyctl knows, as plain data.
//!
//! Field order follows flyctl's writer, so serialising gives flyctl's section order. Legacy shapes are normalised by
//! the decoder before they reach here. Keys we do not know are kept in each table's `extra`, so writing the config
//! back loses nothing. Source positions live beside the model in [`SpanMap`], keyed by path
//! (`services[0].ports[1].port`), so the model stays plain for JavaScript and for writing.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::diagnostics::Span;
use crate::duration::GoDuration;
pub use crate::machine::{Concurrency, HttpOptions, HttpResponseOptions, ProxyProtoOptions, TlsOptions};

pub use crate::machine::Extra;

/// A parsed fly.toml.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct AppConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kill_signal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kill_timeout: Option<GoDuration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub swap_size_mb: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub console_command: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_dedication_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub machine_config: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub experimental: Option<Experimental>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<Build>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deploy: Option<Deploy>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub processes: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mounts: Vec<Mount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_service: Option<HttpService>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<Service>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub checks: BTreeMap<String, TopLevelCheck>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<File>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub machine_checks: Vec<ServiceMachineCheck>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub restart: Vec<Restart>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vm: Vec<Compute>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statics: Vec<Static>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<Metrics>,
}

/// `[experimental]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct Experimental {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cmd: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entrypoint: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exec: Vec<String>,
    /// Ignored on Machines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_rollback: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_consul: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_etcd: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lazy_load_images: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attached: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub machine_config: Option<String>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// `[build]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct Build {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub builder: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub buildpacks: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub args: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub settings: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub builtin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignorefile: Option<String>,
    #[serde(rename = "build-target", skip_serializing_if = "Option::is_none")]
    pub build_target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compose: Option<Compose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compression: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compression_level: Option<i64>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// `[build.compose]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct Compose {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// `[deploy]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct Deploy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_command: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_command_timeout: Option<GoDuration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_command_vm: Option<Compute>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed_command: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_timeout: Option<GoDuration>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// `auto_stop_machines`: `"off"`, `"stop"` or `"suspend"` (legacy `false`/`true` mean off/stop).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum AutoStop {
    Off,
    Stop,
    Suspend,
}

/// `[[mounts]]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct Mount {
    pub source: String,
    pub destination: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_size: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_retention: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduled_snapshots: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_extend_size_threshold: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_extend_size_increment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_extend_size_limit: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<String>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// `[http_service]`: one TCP service on ports 80 and 443.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct HttpService {
    pub internal_port: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force_https: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_stop_machines: Option<AutoStop>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_start_machines: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_machines_running: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<Concurrency>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_options: Option<TlsOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_options: Option<HttpOptions>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<HttpCheck>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub machine_checks: Vec<ServiceMachineCheck>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// `[[services]]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct Service {
    pub protocol: String,
    pub internal_port: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_stop_machines: Option<AutoStop>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_start_machines: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_machines_running: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<Concurrency>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<Port>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tcp_checks: Vec<TcpCheck>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub http_checks: Vec<HttpCheck>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub machine_checks: Vec<ServiceMachineCheck>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// `[[services.ports]]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct Port {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_port: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_port: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub handlers: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force_https: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_options: Option<TlsOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_options: Option<HttpOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_proto_options: Option<ProxyProtoOptions>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// `[[services.tcp_checks]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct TcpCheck {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<GoDuration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<GoDuration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grace_period: Option<GoDuration>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// `[[services.http_checks]]` and `[[http_service.checks]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct HttpCheck {
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
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// `[checks.<name>]`: machine-level health checks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct TopLevelCheck {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
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
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<String>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// `[[machine_checks]]`: a throwaway machine that tests a deploy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct ServiceMachineCheck {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entrypoint: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kill_signal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kill_timeout: Option<GoDuration>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// `[[files]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct File {
    pub guest_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_value: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<String>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// `[[restart]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct Restart {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<String>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// `[[vm]]` (also `[compute]`, `[[compute]]`, `[[computes]]`, `[vm]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct Compute {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpus: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_mb: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpus: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu_kind: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kernel_args: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_dedication_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persist_rootfs: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_memory_mb: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<String>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// `[[statics]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct Static {
    pub guest_path: String,
    pub url_prefix: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tigris_bucket: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_document: Option<String>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// `[[metrics]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(default)]
pub struct Metrics {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub https: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub processes: Vec<String>,
    #[serde(flatten, skip_serializing_if = "Map::is_empty")]
    pub extra: Extra,
}

/// The span map's path of `key` under `path` (`a.b` + `c` → `a.b.c`; at the top level just `key`). Built by hand,
/// not with `format!`: paths are made for every checked field, and `core::fmt` costs ten times a copy in wasm.
pub(crate) fn path_join(path: &str, key: &str) -> String {
    let mut joined = String::with_capacity(path.len() + key.len() + 1);
    if !path.is_empty() {
        joined.push_str(path);
        joined.push('.');
    }
    joined.push_str(key);
    joined
}

/// The span map's path of item `i` of the array at `path` (`a.b` + 2 → `a.b[2]`).
pub(crate) fn path_index(path: &str, i: usize) -> String {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = i;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let mut indexed = String::with_capacity(path.len() + digits.len() - start + 2);
    indexed.push_str(path);
    indexed.push('[');
    indexed.extend(digits[start..].iter().map(|&d| char::from(d)));
    indexed.push(']');
    indexed
}

/// Where each value and key came from in the source, by path: `app`, `services[0].ports[1].port`,
/// `checks.status.interval`, `env.FOO`. Paths of legacy shapes are the normalised ones (`vm[0]` for `[vm]`).
///
/// Recorded for every key while decoding but read only when a diagnostic is made, so it is an append-only list,
/// cheap to build: a table's keys share its path, written once ([`table`](Self::table)), and a key's name is
/// copied only when it is not text of the source (a bare key's is: the map keeps a copy of the source).
/// [`index`](Self::index), once decoding is done, groups the entries by path length (a counting sort), so that a
/// lookup compares only the paths of its own length; before it, lookups scan the whole list. A later entry for the
/// same path wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpanMap {
    /// The source, then the text of paths, back to back: one growing buffer instead of one allocation per key.
    text: String,
    /// The source's address and length, to tell names that are text of it (address arithmetic only).
    source_at: usize,
    source_len: usize,
    entries: Vec<SpanEntry>,
    /// Entry numbers grouped by path length, shortest first, in insertion order within a length.
    by_length: Vec<usize>,
    /// Where each length's group starts in `by_length` (one more than the longest length, plus the end).
    length_starts: Vec<usize>,
}

/// One path's spans: the path is `text[prefix]`, then `.` when `dotted`, then `text[name]`; `len` bytes in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SpanEntry {
    prefix: (u32, u32),
    name: (u32, u32),
    dotted: bool,
    len: usize,
    key: Span,
    value: Span,
}

/// A table's path written once into a [`SpanMap`], for its keys' entries ([`SpanMap::insert_key`]).
#[derive(Debug, Clone, Copy)]
pub struct TablePath {
    range: (u32, u32),
}

/// An offset into a span map's text. Past u32 (a 4 GB source) it saturates: lookups then miss, and a diagnostic
/// falls back to 0..0.
fn text_offset(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl SpanMap {
    /// A map for the keys of `source`, sized so that its buffers rarely grow while the document is decoded.
    pub fn for_source(source: &str) -> Self {
        let mut text = String::with_capacity(source.len() * 2);
        text.push_str(source);
        Self {
            text,
            source_at: source.as_ptr().addr(),
            source_len: source.len(),
            entries: Vec::with_capacity(source.len() / 16),
            ..Self::default()
        }
    }

    /// Appends `text` to the map's text: its range there.
    fn write(&mut self, text: &str) -> (u32, u32) {
        let start = self.text.len();
        self.text.push_str(text);
        (text_offset(start), text_offset(self.text.len()))
    }

    /// Records the spans of the key and the value at `path`.
    pub fn insert(&mut self, path: &str, key: Span, value: Span) {
        let name = self.write(path);
        self.entries.push(SpanEntry { prefix: (0, 0), name, dotted: false, len: path.len(), key, value });
    }

    /// Writes the path of a table whose keys come next ([`insert_key`](Self::insert_key)).
    pub fn table(&mut self, path: &str) -> TablePath {
        TablePath { range: self.write(path) }
    }

    /// Records the spans of key `name` in `table` (at the top level when the table's path is empty).
    pub fn insert_key(&mut self, table: TablePath, name: &str, key: Span, value: Span) {
        // A name inside the source this map was made for is found in its copy, not copied again.
        let in_source = name.as_ptr().addr().wrapping_sub(self.source_at);
        let dotted = table.range.0 != table.range.1;
        let len = (table.range.1 - table.range.0) as usize + usize::from(dotted) + name.len();
        let name = if in_source.checked_add(name.len()).is_some_and(|end| end <= self.source_len) {
            (text_offset(in_source), text_offset(in_source + name.len()))
        } else {
            self.write(name)
        };
        self.entries.push(SpanEntry { prefix: table.range, name, dotted, len, key, value });
    }

    fn piece(&self, (start, end): (u32, u32)) -> &[u8] {
        self.text.as_bytes().get(start as usize..end as usize).unwrap_or_default()
    }

    fn path_len(&self, i: usize) -> usize {
        self.entries[i].len
    }

    fn matches(&self, i: usize, path: &[u8]) -> bool {
        let entry = &self.entries[i];
        let (prefix, name) = (self.piece(entry.prefix), self.piece(entry.name));
        path.len() == entry.len
            && path.starts_with(prefix)
            && path.ends_with(name)
            && (!entry.dotted || path[prefix.len()] == b'.')
    }

    /// Groups the entries by path length for lookups (call when no more entries come; a later insert makes lookups
    /// scan again until the next call).
    pub fn index(&mut self) {
        let longest = (0..self.entries.len()).map(|i| self.path_len(i)).max().unwrap_or(0);
        let mut starts = vec![0; longest + 2];
        for i in 0..self.entries.len() {
            starts[self.path_len(i) + 1] += 1;
        }
        for length in 1..starts.len() {
            starts[length] += starts[length - 1];
        }
        let mut next = starts.clone();
        let mut by_length = vec![0; self.entries.len()];
        for i in 0..self.entries.len() {
            let slot = &mut next[self.path_len(i)];
            by_length[*slot] = i;
            *slot += 1;
        }
        self.by_length = by_length;
        self.length_starts = starts;
    }

    fn find(&self, path: &str) -> Option<(Span, Span)> {
        let path = path.as_bytes();
        let found = if self.by_length.len() == self.entries.len() {
            let group = self.length_starts.get(path.len()).zip(self.length_starts.get(path.len() + 1));
            let group = group.map_or(&[][..], |(&from, &to)| &self.by_length[from..to]);
            group.iter().rev().copied().find(|&i| self.matches(i, path))
        } else {
            (0..self.entries.len()).rev().find(|&i| self.matches(i, path))
        };
        found.map(|i| (self.entries[i].key, self.entries[i].value))
    }

    /// The span of the value at `path`.
    pub fn value(&self, path: &str) -> Option<Span> {
        self.find(path).map(|(_, value)| value)
    }

    /// The span of the key at `path`.
    pub fn key(&self, path: &str) -> Option<Span> {
        self.find(path).map(|(key, _)| key)
    }

    /// The value span at `path`, else the nearest ancestor's (`a.b[2].c` → `a.b[2]` → `a.b` → `a`), else 0..0.
    pub fn nearest(&self, path: &str) -> Span {
        let mut current = path;
        loop {
            if let Some(span) = self.value(current) {
                return span;
            }
            match current.rfind(['.', '[']) {
                Some(cut) => current = &current[..cut],
                None => return Span::default(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_lookups_take_the_latest_entry_and_the_longest_ancestor() {
        let mut spans = SpanMap::for_source("");
        let at = |n: usize| Span::new(n, n + 1);
        spans.insert("services", at(0), at(1));
        spans.insert("services[0]", at(2), at(3));
        let service = spans.table("services[0]");
        spans.insert_key(service, "ports", at(4), at(5));
        spans.insert_key(service, "portsx", at(6), at(7));
        let top = spans.table("");
        spans.insert_key(top, "ap", at(12), at(13));
        spans.insert("services", at(8), at(9)); // a later entry at the same path wins
        let mut indexed = spans.clone();
        indexed.index();
        for spans in [&spans, &indexed] {
            assert_eq!(spans.value("services"), Some(at(9)));
            assert_eq!(spans.key("services[0]"), Some(at(2)));
            assert_eq!(spans.value("services[0].port"), None);
            assert_eq!(spans.nearest("services[0].ports[3].handlers"), at(5));
            assert_eq!(spans.nearest("services[0].processes"), at(3));
            assert_eq!(spans.nearest("services[1]"), at(9));
            // `services[0].portsx` is not an ancestor of `services[0].ports…`, nor `services` of `servicesx`.
            assert_eq!(spans.nearest("services[0].ports"), at(5));
            assert_eq!(spans.nearest("servicesx.a"), Span::default());
            assert_eq!(spans.nearest(""), Span::default());
            assert_eq!(spans.value("a path longer than any recorded one"), None);
            assert_eq!(spans.value("ap"), Some(at(13)));
            assert_eq!(spans.value(".ap"), None);
            assert_eq!(spans.key("services[0].ports"), Some(at(4)));
            assert_eq!(spans.value("services[0]ports"), None);
        }
        // An entry after the index is found too (by a scan).
        indexed.insert("app", at(10), at(11));
        assert_eq!(indexed.value("app"), Some(at(11)));
        assert_eq!(indexed.value("services"), Some(at(9)));
    }

    #[test]
    fn key_names_from_the_source_are_found_without_copies() {
        let source = "ap = 1\n[svc]\nport = 2\n";
        let mut spans = SpanMap::for_source(source);
        let at = |n: usize| Span::new(n, n + 1);
        let top = spans.table("");
        spans.insert_key(top, &source[0..2], at(0), at(1));
        let svc = spans.table("svc");
        spans.insert_key(svc, &source[13..17], at(2), at(3));
        let copied = spans.text.len();
        // A name equal to the source's text, but not part of it, is copied; one at the source's very end is not.
        spans.insert_key(svc, &String::from("port"), at(4), at(5));
        spans.insert_key(top, &source[source.len()..], at(6), at(7));
        assert_eq!(spans.text.len(), copied + "port".len());
        spans.index();
        assert_eq!(spans.value("ap"), Some(at(1)));
        assert_eq!(spans.key("svc.port"), Some(at(4)));
        assert_eq!(spans.value(""), Some(at(7)));
        assert_eq!(spans.value("svcport"), None);
        assert_eq!(spans.value("sv.port"), None);
    }

    #[test]
    fn paths_are_what_format_would_make() {
        assert_eq!(path_join("", "app"), "app");
        assert_eq!(path_join("http_service", "checks"), "http_service.checks");
        for i in [0, 7, 10, 99, 1234, usize::MAX] {
            assert_eq!(path_index("services", i), format!("services[{i}]"));
            assert_eq!(path_index(&path_join("services[1]", "ports"), i), format!("services[1].ports[{i}]"));
        }
    }
}
