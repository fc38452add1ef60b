//! Golden snapshots of plans: each scenario's plan, as `Plan::describe` prints it (phases, pools, actions and each
//! update's changes), is compared with `tests/golden/<scenario>.txt`. Run with `BLESS=1` to rewrite the files after
//! a deliberate change, and review the diff.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed step is a failed test

use flightdeck::api::{Machine, MachineState, Volume};
use flightdeck::config::{AppConfig, parse};
use flightdeck::plan::{self, DeployInput, DeployOptions, Strategy};

const OLD: &str = r#"
app = "shop"
primary_region = "syd"
[build]
image = "registry.fly.io/shop:v1"
[deploy]
release_command = "bin/migrate"
[env]
LOG = "info"
[processes]
web = "bin/web"
worker = "bin/worker"
[http_service]
internal_port = 8080
processes = ["web"]
[[http_service.checks]]
grace_period = "5s"
path = "/health"
"#;

fn config(text: &str) -> AppConfig {
    let parsed = parse(text);
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    parsed.config
}

/// A machine of `group` as a deploy of `OLD` left it.
fn machine(n: usize, group: &str, region: &str, state: MachineState) -> Machine {
    let mut config = config(OLD).machine_config(group, None).unwrap();
    config.image = "registry.fly.io/shop:v1".into();
    config.metadata.insert("fly_flightdeck_version".into(), "0.0.1".into());
    Machine {
        id: format!("{n:014x}"),
        name: format!("{group}-{n}"),
        state,
        region: region.into(),
        config: Some(config),
        ..Machine::default()
    }
}

fn app_machines() -> Vec<Machine> {
    let mut machines = Vec::new();
    for n in 0..8 {
        machines.push(machine(n + 1, "web", if n % 2 == 0 { "syd" } else { "fra" }, MachineState::Started));
    }
    machines.push(machine(9, "web", "syd", MachineState::Stopped));
    machines.push(machine(10, "web", "fra", MachineState::Suspended));
    machines.push(machine(11, "worker", "syd", MachineState::Started));
    machines
}

fn check(name: &str, plan: &plan::Plan) {
    let text = plan.describe();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{name}.txt"));
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("no golden file {}: run with BLESS=1", path.display()));
    assert_eq!(text, expected, "plan {name} changed; if on purpose, rerun with BLESS=1 and review the diff");
}

fn deploy(text: &str, machines: &[Machine], volumes: &[Volume], options: &DeployOptions) -> plan::Plan {
    let config = config(text);
    let input = DeployInput { app: "shop", config: &config, machines, volumes, app_deployed: !machines.is_empty() };
    plan::plan_deploy(&input, options).unwrap()
}

#[test]
fn first_deploy() {
    check("first_deploy", &deploy(OLD, &[], &[], &DeployOptions::default()));
}

#[test]
fn rolling_update_of_env_and_image() {
    let new = OLD.replace("shop:v1", "shop:v2").replace("LOG = \"info\"", "LOG = \"debug\"");
    check("rolling", &deploy(&new, &app_machines(), &[], &DeployOptions::default()));
}

#[test]
fn immediate_with_stopped_machines_started() {
    let new = OLD.replace("shop:v1", "shop:v2");
    let options = DeployOptions {
        strategy: Some(Strategy::Immediate),
        start_stopped: true,
        skip_release_command: true,
        ..DeployOptions::default()
    };
    check("immediate", &deploy(&new, &app_machines(), &[], &options));
}

#[test]
fn canary_and_bluegreen() {
    let new = OLD.replace("shop:v1", "shop:v2");
    let machines = &app_machines()[..3];
    let canary =
        DeployOptions { strategy: Some(Strategy::Canary), skip_release_command: true, ..DeployOptions::default() };
    check("canary", &deploy(&new, machines, &[], &canary));
    let bluegreen =
        DeployOptions { strategy: Some(Strategy::Bluegreen), skip_release_command: true, ..DeployOptions::default() };
    check("bluegreen", &deploy(&new, machines, &[], &bluegreen));
}

#[test]
fn process_groups_removed_and_added() {
    let new = OLD.replace("worker = \"bin/worker\"", "jobs = \"bin/jobs\"\nmail = \"bin/mail\"");
    check(
        "groups_changed",
        &deploy(&new, &app_machines(), &[], &DeployOptions { skip_release_command: true, ..DeployOptions::default() }),
    );
}

