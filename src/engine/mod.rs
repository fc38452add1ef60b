//! The engine: runs a [`Plan`] through the Machines API client, and reports what happens as [`Event`]s.
//!
//! Async at the edge, runtime-agnostic (it only awaits the client and the transport's timer), so the same engine runs
//! natively on tokio and in the browser or Node event loop. What it guarantees:
//! - a lease on every existing machine it changes, taken before anything changes (all or none), refreshed for the
//!   whole run (every ≈ (TTL − 1 s) / 3), and released on success, failure and cancellation; machines it creates are
//!   created under a lease too;
//! - pools run with their concurrency and spearhead; the first failure stops work that has not started (work in
//!   flight finishes) and the report says, for each machine, whether its step succeeded, failed (and why) or was
//!   canceled;
//! - nothing is destroyed that the plan does not name, except machines this run created when their phase asks
//!   for a rollback (bluegreen greens) and canaries, which never outlive a failed run; volumes are never destroyed;
//! - at the end, live managed machines per group are counted and must match the plan.

mod events;
mod progress;
mod steps;

pub use events::{Event, LeaseEvent, Outcome};
pub use progress::{MachineProgress, Progress, RunState, TimelineEntry};

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::future::{join, join_all};
use futures_util::stream::{self, FuturesUnordered};
use serde::Serialize;

use crate::api::{ApiError, MachineFilter, MachinesClient, Transport};
use crate::plan::{Action, Plan, Pool, Role, is_managed};

/// How many lease calls (acquire, refresh, release) are in flight at once.
const LEASE_CONCURRENCY: usize = 16;

/// Knobs of a run (the plan holds the rest: lease TTL, wait timeout).
#[derive(Debug, Clone, PartialEq)]
pub struct EngineOptions {
    /// How long a machine must stay up after starting before it counts as not crashing (flyctl's 10 s).
    pub smoke_window: Duration,
    /// How often machine state and health checks are polled.
    pub poll_interval: Duration,
    /// How often leases are refreshed; `None`: (TTL − 1 s) / 3, as flyctl.
    pub lease_refresh: Option<Duration>,
    /// Stored with each lease, for whoever finds it held.
    pub lease_description: String,
    /// Count live managed machines per group at the end and compare with the plan.
    pub verify_counts: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            smoke_window: Duration::from_secs(10),
            poll_interval: Duration::from_secs(1),
            lease_refresh: None,
            lease_description: "flightdeck".to_owned(),
            verify_counts: true,
        }
    }
}

/// Cancels a run from elsewhere (a Ctrl-C handler, a dashboard button): work not started is skipped, leases are
/// released. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_canceled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Why a run failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RunError {
    #[error("machine {machine} [{group}]: {message}")]
    Api { machine: String, group: String, message: String, code: String },
    #[error("could not lease machine {machine}: {message}")]
    Lease { machine: String, message: String },
    #[error(
        "release command failed - aborting deployment. machine {machine} exited with non-zero status of {exit_code} \
         (it is kept, stopped, for debugging)"
    )]
    ReleaseCommand { machine: String, exit_code: i64 },
    #[error("machine {machine} [{group}] did not start: it is {state}")]
    NotStarted { machine: String, group: String, state: String },
    #[error("the app appears to be crashing: machine {machine} [{group}] {detail}")]
    Crashing { machine: String, group: String, detail: String },
    #[error(
        "timeout reached waiting for health checks to pass for machine {machine} [{group}] ({passing}/{total} \
         passing); a longer wait timeout may help"
    )]
    Unhealthy { machine: String, group: String, passing: usize, total: usize },
    #[error("canceled")]
    Canceled,
    #[error("group {group} has {actual} live machines after the run; the plan expected {expected}")]
    CountMismatch { group: String, expected: usize, actual: usize },
    #[error("the plan names machine {0}, which no earlier step created")]
    UnknownKey(String),
}

impl RunError {
    fn api(machine: &str, group: &str, error: &ApiError) -> Self {
        RunError::Api {
            machine: machine.to_owned(),
            group: group.to_owned(),
            message: error.to_string(),
            code: error.code().to_owned(),
        }
    }
}

