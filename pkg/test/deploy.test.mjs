// Plans and runs from JavaScript: validateConfig → snapshot → planDeploy → client.run, against the emulator over
// real HTTP, with events delivered as they happen, typed failures with a report, and cancellation by AbortSignal.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { MachinesClient, describePlan, eventLine, planAppRestart, planLaunch, planDeploy, planScaleCount, planScaleRegions, driftReport, validateConfig } from "../index.js";
import { startEmulator } from "./support/emulator.mjs";

let emulator;
before(async () => {
  emulator = await startEmulator({ token: "npm-deploy-token", args: ["--speed", "50"] });
});
after(() => emulator?.stop());

const client = () => new MachinesClient({ baseUrl: emulator.url, token: emulator.token });
const flyToml = (app, image) => `
app = "${app}"
primary_region = "syd"
[build]
image = "${image}"
[http_service]
internal_port = 8080
[[http_service.checks]]
grace_period = "1s"
path = "/health"
`;
const fast = { smokeWindowMs: 100, pollIntervalMs: 50 };

async function deploy(api, app, image, options = {}) {
  const { config } = validateConfig(flyToml(app, image));
  const snapshot = await api.snapshot(app);
  const plan = planDeploy(config, snapshot.machines, snapshot.volumes, { appDeployed: snapshot.deployed, ...options });
  const events = [];
  const report = await api.run(plan, (event) => events.push(event), fast);
  return { plan, events, report };
}

test("a first deploy and a rolling update run from JavaScript, with events as they happen", async () => {
  const api = client();
  await api.createApp({ name: "js-deploy", org_slug: "personal" });
  const first = await deploy(api, "js-deploy", "registry.fly.io/js:v1");
  assert.equal(first.plan.operation, "deploy (rolling)");
  assert.equal(first.report.outcomes.filter((o) => o.outcome === "succeeded").length, 2);
  assert.ok(first.events.some((e) => e.type === "machine_created"));
  assert.equal(first.events.at(-1).type, "done");
  // Each event carries the line flyctl would print (null when it prints none); eventLine reads it.
  const created = first.events.find((e) => e.type === "machine_created");
  assert.match(created.line, /Machine \w+ \[app\] was created/);
  assert.equal(eventLine(created), created.line);
  assert.ok(first.events.every((e) => e.line === null || typeof e.line === "string"));
  assert.equal(eventLine(first.events.at(-1)), first.events.at(-1).line);
  assert.throws(() => eventLine({ type: "done" }), { code: "invalid_argument" });

  const second = await deploy(api, "js-deploy", "registry.fly.io/js:v2");
  const update = second.plan.phases.at(-1).pools[0].actions[0];
  assert.equal(update.action, "update");
  assert.deepEqual(update.changes.map((c) => c.path), ["image"]);
  assert.ok(second.events.some((e) => e.type === "checks" && e.passing === e.total));
  const snapshot = await api.snapshot("js-deploy");
  assert.ok(snapshot.machines.every((m) => m.config.image.endsWith(":v2")));

  const { config } = validateConfig(flyToml("js-deploy", "registry.fly.io/js:v2"));
  const drift = driftReport(config, snapshot.machines, { app: { syd: 3 } });
  assert.equal(drift.cells.find((c) => c.region === "syd").desired, 3);
  const scale = planScaleCount(config, snapshot.machines, snapshot.volumes, ["3"], { regions: ["syd", "fra"] });
  assert.equal(scale.phases[0].pools[0].actions[0].region, "fra", "the emptier region first");
  assert.equal(planAppRestart("js-deploy", snapshot.machines).phases[0].pools[0].actions.length, 2);
  // Per-region counts at once: 1 in syd (from 2) and 2 in fra (from 0).
  const grid = planScaleRegions(config, snapshot.machines, snapshot.volumes, { app: { syd: 1, fra: 2 } });
  assert.equal(grid.operation, "scale regions");
  const [creates, destroys] = grid.phases[0].pools.map((p) => p.actions);
  assert.deepEqual(creates.map((a) => a.region), ["fra", "fra"]);
  assert.equal(destroys.length, 1);
  assert.deepEqual(grid.expected_counts, { app: 3 });
  assert.throws(() => planScaleRegions(config, snapshot.machines, [], { nope: { syd: 1 } }), (e) => e.code === "plan");
  assert.throws(() => planScaleRegions(config, snapshot.machines, [], "web=3"), (e) => e.code === "invalid_argument");
  // The per-region counts say where machines go: scale count's region options are refused, not ignored.
  assert.throws(() => planScaleRegions(config, snapshot.machines, [], { app: { syd: 1 } }, { regions: ["fra"] }), (e) => e.code === "invalid_argument");
});

