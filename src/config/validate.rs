//! Validation: flyctl's rules (flyctl-behaviour.md §A.6) with their meaning kept, the conversion errors flyctl only
//! meets at deploy time, and the cross-field rules of machines-api.md §9.4. Findings are data ([`Diagnostic`]).
//!
//! Severity policy: an error means flyctl or the Machines API would reject the config (or our deploy would refuse
//! it); anything flyctl accepts is at most a warning, so real, deployed configs never show false errors.

use super::guest::{Guest, preset_named};
use super::model::*;
use super::regions::{RegionStatus, region_status};
use super::size::{memory_mb, volume_gb};
use crate::diagnostics::{Diagnostic, Span};
use crate::duration::GoDuration;

const STRATEGIES: &[&str] = &["canary", "rolling", "immediate", "bluegreen"];
const SIGNALS: &[&str] =
    &["SIGINT", "SIGTERM", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGKILL", "SIGSTOP", "SIGHUP", "SIGABRT"];

struct Rules<'a> {
    config: &'a AppConfig,
    spans: &'a SpanMap,
    out: Vec<Diagnostic>,
}

/// Runs every rule over a parsed config.
pub(crate) fn run(config: &AppConfig, spans: &SpanMap) -> Vec<Diagnostic> {
    let mut rules = Rules { config, spans, out: Vec::new() };
    rules.top_level();
    rules.build();
    rules.deploy();
    rules.processes();
    rules.services();
    rules.top_level_checks();
    rules.mounts();
    rules.vms();
    rules.restarts();
    rules.files_and_statics();
    rules.group_references();
    rules.env();
    rules.out
}

/// Splits a command the way flyctl does (POSIX shell words, quotes respected, no expansion).
pub fn split_command(command: &str) -> Option<Vec<String>> {
    shlex::split(command)
}

/// A machine's arguments as one command line, quoted as a shell would, so that [`split_command`] gives the same
/// arguments back (`["nginx", "-g", "daemon off;"]` → `nginx -g 'daemon off;'`). Arguments with a NUL byte cannot
/// be quoted: they are joined as they are.
pub fn join_command(args: &[String]) -> String {
    shlex::try_join(args.iter().map(String::as_str)).unwrap_or_else(|_| args.join(" "))
}

