//! fly.toml for JavaScript: validate (config + located diagnostics), render diagnostics, machine config per group,
//! write TOML, launch defaults. Conversions only; the logic is `crate::config`.
//!
//! A validation's `config` crosses to JavaScript when it is first read, not with the result: serialising it and
//! parsing it again in JavaScript was about a third of `validateConfig`, and editors and CI read only the diagnostics.
//! The latest result's config is kept here by id; an older one is parsed again from its source when read. The rest
//! of the result crosses as numbers and one string that `pkg/validation.js` builds the objects from, and source texts
//! come in through `TextEncoder.encodeInto`: validation is what editors run on every keystroke.

use std::cell::{Cell, RefCell};
use std::mem::ManuallyDrop;

use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::{arena, from_js, invalid_argument, js_error, string_arg, to_js};
use crate::config::{AppConfig, LaunchOptions};
use crate::diagnostics::{Diagnostic, LocatedDiagnostic, Position, Severity, positions, render, utf16_len};
use crate::machine::MachineConfig;

/// What `validateConfig` returns. `config` is handed over when it is first read.
// The TypeScript declaration only: the object is built by `pkg/validation.js` from what `ValidationWriter` writes.
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // never built in Rust: it describes the object validation.js builds
struct Validation {
    /// No error-level diagnostics.
    ok: bool,
    /// The config as parsed, legacy shapes normalised. Built when first read: reading only `diagnostics` is cheaper.
    config: AppConfig,
    /// Every finding, sorted by position, with line:column and UTF-16 offsets into the source.
    diagnostics: Vec<LocatedDiagnostic>,
    /// The process groups: the names under `[processes]`, sorted, else `["app"]`.
    process_groups: Vec<String>,
    /// The group commands use when none is given: `app` when it is a group, else the first name.
    default_group: String,
}

/// A validation's result as numbers and one string, in the order `validationResult` in `pkg/validation.js` reads them
/// (its header gives the layout). Strings are written back to back, each announced by its length in UTF-16 units,
/// so JavaScript cuts them with `slice`. Building the objects in JavaScript from these replaced `JSON.parse` of the
/// serialised result, a seventh of a validation in Node.
#[derive(Default)]
struct ValidationWriter {
    numbers: Vec<u32>,
    text: String,
}

impl ValidationWriter {
    fn write(ok: bool, diagnostics: &[Diagnostic], positions: &[[Position; 2]], config: &AppConfig) -> Self {
        // Messages and help run to a few hundred bytes each: sized so that the text rarely grows.
        let mut out = Self {
            numbers: Vec::with_capacity(4 + diagnostics.len() * 16),
            text: String::with_capacity(64 + diagnostics.len() * 160),
        };
        out.number(usize::from(ok));
        out.number(diagnostics.len());
        for (diagnostic, [start, end]) in diagnostics.iter().zip(positions) {
            out.number(match diagnostic.severity {
                Severity::Error => 0,
                Severity::Warning => 1,
                Severity::Info => 2,
            });
            out.string(diagnostic.code);
            out.string(&diagnostic.message);
            out.number(diagnostic.span.start);
            out.number(diagnostic.span.end);
            match &diagnostic.help {
                Some(help) => {
                    out.number(1);
                    out.string(help);
                }
                None => out.number(0),
            }
            out.number(diagnostic.labels.len());
            for label in &diagnostic.labels {
                out.number(label.span.start);
                out.number(label.span.end);
                out.string(&label.message);
            }
            for position in [start, end] {
                out.numbers.extend([position.line, position.column, position.utf16]);
            }
        }
        out.number(config.groups().count());
        for group in config.groups() {
            out.string(group);
        }
        out.string(config.default_group_name());
        out
    }

    fn number(&mut self, n: usize) {
        self.numbers.push(u32::try_from(n).unwrap_or(u32::MAX));
    }

    fn string(&mut self, s: &str) {
        self.number(utf16_len(s));
        self.text.push_str(s);
    }
}

