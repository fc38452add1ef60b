//! Authentication: `Authorization: Bearer …` or `FlyV1 …`, resolved to the one org the token may act on.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use flightdeck::api::AuthToken;

use super::{Emulator, reply};

/// The org the request's token is scoped to, and who the token is (lease owners are tokens).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgScope {
    pub org: String,
    owner: String,
}

impl OrgScope {
    /// Whether this token may see `org_slug`.
    pub fn allows(&self, org_slug: &str) -> bool {
        self.org == org_slug
    }

    /// A stable, non-secret name for the token (a hash), as Fly names lease owners `<id>@tokens.fly.io`.
    pub fn owner(&self) -> &str {
        &self.owner
    }
}

fn token_owner(secret: &str) -> String {
    use std::hash::{Hash, Hasher};
    // DefaultHasher::new() has fixed keys: the same token always gets the same name.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    secret.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

impl FromRequestParts<Emulator> for OrgScope {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, emulator: &Emulator) -> Result<Self, Self::Rejection> {
        let unauthorized = || reply::error(StatusCode::UNAUTHORIZED, "Authenticate: token validation error");
        let header = parts.headers.get("authorization").and_then(|v| v.to_str().ok()).ok_or_else(unauthorized)?;
        let scheme_ok = ["Bearer ", "FlyV1 "].iter().any(|s| header.starts_with(s));
        if !scheme_ok {
            return Err(unauthorized());
        }
        let token = AuthToken::new(header).map_err(|_| unauthorized())?;
        let secret = token.secret();
        let org = emulator.org_of_token(&secret).ok_or_else(unauthorized)?;
        Ok(OrgScope { org, owner: token_owner(&secret) })
    }
}
