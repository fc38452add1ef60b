//! fly.toml → the Machines API config of one process group (flyctl's `ToMachineConfig`, flyctl-behaviour.md §A.7),
//! the release-command machine (§B.6) and the console machine.
//!
//! Starts from the existing machine's config, so every field fly.toml does not manage is preserved (schedule,
//! auto_destroy, dns, standbys, rootfs, user metadata, and the guest when no `[[vm]]` applies), then overwrites what
//! fly.toml owns. Pure: files with `local_path` are left for the caller to read (see [`LOCAL_PATH_KEY`]).

use std::collections::BTreeMap;

use serde_json::Value;

use super::guest::{DEFAULT_GPU_PRESET, DEFAULT_PRESET, preset_named};
use super::model::*;
use super::size::{memory_mb, volume_gb};
use super::validate::split_command;
use crate::machine::*;

/// `metadata.fly_platform_version`: machines flyctl (and we) manage.
pub const PLATFORM_VERSION: &str = "v2";
/// Metadata keys of the Fly platform.
pub const META_PLATFORM_VERSION: &str = "fly_platform_version";
pub const META_PROCESS_GROUP: &str = "fly_process_group";
pub const META_RELEASE_ID: &str = "fly_release_id";
pub const META_RELEASE_VERSION: &str = "fly_release_version";
/// Our own version key, beside flyctl's `fly_flyctl_version`.
pub const META_FLIGHTDECK_VERSION: &str = "fly_flightdeck_version";
/// Process groups of flyctl's temporary machines.
pub const RELEASE_COMMAND_GROUP: &str = "fly_app_release_command";
pub const CONSOLE_GROUP: &str = "fly_app_console";
pub const TEST_MACHINE_GROUP: &str = "fly_app_test_machine_command";
/// A `[[files]]` entry with `local_path` carries it under this key in `extra`; whoever can read files (CLI, engine)
/// replaces it with `raw_value` before sending.
pub const LOCAL_PATH_KEY: &str = "local_path";

/// Why fly.toml cannot become a machine config (flyctl meets these only at deploy time).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConversionError {
    #[error("'{0}' is not a process group of this app")]
    UnknownGroup(String),
    #[error("could not parse command for {group} process group: unbalanced quotes in '{command}'")]
    Command { group: String, command: String },
    #[error("Can't shell split release command: '{0}'")]
    ReleaseCommand(String),
    #[error("the app has no [deploy] release_command")]
    NoReleaseCommand,
    #[error("Check '{check}': Missing or invalid check type, must be 'http' or 'tcp'")]
    CheckType { check: String },
    #[error(
        "Check '{check}' for process group '{group}' has no port set and the group has no http_service to take it from"
    )]
    CheckWithoutPort { check: String, group: String },
    #[error("'{0}' is not a valid VM size")]
    VmSize(String),
    #[error("memory cannot be zero")]
    ZeroMemory,
    #[error("invalid memory '{memory}': {reason}")]
    Memory { memory: String, reason: String },
    #[error("invalid restart policy: {0}")]
    RestartPolicy(String),
    #[error("machine_config is not valid JSON for a machine config: {0}")]
    MachineConfigJson(String),
    #[error(
        "missing command for test machine: add `command` to the [[services.machine_checks]] or [[http_service.machine_checks]] section"
    )]
    TestMachineCommand,
    #[error(
        "missing image for test machine: add `image` to the [[services.machine_checks]] or [[http_service.machine_checks]] section"
    )]
    TestMachineImage,
}

/// The app machine a `[[machine_checks]]` test machine is made for: its config (image, env, entrypoint) and 6PN
/// address.
#[derive(Debug, Clone, Copy)]
pub struct TestedMachine<'a> {
    pub config: &'a MachineConfig,
    pub private_ip: &'a str,
}

/// Standard base64 (RFC 4648, with padding): flyctl sends `raw_value` encoded.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = u32::from(chunk[0]) << 16
            | u32::from(*chunk.get(1).unwrap_or(&0)) << 8
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn auto_stop(value: Option<AutoStop>) -> Option<Autostop> {
    value.map(|v| match v {
        AutoStop::Off => Autostop::Off,
        AutoStop::Stop => Autostop::Stop,
        AutoStop::Suspend => Autostop::Suspend,
    })
}

fn headers(headers: &BTreeMap<String, String>) -> Vec<MachineHeader> {
    headers.iter().map(|(name, value)| MachineHeader { name: name.clone(), values: vec![value.clone()] }).collect()
}