/// One action's end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct ActionOutcome {
    pub machine: String,
    pub group: String,
    pub verb: String,
    #[serde(flatten)]
    // Declared by name so TypeScript makes an intersection (an interface cannot extend the union `Outcome` is).
    #[cfg_attr(feature = "js", tsify(type = "Outcome"))]
    pub outcome: Outcome,
}

/// What a run did: each action's outcome, and the ids of the machines it created by plan key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct Report {
    pub outcomes: Vec<ActionOutcome>,
    pub created: BTreeMap<String, String>,
}

impl Report {
    pub fn succeeded(&self) -> usize {
        self.outcomes.iter().filter(|o| o.outcome == Outcome::Succeeded).count()
    }
}

/// A failed run: the first error, and the report of everything that happened up to it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[error("{error}")]
pub struct Failure {
    pub error: RunError,
    pub report: Report,
}

fn lock<V>(mutex: &Mutex<V>) -> std::sync::MutexGuard<'_, V> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A machine this run created.
#[derive(Debug, Clone)]
struct Created {
    id: String,
    role: Role,
    phase: usize,
    destroyed: bool,
}

/// The state of one run, shared by its concurrent steps.
struct Run<'a, T: Transport> {
    client: &'a MachinesClient<T>,
    plan: &'a Plan,
    options: &'a EngineOptions,
    sink: &'a dyn Fn(Event),
    cancel: &'a Cancel,
    /// Machine id → lease nonce.
    leases: Mutex<BTreeMap<String, String>>,
    created: Mutex<BTreeMap<String, Created>>,
    outcomes: Mutex<Vec<ActionOutcome>>,
    failure: Mutex<Option<RunError>>,
    phase: Mutex<usize>,
    /// Actions still to run per machine (id, or plan key for machines this run creates): a machine's lease is
    /// released as soon as none is left, so it is not refreshed while the rest of the run goes on.
    uses: Mutex<BTreeMap<String, usize>>,
    /// Set when the work is over: the lease refresher stops.
    closing: AtomicBool,
}

/// Runs `plan`, sending every event to `sink`. The sink is a `dyn` reference so that the engine is compiled once per
/// transport, not once per sink (the dashboard has two sinks; each copy was 40 KB of wasm).
pub async fn run<T: Transport>(
    client: &MachinesClient<T>,
    plan: &Plan,
    options: &EngineOptions,
    sink: &dyn Fn(Event),
    cancel: &Cancel,
) -> Result<Report, Failure> {
    sink(Event::PlanAccepted {
        app: plan.app.clone(),
        operation: plan.operation.clone(),
        actions: plan.actions().count(),
    });
    for warning in &plan.warnings {
        sink(Event::Warning { message: warning.clone() });
    }
    let run = Run {
        client,
        plan,
        options,
        sink,
        cancel,
        leases: Mutex::default(),
        created: Mutex::default(),
        outcomes: Mutex::default(),
        failure: Mutex::default(),
        phase: Mutex::default(),
        uses: Mutex::new(plan.actions().filter_map(steps::target_key).fold(BTreeMap::new(), |mut uses, key| {
            *uses.entry(key).or_insert(0) += 1;
            uses
        })),
        closing: AtomicBool::new(false),
    };
    let result = match run.acquire_leases().await {
        Ok(()) => {
            // The refresher is told to stop rather than dropped, so no refresh is cut off mid-request (one that
            // reached the API after the release would take the lease again).
            let work = async {
                let result = run.phases().await;
                run.closing.store(true, Ordering::SeqCst);
                result
            };
            join(work, run.refresh_leases()).await.0
        }
        Err(error) => Err(error),
    };
    run.release_leases().await;
    let result = match result {
        Ok(()) if options.verify_counts => run.verify_counts().await,
        other => other,
    };
    let report = Report {
        outcomes: std::mem::take(&mut *lock(&run.outcomes)),
        created: crate::sort::map_of(lock(&run.created).iter().map(|(k, c)| (k.clone(), c.id.clone()))),
    };
    match result {
        Ok(()) => {
            sink(Event::Done { operation: plan.operation.clone(), succeeded: report.succeeded() });
            Ok(report)
        }
        Err(error) => {
            sink(Event::Failed { error: error.to_string() });
            Err(Failure { error, report })
        }
    }
}

