//! The Fly Machines API client.
//!
//! Owns: wire types ([`types`]), tokens ([`token`]), request building ([`request`]) and response decoding
//! ([`response`]) as plain synchronous functions, the [`Transport`] seam, and [`MachinesClient`], the only async glue.
//! Must not depend on config parsing, planning or any UI.

pub mod error;
pub mod machines;
pub mod ratelimit;
pub mod request;
pub mod response;
pub mod retry;
pub mod secrets;
pub mod token;
pub mod transport;
pub mod types;
pub mod volumes;

#[cfg(target_arch = "wasm32")]
mod fetch;
#[cfg(not(target_arch = "wasm32"))]
mod native;

pub use error::ApiError;
#[cfg(target_arch = "wasm32")]
pub use fetch::{FetchTransport, describe_js_error};
pub use machines::{
    CheckStatus, ImageRef, Lease, Machine, MachineEvent, MachineFilter, MachineRequest, MachineState, WaitFor,
    WaitResponse, WaitState,
};
#[cfg(not(target_arch = "wasm32"))]
pub use native::NativeTransport;
pub use request::BaseUrl;
pub use retry::RetryPolicy;
pub use secrets::{AppSecret, SecretsUpdate};
pub use token::{AuthToken, TokenError};
pub use transport::{HttpRequest, HttpResponse, Method, Transport, TransportError};
pub use types::{App, CreateAppRequest, ListAppsResponse, Organization};
pub use volumes::{CreateVolumeRequest, ExtendResponse, UpdateVolumeRequest, Volume};

use std::time::Duration;

/// The public Machines API endpoint, as flyctl uses it (`FLAPS_BASE_URL` overrides it there).
pub const DEFAULT_BASE_URL: &str = "https://api.machines.dev";

/// How long one request may take before the transport gives up, unless the client is told otherwise.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A Machines API client over any [`Transport`].
///
/// ```
/// use flightdeck::api::{AuthToken, MachinesClient, Transport};
/// # fn demo<T: Transport>(transport: T) -> Result<(), flightdeck::api::ApiError> {
/// let token = AuthToken::new("FlyV1 fm2_abc").map_err(flightdeck::api::ApiError::from)?;
/// let client = MachinesClient::new("http://127.0.0.1:8080", token, transport)?;
/// # let _ = client; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct MachinesClient<T> {
    base: BaseUrl,
    token: AuthToken,
    transport: T,
    timeout: Duration,
    retry: RetryPolicy,
    /// Shared by clones, so every copy of one client paces against the same buckets.
    limiter: std::sync::Arc<std::sync::Mutex<ratelimit::RateLimiter>>,
}

/// How much later than its token's refill a paced request is sent.
const PACING_MARGIN: Duration = Duration::from_millis(50);

impl<T: Transport> MachinesClient<T> {
    /// A client for the API at `base_url` (with or without the trailing `/v1`).
    pub fn new(base_url: &str, token: AuthToken, transport: T) -> Result<Self, ApiError> {
        Ok(Self {
            base: BaseUrl::parse(base_url)?,
            token,
            transport,
            timeout: DEFAULT_REQUEST_TIMEOUT,
            retry: RetryPolicy::default(),
            limiter: std::sync::Arc::default(),
        })
    }

    /// The same client with another per-request timeout.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The same client with another retry policy (`attempts: 1` turns retries off).
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The transport (the engine uses its clock and timer).
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The API's base URL, without `/v1`.
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    async fn send(&self, mut request: HttpRequest) -> Result<HttpResponse, ApiError> {
        request.timeout = Some(self.timeout);
        Ok(self.transport.send(request).await?)
    }

    /// Waits for a token of the Machines API's per-machine, per-action rate limit, so the client does not earn 429s.
    async fn pace(&self, key: &str, rate: ratelimit::Rate) {
        let wait = {
            let mut limiter = self.limiter.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            limiter.reserve(key, rate, self.transport.now_ms())
        };
        if !wait.is_zero() {
            // A margin over the bucket's exact refill time: two requests sent a refill apart can arrive closer
            // together (the first delayed more on its way), and the server would answer the second with a 429.
            self.transport.sleep(wait + PACING_MARGIN).await;
        }
    }

    /// Sends a request that changes something. Only a 429 is retried (after Retry-After): the server refused it
    /// before acting, so sending it again cannot do the change twice.
    async fn mutation<R>(
        &self,
        request: HttpRequest,
        read: impl Fn(&HttpResponse) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        self.retrying(request, read, |error| matches!(error, ApiError::RateLimited { .. })).await
    }

