//! Each validation rule, one small fly.toml that breaks it: the expected code and severity, and nothing else at
//! error level. The rules flyctl's own fixtures cover are tested in config_flyctl.rs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed step is a failed test

use flightdeck::config::validate;
use flightdeck::diagnostics::Severity::{self, Error, Info, Warning};

const HTTP: &str = "[http_service]\ninternal_port = 8080\n";

fn findings(source: &str) -> Vec<(&'static str, Severity)> {
    validate(source).diagnostics.iter().map(|d| (d.code, d.severity)).collect()
}

#[test]
fn every_rule_fires_on_its_own_input() {
    let cases: &[(&str, String, &str, Severity)] = &[
        ("unknown region", "primary_region = 'xyz'".into(), "region-unknown", Warning),
        ("retired region", "primary_region = 'sea'".into(), "region-deprecated", Warning),
        ("kill signal", "kill_signal = 'SIGFOO'".into(), "kill-signal", Warning),
        ("kill timeout", "kill_timeout = '10m'".into(), "kill-timeout-too-long", Warning),
        ("console command", "console_command = 'bash -c \"unterminated'".into(), "console-command-unsplittable", Error),
        ("release command", "[deploy]\nrelease_command = \"it's\"".into(), "release-command-unsplittable", Error),
        ("process command", "[processes]\napp = 'run \"x'".into(), "process-command-unsplittable", Error),
        ("reserved group", "[processes]\nfly_app_console = 'x'".into(), "reserved-group", Error),
        ("build strategies", "[build]\nimage = 'x'\ndockerfile = 'Dockerfile'".into(), "multiple-build-strategies", Warning),
        ("compression", "[build]\ncompression = 'lz4'".into(), "build-compression", Error),
        ("compression level", "[build]\ncompression_level = 12".into(), "build-compression-level", Error),
        ("bluegreen without checks", format!("[deploy]\nstrategy = 'bluegreen'\n{HTTP}"), "bluegreen-without-checks", Error),
        ("bluegreen with mounts", format!("[deploy]\nstrategy = 'bluegreen'\n{HTTP}[[http_service.checks]]\npath = '/'\n[mounts]\nsource = 'd'\ndestination = '/d'"), "bluegreen-with-mounts", Error),
        ("max_unavailable ignored", "[deploy]\nstrategy = 'immediate'\nmax_unavailable = 2".into(), "max-unavailable-ignored", Warning),
        ("max_unavailable zero", "[deploy]\nmax_unavailable = 0".into(), "invalid-value", Error),
        ("internal port", "[http_service]\ninternal_port = 70000".into(), "port-out-of-range", Error),
        ("missing internal port", "[http_service]\nforce_https = true".into(), "internal-port-missing", Warning),
        ("autostop without autostart", "[http_service]\ninternal_port = 8080\nauto_stop_machines = 'stop'\nauto_start_machines = false".into(), "autostop-without-autostart", Warning),
        ("min machines without autostop", "[http_service]\ninternal_port = 8080\nauto_stop_machines = 'off'\nmin_machines_running = 2".into(), "min-machines-without-autostop", Warning),
        ("auto stop 'on'", "[http_service]\ninternal_port = 8080\nauto_stop_machines = 'on'".into(), "invalid-value", Error),
        ("legacy auto stop bool", "[http_service]\ninternal_port = 8080\nauto_stop_machines = true".into(), "legacy-auto-stop", Info),
        ("service protocol", "[[services]]\nprotocol = 'http'\ninternal_port = 80\n[[services.ports]]\nport = 80".into(), "service-protocol", Error),
        ("port missing", "[[services]]\ninternal_port = 80\n[[services.ports]]\nhandlers = ['http']".into(), "port-missing", Error),
        ("port range reversed", "[[services]]\ninternal_port = 80\n[[services.ports]]\nstart_port = 90\nend_port = 80".into(), "port-range-reversed", Error),
        ("port range incomplete", "[[services]]\ninternal_port = 80\n[[services.ports]]\nstart_port = 90".into(), "port-range-incomplete", Error),
        ("force https without http", "[[services]]\ninternal_port = 80\n[[services.ports]]\nport = 443\nhandlers = ['tls']\nforce_https = true".into(), "force-https-without-http", Error),
        ("service check too fast", "[[services]]\ninternal_port = 80\n[[services.ports]]\nport = 80\n[[services.tcp_checks]]\ninterval = '500ms'".into(), "check-duration-raised", Warning),
        ("service check too slow", "[[services]]\ninternal_port = 80\n[[services.ports]]\nport = 80\n[[services.tcp_checks]]\ntimeout = '2m'".into(), "check-duration-lowered", Warning),
        ("duplicate service", format!("{HTTP}[[services]]\ninternal_port = 8080\n[[services.ports]]\nport = 81"), "duplicate-service", Warning),
        ("check type", "[checks.a]\nport = 80".into(), "check-type", Error),
        ("check interval", "[checks.a]\ntype = 'tcp'\nport = 80\ninterval = '1s'".into(), "check-interval-too-short", Error),
        ("check timeout", "[checks.a]\ntype = 'tcp'\nport = 80\ntimeout = '61s'".into(), "check-timeout-too-long", Error),
        ("check without port", "[checks.a]\ntype = 'tcp'".into(), "check-without-port", Error),
        ("mount source", "[mounts]\ndestination = '/d'".into(), "mount-source-missing", Error),
        ("mount destination", "[mounts]\nsource = 'd'\ndestination = 'data'".into(), "mount-destination-relative", Error),
        ("mount size", "[mounts]\nsource = 'd'\ndestination = '/d'\ninitial_size = 'big'".into(), "mount-initial-size", Error),
        ("snapshot retention", "[mounts]\nsource = 'd'\ndestination = '/d'\nsnapshot_retention = 90".into(), "mount-snapshot-retention", Error),
        ("auto extend alone", "[mounts]\nsource = 'd'\ndestination = '/d'\nauto_extend_size_threshold = 80".into(), "mount-auto-extend-incomplete", Error),
        ("auto extend limit", "[mounts]\nsource = 'd'\ndestination = '/d'\nauto_extend_size_threshold = 80\nauto_extend_size_increment = '1gb'\nauto_extend_size_limit = '900gb'".into(), "mount-auto-extend-limit", Error),
        ("vm size", "[[vm]]\nsize = 'huge'".into(), "vm-size", Error),
        ("vm memory zero", "[[vm]]\nmemory = '0'".into(), "vm-memory", Error),
        ("vm memory limits", "[[vm]]\nsize = 'shared-cpu-1x'\nmemory = '4gb'".into(), "vm-guest", Error),
        ("vm cpus", "[[vm]]\ncpu_kind = 'shared'\ncpus = 3".into(), "vm-guest", Error),
        ("two global vms", "[[vm]]\nsize = 'shared-cpu-1x'\n[[vm]]\nsize = 'shared-cpu-2x'".into(), "vm-duplicate", Warning),
        ("restart policy", "[[restart]]\npolicy = 'sometimes'".into(), "restart-policy", Error),
        ("restart without policy", "[[restart]]\nretries = 3".into(), "restart-policy", Error),
        ("restart process", "[[restart]]\npolicy = 'always'\nprocesses = ['web']".into(), "unknown-process", Error),
        ("file source", "[[files]]\nguest_path = '/a'".into(), "file-source", Error),
        ("file two sources", "[[files]]\nguest_path = '/a'\nraw_value = 'x'\nsecret_name = 'S'".into(), "file-source", Error),
        ("file path", "[[files]]\nguest_path = 'a'\nraw_value = 'x'".into(), "file-guest-path", Error),
        ("statics prefix", "[[statics]]\nguest_path = '/p'".into(), "statics-url-prefix", Error),
        ("unknown vm group", "[[vm]]\nsize = 'shared-cpu-1x'\nprocesses = ['web']".into(), "unknown-process", Warning),
        ("FLY_ env", "[env]\nFLY_REGION = 'x'".into(), "env-fly-prefix", Warning),
        ("setting below [env]", "[env]\nLOG = 'x'\nkill_signal = 'SIGINT'".into(), "setting-in-table", Warning),
        ("setting below [processes]", "[processes]\nweb = 'run'\nprimary_region = 'syd'".into(), "setting-in-table", Warning),
        ("duration syntax", "kill_timeout = 'ten seconds'".into(), "invalid-duration", Error),
        ("wrong type", "swap_size_mb = 'lots'".into(), "invalid-type", Error),
        ("unknown key", "[http_service]\ninternal_port = 8080\ninternal_prot = 1".into(), "unknown-key", Warning),
        ("bare deploy duration", "[deploy]\nwait_timeout = 300".into(), "bare-number-duration", Warning),
        ("syntax", "[http_service\n".into(), "toml-syntax", Error),
    ];
    for (name, source, code, severity) in cases {
        let found = findings(source);
        assert!(found.contains(&(code, *severity)), "{name}: expected {code} ({severity:?}) in {found:?}\n{source}");
        // Errors of the same family may come together (flyctl reports a lone auto-extend threshold twice).
        fn family(code: &str) -> Vec<&str> {
            code.splitn(3, '-').take(2).collect()
        }
        let other_errors: Vec<_> = found.iter().filter(|(c, s)| *s == Error && family(c) != family(code)).collect();
        assert!(other_errors.is_empty(), "{name}: unexpected errors {other_errors:?}\n{source}");
    }
}

