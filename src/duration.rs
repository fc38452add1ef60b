//! Durations as fly.toml and the Machines API write them: Go duration strings (`"10s"`, `"1m21s"`, `"1.5h"`, `"300ms"`), kept in
//! nanoseconds and written back in Go's `Duration.String()` form (`"3m0s"`), as flyctl does.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A signed duration in nanoseconds, as Go's `time.Duration`. In JSON, Go's text: `"10s"`, `"1m30s"`, `"500ms"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "js-config", derive(tsify::Tsify), tsify(type = "string"))]
pub struct GoDuration(pub i64);

/// Why a string is not a Go duration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DurationError {
    #[error("empty duration")]
    Empty,
    #[error("invalid duration {0:?}: expected a number with a unit, such as \"10s\", \"1m30s\" or \"500ms\"")]
    Invalid(String),
    #[error("missing unit in duration {0:?}: use ns, us, ms, s, m or h (\"10s\")")]
    MissingUnit(String),
    #[error("unknown unit {unit:?} in duration {input:?}: use ns, us, ms, s, m or h")]
    UnknownUnit { unit: String, input: String },
    #[error("duration {0:?} is out of range")]
    Overflow(String),
}

const NANOS_PER_MICRO: i64 = 1_000;
const NANOS_PER_MILLI: i64 = 1_000_000;
const NANOS_PER_SECOND: i64 = 1_000_000_000;
const NANOS_PER_MINUTE: i64 = 60 * NANOS_PER_SECOND;
const NANOS_PER_HOUR: i64 = 60 * NANOS_PER_MINUTE;

impl GoDuration {
    /// Whole seconds.
    pub fn from_secs(secs: i64) -> Self {
        GoDuration(secs.saturating_mul(NANOS_PER_SECOND))
    }

    /// Whole milliseconds.
    pub fn from_millis(millis: i64) -> Self {
        GoDuration(millis.saturating_mul(NANOS_PER_MILLI))
    }

    /// Nanoseconds.
    pub fn as_nanos(self) -> i64 {
        self.0
    }

    /// Seconds, as a float (for messages and comparisons).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_SECOND as f64
    }

    /// Parses a Go duration string: an optional sign, then one or more `<decimal><unit>` parts.
    ///
    /// ```
    /// use flightdeck::duration::GoDuration;
    /// assert_eq!(GoDuration::parse("1m21s").unwrap(), GoDuration::from_secs(81));
    /// assert_eq!(GoDuration::parse("1.5s").unwrap(), GoDuration::from_millis(1500));
    /// assert_eq!(GoDuration::parse("0").unwrap(), GoDuration(0));
    /// assert!(GoDuration::parse("10").is_err());
    /// ```
    pub fn parse(input: &str) -> Result<Self, DurationError> {
        let invalid = || DurationError::Invalid(input.to_owned());
        let (negative, mut rest) = match input.as_bytes().first() {
            None => return Err(DurationError::Empty),
            Some(b'-') => (true, &input[1..]),
            Some(b'+') => (false, &input[1..]),
            Some(_) => (false, input),
        };
        if rest == "0" {
            return Ok(GoDuration(0));
        }
        if rest.is_empty() {
            return Err(invalid());
        }
        // Nanoseconds as Go counts them: unsigned, checked at every step against the largest duration of the sign
        // (a negative one reaches one nanosecond further: -(i64::MAX + 1), which `Display` writes).
        let limit = i64::MAX.unsigned_abs() + u64::from(negative);
        let overflow = || DurationError::Overflow(input.to_owned());
        let mut total: u64 = 0;
        while !rest.is_empty() {
            let digits_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
            let number = &rest[..digits_end];
            if number.is_empty() || number == "." || number.matches('.').count() > 1 {
                return Err(invalid());
            }
            rest = &rest[digits_end..];
            let unit_end = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
            let unit = &rest[..unit_end];
            rest = &rest[unit_end..];
            let scale = match unit {
                "ns" => 1,
                "us" | "µs" | "μs" => NANOS_PER_MICRO,
                "ms" => NANOS_PER_MILLI,
                "s" => NANOS_PER_SECOND,
                "m" => NANOS_PER_MINUTE,
                "h" => NANOS_PER_HOUR,
                "" => return Err(DurationError::MissingUnit(input.to_owned())),
                other => return Err(DurationError::UnknownUnit { unit: other.to_owned(), input: input.to_owned() }),
            }
            .unsigned_abs();
            let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
            // Up to 19 digits fit a u64 (and past the limit is an overflow, whatever the unit); the product is
            // bounded by a division first: checked multiplications are 128-bit library calls in wasm32.
            let whole = whole.trim_start_matches('0');
            if whole.len() > 19 {
                return Err(overflow());
            }
            let whole = whole.bytes().fold(0u64, |n, digit| n * 10 + u64::from(digit - b'0'));
            if whole > limit / scale {
                return Err(overflow());
            }
            let mut part = whole * scale;
            // Fractions keep nanosecond precision: at most 9 meaningful digits after the point.
            let mut unit_fraction = scale;
            for digit in fraction.bytes().take(18) {
                unit_fraction /= 10;
                part = part.checked_add(u64::from(digit - b'0') * unit_fraction).ok_or_else(overflow)?;
            }
            total = total.checked_add(part).filter(|&total| total <= limit).ok_or_else(overflow)?;
        }
        // Within the limit: only -(i64::MAX + 1) does not fit an i64 before its sign is applied.
        Ok(GoDuration(match i64::try_from(total) {
            Ok(total) if negative => -total,
            Ok(total) => total,
            Err(_) => i64::MIN,
        }))
    }
}

