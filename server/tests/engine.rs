//! The deploy and scale engine against the emulator over real HTTP: every strategy, process-group changes, the
//! release command, failing checks and starts, leases held by someone else, scale across regions, restarts,
//! secrets, machine commands, drift — each followed by the invariants: no lease left, no unplanned destroy, no
//! volume lost, and a second run converges (plans nothing). The emulator runs 200× faster than real time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed step is a failed test

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use flightdeck::api::{
    AuthToken, CreateAppRequest, CreateVolumeRequest, Machine, MachineFilter, MachineState, MachinesClient,
    NativeTransport,
};
use flightdeck::config::{AppConfig, parse};
use flightdeck::engine::{self, AppSnapshot, Cancel, EngineOptions, Event, Failure, Outcome, Report, RunError};
use flightdeck::plan::{self, DeployOptions, Plan, Strategy, group_of, is_managed};
use flightdeck_server::ServerOptions;
use flightdeck_server::emulator::Emulator;

type Client = MachinesClient<NativeTransport>;

struct Harness {
    emulator: Emulator,
    base: String,
    api: Client,
}

async fn harness() -> Harness {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let options = ServerOptions { speed: 200.0, ..ServerOptions::default() };
    let emulator = Emulator::new(None).unwrap().with_speed(options.speed);
    let app = flightdeck_server::router(emulator.clone(), &options);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let api =
        MachinesClient::new(&base, AuthToken::new(emulator.dev_token()).unwrap(), NativeTransport::new()).unwrap();
    api.create_app(&CreateAppRequest { name: "shop".into(), org_slug: "personal".into(), ..Default::default() })
        .await
        .unwrap();
    Harness { emulator, base, api }
}

fn engine_options() -> EngineOptions {
    EngineOptions {
        smoke_window: Duration::from_millis(100),
        poll_interval: Duration::from_millis(20),
        lease_refresh: Some(Duration::from_millis(300)),
        ..EngineOptions::default()
    }
}

const SHOP: &str = r#"
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
grace_period = "1s"
interval = "5s"
timeout = "2s"
path = "/health"
"#;

fn config(text: &str) -> AppConfig {
    let parsed = parse(text);
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    parsed.config
}

impl Harness {
    async fn snapshot(&self) -> AppSnapshot {
        AppSnapshot::read(&self.api, "shop").await.unwrap()
    }

    async fn plan_deploy(&self, text: &str, options: &DeployOptions) -> Plan {
        let config = config(text);
        let snapshot = self.snapshot().await;
        plan::plan_deploy(&snapshot.deploy_input("shop", &config), options).unwrap()
    }

    async fn run(&self, plan: &Plan) -> (Result<Report, Failure>, Vec<Event>) {
        let events = Mutex::new(Vec::new());
        let sink = |event: Event| events.lock().unwrap().push(event);
        let result = engine::run(&self.api, plan, &engine_options(), &sink, &Cancel::default()).await;
        (result, events.into_inner().unwrap())
    }

    async fn deploy(&self, text: &str, options: &DeployOptions) -> (Result<Report, Failure>, Vec<Event>) {
        let plan = self.plan_deploy(text, options).await;
        self.run(&plan).await
    }

    async fn machines(&self) -> Vec<Machine> {
        self.api.list_machines("shop", &MachineFilter::default()).await.unwrap()
    }

    async fn counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for machine in self.machines().await.iter().filter(|m| is_managed(m)) {
            *counts.entry(group_of(machine).to_owned()).or_default() += 1;
        }
        counts
    }

    async fn set_faults(&self, faults: serde_json::Value) {
        let response = reqwest::Client::new()
            .put(format!("{}/__emulator/faults", self.base))
            .header("authorization", format!("Bearer {}", self.emulator.dev_token()))
            .json(&faults)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }

    /// Invariants after any run: no lease left held, and a plan of the same config now changes nothing.
    async fn assert_settled(&self, text: &str) {
        assert_eq!(self.emulator.counters().leases_held, 0, "a lease was left held");
        let again =
            self.plan_deploy(text, &DeployOptions { skip_release_command: true, ..DeployOptions::default() }).await;
        assert!(again.is_empty(), "a second deploy should converge, but plans:\n{}", again.describe());
    }
}

fn lines(events: &[Event]) -> Vec<String> {
    events.iter().filter_map(Event::line).collect()
}

fn ok(result: Result<Report, Failure>, events: &[Event]) -> Report {
    match result {
        Ok(report) => report,
        Err(failure) => panic!("run failed: {}\n{}", failure.error, lines(events).join("\n")),
    }
}

