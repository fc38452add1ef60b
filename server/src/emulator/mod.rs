//! The local Machines API emulator: state, authentication and the `/v1` routes.
//!
//! Owns what a Fly org looks like from the API's side: tokens scoped to orgs, apps. Shapes and status codes follow
//! the real API (`reference/machines-api.md`); where the spec and the live API differ, the live API wins.

mod apps;
mod auth;
pub mod control;
pub mod faults;
pub mod machines;
mod reply;
pub mod seed;

pub use reply::error as reply_error;
pub mod secrets;
mod snapshot;

pub use snapshot::write_snapshot;
pub mod volumes;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::middleware;
use axum::routing::get;

use crate::ids;

pub use auth::OrgScope;

/// The one organization every emulator starts with, as on a new Fly account.
pub const PERSONAL_ORG: &str = "personal";

/// An app as the emulator stores it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AppRecord {
    pub id: String,
    pub name: String,
    pub org_slug: String,
    pub network: String,
    pub status: String,
    pub created_at_ms: u64,
    /// Name → digest; values are never kept.
    pub secrets: BTreeMap<String, secrets::SecretRecord>,
    pub secrets_version: u64,
}

#[derive(Debug, Default)]
struct State {
    /// token secret → org slug it may act on.
    tokens: HashMap<String, String>,
    /// org slug → display name.
    orgs: BTreeMap<String, String>,
    /// App names are global across Fly, so they key the map.
    apps: BTreeMap<String, AppRecord>,
    /// Machine ids are global too.
    machines: BTreeMap<String, machines::MachineRecord>,
    volumes: BTreeMap<String, volumes::VolumeRecord>,
}

/// An app of that name exists already (in some org).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NameTaken;

/// Shared emulator state; cheap to clone.
#[derive(Debug, Clone)]
pub struct Emulator {
    state: Arc<Mutex<State>>,
    dev_token: Arc<str>,
    /// Woken on every machine change (waits long-poll on it).
    changes: Arc<tokio::sync::Notify>,
    /// How much faster than real time machines move (`--speed`, or the control API): an `f64`'s bits.
    speed: Arc<std::sync::atomic::AtomicU64>,
    timings: machines::Timings,
    /// The Machines API's per-machine, per-action limits; `None` when turned off.
    limiter: Option<Arc<Mutex<flightdeck::api::ratelimit::RateLimiter>>>,
    started: std::time::Instant,
    faults: Arc<Mutex<faults::Faults>>,
    counters: Arc<Mutex<Counters>>,
}

/// What the emulator has answered, for tests and benchmarks: requests per route, 429s and 503s sent.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Counters {
    pub requests: BTreeMap<String, u64>,
    pub rate_limited: u64,
    pub injected_errors: u64,
    /// Filled in when read.
    pub leases_held: usize,
}

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("no random source for the dev token: {0}")]
    Random(String),
    #[error("invalid token given for org personal: {0}")]
    Token(#[from] flightdeck::api::TokenError),
}

impl Emulator {
    /// A fresh emulator with org `personal`, reachable with `token` (random when `None`).
    pub fn new(token: Option<String>) -> Result<Self, EmulatorError> {
        let secret = match token {
            Some(raw) => flightdeck::api::AuthToken::new(&raw)?.secret(),
            None => format!("fd_dev_{}", ids::random_id(32).map_err(|e| EmulatorError::Random(e.to_string()))?),
        };
        let mut state = State::default();
        state.orgs.insert(PERSONAL_ORG.to_owned(), "Personal".to_owned());
        state.tokens.insert(secret.clone(), PERSONAL_ORG.to_owned());
        Ok(Self {
            state: Arc::new(Mutex::new(state)),
            dev_token: secret.into(),
            changes: Arc::new(tokio::sync::Notify::new()),
            speed: Arc::new(std::sync::atomic::AtomicU64::new(1.0f64.to_bits())),
            timings: machines::Timings::default(),
            limiter: Some(Arc::default()),
            started: std::time::Instant::now(),
            faults: Arc::default(),
            counters: Arc::default(),
        })
    }

    /// The same emulator with machines moving `speed` times faster than real time (clamped to 0.01–10,000).
    #[must_use]
    pub fn with_speed(self, speed: f64) -> Self {
        self.set_speed(speed);
        self
    }

