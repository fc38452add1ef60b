//! fly.toml: parsing with spans, validation with flyctl's rules and more, and (later) machine configs per process
//! group. Pure and synchronous: the same code natively and in wasm.
//!
//! Owns the model ([`AppConfig`]), the decoder from TOML text, durations, sizes, guest presets and regions.
//! Must not depend on the API client, planning or any I/O.

mod decode;
mod groups;
mod guest;
mod machine;
mod model;
mod regions;
mod size;
mod validate;
mod write;

pub use crate::duration::{DurationError, GoDuration};
pub use groups::{DEFAULT_GROUP, RESERVED_GROUPS};
pub use guest::{DEFAULT_GPU_PRESET, DEFAULT_PRESET, Guest, GuestError, PRESETS, Preset, preset_named};
pub use machine::*;
pub use model::*;
pub use regions::{DEPRECATED_REGIONS, REGION_COORDINATES, REGIONS, RegionStatus, region_coordinates, region_status};
pub use size::{SizeError, memory_mb, volume_gb};
pub use validate::{join_command, split_command};
pub use write::{JsonConfigError, LaunchOptions, WriteError, config_from_json, launch_config, to_toml};

use crate::diagnostics::{Diagnostic, Span};

/// Whether `name` can be a Fly app name: 1–63 lowercase letters, digits and dashes, not starting or ending with a
/// dash (app names are global, and part of `<app>.fly.dev`).
pub fn valid_app_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// A parsed fly.toml: the config (as much of it as could be read), where each value came from, and what was found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub config: AppConfig,
    pub spans: SpanMap,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// A TOML syntax error as a diagnostic, pointing back at the first definition for duplicates.
fn syntax_error(source: &str, error: &toml_spanner::Error) -> Diagnostic {
    use toml_spanner::ErrorKind;
    // toml-spanner may point at one byte of a multi-byte character: the diagnostic covers the whole character.
    let at = Span::from(error.span().range()).on_char_boundaries(source);
    let named =
        |span: toml_spanner::Span| Span::from(span.range()).text(source).filter(|t| t.len() < 80).unwrap_or("?");
    let (message, first) = match error.kind() {
        ErrorKind::DuplicateKey { first } => {
            (format!("duplicate key `{}`: a key may be defined only once", named(first)), Some(first))
        }
        ErrorKind::DuplicateTable { name, first } => {
            (format!("duplicate table `[{}]`: a table may be defined only once", named(name)), Some(first))
        }
        ErrorKind::RedefineAsArray { first } => {
            ("a table cannot be redefined as an array of tables".to_owned(), Some(first))
        }
        ErrorKind::DottedKeyInvalidType { first } => {
            ("a dotted key cannot extend a value that is not a table".to_owned(), Some(first))
        }
        _ => (error.to_string().lines().next().unwrap_or("invalid TOML").trim().to_owned(), None),
    };
    let diagnostic = Diagnostic::error("toml-syntax", message, at);
    match first {
        Some(first) => {
            diagnostic.with_label(Span::from(first.range()).on_char_boundaries(source), "first defined here")
        }
        None => diagnostic,
    }
}

/// Parses fly.toml text. Never fails and never panics: invalid TOML gives `toml-syntax` errors at their spans and
/// whatever the parser could recover; wrong values give diagnostics and are left out of the config.
///
/// ```
/// let parsed = flightdeck::config::parse("app = \"shop\"\n[http_service]\ninternal_port = \"8080\"\n");
/// assert_eq!(parsed.config.app.as_deref(), Some("shop"));
/// assert_eq!(parsed.config.http_service.unwrap().internal_port, 8080);
/// assert!(parsed.diagnostics.is_empty());
/// ```
pub fn parse(source: &str) -> Parsed {
    let arena = toml_spanner::Arena::new();
    let document = toml_spanner::parse_recoverable(source, &arena);
    let mut diagnostics: Vec<Diagnostic> =
        document.ctx.errors.iter().map(|error| syntax_error(source, error)).collect();
    let mut decoder = decode::Decoder::new(source);
    let config = decoder.document(document.table());
    diagnostics.append(&mut decoder.diagnostics);
    decoder.spans.index();
    crate::sort::sort_by_key(&mut diagnostics, |d| (d.span.start, d.span.end));
    Parsed { config, spans: decoder.spans, diagnostics }
}

/// Parses and validates fly.toml text: [`parse`]'s diagnostics plus every validation rule, sorted by position.
/// Rules run only when the TOML itself is valid, so a half-typed file shows its syntax error, not follow-on noise.
///
/// ```
/// let report = flightdeck::config::validate("[deploy]\nstrategy = \"canary\"\n[mounts]\nsource = \"data\"\ndestination = \"/data\"\n");
/// assert!(report.diagnostics.iter().any(|d| d.code == "canary-with-mounts"));
/// ```
pub fn validate(source: &str) -> Parsed {
    let mut parsed = parse(source);
    if !parsed.diagnostics.iter().any(|d| d.code == "toml-syntax") {
        parsed.diagnostics.extend(validate::run(&parsed.config, &parsed.spans));
        crate::sort::sort_by_key(&mut parsed.diagnostics, |d| (d.span.start, d.span.end));
    }
    parsed
}
