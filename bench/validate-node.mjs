// Validate flyctl's full-reference.toml in Node: our wasm validateConfig against the JS peer (smol-toml parse + ajv
// with SchemaStore's fly.schema.json), side by side in one process, interleaved samples, medians. Ours three ways: the
// main entry and the light `flightdeck/config` entry reading the diagnostics (the config crosses only when read), and
// the main entry reading the config too (`result.config.app`), which is what the peer's parsed document compares to.
// Run with `node --expose-gc bench/validate-node.mjs`.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";

const pkg = new URL("../pkg/", import.meta.url);
const require = createRequire(new URL("package.json", pkg));
const { parse } = require("smol-toml");
const Ajv = require("ajv");
const { validateConfig } = await import(new URL("index.js", pkg));
const light = await import(new URL("config.js", pkg));

const shared = new URL("../../shared/data/", import.meta.url);
const source = readFileSync(new URL("flyctl-testdata/full-reference.toml", shared), "utf8");
const schema = JSON.parse(readFileSync(new URL("fly.schema.json", shared), "utf8"));
const ajv = new Ajv({ allErrors: true, strict: false });
const check = ajv.compile(schema);

const cases = {
  ours: () => validateConfig(source).diagnostics,
  light: () => light.validateConfig(source).diagnostics,
  oursWithConfig: () => {
    const result = validateConfig(source);
    return [result.diagnostics, result.config.app];
  },
  peer: () => {
    const doc = parse(source);
    check(doc);
    return [doc, check.errors];
  },
};

// Each block starts from a clean heap, so one side's garbage is never collected on the other side's clock.
const collect = globalThis.gc ?? (() => {
  throw new Error("run with node --expose-gc");
});
function sample(fn, iterations) {
  collect();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  return ((performance.now() - start) * 1e3) / iterations; // µs per call
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (let i = 0; i < 300; i++) for (const fn of Object.values(cases)) fn(); // warm up every JIT path
const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (let s = 0; s < 31; s++) for (const [name, fn] of Object.entries(cases)) samples[name].push(sample(fn, 100));
const m = Object.fromEntries(Object.entries(samples).map(([name, xs]) => [name, median(xs)]));
const ratio = (x) => `${x.toFixed(1)} µs (${(x / m.peer).toFixed(2)}×)`;
console.log(
  `node ${process.version}: validate full-reference.toml, medians of 31×100 per call — smol-toml + ajv ${m.peer.toFixed(1)} µs; ` +
    `flightdeck (wasm) diagnostics ${ratio(m.ours)}, light entry ${ratio(m.light)}, diagnostics + config ${ratio(m.oursWithConfig)}`,
);
