//! Parses flyctl's full-reference.toml repeatedly (for profilers: `valgrind --tool=callgrind`).
fn main() {
    let source = std::fs::read_to_string("../shared/data/flyctl-testdata/full-reference.toml").unwrap_or_default();
    for _ in 0..200 {
        std::hint::black_box(flightdeck::config::validate(std::hint::black_box(&source)));
    }
}
