//! Contract tests against the Machines API spec (../shared/data/machines-openapi.json, Swagger 2.0, March 2024):
//! the requests the client builds and the responses the emulator returns must fit the spec's definitions — types,
//! references, arrays, enums — and use no property the spec lacks, except the listed ones, each with its reason
//! (machines-api.md §11 where the live API differs, or fields added after this copy of the spec).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed step is a failed test

use std::collections::BTreeMap;
use std::path::PathBuf;

use flightdeck::api::{
    AuthToken, BaseUrl, CreateAppRequest, CreateVolumeRequest, MachineRequest, MachinesClient, NativeTransport,
    WaitFor, WaitState, machines, request, volumes,
};
use flightdeck::duration::GoDuration;
use flightdeck_server::ServerOptions;
use flightdeck_server::emulator::Emulator;
use serde_json::Value;

fn spec() -> Value {
    let root = std::env::var_os("FLIGHTDECK_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data"));
    serde_json::from_str(&std::fs::read_to_string(root.join("machines-openapi.json")).unwrap()).unwrap()
}

/// `(definition, property)` pairs the live API has and this spec copy lacks or types differently, with why.
const ALLOWED: &[(&str, &str, &str)] = &[
    ("fly.Duration", "*", "§11 #10: durations travel as Go strings (\"10s\"); the spec models time.Duration"),
    ("fly.MachineService", "autostop", "§11 #9: false, true or \"suspend\"; the spec says boolean"),
    ("main.statusCode", "*", "§1.4: the live API also answers name_taken and volume_placement_capacity"),
    ("CreateAppRequest", "name", "§11 #1: current API and flyctl send name (app_name is sent too)"),
    ("Machine", "version", "flyctl's fly.Machine: the same as instance_id"),
    ("Machine", "cordoned", "newer API: machines expose cordoned"),
    ("Machine", "host_status", "newer API: ok | unknown | unreachable"),
    ("Machine", "lease", "newer API: include_leases=true"),
    ("Volume", "auto_backup_enabled", "newer API: scheduled snapshots"),
    ("Volume", "host_status", "newer API"),
    ("CreateVolumeRequest", "auto_backup_enabled", "newer API: scheduled snapshots"),
    ("fly.MachineCheck", "kind", "newer API: informational | readiness"),
    ("fly.Static", "index_document", "newer API, written by flyctl (Tigris statics)"),
    ("ListApp", "volume_count", "machines-api.md §3.1: the live list shows volume_count"),
];

fn allowed(definition: &str, property: &str) -> bool {
    ALLOWED.iter().any(|(d, p, _)| *d == definition && (*p == "*" || *p == property))
}

struct Checker {
    spec: Value,
    errors: Vec<String>,
}

impl Checker {
    fn definition(&self, reference: &str) -> (String, Value) {
        let name = reference.trim_start_matches("#/definitions/").to_owned();
        let schema = self.spec["definitions"][&name].clone();
        assert!(!schema.is_null(), "no definition {name}");
        (name, schema)
    }

    fn check(&mut self, definition: &str, schema: &Value, value: &Value, path: &str) {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let (name, schema) = self.definition(reference);
            if allowed(&name, "*") {
                return;
            }
            return self.check(&name, &schema, value, path);
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for part in all.clone() {
                self.check(definition, &part, value, path);
            }
            return;
        }
        if value.is_null() {
            return; // absent optional values
        }
        let kind = schema.get("type").and_then(Value::as_str).unwrap_or("");
        let fits = match kind {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            _ => true,
        };
        if !fits {
            let property = path.rsplit('.').next().unwrap_or("");
            if !allowed(definition, property) {
                self.errors.push(format!("{path}: {value} is not {kind} ({definition})"));
            }
            return;
        }
        if let Some(options) = schema.get("enum").and_then(Value::as_array)
            && !options.contains(value)
        {
            self.errors.push(format!("{path}: {value} is not one of {options:?} ({definition})"));
        }
        match (kind, value) {
            ("object", Value::Object(fields)) => {
                let properties = schema.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
                for (key, field) in fields {
                    match properties.get(key) {
                        Some(property) => self.check(definition, property, field, &format!("{path}.{key}")),
                        None if properties.is_empty() || allowed(definition, key) => {}
                        None => self.errors.push(format!("{path}.{key}: not in the spec's {definition}")),
                    }
                }
            }
            ("array", Value::Array(items)) => {
                if let Some(item) = schema.get("items") {
                    for (i, entry) in items.iter().enumerate() {
                        self.check(definition, item, entry, &format!("{path}[{i}]"));
                    }
                }
            }
            _ => {}
        }
    }
}

