//! The core's client against the emulator's machine endpoints over real HTTP: lifecycle, waits, versions, leases
//! between two clients, metadata, events, names. The emulator runs 200× faster than real time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed step is a failed test

use flightdeck::api::{
    ApiError, AuthToken, CreateAppRequest, MachineAction, MachineFilter, MachineRequest, MachineState, MachinesClient,
    NativeTransport, WaitFor, WaitState,
};
use flightdeck::machine::MachineConfig;
use flightdeck_server::ServerOptions;
use flightdeck_server::emulator::Emulator;

type Client = MachinesClient<NativeTransport>;

async fn start() -> (Emulator, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let options = ServerOptions { speed: 200.0, ..ServerOptions::default() };
    let emulator = Emulator::new(None).unwrap().with_speed(options.speed);
    let app = flightdeck_server::router(emulator.clone(), &options);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (emulator, base)
}

fn client(base: &str, token: &str) -> Client {
    MachinesClient::new(base, AuthToken::new(token).unwrap(), NativeTransport::new()).unwrap()
}

async fn app_with_client() -> (Emulator, String, Client) {
    let (emulator, base) = start().await;
    let api = client(&base, emulator.dev_token());
    api.create_app(&CreateAppRequest { name: "shop".into(), org_slug: "personal".into(), ..Default::default() })
        .await
        .unwrap();
    (emulator, base, api)
}

fn request(image: &str, group: &str) -> MachineRequest {
    let mut config = MachineConfig { image: image.into(), ..MachineConfig::default() };
    config.metadata.insert("fly_process_group".into(), group.into());
    MachineRequest { region: Some("syd".into()), config, ..MachineRequest::default() }
}

async fn wait_for(api: &Client, id: &str, state: WaitState) -> String {
    let wait = WaitFor { states: &[state], version: None, from_event_id: None, timeout_secs: 10 };
    api.wait_machine("shop", id, &wait).await.unwrap().state.unwrap()
}

#[tokio::test]
async fn a_machine_is_created_started_stopped_started_and_destroyed() {
    let (_emulator, _base, api) = app_with_client().await;
    let created = api.create_machine("shop", &request("nginx:1.27", "web")).await.unwrap();
    assert_eq!((created.state.clone(), created.region.as_str(), created.id.len()), (MachineState::Created, "syd", 14));
    assert_eq!(wait_for(&api, &created.id, WaitState::Started).await, "started");

    api.stop_machine("shop", &created.id, Some("SIGTERM"), None, None).await.unwrap();
    assert_eq!(wait_for(&api, &created.id, WaitState::Stopped).await, "stopped");
    api.machine_action("shop", &created.id, MachineAction::Start, None).await.unwrap();
    assert_eq!(wait_for(&api, &created.id, WaitState::Started).await, "started");

    let refused = api.destroy_machine("shop", &created.id, false, None).await.unwrap_err();
    assert!(matches!(refused, ApiError::PreconditionFailed { .. }), "{refused:?}");
    api.destroy_machine("shop", &created.id, true, None).await.unwrap();
    assert_eq!(wait_for(&api, &created.id, WaitState::Destroyed).await, "destroyed");
    assert!(api.list_machines("shop", &MachineFilter::default()).await.unwrap().is_empty());
    let with_deleted = MachineFilter { include_deleted: true, ..MachineFilter::default() };
    assert_eq!(api.list_machines("shop", &with_deleted).await.unwrap().len(), 1);

    let kinds: Vec<String> =
        api.machine_events("shop", &created.id, 50).await.unwrap().into_iter().map(|e| e.kind).collect();
    for kind in ["launch", "start", "stop", "exit", "destroy"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} missing from {kinds:?}");
    }
}

#[tokio::test]
async fn updates_are_versioned_and_stale_versions_refused() {
    let (_emulator, _base, api) = app_with_client().await;
    let machine = api.create_machine("shop", &request("nginx:1.27", "web")).await.unwrap();
    wait_for(&api, &machine.id, WaitState::Started).await;
    let current = api.get_machine("shop", &machine.id).await.unwrap();
    let mut update = request("nginx:1.28", "web");
    update.current_version = Some(current.current_version().to_owned());
    let updated = api.update_machine("shop", &machine.id, &update, None).await.unwrap();
    assert_ne!(updated.current_version(), current.current_version());
    assert_eq!(updated.config.as_ref().unwrap().image, "nginx:1.28");
    let wait = WaitFor {
        states: &[WaitState::Started],
        version: Some(updated.current_version()),
        from_event_id: None,
        timeout_secs: 10,
    };
    assert_eq!(api.wait_machine("shop", &machine.id, &wait).await.unwrap().state.as_deref(), Some("started"));

    let stale = api.update_machine("shop", &machine.id, &update, None).await.unwrap_err();
    assert!(matches!(stale, ApiError::PreconditionFailed { .. }), "{stale:?}");
}

