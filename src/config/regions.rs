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

/// `(code, latitude, longitude)` of each region's airport, current and retired, for maps (approximate, degrees).
pub const REGION_COORDINATES: &[(&str, f32, f32)] = &[
    ("ams", 52.3, 4.8),
    ("arn", 59.7, 17.9),
    ("bom", 19.1, 72.9),
    ("cdg", 49.0, 2.6),
    ("dfw", 32.9, -97.0),
    ("ewr", 40.7, -74.2),
    ("fra", 50.0, 8.6),
    ("gru", -23.4, -46.5),
    ("iad", 39.0, -77.5),
    ("jnb", -26.1, 28.2),
    ("lax", 33.9, -118.4),
    ("lhr", 51.5, -0.5),
    ("nrt", 35.8, 140.4),
    ("ord", 42.0, -87.9),
    ("sin", 1.4, 104.0),
    ("sjc", 37.4, -121.9),
    ("syd", -33.9, 151.2),
    ("yyz", 43.7, -79.6),
    ("atl", 33.6, -84.4),
    ("bog", 4.7, -74.1),
    ("bos", 42.4, -71.0),
    ("den", 39.9, -104.7),
    ("eze", -34.8, -58.5),
    ("gdl", 20.5, -103.3),
    ("gig", -22.8, -43.2),
    ("hkg", 22.3, 113.9),
    ("mad", 40.5, -3.6),
    ("mia", 25.8, -80.3),
    ("otp", 44.6, 26.1),
    ("phx", 33.4, -112.0),
    ("qro", 20.6, -100.2),
    ("scl", -33.4, -70.8),
    ("sea", 47.4, -122.3),
    ("waw", 52.2, 21.0),
    ("yul", 45.5, -73.7),
];

/// Where a region is on the globe: `(latitude, longitude)`.
pub fn region_coordinates(code: &str) -> Option<(f32, f32)> {
    REGION_COORDINATES.iter().find(|(c, _, _)| *c == code).map(|&(_, lat, lon)| (lat, lon))
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_current_or_retired_has_coordinates() {
        for code in REGIONS.iter().map(|(c, _)| *c).chain(DEPRECATED_REGIONS.iter().copied()) {
            let (lat, lon) = region_coordinates(code).unwrap_or_else(|| panic!("{code} has no coordinates"));
            assert!((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon), "{code}");
        }
        assert_eq!(region_coordinates("xyz"), None);
    }
}
