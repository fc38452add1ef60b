//! `/v1/apps/{app}/machines…`: the machine lifecycle with realistic, speed-scaled timings, events, long-polled
//! waits, leases with TTL and nonce, metadata and cordons.
//!
//! Transitions happen on timers (create → starting → started; stop → stopping → stopped; destroy → destroying →
//! destroyed), each guarded by the machine's version so an older timer never overrides a newer action. Every change
//! wakes the waiters.

// Helpers return `Result<_, Response>` so handlers can refuse with `?`-like early returns: the idiom in axum. Boxing
// the response, as this lint suggests, would only add an allocation to every refusal.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use flightdeck::api::ratelimit::{ACTION_RATE, READ_RATE};
use flightdeck::api::{Lease, Machine, MachineEvent, MachineRequest, MachineState};
use serde_json::{Value, json};

use super::{Emulator, OrgScope, reply};
use crate::ids;

/// How long each step takes at speed 1 (the emulator divides by `--speed`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timings {
    pub create: Duration,
    pub start: Duration,
    pub stop: Duration,
    pub destroy: Duration,
    /// How long a run-to-exit machine (auto_destroy, restart "no": release commands) runs before it exits.
    pub run: Duration,
    /// A health check's grace period when its config gives none.
    pub check_grace: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Self {
            create: Duration::from_millis(800),
            start: Duration::from_millis(1000),
            stop: Duration::from_millis(500),
            destroy: Duration::from_millis(300),
            run: Duration::from_millis(1500),
            check_grace: Duration::from_millis(1000),
        }
    }
}

/// A machine as the emulator keeps it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MachineRecord {
    pub app: String,
    pub machine: Machine,
    pub lease: Option<Lease>,
}

fn now_ms() -> i64 {
    i64::try_from(super::now_ms()).unwrap_or(i64::MAX)
}

fn now_rfc3339() -> String {
    rfc3339(now_ms() / 1000)
}

/// Now, as the API writes timestamps.
pub(crate) fn now_timestamp() -> String {
    now_rfc3339()
}

/// Unix seconds as RFC 3339 UTC (`2026-11-26T18:00:00Z`), without a date library: Howard Hinnant's civil-from-days.
fn rfc3339(unix_secs: i64) -> String {
    let (days, rem) = (unix_secs.div_euclid(86_400), unix_secs.rem_euclid(86_400));
    let (hour, minute, second) = (rem / 3600, rem % 3600 / 60, rem % 60);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
}

fn version() -> String {
    ids::ulid()
}

fn event(kind: &str, status: &str, source: &str) -> MachineEvent {
    MachineEvent {
        id: Some(version()),
        kind: kind.to_owned(),
        status: status.to_owned(),
        source: source.to_owned(),
        timestamp: now_ms(),
        ..MachineEvent::default()
    }
}

/// An `exit` event with flyd's `request.exit_event`: the code, and whether a stop was asked for (a stop, restart or
/// update) or the process ended by itself.
pub(crate) fn record_exit(machine: &mut Machine, code: i64, status: &str, requested_stop: bool) {
    let mut exit = event("exit", status, "flyd");
    exit.request = Some(json!({ "exit_event": {
        "exit_code": code, "oom_killed": false, "requested_stop": requested_stop, "exited_at": now_rfc3339(),
    } }));
    push_event(machine, exit);
}

/// The health checks of a machine, named as Fly names them: top-level checks by their names, service checks
/// `servicecheck-NN-<type>-<port>`.
fn check_names(machine: &Machine) -> Vec<String> {
    let Some(config) = &machine.config else { return Vec::new() };
    let mut names: Vec<String> = config.checks.keys().cloned().collect();
    let mut n = 0;
    for service in &config.services {
        for check in &service.checks {
            let kind = check.kind.as_deref().unwrap_or("tcp");
            names.push(format!("servicecheck-{n:02}-{kind}-{}", check.port.unwrap_or(service.internal_port)));
            n += 1;
        }
    }
    names
}

/// The longest grace period among the machine's checks.
fn check_grace(machine: &Machine) -> Option<Duration> {
    let config = machine.config.as_ref()?;
    let graces = config
        .checks
        .values()
        .chain(config.services.iter().flat_map(|s| s.checks.iter()))
        .filter_map(|c| c.grace_period);
    graces.filter_map(|g| u64::try_from(g.as_nanos()).ok()).map(Duration::from_nanos).max()
}