#[tokio::test]
async fn a_lease_keeps_other_clients_out_until_released() {
    let (emulator, base, api) = app_with_client().await;
    emulator.add_token("personal", "second-token");
    let other = client(&base, "second-token");
    let machine = api.create_machine("shop", &request("nginx:1.27", "web")).await.unwrap();
    wait_for(&api, &machine.id, WaitState::Started).await;

    let lease = api.acquire_lease("shop", &machine.id, 30, "deploy", None).await.unwrap();
    let held = other.acquire_lease("shop", &machine.id, 30, "deploy", None).await.unwrap_err();
    let ApiError::LeaseHeld { owner, expires_at, .. } = held else { panic!("{held:?}") };
    assert_eq!(owner, lease.owner);
    assert!(expires_at.ends_with('Z') && expires_at.len() == 20, "RFC 3339: {expires_at}");
    assert!(matches!(other.stop_machine("shop", &machine.id, None, None, None).await, Err(ApiError::LeaseHeld { .. })));

    api.stop_machine("shop", &machine.id, None, None, Some(&lease.nonce)).await.unwrap();
    let refreshed = api.acquire_lease("shop", &machine.id, 60, "deploy", Some(&lease.nonce)).await.unwrap();
    assert_eq!(refreshed.nonce, lease.nonce);
    assert!(refreshed.expires_at >= lease.expires_at);
    api.release_lease("shop", &machine.id, &lease.nonce).await.unwrap();
    wait_for(&api, &machine.id, WaitState::Stopped).await;
    other.machine_action("shop", &machine.id, MachineAction::Start, None).await.unwrap();
}

#[tokio::test]
async fn waits_time_out_with_flyds_message() {
    let (_emulator, _base, api) = app_with_client().await;
    let mut stopped = request("nginx:1.27", "web");
    stopped.skip_launch = Some(true);
    let machine = api.create_machine("shop", &stopped).await.unwrap();
    let wait = WaitFor { states: &[WaitState::Started], version: None, from_event_id: None, timeout_secs: 1 };
    let error = api.wait_machine("shop", &machine.id, &wait).await.unwrap_err();
    assert!(
        matches!(error, ApiError::Timeout { ref message, .. } if message.contains("currently created")),
        "{error:?}"
    );
}

#[tokio::test]
async fn filters_names_metadata_and_cordons() {
    let (_emulator, _base, api) = app_with_client().await;
    let mut named = request("nginx:1.27", "web");
    named.name = Some("web-1".into());
    let web = api.create_machine("shop", &named).await.unwrap();
    let worker = api.create_machine("shop", &request("worker:1", "worker")).await.unwrap();
    assert_eq!(api.get_machine("shop", "web-1").await.unwrap().id, web.id, "names resolve to ids");
    let duplicate = api.create_machine("shop", &named).await.unwrap_err();
    assert_eq!(duplicate.status(), Some(409));

    let by_group = MachineFilter {
        metadata: vec![("fly_process_group".into(), "worker".into())],
        summary: true,
        ..MachineFilter::default()
    };
    let found = api.list_machines("shop", &by_group).await.unwrap();
    assert_eq!(found.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), [worker.id.as_str()]);
    assert!(found[0].config.is_none(), "summary omits the config");

    api.machine_action("shop", &web.id, MachineAction::Cordon, None).await.unwrap();
    assert_eq!(api.get_machine("shop", &web.id).await.unwrap().cordoned, Some(true));
    let apps = api.list_apps("personal").await.unwrap();
    assert_eq!(apps[0].machine_count, Some(2));
}

fn mounted(volume: &str) -> MachineRequest {
    let mut machine = request("postgres:16", "db");
    machine.region = None;
    machine.config.mounts =
        vec![flightdeck::machine::MachineMount { volume: volume.into(), path: "/data".into(), ..Default::default() }];
    machine
}

