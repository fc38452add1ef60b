// The browser build (browser.js: fetch + instantiate, top-level await) in headless Chromium: validation, plans,
// and the client with the engine against the emulator over real HTTP (cross-origin, as a page on another port).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { launchBrowser } from "../../tests/e2e/browser.mjs";
import { startEmulator } from "./support/emulator.mjs";

const pkg = fileURLToPath(new URL("../", import.meta.url));
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html", ".json": "application/json" };
let emulator;
let server;
let origin;
let browser;

before(async () => {
  emulator = await startEmulator({ token: "npm-browser-token", args: ["--allow-cross-origin", "--speed", "50"] });
  server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    try {
      const body = path === "/" ? "<!doctype html><title>flightdeck</title>" : await readFile(join(pkg, path));
      response.writeHead(200, { "content-type": TYPES[extname(path)] ?? "text/html" });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
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
