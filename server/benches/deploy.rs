//! `cargo bench -p flightdeck-server --bench deploy`: the engine against the emulator over loopback HTTP, with the
//! emulator's default rate limits on and a fixed update time T (stop + start = 1.5 s at speed 1; run at speed 1.5,
//! so T = 1 s). Machines have no health checks and the smoke check is off, so an update takes T.
//! - Rolling, N = 100, max_unavailable = 10: wall time ÷ (⌈N/10⌉ × T), without and with a spearhead; API calls
//!   per updated machine (every request the emulator answered during the run, ÷ N); 429s earned.
//! - Rolling, N = 1,000 (max_unavailable 0.33): completes, and no lease is lost.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark with a broken setup should stop loudly

use std::sync::Mutex;
use std::time::{Duration, Instant};

use flightdeck::api::{AuthToken, MachinesClient, NativeTransport};
use flightdeck::config::parse;
use flightdeck::engine::{self, AppSnapshot, Cancel, EngineOptions, Event, LeaseEvent};
use flightdeck::plan::{DeployOptions, plan_deploy};
use flightdeck_server::ServerOptions;
use flightdeck_server::emulator::Emulator;
use flightdeck_server::emulator::seed::{Seed, SeedApp, SeedMachine};

const SPEED: f64 = 1.5;
const T: f64 = 1.5 / SPEED;

fn fly_toml(image: &str) -> String {
    format!("app = 'fleet'\nprimary_region = 'iad'\n[build]\nimage = '{image}'\n[http_service]\ninternal_port = 8080\n")
}

struct Run {
    wall: f64,
    requests: u64,
    rate_limited: u64,
    lost_leases: usize,
    ok: bool,
}

async fn deploy(n: usize, max_unavailable: f64, spearhead: bool) -> Run {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let options = ServerOptions { speed: SPEED, ..ServerOptions::default() };
    let emulator = Emulator::new(Some("bench".into())).unwrap().with_speed(SPEED);
    tokio::spawn(axum::serve(listener, flightdeck_server::router(emulator.clone(), &options)).into_future());

    let old = parse(&fly_toml("registry.fly.io/fleet:v1")).config;
    let mut config = old.machine_config("app", None).unwrap();
    config.image = "registry.fly.io/fleet:v1".into();
    let seed = Seed {
        apps: vec![SeedApp {
            name: "fleet".into(),
            machines: vec![SeedMachine { region: "iad".into(), config, count: Some(n), ..SeedMachine::default() }],
            ..SeedApp::default()
        }],
    };
    emulator.seed(&seed).unwrap();

    let api = MachinesClient::new(&base, AuthToken::new("bench").unwrap(), NativeTransport::new()).unwrap();
    let new = parse(&fly_toml("registry.fly.io/fleet:v2")).config;
    let snapshot = AppSnapshot::read(&api, "fleet").await.unwrap();
    let deploy_options = DeployOptions {
        max_unavailable: Some(max_unavailable),
        smoke_checks: false,
        spearhead,
        ..DeployOptions::default()
    };
    let plan = plan_deploy(&snapshot.deploy_input("fleet", &new), &deploy_options).unwrap();
    let engine_options = EngineOptions { smoke_window: Duration::ZERO, ..EngineOptions::default() };
    let lost = Mutex::new(0);
    let sink = |event: Event| {
        if matches!(event, Event::Lease { event: LeaseEvent::Lost, .. }) {
            *lost.lock().unwrap() += 1;
        }
    };
    let before = emulator.counters();
    let started = Instant::now();
    let result = engine::run(&api, &plan, &engine_options, &sink, &Cancel::default()).await;
    let wall = started.elapsed().as_secs_f64();
    let after = emulator.counters();
    if let Err(failure) = &result {
        eprintln!("run failed: {}", failure.error);
    }
    Run {
        wall,
        requests: after.requests.values().sum::<u64>() - before.requests.values().sum::<u64>(),
        rate_limited: after.rate_limited - before.rate_limited,
        lost_leases: lost.into_inner().unwrap(),
        ok: result.is_ok(),
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let ideal = (100f64 / 10.0).ceil() * T;
        for spearhead in [false, true] {
            let mut runs = Vec::new();
            for _ in 0..3 {
                runs.push(deploy(100, 10.0, spearhead).await);
            }
            assert!(runs.iter().all(|r| r.ok));
            runs.sort_by(|a, b| a.wall.total_cmp(&b.wall));
            let median = &runs[1];
            println!(
                "rolling deploy N=100, max_unavailable=10, T={T:.2} s, spearhead {}: wall {:.2} s (median of 3; runs {}) = \
                 {:.3} × ⌈N/10⌉×T; {:.2} API calls per updated machine; {} × 429",
                if spearhead { "on " } else { "off" },
                median.wall,
                runs.iter().map(|r| format!("{:.2}", r.wall)).collect::<Vec<_>>().join(", "),
                median.wall / ideal,
                median.requests as f64 / 100.0,
                runs.iter().map(|r| r.rate_limited).sum::<u64>(),
            );
        }
        let big = deploy(1000, 0.33, true).await;
        println!(
            "rolling deploy N=1000 (max_unavailable 0.33, spearhead on): {} in {:.1} s; leases lost: {}; {:.2} API calls \
             per updated machine; {} × 429",
            if big.ok { "completed" } else { "FAILED" },
            big.wall,
            big.lost_leases,
            big.requests as f64 / 1000.0,
            big.rate_limited,
        );
    });
}
