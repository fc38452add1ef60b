//! fly.toml → machine config per process group: flyctl's machines_test.go expectations, ported. Our metadata
//! carries `fly_flightdeck_version` where flyctl writes `fly_flyctl_version`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed step is a failed test

mod support;

use flightdeck::config::{AppConfig, ConversionError, parse};
use flightdeck::machine::{Guest, MachineConfig};
use serde_json::{Value, json};

fn config(name: &str) -> AppConfig {
    let parsed = parse(&support::read(&format!("flyctl-testdata/{name}")));
    assert!(!parsed.has_errors(), "{name}: {:?}", parsed.diagnostics);
    parsed.config
}

fn to_json(machine: &MachineConfig) -> Value {
    serde_json::to_value(machine).unwrap()
}

fn metadata(group: &str) -> Value {
    json!({"fly_platform_version": "v2", "fly_process_group": group, "fly_flightdeck_version": flightdeck::VERSION})
}

#[test]
fn tomachine_builds_flyctls_config_for_the_default_group() {
    let machine = config("tomachine.toml").machine_config("app", None).unwrap();
    let want = json!({
        "env": {"FOO": "BAR", "PRIMARY_REGION": "mia", "FLY_PROCESS_GROUP": "app"},
        "services": [{
            "protocol": "tcp", "internal_port": 8080,
            "ports": [{"port": 80, "handlers": ["http"], "force_https": true}, {"port": 443, "handlers": ["http", "tls"]}]
        }],
        "metadata": metadata("app"),
        "metrics": {"port": 9999, "path": "/metrics"},
        "statics": [{"guest_path": "/guest/path", "url_prefix": "/url/prefix", "tigris_bucket": "example-bucket", "index_document": "index.html"}],
        "mounts": [{"name": "data", "path": "/data"}],
        "checks": {
            "listening": {"port": 8080, "type": "tcp"},
            "status": {"port": 8080, "type": "http", "interval": "10s", "timeout": "1s", "path": "/status"}
        },
        "stop_config": {"timeout": "10s", "signal": "SIGTERM"},
        "init": {"swap_size_mb": 512},
        "restart": {"policy": "always"},
        "dns": {"nameservers": ["1.2.3.4"]}
    });
    assert_eq!(to_json(&machine), want);
}

#[test]
fn tomachine_on_an_existing_machine_replaces_what_flytoml_owns_and_keeps_the_rest() {
    let config = config("tomachine.toml");
    let fresh = config.machine_config("app", None).unwrap();
    let existing: MachineConfig = serde_json::from_value(json!({
        "guest": {"cpu_kind": "", "cpus": 3, "memory_mb": 0},
        "schedule": "24/7", "auto_destroy": true,
        "restart": {"policy": "always"},
        "dns": {"skip_registration": true},
        "env": {"removed": "by-update"},
        "mounts": [{"name": "removed", "path": "/by/update"}],
        "metadata": {"retain": "propagated"},
        "init": {"cmd": ["removed", "by", "update"]},
        "standbys": ["148ed599c14189"]
    }))
    .unwrap();
    let updated = config.machine_config("app", Some(&existing)).unwrap();
    assert_eq!(updated.env, fresh.env);
    assert_eq!(updated.services, fresh.services);
    assert_eq!(updated.checks, fresh.checks);
    assert_eq!(updated.guest.as_ref().map(|g| g.cpus), Some(3), "no [[vm]]: the machine's guest stays");
    assert_eq!(updated.schedule.as_deref(), Some("24/7"));
    assert_eq!(updated.auto_destroy, Some(true));
    assert_eq!(updated.standbys, ["148ed599c14189"]);
    assert_eq!(updated.restart.as_ref().map(|r| r.policy.as_str()), Some("always"));
    let dns = updated.dns.as_ref().unwrap();
    assert_eq!((dns.skip_registration, dns.nameservers.as_slice()), (Some(true), ["1.2.3.4".to_owned()].as_slice()));
    assert_eq!(updated.metadata["retain"], "propagated");
    assert!(updated.init.cmd.is_empty(), "the old init.cmd is cleared");
    assert_eq!(updated.mounts.len(), 1);
    assert_eq!(updated.mounts[0].name, "data");
}

