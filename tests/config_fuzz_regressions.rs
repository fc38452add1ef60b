//! Inputs the fuzzer (`scripts/fuzz`, target `config`) found to crash, kept as regression tests: each goes through
//! what the fuzz target does (validate, positions, rendering, every group's machine config, `to_toml`) and must give
//! diagnostics, not a panic.

use flightdeck::config::{self, AppConfig};
use flightdeck::diagnostics::{Severity, locate, render};

/// The fuzz target's steps, without its corpus-wide assertions.
fn exercise(source: &str) -> config::Parsed {
    let report = config::validate(source);
    assert_eq!(locate(source, &report.diagnostics).len(), report.diagnostics.len());
    let _ = render(source, "fly.toml", &report.diagnostics);
    let config: &AppConfig = &report.config;
    for group in config.process_names() {
        let _ = config.machine_config(&group, None);
    }
    let _ = config::to_toml(config);
    report
}

/// A duration whose number times its unit overflowed i128 (`duration::GoDuration::parse`): a panic in debug builds.
#[test]
fn a_duration_too_large_for_any_unit() {
    let source = "app = \"foo\"\nprimary_thard_limit = 10000\n\n[[http_service.checks]]\n  grace_period = \
                  \"22222222222222222222222222222222225s\"\n o '0\0\0\0\0\0\0\0p'\"ap_size_mb = 512\n\n[processes]\n  \
                  g2reeting = \"echo 'Hello'\"\n  salutation = \"echo '0\0\0\0\0\0\0\0p'\"\n  farewell = \"ec$ho \
                  'bye :('\"\n\n[http_servi entrypoint = [\"/bin/sh\"]\n";
    exercise(source);
    // The same value in a file that is otherwise valid TOML: an error at the value, with the overflow named.
    let valid = "app = 'foo'\n[http_service]\ninternal_port = 80\n[[http_service.checks]]\ngrace_period = \
                 '22222222222222222222222222222222225s'\n";
    let report = exercise(valid);
    let error = report.diagnostics.iter().find(|d| {
        d.severity == Severity::Error && d.span.text(valid) == Some("'22222222222222222222222222222222225s'")
    });
    assert!(error.is_some(), "{:#?}", report.diagnostics);
}

/// Floats did not survive `to_toml`: the config went through JSON text, and serde_json's default float parsing is
/// not correctly rounded, so `5e48` came back one unit in the last place off (5.0000000000000004e48). Found by the
/// fuzzer as `type = 0e48` and `typemount = 5e48` under a comment.
#[test]
fn floats_survive_writing_and_reading_back() {
    let source = "# fl=====2=ilec===cy]\n    type =  0e48#y]\n    typemount =  5e48#\n";
    let report = exercise(source);
    let written = config::to_toml(&report.config).expect("writes");
    assert_eq!(config::parse(&written).config, report.config, "{written}");
    // Values that need every digit, in every place a float can be.
    let floats = "app = 'f'\nratio = 0.30000000000000004\nhuge = 1.7976931348623157e308\ntiny = 5e-324\n\
                  [deploy]\nmax_unavailable = 0.1234567890123456789\n";
    let report = exercise(floats);
    let written = config::to_toml(&report.config).expect("writes");
    assert_eq!(config::parse(&written).config, report.config, "{written}");
}