fn http_check(check: &HttpCheck) -> MachineCheck {
    MachineCheck {
        kind: Some("http".to_owned()),
        interval: check.interval,
        timeout: check.timeout,
        grace_period: check.grace_period,
        method: check.method.clone(),
        path: check.path.clone(),
        protocol: check.protocol.clone(),
        tls_skip_verify: check.tls_skip_verify,
        tls_server_name: check.tls_server_name.clone(),
        headers: headers(&check.headers),
        ..MachineCheck::default()
    }
}

fn tcp_check(check: &TcpCheck) -> MachineCheck {
    MachineCheck {
        kind: Some("tcp".to_owned()),
        interval: check.interval,
        timeout: check.timeout,
        grace_period: check.grace_period,
        ..MachineCheck::default()
    }
}

fn machine_port(port: &Port) -> MachinePort {
    MachinePort {
        port: port.port,
        start_port: port.start_port,
        end_port: port.end_port,
        handlers: port.handlers.clone(),
        force_https: port.force_https,
        tls_options: port.tls_options.clone(),
        http_options: port.http_options.clone(),
        proxy_proto_options: port.proxy_proto_options.clone(),
        extra: Extra::new(),
    }
}

/// `[http_service]` as the one TCP service it stands for: port 80 (http, force_https) and 443 (http + tls).
pub fn http_service_to_machine_service(http: &HttpService) -> MachineService {
    MachineService {
        protocol: "tcp".to_owned(),
        internal_port: http.internal_port,
        ports: vec![
            MachinePort {
                port: Some(80),
                handlers: vec!["http".to_owned()],
                force_https: http.force_https,
                http_options: http.http_options.clone(),
                ..MachinePort::default()
            },
            MachinePort {
                port: Some(443),
                handlers: vec!["http".to_owned(), "tls".to_owned()],
                http_options: http.http_options.clone(),
                tls_options: http.tls_options.clone(),
                ..MachinePort::default()
            },
        ],
        concurrency: http.concurrency.clone(),
        checks: http.checks.iter().map(http_check).collect(),
        autostart: http.auto_start_machines,
        autostop: auto_stop(http.auto_stop_machines),
        min_machines_running: http.min_machines_running,
        extra: Extra::new(),
    }
}

fn service_to_machine_service(service: &Service) -> MachineService {
    MachineService {
        protocol: service.protocol.clone(),
        internal_port: service.internal_port,
        ports: service.ports.iter().map(machine_port).collect(),
        concurrency: service.concurrency.clone(),
        checks: service.tcp_checks.iter().map(tcp_check).chain(service.http_checks.iter().map(http_check)).collect(),
        autostart: service.auto_start_machines,
        autostop: auto_stop(service.auto_stop_machines),
        min_machines_running: service.min_machines_running,
        extra: Extra::new(),
    }
}

/// The guest a `[[vm]]` asks for: its preset (`shared-cpu-1x` by default, `performance-8x` with a GPU kind), then
/// `memory`, then every inline field that is set; the app's `host_dedication_id` first, the vm's own over it.
pub fn compute_to_guest(compute: &Compute, host_dedication_id: Option<&str>) -> Result<Guest, ConversionError> {
    let size = match (&compute.size, &compute.gpu_kind) {
        (Some(size), _) => size.as_str(),
        (None, Some(_)) => DEFAULT_GPU_PRESET,
        (None, None) => DEFAULT_PRESET,
    };
    let preset = preset_named(size).ok_or_else(|| ConversionError::VmSize(size.to_owned()))?;
    let mut guest = Guest::from(preset);
    guest.host_dedication_id = host_dedication_id.map(str::to_owned);
    if let Some(memory) = compute.memory.as_deref().filter(|m| !m.is_empty()) {
        match memory_mb(memory) {
            Ok(0) => return Err(ConversionError::ZeroMemory),
            Ok(mb) => guest.memory_mb = u32::try_from(mb).unwrap_or(u32::MAX),
            Err(error) => return Err(ConversionError::Memory { memory: memory.to_owned(), reason: error.to_string() }),
        }
    }
    let positive = |n: Option<i64>| n.filter(|n| *n > 0).map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    if let Some(kind) = compute.cpu_kind.as_ref().filter(|k| !k.is_empty()) {
        guest.cpu_kind.clone_from(kind);
    }
    if let Some(cpus) = positive(compute.cpus) {
        guest.cpus = cpus;
    }
    if let Some(mb) = positive(compute.memory_mb) {
        guest.memory_mb = mb;
    }
    if let Some(gpus) = positive(compute.gpus) {
        guest.gpus = Some(gpus);
    }
    if let Some(kind) = compute.gpu_kind.as_ref().filter(|k| !k.is_empty()) {
        guest.gpu_kind = Some(kind.clone());
    }
    if !compute.kernel_args.is_empty() {
        guest.kernel_args.clone_from(&compute.kernel_args);
    }
    if let Some(id) = compute.host_dedication_id.as_ref().filter(|k| !k.is_empty()) {
        guest.host_dedication_id = Some(id.clone());
    }
    if let Some(persist) = &compute.persist_rootfs {
        guest.persist_rootfs = Some(persist.clone());
    }
    if let Some(mb) = positive(compute.max_memory_mb) {
        guest.max_memory_mb = Some(mb);
    }
    Ok(guest)
}

