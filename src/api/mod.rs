//! The Fly Machines API client.
//!
//! Owns: wire types ([`types`]), tokens ([`token`]), request building ([`request`]) and response decoding
//! ([`response`]) as plain synchronous functions, the [`Transport`] seam, and [`MachinesClient`], the only async glue.
//! Must not depend on config parsing, planning or any UI.

pub mod error;
pub mod request;
pub mod response;
pub mod token;
pub mod transport;
pub mod types;

#[cfg(target_arch = "wasm32")]
mod fetch;
#[cfg(not(target_arch = "wasm32"))]
mod native;

pub use error::ApiError;
#[cfg(target_arch = "wasm32")]
pub use fetch::FetchTransport;
#[cfg(not(target_arch = "wasm32"))]
pub use native::NativeTransport;
pub use request::BaseUrl;
pub use token::{AuthToken, TokenError};
pub use transport::{HttpRequest, HttpResponse, Method, Transport, TransportError};
pub use types::{App, CreateAppRequest, ListAppsResponse, Organization};

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
}

impl<T: Transport> MachinesClient<T> {
    /// A client for the API at `base_url` (with or without the trailing `/v1`).
    pub fn new(base_url: &str, token: AuthToken, transport: T) -> Result<Self, ApiError> {
        Ok(Self { base: BaseUrl::parse(base_url)?, token, transport, timeout: DEFAULT_REQUEST_TIMEOUT })
    }

    /// The same client with another per-request timeout.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The API's base URL, without `/v1`.
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    async fn send(&self, mut request: HttpRequest) -> Result<HttpResponse, ApiError> {
        request.timeout = Some(self.timeout);
        Ok(self.transport.send(request).await?)
    }

    /// `GET /v1/apps?org_slug=…`: the apps of one organization (`personal` is always allowed).
    pub async fn list_apps(&self, org_slug: &str) -> Result<Vec<App>, ApiError> {
        let response = self.send(request::list_apps(&self.base, &self.token, org_slug)).await?;
        response::list_apps(&response)
    }

    /// `POST /v1/apps`: creates an app; app names are global across Fly, so a taken name is [`ApiError::NameTaken`].
    pub async fn create_app(&self, app: &CreateAppRequest) -> Result<App, ApiError> {
        let response = self.send(request::create_app(&self.base, &self.token, app)?).await?;
        response::create_app(&response, app)
    }

    /// `GET /v1/apps/{name}`.
    pub async fn get_app(&self, name: &str) -> Result<App, ApiError> {
        let response = self.send(request::get_app(&self.base, &self.token, name)).await?;
        response::get_app(&response)
    }
}
