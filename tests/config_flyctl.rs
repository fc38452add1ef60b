//! flyctl's own fly.toml fixtures (../shared/data/flyctl-testdata) with the assertions of flyctl's Go tests ported
//! (NOTES.md there says what each Go test asserts). Where we deliberately do better than flyctl, the test says so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed step is a failed test

mod support;

use std::collections::{BTreeMap, BTreeSet};

use flightdeck::config::{AutoStop, GoDuration, Parsed, parse, validate};
use flightdeck::diagnostics::Severity;
use serde_json::json;

fn fixture(name: &str) -> Parsed {
    let parsed = parse(&support::read(&format!("flyctl-testdata/{name}")));
    let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    assert!(errors.is_empty() || name == "always-invalid-v2.toml", "{name} should load: {errors:?}");
    parsed
}

fn secs(n: i64) -> Option<GoDuration> {
    Some(GoDuration::from_secs(n))
}

// ---- serde_test.go ---------------------------------------------------------------------------------------------

#[test]
fn simple_loads() {
    assert_eq!(fixture("app-name.toml").config.app.as_deref(), Some("test-app"));
    assert_eq!(fixture("build.toml").config.build.unwrap().builder.as_deref(), Some("builder/name"));
    assert_eq!(fixture("image.toml").config.build.unwrap().image.as_deref(), Some("image/name"));
    assert_eq!(fixture("docker.toml").config.build.unwrap().dockerfile.as_deref(), Some("./Dockerfile"));
    let args = fixture("build-with-args.toml").config.build.unwrap().args;
    assert_eq!(args, BTreeMap::from([("A".into(), "B".into()), ("C".into(), "D".into())]));
}

#[test]
fn compose_dotted_key_and_empty_table() {
    let compose = fixture("compose.toml").config.build.unwrap().compose.unwrap();
    assert_eq!(compose.file.as_deref(), Some("docker-compose.yml"));
    let autodetect = fixture("compose-autodetect.toml").config.build.unwrap().compose;
    assert!(autodetect.is_some_and(|c| c.file.is_none()), "an empty [build.compose] is present with no file");
}

#[test]
fn empty_services_section_is_dropped() {
    assert!(fixture("services-emptysection.toml").config.services.is_empty());
}

#[test]
fn service_ports_keep_options_and_header_types() {
    let services = fixture("services-ports.toml").config.services;
    assert_eq!(services.len(), 1);
    let service = &services[0];
    assert_eq!((service.protocol.as_str(), service.internal_port, service.ports.len()), ("tcp", 8080, 2));
    let p80 = &service.ports[0];
    assert_eq!(p80.port, Some(80));
    let tls = p80.tls_options.as_ref().unwrap();
    assert_eq!(tls.alpn, ["h2", "http/1.1"]);
    assert_eq!(tls.versions, ["TLSv1.2", "TLSv1.3"]);
    let http = p80.http_options.as_ref().unwrap();
    assert_eq!(http.compress, Some(true));
    let headers = &http.response.as_ref().unwrap().headers;
    assert_eq!(headers["fly-request-id"], json!(false));
    assert_eq!(headers["fly-wasnt-here"], json!("yes, it was"));
    assert_eq!(headers["multi-valued"], json!(["value1", "value2"]));
    let p82 = &service.ports[1];
    assert_eq!((p82.port, p82.handlers.as_slice()), (Some(82), ["proxy_proto".to_owned()].as_slice()));
    assert_eq!(p82.proxy_proto_options.as_ref().unwrap().version.as_deref(), Some("v2"));
}

#[test]
fn multiple_services_keep_file_order() {
    let services = fixture("services-multi.toml").config.services;
    let summary: Vec<_> = services
        .iter()
        .map(|s| {
            let c = s.concurrency.as_ref().unwrap();
            (s.internal_port, c.kind.clone().unwrap(), c.hard_limit.unwrap(), c.soft_limit.unwrap())
        })
        .collect();
    assert_eq!(summary, [(8081, "requests".into(), 22, 13), (9999, "connections".into(), 10, 8)]);
}

#[test]
fn integer_concurrency_is_an_error_but_the_rest_of_the_file_survives() {
    // flyctl: "Unknown type for service concurrency: int64" and everything but `app` is dropped. We report the same
    // error at the value's position and keep the rest of the file (better for an editor).
    let parsed = fixture("always-invalid-v2.toml");
    assert_eq!(parsed.config.app.as_deref(), Some("unsupported-format"));
    let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].message.starts_with("Unknown type for service concurrency"), "{}", errors[0].message);
    let source = support::read("flyctl-testdata/always-invalid-v2.toml");
    assert_eq!(errors[0].span.text(&source), Some("20"));
    assert_eq!(parsed.config.services[0].internal_port, 8080, "the string port is still converted");
}

