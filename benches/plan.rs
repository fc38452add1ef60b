//! `cargo bench --bench plan`: planning a rolling deploy of a new image over big fleets — 5 process groups × 18
//! regions, 10,000 and 100,000 machines, every machine updated (so each gets its config built and diffed). Medians
//! of repeated runs; the growth from 10k to 100k shows whether planning stays linear.

#![allow(clippy::disallowed_methods, reason = "native benchmark: clippy.toml's one-sort rule is for the wasm builds")]
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // a benchmark with bad data should stop loudly

use std::hint::black_box;
use std::time::Instant;

use flightdeck::api::{Machine, MachineState};
use flightdeck::config::{AppConfig, parse};
use flightdeck::plan::{DeployInput, DeployOptions, plan_deploy};

const REGIONS: [&str; 18] = [
    "ams", "arn", "bom", "cdg", "dfw", "ewr", "fra", "gru", "iad", "jnb", "lax", "lhr", "nrt", "ord", "sin", "sjc",
    "syd", "yyz",
];

fn config(image: &str) -> AppConfig {
    let text = format!(
        r#"
app = "fleet"
primary_region = "iad"
[build]
image = "{image}"
[env]
LOG = "info"
[processes]
web = "bin/web"
api = "bin/api"
worker = "bin/worker"
jobs = "bin/jobs"
cron = "bin/cron"
[http_service]
internal_port = 8080
processes = ["web", "api"]
[[http_service.checks]]
grace_period = "5s"
path = "/health"
"#
    );
    let parsed = parse(&text);
    assert!(!parsed.has_errors());
    parsed.config
}

/// `n` machines spread evenly over 5 groups × 18 regions, as a deploy of image v1 left them.
fn fleet(n: usize) -> Vec<Machine> {
    let old = config("registry.fly.io/fleet:v1");
    let groups = old.process_names();
    let templates: Vec<_> = groups
        .iter()
        .map(|g| {
            let mut c = old.machine_config(g, None).unwrap();
            c.image = "registry.fly.io/fleet:v1".into();
            c
        })
        .collect();
    (0..n)
        .map(|i| Machine {
            id: format!("{i:014x}"),
            name: format!("m-{i}"),
            state: if i % 10 == 0 { MachineState::Stopped } else { MachineState::Started },
            region: REGIONS[(i / groups.len()) % REGIONS.len()].to_owned(),
            config: Some(templates[i % groups.len()].clone()),
            ..Machine::default()
        })
        .collect()
}

fn median_ms(samples: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut times: Vec<f64> = (0..samples)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let new = config("registry.fly.io/fleet:v2");
    let mut results = Vec::new();
    for (n, samples) in [(10_000, 11), (100_000, 5)] {
        let machines = fleet(n);
        let input = DeployInput { app: "fleet", config: &new, machines: &machines, volumes: &[], app_deployed: true };
        let plan = plan_deploy(&input, &DeployOptions::default()).unwrap();
        assert_eq!(plan.actions().count(), n, "every machine is updated");
        let ms = median_ms(samples, || {
            black_box(plan_deploy(black_box(&input), &DeployOptions::default()).unwrap());
        });
        results.push((n, ms));
    }
    let ((n1, t1), (n2, t2)) = (results[0], results[1]);
    println!(
        "plan a rolling deploy (5 groups × 18 regions, every machine updated): {n1} machines {t1:.1} ms, {n2} machines \
         {t2:.1} ms (medians); ×{:.1} the time for ×{} the machines",
        t2 / t1,
        n2 / n1
    );
}
