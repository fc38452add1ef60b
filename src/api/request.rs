//! Request building: pure functions from typed inputs to [`HttpRequest`] values, unit-testable without any I/O.

use super::error::ApiError;
use super::token::AuthToken;
use super::transport::{HttpRequest, Method};
use super::types::CreateAppRequest;

const USER_AGENT: &str = concat!("flightdeck/", env!("CARGO_PKG_VERSION"));

/// A validated API base URL: `http(s)://host[:port][/prefix]`, stored without a trailing `/` or `/v1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// Accepts `https://api.machines.dev`, `https://api.machines.dev/v1/`, `http://127.0.0.1:8080`, …
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let invalid = |reason: &str| ApiError::InvalidBaseUrl { url: raw.to_owned(), reason: reason.to_owned() };
        let trimmed = raw.trim();
        let rest = trimmed
            .strip_prefix("https://")
            .or_else(|| trimmed.strip_prefix("http://"))
            .ok_or_else(|| invalid("it must start with http:// or https://"))?;
        let host = rest.split('/').next().unwrap_or_default();
        if host.is_empty() {
            return Err(invalid("it has no host"));
        }
        if trimmed.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#')) {
            return Err(invalid("it may not contain spaces, a query or a fragment"));
        }
        let mut base = trimmed.trim_end_matches('/');
        base = base.strip_suffix("/v1").unwrap_or(base).trim_end_matches('/');
        Ok(Self(base.to_owned()))
    }

    /// The base URL without `/v1`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn endpoint(&self, path: &str) -> String {
        format!("{}/v1{path}", self.0)
    }
}

/// Percent-encodes one path segment or query value (RFC 3986 unreserved characters pass through).
pub fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A request with the token, `Accept: application/json` and our user agent.
pub(crate) fn authorized(method: Method, url: String, token: &AuthToken) -> HttpRequest {
    HttpRequest {
        method,
        url,
        headers: vec![
            ("Authorization".to_owned(), token.header_value()),
            ("Accept".to_owned(), "application/json".to_owned()),
            ("User-Agent".to_owned(), USER_AGENT.to_owned()),
        ],
        body: None,
        timeout: None,
    }
}

/// Adds a JSON body.
pub(crate) fn json_body<B: serde::Serialize>(mut request: HttpRequest, body: &B) -> Result<HttpRequest, ApiError> {
    let bytes = serde_json::to_vec(body).map_err(|e| ApiError::InvalidArgument(e.to_string()))?;
    request.headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
    request.body = Some(bytes);
    Ok(request)
}

/// `GET /v1/apps?org_slug=…`
pub fn list_apps(base: &BaseUrl, token: &AuthToken, org_slug: &str) -> HttpRequest {
    authorized(Method::Get, base.endpoint(&format!("/apps?org_slug={}", encode_component(org_slug))), token)
}

/// `GET /v1/apps/{name}`
pub fn get_app(base: &BaseUrl, token: &AuthToken, name: &str) -> HttpRequest {
    authorized(Method::Get, base.endpoint(&format!("/apps/{}", encode_component(name))), token)
}

/// `POST /v1/apps`. The body carries both `name` (current spec, flyctl) and `app_name` (older spec and docs), so
/// servers of either age accept it.
pub fn create_app(base: &BaseUrl, token: &AuthToken, app: &CreateAppRequest) -> Result<HttpRequest, ApiError> {
    if app.name.trim().is_empty() {
        return Err(ApiError::InvalidArgument("an app needs a name".to_owned()));
    }
    if app.org_slug.trim().is_empty() {
        return Err(ApiError::InvalidArgument(
            "an app needs an organization slug (for example \"personal\")".to_owned(),
        ));
    }
    #[derive(serde::Serialize)]
    #[cfg_attr(feature = "js", derive(tsify::Tsify))]
    struct Body<'a> {
        #[serde(flatten)]
        app: &'a CreateAppRequest,
        app_name: &'a str,
    }
    json_body(authorized(Method::Post, base.endpoint("/apps"), token), &Body { app, app_name: &app.name })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> AuthToken {
        AuthToken::new("t0k").unwrap()
    }

    #[test]
    fn base_urls_are_normalised_and_checked() {
        assert_eq!(BaseUrl::parse("https://api.machines.dev").unwrap().as_str(), "https://api.machines.dev");
        assert_eq!(BaseUrl::parse("https://api.machines.dev/v1/").unwrap().as_str(), "https://api.machines.dev");
        assert_eq!(BaseUrl::parse(" http://127.0.0.1:8080/ ").unwrap().as_str(), "http://127.0.0.1:8080");
        assert_eq!(BaseUrl::parse("http://h/proxy/v1").unwrap().as_str(), "http://h/proxy");
        for bad in ["", "api.machines.dev", "ftp://x", "http://", "http:///v1", "http://a b", "http://h/?q=1"] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn list_apps_encodes_the_org_and_authenticates() {
        let base = BaseUrl::parse("http://h:1").unwrap();
        let req = list_apps(&base, &token(), "my org&x");
        assert_eq!(req.method, Method::Get);
        assert_eq!(req.url, "http://h:1/v1/apps?org_slug=my%20org%26x");
        assert_eq!(req.header("authorization"), Some("Bearer t0k"));
        assert!(req.body.is_none());
    }

    #[test]
    fn get_app_cannot_escape_its_path_segment() {
        let base = BaseUrl::parse("http://h").unwrap();
        assert_eq!(get_app(&base, &token(), "../machines").url, "http://h/v1/apps/..%2Fmachines");
    }

    #[test]
    fn create_app_sends_both_name_fields_as_json() {
        let base = BaseUrl::parse("http://h").unwrap();
        let app = CreateAppRequest { name: "shop".into(), org_slug: "personal".into(), ..Default::default() };
        let req = create_app(&base, &token(), &app).unwrap();
        assert_eq!(req.method, Method::Post);
        assert_eq!(req.url, "http://h/v1/apps");
        assert_eq!(req.header("content-type"), Some("application/json"));
        let body: serde_json::Value = serde_json::from_slice(req.body.as_deref().unwrap()).unwrap();
        assert_eq!(body, serde_json::json!({"name": "shop", "app_name": "shop", "org_slug": "personal"}));
    }

    #[test]
    fn create_app_refuses_missing_names() {
        let base = BaseUrl::parse("http://h").unwrap();
        let app = CreateAppRequest { name: " ".into(), org_slug: "personal".into(), ..Default::default() };
        assert_eq!(create_app(&base, &token(), &app).unwrap_err().code(), "invalid_argument");
    }
}