#[test]
fn release_command_machine() {
    let machine = config("tomachine.toml").release_machine_config(None).unwrap();
    let want = json!({
        "init": {"cmd": ["migrate-db"], "swap_size_mb": 512},
        "env": {"FOO": "BAR", "PRIMARY_REGION": "mia", "RELEASE_COMMAND": "1", "FLY_PROCESS_GROUP": "fly_app_release_command"},
        "metadata": metadata("fly_app_release_command"),
        "auto_destroy": true,
        "restart": {"policy": "no"},
        "dns": {"skip_registration": true},
        "stop_config": {"timeout": "10s", "signal": "SIGTERM"},
        "guest": {"cpu_kind": "performance", "cpus": 2, "memory_mb": 4096}
    });
    assert_eq!(to_json(&machine), want);
}

#[test]
fn release_command_guest_falls_back_to_the_reference_machine_then_shared_cpu_2x() {
    let config = parse("app = 'x'\n[deploy]\nrelease_command = 'bin/migrate --all'\n").config;
    let fallback = config.release_machine_config(None).unwrap();
    assert_eq!(fallback.init.cmd, ["bin/migrate", "--all"]);
    let guest = fallback.guest.unwrap();
    assert_eq!((guest.cpu_kind.as_str(), guest.cpus, guest.memory_mb), ("shared", 2, 512));
    let big = Guest { cpu_kind: "performance".into(), cpus: 2, memory_mb: 8192, ..Guest::default() };
    assert_eq!(config.release_machine_config(Some(&big)).unwrap().guest, Some(big));
    assert_eq!(parse("app = 'x'").config.release_machine_config(None), Err(ConversionError::NoReleaseCommand));
}

#[test]
fn console_machine() {
    let machine = config("tomachine.toml").console_machine_config();
    let want = json!({
        "init": {"exec": ["/bin/sleep", "inf"], "swap_size_mb": 512},
        "env": {"FOO": "BAR", "PRIMARY_REGION": "mia", "FLY_PROCESS_GROUP": "fly_app_console"},
        "metadata": metadata("fly_app_console"),
        "auto_destroy": true,
        "restart": {"policy": "no"},
        "dns": {"skip_registration": true}
    });
    assert_eq!(to_json(&machine), want);
}

#[test]
fn experimental_init_and_process_override() {
    let config = config("tomachine-experimental.toml");
    let init = config.machine_config("app", None).unwrap().init;
    assert!(!init.cmd.is_empty() && !init.entrypoint.is_empty() && !init.exec.is_empty(), "{init:?}");
    let mut overridden = config.clone();
    overridden.processes.insert("app".into(), "/override experimental".into());
    let init2 = overridden.machine_config("app", None).unwrap().init;
    assert_eq!(init2.cmd, ["/override", "experimental"]);
    assert_eq!((init2.entrypoint, init2.exec), (init.entrypoint, init.exec));
}

#[test]
fn multiple_process_groups() {
    let config = config("tomachine-processgroups.toml");
    let summary = |group: &str| {
        let machine = config.machine_config(group, None).unwrap();
        assert_eq!(machine.metadata["fly_process_group"], group);
        let services: Vec<(String, i64, usize)> =
            machine.services.iter().map(|s| (s.protocol.clone(), s.internal_port, s.ports.len())).collect();
        (machine.init.cmd, services, machine.checks.keys().cloned().collect::<Vec<_>>())
    };
    let s = |p: &str, port: i64, ports: usize| (p.to_owned(), port, ports);
    assert_eq!(
        summary("app"),
        (vec!["run-nginx".into()], vec![s("tcp", 8080, 2), s("tcp", 1111, 0)], vec!["listening".into()])
    );
    assert_eq!(summary("vpn"), (vec!["run-tailscale".into()], vec![s("udp", 9999, 0), s("tcp", 1111, 0)], vec![]));
    assert_eq!(
        summary("foo"),
        (vec!["keep".into(), "me".into(), "alive".into()], vec![s("tcp", 1111, 0)], vec!["listening".into()])
    );
}

