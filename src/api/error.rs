//! [`ApiError`]: every way a Machines API call can fail, typed by cause, each carrying Fly's request id when the
//! server sent one (`fly-request-id`), so a user can quote it to Fly support.

use std::time::Duration;

use super::token::TokenError;
use super::transport::TransportError;

/// The error of a Machines API call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    #[error("bad request: {message}")]
    BadRequest { message: String, request_id: Option<String> },
    #[error("not authorized: {message} (check FLY_API_TOKEN)")]
    Unauthorized { message: String, request_id: Option<String> },
    #[error("forbidden: {message}")]
    Forbidden { message: String, request_id: Option<String> },
    #[error("not found: {message}")]
    NotFound { message: String, request_id: Option<String> },
    #[error("that name is already taken (app names are unique across all of Fly.io)")]
    NameTaken { message: String, request_id: Option<String> },
    #[error("conflict: {message}")]
    Conflict { message: String, request_id: Option<String> },
    #[error("the machine is leased by {owner} until {expires_at}")]
    LeaseHeld { owner: String, expires_at: String, message: String, request_id: Option<String> },
    #[error("no capacity for this machine: {message} (try another region or a smaller size)")]
    Capacity { message: String, request_id: Option<String> },
    #[error("no machine of app {app} is named or has the id {name:?}")]
    UnknownMachine { app: String, name: String },
    #[error("{count} machines of app {app} are named {name:?}: use a machine id")]
    AmbiguousMachine { app: String, name: String, count: usize },
    #[error("precondition failed: {message}")]
    PreconditionFailed { message: String, request_id: Option<String> },
    #[error("the API timed out: {message}")]
    Timeout { message: String, request_id: Option<String> },
    #[error("rate limited{}: {message}", retry_after.map(|d| format!(" (retry after {}s)", d.as_secs())).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration>, message: String, request_id: Option<String> },
    #[error("the API failed with status {status}: {message}")]
    Server { status: u16, message: String, request_id: Option<String> },
    #[error("unexpected status {status}: {message}")]
    UnexpectedStatus { status: u16, message: String, request_id: Option<String> },
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("could not decode the API's response: {message}")]
    Decode { message: String, request_id: Option<String> },
    #[error("invalid base URL {url:?}: {reason}")]
    InvalidBaseUrl { url: String, reason: String },
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

impl ApiError {
    /// A stable, machine-readable code (also the `code` of errors thrown to JavaScript).
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { .. } => "bad_request",
            ApiError::Unauthorized { .. } => "unauthorized",
            ApiError::Forbidden { .. } => "forbidden",
            ApiError::NotFound { .. } => "not_found",
            ApiError::NameTaken { .. } => "name_taken",
            ApiError::Conflict { .. } => "conflict",
            ApiError::LeaseHeld { .. } => "lease_held",
            ApiError::Capacity { .. } => "capacity",
            ApiError::UnknownMachine { .. } => "unknown_machine",
            ApiError::AmbiguousMachine { .. } => "ambiguous_machine",
            ApiError::PreconditionFailed { .. } => "precondition_failed",
            ApiError::Timeout { .. } => "timeout",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Server { .. } => "server_error",
            ApiError::UnexpectedStatus { .. } => "unexpected_status",
            ApiError::Transport(TransportError::Timeout(_)) => "transport_timeout",
            ApiError::Transport(_) => "transport",
            ApiError::Decode { .. } => "decode",
            ApiError::InvalidBaseUrl { .. } => "invalid_base_url",
            ApiError::Token(_) => "invalid_token",
            ApiError::InvalidArgument(_) => "invalid_argument",
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        Some(match self {
            ApiError::BadRequest { .. } => 400,
            ApiError::Unauthorized { .. } => 401,
            ApiError::Forbidden { .. } => 403,
            ApiError::NotFound { .. } => 404,
            ApiError::Timeout { .. } => 408,
            ApiError::Conflict { .. } | ApiError::LeaseHeld { .. } => 409,
            ApiError::PreconditionFailed { .. } => 412,
            ApiError::NameTaken { .. } => 422,
            ApiError::RateLimited { .. } => 429,
            ApiError::Server { status, .. } | ApiError::UnexpectedStatus { status, .. } => *status,
            _ => return None,
        })
    }

    /// Fly's `fly-request-id` of the failed call, when there was one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            ApiError::BadRequest { request_id, .. }
            | ApiError::Unauthorized { request_id, .. }
            | ApiError::Forbidden { request_id, .. }
            | ApiError::NotFound { request_id, .. }
            | ApiError::NameTaken { request_id, .. }
            | ApiError::Conflict { request_id, .. }
            | ApiError::LeaseHeld { request_id, .. }
            | ApiError::Capacity { request_id, .. }
            | ApiError::PreconditionFailed { request_id, .. }
            | ApiError::Timeout { request_id, .. }
            | ApiError::RateLimited { request_id, .. }
            | ApiError::Server { request_id, .. }
            | ApiError::UnexpectedStatus { request_id, .. }
            | ApiError::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }
}
