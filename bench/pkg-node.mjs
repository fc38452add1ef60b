// The npm package's size (npm pack: tarball and unpacked), its two wasm builds gzipped (the main entry's and the
// light `flightdeck/config` one's), and import time in Node (a fresh process per sample: import until the module is
// ready, ES module and CommonJS, each entry; the samples of all entries interleaved), and the wall time of
// `flightdeck validate` (the CLI loads the light entry for it). Medians of 11.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("../pkg/", import.meta.url));
const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: pkg, encoding: "utf8" }));
const wasm = (dir) => {
  const bytes = readFileSync(`${pkg}${dir}/flightdeck_bg.wasm`);
  return `${bytes.length} B, ${gzipSync(bytes, { level: 9 }).length} B gzipped`;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const run = (code) =>
  Number(execFileSync(process.execPath, ["--input-type=module", "-e", code], { cwd: pkg, encoding: "utf8" }));
const esm = (file) => `const t = performance.now(); await import("./${file}"); process.stdout.write(String(performance.now() - t));`;
const cjs = (file) =>
  `import { createRequire } from "node:module"; const require = createRequire(import.meta.url + "/../${file}");` +
  ` const t = performance.now(); require("./${file}"); process.stdout.write(String(performance.now() - t));`;
const cases = { "main ESM": esm("index.js"), "main CommonJS": cjs("index.cjs"), "config ESM": esm("config.js"), "config CommonJS": cjs("config.cjs") };
const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (let i = 0; i < 11; i++) for (const [name, code] of Object.entries(cases)) samples[name].push(run(code));
const cli = () => {
  const start = performance.now();
  try {
    execFileSync(process.execPath, ["cli.js", "validate", fileURLToPath(new URL("../../shared/data/flyctl-testdata/full-reference.toml", import.meta.url))], { cwd: pkg, stdio: "pipe" });
  } catch {
    // full-reference.toml has errors on purpose: exit code 1.
  }
  return performance.now() - start;
};
const cliSamples = Array.from({ length: 11 }, cli);
console.log(`npm pack: ${packed.size} B tarball, ${packed.unpackedSize} B unpacked, ${packed.entryCount} files`);
console.log(`wasm: main entry ${wasm("wasm")}; flightdeck/config ${wasm("wasm-config")}`);
console.log(
  `import time (node ${process.version}, median of 11 fresh processes each, interleaved): ` +
    Object.entries(samples).map(([name, xs]) => `${name} ${median(xs).toFixed(1)} ms`).join(", "),
);
console.log(`flightdeck validate full-reference.toml, wall time of the process: ${median(cliSamples).toFixed(1)} ms (median of 11)`);
