//! Writing fly.toml back: `to_toml` (used by launch and the dashboard's editor) and the defaults `fly launch`
//! writes for a new app (flyctl-behaviour.md §A.8). Parsing what `to_toml` writes gives the same config.

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
    // Through JSON text: the model's serde impls are compiled for one serializer (JSON) instead of two, and the
    // TOML writer only ever sees `serde_json::Value` (which keeps field order: serde_json's `preserve_order`).
    let json = serde_json::to_string(config).map_err(|e| WriteError(e.to_string()))?;
    let value: serde_json::Value = serde_json::from_slice(json.as_bytes()).map_err(|e| WriteError(e.to_string()))?;
    let body = toml::to_string_pretty(&value).map_err(|e| WriteError(e.to_string()))?;
    let header = match config.app.as_deref() {
        Some(app) => format!("# fly.toml app configuration file generated for {app}\n"),
        None => "# fly.toml app configuration file\n".to_owned(),
    };
    Ok(format!(
        "{header}#\n# See https://fly.io/docs/reference/configuration/ for information about how to use this file.\n#\n\n{body}"
    ))
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
    use crate::config::validate;

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
}
