//! What JavaScript hands the core as JSON, mutated: a real fly.toml's config as `validateConfig` gives it, and a
//! machine config as the API lists it, each with values replaced, added or removed anywhere (wrong types, numbers no
//! field holds, strings shaped like durations and sizes, nested arrays, nulls). Nothing may panic, and:
//! - a config that `config_from_json` accepts comes back unchanged through JSON and through `to_toml`;
//! - any machine config serde accepts can be the `existing` config of every group's machine config.
#![no_main]

use std::sync::LazyLock;

use flightdeck::config::{self, AppConfig};
use flightdeck::machine::MachineConfig;
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

#[path = "shared_data.rs"]
mod shared_data;

/// Every fly.toml of the shared test data that parses without errors, with the machine config of its default group.
static SEEDS: LazyLock<Vec<(AppConfig, Value, Value)>> = LazyLock::new(|| {
    let mut seeds = Vec::new();
    for text in shared_data::fly_tomls() {
        let report = config::validate(&text);
        if report.has_errors() {
            continue;
        }
        let machine = report.config.machine_config(&report.config.default_group(), None).unwrap_or_default();
        let (Ok(config_json), Ok(machine_json)) =
            (serde_json::to_value(&report.config), serde_json::to_value(&machine))
        else {
            continue;
        };
        seeds.push((report.config, config_json, machine_json));
    }
    seeds
});

const KEYS: &[&str] = &[
    "app",
    "env",
    "processes",
    "services",
    "ports",
    "port",
    "internal_port",
    "checks",
    "interval",
    "timeout",
    "grace_period",
    "mounts",
    "source",
    "destination",
    "initial_size",
    "vm",
    "memory",
    "cpus",
    "size",
    "cpu_kind",
    "http_service",
    "concurrency",
    "hard_limit",
    "deploy",
    "strategy",
    "max_unavailable",
    "metadata",
    "guest",
    "memory_mb",
    "image",
    "init",
    "cmd",
    "restart",
    "policy",
    "files",
    "statics",
    "metrics",
    "kill_timeout",
];

/// A value no field expects, or one at the edge of what it holds.
fn odd_value(u: &mut Unstructured<'_>, depth: usize) -> Result<Value> {
    Ok(match u.int_in_range(0..=15)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => json!(i64::MIN),
        3 => json!(u64::MAX),
        4 => json!(u.arbitrary::<i64>()?),
        5 => json!(1e308),
        6 => json!(-0.5),
        7 => json!(u.int_in_range(0..=70_000)?),
        8 => json!(["22222222222222222222222222222222225s", "1h2m", "-5s", "0", "5", "s"][u.choose_index(6)?]),
        9 => json!(["99999999999999999999gb", "512mb", "1.5", "-1gb", "nan", "1e400kb"][u.choose_index(6)?]),
        10 => Value::String(u.arbitrary::<String>()?),
        11 if depth < 4 => {
            Value::Array((0..u.int_in_range(0..=3)?).map(|_| odd_value(u, depth + 1)).collect::<Result<_>>()?)
        }
        12 if depth < 4 => {
            let mut map = Map::new();
            for _ in 0..u.int_in_range(0..=3)? {
                map.insert(KEYS[u.choose_index(KEYS.len())?].to_owned(), odd_value(u, depth + 1)?);
            }
            Value::Object(map)
        }
        13 => json!([]),
        14 => json!({}),
        _ => json!("web"),
    })
}

/// Replaces, adds or removes one value somewhere below `value`.
fn mutate(u: &mut Unstructured<'_>, value: &mut Value) -> Result<()> {
    let descend = u.ratio(3, 4)?;
    match value {
        Value::Object(map) if descend && !map.is_empty() => {
            let key = map.keys().nth(u.choose_index(map.len())?).cloned().unwrap_or_default();
            if let Some(child) = map.get_mut(&key) {
                return mutate(u, child);
            }
        }
        Value::Array(items) if descend && !items.is_empty() => {
            let index = u.choose_index(items.len())?;
            return mutate(u, &mut items[index]);
        }
        Value::Object(map) if u.arbitrary()? => {
            let key = if u.arbitrary()? { KEYS[u.choose_index(KEYS.len())?].to_owned() } else { u.arbitrary()? };
            if u.ratio(1, 4)? {
                map.remove(&key);
            } else {
                map.insert(key, odd_value(u, 0)?);
            }
            return Ok(());
        }
        Value::Array(items) if u.arbitrary()? => {
            items.push(odd_value(u, 0)?);
            return Ok(());
        }
        _ => {}
    }
    *value = odd_value(u, 0)?;
    Ok(())
}

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let (config, config_json, machine_json) = &SEEDS[u.choose_index(SEEDS.len())?];
    let mut config_json = config_json.clone();
    for _ in 0..u.int_in_range(0..=6)? {
        mutate(u, &mut config_json)?;
    }
    // What JavaScript can send: JSON text, which serde_json reads with its depth limit.
    if let Ok(text) = serde_json::to_string(&config_json)
        && let Ok(read) = serde_json::from_str::<Value>(&text)
        && let Ok(accepted) = config::config_from_json(read)
    {
        let again = serde_json::to_value(&accepted).ok().and_then(|json| config::config_from_json(json).ok());
        assert_eq!(again.as_ref(), Some(&accepted), "a config read from JSON changed on its way back through JSON");
        if let Ok(written) = config::to_toml(&accepted) {
            assert_eq!(
                config::parse(&written).config,
                accepted,
                "a config read from JSON changed through to_toml:\n{written}"
            );
        }
        for group in accepted.process_names() {
            let _ = accepted.machine_config(&group, None);
        }
    }

    let mut machine_json = machine_json.clone();
    for _ in 0..u.int_in_range(0..=6)? {
        mutate(u, &mut machine_json)?;
    }
    if let Ok(existing) = serde_json::from_value::<MachineConfig>(machine_json) {
        for group in config.process_names() {
            if let Ok(machine) = config.machine_config(&group, Some(&existing)) {
                let _ = flightdeck::plan::config_changes(&existing, &machine);
            }
        }
        let _ = config.release_machine_config(existing.guest.as_ref());
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
