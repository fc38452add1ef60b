// Nothing exported may panic: every export gets malformed and hostile values (wrong types, huge strings, NaN,
// deeply nested objects, cycles, getters that throw) and must return a value or throw a FlightdeckError with a
// code — never a wasm trap (a RuntimeError), which would also leave the module unusable.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as flightdeck from "../index.js";
import * as light from "../config.js";

const deep = (n) => {
  let value = {};
  for (let i = 0; i < n; i++) value = { a: value };
  return value;
};
const cyclic = () => {
  const value = { a: 1 };
  value.self = value;
  return value;
};
const throwing = () => ({
  get app() {
    throw new Error("getter says no");
  },
});
const HOSTILE = [
  undefined,
  null,
  NaN,
  Infinity,
  -1,
  2 ** 53,
  0.5,
  true,
  "",
  "x".repeat(2_000_000),
  "\u0000\ud800",
  Symbol("s"),
  10n,
  () => 1,
  [],
  [1, "two", null],
  {},
  { phases: "x", app: 7 },
  deep(5_000),
  cyclic(),
  throwing(),
  new Uint8Array(8),
  new Date(0),
  { machines: [{ id: 1, config: { image: [] } }] },
];

function check(name, call) {
  let result;
  try {
    result = call();
  } catch (error) {
    assert.ok(error instanceof Error, `${name} threw a non-Error: ${String(error)}`);
    assert.notEqual(error.constructor.name, "RuntimeError", `${name} trapped: ${error.message}`);
    assert.equal(error.name, "FlightdeckError", `${name} threw ${error.name}: ${error.message}`);
    assert.equal(typeof error.code, "string");
    return null;
  }
  return result;
}

// Classes, which the language refuses to call without `new`: MachinesClient is exercised below, and FlightdeckError
// is the class these checks expect.
const CLASSES = ["MachinesClient", "FlightdeckError"];
const functions = (entry) => Object.entries(entry).filter(([name, f]) => typeof f === "function" && !CLASSES.includes(name));

// Both entries: the light one is a separate WebAssembly build of the same exports.
for (const [entryName, entry] of [["flightdeck", flightdeck], ["flightdeck/config", light]]) {
  test(`${entryName}: every exported function survives hostile arguments in every position`, () => {
    for (const [name, fn] of functions(entry)) {
      for (let position = 0; position < Math.max(fn.length, 1); position++) {
        for (const value of HOSTILE) {
          const args = Array.from({ length: Math.max(fn.length, 1) }, () => ({}));
          args[position] = value;
          check(`${name}(arg ${position} = ${typeof value})`, () => fn(...args));
        }
      }
    }
    // Still alive: a trap would have poisoned the module.
    assert.equal(entry.validateConfig("app = 'still-alive'").ok, true);
  });
}

test("the client's constructor and methods survive hostile arguments", async () => {
  for (const value of HOSTILE) {
    check(`new MachinesClient(${typeof value})`, () => new flightdeck.MachinesClient(value));
  }
  // Port 9 (discard) on loopback: nothing answers, so calls that get past argument checks fail as transport errors.
  const api = new flightdeck.MachinesClient({ baseUrl: "http://127.0.0.1:9", token: "t" });
  const methods = Object.getOwnPropertyNames(flightdeck.MachinesClient.prototype).filter(
    (name) => name !== "constructor" && !name.startsWith("__") && name !== "free" && typeof api[name] === "function",
  );
  for (const method of methods) {
    for (const value of HOSTILE) {
      const args = [value, value, value];
      let settled;
      try {
        settled = await api[method](...args).then(
          () => null,
          (error) => error,
        );
      } catch (error) {
        settled = error;
      }
      if (settled) {
        assert.notEqual(settled.constructor.name, "RuntimeError", `${method} trapped: ${settled.message}`);
        assert.equal(settled.name, "FlightdeckError", `${method}(${typeof value}) rejected with ${settled.name}: ${settled.message}`);
      }
    }
  }
  assert.equal(flightdeck.validateConfig("app = 'still-alive'").ok, true);
});

// Counts no app could hold: each once built actions until wasm memory ran out (a trap after seconds, the module
// poisoned), and a huge `+N` wrapped around to a plan destroying the whole group. Now a `plan` error.
test("scale plans refuse counts beyond the per-group cap instead of trapping or wrapping around", () => {
  const { config } = flightdeck.validateConfig("app = 'x'\nprimary_region = 'iad'\n[build]\nimage = 'nginx'\n");
  const machines = [0, 1].map((i) => ({
    id: `m${i}`,
    name: `app-${i}`,
    state: "started",
    region: "iad",
    config: { image: "nginx", metadata: { fly_platform_version: "v2", fly_process_group: "app" } },
  }));
  const refused = (name, call) =>
    assert.throws(call, (error) => error.name === "FlightdeckError" && error.code === "plan" && /at most 10000/.test(error.message), name);
  for (const counts of ["app=100000000", "4294967295", "app=+9223372036854775807", "app=10001"]) {
    refused(counts, () => flightdeck.planScaleCount(config, machines, [], counts));
  }
  refused("grid", () => flightdeck.planScaleRegions(config, machines, [], { app: { fra: 4_000_000_000, syd: 4_000_000_000 } }));
  const plan = flightdeck.planScaleCount(config, machines, [], "app=+3", { maxPerRegion: 2 ** 32 - 1 });
  assert.equal(plan.expected_counts.app, 5);
  assert.equal(flightdeck.validateConfig("app = 'still-alive'").ok, true);
});
