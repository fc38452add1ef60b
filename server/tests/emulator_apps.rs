//! The core's native client against the emulator over real HTTP on loopback: apps, auth, isolation, errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed step is a failed test

use flightdeck::api::{ApiError, AuthToken, CreateAppRequest, MachinesClient, NativeTransport};
use flightdeck_server::ServerOptions;
use flightdeck_server::emulator::Emulator;

struct Running {
    base: String,
    emulator: Emulator,
}

async fn start(options: ServerOptions) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let emulator = Emulator::new(options.token.clone()).unwrap().with_speed(options.speed);
    let app = flightdeck_server::router(emulator.clone(), &options);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Running { base, emulator }
}

fn client(base: &str, token: &str) -> MachinesClient<NativeTransport> {
    MachinesClient::new(base, AuthToken::new(token).unwrap(), NativeTransport::new()).unwrap()
}

fn app(name: &str, org: &str) -> CreateAppRequest {
    CreateAppRequest { name: name.into(), org_slug: org.into(), ..Default::default() }
}

#[tokio::test]
async fn apps_are_created_listed_and_shown() {
    let server = start(ServerOptions::default()).await;
    let api = client(&server.base, server.emulator.dev_token());
    assert!(api.list_apps("personal").await.unwrap().is_empty());

    let created = api.create_app(&app("shop", "personal")).await.unwrap();
    assert_eq!(created.name, "shop");
    assert_eq!(created.id.len(), 16);
    assert_eq!(created.organization.as_ref().map(|o| o.slug.as_str()), Some("personal"));

    let listed = api.list_apps("personal").await.unwrap();
    assert_eq!(listed.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["shop"]);
    assert_eq!(listed[0].machine_count, Some(0));

    let shown = api.get_app("shop").await.unwrap();
    assert_eq!((shown.id, shown.status.as_deref()), (created.id, Some("pending")));
}

#[tokio::test]
async fn a_configured_token_is_used_in_either_scheme() {
    let server = start(ServerOptions { token: Some("FlyV1 fm2_secret".into()), ..Default::default() }).await;
    assert_eq!(server.emulator.dev_token(), "fm2_secret");
    let api = client(&server.base, "fm2_secret");
    api.create_app(&app("macaroon-app", "personal")).await.unwrap();
}

#[tokio::test]
async fn requests_without_a_valid_token_are_unauthorized() {
    let server = start(ServerOptions::default()).await;
    let error = client(&server.base, "wrong").list_apps("personal").await.unwrap_err();
    assert!(matches!(error, ApiError::Unauthorized { .. }), "{error:?}");
    assert!(error.request_id().is_some_and(|id| id.starts_with("01")), "every response carries fly-request-id");

    let bare = reqwest::get(format!("{}/v1/apps?org_slug=personal", server.base)).await.unwrap();
    assert_eq!(bare.status(), 401);
    let body: serde_json::Value = bare.json().await.unwrap();
    assert_eq!(body["error"], "Authenticate: token validation error");
}

#[tokio::test]
async fn other_orgs_apps_are_invisible_but_their_names_are_taken() {
    let server = start(ServerOptions::default()).await;
    server.emulator.add_org("acme", "acme-token");
    let mine = client(&server.base, server.emulator.dev_token());
    let theirs = client(&server.base, "acme-token");
    theirs.create_app(&app("acme-api", "acme")).await.unwrap();

    assert!(matches!(mine.get_app("acme-api").await, Err(ApiError::NotFound { .. })));
    assert!(matches!(mine.list_apps("acme").await, Err(ApiError::NotFound { .. })));
    assert!(matches!(mine.create_app(&app("x", "acme")).await, Err(ApiError::NotFound { .. })));
    assert!(mine.list_apps("personal").await.unwrap().is_empty());
    // App names are global across Fly.
    let taken = mine.create_app(&app("acme-api", "personal")).await.unwrap_err();
    assert!(matches!(taken, ApiError::NameTaken { .. }), "{taken:?}");
}

