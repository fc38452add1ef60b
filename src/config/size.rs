//! Sizes as fly.toml writes them, parsed the way flyctl does (docker/go-units):
//! memory — a bare number is MB, units are binary (`"1gb"` = 1024 MB); volumes — a bare number is GB, units are
//! decimal (`"10gb"` = 10 GB, `"15Mb"` = 0.015 GB).

/// Why a size string is not a size.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SizeError {
    #[error("invalid size {0:?}: expected a number with an optional unit, such as \"512mb\" or \"1gb\"")]
    Invalid(String),
    #[error("size {0:?} is out of range")]
    Overflow(String),
}

/// A number and its unit letter (`k`, `m`, `g`, `t`, `p`, or none), accepting `1gb`, `1 GB`, `1GiB`, `1.5g`.
fn split(input: &str) -> Result<(f64, Option<char>), SizeError> {
    let invalid = || SizeError::Invalid(input.to_owned());
    let text = input.trim();
    let number_end = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(number_end);
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') || number.contains("..") {
        return Err(invalid());
    }
    let value: f64 = number.parse().map_err(|_| invalid())?;
    let unit = unit.strip_prefix(' ').unwrap_or(unit).to_ascii_lowercase();
    let mut chars = unit.chars();
    let letter = match chars.next() {
        None => return Ok((value, None)),
        Some(c @ ('k' | 'm' | 'g' | 't' | 'p')) => Some(c),
        Some('b') => None,
        Some(_) => return Err(invalid()),
    };
    let rest: String = chars.collect();
    match (letter, rest.as_str()) {
        (None, "") | (Some(_), "" | "b" | "ib") => Ok((value, letter)),
        _ => Err(invalid()),
    }
}

fn power(letter: Option<char>) -> i32 {
    match letter {
        Some('k') => 1,
        Some('m') => 2,
        Some('g') => 3,
        Some('t') => 4,
        Some('p') => 5,
        _ => 0,
    }
}

fn to_whole(value: f64, input: &str) -> Result<u64, SizeError> {
    if !value.is_finite() || value < 0.0 || value >= u64::MAX as f64 {
        return Err(SizeError::Overflow(input.to_owned()));
    }
    Ok(value as u64)
}

/// Memory in MB: `"512"` → 512, `"1gb"` → 1024, `"4G"` → 4096, `"1.5gb"` → 1536.
///
/// ```
/// assert_eq!(flightdeck::config::memory_mb("1gb").unwrap(), 1024);
/// assert_eq!(flightdeck::config::memory_mb("512").unwrap(), 512);
/// ```
pub fn memory_mb(input: &str) -> Result<u64, SizeError> {
    let (value, letter) = split(input)?;
    let mb = match letter {
        None if !input.trim().to_ascii_lowercase().ends_with('b') => value,
        _ => value * 1024f64.powi(power(letter)) / (1024.0 * 1024.0),
    };
    to_whole(mb, input)
}

/// Volume size in whole GB: `"30"` → 30, `"30gb"` → 30, `"15Mb"` → 0 (smaller than 1 GB).
///
/// ```
/// assert_eq!(flightdeck::config::volume_gb("10gb").unwrap(), 10);
/// assert_eq!(flightdeck::config::volume_gb("15Mb").unwrap(), 0);
/// ```
pub fn volume_gb(input: &str) -> Result<u64, SizeError> {
    let (value, letter) = split(input)?;
    let gb = match letter {
        None if !input.trim().to_ascii_lowercase().ends_with('b') => value,
        _ => value * 1000f64.powi(power(letter)) / 1e9,
    };
    to_whole(gb, input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_uses_binary_units_and_megabytes_by_default() {
        for (text, mb) in [
            ("256", 256),
            ("1gb", 1024),
            ("1GB", 1024),
            ("1 gb", 1024),
            ("1GiB", 1024),
            ("4G", 4096),
            ("8g", 8192),
            ("512mb", 512),
            ("1.5gb", 1536),
            ("2048m", 2048),
            ("1048576k", 1024),
        ] {
            assert_eq!(memory_mb(text), Ok(mb), "{text}");
        }
        for bad in ["", "gb", "1x", "1 g b", "1.g", "-1gb", "1gbb", "1bb", "one"] {
            assert!(memory_mb(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn volumes_use_decimal_units_and_gigabytes_by_default() {
        for (text, gb) in [("30", 30), ("30gb", 30), ("10GB", 10), ("1tb", 1000), ("15Mb", 0), ("1500mb", 1)] {
            assert_eq!(volume_gb(text), Ok(gb), "{text}");
        }
        assert!(volume_gb("unparseable").is_err());
    }
}