    /// Changes the speed from now on (timers already running keep theirs); returns the speed in force.
    pub fn set_speed(&self, speed: f64) -> f64 {
        let speed = if speed.is_finite() && speed > 0.0 { speed.clamp(0.01, 10_000.0) } else { 1.0 };
        self.speed.store(speed.to_bits(), std::sync::atomic::Ordering::Relaxed);
        speed
    }

    /// The same emulator without rate limits (for load tests of everything else).
    #[must_use]
    pub fn without_rate_limits(mut self) -> Self {
        self.limiter = None;
        self
    }

    /// Takes a token for `key`: `None` when the request may go ahead, else how long until it could (the caller
    /// answers 429 with `Retry-After`).
    pub(crate) fn throttle(&self, key: &str, rate: flightdeck::api::ratelimit::Rate) -> Option<std::time::Duration> {
        let limiter = self.limiter.as_ref()?;
        let now_ms = self.started.elapsed().as_secs_f64() * 1000.0;
        limiter.lock().unwrap_or_else(PoisonError::into_inner).take(key, rate, now_ms)
    }

    /// The faults in force.
    pub fn faults(&self) -> faults::Faults {
        self.faults.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Replaces the faults in force; `drop_leases` drops every lease held now.
    pub fn set_faults(&self, faults: faults::Faults) {
        if faults.drop_leases {
            for record in self.lock().machines.values_mut() {
                record.lease = None;
            }
        }
        *self.faults.lock().unwrap_or_else(PoisonError::into_inner) = faults;
    }

    /// The TTL a lease really gets: one second while leases are being dropped (a fault), else what was asked.
    pub(crate) fn lease_ttl(&self, requested: u64) -> u64 {
        if self.faults().drop_leases { 1 } else { requested }
    }

    /// The counters so far, with the leases held now.
    pub fn counters(&self) -> Counters {
        let mut counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let now = i64::try_from(now_ms() / 1000).unwrap_or(i64::MAX);
        counters.leases_held =
            self.lock().machines.values().filter(|r| r.lease.as_ref().is_some_and(|l| l.expires_at > now)).count();
        counters
    }

    fn count(&self, change: impl FnOnce(&mut Counters)) {
        change(&mut self.counters.lock().unwrap_or_else(PoisonError::into_inner));
    }

    pub fn speed(&self) -> f64 {
        f64::from_bits(self.speed.load(std::sync::atomic::Ordering::Relaxed))
    }

    pub(crate) fn timings(&self) -> machines::Timings {
        self.timings
    }

    pub(crate) fn notify(&self) -> Arc<tokio::sync::Notify> {
        Arc::clone(&self.changes)
    }

    pub(crate) fn changed(&self) {
        self.changes.notify_waiters();
    }

    /// `Ok` when `app` exists and the token may see it; otherwise the API's 404 (never a 403: no existence leak).
    #[allow(clippy::result_large_err)] // axum's idiom: the refusal is the response
    pub(crate) fn require_app(&self, app: &str, scope: &OrgScope) -> Result<(), axum::response::Response> {
        if self.app_visible(app, scope) {
            Ok(())
        } else {
            Err(reply::error(axum::http::StatusCode::NOT_FOUND, "app not found"))
        }
    }

    pub(crate) fn app_visible(&self, app: &str, scope: &OrgScope) -> bool {
        self.app(app).is_some_and(|a| scope.allows(&a.org_slug))
    }

    pub(crate) fn machine(&self, id: &str) -> Option<machines::MachineRecord> {
        self.lock().machines.get(id).cloned()
    }

    pub(crate) fn machines_of(&self, app: &str) -> Vec<flightdeck::api::Machine> {
        self.lock().machines.values().filter(|r| r.app == app).map(|r| r.machine.clone()).collect()
    }

    /// Whether a live (not destroyed) machine of `app` is called `name`.
    pub(crate) fn machine_name_taken(&self, app: &str, name: &str) -> bool {
        self.lock().machines.values().any(|r| r.app == app && r.machine.name == name && !r.machine.state.is_gone())
    }

    pub(crate) fn insert_machine(&self, record: machines::MachineRecord) {
        self.lock().machines.insert(record.machine.id.clone(), record);
    }

    /// Applies `change` to machine `id` under the lock; `None` when there is no such machine.
    pub(crate) fn with_machine<R>(
        &self,
        id: &str,
        change: impl FnOnce(&mut machines::MachineRecord) -> R,
    ) -> Option<R> {
        self.lock().machines.get_mut(id).map(change)
    }

    pub(crate) fn with_app<R>(&self, name: &str, change: impl FnOnce(&mut AppRecord) -> R) -> Option<R> {
        self.lock().apps.get_mut(name).map(change)
    }

    /// Deletes an app; with `force` its machines and volumes go with it, without it live machines refuse.
    pub(crate) fn delete_app(&self, name: &str, force: bool) -> Result<(), String> {
        let mut state = self.lock();
        let live = state.machines.values().filter(|r| r.app == name && !r.machine.state.is_gone()).count();
        if live > 0 && !force {
            return Err(format!("app {name} has {live} machines: destroy them first or use force=true"));
        }
        state.machines.retain(|_, r| r.app != name);
        state.volumes.retain(|_, r| r.app != name);
        state.apps.remove(name);
        Ok(())
    }

    pub(crate) fn volume(&self, id: &str) -> Option<volumes::VolumeRecord> {
        self.lock().volumes.get(id).cloned()
    }

    pub(crate) fn volumes_of(&self, app: &str) -> Vec<flightdeck::api::Volume> {
        self.lock().volumes.values().filter(|r| r.app == app).map(|r| r.volume.clone()).collect()
    }

    pub(crate) fn insert_volume(&self, record: volumes::VolumeRecord) {
        self.lock().volumes.insert(record.volume.id.clone(), record);
    }

    pub(crate) fn with_volume<R>(&self, id: &str, change: impl FnOnce(&mut volumes::VolumeRecord) -> R) -> Option<R> {
        self.lock().volumes.get_mut(id).map(change)
    }

    /// Attaches each mounted volume to `machine`, all or none: every volume must exist in `app`, be free, and be in
    /// `region`. Returns the refusal message otherwise.
    pub(crate) fn attach_volumes(
        &self,
        app: &str,
        machine: &str,
        region: &str,
        volume_ids: &[String],
    ) -> Result<(), String> {
        let mut state = self.lock();
        for id in volume_ids {
            let Some(record) = state.volumes.get(id).filter(|r| r.app == app && !r.volume.is_gone()) else {
                return Err(format!("volume {id} not found"));
            };
            if record.volume.region != region {
                return Err(format!("volume {id} is in region {}, the machine in {region}", record.volume.region));
            }
            if let Some(other) = record.volume.attached_machine_id.as_deref().filter(|m| *m != machine) {
                return Err(format!("volume {id} is already attached to machine {other}"));
            }
        }
        for id in volume_ids {
            if let Some(record) = state.volumes.get_mut(id) {
                record.volume.attached_machine_id = Some(machine.to_owned());
            }
        }
        Ok(())
    }

    /// Detaches every volume from `machine` (on destroy). Volumes are never destroyed with their machine.
    pub(crate) fn detach_volumes(&self, machine: &str) {
        for record in self.lock().volumes.values_mut() {
            if record.volume.attached_machine_id.as_deref() == Some(machine) {
                record.volume.attached_machine_id = None;
            }
        }
    }

    fn live_volume_count(&self, app: &str) -> usize {
        self.lock().volumes.values().filter(|r| r.app == app && !r.volume.is_gone()).count()
    }

    fn live_machine_count(&self, app: &str) -> usize {
        self.lock().machines.values().filter(|r| r.app == app && !r.machine.state.is_gone()).count()
    }

    /// The token of org `personal`.
    pub fn dev_token(&self) -> &str {
        &self.dev_token
    }

    /// Adds another org reachable only with `token` (tests of isolation between orgs).
    pub fn add_org(&self, slug: &str, token: &str) {
        let mut state = self.lock();
        state.orgs.insert(slug.to_owned(), slug.to_owned());
        state.tokens.insert(token.to_owned(), slug.to_owned());
    }

    /// Adds another token for an existing org (two clients of one org, as in lease races).
    pub fn add_token(&self, org: &str, token: &str) {
        self.lock().tokens.insert(token.to_owned(), org.to_owned());
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent data (every mutation is a single insert).
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn org_of_token(&self, secret: &str) -> Option<String> {
        self.lock().tokens.get(secret).cloned()
    }

    fn org_name(&self, slug: &str) -> Option<String> {
        self.lock().orgs.get(slug).cloned()
    }

    fn apps_of_org(&self, slug: &str) -> Vec<AppRecord> {
        self.lock().apps.values().filter(|a| a.org_slug == slug).cloned().collect()
    }

    fn app(&self, name: &str) -> Option<AppRecord> {
        self.lock().apps.get(name).cloned()
    }

    /// Creates an app; app names are global across Fly, so a name used in any org is taken.
    fn create_app(&self, org_slug: &str, name: &str, network: Option<String>) -> Result<AppRecord, NameTaken> {
        let mut state = self.lock();
        if state.apps.contains_key(name) {
            return Err(NameTaken);
        }
        let record = AppRecord {
            id: ids::object_id(16),
            name: name.to_owned(),
            org_slug: org_slug.to_owned(),
            network: network.unwrap_or_else(|| "default".to_owned()),
            status: "pending".to_owned(),
            created_at_ms: now_ms(),
            secrets: BTreeMap::new(),
            secrets_version: 0,
        };
        state.apps.insert(name.to_owned(), record.clone());
        Ok(record)
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or_default()
}

/// Counts every `/v1` request by route and applies the network-level faults: latency, injected 503s, 429 storms.
async fn faulty(
    axum::extract::State(emulator): axum::extract::State<Emulator>,
    matched: Option<axum::extract::MatchedPath>,
    request: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let route = format!("{} {}", request.method(), matched.as_ref().map_or("?", |m| m.as_str()));
    let faults = emulator.faults();
    let serial = {
        let mut counters = emulator.counters.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counters.requests.entry(route).or_default();
        *count += 1;
        counters.requests.values().sum::<u64>()
    };
    if faults.latency_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(faults.latency_ms)).await;
    }
    let mutation = request.method() != axum::http::Method::GET;
    if faults.rate_limit_storm && mutation {
        emulator.count(|c| c.rate_limited += 1);
        return reply::rate_limited(std::time::Duration::from_secs(1));
    }
    // Spread evenly rather than at random, so a test with a fixed number of requests sees a fixed number of errors.
    if faults.error_rate > 0.0
        && (serial as f64 * faults.error_rate).floor() != ((serial - 1) as f64 * faults.error_rate).floor()
    {
        emulator.count(|c| c.injected_errors += 1);
        return reply::error(axum::http::StatusCode::SERVICE_UNAVAILABLE, "injected fault: the service is unavailable");
    }
    let response = next.run(request).await;
    if response.status() == axum::http::StatusCode::TOO_MANY_REQUESTS {
        emulator.count(|c| c.rate_limited += 1);
    }
    response
}

/// The `/v1` routes (to be nested under `/v1`).
pub fn routes(emulator: Emulator) -> Router {
    Router::new()
        .route("/apps", get(apps::list).post(apps::create))
        .route("/apps/{app_name}", get(apps::show).delete(apps::delete))
        .route("/apps/{app_name}/secrets", get(secrets::list).post(secrets::update))
        .route("/apps/{app_name}/secrets/{name}", axum::routing::delete(secrets::delete))
        .route("/apps/{app_name}/machines", get(machines::list).post(machines::create))
        .route("/apps/{app_name}/machines/{id}", get(machines::show).post(machines::update).delete(machines::destroy))
        .route("/apps/{app_name}/machines/{id}/wait", get(machines::wait))
        .route(
            "/apps/{app_name}/machines/{id}/lease",
            get(machines::lease).post(machines::lease).delete(machines::lease),
        )
        .route("/apps/{app_name}/machines/{id}/metadata", get(machines::metadata))
        .route(
            "/apps/{app_name}/machines/{id}/metadata/{key}",
            axum::routing::post(machines::metadata_key).delete(machines::metadata_key),
        )
        .route("/apps/{app_name}/machines/{id}/events", get(machines::events))
        .route("/apps/{app_name}/machines/{id}/signal", axum::routing::post(machines::signal))
        .route("/apps/{app_name}/machines/{id}/{action}", axum::routing::post(machines::action))
        .route("/apps/{app_name}/volumes", get(volumes::list).post(volumes::create))
        .route(
            "/apps/{app_name}/volumes/{id}",
            get(volumes::show).put(volumes::update).post(volumes::update).delete(volumes::delete),
        )
        .route("/apps/{app_name}/volumes/{id}/extend", axum::routing::put(volumes::extend))
        .layer(middleware::from_fn_with_state(emulator.clone(), faulty))
        .layer(middleware::from_fn(reply::with_request_id))
        .with_state(emulator)
}