pub(crate) fn record_event(machine: &mut Machine, kind: &str, status: &str, source: &str) {
    push_event(machine, event(kind, status, source));
}

/// The newest event first, the latest 50 kept (as flyd keeps a machine's recent events).
fn push_event(machine: &mut Machine, event: MachineEvent) {
    machine.events.insert(0, event);
    machine.events.truncate(50);
    machine.updated_at = Some(now_rfc3339());
}

fn lease_message(id: &str, lease: &Lease) -> String {
    format!("machine ID {id} lease currently held by {}, expires at {}", lease.owner, rfc3339(lease.expires_at))
}

/// The lease nonce the request carries.
fn nonce(headers: &HeaderMap) -> Option<&str> {
    headers.get(flightdeck::api::machines::LEASE_NONCE_HEADER).and_then(|v| v.to_str().ok())
}

fn live_lease(record: &MachineRecord) -> Option<&Lease> {
    record.lease.as_ref().filter(|l| l.expires_at > now_ms() / 1000)
}

/// 409 when someone else's unexpired lease guards the machine.
fn guard(record: &MachineRecord, headers: &HeaderMap) -> Result<(), Response> {
    match live_lease(record) {
        Some(lease) if nonce(headers) != Some(lease.nonce.as_str()) => {
            Err(reply::error(StatusCode::CONFLICT, lease_message(&record.machine.id, lease)))
        }
        _ => Ok(()),
    }
}

fn not_found() -> Response {
    reply::error(StatusCode::NOT_FOUND, "machine not found")
}

fn precondition(message: String) -> Response {
    reply::error(StatusCode::PRECONDITION_FAILED, format!("failed_precondition: {message}"))
}

impl Emulator {
    /// Runs `then` on the machine after `after` (scaled by speed), if the machine is still at `version`.
    fn later(&self, id: &str, version: &str, after: Duration, then: impl FnOnce(&mut Machine) + Send + 'static) {
        let (emulator, id, version) = (self.clone(), id.to_owned(), version.to_owned());
        let delay = after.div_f64(self.speed());
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let applied = emulator.with_machine(&id, |record| {
                if record.machine.current_version() == version {
                    then(&mut record.machine);
                    Some(record.machine.state.clone())
                } else {
                    None
                }
            });
            // Follow-ups that take the lock again run here, after it is released.
            if let Some(Some(state)) = applied {
                if state == MachineState::Destroyed {
                    emulator.detach_volumes(&id);
                }
                emulator.changed();
            }
        });
    }

    /// Boots a machine: starting now, started after the start time.
    fn boot(&self, app: &str, machine: &mut Machine, after: Duration) {
        let (id, version) = (machine.id.clone(), machine.current_version().to_owned());
        let start = self.timings().start;
        let emulator = self.clone();
        let app = app.to_owned();
        self.later(&id, &version, after, move |m| {
            if !transition(m, MachineState::Starting) {
                return;
            }
            let (id, version) = (m.id.clone(), m.current_version().to_owned());
            let after_start = emulator.clone();
            emulator.later(&id, &version, start, move |m| after_start.started(&app, m));
        });
    }

    /// The moment a machine's process starts: it fails (fault), or it is started with its health checks in their
    /// grace period, and a run-to-exit machine is set to exit.
    fn started(&self, app: &str, machine: &mut Machine) {
        let group = machine.process_group().unwrap_or("app").to_owned();
        let faults = self.faults();
        if faults.failing_start(app, &group) {
            if transition(machine, MachineState::Failed) {
                record_exit(machine, 1, "failed", false);
            }
            return;
        }
        if !transition(machine, MachineState::Started) {
            return;
        }
        record_event(machine, "start", "started", "flyd");
        let checks = check_names(machine);
        let grace = check_grace(machine).unwrap_or(self.timings().check_grace);
        machine.checks = checks
            .iter()
            .map(|name| flightdeck::api::CheckStatus {
                name: name.clone(),
                status: "warning".to_owned(),
                output: "waiting for the grace period".to_owned(),
                updated_at: Some(now_rfc3339()),
                ..Default::default()
            })
            .collect();
        let (id, version) = (machine.id.clone(), machine.current_version().to_owned());
        if !checks.is_empty() {
            let failing = faults.failing_checks(app, &group);
            self.later(&id, &version, grace, move |m| settled_checks(m, !failing));
        }
        let config = machine.config.as_ref();
        // A machine with restart "no" that auto-destroys, or a release-command machine, runs its command to exit.
        let auto_destroy = config.is_some_and(|c| c.auto_destroy == Some(true));
        let runs_to_exit = config.is_some_and(|c| c.restart.as_ref().is_some_and(|r| r.policy == "no"))
            && (auto_destroy || group == flightdeck::config::RELEASE_COMMAND_GROUP);
        if runs_to_exit {
            let code = faults.exit_code(app, &group);
            let destroy = self.timings().destroy;
            let emulator = self.clone();
            self.later(&id, &version, self.timings().run, move |m| {
                if !transition(m, MachineState::Stopped) {
                    return;
                }
                record_exit(m, code, "stopped", false);
                // auto_destroy: gone once it has exited.
                if auto_destroy && transition(m, MachineState::Destroying) {
                    let (id, version) = (m.id.clone(), m.current_version().to_owned());
                    emulator.later(&id, &version, destroy, |m| {
                        if transition(m, MachineState::Destroyed) {
                            record_event(m, "destroy", "destroyed", "flyd");
                        }
                    });
                }
            });
        }
    }

    /// Suspends a started machine: its memory is snapshotted (suspending), then it is suspended; the next start
    /// resumes it.
    fn suspend(&self, machine: &mut Machine) {
        if !transition(machine, MachineState::Suspending) {
            return;
        }
        let (id, version) = (machine.id.clone(), machine.current_version().to_owned());
        self.later(&id, &version, self.timings().stop, move |m| {
            if transition(m, MachineState::Suspended) {
                record_event(m, "suspend", "suspended", "flyd");
            }
        });
    }

    fn halt(&self, app: &str, machine: &mut Machine, then_start: bool) {
        if !transition(machine, MachineState::Stopping) {
            return;
        }
        let (id, version) = (machine.id.clone(), machine.current_version().to_owned());
        let emulator = self.clone();
        let app = app.to_owned();
        self.later(&id, &version, self.timings().stop, move |m| {
            if !transition(m, MachineState::Stopped) {
                return;
            }
            record_exit(m, 0, "stopped", true);
            if then_start {
                emulator.boot(&app, m, Duration::ZERO);
            }
        });
    }
}