#[tokio::test]
async fn a_first_deploy_runs_the_release_command_and_creates_each_groups_machines() {
    let h = harness().await;
    let plan = h.plan_deploy(SHOP, &DeployOptions::default()).await;
    let text = plan.describe();
    assert!(text.contains("run release_command `bin/migrate`"), "{text}");
    assert!(text.contains("create a second machine for high availability in group web, region syd"), "{text}");
    assert!(text.contains("create a standby machine in group worker"), "{text}");

    let (result, events) = h.run(&plan).await;
    let report = ok(result, &events);
    assert_eq!(h.counts().await, BTreeMap::from([("web".to_owned(), 2), ("worker".to_owned(), 2)]));
    let machines = h.machines().await;
    let standby = machines.iter().find(|m| m.config.as_ref().is_some_and(|c| !c.standbys.is_empty())).unwrap();
    assert_eq!(standby.state, MachineState::Created, "a standby is created without starting");
    assert_eq!(standby.config.as_ref().unwrap().standbys, [report.created["new:worker:1"].clone()]);
    assert!(machines.iter().all(|m| m.region == "syd"));
    let printed = lines(&events);
    // flyctl's lines: the command announced as progress (not a warning), its success said once.
    assert!(printed.contains(&"  Running shop release_command: bin/migrate".to_owned()), "{printed:#?}");
    assert!(!events.iter().any(|e| matches!(e, Event::Warning { .. })), "{printed:#?}");
    assert_eq!(
        printed.iter().filter(|l| l.contains("release_command") && l.starts_with('✔')).count(),
        1,
        "{printed:#?}"
    );
    assert!(
        printed.iter().any(|l| l.starts_with("✔ release_command ") && l.ends_with("completed successfully")),
        "{printed:#?}"
    );
    assert!(printed.iter().any(|l| l.contains("[web] update finished: success")), "{printed:#?}");
    // The release-command machine is gone once it succeeded.
    let all = h
        .api
        .list_machines("shop", &MachineFilter { include_deleted: true, ..MachineFilter::default() })
        .await
        .unwrap();
    let release = all.iter().find(|m| group_of(m) == "fly_app_release_command").unwrap();
    assert!(release.state.is_gone(), "{:?}", release.state);
    h.assert_settled(SHOP).await;
}

#[tokio::test]
async fn a_rolling_deploy_updates_every_machine_and_leaves_stopped_ones_stopped() {
    let h = harness().await;
    ok_run(&h, SHOP).await;
    let before = h.machines().await;
    let changed = SHOP.replace("LOG = \"info\"", "LOG = \"debug\"");
    let plan = h.plan_deploy(&changed, &DeployOptions::default()).await;
    let updates = plan.actions().filter(|a| matches!(a, plan::Action::Update { .. })).count();
    assert_eq!(updates, 4);
    if let Some(plan::Action::Update { changes, .. }) =
        plan.actions().find(|a| matches!(a, plan::Action::Update { .. }))
    {
        assert_eq!(changes.iter().map(ToString::to_string).collect::<Vec<_>>(), ["~ env.LOG: \"info\" → \"debug\""]);
    }
    let (result, events) = h.run(&plan).await;
    ok(result, &events);
    let after = h.machines().await;
    for machine in &after {
        let old = before.iter().find(|m| m.id == machine.id).expect("no machine was replaced");
        assert_ne!(old.current_version(), machine.current_version());
        assert_eq!(machine.config.as_ref().unwrap().env["LOG"], "debug");
        assert_eq!(machine.state, old.state, "{}: started stays started, the standby stays stopped", machine.id);
    }
    h.assert_settled(&changed).await;
}

async fn ok_run(h: &Harness, text: &str) -> Report {
    let (result, events) = h.deploy(text, &DeployOptions::default()).await;
    ok(result, &events)
}

#[tokio::test]
async fn a_failing_release_command_stops_the_deploy_and_keeps_its_machine() {
    let h = harness().await;
    ok_run(&h, SHOP).await;
    h.set_faults(serde_json::json!({ "exit_codes": { "shop/fly_app_release_command": 3 } })).await;
    let changed = SHOP.replace("shop:v1", "shop:v2");
    let (result, events) = h.deploy(&changed, &DeployOptions::default()).await;
    let failure = result.unwrap_err();
    let RunError::ReleaseCommand { machine, exit_code: 3 } = &failure.error else { panic!("{:?}", failure.error) };
    let kept = h.api.get_machine("shop", machine).await.unwrap();
    assert_eq!(kept.state, MachineState::Stopped, "kept for debugging");
    assert!(
        h.machines().await.iter().filter(|m| is_managed(m)).all(|m| m.config.as_ref().unwrap().image.ends_with(":v1"))
    );
    assert!(lines(&events).iter().any(|l| l.contains("failed running on machine") && l.contains("exit code 3")));
    assert!(failure.report.outcomes.iter().filter(|o| o.verb == "update").all(|o| o.outcome == Outcome::Canceled));
    assert_eq!(h.emulator.counters().leases_held, 0);

    // Fixed: the next deploy destroys the leftover release machine and goes through.
    h.set_faults(serde_json::json!({})).await;
    let (result, events) = h.deploy(&changed, &DeployOptions::default()).await;
    ok(result, &events);
    assert!(h.api.get_machine("shop", machine).await.unwrap().state.is_gone());
    h.assert_settled(&changed).await;
}

