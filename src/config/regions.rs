//! Fly.io region codes, for offline checks of `primary_region` and `--region`: the current list (docs, 2025-10)
//! and the codes retired then, which existing apps and volumes may still report. Unknown codes warn, never fail;
//! the dashboard refreshes the list from `GET /v1/platform/regions` when it can.

/// `(code, location)` of every current region.
pub const REGIONS: &[(&str, &str)] = &[
    ("ams", "Amsterdam, Netherlands"),
    ("arn", "Stockholm, Sweden"),
    ("bom", "Mumbai, India"),
    ("cdg", "Paris, France"),
    ("dfw", "Dallas, Texas (US)"),
    ("ewr", "Secaucus, NJ (US)"),
    ("fra", "Frankfurt, Germany"),
    ("gru", "São Paulo, Brazil"),
    ("iad", "Ashburn, Virginia (US)"),
    ("jnb", "Johannesburg, South Africa"),
    ("lax", "Los Angeles, California (US)"),
    ("lhr", "London, United Kingdom"),
    ("nrt", "Tokyo, Japan"),
    ("ord", "Chicago, Illinois (US)"),
    ("sin", "Singapore, Singapore"),
    ("sjc", "San Jose, California (US)"),
    ("syd", "Sydney, Australia"),
    ("yyz", "Toronto, Canada"),
];

/// Codes retired in October 2025.
pub const DEPRECATED_REGIONS: &[&str] = &[
    "atl", "bog", "bos", "den", "eze", "gdl", "gig", "hkg", "mad", "mia", "otp", "phx", "qro", "scl", "sea", "waw",
    "yul",
];

/// What is known about a region code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionStatus {
    Current(&'static str),
    Deprecated,
    Unknown,
}

/// Looks a code up (case-sensitive, as the API is).
pub fn region_status(code: &str) -> RegionStatus {
    if let Some((_, location)) = REGIONS.iter().find(|(c, _)| *c == code) {
        RegionStatus::Current(location)
    } else if DEPRECATED_REGIONS.contains(&code) {
        RegionStatus::Deprecated
    } else {
        RegionStatus::Unknown
    }
}
