//! App secrets: names and digests only — values go in and never come back. Setting or unsetting bumps the app's
//! secrets version; machines see new values once updated (`min_secrets_version`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::error::ApiError;
use super::request::{BaseUrl, authorized, encode_component, json_body};
use super::token::AuthToken;
use super::transport::{HttpRequest, HttpResponse, Method};
use crate::machine::{Extra, null_as_default};

/// One secret: its name and a digest of its value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(default)]
pub struct AppSecret {
    #[serde(deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(deserialize_with = "null_as_default")]
    pub digest: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The app's secrets after a change, and the secrets version that change made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(tsify::Tsify))]
#[serde(default)]
pub struct SecretsUpdate {
    #[serde(deserialize_with = "null_as_default")]
    pub secrets: Vec<AppSecret>,
    #[serde(alias = "Version")]
    pub version: u64,
}

fn secrets_path(base: &BaseUrl, app: &str) -> String {
    format!("{}/v1/apps/{}/secrets", base.as_str(), encode_component(app))
}

/// Secret names: letters, digits and underscores, not starting with a digit.
pub fn valid_secret_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Request builders.
pub mod request {
    use super::*;

    /// `GET /apps/{app}/secrets`.
    pub fn list(base: &BaseUrl, token: &AuthToken, app: &str) -> HttpRequest {
        authorized(Method::Get, secrets_path(base, app), token)
    }

    /// `POST /apps/{app}/secrets {"values": {NAME: value | null}}`: sets and (with `None`) unsets in one change.
    pub fn update(
        base: &BaseUrl,
        token: &AuthToken,
        app: &str,
        values: &BTreeMap<String, Option<String>>,
    ) -> Result<HttpRequest, ApiError> {
        if let Some(bad) = values.keys().find(|name| !valid_secret_name(name)) {
            return Err(ApiError::InvalidArgument(format!(
                "invalid secret name {bad:?}: use letters, digits and underscores, not starting with a digit"
            )));
        }
        json_body(authorized(Method::Post, secrets_path(base, app), token), &serde_json::json!({ "values": values }))
    }
}

/// Response readers.
pub mod response {
    use super::*;

    use crate::api::response::decode;

    /// `{"secrets": [...]}`.
    pub fn list(response: &HttpResponse) -> Result<Vec<AppSecret>, ApiError> {
        decode::<SecretsUpdate>(response).map(|s| s.secrets)
    }

    /// `{"secrets": [...], "version": n}`.
    pub fn update(response: &HttpResponse) -> Result<SecretsUpdate, ApiError> {
        decode(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_sent_with_nulls_for_removals_and_names_checked() {
        let base = BaseUrl::parse("https://api.machines.dev").unwrap();
        let token = AuthToken::new("t").unwrap();
        let values =
            BTreeMap::from([("DATABASE_URL".to_owned(), Some("postgres://x".to_owned())), ("OLD".to_owned(), None)]);
        let req = request::update(&base, &token, "shop", &values).unwrap();
        let body: serde_json::Value = serde_json::from_slice(req.body.as_deref().unwrap()).unwrap();
        assert_eq!(body, serde_json::json!({"values": {"DATABASE_URL": "postgres://x", "OLD": null}}));
        assert!(!format!("{req:?}").contains("postgres://x"), "secret values never reach Debug output");
        let bad = BTreeMap::from([("1BAD".to_owned(), None)]);
        assert_eq!(request::update(&base, &token, "shop", &bad).unwrap_err().code(), "invalid_argument");
    }

    #[test]
    fn the_deprecated_capitalised_version_is_read() {
        let reply = HttpResponse { status: 200, headers: vec![], body: br#"{"secrets":null,"Version":7}"#.to_vec() };
        assert_eq!(response::update(&reply).unwrap(), SecretsUpdate { secrets: vec![], version: 7 });
    }
}
