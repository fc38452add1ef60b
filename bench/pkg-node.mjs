// The npm package's size (npm pack: tarball and unpacked), its wasm gzipped, and import time in Node (a fresh process
// per sample: `import("flightdeck")` until the module is ready, ES module and CommonJS entries). Medians of 11.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("../pkg/", import.meta.url));
const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: pkg, encoding: "utf8" }));
const wasm = readFileSync(`${pkg}wasm/flightdeck_bg.wasm`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (code) =>
  median(
    Array.from({ length: 11 }, () =>
      Number(execFileSync(process.execPath, ["--input-type=module", "-e", code], { cwd: pkg, encoding: "utf8" })),
    ),
  );
const esm = time(`const t = performance.now(); await import("./index.js"); process.stdout.write(String(performance.now() - t));`);
const cjs = time(
  `import { createRequire } from "node:module"; const require = createRequire(import.meta.url + "/../index.cjs");` +
    ` const t = performance.now(); require("./index.cjs"); process.stdout.write(String(performance.now() - t));`,
);
console.log(
  `npm pack: ${packed.size} B tarball, ${packed.unpackedSize} B unpacked, ${packed.entryCount} files; ` +
    `wasm ${wasm.length} B, ${gzipSync(wasm, { level: 9 }).length} B gzipped; ` +
    `import time (node ${process.version}, median of 11 fresh processes): ESM ${esm.toFixed(1)} ms, CommonJS ${cjs.toFixed(1)} ms`,
);
