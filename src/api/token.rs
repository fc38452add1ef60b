//! API tokens: accepted in every form flyctl accepts, sent the way flyctl sends them, and never shown.
//!
//! A token may arrive as `fo1_…`, `Bearer fo1_…`, `FlyV1 fm2_…,fm2_…`. Parts prefixed `fm1r_`, `fm1a_` or `fm2_`
//! are macaroons and go out as `Authorization: FlyV1 <parts>`; anything else as `Bearer <token>`.

use std::fmt;

const MACAROON_PREFIXES: [&str; 3] = ["fm1r_", "fm1a_", "fm2_"];

/// Why a string is not usable as a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    #[error("the API token is empty")]
    Empty,
    #[error("the API token contains characters that cannot be sent in an HTTP header")]
    InvalidCharacters,
}

/// A normalised API token. Its `Debug` and `Display` never reveal it.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthToken {
    parts: Vec<String>,
    macaroon: bool,
}

impl AuthToken {
    /// Normalises a token as flyctl does: strips a leading `Bearer ` or `FlyV1 ` scheme, splits on commas.
    ///
    /// ```
    /// use flightdeck::api::AuthToken;
    /// assert_eq!(AuthToken::new("fo1_abc").unwrap().header_value(), "Bearer fo1_abc");
    /// assert_eq!(AuthToken::new("FlyV1 fm2_a,fm2_b").unwrap().header_value(), "FlyV1 fm2_a,fm2_b");
    /// ```
    pub fn new(raw: &str) -> Result<Self, TokenError> {
        let trimmed = raw.trim();
        let (first_word, rest) = trimmed.split_once(char::is_whitespace).unwrap_or((trimmed, ""));
        let is_scheme = ["Bearer", "FlyV1"].iter().any(|s| first_word.eq_ignore_ascii_case(s));
        let without_scheme = if is_scheme { rest.trim() } else { trimmed };
        if without_scheme.chars().any(|c| c.is_control() || !c.is_ascii()) {
            return Err(TokenError::InvalidCharacters);
        }
        let parts: Vec<String> =
            without_scheme.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect();
        if parts.is_empty() {
            return Err(TokenError::Empty);
        }
        if parts.iter().any(|p| p.contains(' ')) {
            return Err(TokenError::InvalidCharacters);
        }
        let macaroon = parts.iter().any(|p| MACAROON_PREFIXES.iter().any(|prefix| p.starts_with(prefix)));
        Ok(Self { parts, macaroon })
    }

    /// The `Authorization` header value.
    pub fn header_value(&self) -> String {
        if self.macaroon {
            format!("FlyV1 {}", self.parts.join(","))
        } else {
            format!("Bearer {}", self.parts.join(","))
        }
    }

    /// The token itself, without a scheme (for comparing with a server's expected token).
    pub fn secret(&self) -> String {
        self.parts.join(",")
    }
}

impl fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_tokens_are_bearer_tokens() {
        assert_eq!(AuthToken::new("  abc123 ").unwrap().header_value(), "Bearer abc123");
        assert_eq!(AuthToken::new("Bearer abc123").unwrap().header_value(), "Bearer abc123");
    }

    #[test]
    fn macaroons_are_sent_with_the_flyv1_scheme() {
        assert_eq!(AuthToken::new("fm2_aaa").unwrap().header_value(), "FlyV1 fm2_aaa");
        assert_eq!(AuthToken::new("FlyV1 fm1r_x, fm2_y").unwrap().header_value(), "FlyV1 fm1r_x,fm2_y");
        assert_eq!(AuthToken::new("fo1_z,fm1a_q").unwrap().header_value(), "FlyV1 fo1_z,fm1a_q");
    }

    #[test]
    fn empty_and_header_breaking_tokens_are_refused() {
        assert_eq!(AuthToken::new("   "), Err(TokenError::Empty));
        assert_eq!(AuthToken::new("Bearer "), Err(TokenError::Empty));
        assert_eq!(AuthToken::new(",,"), Err(TokenError::Empty));
        assert_eq!(AuthToken::new("abc\r\nX-Evil: 1"), Err(TokenError::InvalidCharacters));
        assert_eq!(AuthToken::new("tök"), Err(TokenError::InvalidCharacters));
    }

    #[test]
    fn the_token_never_appears_in_debug_output() {
        let token = AuthToken::new("super-secret").unwrap();
        assert_eq!(format!("{token:?}"), "AuthToken(<redacted>)");
    }
}