#[test]
fn experimental_legacy_keys_move_to_their_modern_places() {
    let config = fixture("experimental-alt.toml").config;
    let experimental = config.experimental.as_ref().unwrap();
    assert_eq!(experimental.cmd.len(), 1);
    assert_eq!(experimental.exec.len(), 1);
    assert_eq!(experimental.entrypoint.len(), 1);
    assert_eq!(config.kill_timeout, secs(3));
    assert_eq!(config.metrics.len(), 1);
    assert_eq!((config.metrics[0].port, config.metrics[0].path.as_deref()), (Some(9000), Some("/foo")));
    assert_eq!(config.default_group(), "app");
}

#[test]
fn mounts_array_and_format_quirks() {
    let mounts = fixture("mounts-array.toml").config.mounts;
    assert_eq!(mounts.len(), 1);
    assert_eq!((mounts[0].source.as_str(), mounts[0].destination.as_str()), ("pg_data", "/data"));

    let config = fixture("format-quirks.toml").config;
    assert_eq!(config.vm.len(), 1);
    assert_eq!(config.vm[0].memory.as_deref(), Some("512"), "an integer memory becomes a string");
    assert_eq!(config.mounts.len(), 1);
    assert_eq!(config.mounts[0].initial_size.as_deref(), Some("200"));
    assert_eq!(config.mounts[0].snapshot_retention, Some(10));
}

#[test]
fn env_list_is_merged_and_stringified() {
    let env = fixture("env-list.toml").config.env;
    let expected: BTreeMap<String, String> =
        [("FOO", "BAR"), ("TWO", "2"), ("TRUE", "true")].into_iter().map(|(k, v)| (k.into(), v.into())).collect();
    assert_eq!(env, expected);
}

#[test]
fn old_format_quirks_still_load() {
    let config = fixture("old-format.toml").config;
    assert_eq!(config.env["BAR"], "123");
    assert_eq!(config.build.as_ref().unwrap().build_target.as_deref(), Some("thalayer"));
    let service = &config.services[0];
    assert_eq!(service.internal_port, 8080);
    let concurrency = service.concurrency.as_ref().unwrap();
    assert_eq!(
        (concurrency.kind.as_deref(), concurrency.soft_limit, concurrency.hard_limit),
        (Some("requests"), Some(12), Some(23))
    );
    assert_eq!(service.auto_stop_machines, Some(AutoStop::Off));
    assert_eq!(service.ports[0].port, Some(80));
    assert_eq!(service.tcp_checks.len(), 2, "two checks of one kind both survive, in order");
    assert_eq!((service.tcp_checks[0].interval, service.tcp_checks[0].timeout), (secs(10), secs(2)));
    assert_eq!((service.tcp_checks[1].interval, service.tcp_checks[1].timeout), (secs(20), secs(3)));
    assert_eq!(service.http_checks.len(), 2);
    assert_eq!((service.http_checks[0].interval, service.http_checks[0].timeout), (secs(30), secs(4)));
    assert_eq!(service.http_checks[0].headers["origin"], "http://localhost:8000");
    let second = &service.http_checks[1];
    assert_eq!(second.grace_period, None, "an empty duration is unset");
    assert_eq!(second.headers["fly-healthcheck"], "1");
    assert_eq!(second.headers["metoo"], "true");
    assert_eq!(second.headers["astring"], "string");
    assert!(config.experimental.is_none(), "an empty [experimental] is none");
    assert!(config.processes.is_empty(), "an empty [[processes]] entry is no processes");
    assert_eq!(config.mounts.len(), 1);
    assert_eq!(config.metrics.len(), 1);
    assert_eq!((config.metrics[0].port, config.metrics[0].path.as_deref()), (Some(9999), Some("/metrics")));
}

#[test]
fn old_processes_and_pg_checks() {
    let config = fixture("old-processes.toml").config;
    assert_eq!(config.app, None);
    let expected: BTreeMap<String, String> =
        [("web", "./web"), ("worker", "./worker")].into_iter().map(|(k, v)| (k.into(), v.into())).collect();
    assert_eq!(config.processes, expected);

    let checks = fixture("old-pg-checks.toml").config.checks;
    let pg = &checks["pg"];
    assert_eq!((pg.port, pg.kind.as_deref(), pg.path.as_deref()), (Some(5500), Some("http"), Some("/flycheck/pg")));
    assert!(pg.headers.is_empty());
}

