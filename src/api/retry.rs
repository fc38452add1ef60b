//! When a failed call is worth another try, and how long to wait first: exponential backoff with jitter, capped,
//! and the server's `Retry-After` when it sends one. Pure; the client does the waiting.

use std::time::Duration;

use super::error::ApiError;
use super::transport::TransportError;

/// How hard the client tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first one included.
    pub attempts: u32,
    /// The first backoff; each next one doubles, up to `cap`.
    pub base: Duration,
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { attempts: 4, base: Duration::from_millis(250), cap: Duration::from_secs(8) }
    }
}

/// 408, 429, 5xx and failures to get any answer: worth another try — for calls that are safe to repeat.
pub fn retryable(error: &ApiError) -> bool {
    matches!(
        error,
        ApiError::Timeout { .. }
            | ApiError::RateLimited { .. }
            | ApiError::Server { .. }
            | ApiError::Transport(TransportError::Connect(_) | TransportError::Timeout(_))
    )
}

/// A number in [0, 1) from a seed (SplitMix64): jitter without a random-number crate.
fn unit(seed: u64) -> f64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

impl RetryPolicy {
    /// The wait before try number `attempt + 1` (`attempt` counts from 0): the server's Retry-After when given
    /// (capped at a minute), else `base · 2^attempt` capped, with "equal jitter" (half fixed, half random) so clients
    /// that failed together do not retry together.
    pub fn backoff(&self, attempt: u32, error: &ApiError, seed: u64) -> Duration {
        if let ApiError::RateLimited { retry_after: Some(after), .. } = error {
            return (*after).min(Duration::from_secs(60));
        }
        let exponential = self.base.saturating_mul(1u32 << attempt.min(16)).min(self.cap);
        exponential.mul_f64(0.5 + 0.5 * unit(seed ^ u64::from(attempt)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> ApiError {
        ApiError::Server { status: 503, message: "busy".into(), request_id: None }
    }

    #[test]
    fn only_transient_failures_are_retried() {
        assert!(retryable(&server()));
        assert!(retryable(&ApiError::Transport(TransportError::Connect("refused".into()))));
        assert!(retryable(&ApiError::RateLimited { retry_after: None, message: String::new(), request_id: None }));
        assert!(!retryable(&ApiError::BadRequest { message: String::new(), request_id: None }));
        assert!(!retryable(&ApiError::NotFound { message: String::new(), request_id: None }));
        assert!(!retryable(&ApiError::LeaseHeld {
            owner: String::new(),
            expires_at: String::new(),
            message: String::new(),
            request_id: None
        }));
    }

    #[test]
    fn backoff_grows_is_capped_jittered_and_honours_retry_after() {
        let policy = RetryPolicy::default();
        for attempt in 0..8 {
            let exponential = policy.base.saturating_mul(1 << attempt).min(policy.cap);
            for seed in 0..50 {
                let wait = policy.backoff(attempt, &server(), seed);
                assert!(wait >= exponential / 2 && wait <= exponential, "attempt {attempt}: {wait:?}");
            }
        }
        let distinct: std::collections::BTreeSet<u128> =
            (0..50).map(|s| policy.backoff(3, &server(), s).as_micros()).collect();
        assert!(distinct.len() > 40, "jitter spreads retries");
        let limited = ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(3)),
            message: String::new(),
            request_id: None,
        };
        assert_eq!(policy.backoff(0, &limited, 1), Duration::from_secs(3));
    }
}
