//! `cargo bench -p flightdeck-server --bench emulator`: GET machine on loopback with 100 concurrent clients —
//! requests per second and latency percentiles. Client and server share this machine's cores, so the figure is a
//! floor. Rate limits are off: this measures the emulator, not the limits. Bounded: 20,000 requests per run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark with a broken setup should stop loudly

use std::time::{Duration, Instant};

use flightdeck::api::{AuthToken, CreateAppRequest, MachineRequest, MachinesClient, NativeTransport};
use flightdeck_server::ServerOptions;
use flightdeck_server::emulator::Emulator;

const CLIENTS: usize = 100;
const REQUESTS: usize = 20_000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let options = ServerOptions { speed: 1000.0, rate_limits: false, ..ServerOptions::default() };
        let emulator = Emulator::new(Some("bench".into())).unwrap().with_speed(options.speed).without_rate_limits();
        tokio::spawn(axum::serve(listener, flightdeck_server::router(emulator, &options)).into_future());
        let api = MachinesClient::new(&base, AuthToken::new("bench").unwrap(), NativeTransport::new()).unwrap();
        api.create_app(&CreateAppRequest { name: "bench".into(), org_slug: "personal".into(), ..Default::default() }).await.unwrap();
        let mut request = MachineRequest::default();
        request.config.image = "nginx:1.27".into();
        let machine = api.create_machine("bench", &request).await.unwrap();
        let url = format!("{base}/v1/apps/bench/machines/{}", machine.id);

        let http = reqwest::Client::builder().pool_max_idle_per_host(CLIENTS).build().unwrap();
        for _ in 0..500 {
            http.get(&url).bearer_auth("bench").send().await.unwrap().bytes().await.unwrap();
        }
        let started = Instant::now();
        let tasks: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let (http, url) = (http.clone(), url.clone());
                tokio::spawn(async move {
                    let mut latencies = Vec::with_capacity(REQUESTS / CLIENTS);
                    for _ in 0..REQUESTS / CLIENTS {
                        let sent = Instant::now();
                        let response = http.get(&url).bearer_auth("bench").send().await.unwrap();
                        assert_eq!(response.status(), 200);
                        response.bytes().await.unwrap();
                        latencies.push(sent.elapsed());
                    }
                    latencies
                })
            })
            .collect();
        let mut latencies: Vec<Duration> = Vec::with_capacity(REQUESTS);
        for task in tasks {
            latencies.extend(task.await.unwrap());
        }
        let elapsed = started.elapsed();
        latencies.sort_unstable();
        let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
        println!(
            "emulator GET machine, {CLIENTS} concurrent clients, {} requests: {:.0} requests/s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            latencies.len(),
            latencies.len() as f64 / elapsed.as_secs_f64(),
            at(0.50).as_secs_f64() * 1e3,
            at(0.99).as_secs_f64() * 1e3,
            latencies[latencies.len() - 1].as_secs_f64() * 1e3
        );
    });
}
