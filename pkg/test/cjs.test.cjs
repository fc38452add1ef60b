// The CommonJS entry: `require("flightdeck")` loads synchronously and exports what the ES module entry does.
"use strict";
const { test } = require("node:test");
const assert = require("node:assert/strict");
const flightdeck = require("../index.cjs");

test("require() gives the same exports as import, and they work", async () => {
  const esm = await import("../index.js");
  for (const name of Object.keys(esm)) {
    assert.equal(typeof flightdeck[name], typeof esm[name], `${name} is exported the same way`);
  }
  const report = flightdeck.validateConfig("app = 'cjs'\n[http_service]\ninternal_port = 'x'\n");
  assert.equal(report.ok, false);
  assert.equal(report.diagnostics.find((d) => d.severity === "error").start.line, 3);
  assert.throws(() => flightdeck.planDeploy(1, [], [], {}), (e) => e.name === "FlightdeckError" && e.code === "invalid_argument");
});

test("the CommonJS entry has the stream helper too", () => {
  assert.equal(typeof flightdeck.runEvents, "function");
});

test("FlightdeckError is one class whichever entry made the error and whichever the caller imported", async () => {
  const esm = await import("../index.js");
  assert.equal(flightdeck.FlightdeckError, esm.FlightdeckError);
  const fromCjs = (() => { try { flightdeck.validateConfig(1); } catch (e) { return e; } })();
  const fromEsm = (() => { try { esm.validateConfig(1); } catch (e) { return e; } })();
  for (const error of [fromCjs, fromEsm]) {
    assert.ok(error instanceof flightdeck.FlightdeckError);
    assert.ok(error instanceof esm.FlightdeckError);
    assert.equal(error.code, "invalid_argument");
  }
  assert.throws(() => flightdeck.runEvents(null, {}), flightdeck.FlightdeckError);
});

test("require('flightdeck/config') loads the light build synchronously, and its errors are the same class", async () => {
  const light = require("../config.cjs");
  assert.equal(light.planDeploy, undefined, "no planners in the light entry");
  const report = light.validateConfig("app = 'cjs'\n[http_service]\ninternal_port = 'x'\n");
  assert.equal(report.ok, false);
  assert.equal(report.diagnostics.find((d) => d.severity === "error").start.line, 3);
  assert.deepEqual(report, flightdeck.validateConfig("app = 'cjs'\n[http_service]\ninternal_port = 'x'\n"));
  assert.throws(() => light.toToml(1), (e) => e instanceof flightdeck.FlightdeckError && e.code === "invalid_argument");
  assert.equal(light.FlightdeckError, (await import("../config.js")).FlightdeckError);
});
