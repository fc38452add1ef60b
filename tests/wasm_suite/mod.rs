//! The wasm test suite, shared by `wasm_node.rs` (Node) and `wasm_browser.rs` (headless Chromium): the same core
//! code and the fetch transport, against the emulator over real HTTP.
//!
//! `scripts/test` starts `flightdeck-server --allow-cross-origin` and sets FLIGHTDECK_TEST_EMULATOR (base URL) and
//! FLIGHTDECK_TEST_TOKEN at compile time; without them the emulator tests fail and say so.

use std::time::Duration;

use flightdeck::api::{
    ApiError, AuthToken, BaseUrl, CreateAppRequest, FetchTransport, HttpResponse, MachinesClient, request, response,
};
use wasm_bindgen_test::wasm_bindgen_test;

fn emulator() -> (&'static str, &'static str) {
    match (option_env!("FLIGHTDECK_TEST_EMULATOR"), option_env!("FLIGHTDECK_TEST_TOKEN")) {
        (Some(url), Some(token)) => (url, token),
        _ => panic!(
            "set FLIGHTDECK_TEST_EMULATOR and FLIGHTDECK_TEST_TOKEN when building the wasm tests (scripts/test does)"
        ),
    }
}

fn client(token: &str) -> MachinesClient<FetchTransport> {
    let (url, _) = emulator();
    MachinesClient::new(url, AuthToken::new(token).unwrap(), FetchTransport).unwrap()
}

/// A name no other run or layer uses, so the suite can run against a shared emulator.
fn unique_name(prefix: &str) -> String {
    format!("{prefix}-{}", (js_sys::Math::random() * 1e12) as u64)
}

#[wasm_bindgen_test]
fn tokens_normalise_the_same_in_wasm() {
    assert_eq!(AuthToken::new("Bearer abc").unwrap().header_value(), "Bearer abc");
    assert_eq!(AuthToken::new("fm2_x,fm1r_y").unwrap().header_value(), "FlyV1 fm2_x,fm1r_y");
    assert!(AuthToken::new("a\nb").is_err());
}

#[wasm_bindgen_test]
fn requests_and_responses_are_plain_data() {
    let base = BaseUrl::parse("https://api.machines.dev/v1").unwrap();
    let token = AuthToken::new("t").unwrap();
    assert_eq!(request::list_apps(&base, &token, "personal").url, "https://api.machines.dev/v1/apps?org_slug=personal");
    let reply = HttpResponse { status: 429, headers: vec![("retry-after".into(), "2".into())], body: b"{}".to_vec() };
    let error = response::list_apps(&reply).unwrap_err();
    assert!(matches!(error, ApiError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(2)));
}

#[wasm_bindgen_test]
async fn fetch_transport_creates_and_lists_apps_on_the_emulator() {
    let (_, token) = emulator();
    let api = client(token);
    let name = unique_name("wasm");
    let request = CreateAppRequest { name: name.clone(), org_slug: "personal".into(), ..Default::default() };
    let created = api.create_app(&request).await.unwrap();
    assert_eq!(created.name, name);
    let apps = api.list_apps("personal").await.unwrap();
    assert!(apps.iter().any(|a| a.name == name && a.id == created.id), "{apps:?}");
}

#[wasm_bindgen_test]
async fn fetch_transport_maps_http_errors_with_request_ids() {
    let error = client("not-the-token").list_apps("personal").await.unwrap_err();
    assert!(matches!(error, ApiError::Unauthorized { .. }), "{error:?}");
    assert!(error.request_id().is_some(), "fly-request-id must be readable (exposed to the page)");

    let (_, token) = emulator();
    let missing = client(token).get_app(&unique_name("missing")).await.unwrap_err();
    assert_eq!((missing.code(), missing.status()), ("not_found", Some(404)));
}

#[wasm_bindgen_test]
async fn fetch_transport_reports_unreachable_servers_as_transport_errors() {
    // Port 9 (discard) is closed on loopback here; fetch rejects without a response.
    let api = MachinesClient::new("http://127.0.0.1:9", AuthToken::new("t").unwrap(), FetchTransport).unwrap();
    let error = api.with_timeout(Duration::from_secs(5)).list_apps("personal").await.unwrap_err();
    assert!(matches!(error, ApiError::Transport(_)), "{error:?}");
}

