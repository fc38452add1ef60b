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