#[tokio::test]
async fn failing_health_checks_fail_the_deploy_after_the_wait_timeout_and_cancel_the_rest() {
    let h = harness().await;
    let single =
        SHOP.replace("[processes]\nweb = \"bin/web\"\nworker = \"bin/worker\"\n", "[processes]\nweb = \"bin/web\"\n");
    ok_run(&h, &single).await;
    let scale = plan::plan_scale_count(
        "shop",
        &config(&single),
        &h.machines().await,
        &[],
        &plan::parse_counts(&["web=4"], "web").unwrap(),
        &plan::ScaleCountOptions::default(),
    )
    .unwrap();
    ok(h.run(&scale).await.0, &[]);
    h.set_faults(serde_json::json!({ "failing_checks": ["shop/web"] })).await;
    let changed = single.replace("shop:v1", "shop:v2");
    let options = DeployOptions { wait_timeout_secs: Some(1), skip_release_command: true, ..DeployOptions::default() };
    let (result, _) = h.deploy(&changed, &options).await;
    let failure = result.unwrap_err();
    assert!(matches!(failure.error, RunError::Unhealthy { total: 1, passing: 0, .. }), "{:?}", failure.error);
    // The spearhead failed: nobody else was touched.
    let updated: Vec<_> = failure.report.outcomes.iter().filter(|o| o.verb == "update").collect();
    assert_eq!(updated.iter().filter(|o| matches!(o.outcome, Outcome::Failed(_))).count(), 1);
    assert_eq!(updated.iter().filter(|o| o.outcome == Outcome::Canceled).count(), 3);
    let images: Vec<String> = h.machines().await.iter().map(|m| m.config.clone().unwrap().image).collect();
    assert_eq!(images.iter().filter(|i| i.ends_with(":v2")).count(), 1, "{images:?}");
    assert_eq!(h.emulator.counters().leases_held, 0);
    assert_eq!(h.counts().await["web"], 4, "nothing destroyed");
}

#[tokio::test]
async fn a_lease_held_by_another_deploy_stops_the_run_before_anything_changes() {
    let h = harness().await;
    ok_run(&h, SHOP).await;
    let victim = h.machines().await.into_iter().find(|m| group_of(m) == "web").unwrap();
    h.emulator.add_token("personal", "other-deployer");
    let other =
        MachinesClient::new(&h.base, AuthToken::new("other-deployer").unwrap(), NativeTransport::new()).unwrap();
    let held = other.acquire_lease("shop", &victim.id, 60, "someone else's deploy", None).await.unwrap();
    let changed = SHOP.replace("shop:v1", "shop:v2");
    let (result, _) =
        h.deploy(&changed, &DeployOptions { skip_release_command: true, ..DeployOptions::default() }).await;
    let failure = result.unwrap_err();
    let RunError::Lease { machine, message } = &failure.error else { panic!("{:?}", failure.error) };
    assert_eq!(machine, &victim.id);
    assert!(message.contains("other-deployer") || message.contains("lease"), "{message}");
    assert!(h.machines().await.iter().all(|m| m.config.as_ref().unwrap().image.ends_with(":v1")));
    assert_eq!(h.emulator.counters().leases_held, 1, "only the other deploy's lease is left");
    other.release_lease("shop", &victim.id, &held.nonce).await.unwrap();
}

#[tokio::test]
async fn a_failing_start_names_the_machine() {
    let h = harness().await;
    ok_run(&h, SHOP).await;
    h.set_faults(serde_json::json!({ "failing_starts": ["shop/worker"] })).await;
    let changed = SHOP.replace("shop:v1", "shop:v2");
    let options = DeployOptions { start_stopped: true, skip_release_command: true, ..DeployOptions::default() };
    let (result, _) = h.deploy(&changed, &options).await;
    let failure = result.unwrap_err();
    let RunError::NotStarted { group, state, .. } = &failure.error else { panic!("{:?}", failure.error) };
    assert_eq!((group.as_str(), state.as_str()), ("worker", "failed"));
    assert_eq!(h.emulator.counters().leases_held, 0);
}

const CHECKED_ONE_GROUP: &str = r#"
app = "shop"
primary_region = "syd"
[build]
image = "registry.fly.io/shop:v1"
[http_service]
internal_port = 8080
[[http_service.checks]]
grace_period = "1s"
path = "/health"
"#;

#[tokio::test]
async fn bluegreen_creates_healthy_greens_then_switches_and_retires_the_blues() {
    let h = harness().await;
    ok_run(&h, CHECKED_ONE_GROUP).await;
    let blues: Vec<String> = h.machines().await.into_iter().map(|m| m.id).collect();
    let changed = CHECKED_ONE_GROUP.replace("shop:v1", "shop:v2");
    let options = DeployOptions { strategy: Some(Strategy::Bluegreen), ..DeployOptions::default() };
    let plan = h.plan_deploy(&changed, &options).await;
    let titles: Vec<&str> = plan.phases.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles.len(), 5, "{titles:?}");
    let (result, events) = h.run(&plan).await;
    ok(result, &events);
    let after = h.machines().await;
    assert_eq!(after.len(), 2);
    assert!(after.iter().all(|m| !blues.contains(&m.id) && m.cordoned != Some(true)));
    assert!(after.iter().all(|m| m.config.as_ref().unwrap().image.ends_with(":v2")));
    h.assert_settled(&changed).await;
}

#[tokio::test]
async fn a_held_bluegreen_waits_for_the_traffic_switch_as_its_own_step() {
    let h = harness().await;
    ok_run(&h, CHECKED_ONE_GROUP).await;
    let changed = CHECKED_ONE_GROUP.replace("shop:v1", "shop:v2");
    let options =
        DeployOptions { strategy: Some(Strategy::Bluegreen), bluegreen_hold: true, ..DeployOptions::default() };
    let (result, events) = h.deploy(&changed, &options).await;
    ok(result, &events);
    let held = h.machines().await;
    assert_eq!(held.len(), 4);
    assert_eq!(held.iter().filter(|m| m.cordoned == Some(true)).count(), 2, "greens take no traffic yet");

    let switch = plan::plan_bluegreen_switch("shop", &held, 8).unwrap();
    let (result, events) = h.run(&switch).await;
    ok(result, &events);
    let after = h.machines().await;
    assert_eq!(after.len(), 2);
    assert!(after.iter().all(|m| m.cordoned == Some(false) && m.config.as_ref().unwrap().image.ends_with(":v2")));
}