/// Whether a machine may go from `from` to `to` in one step (flyd's lifecycle, as machines-api.md §5 draws it).
pub fn legal(from: &MachineState, to: &MachineState) -> bool {
    use MachineState::*;
    matches!(
        (from, to),
        (Created, Starting | Destroying)
            | (Starting, Started | Failed | Stopping | Destroying)
            | (Started, Stopping | Stopped | Suspending | Destroying)
            | (Stopping, Stopped | Destroying)
            | (Suspending, Suspended | Destroying)
            // Stopping a suspended machine throws its snapshot away: it is stopped at once.
            | (Suspended, Stopped)
            | (Stopped | Failed | Suspended, Starting | Destroying)
            | (Destroying, Destroyed)
    )
}

/// Moves the machine to `to` if that is a legal step; otherwise leaves it where it is (a timer that lost a race
/// with a newer action — a boot finishing after a destroy — changes nothing).
fn transition(machine: &mut Machine, to: MachineState) -> bool {
    if legal(&machine.state, &to) {
        machine.state = to;
        machine.updated_at = Some(now_rfc3339());
        true
    } else {
        false
    }
}

fn summary(machine: &Machine) -> Machine {
    Machine { config: None, events: Vec::new(), checks: Vec::new(), nonce: None, ..machine.clone() }
}