#[test]
fn default_check_port_comes_from_http_service() {
    let mut config = config("tomachine-default-for-new-apps.toml");
    let machine = config.machine_config("app", None).unwrap();
    let alive = &machine.checks["alive"];
    assert_eq!(alive.port, Some(8080));
    assert_eq!(serde_json::to_value(alive).unwrap()["interval"], "15s");
    assert_eq!(machine.env.len(), 2);
    assert_eq!((machine.env["PRIMARY_REGION"].as_str(), machine.env["FLY_PROCESS_GROUP"].as_str()), ("ord", "app"));
    config.http_service = None;
    let error = config.machine_config("app", None).unwrap_err();
    assert!(error.to_string().contains("has no port set"), "{error}");
}

#[test]
fn mounts_follow_their_groups() {
    let config = config("tomachine-mounts.toml");
    let mounts = |group: &str| -> Vec<String> {
        config.machine_config(group, None).unwrap().mounts.iter().map(|m| format!("{}:{}", m.name, m.path)).collect()
    };
    assert_eq!(mounts("app"), ["data:/data"]);
    assert_eq!(mounts("back"), ["trash:/trash"]);
    assert!(mounts("hola").is_empty());
}

#[test]
fn services_autostart_and_autostop_distinguish_unset_from_false() {
    let services = config("tomachine-services.toml").machine_config("app", None).unwrap().services;
    let got: Vec<(Value, Value)> = services
        .iter()
        .map(|s| {
            let v = serde_json::to_value(s).unwrap();
            (v.get("autostart").cloned().unwrap_or(Value::Null), v.get("autostop").cloned().unwrap_or(Value::Null))
        })
        .collect();
    let want = vec![
        (json!(true), json!(true)),
        (json!(true), json!(true)),
        (json!(false), json!(false)),
        (json!(false), Value::Null),
        (Value::Null, json!(true)),
        (Value::Null, Value::Null),
    ];
    assert_eq!(got, want, "http_service, then 1000..1004; true = stop, false = off, null = unset");
}

fn guest(config: &AppConfig, group: &str) -> Option<Value> {
    config.machine_config(group, None).unwrap().guest.map(|g| serde_json::to_value(g).unwrap())
}

#[test]
fn compute_per_group() {
    let config = config("tomachine-compute.toml");
    let shared2 = json!({"cpu_kind": "shared", "cpus": 2, "memory_mb": 512});
    assert_eq!(guest(&config, "app"), Some(shared2.clone()));
    assert_eq!(guest(&config, "worker"), Some(shared2));
    assert_eq!(
        guest(&config, "whisper"),
        Some(json!({"cpu_kind": "performance", "cpus": 8, "memory_mb": 65536, "gpu_kind": "a100-pcie-40gb"}))
    );
    assert_eq!(
        guest(&config, "isolated"),
        Some(json!({"cpu_kind": "shared", "cpus": 1, "memory_mb": 256, "host_dedication_id": "lookma-iamsolo"}))
    );

    let none = self::config("tomachine-compute-nodefault.toml");
    assert_eq!(guest(&none, "app"), None);
    assert_eq!(guest(&none, "woo"), None);
    assert_eq!(guest(&none, "bar"), Some(json!({"cpu_kind": "performance", "cpus": 4, "memory_mb": 8192})));
}

#[test]
fn host_dedication_id_per_group() {
    let config = config("tomachine-hostdedicationid.toml");
    assert_eq!(guest(&config, "front"), None);
    assert_eq!(
        guest(&config, "back"),
        Some(json!({"cpu_kind": "shared", "cpus": 1, "memory_mb": 256, "host_dedication_id": "specific"}))
    );
    assert_eq!(
        guest(&config, "other"),
        Some(json!({"cpu_kind": "shared", "cpus": 4, "memory_mb": 1024, "host_dedication_id": "toplevel"}))
    );
}