#[tokio::test]
async fn volumes_bind_to_one_machine_in_their_region_and_outlive_it() {
    use flightdeck::api::CreateVolumeRequest;
    let (_emulator, _base, api) = app_with_client().await;
    let create =
        CreateVolumeRequest { name: "pg_data".into(), region: "fra".into(), size_gb: Some(10), ..Default::default() };
    let volume = api.create_volume("shop", &create).await.unwrap();
    assert!(volume.id.starts_with("vol_") && volume.attached_machine_id.is_none());
    assert_eq!((volume.size_gb, volume.region.as_str(), volume.encrypted), (10, "fra", Some(true)));

    let machine = api.create_machine("shop", &mounted(&volume.id)).await.unwrap();
    assert_eq!(machine.region, "fra", "a mounted volume decides the region");
    assert_eq!(
        api.get_volume("shop", &volume.id).await.unwrap().attached_machine_id.as_deref(),
        Some(machine.id.as_str())
    );

    let taken = api.create_machine("shop", &mounted(&volume.id)).await.unwrap_err();
    assert!(
        matches!(taken, ApiError::PreconditionFailed { ref message, .. } if message.contains("already attached")),
        "{taken:?}"
    );
    let mut elsewhere = mounted(&volume.id);
    elsewhere.region = Some("syd".into());
    assert_eq!(api.create_machine("shop", &elsewhere).await.unwrap_err().code(), "precondition_failed");
    let refused = api.delete_volume("shop", &volume.id).await.unwrap_err();
    assert!(refused.to_string().contains("attached"), "{refused}");

    wait_for(&api, &machine.id, WaitState::Started).await;
    let extended = api.extend_volume("shop", &volume.id, 20).await.unwrap();
    assert_eq!((extended.volume.size_gb, extended.needs_restart), (20, true));
    assert!(api.extend_volume("shop", &volume.id, 5).await.is_err(), "volumes only grow");

    api.destroy_machine("shop", &machine.id, true, None).await.unwrap();
    wait_for(&api, &machine.id, WaitState::Destroyed).await;
    let survivor = api.get_volume("shop", &volume.id).await.unwrap();
    assert_eq!(
        (survivor.state.as_str(), survivor.attached_machine_id.as_deref()),
        ("created", None),
        "detached, not destroyed"
    );
    let deleted = api.delete_volume("shop", &volume.id).await.unwrap();
    assert_eq!(deleted.state, "destroyed");
    assert!(api.list_volumes("shop").await.unwrap().is_empty());
}

#[tokio::test]
async fn volume_requests_are_validated() {
    use flightdeck::api::CreateVolumeRequest;
    let (_emulator, _base, api) = app_with_client().await;
    for (name, size) in [("Bad-Name", 3), ("ok", 0), ("ok", 501)] {
        let create =
            CreateVolumeRequest { name: name.into(), region: "ams".into(), size_gb: Some(size), ..Default::default() };
        assert_eq!(api.create_volume("shop", &create).await.unwrap_err().code(), "bad_request", "{name} {size}");
    }
    let missing = api.create_machine("shop", &mounted("vol_doesnotexist0000")).await.unwrap_err();
    assert_eq!(missing.code(), "precondition_failed");
}

