//! `cargo bench --bench validate`: fly.toml parse + validate per call, natively. Medians of repeated samples, so a
//! noisy shared machine moves the figure less.

#![allow(clippy::disallowed_methods, reason = "native benchmark: clippy.toml's one-sort rule is for the wasm builds")]
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // a benchmark with missing data should stop loudly

use std::hint::black_box;
use std::time::Instant;

fn shared(relative: &str) -> String {
    let root = std::env::var("FLIGHTDECK_SHARED_DATA")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data").into());
    std::fs::read_to_string(format!("{root}/{relative}")).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// Median nanoseconds per call of `f` over `samples` samples of `iterations` calls.
fn median_ns(samples: usize, iterations: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..iterations {
        f();
    }
    let mut per_call: Vec<f64> = (0..samples)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iterations {
                f();
            }
            start.elapsed().as_nanos() as f64 / iterations as f64
        })
        .collect();
    per_call.sort_by(f64::total_cmp);
    per_call[per_call.len() / 2]
}

fn main() {
    let full_reference = shared("flyctl-testdata/full-reference.toml");
    let lines = full_reference.lines().count();
    let toml_only = median_ns(31, 200, || {
        let arena = toml_spanner::Arena::new();
        black_box(toml_spanner::parse_recoverable(black_box(&full_reference), &arena).table().len());
    });
    let toml_detable = median_ns(31, 200, || {
        black_box(toml::de::DeTable::parse_recoverable(black_box(&full_reference)));
    });
    let parse = median_ns(31, 200, || {
        black_box(flightdeck::config::parse(black_box(&full_reference)));
    });
    let validate = median_ns(31, 200, || {
        black_box(flightdeck::config::validate(black_box(&full_reference)));
    });
    let parsed = flightdeck::config::parse(&full_reference).config;
    let machine = median_ns(31, 200, || {
        black_box(parsed.machine_config(black_box("web"), None).ok());
    });
    // What the JS binding adds: positions for every diagnostic and the result as JSON text.
    let report = flightdeck::config::validate(&full_reference);
    let to_json = median_ns(31, 200, || {
        let located = flightdeck::diagnostics::locate(&full_reference, &report.diagnostics);
        black_box(serde_json::to_string(&(&report.config, located)).map(|s| s.len()).ok());
    });
    println!(
        "validate full-reference.toml ({lines} lines): TOML alone — toml-spanner {:.1} µs, toml's DeTable {:.1} µs ({:.2}×); \
         flightdeck parse {:.1} µs, parse+validate {:.1} µs, machine_config(web) {:.1} µs; \
         locate + result as JSON {:.1} µs (medians per call)",
        toml_only / 1e3,
        toml_detable / 1e3,
        toml_detable / toml_only,
        parse / 1e3,
        validate / 1e3,
        machine / 1e3,
        to_json / 1e3
    );
}
