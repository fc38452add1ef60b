//! Any bytes as fly.toml: parse, validate, locate, render and mark (the editor's runs) the diagnostics, build every
//! group's machine config (fresh and on top of the previous one), the release and console machines, write the config
//! back and parse it again. Nothing may panic; what `to_toml` writes must parse to the same config.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else { return };
    let report = flightdeck::config::validate(source);
    let located = flightdeck::diagnostics::locate(source, &report.diagnostics);
    assert_eq!(located.len(), report.diagnostics.len());
    let _ = flightdeck::diagnostics::render(source, "fly.toml", &report.diagnostics);
    // The editor's marks: consecutive runs on character boundaries that cover the source exactly.
    let runs = flightdeck::diagnostics::marked_runs(source, &report.diagnostics);
    let mut covered = 0;
    for (span, _) in &runs {
        assert_eq!(span.start, covered);
        assert!(span.text(source).is_some());
        covered = span.end;
    }
    assert_eq!(covered, source.len());
    let config = &report.config;
    let mut previous = None;
    for group in config.process_names() {
        if let Ok(machine) = config.machine_config(&group, previous.as_ref()) {
            previous = Some(machine);
        }
    }
    let _ = config.release_machine_config(None);
    let _ = config.console_machine_config();
    if !report.has_errors()
        && let Ok(written) = flightdeck::config::to_toml(config)
    {
        let again = flightdeck::config::parse(&written);
        assert_eq!(&again.config, config, "round trip changed the config:\n{written}");
    }
});
