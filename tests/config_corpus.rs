//! Every real fly.toml of the corpus (../shared/data/corpus): no false errors, sound spans, no panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code: a failed step is a failed test

mod support;

use std::collections::BTreeMap;

use flightdeck::config::validate;
use flightdeck::diagnostics::{LineIndex, Severity};

/// The only errors allowed on the corpus, each with the reason flyctl rejects the file too.
const EXPECTED_ERRORS: &[(&str, &str, usize, &str)] = &[
    (
        "dejagersh__symfony-on-fly__fly.toml",
        "toml-syntax",
        1,
        "not valid TOML: the [processes] table is declared twice; flyctl's TOML decoder fails on it",
    ),
    (
        "fly-apps__postgres-ha@139e5f2__fly.toml",
        "check-type",
        2,
        "v1-era Nomad checks with type = \"script\"; flyctl's toMachineCheck rejects any type but http/tcp \
         (\"Missing or invalid check type, must be 'http' or 'tcp'\")",
    ),
];

#[test]
fn real_configs_produce_no_errors_flyctl_would_not() {
    let manifest = support::read("corpus/MANIFEST.tsv");
    let files: Vec<&str> = manifest.lines().skip(1).filter_map(|l| l.split('\t').next()).collect();
    assert!(files.len() >= 200, "the corpus should hold 200+ files, found {}", files.len());

    let mut errors: BTreeMap<(String, &'static str), usize> = BTreeMap::new();
    for file in &files {
        let source = support::read(&format!("corpus/{file}"));
        let report = validate(&source);
        let index = LineIndex::new(&source);
        for diagnostic in &report.diagnostics {
            let span = diagnostic.span;
            assert!(span.start <= span.end && span.end <= source.len(), "{file}: span {span:?} outside the source");
            assert!(source.is_char_boundary(span.start) && source.is_char_boundary(span.end), "{file}: {span:?}");
            assert!(index.position(span.start).line >= 1);
            assert!(!diagnostic.message.is_empty() && !diagnostic.message.contains('\n'), "{file}: {diagnostic:?}");
            if diagnostic.severity == Severity::Error {
                *errors.entry(((*file).to_owned(), diagnostic.code)).or_default() += 1;
            }
        }
    }
    let expected: BTreeMap<(String, &'static str), usize> =
        EXPECTED_ERRORS.iter().map(|(file, code, count, _)| (((*file).to_owned(), *code), *count)).collect();
    assert_eq!(errors, expected, "errors on real configs must be ones flyctl would report too");
}

#[test]
fn valid_corpus_configs_keep_their_app_names() {
    // A spot check that parsing reads real files, not just that it returns no errors.
    let source = support::read("corpus/fly-apps__live_beats__fly.toml");
    let report = validate(&source);
    assert_eq!(report.config.app.as_deref(), Some("livebeats"));
    assert!(!report.has_errors());
}

#[test]
fn every_valid_corpus_config_round_trips_through_to_toml() {
    let manifest = support::read("corpus/MANIFEST.tsv");
    let mut checked = 0;
    for file in manifest.lines().skip(1).filter_map(|l| l.split('\t').next()) {
        let source = support::read(&format!("corpus/{file}"));
        let parsed = flightdeck::config::parse(&source);
        if parsed.has_errors() {
            continue;
        }
        let written = flightdeck::config::to_toml(&parsed.config).unwrap_or_else(|e| panic!("{file}: {e}"));
        let again = flightdeck::config::parse(&written);
        assert!(!again.has_errors(), "{file}: the written config has errors: {:?}\n{written}", again.diagnostics);
        assert_eq!(again.config, parsed.config, "{file}: the config changed in a round trip\n{written}");
        checked += 1;
    }
    assert!(checked >= 200, "round-tripped {checked} files");
}

/// A config that crossed to JavaScript as JSON comes back the same (`config_from_json`: JSON → TOML → decoder),
/// also after `JSON.stringify` has spelled it out (what `from_js` reads).
#[test]
fn every_valid_corpus_config_comes_back_from_json() {
    let manifest = support::read("corpus/MANIFEST.tsv");
    let mut checked = 0;
    for file in manifest.lines().skip(1).filter_map(|l| l.split('\t').next()) {
        let parsed = flightdeck::config::parse(&support::read(&format!("corpus/{file}")));
        if parsed.has_errors() {
            continue;
        }
        let text = serde_json::to_string(&parsed.config).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let back = flightdeck::config::config_from_json(json).unwrap_or_else(|e| panic!("{file}: {e}\n{text}"));
        assert_eq!(back, parsed.config, "{file}: the config changed through JSON\n{text}");
        checked += 1;
    }
    assert!(checked >= 200, "checked {checked} files");
}

#[test]
fn flyctl_full_reference_round_trips() {
    let parsed = flightdeck::config::parse(&support::read("flyctl-testdata/full-reference.toml"));
    let written = flightdeck::config::to_toml(&parsed.config).unwrap();
    assert_eq!(flightdeck::config::parse(&written).config, parsed.config);
    assert!(written.contains("release_command_timeout = \"3m0s\""), "Go's Duration.String form\n{written}");
}
