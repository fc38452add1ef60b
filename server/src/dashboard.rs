//! Hosting the built dashboard, and `/__flightdeck/session`, which tells the dashboard which backend it talks to
//! and, for the local emulator only, offers the dev token.

use std::path::Path;

use axum::Json;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::emulator::{Emulator, PERSONAL_ORG};

/// Who the dashboard talks to.
#[derive(Debug, Clone)]
struct Backend {
    emulator: Emulator,
    /// `Some(url)` when `/v1` is proxied to a real Machines API.
    upstream: Option<String>,
}

/// `GET /__flightdeck/session`: `{mode, org_slug, token, version}`. The token is offered only by the emulator; a
/// real API's token is the user's to give.
async fn session(State(backend): State<Backend>) -> Response {
    match &backend.upstream {
        Some(url) => Json(json!({ "mode": "upstream", "upstream": url, "org_slug": PERSONAL_ORG, "token": null, "version": flightdeck::VERSION })),
        None => Json(json!({
            "mode": "emulator",
            "org_slug": PERSONAL_ORG,
            "token": backend.emulator.dev_token(),
            "version": flightdeck::VERSION,
        })),
    }
    .into_response()
}

async fn not_built() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(
            "<!doctype html><title>Flightdeck</title><p>The dashboard is not built yet. Run <code>scripts/dev</code> \
              (or <code>trunk build --release</code>) and reload. The API is up at <code>/v1</code>.</p>",
        ),
    )
        .into_response()
}

/// Whether a dashboard path names one build's file for good: Trunk puts a content hash in the names of the wasm,
/// JavaScript and CSS it writes (`flightdeck-web-c48f3331499c3f84_bg.wasm`, `style-d178d13cf3fc3ec8.css`), a 64-bit
/// number in hex without its leading zeros: 16 digits, 15 for one build in 16, fewer ever more rarely. Twelve digits
/// or more count (one build in 65,536 has fewer, and is then revalidated like any other file: still correct).
fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem).trim_end_matches("_bg");
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Caching: a content-hashed file never changes, so browsers keep it a year without asking again; everything else
/// (`index.html`, which names the current hashes, and every path answered with it) is revalidated each time.
async fn cache_control(request: Request, next: Next) -> Response {
    let hashed = is_content_hashed(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() {
        // A hashed name that is not there is answered with index.html (client-side routes): never keep that.
        let page = response.headers().get(header::CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
        let value = if hashed && !page { "public, max-age=31536000, immutable" } else { "no-cache" };
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

/// The inline `<script>` bodies of a page (Trunk writes one: the module that loads the wasm).
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find("<script") {
        let Some(tag_end) = rest[open..].find('>').map(|i| open + i + 1) else { break };
        let Some(close) = rest[tag_end..].find("</script>").map(|i| tag_end + i) else { break };
        if !rest[open..tag_end].contains(" src=") {
            scripts.push(&rest[tag_end..close]);
        }
        rest = &rest[close + "</script>".len()..];
    }
    scripts
}

/// A strict Content-Security-Policy for the dashboard: its own origin only, no inline code but the loader script
/// (by hash), wasm compilation allowed, no plugins, no framing. API strings rendered as text can never run.
pub fn content_security_policy(index_html: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let hashes: Vec<String> = inline_scripts(index_html)
        .into_iter()
        .map(|body| {
            format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(body)))
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        hashes.join(" ")
    )
}

/// The session endpoint, then the dashboard's files with `index.html` for any other path (client-side routes).
/// A file with compressed copies beside it (`scripts/build-web` writes `.br` and `.gz` copies of the wasm, JavaScript
/// and CSS) is sent in the best encoding the browser accepts, Brotli before gzip: the dashboard's wasm crosses the
/// network at 31 % of its size in Brotli, 40 % in gzip.
pub fn routes(emulator: Emulator, dir: &Path, upstream: Option<String>) -> Router {
    let api = Router::new().route("/__flightdeck/session", get(session)).with_state(Backend { emulator, upstream });
    let index = dir.join("index.html");
    let files = if index.is_file() {
        Router::new()
            .fallback_service(
                ServeDir::new(dir).precompressed_br().precompressed_gzip().fallback(ServeFile::new(index.clone())),
            )
            // Caches keep the answers in each encoding apart.
            .layer(SetResponseHeaderLayer::if_not_present(header::VARY, HeaderValue::from_static("accept-encoding")))
            .layer(middleware::from_fn(cache_control))
    } else {
        Router::new().fallback(not_built)
    };
    let policy = std::fs::read_to_string(&index).map(|html| content_security_policy(&html)).unwrap_or_else(|_| {
        "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'".to_owned()
    });
    let policy = HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
    api.merge(files)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, policy))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunks_hashed_names_are_told_apart_from_the_rest() {
        for hashed in [
            "/flightdeck-web-c48f3331499c3f84_bg.wasm",
            "/flightdeck-web-c48f3331499c3f84.js",
            "/style-d178d13cf3fc3ec8.css",
            // scripts/split-web's loader and modules carry the same build hash.
            "/__wasm_split-c48f3331499c3f84.js",
            "/split_deferred-c48f3331499c3f84.wasm",
            "/chunk_6-c48f3331499c3f84.wasm",
            // Trunk drops the hash's leading zeros.
            "/style-d178d13cf3fc3ec.css",
            "/split_deferred-7fb2a497d62fcf8.wasm",
        ] {
            assert!(is_content_hashed(hashed), "{hashed}");
        }
        for plain in [
            "/",
            "/index.html",
            "/apps/shop-app/machines",
            "/app.wasm",
            "/style-d178d13cf3f.css",
            "/x-zzzzzzzzzzzzzzzz.js",
            "/flightdeck-web-c48f3331499c3f84a.js",
            "/__wasm_split.js",
            "/split_deferred.wasm",
        ] {
            assert!(!is_content_hashed(plain), "{plain}");
        }
    }

    #[test]
    fn the_policy_allows_exactly_the_inline_loader_by_hash() {
        let html = "<script type=\"module\">boot()</script><script src=\"/x.js\"></script>";
        assert_eq!(inline_scripts(html), ["boot()"]);
        let policy = content_security_policy(html);
        // The SHA-256 of `boot()`, base64 (computed independently with Python's hashlib).
        assert!(policy.contains("'sha256-MeZS89WlF0u+o0hCvHTBt4q1WHU+U+sJKgbdRUc36mY='"), "{policy}");
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"));
        assert!(!policy.contains("unsafe-inline"));
        assert_eq!(content_security_policy(html).matches("sha256-").count(), 1);
    }
}