/// Go's `Duration.String()`: `"0s"`, `"300ms"`, `"1.5s"`, `"3m0s"`, `"1h2m3s"`.
impl fmt::Display for GoDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let negative = self.0 < 0;
        let nanos = self.0.unsigned_abs();
        let sign = if negative { "-" } else { "" };
        if nanos == 0 {
            return f.write_str("0s");
        }
        if nanos < NANOS_PER_SECOND as u64 {
            let (unit, scale) = if nanos < NANOS_PER_MICRO as u64 {
                ("ns", 1)
            } else if nanos < NANOS_PER_MILLI as u64 {
                ("µs", NANOS_PER_MICRO as u64)
            } else {
                ("ms", NANOS_PER_MILLI as u64)
            };
            return write!(f, "{sign}{}{unit}", decimal(nanos, scale));
        }
        let hours = nanos / NANOS_PER_HOUR as u64;
        let minutes = (nanos % NANOS_PER_HOUR as u64) / NANOS_PER_MINUTE as u64;
        let seconds = decimal(nanos % NANOS_PER_MINUTE as u64, NANOS_PER_SECOND as u64);
        if hours > 0 {
            write!(f, "{sign}{hours}h{minutes}m{seconds}s")
        } else if minutes > 0 {
            write!(f, "{sign}{minutes}m{seconds}s")
        } else {
            write!(f, "{sign}{seconds}s")
        }
    }
}

