//! Process groups as flyctl derives them (flyctl-behaviour.md §A.5): names, the default group, and which
//! per-group items apply to which group.

use super::model::{AppConfig, Compute};

/// The group a config without `[processes]` runs as.
pub const DEFAULT_GROUP: &str = "app";

/// Group names flyctl reserves for its own temporary machines.
pub const RESERVED_GROUPS: &[&str] = &["fly_app_release_command", "fly_app_console", "fly_app_test_machine_command"];

impl AppConfig {
    /// The process groups: `["app"]` without `[processes]`, else the names sorted.
    pub fn process_names(&self) -> Vec<String> {
        self.groups().map(str::to_owned).collect()
    }

    /// [`process_names`](Self::process_names) without copying them.
    pub fn groups(&self) -> impl Iterator<Item = &str> {
        // BTreeMap keys are already sorted.
        let named = self.processes.keys().map(String::as_str);
        self.processes.is_empty().then_some(DEFAULT_GROUP).into_iter().chain(named)
    }

    /// `app` when it is a group, else the first name in order.
    pub fn default_group(&self) -> String {
        self.default_group_name().to_owned()
    }

    /// [`default_group`](Self::default_group) without copying it.
    pub fn default_group_name(&self) -> &str {
        if self.processes.contains_key(DEFAULT_GROUP) {
            DEFAULT_GROUP
        } else {
            self.processes.keys().next().map_or(DEFAULT_GROUP, String::as_str)
        }
    }

    /// Whether `group` is one of this config's groups.
    pub fn has_group(&self, group: &str) -> bool {
        if self.processes.is_empty() { group == DEFAULT_GROUP } else { self.processes.contains_key(group) }
    }

    /// Whether an item with this `processes` list applies to `group`: an empty list means the default group only
    /// (services, http_service, checks, mounts, files, metrics, restart).
    pub fn applies_to(&self, processes: &[String], group: &str) -> bool {
        if processes.is_empty() { group == self.default_group_name() } else { processes.iter().any(|p| p == group) }
    }

    /// The `[[vm]]` that applies to `group`: one naming it wins over one naming no group (which applies to all).
    pub fn compute_for(&self, group: &str) -> Option<&Compute> {
        self.vm
            .iter()
            .find(|c| c.processes.iter().any(|p| p == group))
            .or_else(|| self.vm.iter().find(|c| c.processes.is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use crate::config::parse;

    #[test]
    fn names_and_default_follow_flyctl() {
        let none = parse("app = 'x'").config;
        assert_eq!((none.process_names(), none.default_group()), (vec!["app".to_owned()], "app".to_owned()));
        let multi = parse("[processes]\nzzz = 'z'\nfoo = 'f'\nbar = 'b'").config;
        assert_eq!(multi.process_names(), ["bar", "foo", "zzz"]);
        assert_eq!(multi.default_group(), "bar");
        let with_app = parse("[processes]\nbbb = 'b'\napp = 'a'\naaa = 'x'").config;
        assert_eq!(with_app.default_group(), "app");
    }

    #[test]
    fn unlisted_items_apply_to_the_default_group_only_but_unlisted_vms_to_all() {
        let config = parse("[processes]\nweb = 'w'\nworker = 'k'\n[[vm]]\nsize = 'shared-cpu-2x'\n[[vm]]\nsize = 'performance-1x'\nprocesses = ['worker']").config;
        assert!(config.applies_to(&[], "web"));
        assert!(!config.applies_to(&[], "worker"));
        assert_eq!(config.compute_for("web").and_then(|c| c.size.as_deref()), Some("shared-cpu-2x"));
        assert_eq!(config.compute_for("worker").and_then(|c| c.size.as_deref()), Some("performance-1x"));
    }
}
