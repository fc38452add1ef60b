#!/usr/bin/env node
// `flightdeck`: a flyctl-like command line over the package (validate, config, deploy, scale, machine, secrets,
// apps restart, launch). Every command plans first (the core's planners), shows the plan, asks before destroying or
// scaling down (`--yes` skips the question; without a terminal it never waits and refuses instead), then runs it
// through the engine and prints flyctl-style lines as events arrive. `--json` prints one JSON document instead.
//
// Environment: FLY_API_TOKEN, FLAPS_BASE_URL (default https://api.machines.dev; the local server's URL for the
// emulator), FLY_APP (or -a). Exit codes: 0 done, 1 failed (or invalid fly.toml), 2 usage error.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";

// The package entry the command needs, loaded in main: the light fly.toml-only build for `validate`, `config` and
// `version` (about half the WebAssembly to load and compile), the main entry for everything else.
const LIGHT_COMMANDS = new Set(["validate", "config", "version"]);
/** @type {typeof import("./index.js")} */
let core;

const usage = () => `flightdeck ${core.version()} — Fly.io apps on Machines

Usage:
  flightdeck validate [FILE] [--json]
  flightdeck config machine [--group G] [-c FILE]
  flightdeck deploy [-c FILE] [-a APP] [--strategy rolling|immediate|canary|bluegreen] [--image IMG]
                    [--max-unavailable N] [--start-stopped] [--detach] [--dry-run] [--yes]
                    [--ha=false] [--update-only] [--skip-release-command] [--max-concurrent N]
                    [--wait-timeout 5m0s] [--release-command-timeout 5m0s]
  flightdeck scale count COUNT... [--region a,b] [--max-per-region N] [-a APP] [-c FILE] [--yes]
  flightdeck scale vm SIZE [--memory MB] [-g GROUP]      flightdeck scale memory MB [-g GROUP]
  flightdeck scale show [-a APP]
  flightdeck machine list | status ID [-d] | stop ID... [--signal S] | start ID... | restart ID... | remove ID... [--force]
                   | clone ID [--region R] [--group G] [--name N] [--clear-cmd] [--override-cmd CMD]
                     [--clear-auto-destroy] [--attach-volume VOL]
                   | update ID [--memory MB] [--cpus N] [--cpu-kind K] [--env K=V]... [--metadata K=V]... [--image IMG]
  flightdeck secrets list | set NAME=VALUE... [--stage] | unset NAME... [--stage]
  flightdeck apps restart
  flightdeck status [-a APP]
  flightdeck launch --image IMG --internal-port N [-a NAME] [--region R] [--vm-size S] [--org ORG] [--single-machine]

Every command takes --json (one JSON document on stdout) and --yes (no questions). Commands that change machines
take --smoke-window SECONDS: how long a started machine must stay up to count as not crashing (10; 0 skips it).
Environment: FLY_API_TOKEN, FLAPS_BASE_URL (default https://api.machines.dev), FLY_APP.`;

const OPTIONS = {
  app: { type: "string", short: "a" },
  config: { type: "string", short: "c" },
  json: { type: "boolean" },
  yes: { type: "boolean", short: "y" },
  help: { type: "boolean", short: "h" },
  group: { type: "string", short: "g" },
  strategy: { type: "string" },
  image: { type: "string", short: "i" },
  "max-unavailable": { type: "string" },
  "start-stopped": { type: "boolean" },
  ha: { type: "string" },
  "update-only": { type: "boolean" },
  "skip-release-command": { type: "boolean" },
  "max-concurrent": { type: "string" },
  "wait-timeout": { type: "string" },
  "release-command-timeout": { type: "string" },
  detach: { type: "boolean" },
  "dry-run": { type: "boolean" },
  region: { type: "string", short: "r" },
  "max-per-region": { type: "string" },
  memory: { type: "string" },
  cpus: { type: "string" },
  "cpu-kind": { type: "string" },
  signal: { type: "string", short: "s" },
  force: { type: "boolean", short: "f" },
  name: { type: "string" },
  "clear-cmd": { type: "boolean" },
  "override-cmd": { type: "string" },
  "clear-auto-destroy": { type: "boolean" },
  "attach-volume": { type: "string" },
  env: { type: "string", short: "e", multiple: true },
  metadata: { type: "string", short: "m", multiple: true },
  stage: { type: "boolean" },
  "internal-port": { type: "string" },
  "vm-size": { type: "string" },
  org: { type: "string", short: "o" },
  "single-machine": { type: "boolean" },
  "smoke-window": { type: "string" },
  "display-config": { type: "boolean", short: "d" },
};

