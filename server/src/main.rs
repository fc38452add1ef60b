//! `flightdeck-server`: the command line shell around [`flightdeck_server::serve`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use flightdeck_server::{ServerOptions, serve};

/// Serves the Flightdeck dashboard and a local emulator of the Fly Machines API under /v1.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Address to listen on (port 0 picks a free port; the chosen address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Folder of the built dashboard (Trunk's dist/).
    #[arg(long, default_value = "dist")]
    dashboard: PathBuf,
    /// The emulator's API token for org `personal`; a random one is made and printed when unset.
    #[arg(long = "token", env = "FLY_API_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Seed a few demo apps so a first look has something to show.
    #[arg(long)]
    demo: bool,
    /// Answer CORS preflights from any origin (for test runners serving pages on another port).
    #[arg(long)]
    allow_cross_origin: bool,
    /// Move machines this many times faster than real time (create, start, stop, destroy).
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// Do not enforce the Machines API's rate limits (1 request/s per machine and action, bursts of 3).
    #[arg(long)]
    no_rate_limits: bool,
    /// Do not serve the control API (/__emulator: fault injection).
    #[arg(long)]
    no_control: bool,
    /// Keep the emulator's state in this file: loaded at start, saved on every change and at exit.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Proxy /v1 to this Machines API (e.g. https://api.machines.dev) instead of emulating it.
    #[arg(long, value_name = "URL")]
    upstream: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let options = ServerOptions {
        dashboard_dir: cli.dashboard,
        token: cli.token,
        demo: cli.demo,
        allow_cross_origin: cli.allow_cross_origin,
        speed: cli.speed,
        rate_limits: !cli.no_rate_limits,
        control: !cli.no_control,
        state_file: cli.state,
        upstream: cli.upstream,
    };
    let listener = match tokio::net::TcpListener::bind(cli.listen).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("flightdeck-server: cannot listen on {}: {error}", cli.listen);
            return ExitCode::FAILURE;
        }
    };
    let shutdown = async {
        // If the signal handler cannot be installed the server simply runs until killed.
        let _ = tokio::signal::ctrl_c().await;
    };
    match serve(listener, options, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("flightdeck-server: {error}");
            ExitCode::FAILURE
        }
    }
}
