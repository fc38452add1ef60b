//! The shared test data's fly.toml files (`../shared/data`, or `FLIGHTDECK_SHARED_DATA`), for fuzz targets that start
//! from real configs. Included by each target with `#[path]`.

/// Every fly.toml under the data's `corpus/` and `flyctl-testdata/`, in a stable order.
pub fn fly_tomls() -> Vec<String> {
    let shared = std::env::var("FLIGHTDECK_SHARED_DATA")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data").to_owned());
    let mut texts = Vec::new();
    for folder in ["corpus", "flyctl-testdata"] {
        let Ok(entries) = std::fs::read_dir(format!("{shared}/{folder}")) else { continue };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        texts.extend(
            paths
                .iter()
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .filter_map(|p| std::fs::read_to_string(p).ok()),
        );
    }
    assert!(!texts.is_empty(), "no fly.toml found under {shared}");
    texts
}
