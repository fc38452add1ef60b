// The `flightdeck` command line against the emulator over real HTTP, run as users run it (a child process in a
// folder of its own, FLY_API_TOKEN and FLAPS_BASE_URL in its environment, no terminal on stdin).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator } from "./support/emulator.mjs";

const cli = fileURLToPath(new URL("../cli.js", import.meta.url));
let emulator;
let folder;
before(async () => {
  emulator = await startEmulator({ token: "npm-cli-token", args: ["--speed", "50"] });
  folder = mkdtempSync(join(tmpdir(), "flightdeck-cli-"));
});
after(() => emulator?.stop());

// Machines on the emulator start in milliseconds: a short smoke window keeps the suite quick.
const runs = new Set(["launch", "deploy", "scale", "machine", "secrets", "apps"]);

function run(args, { cwd = folder, env = {} } = {}) {
  const extra = runs.has(args[0]) ? ["--smoke-window", "0.2"] : [];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args, ...extra], {
      cwd,
      env: { ...process.env, FLY_API_TOKEN: emulator.token, FLAPS_BASE_URL: emulator.url, FLY_APP: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("validate: exit 0 on a valid file, 1 with the source snippet on errors, JSON positions with --json", async () => {
  writeFileSync(join(folder, "good.toml"), "app = 'x'\nprimary_region = 'syd'\n[http_service]\ninternal_port = 8080\n");
  writeFileSync(join(folder, "bad.toml"), "app = 'x'\n[http_service]\ninternal_port = 'eighty'\n");
  const good = await run(["validate", "good.toml"]);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /good\.toml is valid/);
  const bad = await run(["validate", "bad.toml"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /internal_port = 'eighty'/);
  assert.match(bad.stdout, /\^/);
  const json = await run(["validate", "bad.toml", "--json"]);
  const parsed = JSON.parse(json.stdout);
  assert.equal(parsed.ok, false);
  assert.equal(parsed.diagnostics.find((d) => d.severity === "error").start.line, 3);
});

test("launch writes fly.toml, creates the app and starts its machines; deploy --dry-run changes nothing", async () => {
  const launched = await run(["launch", "--image", "nginx:1.27", "--internal-port", "80", "-a", "cli-app", "--region", "syd"]);
  assert.equal(launched.code, 0, launched.stdout + launched.stderr);
  assert.ok(existsSync(join(folder, "fly.toml")));
  assert.match(readFileSync(join(folder, "fly.toml"), "utf8"), /internal_port = 80/);
  assert.match(launched.stdout, /update finished: success/);
  assert.match(launched.stdout, /^✔ Created app 'cli-app'$/m);
  const machines = JSON.parse((await run(["machine", "list", "--json"])).stdout);
  assert.equal(machines.length, 2);
  assert.ok(machines.every((m) => m.state === "started"));
  // machine list: fly machine list's columns, sizes as flyctl writes them.
  const listed = await run(["machine", "list"]);
  assert.match(listed.stdout, /^ID\s+NAME\s+STATE\s+CHECKS\s+REGION\s+GROUP\s+IMAGE\s+VOLUME\s+SIZE\s+CREATED\s+LAST UPDATED$/m);
  for (const m of machines) {
    assert.match(listed.stdout, new RegExp(`^${m.id}\\s+${m.name}\\s+started\\s+syd\\s+app\\s+nginx:1\\.27\\s+shared-cpu-1x:1024MB\\s+20\\d\\d-`, "m"));
  }
  // status: the app, then its machines by group, as fly status shows them.
  const shown = await run(["status"]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /^ {2}Name {5}= cli-app$/m);
  assert.match(shown.stdout, /^ {2}Image {4}= nginx:1\.27$/m);
  for (const m of machines) assert.match(shown.stdout, new RegExp(`^app\\s+${m.id}\\s+syd\\s+started\\s`, "m"));
  const status = JSON.parse((await run(["status", "--json"])).stdout);
  assert.equal(status.app.name, "cli-app");
  assert.deepEqual(status.machines.map((m) => m.id).sort(), machines.map((m) => m.id).sort());

  const dry = await run(["deploy", "--image", "nginx:1.28", "--dry-run"]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /~ image: "nginx:1.27" → "nginx:1.28"/);
  const after = JSON.parse((await run(["machine", "list", "--json"])).stdout);
  assert.ok(after.every((m) => m.config.image === "nginx:1.27"), "a dry run changes nothing");
  // flyctl's deploy flags: durations as Go writes them, --ha=false.
  const timed = await run(["deploy", "--dry-run", "--json", "--wait-timeout", "1m30s", "--ha=false", "--max-concurrent", "2"]);
  assert.equal(timed.code, 0, timed.stderr);
  assert.equal(JSON.parse(timed.stdout).plan.wait_timeout_secs, 90);
  // Every number form Go's ParseDuration takes: a fraction alone, a trailing dot, both micro signs.
  for (const [text, secs] of [["1.5m", 90], [".5m", 30], ["5.s", 5], ["1500000μs", 2], ["1500000µs", 2]]) {
    const parsed = await run(["deploy", "--dry-run", "--json", "--wait-timeout", text]);
    assert.equal(parsed.code, 0, `${text}: ${parsed.stderr}`);
    assert.equal(JSON.parse(parsed.stdout).plan.wait_timeout_secs, secs, text);
  }
  for (const [args, message] of [[["--wait-timeout", "5x"], /--wait-timeout "5x": a duration from 1s to 24h/],
    [["--wait-timeout", "0s"], /a duration from 1s/], [["--wait-timeout", ".s"], /a duration from 1s/],
    [["--ha=maybe"], /--ha "maybe": true or false/]]) {
    const refused = await run(["deploy", "--dry-run", ...args]);
    assert.equal(refused.code, 2, refused.stdout);
    assert.match(refused.stderr, message);
  }

  const deployed = await run(["deploy", "--image", "nginx:1.28", "--json"]);
  assert.equal(deployed.code, 0, deployed.stderr);
  const result = JSON.parse(deployed.stdout);
  assert.equal(result.report.outcomes.filter((o) => o.outcome === "succeeded").length, 2);
  assert.match(deployed.stderr, /Updating [0-9a-f]{14} \[app\]/, "progress goes to stderr when stdout is JSON");
});

test("scale count asks before scaling down, and without a terminal refuses unless --yes", async () => {
  const up = await run(["scale", "count", "3", "--region", "syd,fra"]);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  let machines = JSON.parse((await run(["machine", "list", "--json"])).stdout);
  assert.equal(machines.length, 3);
  assert.deepEqual(machines.map((m) => m.region).sort(), ["fra", "syd", "syd"]);
  // scale show: machines by group and size, regions as flyctl writes them, JSON in flyctl's shape.
  const shown = await run(["scale", "show"]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /^app\s+3\s+shared\s+1\s+1024 MB\s+fra,syd\(2\)$/m);
  assert.deepEqual(JSON.parse((await run(["scale", "show", "--json"])).stdout),
    [{ Process: "app", Count: 3, CPUKind: "shared", CPUs: 1, Memory: 1024, Regions: { fra: 1, syd: 2 } }]);
  // Several machines at once, as flyctl takes them, one after another.
  const [a, b] = machines;
  const stopped = await run(["machine", "stop", a.id, b.name]);
  assert.equal(stopped.code, 0, stopped.stdout + stopped.stderr);
  assert.match(stopped.stdout, /stop 2 machines/);
  const states = async () => Object.fromEntries(JSON.parse((await run(["machine", "list", "--json"])).stdout).map((m) => [m.id, m.state]));
  let now = await states();
  assert.deepEqual([now[a.id], now[b.id]], ["stopped", "stopped"]);
  assert.equal(Object.values(now).filter((s) => s === "started").length, 1, "the third is left alone");
  const started = await run(["machine", "start", a.id, b.id]);
  assert.equal(started.code, 0, started.stdout + started.stderr);
  now = await states();
  assert.deepEqual([now[a.id], now[b.id]], ["started", "started"]);
  const down = await run(["scale", "count", "1"]);
  assert.equal(down.code, 2);
  assert.match(down.stderr, /pass --yes/);
  assert.equal(JSON.parse((await run(["machine", "list", "--json"])).stdout).length, 3, "nothing removed");
  const yes = await run(["scale", "count", "1", "--region", "syd,fra", "--yes"]);
  assert.equal(yes.code, 0, yes.stdout + yes.stderr);
  machines = JSON.parse((await run(["machine", "list", "--json"])).stdout);
  assert.equal(machines.length, 1);
});

test("scale needs no fly.toml: the app's machines describe its config, as flyctl's remote config does", async () => {
  const empty = mkdtempSync(join(tmpdir(), "flightdeck-cli-empty-"));
  const up = await run(["scale", "count", "2", "-a", "cli-app", "--yes"], { cwd: empty });
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.match(up.stdout, /clone a machine in group app, region \w+ \(shared-cpu-1x, 1024 MB\)/, "launch's size");
  const listed = JSON.parse((await run(["machine", "list", "--json", "-a", "cli-app"], { cwd: empty })).stdout);
  assert.equal(listed.length, 2);
  // The groups are the machines' own: one fly.toml does not name cannot be scaled.
  const unknown = await run(["scale", "count", "worker=1", "-a", "cli-app", "--yes"], { cwd: empty });
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stdout + unknown.stderr, /unknown process group worker; the groups are app/);
  // A fly.toml asked for with -c must be there.
  const missing = await run(["scale", "count", "2", "-a", "cli-app", "-c", "missing.toml"], { cwd: empty });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no missing\.toml here/);
  const down = await run(["scale", "count", "1", "-a", "cli-app", "--yes"], { cwd: empty });
  assert.equal(down.code, 0, down.stdout + down.stderr);
});

