//! The client over a scripted transport: what it sends, in what order, and how it reads the answers.
#![cfg(not(target_arch = "wasm32"))] // tokio drives it; the wasm suites cover the fetch transport
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed step is a failed test

use std::collections::VecDeque;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use flightdeck::api::transport::MaybeSend;
use flightdeck::api::{ApiError, AuthToken, HttpRequest, HttpResponse, MachinesClient, Transport, TransportError};

/// Answers each request with the next scripted response and records what was sent, on a virtual clock: `sleep`
/// returns at once and moves the clock; a wait answered 408 moves it by the wait's timeout, as a server holding the
/// call would.
/// A scripted answer: status, headers, body.
type Reply = (u16, Vec<(String, String)>, String);

#[derive(Default)]
struct Script {
    replies: Mutex<VecDeque<Reply>>,
    sent: Mutex<Vec<HttpRequest>>,
    clock_ms: Mutex<f64>,
    slept: Mutex<Vec<Duration>>,
}

impl Script {
    fn new(replies: &[(u16, &str)]) -> Self {
        let replies = replies.iter().map(|(s, b)| (*s, Vec::new(), (*b).to_owned())).collect();
        Self { replies: Mutex::new(replies), ..Self::default() }
    }

    fn with_header(self, index: usize, name: &str, value: &str) -> Self {
        self.replies.lock().unwrap()[index].1.push((name.to_owned(), value.to_owned()));
        self
    }

    fn sent(&self) -> Vec<HttpRequest> {
        self.sent.lock().unwrap().clone()
    }

    fn slept(&self) -> Vec<Duration> {
        self.slept.lock().unwrap().clone()
    }
}