fn restart_policy(policy: Option<&str>) -> Result<String, ConversionError> {
    match policy.unwrap_or_default() {
        "always" => Ok("always".to_owned()),
        "on-failure" => Ok("on-failure".to_owned()),
        "never" => Ok("no".to_owned()),
        other => Err(ConversionError::RestartPolicy(other.to_owned())),
    }
}

fn stop_config(config: &AppConfig) -> Option<StopConfig> {
    if config.kill_signal.is_none() && config.kill_timeout.is_none() {
        return None;
    }
    Some(StopConfig { timeout: config.kill_timeout, signal: config.kill_signal.clone(), extra: Extra::new() })
}

fn machine_files<'a>(files: impl Iterator<Item = &'a File>) -> Vec<MachineFile> {
    files
        .map(|file| {
            let mut machine_file = MachineFile {
                guest_path: file.guest_path.clone(),
                raw_value: file.raw_value.as_ref().map(|v| base64(v.as_bytes())),
                secret_name: file.secret_name.clone(),
                ..MachineFile::default()
            };
            if let Some(local) = &file.local_path {
                machine_file.extra.insert(LOCAL_PATH_KEY.to_owned(), Value::String(local.clone()));
            }
            machine_file
        })
        .collect()
}

/// Merges the inline JSON of `machine_config` (or `experimental.machine_config`, which wins) into the config.
fn merge_machine_config_json(config: &AppConfig, target: &mut MachineConfig) -> Result<(), ConversionError> {
    let inline = config
        .experimental
        .as_ref()
        .and_then(|e| e.machine_config.as_deref())
        .filter(|s| !s.is_empty())
        .or(config.machine_config.as_deref())
        .map(str::trim)
        .filter(|s| s.starts_with('{'));
    let Some(json) = inline else { return Ok(()) };
    let patch: Value =
        serde_json::from_slice(json.as_bytes()).map_err(|e| ConversionError::MachineConfigJson(e.to_string()))?;
    let mut merged = crate::json::to_value(&*target).map_err(|e| ConversionError::MachineConfigJson(e.to_string()))?;
    deep_merge(&mut merged, patch);
    *target = crate::json::from_value(merged).map_err(|e| ConversionError::MachineConfigJson(e.to_string()))?;
    Ok(())
}

fn deep_merge(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                deep_merge(target.entry(key).or_insert(Value::Null), value);
            }
        }
        (target, patch) => *target = patch,
    }
}