test("machine commands by name, secrets and apps restart", async () => {
  const [machine] = JSON.parse((await run(["machine", "list", "--json"])).stdout);
  const stopped = await run(["machine", "stop", machine.name]);
  assert.equal(stopped.code, 0, stopped.stdout + stopped.stderr);
  assert.equal(JSON.parse((await run(["machine", "status", machine.id, "--json"])).stdout).state, "stopped");
  // As flyctl shows it: the VM block, and the event log with the stop's exit.
  const shown = await run(["machine", "status", machine.name]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, new RegExp(`^Machine ID: ${machine.id}$`, "m"));
  assert.match(shown.stdout, /^State: stopped$/m);
  assert.match(shown.stdout, /^VM\n {2}ID {12}= /m);
  assert.match(shown.stdout, /^ {2}Process Group = app$/m);
  assert.match(shown.stdout, /^ {2}Memory {8}= \d+$/m);
  assert.match(shown.stdout, /^Event Logs\nSTATE +EVENT +SOURCE +TIMESTAMP +INFO$/m);
  assert.match(shown.stdout, /^stopped +exit +flyd +\S+Z +exit_code=0,oom_killed=false,requested_stop=true$/m);
  assert.match(shown.stdout, /^created +launch +user /m);
  const config = JSON.parse((await run(["machine", "status", machine.id, "-d"])).stdout);
  assert.equal(config.image, machine.config.image, "-d prints the machine's config as JSON");
  const started = await run(["machine", "start", machine.name]);
  assert.equal(started.code, 0, started.stdout + started.stderr);
  const restarted = await run(["machine", "restart", machine.name]);
  assert.equal(restarted.code, 0, restarted.stdout + restarted.stderr);
  assert.match(restarted.stdout, /restart machine [0-9a-f]{14}/);
  assert.equal(JSON.parse((await run(["machine", "status", machine.id, "--json"])).stdout).state, "started");
  const events = JSON.parse((await run(["machine", "status", machine.id, "--json"])).stdout).events ?? [];
  assert.deepEqual(events.slice(0, 3).map((e) => `${e.type}/${e.status}`), ["start/started", "exit/stopped", "restart/stopping"]);
  const updated = await run(["machine", "update", machine.id, "--memory", "512", "--env", "MODE=fast", "--yes"]);
  assert.equal(updated.code, 0, updated.stdout + updated.stderr);
  const status = JSON.parse((await run(["machine", "status", machine.id, "--json"])).stdout);
  assert.equal(status.config.guest.memory_mb, 512);
  assert.equal(status.config.env.MODE, "fast");

  const set = await run(["secrets", "set", "API_KEY=hunter2"]);
  assert.equal(set.code, 0, set.stdout + set.stderr);
  assert.match(set.stdout, /version 1/);
  const list = await run(["secrets", "list"]);
  assert.match(list.stdout, /^API_KEY\t\S+/m);
  assert.doesNotMatch(list.stdout, /hunter2/, "values are never shown");
  const restart = await run(["apps", "restart"]);
  assert.equal(restart.code, 0, restart.stdout + restart.stderr);
  assert.match(restart.stdout, /restart/);
  const removed = await run(["machine", "remove", machine.id]);
  assert.equal(removed.code, 1, "a started machine needs --force");
  assert.match(removed.stderr, /stop it first or remove it with force/);
});

