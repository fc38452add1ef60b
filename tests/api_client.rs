//! The client over a scripted transport: what it sends, in what order, and how it reads the answers.
#![cfg(not(target_arch = "wasm32"))] // tokio drives it; the wasm suites cover the fetch transport
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed step is a failed test

use std::collections::VecDeque;
use std::future::Future;
use std::sync::Mutex;

use flightdeck::api::transport::MaybeSend;
use flightdeck::api::{ApiError, AuthToken, HttpRequest, HttpResponse, MachinesClient, Transport, TransportError};

/// Answers each request with the next scripted response and records what was sent.
#[derive(Default)]
struct Script {
    replies: Mutex<VecDeque<(u16, String)>>,
    sent: Mutex<Vec<HttpRequest>>,
}

impl Script {
    fn new(replies: &[(u16, &str)]) -> Self {
        Self {
            replies: Mutex::new(replies.iter().map(|(s, b)| (*s, (*b).to_owned())).collect()),
            sent: Mutex::default(),
        }
    }

    fn sent(&self) -> Vec<HttpRequest> {
        self.sent.lock().unwrap().clone()
    }
}

impl Transport for Script {
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, TransportError>> + MaybeSend {
        self.sent.lock().unwrap().push(request);
        let next = self.replies.lock().unwrap().pop_front();
        async move {
            let (status, body) = next.ok_or_else(|| TransportError::Connect("no scripted reply left".into()))?;
            Ok(HttpResponse { status, headers: vec![], body: body.into_bytes() })
        }
    }
}

fn client(script: &Script) -> MachinesClient<&Script> {
    MachinesClient::new("https://api.machines.dev", AuthToken::new("t").unwrap(), script).unwrap()
}

const LIST: &str = r#"[{"id":"148ed599c14189","name":"web-1","state":"started","region":"ord"},
                      {"id":"3d8d413b29d089","name":"dup","state":"stopped","region":"syd"},
                      {"id":"5683d9e2fd4e48","name":"dup","state":"started","region":"syd"}]"#;

#[tokio::test]
async fn machine_names_resolve_through_one_summary_list() {
    let script = Script::new(&[(200, LIST), (200, r#"{"id":"148ed599c14189","name":"web-1","state":"started"}"#)]);
    let machine = client(&script).get_machine("shop", "web-1").await.unwrap();
    assert_eq!(machine.id, "148ed599c14189");
    let urls: Vec<String> = script.sent().iter().map(|r| r.url.clone()).collect();
    assert_eq!(
        urls,
        [
            "https://api.machines.dev/v1/apps/shop/machines?summary=true",
            "https://api.machines.dev/v1/apps/shop/machines/148ed599c14189"
        ]
    );
}

#[tokio::test]
async fn ids_are_used_as_they_are_and_unknown_or_ambiguous_names_are_errors() {
    let script = Script::new(&[(200, r#"{"id":"3d8d413b29d089","state":"stopped"}"#)]);
    client(&script).get_machine("shop", "3d8d413b29d089").await.unwrap();
    assert_eq!(script.sent().len(), 1, "an id needs no lookup");

    let script = Script::new(&[(200, LIST), (200, LIST)]);
    let api = client(&script);
    assert!(matches!(api.machine_id("shop", "nope").await, Err(ApiError::UnknownMachine { .. })));
    let ambiguous = api.machine_id("shop", "dup").await.unwrap_err();
    assert_eq!(ambiguous.to_string(), "2 machines of app shop are named \"dup\": use a machine id");
}

#[tokio::test]
async fn lease_flow_sends_the_nonce_and_releases() {
    let script = Script::new(&[
        (201, r#"{"status":"success","data":{"nonce":"abc","expires_at":1,"owner":"me"}}"#),
        (200, r#"{"ok":true}"#),
        (200, r#"{"status":"success","data":{"ok":true}}"#),
    ]);
    let api = client(&script);
    let lease = api.acquire_lease("shop", "148ed599c14189", 13, "deploy", None).await.unwrap();
    api.machine_action("shop", "148ed599c14189", flightdeck::api::MachineAction::Start, Some(&lease.nonce))
        .await
        .unwrap();
    api.release_lease("shop", "148ed599c14189", &lease.nonce).await.unwrap();
    let sent = script.sent();
    assert_eq!(sent[0].header("fly-machine-lease-nonce"), None);
    assert_eq!(sent[1].header("fly-machine-lease-nonce"), Some("abc"));
    assert_eq!(
        (sent[2].method, sent[2].header("fly-machine-lease-nonce")),
        (flightdeck::api::Method::Delete, Some("abc"))
    );
}

#[tokio::test]
async fn a_held_lease_names_its_owner() {
    let script = Script::new(&[(
        409,
        r#"{"error":"machine ID 148ed599c14189 lease currently held by ci@tokens.fly.io, expires at 2026-11-26T18:00:00Z"}"#,
    )]);
    let error = client(&script).acquire_lease("shop", "148ed599c14189", 13, "deploy", None).await.unwrap_err();
    assert!(matches!(error, ApiError::LeaseHeld { ref owner, .. } if owner == "ci@tokens.fly.io"), "{error:?}");
}
