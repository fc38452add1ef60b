//! Shared by native integration tests: where the read-only test data lives (`../shared/data`, never copied in).
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared/data` beside the repository, or `FLIGHTDECK_SHARED_DATA`.
pub fn shared_data() -> PathBuf {
    std::env::var_os("FLIGHTDECK_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"))
}

/// The text of a file under the shared data folder.
pub fn read(relative: &str) -> String {
    let path = shared_data().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}