test("secrets set on an app without machines stages them for its first deployment", async () => {
  const seeded = await fetch(`${emulator.url}/__emulator/seed`, {
    method: "POST",
    headers: { authorization: `Bearer ${emulator.token}`, "content-type": "application/json" },
    body: JSON.stringify({ apps: [{ name: "cli-empty", machines: [] }] }),
  });
  assert.equal(seeded.status, 201);
  const empty = mkdtempSync(join(tmpdir(), "flightdeck-cli-secrets-"));
  const set = await run(["secrets", "set", "TOKEN=abc", "-a", "cli-empty"], { cwd: empty });
  assert.equal(set.code, 0, set.stdout + set.stderr);
  assert.match(set.stdout, /^Secrets are staged for the first deployment$/m);
  const json = await run(["secrets", "set", "OTHER=1", "-a", "cli-empty", "--json"], { cwd: empty });
  assert.deepEqual(JSON.parse(json.stdout), { version: 2, staged: true });
});

test("usage mistakes exit 2 with a sentence", async () => {
  for (const args of [["frobnicate"], ["deploy", "--strategy"], ["scale"], ["machine", "stop"], ["launch"]]) {
    const result = await run(args);
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stdout}${result.stderr}`);
    assert.ok(result.stderr.length > 0);
  }
  const missingToken = await run(["machine", "list", "-a", "cli-app"], { env: { FLY_API_TOKEN: "" } });
  assert.equal(missingToken.code, 2);
  assert.match(missingToken.stderr, /FLY_API_TOKEN/);
  const help = await run(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /flightdeck deploy/);
});