#[test]
fn full_reference_reads_every_section() {
    let config = fixture("full-reference.toml").config;
    assert_eq!(config.kill_signal.as_deref(), Some("SIGTERM"));
    assert_eq!(config.kill_timeout, secs(3));
    assert_eq!(config.swap_size_mb, Some(512));
    assert_eq!(config.primary_region.as_deref(), Some("sea"));
    assert_eq!(config.console_command.as_deref(), Some("/bin/bash"));
    assert_eq!(config.host_dedication_id.as_deref(), Some("06031957"));

    let vm = &config.vm[0];
    assert_eq!((vm.size.as_deref(), vm.memory.as_deref()), (Some("shared-cpu-1x"), Some("8gb")));
    assert_eq!(
        (vm.cpu_kind.as_deref(), vm.cpus, vm.memory_mb, vm.gpus),
        (Some("performance"), Some(8), Some(8192), Some(2))
    );
    assert_eq!(
        (vm.gpu_kind.as_deref(), vm.host_dedication_id.as_deref()),
        (Some("a100-pcie-40gb"), Some("isolated-xxx"))
    );
    assert_eq!(
        (vm.kernel_args.as_slice(), vm.processes.as_slice()),
        (["quiet".to_owned()].as_slice(), ["app".to_owned()].as_slice())
    );
    assert_eq!(config.vm[1].memory_mb, Some(4096));
    assert_eq!(config.vm[1].cpus, None);

    let deploy = config.deploy.as_ref().unwrap();
    let release_vm = deploy.release_command_vm.as_ref().unwrap();
    assert_eq!((release_vm.size.as_deref(), release_vm.memory.as_deref()), (Some("performance-2x"), Some("8g")));
    assert_eq!(deploy.release_command_timeout, Some(GoDuration::from_secs(180)));
    assert_eq!(deploy.strategy.as_deref(), Some("rolling-eyes"), "any string loads; validation rejects it");
    assert_eq!(deploy.max_unavailable, Some(0.2));

    let build = config.build.as_ref().unwrap();
    assert_eq!(build.build_target.as_deref(), Some("target"));
    assert_eq!(build.settings["other"], json!(2.0));
    assert_eq!(config.restart[0].retries, Some(3));

    let http = config.http_service.as_ref().unwrap();
    assert_eq!((http.auto_stop_machines, http.auto_start_machines), (Some(AutoStop::Off), Some(false)));
    assert_eq!(http.checks[0].interval, secs(81));
    assert_eq!(http.tls_options.as_ref().unwrap().default_self_signed, Some(false));
    assert_eq!(http.http_options.as_ref().unwrap().idle_timeout, Some(600));
    assert_eq!(http.machine_checks.len(), 1);
    assert_eq!(config.machine_checks.len(), 1);
    assert_eq!(config.machine_checks[0].command, ["curl", "https://fly.io"]);

    let statics = &config.statics[0];
    assert_eq!(
        (statics.tigris_bucket.as_deref(), statics.index_document.as_deref()),
        (Some("example-bucket"), Some("index.html"))
    );
    assert_eq!(config.files.len(), 3);
    assert!(config.files[0].raw_value.is_some() && config.files[1].secret_name.is_some());
    assert_eq!(config.files[2].processes, ["web"]);
    let mount = &config.mounts[0];
    assert_eq!(
        (mount.initial_size.as_deref(), mount.snapshot_retention, mount.scheduled_snapshots),
        (Some("30gb"), Some(17), Some(true))
    );
    let status = &config.checks["status"];
    assert_eq!((status.kind.as_deref(), status.headers.len()), (Some("http"), 2));

    let service = &config.services[0];
    let port = &service.ports[0];
    assert_eq!(
        (port.port, port.start_port, port.end_port, port.force_https),
        (Some(80), Some(100), Some(200), Some(true))
    );
    assert_eq!(port.http_options.as_ref().unwrap().idle_timeout, Some(600));
    assert_eq!(service.tcp_checks.len(), 1);
    let paths: Vec<_> = service.http_checks.iter().map(|c| c.path.as_deref().unwrap()).collect();
    assert_eq!(paths, ["/", "/check2"], "http checks keep their order");
    assert_eq!(service.machine_checks.len(), 1);
}

// ---- processgroups_test.go -------------------------------------------------------------------------------------