#[tokio::test]
async fn bluegreen_refuses_volumes_and_configs_without_checks() {
    let h = harness().await;
    ok_run(&h, CHECKED_ONE_GROUP).await;
    let snapshot = h.snapshot().await;
    let options = DeployOptions { strategy: Some(Strategy::Bluegreen), ..DeployOptions::default() };
    let unchecked =
        config("app = 'shop'\nprimary_region = 'syd'\n[build]\nimage = 'x:2'\n[http_service]\ninternal_port = 8080\n");
    assert_eq!(
        plan::plan_deploy(&snapshot.deploy_input("shop", &unchecked), &options),
        Err(plan::PlanError::BluegreenWithoutChecks)
    );
    let mounted = config(&format!("{CHECKED_ONE_GROUP}\n[[mounts]]\nsource = 'data'\ndestination = '/data'\n"));
    assert!(matches!(
        plan::plan_deploy(&snapshot.deploy_input("shop", &mounted), &options),
        Err(plan::PlanError::StrategyWithMounts { .. })
    ));
}

#[tokio::test]
async fn a_canary_serves_while_the_single_machine_updates_and_goes_when_the_roll_is_done() {
    let h = harness().await;
    let options = DeployOptions { ha: false, ..DeployOptions::default() };
    let (result, events) = h.deploy(CHECKED_ONE_GROUP, &options).await;
    ok(result, &events);
    assert_eq!(h.machines().await.len(), 1);
    let changed = CHECKED_ONE_GROUP.replace("shop:v1", "shop:v2");
    let options = DeployOptions { strategy: Some(Strategy::Canary), ..DeployOptions::default() };
    let (result, events) = h.deploy(&changed, &options).await;
    let report = ok(result, &events);
    let canary = &report.created["canary:app"];
    // The canary was up (started) before the only machine's update began.
    let created_at = events
        .iter()
        .position(
            |e| matches!(e, Event::MachineState { machine, state, .. } if machine == canary && state == "started"),
        )
        .unwrap();
    let update_at =
        events.iter().position(|e| matches!(e, Event::ActionStarted { verb, .. } if verb == "update")).unwrap();
    assert!(created_at < update_at);
    let after = h.machines().await;
    assert_eq!(after.len(), 1);
    assert!(after[0].config.as_ref().unwrap().image.ends_with(":v2"));
    h.assert_settled(&changed).await;
}

#[tokio::test]
async fn immediate_deploys_do_not_wait() {
    let h = harness().await;
    ok_run(&h, SHOP).await;
    let changed = SHOP.replace("shop:v1", "shop:v3");
    let options =
        DeployOptions { strategy: Some(Strategy::Immediate), skip_release_command: true, ..DeployOptions::default() };
    let (result, events) = h.deploy(&changed, &options).await;
    ok(result, &events);
    assert!(!events.iter().any(|e| matches!(e, Event::Checks { .. })), "immediate never waits for checks");
    assert!(h.machines().await.iter().all(|m| m.config.as_ref().unwrap().image.ends_with(":v3")));
}

#[tokio::test]
async fn removed_groups_are_destroyed_and_new_ones_created() {
    let h = harness().await;
    ok_run(&h, SHOP).await;
    let changed = SHOP.replace("worker = \"bin/worker\"", "jobs = \"bin/jobs\"");
    let plan = h.plan_deploy(&changed, &DeployOptions { skip_release_command: true, ..DeployOptions::default() }).await;
    assert!(plan.describe().contains("process group worker is no longer in fly.toml"), "{}", plan.describe());
    let (result, events) = h.run(&plan).await;
    ok(result, &events);
    assert_eq!(h.counts().await, BTreeMap::from([("jobs".to_owned(), 2), ("web".to_owned(), 2)]));
    h.assert_settled(&changed).await;
}

#[tokio::test]
async fn an_empty_machine_list_of_a_deployed_app_is_not_a_first_deploy() {
    let h = harness().await;
    ok_run(&h, CHECKED_ONE_GROUP).await;
    let config = config(CHECKED_ONE_GROUP);
    let snapshot = AppSnapshot { machines: Vec::new(), ..h.snapshot().await };
    assert!(snapshot.deployed);
    let refused = plan::plan_deploy(&snapshot.deploy_input("shop", &config), &DeployOptions::default());
    assert_eq!(refused, Err(plan::PlanError::EmptyMachineList("shop".to_owned())));
}

#[tokio::test]
async fn unmanaged_machines_are_left_alone_unless_adopted() {
    let h = harness().await;
    let mut loose = flightdeck::api::MachineRequest { region: Some("syd".into()), ..Default::default() };
    loose.config.image = "hand-made:1".into();
    let hand_made = h.api.create_machine("shop", &loose).await.unwrap();
    let plan = h.plan_deploy(CHECKED_ONE_GROUP, &DeployOptions::default()).await;
    assert!(plan.untouched.iter().any(|(m, why)| m.id == hand_made.id && why.contains("not managed")));
    let adopt = h.plan_deploy(CHECKED_ONE_GROUP, &DeployOptions { adopt: true, ..DeployOptions::default() }).await;
    let update = adopt.actions().find(|a| a.existing_machine().is_some_and(|m| m.id == hand_made.id)).unwrap();
    let plan::Action::Update { changes, .. } = update else { panic!("{update:?}") };
    let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
    assert!(paths.contains(&"metadata.fly_platform_version") && paths.contains(&"services[0]"), "{paths:?}");
    assert!(paths.contains(&"metadata.fly_process_group") && paths.contains(&"env.FLY_PROCESS_GROUP"), "{paths:?}");
    let (result, events) = h.run(&adopt).await;
    ok(result, &events);
    assert!(is_managed(&h.api.get_machine("shop", &hand_made.id).await.unwrap()));
}