#[tokio::test]
async fn secrets_show_digests_never_values_and_bump_the_version() {
    use std::collections::BTreeMap;
    let (emulator, base, api) = app_with_client().await;
    let set = BTreeMap::from([
        ("DATABASE_URL".to_owned(), Some("postgres://secret".to_owned())),
        ("API_KEY".to_owned(), Some("k1".to_owned())),
    ]);
    let first = api.update_secrets("shop", &set).await.unwrap();
    assert_eq!(first.version, 1);
    assert_eq!(first.secrets.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["API_KEY", "DATABASE_URL"]);
    let digest = first.secrets[0].digest.clone();

    let change = BTreeMap::from([("API_KEY".to_owned(), Some("k2".to_owned())), ("DATABASE_URL".to_owned(), None)]);
    let second = api.update_secrets("shop", &change).await.unwrap();
    assert_eq!(second.version, 2);
    assert_eq!(second.secrets.len(), 1);
    assert_ne!(second.secrets[0].digest, digest, "a new value, a new digest");

    let raw = reqwest::Client::new()
        .get(format!("{base}/v1/apps/shop/secrets?show_secrets=true"))
        .header("authorization", format!("Bearer {}", emulator.dev_token()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!raw.contains("k2") && !raw.contains("postgres://secret"), "values are never returned: {raw}");
    assert_eq!(api.list_secrets("shop").await.unwrap().len(), 1);
}

#[tokio::test]
async fn apps_with_machines_are_deleted_only_with_force() {
    let (_emulator, _base, api) = app_with_client().await;
    api.create_machine("shop", &request("nginx:1.27", "web")).await.unwrap();
    let refused = api.delete_app("shop", false).await.unwrap_err();
    assert_eq!(refused.code(), "precondition_failed");
    api.delete_app("shop", true).await.unwrap();
    assert_eq!(api.get_app("shop").await.unwrap_err().code(), "not_found");
}

#[tokio::test]
async fn the_emulator_enforces_per_machine_per_action_rate_limits() {
    let (emulator, base, api) = app_with_client().await;
    let machine = api.create_machine("shop", &request("nginx:1.27", "web")).await.unwrap();
    let http = reqwest::Client::new();
    let auth = format!("Bearer {}", emulator.dev_token());
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..4 {
        let response = http
            .post(format!("{base}/v1/apps/shop/machines/{}/cordon", machine.id))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
        retry_after = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned()).or(retry_after);
    }
    assert_eq!(statuses, [200, 200, 200, 429], "bursts of 3 per machine and action");
    assert_eq!(retry_after.as_deref(), Some("1"));
    let other_action = http
        .post(format!("{base}/v1/apps/shop/machines/{}/uncordon", machine.id))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(other_action.status(), 200);
    // The client paces itself and rides out a 429: four more cordons all succeed.
    for _ in 0..4 {
        api.machine_action("shop", &machine.id, MachineAction::Cordon, None).await.unwrap();
    }
}

fn checked(group: &str) -> MachineRequest {
    let mut machine = request("nginx:1.27", group);
    let check = flightdeck::machine::MachineCheck {
        kind: Some("http".into()),
        port: Some(8080),
        path: Some("/health".into()),
        ..Default::default()
    };
    machine.config.checks.insert("alive".into(), check);
    machine
}