/// `GET /v1/apps/{app}/machines`.
pub async fn list(
    State(emulator): State<Emulator>,
    scope: OrgScope,
    Path(app): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    if let Err(response) = emulator.require_app(&app, &scope) {
        return response;
    }
    let pairs: Vec<(String, String)> = query
        .as_deref()
        .unwrap_or_default()
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect();
    let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let include_deleted = get("include_deleted") == Some("true");
    let summary_only = get("summary") == Some("true");
    let states: Vec<&str> = get("state").map(|s| s.split(',').collect()).unwrap_or_default();
    let region = get("region");
    let metadata: Vec<(&str, &str)> =
        pairs.iter().filter_map(|(k, v)| k.strip_prefix("metadata.").map(|k| (k, v.as_str()))).collect();
    let machines: Vec<Machine> = emulator
        .machines_of(&app)
        .into_iter()
        .filter(|m| include_deleted || !m.state.is_gone())
        .filter(|m| states.is_empty() || states.contains(&m.state.as_str()))
        .filter(|m| region.is_none_or(|r| m.region == r))
        .filter(|m| {
            metadata.iter().all(|(k, v)| m.config.as_ref().and_then(|c| c.metadata.get(*k)).is_some_and(|x| x == v))
        })
        .map(|m| if summary_only { summary(&m) } else { m })
        .collect();
    Json(machines).into_response()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_body(body: &Bytes) -> Result<MachineRequest, Response> {
    serde_json::from_slice(body)
        .map_err(|e| reply::error(StatusCode::BAD_REQUEST, format!("invalid machine request: {e}")))
}

const ADJECTIVES: &[&str] = &["aged", "bold", "calm", "dark", "eager", "fancy", "gentle", "hidden", "icy", "jolly"];
const NOUNS: &[&str] = &["thunder", "river", "meadow", "forest", "glade", "harbor", "island", "lake", "moon", "night"];

/// A machine name in flyd's style (`bold-river-4821`): one of 900,000, drawn evenly (to within 2⁻⁴⁴) from 64 random
/// bits.
fn machine_name() -> String {
    let n = (ids::random_u64() % 900_000) as usize;
    let adjective = ADJECTIVES[n % ADJECTIVES.len()];
    let noun = NOUNS[n / ADJECTIVES.len() % NOUNS.len()];
    format!("{adjective}-{noun}-{}", n / (ADJECTIVES.len() * NOUNS.len()) % 9000 + 1000)
}

/// `POST /v1/apps/{app}/machines`.
pub async fn create(
    State(emulator): State<Emulator>,
    scope: OrgScope,
    Path(app): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(response) = emulator.require_app(&app, &scope) {
        return response;
    }
    if let Some(wait) = emulator.throttle(&format!("{app}/create"), ACTION_RATE) {
        return reply::rate_limited(wait);
    }
    let request = match parse_body(&body) {
        Ok(request) => request,
        Err(response) => return response,
    };
    if request.config.image.is_empty() {
        return reply::error(StatusCode::BAD_REQUEST, "invalid config.image: image is required");
    }
    let name = request.name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| fresh_machine_name(&emulator, &app));
    if emulator.machine_name_taken(&app, &name) {
        return reply::error(StatusCode::CONFLICT, format!("a machine with name {name} already exists"));
    }
    let id = ids::hex_id(14);
    let volume_ids: Vec<String> =
        request.config.mounts.iter().map(|m| m.volume.clone()).filter(|v| !v.is_empty()).collect();
    // A mounted volume decides the region when none is given: the machine must run on the volume's host.
    let region = match request.region.clone().filter(|r| !r.is_empty()) {
        Some(region) => region,
        None => {
            volume_ids.first().and_then(|v| emulator.volume(v)).map_or_else(|| "ord".to_owned(), |r| r.volume.region)
        }
    };
    if volume_ids.len() > 1 {
        return reply::error(StatusCode::BAD_REQUEST, "invalid config.mounts, only 1 volume supported");
    }
    if let Err(message) = emulator.attach_volumes(&app, &id, &region, &volume_ids) {
        return reply::error(StatusCode::PRECONDITION_FAILED, format!("failed_precondition: {message}"));
    }
    let mut machine = new_machine(id, name, region, request.config.clone());
    machine.cordoned = Some(request.skip_service_registration == Some(true));
    let mut lease = None;
    if let Some(ttl) = request.lease_ttl.filter(|t| *t > 0) {
        let granted = new_lease(&scope, emulator.lease_ttl(ttl), "created with lease_ttl");
        machine.nonce = Some(granted.nonce.clone());
        lease = Some(granted);
    }
    if request.skip_launch != Some(true) {
        emulator.boot(&app, &mut machine, emulator.timings().create);
    }
    let response = machine.clone();
    // The platform records a release when Fly Launch creates its machines: the app counts as deployed from then on.
    if machine.config.as_ref().is_some_and(|c| c.metadata.get("fly_platform_version").is_some_and(|v| v == "v2")) {
        emulator.with_app(&app, |a| a.status = "deployed".to_owned());
    }
    emulator.insert_machine(MachineRecord { app, machine, lease });
    emulator.changed();
    Json(response).into_response()
}

