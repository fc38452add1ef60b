//! The Flightdeck server: hosts the built dashboard and emulates the Fly Machines API under `/v1`.
//!
//! Owns the HTTP surface and process concerns (listening, printing the address and token, shutdown). The
//! emulator's behaviour lives in [`emulator`]; the dashboard host in [`dashboard`].

pub mod dashboard;
pub mod emulator;
mod ids;
pub mod upstream;

use std::future::Future;
use std::io;
use std::path::PathBuf;

use axum::Router;
use std::time::Duration;

use axum::http::HeaderName;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer};

use emulator::Emulator;

/// How to run the server.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Folder of the built dashboard (Trunk's `dist/`).
    pub dashboard_dir: PathBuf,
    /// The token of org `personal`; random when `None`.
    pub token: Option<String>,
    /// Seed demo apps.
    pub demo: bool,
    /// Answer CORS from any origin (test runners only).
    pub allow_cross_origin: bool,
    /// How much faster than real time machines move (1 = realistic timings).
    pub speed: f64,
    /// Enforce the Machines API's rate limits (429 with Retry-After).
    pub rate_limits: bool,
    /// Serve the control API under `/__emulator` (faults).
    pub control: bool,
    /// Save the emulator's state here and load it at start.
    pub state_file: Option<PathBuf>,
    /// Proxy `/v1` to this Machines API instead of emulating it.
    pub upstream: Option<String>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            dashboard_dir: PathBuf::from("dist"),
            token: None,
            demo: false,
            allow_cross_origin: false,
            speed: 1.0,
            rate_limits: true,
            control: true,
            state_file: None,
            upstream: None,
        }
    }
}

/// The whole application: `/v1` (emulator), `/__flightdeck` (session info for the dashboard), and the dashboard.
pub fn router(emulator: Emulator, options: &ServerOptions) -> Router {
    let upstream = options.upstream.as_deref().and_then(|url| upstream::Upstream::new(url).ok());
    let mut router = match &upstream {
        Some(upstream) => {
            Router::new().nest_service("/v1", Router::new().fallback(upstream::forward).with_state(upstream.clone()))
        }
        None => Router::new().nest("/v1", emulator::routes(emulator.clone())),
    };
    if options.control && upstream.is_none() {
        router = router.nest("/__emulator", emulator::control::routes(emulator.clone()));
    }
    let router = router.merge(dashboard::routes(
        emulator,
        &options.dashboard_dir,
        upstream.as_ref().map(|u| u.base().to_owned()),
    ));
    if options.allow_cross_origin { router.layer(cross_origin()) } else { router }
}

/// Any origin may call, with any method and header (Authorization included, which a `*` would not cover), and may
/// read Fly's response headers that errors carry.
fn cross_origin() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods(AllowMethods::mirror_request())
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([HeaderName::from_static("fly-request-id"), HeaderName::from_static("retry-after")])
        .max_age(Duration::from_secs(600))
}

/// Serves until `shutdown` completes. Prints `listening on http://ADDR` first (tests and scripts read it), then the
/// token to use.
pub async fn serve(
    listener: tokio::net::TcpListener,
    options: ServerOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let mut emulator = Emulator::new(options.token.clone()).map_err(io::Error::other)?.with_speed(options.speed);
    if !options.rate_limits {
        emulator = emulator.without_rate_limits();
    }
    if let Some(path) = &options.state_file
        && emulator.load(path)?
    {
        println!("loaded the emulator's state from {}", path.display());
    }
    if options.demo {
        emulator.seed_demo_apps();
    }
    let address = listener.local_addr()?;
    println!("listening on http://{address}");
    println!("  dashboard  http://{address}/");
    println!("  API        http://{address}/v1  (a local emulator of the Fly Machines API)");
    println!("  token      {}  (org: personal)", emulator.dev_token());
    println!(
        "  try        curl -H 'Authorization: Bearer {}' 'http://{address}/v1/apps?org_slug=personal'",
        emulator.dev_token()
    );
    let saver = options.state_file.clone().map(|path| tokio::spawn(keep_saved(emulator.clone(), path)));
    let app = router(emulator.clone(), &options);
    let served = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    if let Some(saver) = saver {
        saver.abort();
    }
    // The last word: whatever happened since the last periodic save.
    if let Some(path) = &options.state_file {
        emulator.save(path)?;
    }
    served
}

/// Saves the state whenever it changed, checking twice a second.
async fn keep_saved(emulator: Emulator, path: PathBuf) {
    let mut last = String::new();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        match emulator.snapshot() {
            Ok(snapshot) if snapshot != last => {
                let (target, text) = (path.clone(), snapshot.clone());
                let written = tokio::task::spawn_blocking(move || emulator::write_snapshot(&target, &text)).await;
                match written {
                    Ok(Ok(())) => last = snapshot,
                    Ok(Err(error)) => eprintln!("flightdeck-server: could not save {}: {error}", path.display()),
                    Err(error) => eprintln!("flightdeck-server: could not save {}: {error}", path.display()),
                }
            }
            _ => {}
        }
    }
}