#[tokio::test]
async fn scale_count_places_machines_across_regions_and_removes_idle_ones_first() {
    let h = harness().await;
    ok_run(&h, SHOP).await;
    let cfg = config(SHOP);
    let counts = plan::parse_counts(&["web=4", "worker=1"], "web").unwrap();
    let options = plan::ScaleCountOptions { regions: vec!["syd".into(), "fra".into()], ..Default::default() };
    let scale = plan::plan_scale_count("shop", &cfg, &h.machines().await, &[], &counts, &options).unwrap();
    let (result, events) = h.run(&scale).await;
    ok(result, &events);
    let machines = h.machines().await;
    let web: Vec<&str> = machines.iter().filter(|m| group_of(m) == "web").map(|m| m.region.as_str()).collect();
    assert_eq!(web.iter().filter(|r| **r == "syd").count(), 2, "{web:?}");
    assert_eq!(web.iter().filter(|r| **r == "fra").count(), 2, "{web:?}");
    let workers: Vec<&Machine> = machines.iter().filter(|m| group_of(m) == "worker").collect();
    assert_eq!(workers.len(), 1);
    assert_eq!(workers[0].state, MachineState::Started, "the stopped standby went first");
    assert_eq!(h.emulator.counters().leases_held, 0);
    // The same counts again: nothing to do.
    let again = plan::plan_scale_count("shop", &cfg, &h.machines().await, &[], &counts, &options).unwrap();
    assert!(again.is_empty(), "{}", again.describe());
}

const WITH_VOLUME: &str = r#"
app = "shop"
primary_region = "syd"
[build]
image = "registry.fly.io/shop:v1"
[[mounts]]
source = "data"
destination = "/data"
"#;