async fn set_faults(base: &str, token: &str, faults: serde_json::Value) {
    let response = reqwest::Client::new()
        .put(format!("{base}/__emulator/faults"))
        .header("authorization", format!("Bearer {token}"))
        .json(&faults)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

async fn settle_checks(api: &Client, id: &str) -> Vec<(String, String)> {
    for _ in 0..100 {
        let machine = api.get_machine("shop", id).await.unwrap();
        if !machine.checks.is_empty() && machine.checks.iter().all(|c| c.status != "warning") {
            return machine.checks.into_iter().map(|c| (c.name, c.status)).collect();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("checks never left their grace period");
}

#[tokio::test]
async fn health_checks_pass_after_their_grace_period_unless_a_fault_says_otherwise() {
    let (emulator, base, api) = app_with_client().await;
    let healthy = api.create_machine("shop", &checked("web")).await.unwrap();
    assert_eq!(settle_checks(&api, &healthy.id).await, [("alive".to_owned(), "passing".to_owned())]);

    set_faults(&base, emulator.dev_token(), serde_json::json!({ "failing_checks": ["shop/worker"] })).await;
    let sick = api.create_machine("shop", &checked("worker")).await.unwrap();
    assert_eq!(settle_checks(&api, &sick.id).await, [("alive".to_owned(), "critical".to_owned())]);
}

#[tokio::test]
async fn run_to_exit_machines_report_their_exit_code_and_auto_destroy() {
    let (emulator, base, api) = app_with_client().await;
    set_faults(&base, emulator.dev_token(), serde_json::json!({ "exit_codes": { "shop/fly_app_release_command": 3 } }))
        .await;
    let mut release = request("app:1", "fly_app_release_command");
    release.config.auto_destroy = Some(true);
    release.config.restart = Some(flightdeck::machine::MachineRestart { policy: "no".into(), ..Default::default() });
    let machine = api.create_machine("shop", &release).await.unwrap();
    assert_eq!(wait_for(&api, &machine.id, WaitState::Destroyed).await, "destroyed");
    let events = api.machine_events("shop", &machine.id, 50).await.unwrap();
    let exit = events.iter().find(|e| e.kind == "exit").expect("an exit event");
    assert_eq!(exit.exit_code(), Some(3));
}

#[tokio::test]
async fn failing_starts_end_in_the_failed_state() {
    let (emulator, base, api) = app_with_client().await;
    set_faults(&base, emulator.dev_token(), serde_json::json!({ "failing_starts": ["shop"] })).await;
    let machine = api.create_machine("shop", &request("broken:1", "web")).await.unwrap();
    assert_eq!(wait_for(&api, &machine.id, WaitState::Failed).await, "failed");
    let no_token = reqwest::Client::new().get(format!("{base}/__emulator/faults")).send().await.unwrap();
    assert_eq!(no_token.status(), 401, "the control API takes the same tokens as /v1");
}

#[tokio::test]
async fn state_survives_a_restart_through_the_state_file() {
    use flightdeck::api::CreateVolumeRequest;
    let dir = std::env::temp_dir().join(format!("flightdeck-state-{}-{}", std::process::id(), line!()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state.json");
    let options = ServerOptions {
        token: Some("persist-token".into()),
        speed: 200.0,
        state_file: Some(state.clone()),
        ..ServerOptions::default()
    };

    let run = |options: ServerOptions| async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(flightdeck_server::serve(listener, options, async move {
            let _ = stopped.await;
        }));
        (base, stop, server)
    };

    let (base, stop, server) = run(options.clone()).await;
    let api = client(&base, "persist-token");
    api.create_app(&CreateAppRequest { name: "shop".into(), org_slug: "personal".into(), ..Default::default() })
        .await
        .unwrap();
    let volume = CreateVolumeRequest { name: "data".into(), region: "ams".into(), ..Default::default() };
    let volume = api.create_volume("shop", &volume).await.unwrap();
    let machine = api.create_machine("shop", &request("nginx:1.27", "web")).await.unwrap();
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    assert!(state.is_file(), "saved at shutdown");

    let (base, stop, server) = run(options).await;
    let api = client(&base, "persist-token");
    assert_eq!(api.list_apps("personal").await.unwrap()[0].name, "shop");
    assert_eq!(api.get_volume("shop", &volume.id).await.unwrap().name, "data");
    let again = api.get_machine("shop", &machine.id).await.unwrap();
    assert!(matches!(again.state, MachineState::Created | MachineState::Started), "settled on load: {:?}", again.state);
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn network_faults_and_counters() {
    let (emulator, base, api) = app_with_client().await;
    let machine = api.create_machine("shop", &request("nginx:1.27", "web")).await.unwrap();
    let token = emulator.dev_token().to_owned();

    // Every other request fails with 503: reads ride it out with retries, and the counters see it.
    set_faults(&base, &token, serde_json::json!({ "error_rate": 0.5 })).await;
    for _ in 0..4 {
        api.get_machine("shop", &machine.id).await.unwrap();
    }
    // A storm of 429s for mutations: the client gives up after its retries with a typed error.
    set_faults(&base, &token, serde_json::json!({ "rate_limit_storm": true })).await;
    let storm = api.machine_action("shop", &machine.id, MachineAction::Cordon, None).await.unwrap_err();
    assert_eq!(storm.code(), "rate_limited");

    // Dropped leases: the one held disappears, and a new one lasts a second whatever its TTL.
    set_faults(&base, &token, serde_json::json!({})).await;
    let lease = api.acquire_lease("shop", &machine.id, 60, "deploy", None).await.unwrap();
    set_faults(&base, &token, serde_json::json!({ "drop_leases": true })).await;
    let counters: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/__emulator/counters"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counters["leases_held"], 0, "{counters}");
    assert!(counters["injected_errors"].as_u64().unwrap() >= 2, "{counters}");
    assert!(counters["rate_limited"].as_u64().unwrap() >= 1, "{counters}");
    assert!(counters["requests"]["GET /v1/apps/{app_name}/machines/{id}"].as_u64().unwrap() >= 4, "{counters}");
    let short = api.acquire_lease("shop", &machine.id, 60, "deploy", None).await.unwrap();
    assert!(short.expires_at <= lease.expires_at - 50, "a dropped-lease world grants one second");
}

#[tokio::test]
async fn metadata_is_read_set_and_removed() {
    let (_emulator, _base, api) = app_with_client().await;
    let machine = api.create_machine("shop", &request("nginx:1.27", "web")).await.unwrap();
    api.set_machine_metadata("shop", &machine.id, "fly_process_group", "worker").await.unwrap();
    api.set_machine_metadata("shop", &machine.id, "team", "core").await.unwrap();
    let metadata = api.machine_metadata("shop", &machine.id).await.unwrap();
    assert_eq!((metadata["fly_process_group"].as_str(), metadata["team"].as_str()), ("worker", "core"));
    api.delete_machine_metadata("shop", &machine.id, "team").await.unwrap();
    assert!(!api.machine_metadata("shop", &machine.id).await.unwrap().contains_key("team"));
    assert_eq!(
        api.get_machine("shop", &machine.id).await.unwrap().process_group(),
        Some("worker"),
        "assigning a group is a metadata write"
    );
}

#[tokio::test]
async fn suspend_restart_and_signal_follow_flyds_lifecycle() {
    let (_emulator, _base, api) = app_with_client().await;
    let machine = api.create_machine("shop", &request("nginx:1.27", "web")).await.unwrap();
    wait_for(&api, &machine.id, WaitState::Started).await;

    api.signal_machine("shop", &machine.name, "SIGUSR1").await.unwrap();
    let bad = api.signal_machine("shop", &machine.id, "SIGWHATEVER").await.unwrap_err();
    assert!(matches!(bad, ApiError::BadRequest { .. }), "{bad:?}");

    api.machine_action("shop", &machine.id, MachineAction::Suspend, None).await.unwrap();
    assert_eq!(wait_for(&api, &machine.id, WaitState::Suspended).await, "suspended");
    let refused = api.signal_machine("shop", &machine.id, "SIGTERM").await.unwrap_err();
    assert!(matches!(refused, ApiError::PreconditionFailed { .. }), "a suspended machine has no process: {refused:?}");
    api.machine_action("shop", &machine.id, MachineAction::Start, None).await.unwrap();
    assert_eq!(wait_for(&api, &machine.id, WaitState::Started).await, "started");

    api.restart_machine("shop", &machine.id, Some("SIGINT"), None, None).await.unwrap();
    assert_eq!(wait_for(&api, &machine.id, WaitState::Started).await, "started");
    // Stopping a suspended machine drops its snapshot: stopped at once.
    api.machine_action("shop", &machine.id, MachineAction::Suspend, None).await.unwrap();
    wait_for(&api, &machine.id, WaitState::Suspended).await;
    api.stop_machine("shop", &machine.id, None, None, None).await.unwrap();
    assert_eq!(api.get_machine("shop", &machine.id).await.unwrap().state, MachineState::Stopped);

    let events: Vec<(String, String)> =
        api.machine_events("shop", &machine.id, 50).await.unwrap().into_iter().map(|e| (e.kind, e.status)).collect();
    for (kind, status) in [("signal", "SIGUSR1"), ("suspend", "suspended"), ("restart", "stopping")] {
        assert!(events.iter().any(|(k, s)| k == kind && s == status), "{kind} {status} missing from {events:?}");
    }
}

#[tokio::test]
async fn volumes_are_updated_in_place() {
    let (_emulator, _base, api) = app_with_client().await;
    let volume = api
        .create_volume(
            "shop",
            &flightdeck::api::CreateVolumeRequest { name: "data".into(), region: "syd".into(), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!((volume.snapshot_retention, volume.auto_backup_enabled), (Some(5), Some(true)));
    let update = flightdeck::api::UpdateVolumeRequest { snapshot_retention: Some(14), auto_backup_enabled: None };
    let updated = api.update_volume("shop", &volume.id, &update).await.unwrap();
    assert_eq!((updated.snapshot_retention, updated.auto_backup_enabled), (Some(14), Some(true)));
    let bad = flightdeck::api::UpdateVolumeRequest { snapshot_retention: Some(90), auto_backup_enabled: Some(false) };
    assert!(matches!(api.update_volume("shop", &volume.id, &bad).await.unwrap_err(), ApiError::BadRequest { .. }));
    assert_eq!(api.get_volume("shop", &volume.id).await.unwrap().snapshot_retention, Some(14));
}

async fn control(
    base: &str,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .request(method, format!("{base}/__emulator/{path}"))
        .header("authorization", format!("Bearer {token}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn the_control_api_seeds_apps_with_machines_and_volumes_and_sets_the_speed() {
    let (emulator, base) = start().await;
    let token = emulator.dev_token().to_owned();
    let seed = serde_json::json!({ "apps": [{
        "name": "seeded",
        "volumes": [{ "name": "data", "region": "fra" }],
        "machines": [
            { "region": "iad", "count": 4, "name": "web", "config": { "image": "nginx:1.27",
              "metadata": { "fly_process_group": "web" },
              "checks": { "alive": { "type": "tcp", "port": 8080 } } } },
            { "region": "fra", "state": "stopped", "config": { "image": "nginx:1.27",
              "metadata": { "fly_process_group": "db" }, "mounts": [{ "volume": "data", "path": "/data" }] } }
        ]
    }]});
    let (status, seeded) = control(&base, &token, reqwest::Method::POST, "seed", seed.clone()).await;
    assert_eq!(status, 201, "{seeded}");
    assert_eq!(seeded["apps"][0]["machines"].as_array().unwrap().len(), 5);

    let api = client(&base, &token);
    let machines = api.list_machines("seeded", &MachineFilter::default()).await.unwrap();
    let mut names: Vec<&str> = machines.iter().map(|m| m.name.as_str()).filter(|n| n.starts_with("web-")).collect();
    names.sort_unstable();
    assert_eq!((names, machines.len()), (vec!["web-1", "web-2", "web-3", "web-4"], 5));
    let web = api.get_machine("seeded", "web-2").await.unwrap();
    assert_eq!(web.state, MachineState::Started);
    assert_eq!(web.checks.iter().map(|c| c.status.as_str()).collect::<Vec<_>>(), ["passing"]);
    let volume_id = seeded["apps"][0]["volumes"]["data"].as_str().unwrap();
    let volume = api.get_volume("seeded", volume_id).await.unwrap();
    let db = machines.iter().find(|m| m.process_group() == Some("db")).unwrap();
    assert_eq!((volume.attached_machine_id.as_deref(), &db.state), (Some(db.id.as_str()), &MachineState::Stopped));

    // A second seed of the same app is refused whole; a bad one says why.
    let (status, _) = control(&base, &token, reqwest::Method::POST, "seed", seed).await;
    assert_eq!(status, 409);
    let bad = serde_json::json!({ "apps": [{ "name": "other", "machines": [{ "region": "iad", "config": {} }] }] });
    let (status, body) = control(&base, &token, reqwest::Method::POST, "seed", bad).await;
    assert_eq!(status, 400, "{body}");
    assert!(api.get_app("other").await.is_err(), "a refused seed creates nothing");

    let (status, speed) =
        control(&base, &token, reqwest::Method::PUT, "speed", serde_json::json!({ "speed": 50 })).await;
    assert_eq!((status, speed["speed"].as_f64()), (200, Some(50.0)));
    assert!((emulator.speed() - 50.0).abs() < f64::EPSILON);
    let (status, _) = control(&base, &token, reqwest::Method::PUT, "speed", serde_json::json!({ "speed": -1 })).await;
    assert_eq!(status, 400);
    let (status, _) = control(&base, "wrong-token", reqwest::Method::GET, "speed", serde_json::Value::Null).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn machines_given_no_name_get_one_no_live_machine_of_the_app_has() {
    let (emulator, base) = start().await;
    let token = emulator.dev_token().to_owned();
    // 1,000 unnamed machines seeded, then more created through the API without names: a name flyd picks is free, so
    // no create fails on it (a drawn name once repeated one already in use, and the create was refused with 409).
    let seed = serde_json::json!({ "apps": [{ "name": "fleet", "machines": [
        { "region": "iad", "count": 1000, "config": { "image": "nginx:1.27" } }
    ] }] });
    let (status, body) = control(&base, &token, reqwest::Method::POST, "seed", seed).await;
    assert_eq!(status, 201, "{body}");
    let api = client(&base, &token);
    for _ in 0..3 {
        let mut unnamed = request("nginx:1.27", "web");
        unnamed.name = None;
        api.create_machine("fleet", &unnamed).await.unwrap();
    }
    let machines = api.list_machines("fleet", &MachineFilter::default()).await.unwrap();
    let mut names: Vec<&str> = machines.iter().map(|m| m.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!((names.len(), machines.len()), (1003, 1003), "every name differs");
    assert!(names.iter().all(|n| n.split('-').count() == 3), "flyd's style: {:?}", &names[..3]);
}