#[test]
fn unknown_groups_and_bad_sizes_are_typed_errors() {
    let config = parse("app = 'x'\n[[vm]]\nsize = 'shared-cpu-3x'").config;
    assert_eq!(config.machine_config("web", None), Err(ConversionError::UnknownGroup("web".into())));
    assert_eq!(config.machine_config("app", None), Err(ConversionError::VmSize("shared-cpu-3x".into())));
    let zero = parse("[[vm]]\nmemory = '0'").config;
    assert_eq!(zero.machine_config("app", None), Err(ConversionError::ZeroMemory));
}

#[test]
fn files_are_base64_encoded_per_group_and_local_paths_are_left_to_the_caller() {
    let parsed = parse(
        "[processes]\nweb = 'w'\nworker = 'k'\n[[files]]\nguest_path = '/a'\nraw_value = \"hello world\\n\"\nprocesses = ['web']\n\
         [[files]]\nguest_path = '/b'\nlocal_path = 'conf/b.yaml'\nprocesses = ['worker']\n",
    );
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let config = parsed.config;
    let web = config.machine_config("web", None).unwrap().files;
    assert_eq!(serde_json::to_value(&web).unwrap(), json!([{"guest_path": "/a", "raw_value": "aGVsbG8gd29ybGQK"}]));
    let worker = config.machine_config("worker", None).unwrap().files;
    assert_eq!(serde_json::to_value(&worker).unwrap(), json!([{"guest_path": "/b", "local_path": "conf/b.yaml"}]));
}

#[test]
fn test_machine_for_an_http_service_machine_check() {
    let config = config("tomachine-machinechecks.toml");
    let check = &config.http_service.as_ref().unwrap().machine_checks[0];
    let machine = config.test_machine_config(check, None).unwrap();
    let want = json!({
        "init": {"cmd": ["curl", "https://fly.io"], "swap_size_mb": 512, "entrypoint": ["/bin/sh"]},
        "image": "curlimages/curl",
        "env": {"PRIMARY_REGION": "mia", "FLY_TEST_COMMAND": "1", "FLY_PROCESS_GROUP": "fly_app_test_machine_command", "FLY_TEST_MACHINE_IP": ""},
        "metadata": metadata("fly_app_test_machine_command"),
        "auto_destroy": true,
        "restart": {"policy": "no"},
        "dns": {"skip_registration": true},
        "stop_config": {}
    });
    assert_eq!(to_json(&machine), want);
}

#[test]
fn test_machine_takes_image_env_and_ip_from_the_tested_machine() {
    use flightdeck::config::{ConversionError, ServiceMachineCheck, TestedMachine};
    let config =
        parse("app = 'x'\nprimary_region = 'mia'\nkill_signal = 'SIGTERM'\nkill_timeout = '10s'\n[env]\nFOO = 'bar'")
            .config;
    let tested: MachineConfig = serde_json::from_value(json!({"image": "nginx", "env": {"BAR": "BAZ"}})).unwrap();
    let tested = TestedMachine { config: &tested, private_ip: "1.2.3.4" };
    let check = ServiceMachineCheck { command: vec!["curl".into(), "https://fly.io".into()], ..Default::default() };
    let machine = config.test_machine_config(&check, Some(tested)).unwrap();
    assert_eq!(machine.image, "nginx");
    assert_eq!(
        (machine.env["FOO"].as_str(), machine.env["BAR"].as_str(), machine.env["FLY_TEST_MACHINE_IP"].as_str()),
        ("bar", "BAZ", "1.2.3.4")
    );
    let stop = machine.stop_config.unwrap();
    assert_eq!(stop.signal.as_deref(), Some("SIGTERM"), "no image of its own: the app's kill settings apply");
    let with_image = ServiceMachineCheck { image: Some("curlimages/curl".into()), ..check.clone() };
    let stop = config.test_machine_config(&with_image, Some(tested)).unwrap().stop_config.unwrap();
    assert_eq!((stop.signal, stop.timeout), (None, None), "its own image: only its own kill settings");
    assert_eq!(config.test_machine_config(&check, None), Err(ConversionError::TestMachineImage));
    assert_eq!(
        config.test_machine_config(&ServiceMachineCheck::default(), Some(tested)),
        Err(ConversionError::TestMachineCommand)
    );
}