/** A mistake in how the command was called: exit 2 with the message. */
class UsageError extends Error {}

/** Output that respects --json: human lines go to stderr when JSON goes to stdout. */
function makeOutput(json) {
  return {
    json,
    line: (text) => (json ? process.stderr : process.stdout).write(`${text}\n`),
    result: (value) => {
      if (json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
  };
}

/** `--ha=false` as flyctl takes it: true or false. */
function flag(text, name) {
  if (text === "true" || text === "false") return text === "true";
  throw new UsageError(`${name} ${JSON.stringify(text)}: true or false (--ha=false)`);
}

/** A Go duration as flyctl's flags take them ("5m0s", "90s", "1h30m") or whole seconds, as whole seconds (≥ 1). */
function seconds(text, name) {
  const units = { ns: 1e-9, us: 1e-6, "µs": 1e-6, "μs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  // Go's number grammar: digits with an optional fraction, or a fraction alone ("1.5m", "5.s", ".5m").
  const parts = /^\d+$/.test(text) ? [[text, text, "s"]] : [...text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)];
  const total = parts.reduce((sum, [, n, unit]) => sum + Number(n) * units[unit], 0);
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text || !(total >= 1) || total > 86_400) {
    throw new UsageError(`${name} ${JSON.stringify(text)}: a duration from 1s to 24h, like 5m0s or 90s`);
  }
  return Math.ceil(total);
}

function positiveNumber(text, flag) {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${flag} must be a positive number, not ${JSON.stringify(text)}`);
  return value;
}

function pairs(list = [], flag) {
  const out = {};
  for (const item of list) {
    const at = item.indexOf("=");
    if (at <= 0) throw new UsageError(`${flag} takes KEY=VALUE, not ${JSON.stringify(item)}`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}

function readConfig(path, out) {
  const file = path ?? "fly.toml";
  if (!existsSync(file)) throw new UsageError(`no ${file} here: pass -c FILE`);
  const source = readFileSync(file, "utf8");
  const report = core.validateConfig(source);
  if (!report.ok) {
    out.line(core.renderDiagnostics(source, file));
    const error = new Error(`${file} has errors`);
    error.exitCode = 1;
    throw error;
  }
  return report;
}

function appName(values, config) {
  const app = values.app || process.env.FLY_APP || config?.app;
  if (!app) throw new UsageError("which app? pass -a APP, set FLY_APP, or run where fly.toml names it");
  return app;
}

function client() {
  const token = process.env.FLY_API_TOKEN;
  if (!token) throw new UsageError("set FLY_API_TOKEN (for the local emulator: the token flightdeck-server prints)");
  return new core.MachinesClient({ baseUrl: process.env.FLAPS_BASE_URL ?? "https://api.machines.dev", token });
}

const actionsOf = (plan) => plan.phases.flatMap((phase) => phase.pools.flatMap((pool) => pool.actions));

/** Plans that destroy or replace machines, or scale down, need a yes. */
function needsConfirmation(plan) {
  return actionsOf(plan).some((a) => a.action === "destroy" || (a.action === "update" && a.replace));
}

async function confirm(plan, values, out, question) {
  if (values.yes || !needsConfirmation(plan)) return true;
  if (!process.stdin.isTTY) {
    throw new UsageError(`${question} — this removes machines; without a terminal, pass --yes to go ahead`);
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`? ${question} (y/N) `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Shows the plan, asks when needed, runs it with progress lines; --dry-run stops after showing it. */
async function execute(api, plan, values, out, question) {
  if (!out.json) out.line(core.describePlan(plan).trimEnd());
  if (values["dry-run"]) {
    out.result({ plan });
    return 0;
  }
  if (actionsOf(plan).length === 0) {
    out.result({ plan, report: { outcomes: [], created: {} } });
    return 0;
  }
  if (!(await confirm(plan, values, out, question))) {
    out.line("cancelled: nothing was changed");
    out.result({ plan, cancelled: true });
    return 1;
  }
  const controller = new AbortController();
  const interrupt = () => {
    out.line("interrupted: finishing steps in flight, then releasing leases");
    controller.abort();
  };
  process.once("SIGINT", interrupt);
  try {
    const runOptions = { signal: controller.signal };
    if (values["smoke-window"] !== undefined) {
      const seconds = Number(values["smoke-window"]);
      if (!Number.isFinite(seconds) || seconds < 0) throw new UsageError("--smoke-window takes seconds (0 or more)");
      runOptions.smokeWindowMs = Math.round(seconds * 1000);
    }
    const report = await api.run(plan, (event) => {
      const line = core.eventLine(event);
      if (line !== null && line !== undefined) out.line(line);
    }, runOptions);
    out.result({ plan, report });
    return 0;
  } catch (error) {
    out.result({ plan, error: { message: error.message, code: error.code, cause: error.cause }, report: error.report });
    if (!out.json) out.line(`Error: ${error.message}`);
    return 1;
  } finally {
    process.off("SIGINT", interrupt);
  }
}

async function validate(positionals, values, out) {
  const file = positionals[0] ?? values.config ?? "fly.toml";
  if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
  const source = readFileSync(file, "utf8");
  const report = core.validateConfig(source);
  if (out.json) out.result({ ok: report.ok, diagnostics: report.diagnostics });
  else if (report.diagnostics.length === 0) out.line(`✔ ${file} is valid`);
  else out.line(core.renderDiagnostics(source, file).trimEnd());
  return report.ok ? 0 : 1;
}

async function configMachine(values, out) {
  const report = readConfig(values.config, out);
  const group = values.group ?? report.defaultGroup;
  const machine = core.machineConfigFor(report.config, group);
  out.json ? out.result(machine) : out.line(JSON.stringify(machine, null, 2));
  return 0;
}

async function deploy(values, out) {
  const report = readConfig(values.config, out);
  const app = appName(values, report.config);
  const api = client();
  const snapshot = await api.snapshot(app);
  const options = { app, appDeployed: snapshot.deployed };
  if (values.strategy) options.strategy = values.strategy;
  if (values.image) options.image = values.image;
  if (values["max-unavailable"]) options.maxUnavailable = positiveNumber(values["max-unavailable"], "--max-unavailable");
  if (values["start-stopped"]) options.startStopped = true;
  if (values.detach) options.detach = true;
  if (values.ha !== undefined) options.ha = flag(values.ha, "--ha");
  if (values["update-only"]) options.updateOnly = true;
  if (values["skip-release-command"]) options.skipReleaseCommand = true;
  if (values["max-concurrent"]) options.maxConcurrent = positiveNumber(values["max-concurrent"], "--max-concurrent");
  if (values["wait-timeout"]) options.waitTimeoutSecs = seconds(values["wait-timeout"], "--wait-timeout");
  if (values["release-command-timeout"]) {
    options.releaseCommandTimeoutSecs = seconds(values["release-command-timeout"], "--release-command-timeout");
  }
  const plan = core.planDeploy(report.config, snapshot.machines, snapshot.volumes, options);
  return execute(api, plan, values, out, `Deploy ${app}?`);
}

/** flyctl's temporary machines (the core's RESERVED_GROUPS), which `status` and `scale show` leave out as flyctl does. */
const TEMPORARY_GROUPS = new Set(["fly_app_release_command", "fly_app_console", "fly_app_test_machine_command"]);

/** A machine's process group, `app` when it names none (as the core's `group_of`). */
const groupOf = (m) => m.config?.metadata?.fly_process_group || "app";

/** The machines `fly status` and `fly scale show` list: not destroyed or destroying, not flyctl's temporary ones. */
const liveMachines = (machines) =>
  machines.filter((m) => m.state !== "destroyed" && m.state !== "destroying" && !TEMPORARY_GROUPS.has(groupOf(m)));

/**
 * `fly scale show`: the app's live machines by process group and size, with the regions they run in. JSON in
 * flyctl's shape: `[{ Process, Count, CPUKind, CPUs, Memory, Regions: { iad: 2 } }]`.
 */
function scaleShow(app, machines, out) {
  const rows = new Map();
  for (const m of liveMachines(machines)) {
    const guest = m.config?.guest ?? {};
    const row = { Process: groupOf(m), Count: 0, CPUKind: guest.cpu_kind ?? "", CPUs: guest.cpus ?? 0, Memory: guest.memory_mb ?? 0, Regions: {} };
    const key = JSON.stringify([row.Process, row.CPUKind, row.CPUs, row.Memory]);
    const shown = rows.get(key) ?? rows.set(key, row).get(key);
    shown.Count += 1;
    shown.Regions[m.region] = (shown.Regions[m.region] ?? 0) + 1;
  }
  const groups = [...rows.values()].sort((a, b) => a.Process.localeCompare(b.Process) || b.Count - a.Count);
  for (const g of groups) g.Regions = Object.fromEntries(Object.entries(g.Regions).sort(([a], [b]) => a.localeCompare(b)));
  if (out.json) {
    out.result(groups);
    return 0;
  }
  const regions = (g) => Object.entries(g.Regions).map(([r, n]) => (n > 1 ? `${r}(${n})` : r)).join(",");
  out.line(`VM Resources for app: ${app}\n\nGroups`);
  out.line(table(["NAME", "COUNT", "KIND", "CPUS", "MEMORY", "REGIONS"],
    groups.map((g) => [g.Process, g.Count, g.CPUKind, g.CPUs, `${g.Memory} MB`, regions(g)])));
  return 0;
}

async function scale(positionals, values, out) {
  const [what, ...rest] = positionals;
  if (what === "show") {
    const local = values.config !== undefined || existsSync("fly.toml") ? readConfig(values.config, out).config : null;
    const app = appName(values, local);
    return scaleShow(app, await client().listMachines(app), out);
  }
  // Like flyctl, scale needs no fly.toml: without one (and without -c), the config the app's machines describe.
  const local = values.config !== undefined || existsSync("fly.toml") ? readConfig(values.config, out).config : null;
  const app = appName(values, local);
  const api = client();
  const snapshot = await api.snapshot(app);
  const report = { config: local ?? core.configFromMachines(app, snapshot.machines) };
  let plan;
  if (what === "count") {
    if (rest.length === 0) throw new UsageError("scale count needs counts: 3, +1, web=3 worker=10");
    const options = { app };
    if (values.region) options.regions = values.region.split(",").map((r) => r.trim()).filter(Boolean);
    if (values["max-per-region"]) options.maxPerRegion = positiveNumber(values["max-per-region"], "--max-per-region");
    plan = core.planScaleCount(report.config, snapshot.machines, snapshot.volumes, rest, options);
  } else if (what === "vm" || what === "memory") {
    const options = { app };
    if (what === "vm") {
      if (!rest[0]) throw new UsageError("scale vm needs a size, e.g. shared-cpu-2x");
      options.size = rest[0];
    }
    const memory = what === "memory" ? rest[0] : values.memory;
    if (memory) options.memoryMb = positiveNumber(memory, "memory");
    if (what === "memory" && !memory) throw new UsageError("scale memory needs megabytes, e.g. 1024");
    if (values.group) options.group = values.group;
    plan = core.planScaleVm(report.config, snapshot.machines, options);
  } else {
    throw new UsageError("scale count | vm | memory | show");
  }
  return execute(api, plan, values, out, `Scale app ${app}?`);
}

/** Columns padded to their widest cell, two spaces apart. */
function table(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? "").length)));
  return [head, ...rows].map((r) => r.map((c, i) => String(c ?? "").padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

const checksSummary = (m) =>
  m.checks?.length ? `${m.checks.filter((c) => c.status === "passing").length}/${m.checks.length}` : "";

/** A machine's size as `fly machine list` writes it: `shared-cpu-1x:1024MB`, `performance-2x:4096MB`. */
function sizeLabel(guest) {
  if (!guest?.cpus) return "";
  const preset = guest.cpu_kind === "performance" ? `performance-${guest.cpus}x` : `shared-cpu-${guest.cpus}x`;
  return `${preset}:${guest.memory_mb}MB`;
}

/** `fly machine list`'s columns (without IP addresses and roles), times as the API gives them. */
function machineTable(machines) {
  const rows = machines.map((m) => [
    m.id,
    m.name,
    m.state,
    checksSummary(m),
    m.region,
    m.config?.metadata?.fly_process_group ?? "",
    m.config?.image ?? "",
    m.config?.mounts?.[0]?.volume ?? "",
    sizeLabel(m.config?.guest),
    m.created_at ?? "",
    m.updated_at ?? "",
  ]);
  return table(["ID", "NAME", "STATE", "CHECKS", "REGION", "GROUP", "IMAGE", "VOLUME", "SIZE", "CREATED", "LAST UPDATED"], rows);
}

/** "12s ago", "5m ago", "3h ago", "2d ago" (a time that does not parse is shown as it came). */
function relativeTime(iso, now = Date.now()) {
  const at = Date.parse(iso ?? "");
  if (Number.isNaN(at)) return iso ?? "";
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86400)}d ago`;
}

const jsonList = (list) => (list?.length ? JSON.stringify(list) : "");

/** One machine as `fly machine status` shows it: its VM, its checks and its event log. */
function machineStatus(m) {
  const config = m.config ?? {};
  const guest = config.guest ?? {};
  const ref = m.image_ref?.repository ? `${m.image_ref.repository}:${m.image_ref.tag}` : (config.image ?? "");
  const version = m.image_ref?.labels?.["fly.version"];
  const vm = [
    ["ID", m.id],
    ["Instance ID", m.instance_id],
    ["State", m.state],
    ["Image", version ? `${ref} (${version})` : ref],
    ["Name", m.name],
    ["Private IP", m.private_ip],
    ["Region", m.region],
    ["Process Group", config.metadata?.fly_process_group ?? ""],
    ["CPU Kind", guest.cpu_kind ?? ""],
    ["vCPUs", guest.cpus ?? ""],
    ["Memory", guest.memory_mb ?? ""],
    ["Created", m.created_at ?? ""],
    ["Updated", m.updated_at ?? ""],
    ["Entrypoint", jsonList(config.init?.entrypoint)],
    ["Command", jsonList(config.init?.cmd)],
  ];
  if (config.mounts?.length) vm.push(["Volume", config.mounts[0].volume ?? ""]);
  const width = Math.max(...vm.map(([key]) => key.length));
  const lines = [
    `Machine ID: ${m.id}`,
    `Instance ID: ${m.instance_id}`,
    `State: ${m.state}`,
    `HostStatus: ${m.host_status ?? ""}`,
    "",
    "VM",
    ...vm.map(([key, value]) => `  ${key.padEnd(width)} = ${value}`),
    "",
  ];
  if (m.checks?.length) {
    const rows = m.checks.map((c) => [c.name, c.status, relativeTime(c.updated_at), c.output]);
    lines.push(`Checks [${checksSummary(m)}]`, table(["NAME", "STATUS", "LAST UPDATED", "OUTPUT"], rows), "");
  }
  const events = (m.events ?? []).map((e) => {
    const exit = e.request?.exit_event ?? e.request?.MonitorEvent?.exit_event;
    const info = exit
      ? `exit_code=${exit.exit_code ?? 0},oom_killed=${exit.oom_killed ?? false},requested_stop=${exit.requested_stop ?? false}`
      : "";
    return [e.status, e.type, e.source, new Date(e.timestamp).toISOString(), info];
  });
  lines.push("Event Logs", table(["STATE", "EVENT", "SOURCE", "TIMESTAMP", "INFO"], events));
  return lines.join("\n");
}

async function machine(positionals, values, out) {
  const [what, id, ...more] = positionals;
  const app = appName(values, existsSync(values.config ?? "fly.toml") ? readConfig(values.config, out).config : null);
  const api = client();
  if (what === "list") {
    const machines = await api.listMachines(app);
    out.json ? out.result(machines) : out.line(machines.length ? machineTable(machines) : `app ${app} has no machines`);
    return 0;
  }
  if (!id) throw new UsageError(`machine ${what ?? "?"} needs a machine id or name`);
  if (what === "status") {
    const found = await api.getMachine(app, id);
    if (out.json) out.result(values["display-config"] ? found.config : found);
    else out.line(values["display-config"] ? JSON.stringify(found.config ?? null, null, 2) : machineStatus(found));
    return 0;
  }
  const snapshot = await api.snapshot(app);
  let plan;
  if (["stop", "start", "restart", "remove", "destroy", "rm"].includes(what)) {
    // Several machines, as flyctl takes them: `machine stop ID ID...`.
    const targets = more.length ? [id, ...more] : id;
    plan = core.planMachineCommand(app, snapshot.machines, targets, what, { signal: values.signal, force: values.force ?? false });
  } else if (what === "clone") {
    const config = existsSync(values.config ?? "fly.toml") ? readConfig(values.config, out).config : null;
    plan = core.planClone(app, config, snapshot.machines, snapshot.volumes, id, {
      region: values.region,
      group: values.group,
      name: values.name,
      clearCmd: values["clear-cmd"] ?? false,
      overrideCmd: values["override-cmd"],
      clearAutoDestroy: values["clear-auto-destroy"] ?? false,
      attachVolume: values["attach-volume"],
    });
  } else if (what === "update") {
    const options = { env: pairs(values.env, "--env"), metadata: pairs(values.metadata, "--metadata") };
    if (values.memory) options.memoryMb = positiveNumber(values.memory, "--memory");
    if (values.cpus) options.cpus = positiveNumber(values.cpus, "--cpus");
    if (values["cpu-kind"]) options.cpuKind = values["cpu-kind"];
    if (values.image) options.image = values.image;
    plan = core.planMachineUpdate(app, snapshot.machines, id, options);
  } else {
    throw new UsageError("machine list | status | stop | start | restart | remove | clone | update");
  }
  return execute(api, plan, values, out, `Go ahead with machine ${what} on ${[id, ...more].join(", ")}?`);
}

async function secrets(positionals, values, out) {
  const [what, ...rest] = positionals;
  const app = appName(values, existsSync(values.config ?? "fly.toml") ? readConfig(values.config, out).config : null);
  const api = client();
  if (what === "list") {
    const list = await api.listSecrets(app);
    if (out.json) out.result(list);
    else out.line(list.length ? list.map((s) => `${s.name}\t${s.digest}`).join("\n") : `app ${app} has no secrets`);
    return 0;
  }
  let values_;
  if (what === "set") {
    if (rest.length === 0) throw new UsageError("secrets set NAME=VALUE...");
    values_ = pairs(rest, "secrets set");
  } else if (what === "unset") {
    if (rest.length === 0) throw new UsageError("secrets unset NAME...");
    values_ = Object.fromEntries(rest.map((name) => [name, null]));
  } else {
    throw new UsageError("secrets list | set | unset");
  }
  const update = await api.updateSecrets(app, values_);
  out.line(`Secrets are now at version ${update.version}`);
  if (values.stage) {
    out.result({ version: update.version, staged: true });
    return 0;
  }
  const snapshot = await api.snapshot(app);
  const plan = core.planSecretsDeploy(app, snapshot.machines, update.version, { detach: values.detach ?? false });
  if (actionsOf(plan).length === 0) {
    // As flyctl: an app without machines gets its secrets with its first deployment.
    out.line("Secrets are staged for the first deployment");
    out.result({ version: update.version, staged: true });
    return 0;
  }
  return execute(api, plan, values, out, `Restart ${app}'s machines with the new secrets?`);
}

/** "1 total, 1 passing" / "2 total, 1 passing, 1 critical", as `fly status` counts a machine's checks. */
function checksCount(checks = []) {
  if (checks.length === 0) return "";
  const by = {};
  for (const c of checks) by[c.status] = (by[c.status] ?? 0) + 1;
  return [`${checks.length} total`, ...["passing", "warning", "critical"].filter((k) => by[k]).map((k) => `${by[k]} ${k}`)].join(", ");
}

/** `fly status`: the app, then its live machines by process group (release and console machines left out). */
async function status(values, out) {
  const local = existsSync(values.config ?? "fly.toml") ? readConfig(values.config, out).config : null;
  const name = appName(values, local);
  const api = client();
  const [app, machines] = await Promise.all([api.getApp(name), api.listMachines(name)]);
  const live = liveMachines(machines).sort((a, b) => groupOf(a).localeCompare(groupOf(b)) || a.id.localeCompare(b.id));
  if (out.json) {
    out.result({ app, machines: live });
    return 0;
  }
  const image = [...new Set(live.map((m) => m.config?.image).filter(Boolean))].join(", ");
  out.line(["App", `  Name     = ${app.name}`, `  Owner    = ${app.organization?.slug ?? ""}`, `  Hostname = ${app.name}.fly.dev`,
    `  Image    = ${image}`, ""].join("\n"));
  if (live.length === 0) {
    out.line("No machines are available on this app");
    return 0;
  }
  out.line(`Machines\n${table(["PROCESS", "ID", "VERSION", "REGION", "STATE", "ROLE", "CHECKS", "LAST UPDATED"],
    live.map((m) => [groupOf(m), m.id, m.config?.metadata?.fly_release_version ?? "",
      m.region, m.state, m.config?.metadata?.role ?? "", checksCount(m.checks), m.updated_at ?? ""]))}`);
  return 0;
}

async function apps(positionals, values, out) {
  if (positionals[0] !== "restart") throw new UsageError("apps restart");
  const app = appName(values, existsSync(values.config ?? "fly.toml") ? readConfig(values.config, out).config : null);
  const api = client();
  const snapshot = await api.snapshot(app);
  return execute(api, core.planAppRestart(app, snapshot.machines), values, out, `Restart ${app}?`);
}

async function launch(values, out) {
  if (!values.image || !values["internal-port"]) throw new UsageError("launch needs --image IMG and --internal-port N");
  const app = values.app || process.env.FLY_APP;
  if (!app) throw new UsageError("launch needs a name: -a NAME");
  if (existsSync("fly.toml") && !values.yes) throw new UsageError("fly.toml exists here; pass --yes to overwrite it");
  const { flyToml, plan } = core.planLaunch({
    app,
    org: values.org ?? "personal",
    image: values.image,
    internalPort: positiveNumber(values["internal-port"], "--internal-port"),
    region: values.region ?? "iad",
    vmSize: values["vm-size"],
    singleMachine: values["single-machine"] ?? false,
  });
  if (!values["dry-run"]) {
    writeFileSync("fly.toml", flyToml);
    out.line("Wrote config file fly.toml");
  }
  return execute(client(), plan, values, out, `Launch ${app}?`);
}

export async function main(argv) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    core ??= await import("./config.js");
    process.stderr.write(`${error.message}\n\n${usage()}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  const light = !command || LIGHT_COMMANDS.has(command);
  // A one-shot validation is over before V8's optimising compiler would pay off, and the process would wait at exit
  // for it to finish its background work: baseline-compiled WebAssembly only (measured: 184 against 310 ms of wall
  // time for `validate`). Set before the module is compiled; the longer commands keep the optimising tier.
  if (light) setFlagsFromString("--liftoff-only");
  core = await import(light ? "./config.js" : "./index.js");
  const out = makeOutput(values.json ?? false);
  if (values.help || !command) {
    process.stdout.write(`${usage()}\n`);
    return command || values.help ? 0 : 2;
  }
  try {
    switch (command) {
      case "validate":
        return await validate(rest, values, out);
      case "config":
        if (rest[0] !== "machine") throw new UsageError("config machine [--group G]");
        return await configMachine(values, out);
      case "deploy":
        return await deploy(values, out);
      case "scale":
        return await scale(rest, values, out);
      case "machine":
      case "machines":
      case "m":
        return await machine(rest, values, out);
      case "secrets":
        return await secrets(rest, values, out);
      case "apps":
        return await apps(rest, values, out);
      case "status":
        return await status(values, out);
      case "launch":
        return await launch(values, out);
      case "version":
        out.json ? out.result({ version: core.version() }) : out.line(core.version());
        return 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`Error: ${error.message}\n`);
      return 2;
    }
    if (out.json) out.result({ error: { message: error.message, code: error.code ?? null, status: error.status ?? null } });
    else process.stderr.write(`Error: ${error.message}\n`);
    return error.exitCode ?? 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