#[tokio::test]
async fn volumes_are_created_for_new_machines_and_never_destroyed_by_scale_down() {
    let h = harness().await;
    ok_run(&h, WITH_VOLUME).await;
    assert_eq!(h.machines().await.len(), 1, "a group with mounts gets one machine");
    assert_eq!(h.api.list_volumes("shop").await.unwrap().len(), 1);
    let cfg = config(WITH_VOLUME);
    let spare = CreateVolumeRequest { name: "data".into(), region: "syd".into(), ..Default::default() };
    let spare = h.api.create_volume("shop", &spare).await.unwrap();
    let up = plan::parse_counts(&["3"], "app").unwrap();
    let plan = plan::plan_scale_count(
        "shop",
        &cfg,
        &h.machines().await,
        &h.api.list_volumes("shop").await.unwrap(),
        &up,
        &Default::default(),
    )
    .unwrap();
    assert!(plan.describe().contains(&format!("attaching volume data ({})", spare.id)), "{}", plan.describe());
    ok(h.run(&plan).await.0, &[]);
    assert_eq!(h.api.list_volumes("shop").await.unwrap().len(), 3);

    let none = plan::parse_counts(&["0"], "app").unwrap();
    let volumes = h.api.list_volumes("shop").await.unwrap();
    let refused = plan::plan_scale_count("shop", &cfg, &h.machines().await, &volumes, &none, &Default::default());
    assert!(matches!(refused, Err(plan::PlanError::LastVolumeHolder { .. })), "{refused:?}");
    let forced = plan::ScaleCountOptions { force: true, ..Default::default() };
    let plan = plan::plan_scale_count("shop", &cfg, &h.machines().await, &volumes, &none, &forced).unwrap();
    ok(h.run(&plan).await.0, &[]);
    assert!(h.machines().await.is_empty());
    // Volumes detach as their machines finish being destroyed.
    let mut left = h.api.list_volumes("shop").await.unwrap();
    for _ in 0..100 {
        if left.iter().all(|v| v.attached_machine_id.is_none()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        left = h.api.list_volumes("shop").await.unwrap();
    }
    assert_eq!(left.len(), 3, "volumes are never destroyed");
    assert!(left.iter().all(|v| v.attached_machine_id.is_none()));
}

#[tokio::test]
async fn restarts_and_secrets_deploys_touch_only_what_they_should() {
    let h = harness().await;
    ok_run(&h, SHOP).await;
    let machines = h.machines().await;
    let restart = plan::plan_app_restart("shop", &machines);
    assert_eq!(restart.actions().count(), 3, "the stopped standby is not restarted");
    let (result, events) = h.run(&restart).await;
    ok(result, &events);
    assert_eq!(
        events
            .iter()
            .filter(
                |e| matches!(e, Event::ActionFinished { verb, outcome: Outcome::Succeeded, .. } if verb == "restart")
            )
            .count(),
        3
    );

    let version = h
        .api
        .update_secrets("shop", &BTreeMap::from([("API_KEY".to_owned(), Some("s3cret".to_owned()))]))
        .await
        .unwrap()
        .version;
    let secrets = plan::plan_secrets_deploy("shop", &h.machines().await, version, &DeployOptions::default());
    assert_eq!(secrets.actions().count(), 4);
    let (result, events) = h.run(&secrets).await;
    ok(result, &events);
    let standby =
        h.machines().await.into_iter().find(|m| m.config.as_ref().is_some_and(|c| !c.standbys.is_empty())).unwrap();
    assert_eq!(standby.state, MachineState::Created, "the standby was updated, not started");
    assert_eq!(standby.config.as_ref().unwrap().env.get("FLY_STANDBY_FOR").map(String::len), Some(14));
}

#[tokio::test]
async fn machine_commands_accept_names_and_assigning_a_group_applies_its_config() {
    let h = harness().await;
    ok_run(&h, SHOP).await;
    let machines = h.machines().await;
    let web = machines.iter().find(|m| group_of(m) == "web").unwrap();
    let clone = plan::plan_clone(
        "shop",
        Some(&config(SHOP)),
        &machines,
        &[],
        &web.name,
        &plan::CloneOptions { region: Some("fra".into()), ..Default::default() },
    )
    .unwrap();
    let report = ok(h.run(&clone).await.0, &[]);
    let cloned = h.api.get_machine("shop", &report.created["clone"]).await.unwrap();
    assert_eq!((cloned.region.as_str(), group_of(&cloned)), ("fra", "web"));

    let machines = h.machines().await;
    let assign = plan::plan_assign_group(
        &AppSnapshot { machines: machines.clone(), ..h.snapshot().await }.deploy_input("shop", &config(SHOP)),
        &[cloned.name.as_str()],
        "worker",
        &DeployOptions::default(),
    )
    .unwrap();
    ok(h.run(&assign).await.0, &[]);
    let moved = h.api.get_machine("shop", &cloned.id).await.unwrap();
    assert_eq!(group_of(&moved), "worker");
    assert!(moved.config.as_ref().unwrap().services.is_empty(), "a worker has no http service");
    assert_eq!(moved.config.as_ref().unwrap().init.cmd, ["bin/worker"]);

    let refused = plan::plan_remove("shop", &h.machines().await, &cloned.name, false);
    assert_eq!(refused, Err(plan::PlanError::StartedMachine(cloned.id.clone())));
    let remove = plan::plan_remove("shop", &h.machines().await, &cloned.name, true).unwrap();
    ok(h.run(&remove).await.0, &[]);
    assert!(h.api.get_machine("shop", &cloned.id).await.unwrap().state.is_gone());
    h.assert_settled(SHOP).await;
}

#[tokio::test]
async fn drift_shows_counts_per_group_and_region_and_config_changes_per_machine() {
    let h = harness().await;
    ok_run(&h, SHOP).await;
    let cfg = config(SHOP);
    let desired = BTreeMap::from([("web".to_owned(), BTreeMap::from([("syd".to_owned(), 2), ("fra".to_owned(), 1)]))]);
    let drift = plan::drift(&cfg, &h.machines().await, &desired);
    let fra = drift.cells.iter().find(|c| c.group == "web" && c.region == "fra").unwrap();
    assert_eq!(fra.delta(), 1);
    assert!(drift.machines.is_empty());
    let changed = config(&SHOP.replace("LOG = \"info\"", "LOG = \"warn\""));
    let drift = plan::drift(&changed, &h.machines().await, &BTreeMap::new());
    assert_eq!(drift.machines.len(), 4);
    assert!(!drift.is_clean());
}

#[tokio::test]
async fn server_errors_and_rate_limits_are_retried_and_the_deploy_converges() {
    let h = harness().await;
    ok_run(&h, SHOP).await;
    h.set_faults(serde_json::json!({ "error_rate": 0.2 })).await;
    let changed = SHOP.replace("shop:v1", "shop:v4");
    let options = DeployOptions { skip_release_command: true, ..DeployOptions::default() };
    // 5xx on mutations are not retried blindly (they may have happened): the run may fail; a re-run converges.
    let mut attempts = 0;
    loop {
        attempts += 1;
        let (result, _) = h.deploy(&changed, &options).await;
        if result.is_ok() || attempts == 5 {
            break;
        }
    }
    h.set_faults(serde_json::json!({})).await;
    let (result, events) = h.deploy(&changed, &options).await;
    ok(result, &events);
    assert!(h.emulator.counters().injected_errors > 0);
    assert_eq!(h.counts().await, BTreeMap::from([("web".to_owned(), 2), ("worker".to_owned(), 2)]));
    // Leases of failed runs were released or expire: wait out the TTL at most.
    h.assert_settled(&changed).await;
}

#[tokio::test]
async fn cancelling_releases_every_lease_and_reports_the_rest_as_canceled() {
    let h = harness().await;
    ok_run(&h, SHOP).await;
    let changed = SHOP.replace("shop:v1", "shop:v5");
    let plan = h.plan_deploy(&changed, &DeployOptions { skip_release_command: true, ..DeployOptions::default() }).await;
    let cancel = Cancel::default();
    let trigger = cancel.clone();
    let sink = move |event: Event| {
        if matches!(event, Event::ActionStarted { .. }) {
            trigger.cancel();
        }
    };
    let failure = engine::run(&h.api, &plan, &engine_options(), &sink, &cancel).await.unwrap_err();
    assert_eq!(failure.error, RunError::Canceled);
    assert!(failure.report.outcomes.iter().any(|o| o.outcome == Outcome::Canceled));
    assert_eq!(h.emulator.counters().leases_held, 0);
}

#[tokio::test]
async fn launch_writes_fly_toml_creates_the_app_and_starts_its_machines() {
    let h = harness().await;
    let request = plan::LaunchRequest {
        app: "hello".into(),
        org: "personal".into(),
        image: "nginx:latest".into(),
        internal_port: 80,
        region: "syd".into(),
        vm_size: Some("shared-cpu-2x".into()),
        single_machine: false,
    };
    let launch = plan::plan_launch(&request).unwrap();
    assert!(!parse(&launch.fly_toml).has_errors());
    let (result, events) = h.run(&launch.plan).await;
    ok(result, &events);
    let machines = h.api.list_machines("hello", &MachineFilter::default()).await.unwrap();
    assert_eq!(machines.len(), 2);
    assert!(machines.iter().all(|m| m.state == MachineState::Started && m.region == "syd"));
    assert_eq!(machines[0].config.as_ref().unwrap().guest.as_ref().unwrap().cpus, 2);
    // Launching a name that is taken fails before any machine exists, with a clear error.
    let (result, _) = h.run(&launch.plan).await;
    let failure = result.unwrap_err();
    assert!(matches!(&failure.error, RunError::Api { code, .. } if code == "name_taken"), "{:?}", failure.error);
}

#[tokio::test]
async fn a_normal_deploy_earns_no_429_and_a_storm_of_them_is_waited_out() {
    let h = harness().await;
    ok_run(&h, SHOP).await;
    let changed = SHOP.replace("shop:v1", "shop:v6");
    let options = DeployOptions { skip_release_command: true, ..DeployOptions::default() };
    // With the engine's real lease refresh interval (the other tests refresh every 300 ms to exercise refreshes).
    let plan = h.plan_deploy(&changed, &options).await;
    let real = EngineOptions { lease_refresh: None, ..engine_options() };
    engine::run(&h.api, &plan, &real, &|_: Event| {}, &Cancel::default()).await.unwrap();
    assert_eq!(h.emulator.counters().rate_limited, 0, "the client paces itself under the API's limits");

    // Every mutation answered 429 for a moment: the engine's calls wait (Retry-After) and go through.
    h.set_faults(serde_json::json!({ "rate_limit_storm": true })).await;
    let emulator = h.emulator.clone();
    let calm = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(600)).await;
        emulator.set_faults(flightdeck_server::emulator::faults::Faults::default());
    });
    let changed = SHOP.replace("shop:v1", "shop:v7");
    let (result, events) = h.deploy(&changed, &options).await;
    calm.await.unwrap();
    ok(result, &events);
    assert!(h.emulator.counters().rate_limited > 0);
    h.assert_settled(&changed).await;
}