impl AppConfig {
    /// The machine config of `group`, built on `existing` (a machine's current config) when updating.
    ///
    /// ```
    /// let config = flightdeck::config::parse("app = 'shop'\nprimary_region = 'ord'\n[http_service]\ninternal_port = 8080").config;
    /// let machine = config.machine_config("app", None).unwrap();
    /// assert_eq!(machine.env["PRIMARY_REGION"], "ord");
    /// assert_eq!(machine.services[0].ports[1].port, Some(443));
    /// ```
    pub fn machine_config(
        &self,
        group: &str,
        existing: Option<&MachineConfig>,
    ) -> Result<MachineConfig, ConversionError> {
        if !self.has_group(group) {
            return Err(ConversionError::UnknownGroup(group.to_owned()));
        }
        let applies = |processes: &[String]| self.applies_to(processes, group);
        let mut machine = existing.cloned().unwrap_or_default();
        merge_machine_config_json(self, &mut machine)?;

        machine.metrics = self.metrics.iter().find(|m| applies(&m.processes)).map(|m| MachineMetrics {
            port: m.port,
            path: m.path.clone(),
            https: m.https,
            extra: Extra::new(),
        });

        let mut cmd = match self.processes.get(group).filter(|c| !c.is_empty()) {
            Some(command) => split_command(command)
                .ok_or_else(|| ConversionError::Command { group: group.to_owned(), command: command.clone() })?,
            None => Vec::new(),
        };
        match &self.experimental {
            Some(experimental) => {
                if cmd.is_empty() {
                    cmd.clone_from(&experimental.cmd);
                }
                machine.init.entrypoint.clone_from(&experimental.entrypoint);
                machine.init.exec.clone_from(&experimental.exec);
            }
            None => {
                machine.init.entrypoint.clear();
                machine.init.exec.clear();
            }
        }
        machine.init.cmd = cmd;
        machine.init.swap_size_mb = self.swap_size_mb;

        machine.metadata.insert(META_FLIGHTDECK_VERSION.to_owned(), crate::VERSION.to_owned());
        machine.metadata.insert(META_PLATFORM_VERSION.to_owned(), PLATFORM_VERSION.to_owned());
        machine.metadata.insert(META_PROCESS_GROUP.to_owned(), group.to_owned());

        let http = self.http_service.as_ref().filter(|h| applies(&h.processes));
        machine.services = http
            .map(http_service_to_machine_service)
            .into_iter()
            .chain(self.services.iter().filter(|s| applies(&s.processes)).map(service_to_machine_service))
            .collect();

        machine.checks = BTreeMap::new();
        for (name, check) in self.checks.iter().filter(|(_, c)| applies(&c.processes)) {
            let kind = check.kind.as_deref().filter(|k| matches!(*k, "http" | "tcp"));
            let kind = kind.ok_or_else(|| ConversionError::CheckType { check: name.clone() })?;
            let port = match (check.port, http) {
                (Some(port), _) => port,
                (None, Some(http)) => http.internal_port,
                (None, None) => {
                    return Err(ConversionError::CheckWithoutPort { check: name.clone(), group: group.to_owned() });
                }
            };
            machine.checks.insert(
                name.clone(),
                MachineCheck {
                    kind: Some(kind.to_owned()),
                    port: Some(port),
                    interval: check.interval,
                    timeout: check.timeout,
                    grace_period: check.grace_period,
                    // HTTP methods are ASCII tokens (RFC 9110): other letters are left as written.
                    method: check.method.as_ref().map(|m| m.to_ascii_uppercase()),
                    path: check.path.clone(),
                    protocol: check.protocol.clone(),
                    tls_skip_verify: check.tls_skip_verify,
                    tls_server_name: check.tls_server_name.clone(),
                    headers: headers(&check.headers),
                    extra: Extra::new(),
                },
            );
        }

        machine.env.clone_from(&self.env);
        machine.env.insert("FLY_PROCESS_GROUP".to_owned(), group.to_owned());
        if let Some(region) = self.primary_region.as_ref().filter(|r| !r.is_empty()) {
            machine.env.insert("PRIMARY_REGION".to_owned(), region.clone());
        }

        machine.statics = self
            .statics
            .iter()
            .map(|s| MachineStatic {
                guest_path: s.guest_path.clone(),
                url_prefix: s.url_prefix.clone(),
                tigris_bucket: s.tigris_bucket.clone(),
                index_document: s.index_document.clone(),
                extra: Extra::new(),
            })
            .collect();

        // A machine's volume cannot change by update: keep the attached volume's id when the mount is the same.
        let previous_mounts = std::mem::take(&mut machine.mounts);
        let gb = |size: &Option<String>| {
            size.as_deref().and_then(|s| volume_gb(s).ok()).map_or(0, |n| i64::try_from(n).unwrap_or(0))
        };
        machine.mounts = self
            .mounts
            .iter()
            .filter(|m| applies(&m.processes))
            .map(|m| {
                let volume = previous_mounts
                    .iter()
                    .find(|p| p.name == m.source && p.path == m.destination)
                    .map(|p| p.volume.clone())
                    .unwrap_or_default();
                MachineMount {
                    volume,
                    path: m.destination.clone(),
                    name: m.source.clone(),
                    extend_threshold_percent: m.auto_extend_size_threshold.unwrap_or(0),
                    add_size_gb: gb(&m.auto_extend_size_increment),
                    size_gb_limit: gb(&m.auto_extend_size_limit),
                    ..MachineMount::default()
                }
            })
            .collect();

        machine.stop_config = stop_config(self);
        // flyctl sends every [[files]] entry to every group (a known quirk); we send each group its own.
        machine.files = machine_files(self.files.iter().filter(|f| applies(&f.processes)));

        if let Some(compute) = self.compute_for(group) {
            let host_dedication_id = compute.host_dedication_id.as_deref().or(self.host_dedication_id.as_deref());
            machine.guest = Some(compute_to_guest(compute, host_dedication_id)?);
        }

        machine.restart = None;
        if let Some(restart) = self.restart.iter().rfind(|r| applies(&r.processes)) {
            machine.restart = Some(MachineRestart {
                policy: restart_policy(restart.policy.as_deref())?,
                max_retries: restart.retries,
                extra: Extra::new(),
            });
        }
        Ok(machine)
    }