#[wasm_bindgen(module = "/pkg/validation.js")]
extern "C" {
    /// The result object from [`ValidationWriter`]'s output, with a `config` getter that calls `reader(id, source)`
    /// on first use.
    #[wasm_bindgen(js_name = validationResult)]
    fn validation_result(numbers: &[u32], text: &str, reader: &JsValue, id: u32, source: &JsValue) -> JsValue;

    /// Writes `source` as UTF-8 into `buffer` (`TextEncoder.encodeInto`): the bytes written, or -1 when it does not
    /// fit.
    #[wasm_bindgen(js_name = encodeSource)]
    fn encode_source(source: &js_sys::JsString, buffer: &mut [u8]) -> f64;
}

/// Calls `read` with a source text argument, copied in by `TextEncoder.encodeInto` (the glue's own string passing
/// copies ASCII one character at a time: 14 µs of a 5 KB fly.toml's validation in Node, against under 1 µs) into a
/// buffer kept between calls.
fn with_source<R>(value: &JsValue, what: &str, read: impl FnOnce(&str) -> R) -> Result<R, JsValue> {
    /// Sources up to this size leave their buffer for the next call (an editor validates on every keystroke).
    const KEPT_BUFFER_BYTES: usize = 1 << 20;
    thread_local! {
        static BUFFER: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
    }
    let source =
        value.dyn_ref::<js_sys::JsString>().ok_or_else(|| invalid_argument(format!("{what} must be a string")))?;
    let mut buffer = BUFFER.take();
    let units = source.length() as usize;
    // A UTF-16 unit takes one byte of UTF-8 in ASCII, and at most three: first a buffer for mostly-ASCII text (a
    // huge ASCII string costs its length, not three times it), then the largest one if that was not enough.
    let mut written = -1.0;
    for size in [units.saturating_add(units / 8).saturating_add(16), units.saturating_mul(3)] {
        // Only what was never written is zeroed: the encoder overwrites what it uses, and reports how much.
        if buffer.len() < size {
            buffer.resize(size, 0);
        }
        written = encode_source(source, &mut buffer[..size]);
        if written >= 0.0 {
            break;
        }
    }
    let text = if written >= 0.0 { buffer.get(..written as usize) } else { None };
    let result = match text.map(std::str::from_utf8) {
        Some(Ok(text)) => Ok(read(text)),
        _ => Err(invalid_argument(format!("{what} could not be read as UTF-8"))),
    };
    if buffer.capacity() <= KEPT_BUFFER_BYTES {
        BUFFER.set(buffer);
    }
    result
}

thread_local! {
    /// The latest result's config, by result id, until the next validation begins. It was built in the validation
    /// arena ([`arena`]), so it is forgotten, never dropped, when the next scope is about to reuse the arena; an
    /// older result's config is parsed again from its source when read (parsing is deterministic, so it is the same
    /// config).
    static LATEST_CONFIG: RefCell<Option<(u32, ManuallyDrop<AppConfig>)>> = const { RefCell::new(None) };
    static NEXT_RESULT_ID: Cell<u32> = const { Cell::new(0) };
    /// The one reader every result's getter calls, made once for the module's life.
    static CONFIG_READER: JsValue =
        Closure::<dyn Fn(u32, JsValue) -> Result<JsValue, JsValue>>::new(read_config).into_js_value();
}

/// A result's config for JavaScript: the kept one, or the source parsed again when it is no longer kept.
fn read_config(id: u32, source: JsValue) -> Result<JsValue, JsValue> {
    let kept = LATEST_CONFIG.with_borrow(|latest| match latest {
        Some((kept_id, config)) if *kept_id == id => Some(to_js(&**config)),
        _ => None,
    });
    match kept {
        Some(json) => json,
        None => to_js(&with_source(&source, "source", |text| crate::config::parse(text).config)?),
    }
}

/// Parses and validates fly.toml text: `{ ok, config, diagnostics, processGroups, defaultGroup }`. Findings are data:
/// this throws only when `source` is not a string.
#[wasm_bindgen(js_name = validateConfig, unchecked_return_type = "Validation")]
pub fn validate_config(#[wasm_bindgen(unchecked_param_type = "string")] source: JsValue) -> Result<JsValue, JsValue> {
    let (written, id) = with_source(&source, "source", |text| {
        // The latest config lives in the arena that the scope below reuses: forget it first (arena contract).
        LATEST_CONFIG.take();
        let (written, config) = arena::scoped(|| {
            let report = crate::config::validate(text);
            let written = ValidationWriter::write(
                !report.has_errors(),
                &report.diagnostics,
                &positions(text, &report.diagnostics),
                &report.config,
            );
            (written, report.config)
        });
        let id = NEXT_RESULT_ID.with(|next| next.replace(next.get().wrapping_add(1)));
        LATEST_CONFIG.set(Some((id, ManuallyDrop::new(config))));
        (written, id)
    })?;
    Ok(CONFIG_READER.with(|reader| validation_result(&written.numbers, &written.text, reader, id, &source)))
}