#[tokio::test]
async fn leases_lost_mid_deploy_are_reported_and_nothing_is_left_behind() {
    let h = harness().await;
    ok_run(&h, SHOP).await;
    let changed = SHOP.replace("shop:v1", "shop:v8");
    let plan = h.plan_deploy(&changed, &DeployOptions { skip_release_command: true, ..DeployOptions::default() }).await;
    let events = Mutex::new(Vec::new());
    let emulator = h.emulator.clone();
    let sink = |event: Event| {
        if matches!(event, Event::ActionStarted { .. }) && !emulator.faults().drop_leases {
            emulator
                .set_faults(flightdeck_server::emulator::faults::Faults { drop_leases: true, ..Default::default() });
        }
        events.lock().unwrap().push(event);
    };
    let options = EngineOptions { lease_refresh: Some(Duration::from_millis(50)), ..engine_options() };
    let result = engine::run(&h.api, &plan, &options, &sink, &Cancel::default()).await;
    let events = events.into_inner().unwrap();
    assert!(
        events.iter().any(|e| matches!(e, Event::Lease { event: engine::LeaseEvent::Lost, .. })),
        "{:#?}",
        lines(&events)
    );
    drop(result); // it may succeed or stop; either way the invariants below hold
    h.set_faults(serde_json::json!({})).await;
    tokio::time::sleep(Duration::from_millis(1100)).await; // leases taken under the fault last one second
    assert_eq!(h.emulator.counters().leases_held, 0);
    let (result, events) =
        h.deploy(&changed, &DeployOptions { skip_release_command: true, ..DeployOptions::default() }).await;
    ok(result, &events);
    h.assert_settled(&changed).await;
}