    /// The config of the temporary machine that runs `[deploy] release_command`. Its guest is
    /// `release_command_vm`, else `reference_guest` (the planner passes the largest-memory machine of the default
    /// group), else `shared-cpu-2x`.
    pub fn release_machine_config(&self, reference_guest: Option<&Guest>) -> Result<MachineConfig, ConversionError> {
        let deploy = self.deploy.as_ref();
        let command = deploy.and_then(|d| d.release_command.as_deref()).ok_or(ConversionError::NoReleaseCommand)?;
        let cmd = split_command(command).ok_or_else(|| ConversionError::ReleaseCommand(command.to_owned()))?;
        let mut machine = self.temporary_machine(RELEASE_COMMAND_GROUP);
        machine.init.cmd = cmd;
        if let Some(experimental) = &self.experimental {
            machine.init.entrypoint.clone_from(&experimental.entrypoint);
        }
        machine.env.insert("RELEASE_COMMAND".to_owned(), "1".to_owned());
        machine.stop_config = stop_config(self);
        machine.files = machine_files(self.files.iter());
        let mut guest = match (deploy.and_then(|d| d.release_command_vm.as_ref()), reference_guest) {
            (Some(compute), _) => compute_to_guest(compute, None)?,
            (None, Some(guest)) => guest.clone(),
            (None, None) => preset_named("shared-cpu-2x").map(Guest::from).unwrap_or_default(),
        };
        if let Some(id) = &self.host_dedication_id {
            guest.host_dedication_id = Some(id.clone());
        }
        machine.guest = Some(guest);
        Ok(machine)
    }

    /// The config of the throwaway machine that runs one `[[machine_checks]]` entry against `tested` (flyctl's
    /// `ToTestMachineConfig`): the check's command, image (else the tested machine's) and entrypoint; the app's env
    /// over the tested machine's; `FLY_TEST_MACHINE_IP`. A check with its own image keeps only its own kill
    /// settings; one without falls back to the app's.
    pub fn test_machine_config(
        &self,
        check: &ServiceMachineCheck,
        tested: Option<TestedMachine<'_>>,
    ) -> Result<MachineConfig, ConversionError> {
        if check.command.is_empty() {
            return Err(ConversionError::TestMachineCommand);
        }
        let image = match (&check.image, tested) {
            (Some(image), _) if !image.is_empty() => image.clone(),
            (_, Some(tested)) if !tested.config.image.is_empty() => tested.config.image.clone(),
            _ => return Err(ConversionError::TestMachineImage),
        };
        let mut machine = self.temporary_machine(TEST_MACHINE_GROUP);
        machine.image = image;
        machine.init.cmd.clone_from(&check.command);
        machine.init.entrypoint = if check.entrypoint.is_empty() {
            tested.map(|t| t.config.init.entrypoint.clone()).unwrap_or_default()
        } else {
            check.entrypoint.clone()
        };
        if let Some(entrypoint) = self.experimental.as_ref().map(|e| &e.entrypoint).filter(|e| !e.is_empty()) {
            machine.init.entrypoint.clone_from(entrypoint);
        }
        if let Some(tested) = tested {
            for (key, value) in &tested.config.env {
                machine.env.insert(key.clone(), value.clone());
            }
            machine.env.insert("FLY_PROCESS_GROUP".to_owned(), TEST_MACHINE_GROUP.to_owned());
            if let Some(region) = self.primary_region.as_ref().filter(|r| !r.is_empty()) {
                machine.env.insert("PRIMARY_REGION".to_owned(), region.clone());
            }
        }
        machine.env.insert("FLY_TEST_COMMAND".to_owned(), "1".to_owned());
        machine
            .env
            .insert("FLY_TEST_MACHINE_IP".to_owned(), tested.map(|t| t.private_ip.to_owned()).unwrap_or_default());
        let own_image = check.image.as_ref().is_some_and(|i| !i.is_empty());
        let (timeout, signal) = if own_image {
            (check.kill_timeout, check.kill_signal.clone())
        } else {
            (check.kill_timeout.or(self.kill_timeout), check.kill_signal.clone().or_else(|| self.kill_signal.clone()))
        };
        machine.stop_config = Some(StopConfig { timeout, signal, extra: Extra::new() });
        Ok(machine)
    }