impl<T: Transport> Run<'_, T> {
    fn emit(&self, event: Event) {
        (self.sink)(event);
    }

    fn stopped(&self) -> bool {
        self.cancel.is_canceled() || lock(&self.failure).is_some()
    }

    fn fail(&self, error: RunError) {
        lock(&self.failure).get_or_insert(error);
    }

    fn record(&self, machine: &str, group: &str, verb: &str, outcome: Outcome) {
        self.emit(Event::ActionFinished {
            machine: machine.to_owned(),
            group: group.to_owned(),
            verb: verb.to_owned(),
            outcome: outcome.clone(),
        });
        lock(&self.outcomes).push(ActionOutcome {
            machine: machine.to_owned(),
            group: group.to_owned(),
            verb: verb.to_owned(),
            outcome,
        });
    }

    fn nonce(&self, id: &str) -> Option<String> {
        lock(&self.leases).get(id).cloned()
    }

    /// Leases every existing machine the plan changes, 16 at a time; one refusal stops the rest (the ones taken are
    /// released by the caller) and fails.
    async fn acquire_leases(&self) -> Result<(), RunError> {
        let ids: BTreeSet<String> =
            crate::sort::set_of(self.plan.actions().filter_map(Action::existing_machine).map(|m| m.id.clone()));
        let refusal = Mutex::new(None);
        let refusal_ref = &refusal;
        stream::iter(ids)
            .map(|id| async move {
                if lock(refusal_ref).is_some() {
                    return;
                }
                let (ttl, description) = (self.plan.lease_ttl_secs, &self.options.lease_description);
                match self.client.acquire_lease(&self.plan.app, &id, ttl, description, None).await {
                    Ok(lease) => {
                        lock(&self.leases).insert(id.clone(), lease.nonce);
                        self.emit(Event::Lease { machine: id, event: LeaseEvent::Acquired });
                    }
                    Err(error) => {
                        lock(refusal_ref).get_or_insert(RunError::Lease { machine: id, message: error.to_string() });
                    }
                }
            })
            .buffer_unordered(LEASE_CONCURRENCY)
            .collect::<Vec<()>>()
            .await;
        match refusal.into_inner().unwrap_or_else(PoisonError::into_inner) {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    /// Gives one lease back; a machine destroyed by the run has none left, which is fine.
    async fn release(&self, id: &str, nonce: &str) {
        match self.client.release_lease(&self.plan.app, id, nonce).await {
            Ok(()) | Err(ApiError::NotFound { .. }) => {
                self.emit(Event::Lease { machine: id.to_owned(), event: LeaseEvent::Released });
            }
            Err(error) => self.emit(Event::Warning {
                message: format!("could not release the lease on machine {id} (it expires by itself): {error}"),
            }),
        }
    }

    /// Keeps every lease alive until the work ends (this future is dropped then).
    async fn refresh_leases(&self) {
        let ttl = self.plan.lease_ttl_secs.max(2);
        let every = self.options.lease_refresh.unwrap_or_else(|| Duration::from_secs_f64((ttl as f64 - 1.0) / 3.0));
        let slice = every.min(Duration::from_millis(200));
        loop {
            let mut slept = Duration::ZERO;
            while slept < every && !self.closing.load(Ordering::SeqCst) {
                self.client.transport().sleep(slice).await;
                slept += slice;
            }
            if self.closing.load(Ordering::SeqCst) {
                return;
            }
            let held: Vec<(String, String)> = lock(&self.leases).iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            let mut refreshes: FuturesUnordered<_> = FuturesUnordered::new();
            let mut held = held.into_iter();
            loop {
                while refreshes.len() < 8 {
                    let Some((id, nonce)) = held.next() else { break };
                    refreshes.push(async move {
                        let outcome = self
                            .client
                            .acquire_lease(&self.plan.app, &id, ttl, &self.options.lease_description, Some(&nonce))
                            .await;
                        (id, nonce, outcome)
                    });
                }
                let Some((id, nonce, outcome)) = refreshes.next().await else { break };
                let still_held = lock(&self.leases).get(&id).is_some_and(|n| *n == nonce);
                match outcome {
                    // Released while the refresh was on its way: the refresh may have taken a new lease; give it back.
                    Ok(lease) if !still_held => {
                        let nonce = if lease.nonce.is_empty() { nonce } else { lease.nonce };
                        let _ = self.client.release_lease(&self.plan.app, &id, &nonce).await;
                    }
                    Ok(lease) if lease.nonce.is_empty() || lease.nonce == nonce => {
                        self.emit(Event::Lease { machine: id, event: LeaseEvent::Refreshed });
                    }
                    Err(ApiError::NotFound { .. }) => {
                        lock(&self.leases).remove(&id);
                    }
                    Ok(_) | Err(ApiError::LeaseHeld { .. }) => {
                        lock(&self.leases).remove(&id);
                        self.emit(Event::Lease { machine: id, event: LeaseEvent::Lost });
                    }
                    Err(error) => self
                        .emit(Event::Warning { message: format!("error refreshing lease for machine {id}: {error}") }),
                }
            }
        }
    }

    /// Releases every lease still held (existing and created machines), 16 at a time.
    async fn release_leases(&self) {
        let held: Vec<(String, String)> = std::mem::take(&mut *lock(&self.leases)).into_iter().collect();
        stream::iter(held)
            .map(|(id, nonce)| async move { self.release(&id, &nonce).await })
            .buffer_unordered(LEASE_CONCURRENCY)
            .collect::<Vec<()>>()
            .await;
    }

    async fn phases(&self) -> Result<(), RunError> {
        for (index, phase) in self.plan.phases.iter().enumerate() {
            if self.cancel.is_canceled() {
                self.fail(RunError::Canceled);
            }
            if self.stopped() {
                break;
            }
            *lock(&self.phase) = index;
            self.emit(Event::PhaseStarted { index, title: phase.title.clone() });
            join_all(phase.pools.iter().map(|pool| self.run_pool(pool))).await;
            if self.cancel.is_canceled() {
                self.fail(RunError::Canceled);
            }
            if self.stopped() && phase.rollback_created {
                self.destroy_created(|c| c.phase == index, "rolling back: its phase failed").await;
            }
        }
        let failure = lock(&self.failure).clone();
        match failure {
            Some(error) => {
                // Canaries are temporary: they never outlive a failed run (flyctl leaks one, §B.8).
                self.destroy_created(|c| c.role == Role::Canary, "the run failed; canaries are temporary").await;
                self.skip_remaining();
                Err(error)
            }
            None => Ok(()),
        }
    }

    /// Reports every action that never ran as canceled.
    fn skip_remaining(&self) {
        let done: usize = lock(&self.outcomes).len();
        let total = self.plan.actions().count();
        if done >= total {
            return;
        }
        let phase = *lock(&self.phase);
        for action in self.plan.phases.iter().skip(phase + 1).flat_map(|p| p.actions()) {
            let (machine, group, verb) = steps::identify(action);
            lock(&self.outcomes).push(ActionOutcome { machine, group, verb, outcome: Outcome::Canceled });
        }
    }

    async fn destroy_created(&self, which: impl Fn(&Created) -> bool, reason: &str) {
        let doomed: Vec<(String, Created)> = lock(&self.created)
            .iter()
            .filter(|(_, c)| !c.destroyed && which(c))
            .map(|(k, c)| (k.clone(), c.clone()))
            .collect();
        for (key, created) in doomed {
            let nonce = self.nonce(&created.id);
            let outcome = self.client.destroy_machine(&self.plan.app, &created.id, true, nonce.as_deref()).await;
            match outcome {
                Ok(()) | Err(ApiError::NotFound { .. }) => {
                    lock(&self.leases).remove(&created.id);
                    if let Some(entry) = lock(&self.created).get_mut(&key) {
                        entry.destroyed = true;
                    }
                    self.emit(Event::Warning {
                        message: format!("destroyed machine {} ({key}): {reason}", created.id),
                    });
                }
                Err(error) => self.emit(Event::Warning {
                    message: format!("could not destroy machine {} ({key}); destroy it by hand: {error}", created.id),
                }),
            }
        }
    }

    /// A pool: the spearhead alone, then the rest at most `concurrency` at a time; a failure anywhere stops what
    /// has not started.
    async fn run_pool(&self, pool: &Pool) {
        let mut actions = pool.actions.iter();
        let mut canceled = Vec::new();
        if pool.spearhead
            && let Some(first) = actions.next()
        {
            self.run_action(first).await;
        }
        let mut running = FuturesUnordered::new();
        loop {
            while running.len() < pool.concurrency.max(1) {
                let Some(action) = actions.next() else { break };
                if self.stopped() {
                    canceled.push(action);
                    continue;
                }
                running.push(self.run_action(action));
            }
            if running.next().await.is_none() {
                break;
            }
        }
        for action in canceled {
            let (machine, group, verb) = steps::identify(action);
            self.record(&machine, &group, &verb, Outcome::Canceled);
        }
    }

    async fn run_action(&self, action: &Action) {
        let (machine, group, verb) = steps::identify(action);
        self.emit(Event::ActionStarted {
            machine: machine.clone(),
            group: group.clone(),
            verb: verb.clone(),
            description: action.describe(),
        });
        match self.execute(action).await {
            Ok(id) => {
                self.release_if_done(action, &id).await;
                self.record(&id, &group, &verb, Outcome::Succeeded);
            }
            Err(error) => {
                self.record(&machine, &group, &verb, Outcome::Failed(error.to_string()));
                self.fail(error);
            }
        }
    }

    /// After `action` succeeded on machine `id`: if no later action needs the machine, its lease is released now.
    async fn release_if_done(&self, action: &Action, id: &str) {
        let Some(key) = steps::target_key(action) else { return };
        let done = {
            let mut uses = lock(&self.uses);
            let left = uses.entry(key.clone()).or_insert(1);
            *left = left.saturating_sub(1);
            *left == 0
        };
        if !done {
            return;
        }
        let targeted = lock(&self.created).get(&key).map_or(key, |c| c.id.clone());
        for machine in [targeted.as_str(), id] {
            let nonce = lock(&self.leases).remove(machine);
            if let Some(nonce) = nonce {
                self.release(machine, &nonce).await;
            }
        }
    }

    /// Counts live managed machines per group and compares with the plan.
    async fn verify_counts(&self) -> Result<(), RunError> {
        let machines = self
            .client
            .list_machines(&self.plan.app, &MachineFilter::default())
            .await
            .map_err(|e| RunError::api("(list)", "", &e))?;
        let mut actual: BTreeMap<String, usize> = BTreeMap::new();
        for machine in machines.iter().filter(|m| is_managed(m)) {
            *actual.entry(crate::plan::group_of(machine).to_owned()).or_default() += 1;
        }
        let groups: BTreeSet<&String> = crate::sort::set_of(actual.keys().chain(self.plan.expected_counts.keys()));
        for group in groups {
            let expected = self.plan.expected_counts.get(group).copied().unwrap_or(0);
            let found = actual.get(group).copied().unwrap_or(0);
            if expected != found {
                return Err(RunError::CountMismatch { group: group.clone(), expected, actual: found });
            }
        }
        Ok(())
    }
}

/// What planners need to know about an app, read from the API in three calls.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct AppSnapshot {
    pub machines: Vec<crate::api::Machine>,
    pub volumes: Vec<crate::api::Volume>,
    /// The app's status says it has been deployed (`deployed` or `suspended`).
    pub deployed: bool,
}

impl AppSnapshot {
    /// Reads the app's machines (with configs), volumes and status.
    pub async fn read<T: Transport>(client: &MachinesClient<T>, app: &str) -> Result<Self, ApiError> {
        let status = client.get_app(app).await?.status.unwrap_or_default();
        let machines = client.list_machines(app, &MachineFilter::default()).await?;
        let volumes = client.list_volumes(app).await?;
        Ok(Self { machines, volumes, deployed: matches!(status.as_str(), "deployed" | "suspended") })
    }

    /// The input of a deploy plan of `config`.
    pub fn deploy_input<'a>(
        &'a self,
        app: &'a str,
        config: &'a crate::config::AppConfig,
    ) -> crate::plan::DeployInput<'a> {
        crate::plan::DeployInput {
            app,
            config,
            machines: &self.machines,
            volumes: &self.volumes,
            app_deployed: self.deployed,
        }
    }
}