/// `value / scale` as a decimal without trailing zeros (`1500, 1000` → `"1.5"`).
fn decimal(value: u64, scale: u64) -> String {
    let whole = value / scale;
    let fraction = value % scale;
    if fraction == 0 {
        return whole.to_string();
    }
    let width = scale.to_string().len() - 1;
    let digits = format!("{fraction:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

impl Serialize for GoDuration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for GoDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        GoDuration::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_go_parses() {
        let cases = [
            ("10s", 10 * NANOS_PER_SECOND),
            ("1m21s", 81 * NANOS_PER_SECOND),
            ("300ms", 300 * NANOS_PER_MILLI),
            ("1.5h", 90 * NANOS_PER_MINUTE),
            ("2h45m", 165 * NANOS_PER_MINUTE),
            ("-1.5s", -1500 * NANOS_PER_MILLI),
            ("1µs", 1000),
            ("1us", 1000),
            (".5s", 500 * NANOS_PER_MILLI),
            ("1.s", NANOS_PER_SECOND),
            ("0", 0),
            ("0s", 0),
        ];
        for (text, nanos) in cases {
            assert_eq!(GoDuration::parse(text), Ok(GoDuration(nanos)), "{text}");
        }
    }

    #[test]
    fn refuses_what_go_refuses() {
        assert_eq!(GoDuration::parse(""), Err(DurationError::Empty));
        assert!(matches!(GoDuration::parse("10"), Err(DurationError::MissingUnit(_))));
        assert!(matches!(GoDuration::parse("10sec"), Err(DurationError::UnknownUnit { .. })));
        assert!(matches!(GoDuration::parse("10 s"), Err(DurationError::UnknownUnit { .. })));
        for bad in ["s", "-", ".s", "1..2s", "1.2.3s", "abc"] {
            assert!(GoDuration::parse(bad).is_err(), "{bad}");
        }
        assert!(matches!(GoDuration::parse("9999999999999h"), Err(DurationError::Overflow(_))));
    }

    /// Found by fuzzing (`grace_period = "22222222222222222222222222222222225s"`): the number times its unit
    /// overflowed i128, a panic in debug builds and a wrapped, wrong duration in release ones.
    #[test]
    fn numbers_too_large_for_any_unit_overflow_instead_of_wrapping() {
        for input in [
            "22222222222222222222222222222222225s",
            "99999999999999999999999999999999999999h",
            "170141183460469231731687303715884105727ns",
            "9223372036854775808ns",
            "1s9223372036854775807ns",
            "-1s9223372036854775807ns",
        ] {
            assert!(
                matches!(GoDuration::parse(input), Err(DurationError::Overflow(_) | DurationError::Invalid(_))),
                "{input}"
            );
        }
        assert_eq!(GoDuration::parse("9223372036854775807ns"), Ok(GoDuration(i64::MAX)));
        // Leading zeros are not digits that count, as in Go.
        assert_eq!(GoDuration::parse("000000000000000000000000001.5s"), Ok(GoDuration::from_millis(1500)));
        assert_eq!(GoDuration::parse("-9223372036854775807ns"), Ok(GoDuration(-i64::MAX)));
        // Found by fuzzing (the json target): the shortest duration, as written, did not read back.
        for extreme in [i64::MIN, i64::MAX, -1, 1] {
            let written = GoDuration(extreme).to_string();
            assert_eq!(GoDuration::parse(&written), Ok(GoDuration(extreme)), "{written}");
        }
        assert_eq!(GoDuration::parse("-9223372036854775808ns"), Ok(GoDuration(i64::MIN)));
        assert!(matches!(GoDuration::parse("-9223372036854775809ns"), Err(DurationError::Overflow(_))));
    }

    #[test]
    fn prints_like_go() {
        let cases = [
            (0, "0s"),
            (3 * NANOS_PER_SECOND, "3s"),
            (3 * NANOS_PER_MINUTE, "3m0s"),
            (81 * NANOS_PER_SECOND, "1m21s"),
            (1500 * NANOS_PER_MILLI, "1.5s"),
            (300 * NANOS_PER_MILLI, "300ms"),
            (NANOS_PER_HOUR + 2 * NANOS_PER_MINUTE + 3 * NANOS_PER_SECOND, "1h2m3s"),
            (1500, "1.5µs"),
            (-NANOS_PER_SECOND, "-1s"),
        ];
        for (nanos, text) in cases {
            assert_eq!(GoDuration(nanos).to_string(), text);
            assert_eq!(GoDuration::parse(text), Ok(GoDuration(nanos)), "round trip {text}");
        }
    }
}