/// The diagnostics of `source` as a terminal shows them (source snippets, carets, help lines).
#[wasm_bindgen(js_name = renderDiagnostics)]
pub fn render_diagnostics(
    #[wasm_bindgen(unchecked_param_type = "string")] source: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string")] path: JsValue,
) -> Result<String, JsValue> {
    let path = if path.is_undefined() || path.is_null() { "fly.toml".to_owned() } else { string_arg(&path, "path")? };
    with_source(&source, "source", |text| render(text, &path, &crate::config::validate(text).diagnostics))
}

/// A config from JavaScript (`validateConfig`'s `config`, or one a script wrote), read as fly.toml is
/// (`config::config_from_json`): the same decoder, shapes and messages, and no second config decoder in the wasm.
pub(crate) fn config_arg(value: JsValue) -> Result<AppConfig, JsValue> {
    if !value.is_object() {
        return Err(invalid_argument("config must be the `config` object that validateConfig returns"));
    }
    let json: serde_json::Value = from_js(value, "config")?;
    crate::config::config_from_json(json).map_err(|e| invalid_argument(format!("config: {e}")))
}

/// The machine config of one process group, optionally on top of a machine's current config.
#[wasm_bindgen(js_name = machineConfigFor, unchecked_return_type = "MachineConfig")]
pub fn machine_config_for(
    #[wasm_bindgen(unchecked_param_type = "AppConfig")] config: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "string")] group: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "MachineConfig | null")] existing: JsValue,
) -> Result<JsValue, JsValue> {
    let config = config_arg(config)?;
    let group =
        if group.is_undefined() || group.is_null() { config.default_group() } else { string_arg(&group, "group")? };
    let existing: Option<MachineConfig> = if existing.is_undefined() || existing.is_null() {
        None
    } else {
        Some(from_js(existing, "existing machine config")?)
    };
    let machine = config
        .machine_config(&group, existing.as_ref())
        .map_err(|e| js_error("conversion", &e.to_string(), None, None))?;
    to_js(&machine)
}

/// The config written as fly.toml text.
#[wasm_bindgen(js_name = toToml)]
pub fn to_toml(#[wasm_bindgen(unchecked_param_type = "AppConfig")] config: JsValue) -> Result<String, JsValue> {
    let config = config_arg(config)?;
    crate::config::to_toml(&config).map_err(|e| js_error("write", &e.to_string(), None, None))
}

#[derive(Deserialize)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
struct LaunchConfigOptions {
    app: String,
    image: String,
    internal_port: u16,
    region: String,
    #[serde(default)]
    vm_size: Option<String>,
    #[serde(default)]
    command: Option<String>,
}

/// The fly.toml `launch` writes for `{ app, image, internalPort, region, vmSize?, command? }`, as `{ config, toml }`.
#[wasm_bindgen(js_name = launchConfig, unchecked_return_type = "GeneratedConfig")]
pub fn launch_config(
    #[wasm_bindgen(unchecked_param_type = "LaunchConfigOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    if !options.is_object() {
        return Err(invalid_argument("launchConfig needs { app, image, internalPort, region }"));
    }
    let input: LaunchConfigOptions = from_js(options, "launchConfig")?;
    let config = crate::config::launch_config(&LaunchOptions {
        app: input.app,
        image: input.image,
        internal_port: input.internal_port,
        primary_region: input.region,
        vm_size: input.vm_size,
        command: input.command,
    });
    let text = crate::config::to_toml(&config).map_err(|e| js_error("write", &e.to_string(), None, None))?;
    #[derive(Serialize)]
    #[cfg_attr(feature = "js-config", derive(tsify::Tsify))]
    struct GeneratedConfig<'a> {
        config: &'a AppConfig,
        toml: String,
    }
    to_js(&GeneratedConfig { config: &config, toml: text })
}