#[tokio::test]
async fn bad_requests_get_flys_error_shape() {
    let server = start(ServerOptions::default()).await;
    let api = client(&server.base, server.emulator.dev_token());
    let invalid = api.create_app(&app("Not_Valid", "personal")).await.unwrap_err();
    assert!(
        matches!(invalid, ApiError::BadRequest { ref message, .. } if message.contains("lowercase")),
        "{invalid:?}"
    );

    let http = reqwest::Client::new();
    let auth = format!("Bearer {}", server.emulator.dev_token());
    for (body, expected) in [("{not json", 400), ("[1]", 400), (r#"{"org_slug":"personal"}"#, 400)] {
        let response = http.post(format!("{}/v1/apps", server.base)).header("authorization", &auth).body(body).send();
        let response = response.await.unwrap();
        assert_eq!(response.status(), expected, "{body}");
        let error: serde_json::Value = response.json().await.unwrap();
        assert!(error["error"].is_string(), "{body}: {error}");
    }
    let missing_org = http.get(format!("{}/v1/apps", server.base)).header("authorization", &auth).send().await;
    assert_eq!(missing_org.unwrap().status(), 400);
}

#[tokio::test]
async fn the_session_endpoint_offers_the_emulators_token() {
    let server = start(ServerOptions::default()).await;
    let session: serde_json::Value =
        reqwest::get(format!("{}/__flightdeck/session", server.base)).await.unwrap().json().await.unwrap();
    assert_eq!(session["mode"], "emulator");
    assert_eq!(session["org_slug"], "personal");
    assert_eq!(session["token"], server.emulator.dev_token());
}

#[tokio::test]
async fn the_dashboard_is_served_with_client_side_routes() {
    let dir = std::env::temp_dir().join(format!("flightdeck-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>FD</title>").unwrap();
    std::fs::write(dir.join("app.wasm"), b"\0asm").unwrap();
    let server = start(ServerOptions { dashboard_dir: dir.clone(), ..Default::default() }).await;

    let deep_link = reqwest::get(format!("{}/apps/shop/machines", server.base)).await.unwrap();
    assert_eq!(deep_link.status(), 200);
    assert_eq!(deep_link.headers()["x-content-type-options"], "nosniff");
    assert_eq!(deep_link.headers()["cache-control"], "no-cache", "index.html is revalidated");
    assert!(deep_link.text().await.unwrap().contains("<title>FD</title>"));
    let wasm = reqwest::get(format!("{}/app.wasm", server.base)).await.unwrap();
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert!(wasm.headers().get("content-encoding").is_none(), "no gzipped copy, no encoding");

    // With a gzipped copy beside it, a client that accepts gzip gets the copy, marked as such; others the file.
    std::fs::write(dir.join("app.wasm.gz"), b"gzipped bytes").unwrap();
    let http = reqwest::Client::new();
    let gzipped = http.get(format!("{}/app.wasm", server.base)).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    assert_eq!(gzipped.headers()["vary"], "accept-encoding");
    assert_eq!(gzipped.headers()["content-type"], "application/wasm");
    assert_eq!(gzipped.bytes().await.unwrap().as_ref(), b"gzipped bytes");
    let plain =
        http.get(format!("{}/app.wasm", server.base)).header("accept-encoding", "identity").send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.unwrap().as_ref(), b"\0asm");

    // With a Brotli copy too, a browser that accepts both (Chromium sends "gzip, deflate, br, zstd") gets Brotli; one
    // that accepts only gzip still gets gzip; a q-value of 0 refuses an encoding.
    std::fs::write(dir.join("app.wasm.br"), b"brotli bytes").unwrap();
    let accept = |value: &'static str| http.get(format!("{}/app.wasm", server.base)).header("accept-encoding", value);
    let brotli = accept("gzip, deflate, br, zstd").send().await.unwrap();
    assert_eq!(brotli.headers()["content-encoding"], "br");
    assert_eq!(brotli.headers()["vary"], "accept-encoding");
    assert_eq!(brotli.headers()["content-type"], "application/wasm");
    assert_eq!(brotli.bytes().await.unwrap().as_ref(), b"brotli bytes");
    let gzip_only = accept("gzip").send().await.unwrap();
    assert_eq!(gzip_only.headers()["content-encoding"], "gzip");
    let brotli_refused = accept("br;q=0, gzip").send().await.unwrap();
    assert_eq!(brotli_refused.headers()["content-encoding"], "gzip");
    // A file with no Brotli copy falls back to its gzipped one.
    std::fs::write(dir.join("app.js"), b"plain js").unwrap();
    std::fs::write(dir.join("app.js.gz"), b"gzipped js").unwrap();
    let js = http.get(format!("{}/app.js", server.base)).header("accept-encoding", "gzip, br").send().await.unwrap();
    assert_eq!(js.headers()["content-encoding"], "gzip");
    assert_eq!(js.bytes().await.unwrap().as_ref(), b"gzipped js");

    // Trunk's content-hashed files are kept for good; a missing one is not cached at all.
    std::fs::write(dir.join("app-0123456789abcdef_bg.wasm"), b"\0asm").unwrap();
    let hashed = reqwest::get(format!("{}/app-0123456789abcdef_bg.wasm", server.base)).await.unwrap();
    assert_eq!(hashed.headers()["cache-control"], "public, max-age=31536000, immutable");
    let missing = reqwest::get(format!("{}/gone-0123456789abcdef.js", server.base)).await.unwrap();
    assert_eq!(missing.headers()["cache-control"], "no-cache", "index.html answers it, and is not kept");

    let unbuilt = start(ServerOptions { dashboard_dir: dir.join("missing"), ..Default::default() }).await;
    assert_eq!(reqwest::get(format!("{}/", unbuilt.base)).await.unwrap().status(), 503);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn the_demo_fleet_looks_like_real_apps_and_is_seeded_once() {
    use flightdeck::api::{MachineFilter, MachineState};
    let server = start(ServerOptions::default()).await;
    server.emulator.seed_demo_apps();
    server.emulator.seed_demo_apps();
    let api = client(&server.base, server.emulator.dev_token());
    let mut names: Vec<String> = api.list_apps("personal").await.unwrap().into_iter().map(|a| a.name).collect();
    names.sort();
    assert_eq!(names, ["demo-api", "demo-web", "demo-worker"]);

    let web = api.list_machines("demo-web", &MachineFilter::default()).await.unwrap();
    let count = |group: &str, region: &str| {
        web.iter().filter(|m| flightdeck::plan::group_of(m) == group && m.region == region).count()
    };
    // The seed thread's spread, with a worker group beside it; one web machine idle.
    assert_eq!((count("web", "iad"), count("web", "fra"), count("web", "syd"), count("web", "gru")), (4, 2, 1, 1));
    assert_eq!(count("worker", "iad"), 2);
    assert_eq!(web.iter().filter(|m| m.state == MachineState::Stopped).count(), 1);
    assert!(web.iter().all(flightdeck::plan::is_managed), "every machine is Fly Launch's");
    let mut names: Vec<&str> = web.iter().map(|m| m.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), web.len(), "names are unique");
    let config = flightdeck::plan::config_from_machines("demo-web", &web);
    assert_eq!(config.process_names(), ["web", "worker"]);

    let db = api.list_machines("demo-api", &MachineFilter::default()).await.unwrap();
    assert_eq!(db.len(), 1);
    let volumes = api.list_volumes("demo-api").await.unwrap();
    assert_eq!(volumes.len(), 1);
    assert_eq!(volumes[0].attached_machine_id.as_deref(), Some(db[0].id.as_str()));
    let queue = api.list_machines("demo-worker", &MachineFilter::default()).await.unwrap();
    assert_eq!(queue.iter().filter(|m| m.state == MachineState::Started).count(), 2);
}
