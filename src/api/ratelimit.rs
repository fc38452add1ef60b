//! Token buckets: the Machines API allows each machine 1 request/s per action with bursts of 3, and 5/s with bursts
//! of 10 for reads of a machine. The client paces itself with the same buckets (so a deploy does not earn 429s)
//! and the emulator enforces them. Pure: callers pass the time.

use std::collections::HashMap;
use std::time::Duration;

/// A refill rate and a burst size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_second: f64,
    pub burst: f64,
}

/// Mutations (create, update, start, stop, lease, …): 1/s, bursts of 3.
pub const ACTION_RATE: Rate = Rate { per_second: 1.0, burst: 3.0 };
/// Reads of one machine: 5/s, bursts of 10.
pub const READ_RATE: Rate = Rate { per_second: 5.0, burst: 10.0 };

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at_ms: f64,
}

/// Buckets by key (`machine id` + `action`).
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: HashMap<String, Bucket>,
}

impl RateLimiter {
    /// Takes a token for `key` at `now_ms`: `None` when one was available, else how long until one is.
    pub fn take(&mut self, key: &str, rate: Rate, now_ms: f64) -> Option<Duration> {
        let bucket = self.buckets.entry(key.to_owned()).or_insert(Bucket { tokens: rate.burst, at_ms: now_ms });
        let refilled = (now_ms - bucket.at_ms).max(0.0) / 1000.0 * rate.per_second;
        bucket.tokens = (bucket.tokens + refilled).min(rate.burst);
        bucket.at_ms = now_ms;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            None
        } else {
            Some(Duration::from_secs_f64((1.0 - bucket.tokens) / rate.per_second))
        }
    }

    /// Takes a token now or reserves the next one: returns how long to wait before sending (zero when none).
    pub fn reserve(&mut self, key: &str, rate: Rate, now_ms: f64) -> Duration {
        match self.take(key, rate, now_ms) {
            None => Duration::ZERO,
            Some(wait) => {
                // The caller will send after `wait`: spend that future token now so later callers queue behind it.
                if let Some(bucket) = self.buckets.get_mut(key) {
                    bucket.tokens -= 1.0;
                }
                wait
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refills_at_the_rate() {
        let mut limiter = RateLimiter::default();
        for _ in 0..3 {
            assert_eq!(limiter.take("m/start", ACTION_RATE, 0.0), None);
        }
        let wait = limiter.take("m/start", ACTION_RATE, 0.0).unwrap();
        assert!((wait.as_secs_f64() - 1.0).abs() < 1e-9);
        assert_eq!(limiter.take("m/start", ACTION_RATE, 1000.0), None, "one token a second");
        assert_eq!(limiter.take("m/stop", ACTION_RATE, 1000.0), None, "actions have separate buckets");
        assert_eq!(limiter.take("other/start", ACTION_RATE, 1000.0), None, "machines have separate buckets");
    }

    #[test]
    fn reservations_queue_callers_one_interval_apart() {
        let mut limiter = RateLimiter::default();
        let waits: Vec<f64> = (0..6).map(|_| limiter.reserve("m/update", ACTION_RATE, 0.0).as_secs_f64()).collect();
        assert_eq!(waits, [0.0, 0.0, 0.0, 1.0, 2.0, 3.0]);
    }
}