#[test]
fn a_mount_added_replaces_machines_on_free_or_new_volumes() {
    let new = format!("{OLD}\n[[mounts]]\nsource = 'data'\ndestination = '/data'\nprocesses = ['worker']\n");
    let free = Volume {
        id: "vol_free0000000000001".into(),
        name: "data".into(),
        region: "syd".into(),
        size_gb: 3,
        state: "created".into(),
        ..Volume::default()
    };
    check(
        "mount_added",
        &deploy(
            &new,
            &app_machines(),
            &[free],
            &DeployOptions { skip_release_command: true, ..DeployOptions::default() },
        ),
    );
}

#[test]
fn scale_counts_balanced_across_regions_idle_first() {
    let config = config(OLD);
    let counts = plan::parse_counts(&["web=6", "worker=3"], "web").unwrap();
    let options =
        plan::ScaleCountOptions { regions: vec!["syd".into(), "fra".into(), "iad".into()], ..Default::default() };
    check("scale_count", &plan::plan_scale_count("shop", &config, &app_machines(), &[], &counts, &options).unwrap());
    let vm = plan::ScaleVmOptions {
        size: Some("shared-cpu-2x".into()),
        memory_mb: Some(1024),
        group: Some("worker".into()),
    };
    check("scale_vm", &plan::plan_scale_vm("shop", &config, &app_machines(), &vm).unwrap());
}

#[test]
fn scale_grid_sets_each_region_and_leaves_unlisted_regions_alone() {
    // The seed's ask: 4 in iad, 2 in fra, 1 in syd, 1 in gru — from 5 web machines in syd and 5 in fra.
    let config = config(OLD);
    let mut desired = plan::DesiredCounts::new();
    desired.insert("web".into(), [("iad", 4), ("fra", 2), ("syd", 1), ("gru", 1)].map(|(r, n)| (r.into(), n)).into());
    desired.insert("worker".into(), [("fra".into(), 1)].into());
    let plan = plan::plan_scale_regions("shop", &config, &app_machines(), &[], &desired, &Default::default()).unwrap();
    assert_eq!(plan.expected_counts.get("web"), Some(&8));
    // The worker in syd is not in the grid's fra cell: it stays, and one more runs in fra.
    assert_eq!(plan.expected_counts.get("worker"), Some(&2));
    check("scale_regions", &plan);
    desired.insert("nope".into(), [("fra".into(), 1)].into());
    assert!(matches!(
        plan::plan_scale_regions("shop", &config, &app_machines(), &[], &desired, &Default::default()),
        Err(plan::PlanError::UnknownGroup { .. })
    ));
}

#[test]
fn restarts_and_secrets() {
    check("restart", &plan::plan_app_restart("shop", &app_machines()));
    check("secrets", &plan::plan_secrets_deploy("shop", &app_machines()[8..], 7, &DeployOptions::default()));
}

#[test]
fn machine_commands_on_several_machines() {
    use plan::MachineCommand;
    let machines = app_machines();
    // By id and by name, one machine named twice, one after another.
    let stop = MachineCommand::Stop { signal: Some("sigterm".into()) };
    let plan = plan::plan_machines_command("shop", &machines, &["00000000000001", "web-2", "web-1"], &stop).unwrap();
    check("machines_stop", &plan);
    assert_eq!(plan.actions().count(), 2, "web-1 is 00000000000001: stopped once");
    assert!(plan.phases.iter().flat_map(|p| &p.pools).all(|pool| pool.concurrency == 1));
    // Remove: a started machine needs force, and then nothing at all is planned; with force both go and the
    // expected count of web drops by two.
    let ids = ["00000000000009", "00000000000001"];
    let refused = plan::plan_machines_command("shop", &machines, &ids, &MachineCommand::Remove { force: false });
    assert!(matches!(refused, Err(plan::PlanError::StartedMachine(id)) if id == "00000000000001"));
    let removed =
        plan::plan_machines_command("shop", &machines, &ids, &MachineCommand::Remove { force: true }).unwrap();
    assert_eq!(removed.actions().count(), 2);
    let before = plan::plan_stop("shop", &machines, "web-1", None).unwrap().expected_counts["web"];
    assert_eq!(removed.expected_counts["web"], before - 2);
    // A signal is sent as flyctl sends it, upper case.
    let stop = plan::plan_stop("shop", &machines, "web-1", Some("sigterm")).unwrap();
    assert!(serde_json::to_string(&stop).unwrap().contains(r#""signal":"SIGTERM""#));
    // A restart needs started machines; an unknown one and an empty list are refused.
    let restart = plan::plan_machines_command("shop", &machines, &["web-1", "web-9"], &MachineCommand::Restart);
    assert!(restart.unwrap_err().to_string().contains("only a started machine restarts"));
    assert!(plan::plan_machines_command("shop", &machines, &["nope"], &MachineCommand::Start).is_err());
    assert!(plan::plan_machines_command("shop", &machines, &[], &MachineCommand::Start).is_err());
}
