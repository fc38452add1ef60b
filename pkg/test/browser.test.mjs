// The browser build (browser.js: fetch + instantiate, top-level await) in headless Chromium. First a flow across the
// exports in one page (validation, a plan, the client and the engine against the emulator over real HTTP, cross-origin
// as a page on another port); then the Node suites themselves (config, client, deploy, hostile) run unchanged in a
// page, with an import map pointing `../index.js` at browser.js, `../config.js` at config-browser.js, and `node:test`,
// `node:assert/strict`, `node:fs` and the emulator helper at the small browser shims in test/browser/. Each of their
// tests is reported here as a subtest.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { launchBrowser } from "../../tests/e2e/browser.mjs";
import { startEmulator } from "./support/emulator.mjs";

const pkg = fileURLToPath(new URL("../", import.meta.url));
// The read-only test data beside the repository (config.test.mjs reads flyctl's fixtures from it).
const shared = fileURLToPath(new URL("../../../shared/", import.meta.url));
const TYPES = {
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".wasm": "application/wasm",
  ".html": "text/html",
  ".json": "application/json",
  ".toml": "text/plain",
};
// The Node suites that use only the package's API (the CLI, README, types and CommonJS suites need Node itself).
const SUITES = ["config.test.mjs", "client.test.mjs", "deploy.test.mjs", "hostile.test.mjs"];
const IMPORT_MAP = {
  imports: {
    "node:test": "/test/browser/node-test.js",
    "node:assert/strict": "/test/browser/assert.js",
    "node:fs": "/test/browser/fs.js",
    "/index.js": "/browser.js",
    "/config.js": "/config-browser.js",
    "/test/support/emulator.mjs": "/test/browser/emulator.js",
  },
};
const suitePage = (file) => `<!doctype html><title>${file}</title>
<script type="importmap">${JSON.stringify(IMPORT_MAP)}</script>
<script type="module">
  import { run } from "/test/browser/node-test.js";
  window.__suite = import("/test/${file}").then(run);
</script>`;

let emulator;
let server;
let origin;
let browser;

async function serve(request, response) {
  const path = normalize(decodeURIComponent(new URL(request.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
  const suite = /^\/__suite\/([a-z]+\.test\.mjs)$/.exec(path);
  try {
    let body;
    let type = TYPES[extname(path)] ?? "text/html";
    if (path === "/") body = "<!doctype html><title>flightdeck</title>";
    else if (suite && SUITES.includes(suite[1])) [body, type] = [suitePage(suite[1]), "text/html"];
    else if (path.startsWith("/shared/")) body = await readFile(join(shared, path.slice("/shared/".length)));
    else body = await readFile(join(pkg, path));
    response.writeHead(200, { "content-type": type });
    response.end(body);
  } catch {
    response.writeHead(404).end();
  }
}

before(async () => {
  emulator = await startEmulator({ token: "npm-browser-token", args: ["--allow-cross-origin", "--speed", "50"] });
  server = createServer(serve);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  server?.close();
  await emulator?.stop();
});

test("the browser build validates, plans and deploys from a page", async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(origin);
  const result = await page.evaluate(
    async ({ url, token }) => {
      const fd = await import("/browser.js");
      const checked = fd.validateConfig("app = 'web'\n[http_service]\ninternal_port = 'x'\n");
      const api = new fd.MachinesClient({ baseUrl: url, token });
      await api.createApp({ name: "browser-app", org_slug: "personal" });
      const { config } = fd.validateConfig(
        "app = 'browser-app'\nprimary_region = 'syd'\n[build]\nimage = 'nginx:1.27'\n[http_service]\ninternal_port = 80\n",
      );
      const snapshot = await api.snapshot("browser-app");
      const plan = fd.planDeploy(config, snapshot.machines, snapshot.volumes, {});
      const lines = [];
      const report = await api.run(plan, (event) => lines.push(fd.eventLine(event)), { smokeWindowMs: 100, pollIntervalMs: 50 });
      let thrown = null;
      try {
        fd.planDeploy("nope", [], [], {});
      } catch (error) {
        thrown = { name: error.name, code: error.code, subclass: error instanceof fd.FlightdeckError && error instanceof Error };
      }
      return {
        invalid: checked.ok === false && checked.diagnostics.some((d) => d.start.line === 3),
        succeeded: report.outcomes.filter((o) => o.outcome === "succeeded").length,
        lines: lines.filter(Boolean),
        thrown,
        machines: (await api.listMachines("browser-app")).map((m) => m.state),
      };
    },
    { url: emulator.url, token: emulator.token },
  );
  assert.deepEqual(errors, []);
  assert.equal(result.invalid, true);
  assert.equal(result.succeeded, 2);
  assert.ok(result.lines.some((l) => l.includes("update finished: success")), result.lines.join("\n"));
  assert.deepEqual(result.thrown, { name: "FlightdeckError", code: "invalid_argument", subclass: true });
  assert.deepEqual(result.machines, ["started", "started"]);
});

for (const file of SUITES) {
  test(`${file}, unchanged, against the browser build in Chromium`, async (t) => {
    const page = await browser.newPage();
    const emulators = new Map();
    const pageErrors = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    // Console errors are expected (the suites reach unreachable ports on purpose); they only explain a page that
    // never ran its suite.
    const consoleErrors = [];
    page.on("console", (message) => message.type() === "error" && consoleErrors.push(message.text()));
    // The page's emulator helper asks for a fresh server, as each Node suite starts its own.
    await page.exposeFunction("__flightdeckStartEmulator", async (options) => {
      const started = await startEmulator({ ...options, args: ["--allow-cross-origin", ...(options?.args ?? [])] });
      const id = emulators.size + 1;
      emulators.set(id, started);
      return { id, url: started.url, token: started.token };
    });
    await page.exposeFunction("__flightdeckStopEmulator", async (id) => {
      await emulators.get(id)?.stop();
      emulators.delete(id);
    });
    let results;
    try {
      await page.goto(`${origin}/__suite/${file}`);
      await page.waitForFunction(() => window.__suite !== undefined, null, { timeout: 30_000 });
      results = await page.evaluate(() => window.__suite);
    } finally {
      await Promise.all([...emulators.values()].map((e) => e.stop()));
      await page.close();
    }
    assert.ok(results?.length > 0, `the suite ran; page errors: ${[...pageErrors, ...consoleErrors].join("; ")}`);
    for (const { name, ok, error } of results) {
      await t.test(name, () => {
        if (!ok) throw new Error(`in Chromium: ${error}`);
      });
    }
    assert.deepEqual(pageErrors, []);
  });
}