#[tokio::test]
async fn a_server_restart_mid_deploy_loses_nothing_and_a_rerun_converges() {
    let dir = std::env::temp_dir().join(format!("flightdeck-engine-{}-{}", std::process::id(), line!()));
    std::fs::create_dir_all(&dir).unwrap();
    let options = ServerOptions {
        token: Some("restart-token".into()),
        speed: 200.0,
        state_file: Some(dir.join("state.json")),
        ..ServerOptions::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let base = format!("http://{address}");
    let start = |listener: tokio::net::TcpListener, options: ServerOptions| {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(flightdeck_server::serve(listener, options, async move {
            let _ = stopped.await;
        }));
        (stop, server)
    };
    let (stop, server) = start(listener, options.clone());
    let api = MachinesClient::new(&base, AuthToken::new("restart-token").unwrap(), NativeTransport::new()).unwrap();
    api.create_app(&CreateAppRequest { name: "shop".into(), org_slug: "personal".into(), ..Default::default() })
        .await
        .unwrap();
    let cfg = config(SHOP);
    let run = |plan: Plan| {
        let api = &api;
        async move { engine::run(api, &plan, &engine_options(), &|_: Event| {}, &Cancel::default()).await }
    };
    let snapshot = AppSnapshot::read(&api, "shop").await.unwrap();
    run(plan::plan_deploy(&snapshot.deploy_input("shop", &cfg), &DeployOptions::default()).unwrap()).await.unwrap();
    let volumes_before = api.list_volumes("shop").await.unwrap().len();

    // Deploy v2, and restart the server while it runs.
    let changed = config(&SHOP.replace("shop:v1", "shop:v2"));
    let snapshot = AppSnapshot::read(&api, "shop").await.unwrap();
    let options_v2 = DeployOptions { skip_release_command: true, ..DeployOptions::default() };
    let plan = plan::plan_deploy(&snapshot.deploy_input("shop", &changed), &options_v2).unwrap();
    let deploy = run(plan);
    let restart = async {
        tokio::time::sleep(Duration::from_millis(30)).await;
        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
        let listener = tokio::net::TcpListener::bind(address).await.unwrap();
        start(listener, options.clone())
    };
    let (first, (stop, server)) = tokio::join!(deploy, restart);
    drop(first); // it may fail (an update lost in the restart) or succeed: the invariants below hold either way

    // Leases of the interrupted run were released, or expire within their TTL.
    let counters = || async {
        reqwest::Client::new()
            .get(format!("{base}/__emulator/counters"))
            .header("authorization", "Bearer restart-token")
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()
    };
    for _ in 0..80 {
        if counters().await["leases_held"] == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(counters().await["leases_held"], 0);
    let snapshot = AppSnapshot::read(&api, "shop").await.unwrap();
    run(plan::plan_deploy(&snapshot.deploy_input("shop", &changed), &options_v2).unwrap()).await.unwrap();
    let snapshot = AppSnapshot::read(&api, "shop").await.unwrap();
    let again = plan::plan_deploy(&snapshot.deploy_input("shop", &changed), &options_v2).unwrap();
    assert!(again.is_empty(), "{}", again.describe());
    let managed: Vec<&Machine> = snapshot.machines.iter().filter(|m| is_managed(m)).collect();
    assert_eq!(managed.len(), 4, "no machine lost or duplicated");
    assert_eq!(api.list_volumes("shop").await.unwrap().len(), volumes_before, "no volume lost");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn detached_deploys_do_not_wait_for_machines_and_machine_updates_and_vm_scaling_apply() {
    let h = harness().await;
    ok_run(&h, SHOP).await;
    let changed = SHOP.replace("shop:v1", "shop:v9");
    let options = DeployOptions { detach: true, skip_release_command: true, ..DeployOptions::default() };
    let (result, events) = h.deploy(&changed, &options).await;
    ok(result, &events);
    assert!(
        !events.iter().any(|e| matches!(e, Event::MachineState { .. } | Event::Checks { .. })),
        "detach never waits"
    );
    assert!(h.machines().await.iter().all(|m| m.config.as_ref().unwrap().image.ends_with(":v9")));

    // `machine update` by name: memory, metadata merged, env set and removed.
    let web = h.machines().await.into_iter().find(|m| group_of(m) == "web").unwrap();
    let update = plan::MachineUpdateOptions {
        memory_mb: Some(512),
        metadata: BTreeMap::from([("team".to_owned(), "payments".to_owned())]),
        env: BTreeMap::from([("EXTRA".to_owned(), "1".to_owned()), ("LOG".to_owned(), String::new())]),
        ..Default::default()
    };
    let plan = plan::plan_machine_update("shop", &h.machines().await, &web.name, &update).unwrap();
    ok(h.run(&plan).await.0, &[]);
    let updated = h.api.get_machine("shop", &web.id).await.unwrap();
    let config = updated.config.unwrap();
    assert_eq!(config.guest.unwrap().memory_mb, 512);
    assert_eq!(config.metadata["team"], "payments");
    assert_eq!((config.env.get("EXTRA").map(String::as_str), config.env.get("LOG")), (Some("1"), None));
    assert_eq!(updated.state, MachineState::Started);

    // `scale vm` of one group: every machine of it resized, the other group untouched; bad sizes refused.
    let vm = plan::ScaleVmOptions { size: Some("shared-cpu-2x".into()), memory_mb: None, group: Some("worker".into()) };
    let plan = plan::plan_scale_vm("shop", &config_of(SHOP), &h.machines().await, &vm).unwrap();
    ok(h.run(&plan).await.0, &[]);
    for machine in h.machines().await {
        let cpus = machine.config.as_ref().unwrap().guest.as_ref().map_or(1, |g| g.cpus);
        assert_eq!(cpus, if group_of(&machine) == "worker" { 2 } else { 1 }, "{}", machine.id);
    }
    let too_much =
        plan::ScaleVmOptions { size: Some("shared-cpu-1x".into()), memory_mb: Some(8192), group: Some("web".into()) };
    assert!(matches!(
        plan::plan_scale_vm("shop", &config_of(SHOP), &h.machines().await, &too_much),
        Err(plan::PlanError::Size(_))
    ));
    let ambiguous = plan::ScaleVmOptions { size: Some("shared-cpu-2x".into()), ..Default::default() };
    assert!(matches!(
        plan::plan_scale_vm("shop", &config_of(SHOP), &h.machines().await, &ambiguous),
        Err(plan::PlanError::GroupNeeded(_))
    ));
}

fn config_of(text: &str) -> AppConfig {
    config(text)
}