/// A machine as flyd reports it right after create: state `created`, a fresh version, a `launch` event.
pub(crate) fn new_machine(
    id: String,
    name: String,
    region: String,
    config: flightdeck::machine::MachineConfig,
) -> Machine {
    let instance = version();
    let private_ip = format!("fdaa:0:1:a7b:{}:{}::2", id.get(..4).unwrap_or("0"), id.get(4..8).unwrap_or("0"));
    let mut machine = Machine {
        id,
        name,
        state: MachineState::Created,
        region,
        instance_id: instance.clone(),
        version: Some(instance),
        private_ip,
        config: Some(config),
        created_at: Some(now_rfc3339()),
        updated_at: Some(now_rfc3339()),
        host_status: Some("ok".to_owned()),
        cordoned: Some(false),
        ..Machine::default()
    };
    record_event(&mut machine, "launch", "created", "user");
    machine
}

/// A machine name in flyd's style that no live machine of `app` has: flyd picks a free one, so a create without a
/// name never fails on the name it was given.
pub(crate) fn fresh_machine_name(emulator: &Emulator, app: &str) -> String {
    (0..32)
        .map(|_| machine_name())
        .find(|name| !emulator.machine_name_taken(app, name))
        .unwrap_or_else(|| format!("{}-{}", machine_name(), ids::hex_id(6)))
}

/// Every check of the machine past its grace period: passing, or critical under a fault.
pub(crate) fn settled_checks(machine: &mut Machine, passing: bool) {
    machine.checks = check_names(machine)
        .into_iter()
        .map(|name| flightdeck::api::CheckStatus {
            name,
            status: if passing { "passing" } else { "critical" }.to_owned(),
            output: if passing { "OK" } else { "connection refused (fault injected)" }.to_owned(),
            updated_at: Some(now_rfc3339()),
            ..Default::default()
        })
        .collect();
}

fn new_lease(scope: &OrgScope, ttl: u64, description: &str) -> Lease {
    Lease {
        nonce: ids::hex_id(12),
        expires_at: now_ms() / 1000 + i64::try_from(ttl).unwrap_or(i64::MAX / 2),
        owner: format!("{}@tokens.flightdeck.local", scope.owner()),
        description: description.to_owned(),
        version: Some(version()),
        ..Lease::default()
    }
}

/// Looks a machine up for a request: the app must be visible and the machine must belong to it.
fn find(emulator: &Emulator, scope: &OrgScope, app: &str, id: &str) -> Result<MachineRecord, Response> {
    emulator.require_app(app, scope)?;
    emulator.machine(id).filter(|r| r.app == app).ok_or_else(not_found)
}

/// [`find`], then a token of the machine's `action` bucket.
fn find_paced(
    emulator: &Emulator,
    scope: &OrgScope,
    app: &str,
    id: &str,
    action: &str,
    rate: flightdeck::api::ratelimit::Rate,
) -> Result<MachineRecord, Response> {
    let record = find(emulator, scope, app, id)?;
    match emulator.throttle(&format!("{id}/{action}"), rate) {
        Some(wait) => Err(reply::rate_limited(wait)),
        None => Ok(record),
    }
}

/// `GET /v1/apps/{app}/machines/{id}`.
pub async fn show(
    State(emulator): State<Emulator>,
    scope: OrgScope,
    Path((app, id)): Path<(String, String)>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    match find_paced(&emulator, &scope, &app, &id, "get", READ_RATE) {
        Ok(mut record) => {
            if query.get("include_leases").is_some_and(|v| v == "true") {
                record.machine.lease = live_lease(&record).map(|l| Lease { nonce: String::new(), ..l.clone() });
            }
            Json(record.machine).into_response()
        }
        Err(response) => response,
    }
}

