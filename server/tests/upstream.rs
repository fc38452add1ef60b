//! `--upstream`: `/v1` proxied to another Machines API. Against the emulator it behaves as the emulator; against a
//! recording server only the allowed headers cross, in either direction.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed step is a failed test

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use flightdeck::api::{AuthToken, CreateAppRequest, MachinesClient, NativeTransport};
use flightdeck_server::ServerOptions;
use flightdeck_server::emulator::Emulator;

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, router).into_future());
    base
}

async fn proxy_to(upstream: &str) -> String {
    let options = ServerOptions { upstream: Some(upstream.to_owned()), ..ServerOptions::default() };
    serve(flightdeck_server::router(Emulator::new(None).unwrap(), &options)).await
}

#[tokio::test]
async fn a_proxied_emulator_answers_as_the_emulator() {
    let options = ServerOptions::default();
    let emulator = Emulator::new(Some("real-token".into())).unwrap();
    let upstream = serve(flightdeck_server::router(emulator, &options)).await;
    let proxy = proxy_to(&format!("{upstream}/v1")).await;

    let api = MachinesClient::new(&proxy, AuthToken::new("real-token").unwrap(), NativeTransport::new()).unwrap();
    api.create_app(&CreateAppRequest { name: "via-proxy".into(), org_slug: "personal".into(), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(api.list_apps("personal").await.unwrap()[0].name, "via-proxy");
    let wrong = MachinesClient::new(&proxy, AuthToken::new("nope").unwrap(), NativeTransport::new()).unwrap();
    let error = wrong.list_apps("personal").await.unwrap_err();
    assert_eq!(error.code(), "unauthorized");
    assert!(error.request_id().is_some(), "fly-request-id comes back through the proxy");

    let session: serde_json::Value =
        reqwest::get(format!("{proxy}/__flightdeck/session")).await.unwrap().json().await.unwrap();
    assert_eq!(
        (session["mode"].as_str(), session["token"].is_null()),
        (Some("upstream"), true),
        "no token offered for a real API"
    );
    let control = reqwest::get(format!("{proxy}/__emulator/faults")).await.unwrap();
    assert_ne!(control.status(), 200, "no control API in front of a real API");
}

#[tokio::test]
async fn only_the_allowed_headers_cross_the_proxy() {
    let seen: Arc<Mutex<Option<HeaderMap>>> = Arc::default();
    let record = Arc::clone(&seen);
    let recorder = Router::new().fallback(move |headers: HeaderMap| {
        let record = Arc::clone(&record);
        async move {
            *record.lock().unwrap() = Some(headers);
            (
                StatusCode::CREATED,
                [("fly-request-id", "01REQ"), ("set-cookie", "session=secret"), ("content-type", "application/json")],
                "{}",
            )
                .into_response()
        }
    });
    let proxy = proxy_to(&serve(recorder).await).await;
    let response = reqwest::Client::new()
        .post(format!("{proxy}/v1/apps/shop/machines/m/lease?ttl=13"))
        .header("authorization", "Bearer tok")
        .header("fly-machine-lease-nonce", "n1")
        .header("cookie", "dashboard=private")
        .header("x-forwarded-for", "10.0.0.1")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["fly-request-id"], "01REQ");
    assert!(response.headers().get("set-cookie").is_none(), "cookies never come back");
    let headers = seen.lock().unwrap().clone().unwrap();
    assert_eq!(headers["authorization"], "Bearer tok");
    assert_eq!(headers["fly-machine-lease-nonce"], "n1");
    assert!(headers.get("cookie").is_none() && headers.get("x-forwarded-for").is_none(), "{headers:?}");
}
