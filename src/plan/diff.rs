//! Per-machine config diffs: what an update changes, as paths with the value before and after (flyctl prints a
//! JSON diff before `machine update`; the dashboard shows these per machine). Version stamps in metadata are not
//! changes, and an empty list equals an absent one (what flyctl's recovery updater compares).

use serde::Serialize;
use serde_json::Value;

use crate::config::{META_FLIGHTDECK_VERSION, META_RELEASE_ID, META_RELEASE_VERSION};
use crate::machine::MachineConfig;

/// Metadata keys that change on every deploy without changing the machine.
const STAMPS: &[&str] = &["fly_flyctl_version", META_FLIGHTDECK_VERSION, META_RELEASE_ID, META_RELEASE_VERSION];

/// One changed value: `path` is dotted (`env.LOG_LEVEL`, `guest.memory_mb`, `services`); `before` or `after` is
/// `None` when the value is added or removed.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
pub struct Change {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.before, &self.after) {
            (Some(before), Some(after)) => write!(f, "~ {}: {before} → {after}", self.path),
            (None, Some(after)) => write!(f, "+ {}: {after}", self.path),
            (Some(before), None) => write!(f, "- {}: {before}", self.path),
            (None, None) => write!(f, "  {}", self.path),
        }
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}

/// Absent, or a list whose items are all tables.
fn tables(value: Option<&Value>) -> bool {
    match value {
        None => true,
        Some(Value::Array(items)) => items.iter().all(Value::is_object),
        Some(_) => false,
    }
}

fn items(value: Option<&Value>) -> &[Value] {
    match value {
        Some(Value::Array(items)) => items,
        _ => &[],
    }
}

fn walk(path: &str, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<Change>) {
    let before = before.filter(|v| !is_empty(v));
    let after = after.filter(|v| !is_empty(v));
    let empty = serde_json::Map::new();
    fn object<'v>(
        value: Option<&'v Value>,
        empty: &'v serde_json::Map<String, Value>,
    ) -> Option<&'v serde_json::Map<String, Value>> {
        match value {
            Some(Value::Object(map)) => Some(map),
            None => Some(empty),
            Some(_) => None,
        }
    }
    match (before, after) {
        (None, None) => {}
        // An object added or removed whole is shown key by key, like one that changed.
        (Some(Value::Object(_)), _) | (_, Some(Value::Object(_)))
            if object(before, &empty).zip(object(after, &empty)).is_some() =>
        {
            let (a, b) = (object(before, &empty).unwrap_or(&empty), object(after, &empty).unwrap_or(&empty));
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            crate::sort::sort(&mut keys);
            keys.dedup();
            for key in keys {
                if path == "metadata" && STAMPS.contains(&key.as_str()) {
                    continue;
                }
                let child = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                walk(&child, a.get(key), b.get(key), out);
            }
        }
        (a, b) if a == b => {}
        // Lists of tables (services, ports, checks, mounts) item by item, so that one changed port reads as one
        // line instead of the whole list before and after; an item added or removed is one line; lists of plain
        // values (a command) stay whole.
        (a, b) if tables(a) && tables(b) => {
            let (a, b) = (items(a), items(b));
            for i in 0..a.len().max(b.len()) {
                let item = format!("{path}[{i}]");
                match (a.get(i), b.get(i)) {
                    (Some(a), Some(b)) => walk(&item, Some(a), Some(b), out),
                    (a, b) => out.push(Change { path: item, before: a.cloned(), after: b.cloned() }),
                }
            }
        }
        (a, b) => out.push(Change { path: path.to_owned(), before: a.cloned(), after: b.cloned() }),
    }
}

/// What changes from `before` to `after`, in path order.
pub fn config_changes(before: &MachineConfig, after: &MachineConfig) -> Vec<Change> {
    let (Ok(before), Ok(after)) = (crate::json::to_value(before), crate::json::to_value(after)) else {
        // A config always serialises (no maps with non-string keys, no NaN); if one ever did not, say it changed.
        return vec![Change { path: String::new(), before: None, after: None }];
    };
    let mut out = Vec::new();
    walk("", Some(&before), Some(&after), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_paths_with_before_and_after_and_ignore_stamps() {
        let mut a = MachineConfig { image: "app:1".into(), ..MachineConfig::default() };
        a.env.insert("A".into(), "1".into());
        a.metadata.insert("fly_flyctl_version".into(), "0.1".into());
        let mut b = a.clone();
        b.image = "app:2".into();
        b.env.insert("B".into(), "2".into());
        b.env.remove("A");
        b.metadata.insert("fly_flyctl_version".into(), "0.2".into());
        b.metadata.insert(META_FLIGHTDECK_VERSION.into(), "9".into());
        let changes: Vec<String> = config_changes(&a, &b).iter().map(ToString::to_string).collect();
        assert_eq!(changes, ["- env.A: \"1\"", "+ env.B: \"2\"", "~ image: \"app:1\" → \"app:2\""]);
        assert!(config_changes(&a, &a).is_empty());
    }

    #[test]
    fn lists_of_tables_change_item_by_item_and_plain_lists_whole() {
        let config = |port: u16, cmd: &[&str]| {
            let value = serde_json::json!({
                "image": "app:1",
                "init": { "cmd": cmd },
                "services": [{ "protocol": "tcp", "internal_port": port, "ports": [{ "port": 80 }, { "port": 443 }] }],
            });
            serde_json::from_value::<MachineConfig>(value).unwrap()
        };
        let changes: Vec<String> = config_changes(&config(80, &["serve"]), &config(8080, &["serve", "-v"]))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(changes, ["~ init.cmd: [\"serve\"] → [\"serve\",\"-v\"]", "~ services[0].internal_port: 80 → 8080"]);
        // A list that grows or shrinks: the item added or removed, whole.
        let (mut a, b) = (config(80, &[]), config(80, &[]));
        a.services[0].ports.truncate(1);
        let changes: Vec<String> = config_changes(&a, &b).iter().map(ToString::to_string).collect();
        assert_eq!(changes, ["+ services[0].ports[1]: {\"port\":443}"]);
        let changes: Vec<String> = config_changes(&b, &a).iter().map(ToString::to_string).collect();
        assert_eq!(changes, ["- services[0].ports[1]: {\"port\":443}"]);
    }
}