#[test]
fn a_clean_config_has_no_findings() {
    let source = "app = 'shop'\nprimary_region = 'ord'\nkill_signal = 'SIGINT'\nkill_timeout = '30s'\n\
        [deploy]\nstrategy = 'bluegreen'\n\
        [http_service]\ninternal_port = 8080\nforce_https = true\nauto_stop_machines = 'stop'\nauto_start_machines = true\nmin_machines_running = 1\n\
        [[http_service.checks]]\ninterval = '15s'\ntimeout = '2s'\npath = '/health'\n\
        [[vm]]\nsize = 'shared-cpu-2x'\nmemory = '1gb'\n";
    assert_eq!(findings(source), []);
}

/// A key unknown where it is written but known elsewhere says where it belongs (did-you-mean comes first).
#[test]
fn misplaced_keys_say_where_they_belong() {
    let help = |source: &str, code: &str| -> String {
        let report = validate(source);
        let found = report.diagnostics.iter().find(|d| d.code == code);
        found.and_then(|d| d.help.clone()).unwrap_or_else(|| panic!("no {code} with help in {:?}", report.diagnostics))
    };
    let below_vm = help("[[vm]]\nsize = 'shared-cpu-1x'\nkill_signal = 'SIGTERM'\n", "unknown-key");
    assert!(below_vm.contains("`kill_signal` is a top-level key") && below_vm.contains("`[[vm]]`"), "{below_vm}");
    let table_under_vm =
        help("[[vm]]\nsize = 'shared-cpu-1x'\n[[vm.mounts]]\nsource = 'd'\ndestination = '/d'\n", "unknown-key");
    assert!(table_under_vm.contains("`mounts` is a top-level table, not part of `[[vm]]`"), "{table_under_vm}");
    let in_service =
        help("[[services]]\ninternal_port = 80\nforce_https = true\n[[services.ports]]\nport = 80\n", "unknown-key");
    assert_eq!(in_service, "`force_https` belongs in the service's `[[services.ports]]`");
    let below_http = help("[http_service]\ninternal_port = 8080\nprimary_region = 'syd'\n", "unknown-key");
    assert!(below_http.contains("after the `[http_service]` header"), "{below_http}");
    let env = help("[env]\nkill_timeout = '5s'\n", "setting-in-table");
    assert!(env.contains("after `[env]`"), "{env}");
    // A close key in the same table wins: a typo is likelier than a misplaced line.
    assert_eq!(
        help("[http_service]\ninternal_port = 8080\nforce_http = true\n", "unknown-key"),
        "did you mean `force_https`?"
    );
}