#[wasm_bindgen_test]
fn validation_gives_the_same_findings_and_positions_in_wasm() {
    use flightdeck::diagnostics::locate;
    let source = "app = \"café-😀\"\n[http_service]\n  internal_prot = 8080\n[deploy]\nstrategy = \"canary\"\n[mounts]\nsource = \"d\"\ndestination = \"/d\"\n";
    let report = flightdeck::config::validate(source);
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["internal-port-missing", "unknown-key", "canary-with-mounts"]);
    let located = locate(source, &report.diagnostics);
    let unknown = &located[1];
    // Line 1 is 15 UTF-16 units (é is one, 😀 two) plus its newline; line 2 is 15 more; then two spaces.
    assert_eq!((unknown.start.line, unknown.start.column, unknown.start.utf16), (3, 3, 33));
    let machine = report.config.machine_config("app", None).unwrap();
    assert_eq!(machine.mounts[0].path, "/d");
}

#[wasm_bindgen_test]
async fn fetch_transport_drives_a_machine_through_a_lease() {
    use flightdeck::api::{MachineAction, MachineRequest, WaitFor, WaitState};
    use flightdeck::machine::MachineConfig;
    let (_, token) = emulator();
    let api = client(token);
    let app = unique_name("wasm-machines");
    api.create_app(&CreateAppRequest { name: app.clone(), org_slug: "personal".into(), ..Default::default() })
        .await
        .unwrap();
    let request = MachineRequest {
        region: Some("ams".into()),
        config: MachineConfig { image: "nginx:1.27".into(), ..MachineConfig::default() },
        ..MachineRequest::default()
    };
    let machine = api.create_machine(&app, &request).await.unwrap();
    let started = WaitFor { states: &[WaitState::Started], version: None, from_event_id: None, timeout_secs: 20 };
    assert_eq!(api.wait_machine(&app, &machine.id, &started).await.unwrap().state.as_deref(), Some("started"));

    let lease = api.acquire_lease(&app, &machine.id, 30, "wasm", None).await.unwrap();
    let without_nonce = api.machine_action(&app, &machine.id, MachineAction::Cordon, None).await.unwrap_err();
    assert_eq!(without_nonce.code(), "lease_held");
    api.machine_action(&app, &machine.id, MachineAction::Cordon, Some(&lease.nonce)).await.unwrap();
    api.release_lease(&app, &machine.id, &lease.nonce).await.unwrap();
    api.destroy_machine(&app, &machine.id, true, None).await.unwrap();
}

#[wasm_bindgen_test]
async fn fetch_transport_sleeps_on_the_hosts_timer_and_reads_a_monotonic_clock() {
    use flightdeck::api::Transport;
    let transport = FetchTransport;
    let before = transport.now_ms();
    transport.sleep(Duration::from_millis(60)).await;
    let elapsed = transport.now_ms() - before;
    assert!((55.0..5_000.0).contains(&elapsed), "slept {elapsed} ms");
}

/// The engine is runtime-agnostic: the same first deploy and rolling update, driven from wasm through the fetch
/// transport and the host's timers.
#[wasm_bindgen_test]
async fn the_engine_deploys_from_wasm() {
    use flightdeck::engine::{self, AppSnapshot, Cancel, EngineOptions, Event};
    use flightdeck::plan::{DeployOptions, plan_deploy};
    let (_, token) = emulator();
    let api = client(token);
    let app = unique_name("wasm-deploy");
    api.create_app(&CreateAppRequest { name: app.clone(), org_slug: "personal".into(), ..Default::default() })
        .await
        .unwrap();
    let fly_toml = |image: &str| {
        format!(
            "app = '{app}'\nprimary_region = 'syd'\n[build]\nimage = '{image}'\n[http_service]\ninternal_port = 8080\n"
        )
    };
    let options = EngineOptions {
        smoke_window: Duration::from_millis(100),
        poll_interval: Duration::from_millis(50),
        ..EngineOptions::default()
    };
    let lines = std::cell::RefCell::new(Vec::new());
    let sink = |event: Event| lines.borrow_mut().extend(event.line());
    for image in ["registry.fly.io/app:v1", "registry.fly.io/app:v2"] {
        let config = flightdeck::config::parse(&fly_toml(image)).config;
        let snapshot = AppSnapshot::read(&api, &app).await.unwrap();
        let plan = plan_deploy(&snapshot.deploy_input(&app, &config), &DeployOptions::default()).unwrap();
        let report = engine::run(&api, &plan, &options, &sink, &Cancel::default()).await;
        assert!(report.is_ok(), "{report:?}\n{}", lines.borrow().join("\n"));
    }
    let machines = AppSnapshot::read(&api, &app).await.unwrap().machines;
    assert_eq!(machines.len(), 2);
    assert!(machines.iter().all(|m| m.config.as_ref().unwrap().image.ends_with(":v2")));
    assert!(lines.borrow().iter().any(|l| l.contains("update finished: success")));
}