    /// Sends a request that is safe to repeat, retrying transient failures (408, 429, 5xx, no answer) with backoff.
    async fn idempotent<R>(
        &self,
        request: HttpRequest,
        read: impl Fn(&HttpResponse) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        self.retrying(request, read, retry::retryable).await
    }

    /// Sends `request`, and again after a backoff while `again` says so and the policy allows more tries.
    async fn retrying<R>(
        &self,
        request: HttpRequest,
        read: impl Fn(&HttpResponse) -> Result<R, ApiError>,
        again: impl Fn(&ApiError) -> bool,
    ) -> Result<R, ApiError> {
        let mut attempt = 0;
        loop {
            let outcome = match self.send(request.clone()).await {
                Ok(response) => read(&response),
                Err(error) => Err(error),
            };
            match outcome {
                Err(error) if again(&error) && attempt + 1 < self.retry.attempts => {
                    let seed = self.transport.now_ms().to_bits();
                    self.transport.sleep(self.retry.backoff(attempt, &error, seed)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// `POST /v1/apps`: creates an app; app names are global across Fly, so a taken name is [`ApiError::NameTaken`].
    pub async fn create_app(&self, app: &CreateAppRequest) -> Result<App, ApiError> {
        let response = self.send(request::create_app(&self.base, &self.token, app)?).await?;
        response::create_app(&response, app)
    }

    /// `GET /v1/apps?org_slug=…`: the apps of one organization (`personal` is always allowed).
    pub async fn list_apps(&self, org_slug: &str) -> Result<Vec<App>, ApiError> {
        self.idempotent(request::list_apps(&self.base, &self.token, org_slug), response::list_apps).await
    }

    /// `GET /v1/apps/{name}`.
    pub async fn get_app(&self, name: &str) -> Result<App, ApiError> {
        self.idempotent(request::get_app(&self.base, &self.token, name), response::get_app).await
    }

    /// The app's machines, filtered.
    pub async fn list_machines(&self, app: &str, filter: &MachineFilter) -> Result<Vec<Machine>, ApiError> {
        self.idempotent(machines::request::list(&self.base, &self.token, app, filter), machines::response::list).await
    }

    /// One machine, by id or by name (names are resolved through a summary list; ambiguity is an error).
    pub async fn get_machine(&self, app: &str, id_or_name: &str) -> Result<Machine, ApiError> {
        let id = self.machine_turn(app, id_or_name, "get", ratelimit::READ_RATE).await?;
        self.idempotent(machines::request::get(&self.base, &self.token, app, &id, false), machines::response::machine)
            .await
    }

    /// The start of every per-machine call: the machine's id (see [`Self::machine_id`]), once the client-side rate
    /// limit for this machine and `action` lets the call go.
    async fn machine_turn(
        &self,
        app: &str,
        id_or_name: &str,
        action: &str,
        rate: ratelimit::Rate,
    ) -> Result<String, ApiError> {
        let id = self.machine_id(app, id_or_name).await?;
        self.pace(&format!("{id}/{action}"), rate).await;
        Ok(id)
    }

    /// The id of the machine called `id_or_name`. Every machine method takes either: a string shaped like a machine
    /// id is used as it is (no request); a name is looked up in one summary list, and an unknown or ambiguous name is
    /// an error.
    pub async fn machine_id(&self, app: &str, id_or_name: &str) -> Result<String, ApiError> {
        let looks_like_id = (14..=16).contains(&id_or_name.len())
            && id_or_name.bytes().all(|b| b.is_ascii_hexdigit() || b.is_ascii_digit());
        if looks_like_id {
            return Ok(id_or_name.to_owned());
        }
        let filter = MachineFilter { summary: true, ..MachineFilter::default() };
        let machines = self.list_machines(app, &filter).await?;
        let matching: Vec<&Machine> = machines.iter().filter(|m| m.name == id_or_name || m.id == id_or_name).collect();
        match matching.as_slice() {
            [one] => Ok(one.id.clone()),
            [] => Err(ApiError::UnknownMachine { app: app.to_owned(), name: id_or_name.to_owned() }),
            many => {
                Err(ApiError::AmbiguousMachine { app: app.to_owned(), name: id_or_name.to_owned(), count: many.len() })
            }
        }
    }

    /// Creates a machine. Never retried blindly: when the answer is lost (no response, 408, 5xx) the create may or may
    /// not have happened, so a named machine is looked up instead of created twice; an unnamed one returns the error.
    pub async fn create_machine(&self, app: &str, machine: &MachineRequest) -> Result<Machine, ApiError> {
        self.pace(&format!("{app}/create"), ratelimit::ACTION_RATE).await;
        let request = machines::request::create(&self.base, &self.token, app, machine)?;
        let outcome = self.mutation(request, machines::response::machine).await;
        match (outcome, machine.name.as_deref().filter(|n| !n.is_empty())) {
            (Err(error), Some(name)) if retry::retryable(&error) && !matches!(error, ApiError::RateLimited { .. }) => {
                let filter = MachineFilter { summary: true, ..MachineFilter::default() };
                let existing = self.list_machines(app, &filter).await?;
                match existing.iter().find(|m| m.name == name && !m.state.is_gone()) {
                    Some(found) => self.get_machine(app, &found.id).await,
                    None => Err(error),
                }
            }
            (outcome, _) => outcome,
        }
    }

    /// Waits until the machine reaches one of `wait.states` or `deadline` passes, in calls of at most 60 s (the
    /// API's limit), backing off on transient failures. A deadline that passes is [`ApiError::Timeout`].
    pub async fn wait_until(
        &self,
        app: &str,
        id_or_name: &str,
        wait: &WaitFor<'_>,
        deadline: Duration,
    ) -> Result<WaitResponse, ApiError> {
        let id = self.machine_id(app, id_or_name).await?;
        let id = id.as_str();
        let started = self.transport.now_ms();
        let mut attempt = 0;
        loop {
            let elapsed = Duration::from_secs_f64(((self.transport.now_ms() - started) / 1000.0).max(0.0));
            let Some(remaining) = deadline.checked_sub(elapsed).filter(|r| !r.is_zero()) else {
                let states: Vec<&str> = wait.states.iter().map(|s| s.as_str()).collect();
                return Err(ApiError::Timeout {
                    message: format!("machine {id} did not reach {} within {deadline:?}", states.join(" or ")),
                    request_id: None,
                });
            };
            let call = WaitFor { timeout_secs: remaining.as_secs().clamp(1, machines::MAX_WAIT_SECS), ..*wait };
            match self.wait_machine(app, id, &call).await {
                Ok(done) => return Ok(done),
                // The server held the call for its whole timeout: ask again straight away.
                Err(ApiError::Timeout { .. }) => attempt = 0,
                Err(error) if retry::retryable(&error) => {
                    let seed = self.transport.now_ms().to_bits();
                    let pause = self.retry.backoff(attempt, &error, seed).min(remaining);
                    self.transport.sleep(pause).await;
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Replaces a machine's config (`machine.current_version` guards against lost updates).
    pub async fn update_machine(
        &self,
        app: &str,
        id_or_name: &str,
        machine: &MachineRequest,
        nonce: Option<&str>,
    ) -> Result<Machine, ApiError> {
        let id = self.machine_turn(app, id_or_name, "update", ratelimit::ACTION_RATE).await?;
        let id = id.as_str();
        self.mutation(
            machines::request::update(&self.base, &self.token, app, id, machine, nonce)?,
            machines::response::machine,
        )
        .await
    }

    /// Destroys a machine (`force` for a started one).
    pub async fn destroy_machine(
        &self,
        app: &str,
        id_or_name: &str,
        force: bool,
        nonce: Option<&str>,
    ) -> Result<(), ApiError> {
        let id = self.machine_turn(app, id_or_name, "destroy", ratelimit::ACTION_RATE).await?;
        let id = id.as_str();
        self.mutation(
            machines::request::destroy(&self.base, &self.token, app, id, force, nonce),
            machines::response::done,
        )
        .await
    }

    /// `start`, `suspend`, `cordon` or `uncordon`.
    pub async fn machine_action(
        &self,
        app: &str,
        id_or_name: &str,
        action: MachineAction,
        nonce: Option<&str>,
    ) -> Result<(), ApiError> {
        let id = self.machine_turn(app, id_or_name, action.path(), ratelimit::ACTION_RATE).await?;
        let id = id.as_str();
        self.mutation(
            machines::request::action(&self.base, &self.token, app, id, action.path(), nonce),
            machines::response::done,
        )
        .await
    }

    /// Stops a machine, optionally with a signal and a grace period.
    pub async fn stop_machine(
        &self,
        app: &str,
        id_or_name: &str,
        signal: Option<&str>,
        timeout: Option<crate::duration::GoDuration>,
        nonce: Option<&str>,
    ) -> Result<(), ApiError> {
        let id = self.machine_turn(app, id_or_name, "stop", ratelimit::ACTION_RATE).await?;
        let id = id.as_str();
        self.mutation(
            machines::request::stop(&self.base, &self.token, app, id, signal, timeout, nonce)?,
            machines::response::done,
        )
        .await
    }

    /// Restarts a started machine (stop, then start), optionally with a signal and a grace period for the stop.
    pub async fn restart_machine(
        &self,
        app: &str,
        id_or_name: &str,
        signal: Option<&str>,
        timeout: Option<crate::duration::GoDuration>,
        nonce: Option<&str>,
    ) -> Result<(), ApiError> {
        let id = self.machine_turn(app, id_or_name, "restart", ratelimit::ACTION_RATE).await?;
        let id = id.as_str();
        self.mutation(
            machines::request::restart(&self.base, &self.token, app, id, signal, timeout, nonce),
            machines::response::done,
        )
        .await
    }

    /// Sends a signal (`SIGTERM`, `SIGUSR1`, …) to a started machine's main process.
    pub async fn signal_machine(&self, app: &str, id_or_name: &str, signal: &str) -> Result<(), ApiError> {
        let id = self.machine_turn(app, id_or_name, "signal", ratelimit::ACTION_RATE).await?;
        let id = id.as_str();
        self.mutation(machines::request::signal(&self.base, &self.token, app, id, signal)?, machines::response::done)
            .await
    }

    /// One wait call (at most 60 s, the API's limit).
    pub async fn wait_machine(
        &self,
        app: &str,
        id_or_name: &str,
        wait: &WaitFor<'_>,
    ) -> Result<WaitResponse, ApiError> {
        let id = self.machine_turn(app, id_or_name, "wait", ratelimit::READ_RATE).await?;
        let id = id.as_str();
        let mut request = machines::request::wait(&self.base, &self.token, app, id, wait);
        // The server holds the request up to the wait's timeout: give the transport that long and a margin.
        request.timeout = Some(Duration::from_secs(wait.timeout_secs.clamp(1, machines::MAX_WAIT_SECS) + 10));
        let response = self.transport.send(request).await?;
        machines::response::wait(&response)
    }

    /// Acquires a lease (`nonce: None`) or refreshes the caller's (`Some(nonce)`).
    pub async fn acquire_lease(
        &self,
        app: &str,
        id_or_name: &str,
        ttl_secs: u64,
        description: &str,
        nonce: Option<&str>,
    ) -> Result<Lease, ApiError> {
        let id = self.machine_turn(app, id_or_name, "lease", ratelimit::ACTION_RATE).await?;
        let id = id.as_str();
        let request = machines::request::acquire_lease(&self.base, &self.token, app, id, ttl_secs, description, nonce)?;
        if nonce.is_some() {
            // A refresh of a lease we hold does the same thing however often it is sent.
            self.idempotent(request, machines::response::lease).await
        } else {
            self.mutation(request, machines::response::lease).await
        }
    }

    /// Releases the caller's lease. Safe to repeat (a second release finds no lease), so transient failures are
    /// retried: a lease left behind would block the next deploy until it expires.
    pub async fn release_lease(&self, app: &str, id_or_name: &str, nonce: &str) -> Result<(), ApiError> {
        let id = self.machine_turn(app, id_or_name, "lease", ratelimit::ACTION_RATE).await?;
        let id = id.as_str();
        self.idempotent(
            machines::request::release_lease(&self.base, &self.token, app, id, nonce),
            machines::response::done,
        )
        .await
    }

    /// `DELETE /v1/apps/{name}` (`force` also destroys its machines).
    pub async fn delete_app(&self, name: &str, force: bool) -> Result<(), ApiError> {
        let mut url = format!("{}/v1/apps/{}", self.base.as_str(), request::encode_component(name));
        if force {
            url.push_str("?force=true");
        }
        let response = self.send(request::authorized(Method::Delete, url, &self.token)).await?;
        machines::response::done(&response)
    }

    /// The app's secrets: names and digests, never values.
    pub async fn list_secrets(&self, app: &str) -> Result<Vec<AppSecret>, ApiError> {
        self.idempotent(secrets::request::list(&self.base, &self.token, app), secrets::response::list).await
    }

    /// Sets (`Some`) and unsets (`None`) secrets in one change; returns the new secrets version.
    pub async fn update_secrets(
        &self,
        app: &str,
        values: &std::collections::BTreeMap<String, Option<String>>,
    ) -> Result<SecretsUpdate, ApiError> {
        let response = self.send(secrets::request::update(&self.base, &self.token, app, values)?).await?;
        secrets::response::update(&response)
    }

    /// The app's volumes.
    pub async fn list_volumes(&self, app: &str) -> Result<Vec<Volume>, ApiError> {
        self.idempotent(volumes::request::list(&self.base, &self.token, app), volumes::response::list).await
    }

    /// Creates a volume in a region.
    pub async fn create_volume(&self, app: &str, volume: &CreateVolumeRequest) -> Result<Volume, ApiError> {
        let response = self.send(volumes::request::create(&self.base, &self.token, app, volume)?).await?;
        volumes::response::volume(&response)
    }

    /// One volume.
    pub async fn get_volume(&self, app: &str, id: &str) -> Result<Volume, ApiError> {
        self.idempotent(volumes::request::get(&self.base, &self.token, app, id), volumes::response::volume).await
    }

    /// Deletes a volume (refused while a machine has it attached).
    pub async fn delete_volume(&self, app: &str, id: &str) -> Result<Volume, ApiError> {
        let response = self.send(volumes::request::delete(&self.base, &self.token, app, id)).await?;
        volumes::response::volume(&response)
    }

    /// Changes a volume's snapshot retention or automatic backups (setting the same values twice is harmless, so
    /// transient failures are retried).
    pub async fn update_volume(&self, app: &str, id: &str, update: &UpdateVolumeRequest) -> Result<Volume, ApiError> {
        self.idempotent(volumes::request::update(&self.base, &self.token, app, id, update)?, volumes::response::volume)
            .await
    }

    /// Grows a volume (`PUT …/extend`); the answer says whether its machine must restart to see the new size.
    pub async fn extend_volume(&self, app: &str, id: &str, size_gb: u64) -> Result<ExtendResponse, ApiError> {
        let response = self.send(volumes::request::extend(&self.base, &self.token, app, id, size_gb)?).await?;
        volumes::response::extend(&response)
    }

    /// A machine's metadata (`fly_process_group`, `fly_release_version`, and whatever users set).
    pub async fn machine_metadata(
        &self,
        app: &str,
        id_or_name: &str,
    ) -> Result<std::collections::BTreeMap<String, String>, ApiError> {
        let id = self.machine_id(app, id_or_name).await?;
        let id = id.as_str();
        self.idempotent(machines::request::metadata(&self.base, &self.token, app, id), machines::response::metadata)
            .await
    }

    /// Sets one metadata key (metadata writes are not guarded by leases).
    pub async fn set_machine_metadata(
        &self,
        app: &str,
        id_or_name: &str,
        key: &str,
        value: &str,
    ) -> Result<(), ApiError> {
        let id = self.machine_turn(app, id_or_name, "metadata", ratelimit::ACTION_RATE).await?;
        let id = id.as_str();
        let request = machines::request::set_metadata(&self.base, &self.token, app, id, key, value)?;
        self.mutation(request, machines::response::done).await
    }

    /// Removes one metadata key.
    pub async fn delete_machine_metadata(&self, app: &str, id_or_name: &str, key: &str) -> Result<(), ApiError> {
        let id = self.machine_turn(app, id_or_name, "metadata", ratelimit::ACTION_RATE).await?;
        let id = id.as_str();
        self.mutation(
            machines::request::delete_metadata(&self.base, &self.token, app, id, key),
            machines::response::done,
        )
        .await
    }

    /// A machine's recent events, newest first.
    pub async fn machine_events(&self, app: &str, id_or_name: &str, limit: u32) -> Result<Vec<MachineEvent>, ApiError> {
        let id = self.machine_id(app, id_or_name).await?;
        let id = id.as_str();
        self.idempotent(machines::request::events(&self.base, &self.token, app, id, limit), machines::response::events)
            .await
    }
}

/// The bodiless lifecycle actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MachineAction {
    Start,
    Suspend,
    Cordon,
    Uncordon,
}

impl MachineAction {
    fn path(self) -> &'static str {
        match self {
            MachineAction::Start => "start",
            MachineAction::Suspend => "suspend",
            MachineAction::Cordon => "cordon",
            MachineAction::Uncordon => "uncordon",
        }
    }
}