impl Transport for Script {
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, TransportError>> + MaybeSend {
        let next = self.replies.lock().unwrap().pop_front();
        if let (Some((408, _, _)), Some(query)) = (&next, request.url.split_once("/wait?").map(|(_, q)| q)) {
            let held: f64 =
                query.split('&').find_map(|p| p.strip_prefix("timeout=")).and_then(|t| t.parse().ok()).unwrap_or(0.0);
            *self.clock_ms.lock().unwrap() += held * 1000.0;
        }
        self.sent.lock().unwrap().push(request);
        async move {
            let (status, headers, body) =
                next.ok_or_else(|| TransportError::Connect("no scripted reply left".into()))?;
            Ok(HttpResponse { status, headers, body: body.into_bytes() })
        }
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + MaybeSend {
        *self.clock_ms.lock().unwrap() += duration.as_secs_f64() * 1000.0;
        self.slept.lock().unwrap().push(duration);
        std::future::ready(())
    }

    fn now_ms(&self) -> f64 {
        *self.clock_ms.lock().unwrap()
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

const BUSY: (u16, &str) = (503, r#"{"error":"busy"}"#);

#[tokio::test]
async fn reads_are_retried_with_growing_jittered_backoff() {
    let script = Script::new(&[BUSY, BUSY, (200, "[]")]);
    assert!(
        client(&script).list_machines("shop", &flightdeck::api::MachineFilter::default()).await.unwrap().is_empty()
    );
    assert_eq!(script.sent().len(), 3);
    let slept = script.slept();
    let policy = flightdeck::api::RetryPolicy::default();
    assert!(slept[0] >= policy.base / 2 && slept[0] <= policy.base, "{slept:?}");
    assert!(slept[1] >= policy.base && slept[1] <= policy.base * 2, "{slept:?}");
}

#[tokio::test]
async fn reads_give_up_after_the_policys_attempts_and_never_retry_client_errors() {
    let script = Script::new(&[BUSY, BUSY, BUSY, BUSY, BUSY]);
    let error = client(&script).get_app("shop").await.unwrap_err();
    assert_eq!((error.status(), script.sent().len()), (Some(503), 4));

    let script = Script::new(&[(400, r#"{"error":"bad"}"#), (200, "{}")]);
    assert_eq!(client(&script).get_app("shop").await.unwrap_err().code(), "bad_request");
    assert_eq!(script.sent().len(), 1);
}

#[tokio::test]
async fn rate_limits_wait_for_retry_after() {
    let script = Script::new(&[(429, r#"{"error":"rate limited"}"#), (200, r#"{"apps":[]}"#)]).with_header(
        0,
        "retry-after",
        "2",
    );
    client(&script).list_apps("personal").await.unwrap();
    assert_eq!(script.slept(), [Duration::from_secs(2)]);
}

#[tokio::test]
async fn a_lost_create_is_looked_up_by_name_not_repeated() {
    use flightdeck::api::MachineRequest;
    let mut request = MachineRequest { name: Some("web-1".into()), ..MachineRequest::default() };
    request.config.image = "nginx".into();
    let script =
        Script::new(&[BUSY, (200, LIST), (200, r#"{"id":"148ed599c14189","name":"web-1","state":"created"}"#)]);
    let machine = client(&script).create_machine("shop", &request).await.unwrap();
    assert_eq!(machine.id, "148ed599c14189");
    let posts = script.sent().iter().filter(|r| r.method == flightdeck::api::Method::Post).count();
    assert_eq!(posts, 1, "the create is never sent twice");

    let unnamed = MachineRequest { name: None, ..request };
    let script = Script::new(&[BUSY]);
    assert_eq!(client(&script).create_machine("shop", &unnamed).await.unwrap_err().status(), Some(503));
    assert_eq!(script.sent().len(), 1);
}

#[tokio::test]
async fn waits_loop_through_server_timeouts_until_the_deadline() {
    use flightdeck::api::{WaitFor, WaitState};
    let timeout =
        (408, r#"{"error":"deadline_exceeded: machine failed to reach desired state, started, currently starting"}"#);
    let wait = WaitFor { states: &[WaitState::Started], version: None, from_event_id: None, timeout_secs: 60 };

    let script = Script::new(&[timeout, timeout, (200, r#"{"ok":true,"state":"started"}"#)]);
    let done = client(&script).wait_until("shop", "148ed599c14189", &wait, Duration::from_secs(300)).await.unwrap();
    assert_eq!(done.state.as_deref(), Some("started"));
    assert_eq!(script.sent().len(), 3);
    assert!(script.slept().is_empty(), "a held wait needs no backoff");

    let script = Script::new(&[timeout, timeout, timeout]);
    let error = client(&script).wait_until("shop", "148ed599c14189", &wait, Duration::from_secs(90)).await.unwrap_err();
    assert_eq!(error.code(), "timeout");
    let timeouts: Vec<String> = script
        .sent()
        .iter()
        .map(|r| r.url.split("timeout=").nth(1).unwrap().split('&').next().unwrap().to_owned())
        .collect();
    assert_eq!(timeouts, ["60", "30"], "each call asks for at most what is left");
}

#[tokio::test]
async fn the_client_paces_itself_to_the_apis_rate_limits() {
    use flightdeck::api::MachineAction;
    let ok = (200, r#"{"ok":true}"#);
    let script = Script::new(&[ok, ok, ok, ok, ok, ok]);
    let api = client(&script);
    for _ in 0..4 {
        api.machine_action("shop", "148ed599c14189", MachineAction::Cordon, None).await.unwrap();
    }
    // A burst of 3, then one a second (plus a small margin against arrival jitter).
    assert_eq!(script.slept(), [Duration::from_millis(1050)], "a burst of 3, then one a second");
    api.machine_action("shop", "148ed599c14189", MachineAction::Uncordon, None).await.unwrap();
    api.machine_action("shop", "3d8d413b29d089", MachineAction::Cordon, None).await.unwrap();
    assert_eq!(script.slept().len(), 1, "other actions and other machines have their own buckets");
}

#[tokio::test]
async fn mutations_retry_only_a_rate_limit() {
    use flightdeck::api::MachineAction;
    let script =
        Script::new(&[(429, r#"{"error":"slow down"}"#), (200, r#"{"ok":true}"#)]).with_header(0, "retry-after", "1");
    client(&script).machine_action("shop", "148ed599c14189", MachineAction::Start, None).await.unwrap();
    assert_eq!(script.sent().len(), 2);
    let script = Script::new(&[BUSY, (200, r#"{"ok":true}"#)]);
    let error = client(&script).machine_action("shop", "148ed599c14189", MachineAction::Start, None).await.unwrap_err();
    assert_eq!((error.status(), script.sent().len()), (Some(503), 1), "a 503 may have acted: not repeated");
}

#[tokio::test]
async fn every_machine_method_takes_a_name_too() {
    use flightdeck::api::MachineAction;
    let script = Script::new(&[(200, LIST), (200, r#"{"ok":true}"#), (200, r#"{"ok":true}"#)]);
    let api = client(&script);
    api.machine_action("shop", "web-1", MachineAction::Cordon, None).await.unwrap();
    api.machine_action("shop", "148ed599c14189", MachineAction::Uncordon, None).await.unwrap();
    let urls: Vec<String> = script.sent().iter().map(|r| r.url.clone()).collect();
    assert_eq!(
        urls,
        [
            "https://api.machines.dev/v1/apps/shop/machines?summary=true",
            "https://api.machines.dev/v1/apps/shop/machines/148ed599c14189/cordon",
            "https://api.machines.dev/v1/apps/shop/machines/148ed599c14189/uncordon",
        ],
        "a name costs one lookup; an id none"
    );
}
