//! Prints every diagnostic the validator gives on the real-world corpus (a development aid):
//! `cargo run --example validate_corpus [DIR]`.

#![allow(clippy::disallowed_methods, reason = "native tool: clippy.toml's one-sort rule is for the wasm builds")]

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "../shared/data/corpus".into());
    let mut entries: Vec<_> = std::fs::read_dir(&dir).into_iter().flatten().flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries.iter().filter(|p| p.extension().is_some_and(|e| e == "toml")) {
        let Ok(source) = std::fs::read_to_string(path) else { continue };
        let parsed = flightdeck::config::validate(&source);
        let shown: Vec<_> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.severity != flightdeck::diagnostics::Severity::Info)
            .cloned()
            .collect();
        if !shown.is_empty() {
            print!("{}", flightdeck::diagnostics::render(&source, &path.display().to_string(), &shown));
        }
    }
}