impl Rules<'_> {
    /// The value span at `path` (or its nearest recorded ancestor).
    fn at(&self, path: &str) -> Span {
        self.spans.nearest(path)
    }

    /// The key span at `path`, falling back to the value.
    fn key_at(&self, path: &str) -> Span {
        self.spans.key(path).unwrap_or_else(|| self.at(path))
    }

    fn error(&mut self, code: &'static str, message: impl Into<String>, path: &str) -> &mut Diagnostic {
        let span = self.at(path);
        self.push(Diagnostic::error(code, message, span))
    }

    fn warning(&mut self, code: &'static str, message: impl Into<String>, path: &str) -> &mut Diagnostic {
        let span = self.at(path);
        self.push(Diagnostic::warning(code, message, span))
    }

    fn push(&mut self, diagnostic: Diagnostic) -> &mut Diagnostic {
        let index = self.out.len();
        self.out.push(diagnostic);
        &mut self.out[index]
    }

    /// A TCP/UDP port must be 1–65535.
    fn port_in_range(&mut self, what: &str, port: i64, path: &str) {
        if !(1..=65535).contains(&port) {
            self.error("port-out-of-range", format!("{what} {port} is not between 1 and 65535"), path);
        }
    }

    fn help(diagnostic: &mut Diagnostic, help: impl Into<String>) {
        diagnostic.help = Some(help.into());
    }

    fn top_level(&mut self) {
        let config = self.config;
        if let Some(command) = &config.console_command
            && split_command(command).is_none()
        {
            self.error(
                "console-command-unsplittable",
                format!("Can't shell split console command: '{command}'"),
                "console_command",
            );
        }
        if let Some(region) = &config.primary_region {
            match region_status(region) {
                RegionStatus::Current(_) => {}
                RegionStatus::Deprecated => {
                    let d = self.warning(
                        "region-deprecated",
                        format!("primary_region '{region}' is a retired Fly.io region"),
                        "primary_region",
                    );
                    Self::help(
                        d,
                        "existing machines keep running there, but new machines and volumes cannot be placed: pick a current region such as iad, ord, lhr or fra",
                    );
                }
                RegionStatus::Unknown => {
                    let d = self.warning(
                        "region-unknown",
                        format!("primary_region '{region}' is not a Fly.io region this validator knows"),
                        "primary_region",
                    );
                    Self::help(
                        d,
                        "current regions: ams arn bom cdg dfw ewr fra gru iad jnb lax lhr nrt ord sin sjc syd yyz",
                    );
                }
            }
        }
        if let Some(signal) = &config.kill_signal
            && !SIGNALS.contains(&signal.as_str())
        {
            self.warning(
                "kill-signal",
                format!("kill_signal '{signal}' is not a signal Fly.io documents"),
                "kill_signal",
            );
        }
        if let Some(timeout) = config.kill_timeout
            && timeout > GoDuration::from_secs(300)
        {
            let d = self.warning(
                "kill-timeout-too-long",
                format!("kill_timeout {timeout} is longer than the 5m maximum"),
                "kill_timeout",
            );
            Self::help(d, "Fly.io stops waiting after 300 seconds");
        }
        if config.swap_size_mb.is_some_and(|mb| mb < 0) {
            self.error("invalid-value", "swap_size_mb cannot be negative", "swap_size_mb");
        }
    }

    fn build(&mut self) {
        let Some(build) = &self.config.build else { return };
        let mut strategies = Vec::new();
        if build.image.is_some() {
            strategies.push("the \"image\" strategy");
        }
        if build.builder.is_some() || !build.buildpacks.is_empty() {
            strategies.push("the \"buildpacks\" strategy");
        }
        if build.dockerfile.is_some() || build.build_target.is_some() {
            strategies.push("the \"dockerfile\" strategy");
        }
        if build.builtin.is_some() {
            strategies.push("the \"builtin\" strategy");
        }
        if strategies.len() > 1 {
            let d = self.warning(
                "multiple-build-strategies",
                format!("more than one build configuration found: [{}]", strategies.join(", ")),
                "build",
            );
            Self::help(d, "flyctl picks one (image first); keep only the one you use");
        }
        if let Some(compression) = &build.compression
            && !matches!(compression.as_str(), "gzip" | "zstd")
        {
            self.error(
                "build-compression",
                format!(
                    "Invalid value '{compression}' for compression. Valid options are 'gzip', 'zstd', or leave unset."
                ),
                "build.compression",
            );
        }
        if let Some(level) = build.compression_level
            && !(0..=9).contains(&level)
        {
            self.error(
                "build-compression-level",
                format!("Invalid value '{level}' for compression level. Must be an integer between 0 and 9."),
                "build.compression_level",
            );
        }
    }

    fn deploy(&mut self) {
        let config = self.config;
        let Some(deploy) = &config.deploy else { return };
        if let Some(command) = &deploy.release_command
            && split_command(command).is_none()
        {
            self.error(
                "release-command-unsplittable",
                format!("Can't shell split release command: '{command}'"),
                "deploy.release_command",
            );
        }
        let strategy = deploy.strategy.as_deref().unwrap_or("rolling");
        if !STRATEGIES.contains(&strategy) {
            let d = self.error(
                "deploy-strategy",
                format!("unsupported deployment strategy '{strategy}'; Apps v2 supports the following strategies: canary, rolling, immediate, bluegreen"),
                "deploy.strategy",
            );
            if let Some(suggestion) = super::decode::did_you_mean(strategy, STRATEGIES) {
                Self::help(d, format!("did you mean '{suggestion}'?"));
            }
        }
        if strategy == "canary" && !config.mounts.is_empty() {
            let d = self.error(
                "canary-with-mounts",
                "error canary deployment strategy is not supported when using mounted volumes",
                "deploy.strategy",
            );
            Self::help(d, "use the rolling strategy: a canary machine would need a volume of its own");
        }
        if strategy == "bluegreen" {
            if !config.mounts.is_empty() {
                let d = self.error(
                    "bluegreen-with-mounts",
                    "the bluegreen strategy cannot be used with mounted volumes",
                    "deploy.strategy",
                );
                Self::help(
                    d,
                    "green machines would need volumes of their own while blue machines still hold theirs; use rolling",
                );
            }
            if !self.has_any_health_check() {
                let d = self.error(
                    "bluegreen-without-checks",
                    "the bluegreen strategy needs at least one health check to know when green machines are ready",
                    "deploy.strategy",
                );
                Self::help(d, "add [[http_service.checks]] or a [checks.<name>] section");
            }
        }
        if deploy.max_unavailable.is_some() && !matches!(strategy, "rolling" | "canary") {
            self.warning(
                "max-unavailable-ignored",
                format!("max_unavailable is set but the '{strategy}' strategy ignores it"),
                "deploy.max_unavailable",
            );
        }
        if let Some(value) = deploy.max_unavailable
            && (value <= 0.0 || !value.is_finite())
        {
            self.error(
                "invalid-value",
                "max_unavailable must be greater than 0 (a fraction below 1, or a count)",
                "deploy.max_unavailable",
            );
        }
        if let Some(vm) = &deploy.release_command_vm {
            self.compute(vm, "deploy.release_command_vm");
        }
    }

    fn has_any_health_check(&self) -> bool {
        let config = self.config;
        !config.checks.is_empty()
            || config.http_service.as_ref().is_some_and(|h| !h.checks.is_empty())
            || config.services.iter().any(|s| !s.tcp_checks.is_empty() || !s.http_checks.is_empty())
    }

    fn processes(&mut self) {
        for (group, command) in &self.config.processes {
            let path = path_join("processes", group);
            if split_command(command).is_none() {
                self.error(
                    "process-command-unsplittable",
                    format!("Could not parse command for '{group}' process group; check [processes] section: unbalanced quotes in '{command}'"),
                    &path,
                );
            }
            if super::groups::RESERVED_GROUPS.contains(&group.as_str()) {
                let span = self.key_at(&path);
                self.out.push(Diagnostic::error(
                    "reserved-group",
                    format!("'{group}' is reserved for flyctl's own machines"),
                    span,
                ));
            }
        }
    }

    fn services(&mut self) {
        let config = self.config;
        let group_count = config.processes.len();
        if let Some(http) = &config.http_service {
            self.service_processes(&http.processes, "http_service", group_count);
            self.internal_port(http.internal_port, "http_service.internal_port", "http_service");
            self.autostop(http.auto_stop_machines, http.auto_start_machines, http.min_machines_running, "http_service");
            for (i, check) in http.checks.iter().enumerate() {
                self.service_check(
                    check.interval,
                    check.timeout,
                    check.grace_period,
                    &path_index("http_service.checks", i),
                );
            }
        }
        for (i, service) in config.services.iter().enumerate() {
            let path = path_index("services", i);
            self.service_processes(&service.processes, &path, group_count);
            self.internal_port(service.internal_port, &path_join(&path, "internal_port"), &path);
            self.autostop(service.auto_stop_machines, service.auto_start_machines, service.min_machines_running, &path);
            if !service.protocol.is_empty() && !matches!(service.protocol.as_str(), "tcp" | "udp") {
                self.error(
                    "service-protocol",
                    format!("service protocol must be 'tcp' or 'udp', not '{}'", service.protocol),
                    &path_join(&path, "protocol"),
                );
            }
            if service.ports.is_empty() {
                let d = self.warning(
                    "service-without-ports",
                    "WARNING: Service must expose at least one port. Add a [[services.ports]] section to fly.toml; Check docs at https://fly.io/docs/reference/configuration/#services-ports",
                    &path,
                );
                Self::help(d, "a service without ports gets no traffic from the Fly proxy");
            }
            for (j, port) in service.ports.iter().enumerate() {
                self.port(port, &path_index(&path_join(&path, "ports"), j));
            }
            for (j, check) in service.tcp_checks.iter().enumerate() {
                self.service_check(
                    check.interval,
                    check.timeout,
                    check.grace_period,
                    &path_index(&path_join(&path, "tcp_checks"), j),
                );
            }
            for (j, check) in service.http_checks.iter().enumerate() {
                self.service_check(
                    check.interval,
                    check.timeout,
                    check.grace_period,
                    &path_index(&path_join(&path, "http_checks"), j),
                );
            }
        }
        self.duplicate_services();
    }

    fn service_processes(&mut self, processes: &[String], path: &str, group_count: usize) {
        if processes.is_empty() && group_count > 0 {
            let d = self.error(
                "service-processes-missing",
                format!("Service has no processes set but app has {group_count} processes defined; update fly.toml to set processes for each service"),
                path,
            );
            Self::help(d, "add processes = [\"<group>\"] to say which process group serves it");
        }
        for (i, process) in processes.iter().enumerate() {
            if !self.config.has_group(process) {
                self.error(
                    "unknown-process",
                    format!("Service specifies '{process}' as one of its processes, but no processes are defined with that name; update fly.toml [processes] to add '{process}' process or remove it from service's processes list"),
                    &path_index(&path_join(path, "processes"), i),
                );
            }
        }
    }

    fn internal_port(&mut self, port: i64, path: &str, service: &str) {
        if port == 0 {
            let d = self.warning("internal-port-missing", "the service has no internal_port", service);
            Self::help(d, "set internal_port to the port your app listens on inside the machine");
        } else {
            self.port_in_range("internal_port", port, path);
        }
    }

    fn autostop(&mut self, stop: Option<AutoStop>, start: Option<bool>, min_running: Option<i64>, path: &str) {
        if start == Some(false) && matches!(stop, Some(AutoStop::Stop | AutoStop::Suspend)) {
            let d = self.warning(
                "autostop-without-autostart",
                "machines will be stopped when idle but never started again: auto_start_machines is false",
                &path_join(path, "auto_start_machines"),
            );
            Self::help(d, "enable both or disable both");
        }
        if min_running.is_some_and(|n| n > 0) && stop == Some(AutoStop::Off) {
            self.warning(
                "min-machines-without-autostop",
                "min_machines_running has no effect while auto_stop_machines is \"off\"",
                &path_join(path, "min_machines_running"),
            );
        }
        if min_running.is_some_and(|n| n < 0) {
            self.error(
                "invalid-value",
                "min_machines_running cannot be negative",
                &path_join(path, "min_machines_running"),
            );
        }
    }

    fn service_check(
        &mut self,
        interval: Option<GoDuration>,
        timeout: Option<GoDuration>,
        grace: Option<GoDuration>,
        path: &str,
    ) {
        let second = GoDuration::from_secs(1);
        let minute = GoDuration::from_secs(60);
        // Paths are joined only for a finding: most checks have none.
        for (name, value) in [("interval", interval), ("timeout", timeout)] {
            let Some(value) = value else { continue };
            if value < second {
                self.warning(
                    "check-duration-raised",
                    format!("{name} of {value} is less than 1 second; this will be raised to 1 second"),
                    &path_join(path, name),
                );
            } else if value > minute {
                self.warning(
                    "check-duration-lowered",
                    format!("{name} of {value} is greater than 1 minute; this will be lowered to 1 minute"),
                    &path_join(path, name),
                );
            }
        }
        if let Some(grace) = grace
            && grace != GoDuration(0)
            && grace < second
        {
            self.warning(
                "check-duration-raised",
                format!("grace_period of {grace} is less than 1 second; this will be raised to 1 second"),
                &path_join(path, "grace_period"),
            );
        }
    }

    fn port(&mut self, port: &Port, path: &str) {
        for (name, value) in [("port", port.port), ("start_port", port.start_port), ("end_port", port.end_port)] {
            if let Some(value) = value {
                self.port_in_range(name, value, &path_join(path, name));
            }
        }
        match (port.port, port.start_port, port.end_port) {
            (None, None, None) => {
                self.error(
                    "port-missing",
                    "a [[services.ports]] entry needs `port` or `start_port` and `end_port`",
                    path,
                );
            }
            (_, Some(start), Some(end)) if start > end => {
                self.error(
                    "port-range-reversed",
                    format!("start_port {start} is greater than end_port {end}"),
                    &path_join(path, "start_port"),
                );
            }
            (None, Some(_), None) | (None, None, Some(_)) => {
                self.error("port-range-incomplete", "a port range needs both start_port and end_port", path);
            }
            _ => {}
        }
        if port.force_https == Some(true) && !port.handlers.iter().any(|h| h == "http") {
            let d = self.error(
                "force-https-without-http",
                "force_https needs the \"http\" handler on the same port",
                &path_join(path, "force_https"),
            );
            Self::help(d, "add handlers = [\"http\"], or remove force_https");
        }
    }

    fn duplicate_services(&mut self) {
        let config = self.config;
        // Services by index into [[services]], `None` for [http_service]; paths are made only for a finding.
        let path =
            |service: Option<usize>| service.map_or_else(|| "http_service".to_owned(), |i| path_index("services", i));
        let mut seen: Vec<(Option<usize>, i64, &str, &str)> = Vec::new();
        let http = config.http_service.iter().map(|h| (None, h.internal_port, "tcp", &h.processes));
        let services = config.services.iter().enumerate().map(|(i, s)| {
            let protocol = if s.protocol.is_empty() { "tcp" } else { s.protocol.as_str() };
            (Some(i), s.internal_port, protocol, &s.processes)
        });
        for (service, port, protocol, processes) in http.chain(services) {
            if port == 0 {
                continue;
            }
            for group in config.groups() {
                if !config.applies_to(processes, group) {
                    continue;
                }
                if let Some(&(first, ..)) =
                    seen.iter().find(|(_, p, proto, g)| *p == port && *proto == protocol && *g == group)
                {
                    let first_span = self.at(&path(first));
                    let d = self.warning(
                        "duplicate-service",
                        format!("two services on {protocol} port {port} for process group '{group}'"),
                        &path(service),
                    );
                    d.labels
                        .push(crate::diagnostics::Label { span: first_span, message: "first defined here".to_owned() });
                    break;
                }
                seen.push((service, port, protocol, group));
            }
        }
    }

    fn top_level_checks(&mut self) {
        let config = self.config;
        for (name, check) in &config.checks {
            let path = path_join("checks", name);
            let valid_type = matches!(check.kind.as_deref(), Some("http" | "tcp"));
            match check.kind.as_deref() {
                Some("http" | "tcp") => {}
                _ => {
                    let at = if check.kind.is_some() { path_join(&path, "type") } else { path.clone() };
                    let d = self.error(
                        "check-type",
                        format!("Can't process top level check '{name}': Missing or invalid check type, must be 'http' or 'tcp'"),
                        &at,
                    );
                    Self::help(d, "add type = \"http\" or type = \"tcp\"");
                }
            }
            if let Some(interval) = check.interval
                && interval < GoDuration::from_secs(2)
            {
                self.error(
                    "check-interval-too-short",
                    format!("Check '{name}' interval is too short: {interval}, minimum is 2 seconds"),
                    &path_join(&path, "interval"),
                );
            }
            if let Some(timeout) = check.timeout
                && timeout > GoDuration::from_secs(60)
            {
                self.error(
                    "check-timeout-too-long",
                    format!("Check '{name}' timeout is too long: {timeout}, maximum is 60 seconds"),
                    &path_join(&path, "timeout"),
                );
            }
            if check.port.is_none() && valid_type {
                // The port comes from the group's http_service; without one, flyctl fails at deploy.
                for group in config.groups().filter(|g| config.applies_to(&check.processes, g)) {
                    let has_http = config.http_service.as_ref().is_some_and(|h| config.applies_to(&h.processes, group));
                    if !has_http {
                        let d = self.error(
                            "check-without-port",
                            format!("Check '{name}' for process group '{group}' has no port set and the group has no http_service to take it from"),
                            &path,
                        );
                        Self::help(d, "add port = <the port to check>");
                        break;
                    }
                }
            }
            if let Some(port) = check.port {
                self.port_in_range("check port", port, &path_join(&path, "port"));
            }
        }
    }

    fn mounts(&mut self) {
        let config = self.config;
        for (i, mount) in config.mounts.iter().enumerate() {
            let path = path_index("mounts", i);
            let source = &mount.source;
            if source.is_empty() {
                self.error("mount-source-missing", "a mount needs `source`: the name of the volume", &path);
            }
            if mount.destination.is_empty() {
                self.error(
                    "mount-destination-missing",
                    "a mount needs `destination`: where the volume appears in the machine",
                    &path,
                );
            } else if !mount.destination.starts_with('/') {
                self.error(
                    "mount-destination-relative",
                    format!("mount destination '{}' must be an absolute path", mount.destination),
                    &path_join(&path, "destination"),
                );
            }
            if let Some(size) = &mount.initial_size {
                match volume_gb(size) {
                    Err(error) => {
                        self.error(
                            "mount-initial-size",
                            format!("mount '{source}' with initial_size '{size}' will fail because of: {error}"),
                            &path_join(&path, "initial_size"),
                        );
                    }
                    Ok(gb) if gb < 1 => {
                        self.error(
                            "mount-initial-size",
                            format!("mount '{source}' has an initial_size '{size}' value which is smaller than 1GB"),
                            &path_join(&path, "initial_size"),
                        );
                    }
                    Ok(_) => {}
                }
            }
            if let Some(days) = mount.snapshot_retention
                && !(1..=60).contains(&days)
            {
                self.error(
                    "mount-snapshot-retention",
                    format!(
                        "mount '{source}' has a snapshot_retention value which is not between 1 and 60 days inclusive"
                    ),
                    &path_join(&path, "snapshot_retention"),
                );
            }
            self.auto_extend(mount, &path);
        }
        for group in config.groups() {
            let matching: Vec<usize> = config
                .mounts
                .iter()
                .enumerate()
                .filter(|(_, m)| config.applies_to(&m.processes, group))
                .map(|(i, _)| i)
                .collect();
            if let [first, second, ..] = matching.as_slice() {
                let first_span = self.at(&path_index("mounts", *first));
                let d = self.error(
                    "mounts-per-group",
                    format!("group '{group}' has more than one [[mounts]] section defined"),
                    &path_index("mounts", *second),
                );
                d.labels.push(crate::diagnostics::Label {
                    span: first_span,
                    message: "first mount for this group".to_owned(),
                });
                Self::help(d, "a machine can mount one volume: give each mount its own processes = [...]");
            }
        }
    }

    /// flyctl's rule, exactly: threshold 0 and empty sizes mean unset; once any is set, the threshold must be
    /// 50–99 and the increment 1–100 GB; the limit may stay unset (0) or be 1–500 GB.
    fn auto_extend(&mut self, mount: &Mount, path: &str) {
        let source = &mount.source;
        let size = |rules: &mut Self, name: &str, value: &Option<String>| -> i64 {
            let Some(value) = value.as_deref().filter(|v| !v.is_empty()) else { return 0 };
            let field = path_join(path, name);
            match volume_gb(value) {
                Err(error) => {
                    rules.error(
                        "mount-auto-extend-size",
                        format!("mount '{source}' with {name} '{value}' will fail because of: {error}"),
                        &field,
                    );
                    0
                }
                Ok(0) => {
                    rules.error(
                        "mount-auto-extend-size",
                        format!("mount '{source}' has an {name} '{value}' value which is smaller than 1GB"),
                        &field,
                    );
                    0
                }
                Ok(gb) => i64::try_from(gb).unwrap_or(i64::MAX),
            }
        };
        let increment = size(self, "auto_extend_size_increment", &mount.auto_extend_size_increment);
        let limit = size(self, "auto_extend_size_limit", &mount.auto_extend_size_limit);
        let threshold = mount.auto_extend_size_threshold.unwrap_or(0);
        if threshold == 0 && increment == 0 && limit == 0 {
            return;
        }
        if threshold != 0 && increment == 0 && limit == 0 {
            self.error(
                "mount-auto-extend-incomplete",
                format!("mount '{source}' auto_extend_size_threshold, auto_extend_size_increment and auto_extend_size_limit must be all defined or none"),
                path,
            );
        }
        if !(50..=99).contains(&threshold) {
            self.error(
                "mount-auto-extend-threshold",
                format!("mount '{source}' auto_extend_size_threshold must be between 50 and 99"),
                &path_join(path, "auto_extend_size_threshold"),
            );
        }
        if !(1..=100).contains(&increment) {
            self.error(
                "mount-auto-extend-increment",
                format!("mount '{source}' auto_extend_size_increment must be between 1GB and 100GB"),
                &path_join(path, "auto_extend_size_increment"),
            );
        }
        if limit != 0 && !(1..=500).contains(&limit) {
            self.error(
                "mount-auto-extend-limit",
                format!("mount '{source}' auto_extend_size_limit must be between 1GB and 500GB"),
                &path_join(path, "auto_extend_size_limit"),
            );
        }
    }

    fn vms(&mut self) {
        let config = self.config;
        for (i, vm) in config.vm.iter().enumerate() {
            self.compute(vm, &path_index("vm", i));
        }
        let unscoped: Vec<usize> =
            config.vm.iter().enumerate().filter(|(_, v)| v.processes.is_empty()).map(|(i, _)| i).collect();
        if let [_, second, ..] = unscoped.as_slice() {
            self.warning(
                "vm-duplicate",
                "more than one [[vm]] applies to every process group; flyctl uses the first",
                &path_index("vm", *second),
            );
        }
    }

    /// The guest a `[[vm]]` computes to, checked like flyctl's conversion and the Machines API would.
    fn compute(&mut self, vm: &Compute, path: &str) {
        let size = vm.size.as_deref().unwrap_or(if vm.gpu_kind.is_some() {
            super::DEFAULT_GPU_PRESET
        } else {
            super::DEFAULT_PRESET
        });
        let Some(preset) = preset_named(size) else {
            let family = if size.starts_with("performance") {
                "performance"
            } else if size.starts_with("shared") {
                "shared"
            } else {
                ""
            };
            let valid: Vec<&str> =
                super::PRESETS.iter().map(|p| p.name).filter(|n| family.is_empty() || n.starts_with(family)).collect();
            let d = self.error("vm-size", format!("'{size}' is not a valid VM size"), &path_join(path, "size"));
            Self::help(d, format!("valid sizes: {}", valid.join(", ")));
            return;
        };
        let mut guest = Guest::from(preset);
        if let Some(memory) = &vm.memory {
            match memory_mb(memory) {
                Ok(0) => {
                    self.error("vm-memory", "memory cannot be zero", &path_join(path, "memory"));
                    return;
                }
                Ok(mb) => guest.memory_mb = u32::try_from(mb).unwrap_or(u32::MAX),
                Err(error) => {
                    self.error("vm-memory", format!("invalid memory '{memory}': {error}"), &path_join(path, "memory"));
                    return;
                }
            }
        }
        if let Some(kind) = &vm.cpu_kind {
            guest.cpu_kind.clone_from(kind);
        }
        if let Some(cpus) = vm.cpus.filter(|c| *c > 0) {
            guest.cpus = u32::try_from(cpus).unwrap_or(u32::MAX);
        }
        if let Some(mb) = vm.memory_mb.filter(|m| *m > 0) {
            guest.memory_mb = u32::try_from(mb).unwrap_or(u32::MAX);
        }
        if vm.gpu_kind.is_some() || vm.gpus.is_some_and(|g| g > 0) {
            // GPU machines follow their own sizing; Fly validates them when it places them.
            return;
        }
        if let Err(error) = guest.check() {
            let field = if vm.memory_mb.is_some() {
                path_join(path, "memory_mb")
            } else if vm.memory.is_some() {
                path_join(path, "memory")
            } else if vm.cpus.is_some() {
                path_join(path, "cpus")
            } else {
                path.to_owned()
            };
            self.error("vm-guest", format!("this VM cannot be created: {error}"), &field);
        }
    }

    fn restarts(&mut self) {
        for (i, restart) in self.config.restart.iter().enumerate() {
            let path = path_index("restart", i);
            let policy = restart.policy.as_deref().unwrap_or_default();
            if !matches!(policy, "always" | "never" | "on-failure") {
                let at = if restart.policy.is_some() { path_join(&path, "policy") } else { path.clone() };
                let d = self.error("restart-policy", format!("invalid restart policy: {policy}"), &at);
                Self::help(d, "use \"always\", \"never\" or \"on-failure\"");
            }
            for (j, process) in restart.processes.iter().enumerate() {
                if !self.config.has_group(process) {
                    self.error(
                        "unknown-process",
                        format!("Restart policy specifies '{process}' as one of its processes, but no processes are defined with that name"),
                        &path_index(&path_join(&path, "processes"), j),
                    );
                }
            }
            if restart.retries.is_some_and(|r| r < 0) {
                self.error("invalid-value", "retries cannot be negative", &path_join(&path, "retries"));
            }
        }
    }

    fn files_and_statics(&mut self) {
        for (i, file) in self.config.files.iter().enumerate() {
            let path = path_index("files", i);
            if file.guest_path.is_empty() {
                self.error(
                    "file-guest-path",
                    "a [[files]] entry needs guest_path: where the file goes in the machine",
                    &path,
                );
            } else if !file.guest_path.starts_with('/') {
                self.error(
                    "file-guest-path",
                    format!("guest_path '{}' must be an absolute path", file.guest_path),
                    &path_join(&path, "guest_path"),
                );
            }
            let sources = [file.raw_value.is_some(), file.local_path.is_some(), file.secret_name.is_some()];
            let count = sources.iter().filter(|s| **s).count();
            if count != 1 {
                let message = if count == 0 {
                    "a [[files]] entry needs one source"
                } else {
                    "a [[files]] entry may have only one source"
                };
                let d = self.error("file-source", message, &path);
                Self::help(d, "set exactly one of raw_value, local_path or secret_name");
            }
        }
        for (i, statics) in self.config.statics.iter().enumerate() {
            let path = path_index("statics", i);
            if statics.guest_path.is_empty() && statics.tigris_bucket.is_none() {
                self.error("statics-guest-path", "a [[statics]] entry needs guest_path", &path);
            }
            if statics.url_prefix.is_empty() {
                self.error("statics-url-prefix", "a [[statics]] entry needs url_prefix", &path);
            }
            if statics.index_document.is_some() && statics.tigris_bucket.is_none() {
                self.warning(
                    "statics-index-document",
                    "index_document only works with tigris_bucket",
                    &path_join(&path, "index_document"),
                );
            }
        }
    }

    /// Items naming groups that do not exist never apply to any machine (flyctl accepts them silently).
    fn group_references(&mut self) {
        let config = self.config;
        let lists: Vec<(String, &Vec<String>)> = config
            .mounts
            .iter()
            .enumerate()
            .map(|(i, m)| (path_index("mounts", i), &m.processes))
            .chain(config.vm.iter().enumerate().map(|(i, v)| (path_index("vm", i), &v.processes)))
            .chain(config.files.iter().enumerate().map(|(i, f)| (path_index("files", i), &f.processes)))
            .chain(config.metrics.iter().enumerate().map(|(i, m)| (path_index("metrics", i), &m.processes)))
            .chain(config.checks.iter().map(|(name, c)| (path_join("checks", name), &c.processes)))
            .collect();
        for (path, processes) in lists {
            for (j, process) in processes.iter().enumerate() {
                if !config.has_group(process) {
                    let d = self.warning(
                        "unknown-process",
                        format!("'{process}' is not a process group of this app, so this never applies to it"),
                        &path_index(&path_join(&path, "processes"), j),
                    );
                    let groups = config.groups().collect::<Vec<_>>().join(", ");
                    Self::help(d, format!("process groups: {groups}"));
                }
            }
        }
    }

    fn env(&mut self) {
        for key in self.config.env.keys() {
            if key.starts_with("FLY_") {
                let span = self.key_at(&path_join("env", key));
                self.out.push(
                    Diagnostic::warning(
                        "env-fly-prefix",
                        format!("env key '{key}' uses the FLY_ prefix reserved for the platform"),
                        span,
                    )
                    .with_help("Fly.io sets FLY_* variables itself and may overwrite this one; choose another name"),
                );
            }
        }
    }
}