    /// The config of a `fly console` machine: sleeps forever until someone attaches.
    pub fn console_machine_config(&self) -> MachineConfig {
        let mut machine = self.temporary_machine(CONSOLE_GROUP);
        machine.init.exec = vec!["/bin/sleep".to_owned(), "inf".to_owned()];
        machine
    }

    /// What every temporary machine shares: no restarts, destroyed on exit, not in DNS, the app's env.
    fn temporary_machine(&self, group: &str) -> MachineConfig {
        let mut machine = MachineConfig {
            init: MachineInit { swap_size_mb: self.swap_size_mb, ..MachineInit::default() },
            restart: Some(MachineRestart { policy: "no".to_owned(), ..MachineRestart::default() }),
            auto_destroy: Some(true),
            dns: Some(MachineDns { skip_registration: Some(true), ..MachineDns::default() }),
            env: self.env.clone(),
            ..MachineConfig::default()
        };
        machine.metadata.insert(META_FLIGHTDECK_VERSION.to_owned(), crate::VERSION.to_owned());
        machine.metadata.insert(META_PLATFORM_VERSION.to_owned(), PLATFORM_VERSION.to_owned());
        machine.metadata.insert(META_PROCESS_GROUP.to_owned(), group.to_owned());
        machine.env.insert("FLY_PROCESS_GROUP".to_owned(), group.to_owned());
        if let Some(region) = self.primary_region.as_ref().filter(|r| !r.is_empty()) {
            machine.env.insert("PRIMARY_REGION".to_owned(), region.clone());
        }
        machine
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_machine_config_json_is_merged_deeply_and_experimental_wins() {
        // The JSON is merged into the machine's config first; fly.toml's own sections are applied over it.
        let source = "app = 'a'\nmachine_config = '{\"guest\": {\"cpus\": 2}}'\n[env]\nKEPT = '1'\n\
                      [experimental]\nmachine_config = '{\"guest\": {\"cpus\": 4}, \"future_field\": [1.5]}'\n";
        let config = crate::config::parse(source).config;
        let existing = MachineConfig {
            guest: Some(Guest { cpu_kind: "performance".into(), cpus: 1, memory_mb: 2048, ..Guest::default() }),
            ..MachineConfig::default()
        };
        let machine = config.machine_config("app", Some(&existing)).unwrap();
        let guest = machine.guest.as_ref().map(|g| (g.cpu_kind.as_str(), g.cpus, g.memory_mb));
        assert_eq!(guest, Some(("performance", 4, 2048)), "merged into the existing guest, experimental's JSON");
        assert_eq!(machine.env.get("KEPT").map(String::as_str), Some("1"));
        assert_eq!(machine.extra.get("future_field"), Some(&serde_json::json!([1.5])), "unknown fields are kept");
        let broken = crate::config::parse("app = 'a'\nmachine_config = '{\"guest\": '\n").config;
        assert!(matches!(broken.machine_config("app", None), Err(ConversionError::MachineConfigJson(_))));
        let wrong_type =
            crate::config::parse("app = 'a'\nmachine_config = '{\"guest\": {\"cpus\": \"many\"}}'\n").config;
        assert!(matches!(wrong_type.machine_config("app", None), Err(ConversionError::MachineConfigJson(_))));
    }

    #[test]
    fn http_check_methods_are_sent_upper_case() {
        let config =
            crate::config::parse("app = 'a'\n[checks.alive]\ntype = 'http'\nport = 8080\npath = '/'\nmethod = 'get'\n")
                .config;
        let machine = config.machine_config("app", None).unwrap();
        assert_eq!(machine.checks["alive"].method.as_deref(), Some("GET"));
    }

    #[test]
    fn base64_matches_rfc_4648() {
        for (input, encoded) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("hello world\n", "aGVsbG8gd29ybGQK")]
        {
            assert_eq!(base64(input.as_bytes()), encoded);
        }
    }
}