/// `POST /v1/apps/{app}/machines/{id}`: a new config, and a stop + start when it was running.
pub async fn update(
    State(emulator): State<Emulator>,
    scope: OrgScope,
    Path((app, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let record = match find_paced(&emulator, &scope, &app, &id, "update", ACTION_RATE) {
        Ok(record) => record,
        Err(response) => return response,
    };
    if let Err(response) = guard(&record, &headers) {
        return response;
    }
    let request = match parse_body(&body) {
        Ok(request) => request,
        Err(response) => return response,
    };
    if let Some(expected) = request.current_version.as_deref().filter(|v| !v.is_empty())
        && expected != record.machine.current_version()
    {
        return precondition(format!(
            "machine version {} does not match current_version {expected}",
            record.machine.current_version()
        ));
    }
    if request.config.image.is_empty() {
        return reply::error(StatusCode::BAD_REQUEST, "invalid config.image: image is required");
    }
    let emulator2 = emulator.clone();
    let updated = emulator.with_machine(&id, move |record| {
        let app = record.app.clone();
        let machine = &mut record.machine;
        let was_running = matches!(machine.state, MachineState::Started | MachineState::Starting);
        let instance = version();
        machine.instance_id = instance.clone();
        machine.version = Some(instance);
        machine.config = Some(request.config);
        record_event(machine, "update", "replacing", "user");
        let launch = request.skip_launch != Some(true);
        let resting = matches!(
            machine.state,
            MachineState::Created | MachineState::Stopped | MachineState::Suspended | MachineState::Failed
        );
        if was_running {
            // Update = stop, then start with the new config (or stay stopped with skip_launch).
            emulator2.halt(&app, machine, launch);
        } else if resting && launch {
            emulator2.boot(&app, machine, Duration::ZERO);
        }
        machine.clone()
    });
    emulator.changed();
    updated.map_or_else(not_found, |m| Json(m).into_response())
}

/// `DELETE /v1/apps/{app}/machines/{id}[?force=true]`.
pub async fn destroy(
    State(emulator): State<Emulator>,
    scope: OrgScope,
    Path((app, id)): Path<(String, String)>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let record = match find_paced(&emulator, &scope, &app, &id, "destroy", ACTION_RATE) {
        Ok(record) => record,
        Err(response) => return response,
    };
    if let Err(response) = guard(&record, &headers) {
        return response;
    }
    let force = ["force", "kill"].iter().any(|k| query.get(*k).is_some_and(|v| v == "true"));
    let running =
        matches!(record.machine.state, MachineState::Started | MachineState::Starting | MachineState::Stopping);
    if running && !force {
        return precondition("machine still active, refusing to destroy (stop it first or use force)".to_owned());
    }
    if record.machine.state.is_gone() {
        return not_found();
    }
    let destroy_time = emulator.timings().destroy;
    let emulator2 = emulator.clone();
    emulator.with_machine(&id, move |record| {
        let machine = &mut record.machine;
        if !transition(machine, MachineState::Destroying) {
            return;
        }
        record.lease = None;
        record_event(machine, "destroy", "destroying", "user");
        let (id, version) = (machine.id.clone(), machine.current_version().to_owned());
        emulator2.later(&id, &version, destroy_time, |m| {
            if transition(m, MachineState::Destroyed) {
                record_event(m, "destroy", "destroyed", "flyd");
            }
        });
    });
    emulator.changed();
    Json(json!({ "ok": true })).into_response()
}

/// `POST …/{action}` for start, stop, restart, suspend, cordon and uncordon.
pub async fn action(
    State(emulator): State<Emulator>,
    scope: OrgScope,
    Path((app, id, action)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let record = match find_paced(&emulator, &scope, &app, &id, &action, ACTION_RATE) {
        Ok(record) => record,
        Err(response) => return response,
    };
    if let Err(response) = guard(&record, &headers) {
        return response;
    }
    let state = record.machine.state.clone();
    let allowed = match action.as_str() {
        "start" => matches!(
            state,
            MachineState::Stopped | MachineState::Created | MachineState::Suspended | MachineState::Failed
        ),
        "stop" => matches!(state, MachineState::Started | MachineState::Starting | MachineState::Suspended),
        "restart" => matches!(state, MachineState::Started | MachineState::Starting),
        "suspend" => state == MachineState::Started,
        "cordon" | "uncordon" => !state.is_gone(),
        _ => return not_found(),
    };
    if !allowed {
        return precondition(format!("unable to {action} machine from current state: '{state}'"));
    }
    let emulator2 = emulator.clone();
    let action2 = action.clone();
    emulator.with_machine(&id, move |record| {
        let app = record.app.clone();
        let machine = &mut record.machine;
        match action2.as_str() {
            "start" => {
                record_event(machine, "start", "starting", "user");
                emulator2.boot(&app, machine, Duration::ZERO);
            }
            "stop" if machine.state == MachineState::Suspended => {
                if transition(machine, MachineState::Stopped) {
                    record_event(machine, "stop", "stopped", "user");
                }
            }
            "stop" => {
                record_event(machine, "stop", "stopping", "user");
                emulator2.halt(&app, machine, false);
            }
            "suspend" => {
                record_event(machine, "suspend", "suspending", "user");
                emulator2.suspend(machine);
            }
            "restart" => {
                record_event(machine, "restart", "stopping", "user");
                emulator2.halt(&app, machine, true);
            }
            "cordon" => machine.cordoned = Some(true),
            _ => machine.cordoned = Some(false),
        }
    });
    emulator.changed();
    let body = if action == "start" { json!({ "previous_state": state.as_str() }) } else { json!({ "ok": true }) };
    Json(body).into_response()
}

/// The signals flyd delivers (`SignalRequest` in the spec).
const SIGNALS: &[&str] = &[
    "SIGABRT", "SIGALRM", "SIGFPE", "SIGHUP", "SIGILL", "SIGINT", "SIGKILL", "SIGPIPE", "SIGQUIT", "SIGSEGV",
    "SIGTERM", "SIGTRAP", "SIGUSR1",
];

/// `POST …/signal {"signal": "SIGUSR1"}`: delivered to a started machine's main process and recorded as an event.
/// The emulated process handles every signal and keeps running (to stop a machine, use stop).
pub async fn signal(
    State(emulator): State<Emulator>,
    scope: OrgScope,
    Path((app, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let record = match find_paced(&emulator, &scope, &app, &id, "signal", ACTION_RATE) {
        Ok(record) => record,
        Err(response) => return response,
    };
    let signal = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|b| b.get("signal").and_then(Value::as_str).map(str::to_owned));
    let Some(signal) = signal.filter(|s| SIGNALS.contains(&s.as_str())) else {
        return reply::error(
            StatusCode::BAD_REQUEST,
            format!("body must be {{\"signal\": one of {}}}", SIGNALS.join(", ")),
        );
    };
    if record.machine.state != MachineState::Started {
        return precondition(format!("unable to signal machine from current state: '{}'", record.machine.state));
    }
    emulator.with_machine(&id, |record| record_event(&mut record.machine, "signal", &signal, "user"));
    emulator.changed();
    Json(json!({ "ok": true })).into_response()
}

/// `GET …/wait?state=&timeout=&version=`: long-polls up to 60 s; 408 with flyd's message when time runs out.
pub async fn wait(
    State(emulator): State<Emulator>,
    scope: OrgScope,
    Path((app, id)): Path<(String, String)>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    if let Err(response) = find_paced(&emulator, &scope, &app, &id, "wait", READ_RATE) {
        return response;
    }
    let wanted: Vec<String> =
        query.get("state").map_or_else(|| vec!["started".to_owned()], |s| s.split(',').map(str::to_owned).collect());
    let known = ["started", "stopped", "suspended", "destroyed", "failed", "settled"];
    if let Some(bad) = wanted.iter().find(|s| !known.contains(&s.as_str())) {
        return reply::error(StatusCode::BAD_REQUEST, format!("invalid state {bad:?}"));
    }
    let timeout = match query.get("timeout").map(|t| t.parse::<u64>()) {
        None => 60,
        Some(Ok(secs)) if (1..=60).contains(&secs) => secs,
        Some(_) => return reply::error(StatusCode::BAD_REQUEST, "timeout must be whole seconds between 1 and 60"),
    };
    let version = query.get("version").or_else(|| query.get("instance_id")).cloned();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
    let notify = emulator.notify();
    loop {
        // Registered before the state is read, so a change in between still wakes this wait.
        let notified = notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let Some(record) = emulator.machine(&id) else { return not_found() };
        let machine = &record.machine;
        let state = machine.state.as_str();
        let settled = !matches!(
            machine.state,
            MachineState::Starting | MachineState::Stopping | MachineState::Destroying | MachineState::Replacing
        );
        let version_ok = version.as_deref().is_none_or(|v| v == machine.current_version() || state == "destroyed");
        if version_ok && wanted.iter().any(|w| w == state || (w == "settled" && settled)) {
            let event_id = machine.events.first().and_then(|e| e.id.clone());
            return Json(
                json!({ "ok": true, "state": state, "version": machine.current_version(), "event_id": event_id }),
            )
            .into_response();
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            let message = format!(
                "deadline_exceeded: machine failed to reach desired state, {}, currently {state}",
                wanted.join(",")
            );
            return reply::error(StatusCode::REQUEST_TIMEOUT, message);
        }
    }
}

fn envelope(lease: &Lease) -> Response {
    Json(json!({ "status": "success", "data": lease })).into_response()
}

/// `GET/POST/DELETE …/lease`.
pub async fn lease(
    State(emulator): State<Emulator>,
    scope: OrgScope,
    Path((app, id)): Path<(String, String)>,
    method: axum::http::Method,
    headers: HeaderMap,
    Query(query): Query<BTreeMap<String, String>>,
    body: Bytes,
) -> Response {
    let rate = if method == axum::http::Method::GET { READ_RATE } else { ACTION_RATE };
    let record = match find_paced(&emulator, &scope, &app, &id, "lease", rate) {
        Ok(record) => record,
        Err(response) => return response,
    };
    let held = live_lease(&record).cloned();
    match method.as_str() {
        "GET" => held.map_or_else(
            || reply::error(StatusCode::NOT_FOUND, "lease not found"),
            |l| envelope(&Lease { nonce: String::new(), ..l }),
        ),
        "DELETE" => match (&held, nonce(&headers)) {
            (Some(lease), Some(given)) if given == lease.nonce => {
                emulator.with_machine(&id, |r| r.lease = None);
                emulator.changed();
                Json(json!({ "status": "success", "data": { "ok": true } })).into_response()
            }
            (Some(lease), _) => reply::error(StatusCode::CONFLICT, lease_message(&id, lease)),
            (None, _) => reply::error(StatusCode::NOT_FOUND, "lease not found"),
        },
        _ => {
            let body: Value =
                if body.is_empty() { json!({}) } else { serde_json::from_slice(&body).unwrap_or(json!({})) };
            let ttl = query
                .get("ttl")
                .and_then(|t| t.parse::<u64>().ok())
                .or_else(|| body.get("ttl").and_then(Value::as_u64))
                .unwrap_or(30);
            let ttl = emulator.lease_ttl(ttl);
            let description = body.get("description").and_then(Value::as_str).unwrap_or_default().to_owned();
            let lease = match (&held, nonce(&headers)) {
                (Some(lease), Some(given)) if given == lease.nonce => {
                    Lease { expires_at: now_ms() / 1000 + i64::try_from(ttl).unwrap_or(i64::MAX / 2), ..lease.clone() }
                }
                (Some(lease), _) => return reply::error(StatusCode::CONFLICT, lease_message(&id, lease)),
                (None, _) => new_lease(&scope, ttl, &description),
            };
            let stored = lease.clone();
            emulator.with_machine(&id, move |r| r.lease = Some(stored));
            emulator.changed();
            (StatusCode::CREATED, envelope(&lease)).into_response()
        }
    }
}

/// `GET …/metadata`, `POST|DELETE …/metadata/{key}`.
pub async fn metadata(
    State(emulator): State<Emulator>,
    scope: OrgScope,
    Path((app, id)): Path<(String, String)>,
) -> Response {
    match find(&emulator, &scope, &app, &id) {
        Ok(record) => Json(record.machine.config.map(|c| c.metadata).unwrap_or_default()).into_response(),
        Err(response) => response,
    }
}

/// `POST|DELETE …/metadata/{key}`.
pub async fn metadata_key(
    State(emulator): State<Emulator>,
    scope: OrgScope,
    Path((app, id, key)): Path<(String, String, String)>,
    method: axum::http::Method,
    body: Bytes,
) -> Response {
    if let Err(response) = find(&emulator, &scope, &app, &id) {
        return response;
    }
    let value = match method.as_str() {
        "DELETE" => None,
        _ => match serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|b| b.get("value").and_then(Value::as_str).map(str::to_owned))
        {
            Some(value) => Some(value),
            None => return reply::error(StatusCode::BAD_REQUEST, "body must be {\"value\": \"…\"}"),
        },
    };
    emulator.with_machine(&id, move |record| {
        let config = record.machine.config.get_or_insert_with(Default::default);
        match value {
            Some(value) => config.metadata.insert(key, value),
            None => config.metadata.remove(&key),
        };
    });
    emulator.changed();
    StatusCode::NO_CONTENT.into_response()
}

/// `GET …/events?limit=`.
pub async fn events(
    State(emulator): State<Emulator>,
    scope: OrgScope,
    Path((app, id)): Path<(String, String)>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    let limit = query.get("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(20).clamp(1, 50);
    match find(&emulator, &scope, &app, &id) {
        Ok(record) => Json(record.machine.events.into_iter().take(limit).collect::<Vec<_>>()).into_response(),
        Err(response) => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_matches_known_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_708_569_778), "2024-02-22T02:42:58Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn query_values_are_percent_decoded() {
        assert_eq!(decode("started%2Cstopped"), "started,stopped");
        assert_eq!(decode("a+b%"), "a b%");
        assert_eq!(decode("%zz"), "%zz");
    }
}
