//! Fault injection for the emulator: what should go wrong, for which app or process group. Set through the control
//! API (`/__emulator/faults`) or in tests.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Faults by selector: `"shop"` matches every machine of app shop, `"shop/web"` its `web` group (release-command
/// machines are group `fly_app_release_command`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Machines that fail as they start (state `failed`, exit code 1).
    pub failing_starts: Vec<String>,
    /// Machines whose health checks go critical after the grace period.
    pub failing_checks: Vec<String>,
    /// Exit codes of run-to-exit machines (release commands); 0 otherwise.
    pub exit_codes: BTreeMap<String, i64>,
    /// Added to every `/v1` answer, in milliseconds.
    pub latency_ms: u64,
    /// The share of `/v1` requests (0 to 1) answered 503 before anything happens.
    pub error_rate: f64,
    /// Every mutation (POST, PUT, DELETE) of `/v1` answered 429 with `Retry-After: 1`.
    pub rate_limit_storm: bool,
    /// Leases are lost: held ones are dropped now, and new ones last one second whatever their TTL.
    pub drop_leases: bool,
}

fn matches(selector: &str, app: &str, group: &str) -> bool {
    match selector.split_once('/') {
        Some((a, g)) => a == app && g == group,
        None => selector == app,
    }
}

impl Faults {
    pub fn failing_start(&self, app: &str, group: &str) -> bool {
        self.failing_starts.iter().any(|s| matches(s, app, group))
    }

    pub fn failing_checks(&self, app: &str, group: &str) -> bool {
        self.failing_checks.iter().any(|s| matches(s, app, group))
    }

    /// The group's code wins over the app's.
    pub fn exit_code(&self, app: &str, group: &str) -> i64 {
        self.exit_codes.get(&format!("{app}/{group}")).or_else(|| self.exit_codes.get(app)).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_match_apps_and_groups() {
        let faults = Faults {
            failing_checks: vec!["shop/web".into()],
            exit_codes: BTreeMap::from([("shop".into(), 2), ("shop/fly_app_release_command".into(), 7)]),
            ..Faults::default()
        };
        assert!(faults.failing_checks("shop", "web") && !faults.failing_checks("shop", "worker"));
        assert_eq!(faults.exit_code("shop", "fly_app_release_command"), 7);
        assert_eq!(faults.exit_code("shop", "web"), 2);
        assert_eq!(faults.exit_code("other", "web"), 0);
    }
}
