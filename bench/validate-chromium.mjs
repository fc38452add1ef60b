// Validate a 300-line fly.toml in headless Chromium (Debian's, through playwright-core): the npm package's web
// build served from loopback; the page times validateConfig and reports the median per call, reading the diagnostics
// only (an editor's use: the config crosses when read) and reading the config too, interleaved.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { config300 } from "./config-300.mjs";

const pkg = new URL("../pkg/", import.meta.url);
const { chromium } = createRequire(new URL("package.json", pkg))("playwright-core");
const types = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
const page = `<!doctype html><script type="module">
  import init, { validateConfig } from "/wasm/flightdeck.js";
  await init({ module_or_path: "/wasm/flightdeck_bg.wasm" });
  const source = ${JSON.stringify(config300())};
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const first = validateConfig(source);
  const diagnosticsOnly = () => validateConfig(source).diagnostics;
  const withConfig = () => validateConfig(source).config.app;
  for (let i = 0; i < 200; i++) (diagnosticsOnly(), withConfig());
  const samples = { diagnosticsOnly: [], withConfig: [] };
  for (let s = 0; s < 31; s++) {
    for (const [name, fn] of [["diagnosticsOnly", diagnosticsOnly], ["withConfig", withConfig]]) {
      const start = performance.now();
      for (let i = 0; i < 50; i++) fn();
      samples[name].push((performance.now() - start) / 50);
    }
  }
  window.result = {
    ms: median(samples.diagnosticsOnly),
    withConfigMs: median(samples.withConfig),
    lines: source.split("\\n").length - 1,
    ok: first.ok,
    diagnostics: first.diagnostics.length,
  };
</script>`;
const server = createServer((req, res) => {
  if (req.url === "/") return res.writeHead(200, { "content-type": "text/html" }).end(page);
  try {
    const body = readFileSync(new URL(`.${req.url}`, pkg));
    res.writeHead(200, { "content-type": types[req.url.slice(req.url.lastIndexOf("."))] ?? "application/octet-stream" }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const browser = await chromium.launch({
  executablePath: execFileSync("which", ["chromium"], { encoding: "utf8" }).trim(),
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking"],
});
try {
  const tab = await browser.newPage();
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  const result = await tab.waitForFunction(() => window.result, null, { timeout: 60_000 }).then((h) => h.jsonValue());
  if (!result.ok || result.diagnostics !== 0) throw new Error(`the bench config should be clean: ${JSON.stringify(result)}`);
  console.log(
    `chromium ${browser.version()}: validate a ${result.lines}-line fly.toml — ${(result.ms * 1000).toFixed(1)} µs per call ` +
      `reading the diagnostics, ${(result.withConfigMs * 1000).toFixed(1)} µs reading the config too (medians of 31×50)`,
  );
} finally {
  await browser.close();
  server.close();
}
