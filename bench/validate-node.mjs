// Validate flyctl's full-reference.toml in Node: our wasm validateConfig against the JS peer (smol-toml parse + ajv
// with SchemaStore's fly.schema.json), side by side in one process, interleaved samples, medians.
// Run with `node --expose-gc bench/validate-node.mjs`.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";

const pkg = new URL("../pkg/", import.meta.url);
const require = createRequire(new URL("package.json", pkg));
const { parse } = require("smol-toml");
const Ajv = require("ajv");
const { validateConfig } = await import(new URL("index.js", pkg));

const shared = new URL("../../shared/data/", import.meta.url);
const source = readFileSync(new URL("flyctl-testdata/full-reference.toml", shared), "utf8");
const schema = JSON.parse(readFileSync(new URL("fly.schema.json", shared), "utf8"));
const ajv = new Ajv({ allErrors: true, strict: false });
const check = ajv.compile(schema);

const ours = () => validateConfig(source);
const peer = () => {
  const doc = parse(source);
  check(doc);
  return check.errors;
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

for (let i = 0; i < 300; i++) (ours(), peer()); // warm up both JITs
const oursSamples = [];
const peerSamples = [];
for (let s = 0; s < 31; s++) {
  oursSamples.push(sample(ours, 100));
  peerSamples.push(sample(peer, 100));
}
const [o, p] = [median(oursSamples), median(peerSamples)];
console.log(
  `node ${process.version}: validate full-reference.toml — flightdeck (wasm) ${o.toFixed(1)} µs, ` +
    `smol-toml + ajv ${p.toFixed(1)} µs per call (medians of 31×100); ratio ${(o / p).toFixed(2)}× the JS peer`,
);
