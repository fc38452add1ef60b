// Planning a rolling deploy of 10,000 machines (5 groups × 18 regions, every machine updated) in Node through the
// npm package's planDeploy — the same fleet as `cargo bench --bench plan` — including handing 10,000 machines to
// wasm and the plan back. Medians of repeated runs. Run with `node --expose-gc bench/plan-node.mjs`.
import { performance } from "node:perf_hooks";
import { machineConfigFor, planDeploy, validateConfig } from "../pkg/index.js";

const REGIONS = "ams arn bom cdg dfw ewr fra gru iad jnb lax lhr nrt ord sin sjc syd yyz".split(" ");
const fly = (image) => `
app = "fleet"
primary_region = "iad"
[build]
image = "${image}"
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
`;
const old = validateConfig(fly("registry.fly.io/fleet:v1"));
const next = validateConfig(fly("registry.fly.io/fleet:v2"));
const groups = old.processGroups;
const templates = groups.map((g) => ({ ...machineConfigFor(old.config, g), image: "registry.fly.io/fleet:v1" }));
const fleet = (n) =>
  Array.from({ length: n }, (_, i) => ({
    id: i.toString(16).padStart(14, "0"),
    name: `m-${i}`,
    state: i % 10 === 0 ? "stopped" : "started",
    region: REGIONS[Math.floor(i / groups.length) % REGIONS.length],
    config: structuredClone(templates[i % groups.length]),
  }));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const collect = globalThis.gc ?? (() => {});
const machines = fleet(10_000);
const plan = planDeploy(next.config, machines, [], {});
const actions = plan.phases.flatMap((p) => p.pools.flatMap((pool) => pool.actions)).length;
if (actions !== 10_000) throw new Error(`expected 10000 updates, got ${actions}`);
const times = [];
for (let i = 0; i < 7; i++) {
  collect();
  const start = performance.now();
  planDeploy(next.config, machines, [], {});
  times.push(performance.now() - start);
}
console.log(`node ${process.version}: planDeploy over 10,000 machines (every one updated): ${median(times).toFixed(0)} ms (median of 7)`);