fn conforms(spec: &Value, definition: &str, value: &Value) -> Vec<String> {
    let mut checker = Checker { spec: spec.clone(), errors: Vec::new() };
    let schema = json_ref(definition);
    checker.check(definition, &schema, value, definition);
    checker.errors
}

fn json_ref(definition: &str) -> Value {
    serde_json::json!({ "$ref": format!("#/definitions/{definition}") })
}

fn body(request: &flightdeck::api::HttpRequest) -> Value {
    serde_json::from_slice(request.body.as_deref().unwrap()).unwrap()
}

fn shared(relative: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
    std::fs::read_to_string(root.join(relative)).unwrap()
}

/// A realistic machine config: flyctl's tomachine.toml fixture through our converter.
fn full_machine_config() -> flightdeck::machine::MachineConfig {
    let mut config = flightdeck::config::parse(&shared("flyctl-testdata/tomachine.toml"))
        .config
        .machine_config("app", None)
        .unwrap();
    config.image = "registry.fly.io/shop:deployment-1".into();
    config.guest =
        Some(flightdeck::config::Guest { cpu_kind: "shared".into(), cpus: 1, memory_mb: 256, ..Default::default() });
    config
}

#[test]
fn the_requests_the_client_builds_fit_the_spec() {
    let spec = spec();
    let base = BaseUrl::parse("https://api.machines.dev").unwrap();
    let token = AuthToken::new("t").unwrap();
    let machine = MachineRequest {
        name: Some("web-1".into()),
        region: Some("ord".into()),
        config: full_machine_config(),
        lease_ttl: Some(13),
        ..Default::default()
    };
    let mut checks: Vec<(&str, Value)> = vec![
        ("CreateMachineRequest", body(&machines::request::create(&base, &token, "shop", &machine).unwrap())),
        (
            "UpdateMachineRequest",
            body(
                &machines::request::update(
                    &base,
                    &token,
                    "shop",
                    "m",
                    &MachineRequest { current_version: Some("01H".into()), ..machine.clone() },
                    None,
                )
                .unwrap(),
            ),
        ),
        (
            "StopRequest",
            body(
                &machines::request::stop(
                    &base,
                    &token,
                    "shop",
                    "m",
                    Some("SIGTERM"),
                    Some(GoDuration::from_secs(10)),
                    None,
                )
                .unwrap(),
            ),
        ),
        (
            "CreateLeaseRequest",
            body(&machines::request::acquire_lease(&base, &token, "shop", "m", 13, "deploy", None).unwrap()),
        ),
        ("SignalRequest", body(&machines::request::signal(&base, &token, "shop", "m", "SIGUSR1").unwrap())),
        (
            "CreateAppRequest",
            body(
                &request::create_app(
                    &base,
                    &token,
                    &CreateAppRequest { name: "shop".into(), org_slug: "personal".into(), ..Default::default() },
                )
                .unwrap(),
            ),
        ),
        (
            "CreateVolumeRequest",
            body(
                &volumes::request::create(
                    &base,
                    &token,
                    "shop",
                    &CreateVolumeRequest {
                        name: "data".into(),
                        region: "ord".into(),
                        size_gb: Some(10),
                        snapshot_retention: Some(5),
                        auto_backup_enabled: Some(true),
                        ..Default::default()
                    },
                )
                .unwrap(),
            ),
        ),
        ("ExtendVolumeRequest", body(&volumes::request::extend(&base, &token, "shop", "vol_x", 20).unwrap())),
        // Sent as PUT, as flyctl does; the spec's operation is a POST with the same body.
        (
            "UpdateVolumeRequest",
            body(
                &volumes::request::update(
                    &base,
                    &token,
                    "shop",
                    "vol_x",
                    &volumes::UpdateVolumeRequest { snapshot_retention: Some(10), auto_backup_enabled: Some(false) },
                )
                .unwrap(),
            ),
        ),
    ];
    let mut errors = Vec::new();
    for (definition, value) in checks.drain(..) {
        errors.extend(conforms(&spec, definition, &value));
    }
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn the_checker_catches_wrong_types_and_unknown_fields() {
    let spec = spec();
    let wrong = serde_json::json!({ "config": { "image": 5, "guest": { "cpus": "one" } }, "skip_lunch": true });
    let errors = conforms(&spec, "CreateMachineRequest", &wrong);
    assert_eq!(errors.len(), 3, "{errors:#?}");
}

#[tokio::test]
async fn the_responses_the_emulator_returns_fit_the_spec() {
    let spec = spec();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let options = ServerOptions { speed: 200.0, ..ServerOptions::default() };
    let emulator = Emulator::new(Some("contract".into())).unwrap().with_speed(options.speed);
    tokio::spawn(axum::serve(listener, flightdeck_server::router(emulator, &options)).into_future());
    let api = MachinesClient::new(&base, AuthToken::new("contract").unwrap(), NativeTransport::new()).unwrap();
    api.create_app(&CreateAppRequest { name: "shop".into(), org_slug: "personal".into(), ..Default::default() })
        .await
        .unwrap();
    let volume = api
        .create_volume("shop", &CreateVolumeRequest { name: "data".into(), region: "ord".into(), ..Default::default() })
        .await
        .unwrap();
    let mut config = full_machine_config();
    config.mounts = vec![flightdeck::machine::MachineMount {
        volume: volume.id.clone(),
        path: "/data".into(),
        ..Default::default()
    }];
    let machine = api
        .create_machine("shop", &MachineRequest { region: Some("ord".into()), config, ..Default::default() })
        .await
        .unwrap();
    api.wait_until(
        "shop",
        &machine.id,
        &WaitFor { states: &[WaitState::Started], version: None, from_event_id: None, timeout_secs: 10 },
        std::time::Duration::from_secs(10),
    )
    .await
    .unwrap();
    let lease = api.acquire_lease("shop", &machine.id, 30, "contract", None).await.unwrap();

    let http = reqwest::Client::new();
    let get = |path: String| {
        let http = http.clone();
        async move { http.get(path).bearer_auth("contract").send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let mut responses: BTreeMap<&str, (&str, Value)> = BTreeMap::new();
    responses.insert("list apps", ("ListAppsResponse", get(format!("{base}/v1/apps?org_slug=personal")).await));
    responses.insert("app", ("App", get(format!("{base}/v1/apps/shop")).await));
    responses.insert("machine", ("Machine", get(format!("{base}/v1/apps/shop/machines/{}", machine.id)).await));
    responses.insert("volume", ("Volume", get(format!("{base}/v1/apps/shop/volumes/{}", volume.id)).await));
    let lease_json = get(format!("{base}/v1/apps/shop/machines/{}/lease", machine.id)).await;
    responses.insert("lease (inside §11 #5's envelope)", ("Lease", lease_json["data"].clone()));
    responses.insert("error", ("ErrorResponse", get(format!("{base}/v1/apps/shop/machines/nope")).await));
    let mut errors = Vec::new();
    for (what, (definition, value)) in &responses {
        errors.extend(conforms(&spec, definition, value).into_iter().map(|e| format!("{what}: {e}")));
    }
    for (i, machine) in get(format!("{base}/v1/apps/shop/machines")).await.as_array().unwrap().iter().enumerate() {
        errors.extend(conforms(&spec, "Machine", machine).into_iter().map(|e| format!("list[{i}]: {e}")));
    }
    for event in get(format!("{base}/v1/apps/shop/machines/{}/events", machine.id)).await.as_array().unwrap() {
        errors.extend(conforms(&spec, "MachineEvent", event));
    }
    assert!(errors.is_empty(), "{errors:#?}");
    api.release_lease("shop", &machine.id, &lease.nonce).await.unwrap();
}