test("a failing run rejects with a FlightdeckError carrying the report, and abort cancels", async () => {
  const api = client();
  await api.createApp({ name: "js-fail", org_slug: "personal" });
  await deploy(api, "js-fail", "registry.fly.io/js:v1");
  await fetch(`${emulator.url}/__emulator/faults`, {
    method: "PUT",
    headers: { authorization: `Bearer ${emulator.token}`, "content-type": "application/json" },
    body: JSON.stringify({ failing_starts: ["js-fail"] }),
  });
  await assert.rejects(deploy(api, "js-fail", "registry.fly.io/js:v2"), (error) => {
    assert.equal(error.name, "FlightdeckError");
    assert.equal(error.code, "run");
    assert.match(error.message, /did not start: it is failed/);
    assert.equal(error.cause.kind, "not_started");
    assert.ok(error.report.outcomes.some((o) => o.outcome === "failed"));
    return true;
  });
  await fetch(`${emulator.url}/__emulator/faults`, {
    method: "PUT",
    headers: { authorization: `Bearer ${emulator.token}`, "content-type": "application/json" },
    body: "{}",
  });

  const { config } = validateConfig(flyToml("js-fail", "registry.fly.io/js:v3"));
  const snapshot = await api.snapshot("js-fail");
  const plan = planDeploy(config, snapshot.machines, snapshot.volumes, {});
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(api.run(plan, null, { signal: controller.signal, ...fast }), (error) => {
    assert.equal(error.cause.kind, "canceled");
    return true;
  });
});

test("bad plans and options are typed errors, never crashes", async () => {
  const api = client();
  assert.throws(() => planDeploy("nope", [], [], {}), (e) => e.code === "invalid_argument");
  assert.throws(() => planDeploy({}, "machines", [], {}), (e) => e.code === "invalid_argument");
  assert.throws(() => planDeploy({}, [], [], { strategy: "yolo" }), (e) => e.code === "invalid_argument");
  assert.throws(() => planDeploy({}, [], [], { nope: 1 }), (e) => e.code === "invalid_argument");
  assert.throws(() => planScaleCount({}, [], [], ["web=x"], {}), (e) => e.code === "plan");
  await assert.rejects(api.run(42), (e) => e.code === "invalid_argument");
  await assert.rejects(api.run({ phases: "x" }), (e) => e.code === "invalid_argument");
  await assert.rejects(api.run({}, 7), (e) => e.code === "invalid_argument");
});

test("only a plan as a planner made it runs: copies, plans read from JSON and changed plans are refused", async () => {
  const api = client();
  await api.createApp({ name: "js-issued", org_slug: "personal" });
  const { config } = validateConfig(flyToml("js-issued", "registry.fly.io/js:v1"));
  const snapshot = await api.snapshot("js-issued");
  const plan = planDeploy(config, snapshot.machines, snapshot.volumes, { appDeployed: snapshot.deployed });
  assert.match(describePlan(plan), /^deploy \(rolling\) of app js-issued:/);
  const refused = (pattern) => (e) => e.code === "invalid_argument" && pattern.test(e.message);
  // Copies look the same but were not made by the planner (a hand-written plan could name any machine to destroy).
  for (const copy of [structuredClone(plan), JSON.parse(JSON.stringify(plan)), { ...plan }]) {
    await assert.rejects(api.run(copy, null, fast), refused(/not a copy or one read from JSON: plan again/));
    assert.throws(() => describePlan(copy), refused(/plan again/));
  }
  // A changed plan is refused, and runs again once it is as it was made.
  const phases = plan.phases;
  plan.phases = [];
  await assert.rejects(api.run(plan, null, fast), refused(/changed after it was made/));
  plan.phases = phases;
  const report = await api.run(plan, null, fast);
  assert.ok(report.outcomes.length > 0);
  assert.ok(report.outcomes.every((o) => o.outcome === "succeeded"));
  // The launch planner's plan runs too (it sits inside the { flyToml, plan } it returns).
  const launch = planLaunch({ app: "js-launched", image: "nginx:1.27", internalPort: 80, region: "syd" });
  assert.match(describePlan(launch.plan), /js-launched/);
});

test("runEvents streams a run's events as an async iterator, and abort cancels", async () => {
  const { runEvents } = await import("../index.js");
  const api = client();
  await api.createApp({ name: "js-stream", org_slug: "personal" });
  const { config } = validateConfig(flyToml("js-stream", "registry.fly.io/js:v1"));
  const snapshot = await api.snapshot("js-stream");
  const run = runEvents(api, planDeploy(config, snapshot.machines, snapshot.volumes, {}), fast);
  const types = [];
  for await (const event of run.events) types.push(event.type);
  assert.equal(types[0], "plan_accepted");
  assert.equal(types.at(-1), "done");
  assert.equal((await run.done).outcomes.length, 2);

  const next = validateConfig(flyToml("js-stream", "registry.fly.io/js:v2")).config;
  const again = await api.snapshot("js-stream");
  const stopped = runEvents(api, planDeploy(next, again.machines, again.volumes, {}), fast);
  for await (const event of stopped.events) {
    if (event.type === "action_started") stopped.abort();
  }
  await assert.rejects(stopped.done, (error) => error.cause.kind === "canceled");
});