#[test]
fn process_names_and_default_group() {
    let one = fixture("processes-one.toml").config;
    assert_eq!((one.process_names(), one.default_group()), (vec!["web".to_owned()], "web".to_owned()));
    let multi = fixture("processes-multi.toml").config;
    assert_eq!(
        (multi.process_names(), multi.default_group()),
        (vec!["bar".into(), "foo".into(), "zzz".into()], "bar".to_owned())
    );
    let with_app = fixture("processes-multiwithapp.toml").config;
    assert_eq!(with_app.process_names(), ["aaa", "abc", "app", "ass", "bbb"]);
    assert_eq!(with_app.default_group(), "app");
    // The orphan fixture: an empty [processes] table means the default group.
    let none = fixture("processes-none.toml").config;
    assert_eq!((none.process_names(), none.default_group()), (vec!["app".to_owned()], "app".to_owned()));
}

// ---- validation_test.go ----------------------------------------------------------------------------------------

fn messages(report: &Parsed, severity: Severity) -> Vec<String> {
    report.diagnostics.iter().filter(|d| d.severity == severity).map(|d| d.message.clone()).collect()
}

#[test]
fn canary_with_mounts_is_refused() {
    let source = support::read("flyctl-testdata/validate-groups.toml");
    // The Go test sets deploy.strategy = "canary" before validating.
    let source = format!("{source}\n[deploy]\nstrategy = \"canary\"\n");
    let report = validate(&source);
    let errors = messages(&report, Severity::Error);
    assert!(
        errors
            .iter()
            .any(|m| m.contains("error canary deployment strategy is not supported when using mounted volumes")),
        "{errors:?}"
    );
}

#[test]
fn mount_sizes_and_one_mount_per_group() {
    let report = validate(&support::read("flyctl-testdata/validate-mounts.toml"));
    let errors = messages(&report, Severity::Error);
    assert!(
        errors.iter().any(|m| m.contains("has an initial_size '15Mb' value which is smaller than 1GB")),
        "{errors:?}"
    );
    // flyctl reports this only when deploying with --process-groups; the Machines API rejects the config anyway.
    assert!(
        errors.iter().any(|m| m.contains("group 'app' has more than one [[mounts]] section defined")),
        "{errors:?}"
    );
}

#[test]
fn services_need_processes_and_ports() {
    let report = validate(&support::read("flyctl-testdata/validate-services.toml"));
    assert!(messages(&report, Severity::Error).iter().any(|m| m.contains("Service has no processes set")));
    assert!(messages(&report, Severity::Warning).iter().any(|m| m.contains("Service must expose at least one port")));
}

#[test]
fn full_reference_fails_only_where_flyctl_would() {
    let report = validate(&support::read("flyctl-testdata/full-reference.toml"));
    let codes: BTreeSet<&str> =
        report.diagnostics.iter().filter(|d| d.severity == Severity::Error).map(|d| d.code).collect();
    // "rolling-eyes" is not a strategy; the [[services]] has no processes while [processes] exists.
    assert!(codes.contains("deploy-strategy") && codes.contains("service-processes-missing"), "{codes:?}");
}

// ---- strict_validate_test.go -----------------------------------------------------------------------------------

/// `(section, key)` of every unknown-key warning, read back from the message.
fn unknown_keys(name: &str) -> BTreeSet<(String, String)> {
    let report = parse(&support::read(&format!("flyctl-testdata/inline-strict-validate/{name}")));
    report
        .diagnostics
        .iter()
        .filter(|d| d.code == "unknown-key")
        .map(|d| {
            let key = d.message.split('`').nth(1).unwrap().to_owned();
            let section =
                d.message.split_once(" in [").map_or("", |(_, rest)| rest.trim_end_matches("]; flyctl ignores it"));
            (section.to_owned(), key)
        })
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items.iter().map(|(s, k)| ((*s).to_owned(), (*k).to_owned())).collect()
}

#[test]
fn strict_validation_lists_unknown_sections_and_keys() {
    assert_eq!(unknown_keys("01-valid-config.toml"), pairs(&[]));
    assert_eq!(unknown_keys("02-unrecognized-top-level-section.toml"), pairs(&[("", "unknown_section")]));
    assert_eq!(unknown_keys("03-unrecognized-key-in-build.toml"), pairs(&[("build", "unknown_key")]));
    assert_eq!(
        unknown_keys("04-unrecognized-key-in-checks-value.toml"),
        pairs(&[("checks.health_check", "invalid_key")])
    );
    assert_eq!(
        unknown_keys("05-real-world-example.toml"),
        pairs(&[
            ("", "http_machine"),
            ("http_service.checks[0]", "processes"),
            ("checks.my_check_bla", "invalid_key"),
            ("deploy", "processes"),
            ("http_service.machine_checks[0]", "grace_period"),
            ("http_service.machine_checks[0]", "processes"),
            ("http_service.concurrency", "processes"),
            ("http_service.http_options", "xyz"),
        ])
    );
}
