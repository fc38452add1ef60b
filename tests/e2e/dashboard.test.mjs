// End to end: flightdeck-server serves the built dashboard on a fresh emulator; real Chromium loads it, the page
// calls /v1 and shows the apps; creating an app through the form shows it in the list; the launch wizard shows the
// fly.toml it makes and launches an app until its machines run.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, cpSync, renameSync, mkdtempSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser, startEmulator, createApp, dist, screenshots, assertFits } from "./support.mjs";

let emulator;
let browser;
before(async () => {
  emulator = await startEmulator({ token: "e2e-token", dashboard: dist });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await emulator?.stop();
});

async function openDashboard(contextOptions = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...contextOptions });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => message.type() === "error" && problems.push(`console: ${message.text()}`));
  await page.goto(emulator.url);
  // Each test ends on a screen that fits its viewport.
  const close = async () => {
    await assertFits(page);
    await context.close();
  };
  return { page, problems, close };
}

test("the dashboard lists the emulator's apps, their machines counted by state", async () => {
  await createApp(emulator, "e2e-listed");
  const config = { image: "registry.fly.io/shop:v1", metadata: { fly_platform_version: "v2", fly_process_group: "web" } };
  const seeded = await fetch(`${emulator.url}/__emulator/seed`, {
    method: "POST",
    headers: { authorization: `Bearer ${emulator.token}`, "content-type": "application/json" },
    body: JSON.stringify({ apps: [{ name: "e2e-states", machines: [
      { name: "web-stopped", region: "iad", state: "stopped", config },
      { name: "web", region: "iad", count: 2, config },
    ] }] }),
  });
  assert.equal(seeded.status, 201, await seeded.text());
  const { page, problems, close } = await openDashboard();
  const table = page.getByRole("table", { name: "Apps" });
  await table.getByRole("cell", { name: "e2e-listed", exact: true }).waitFor({ timeout: 15_000 });
  // The wasm came in Brotli: Chromium accepts it, and the server sends build-web's .br copy before its .gz one
  // (Brotli is about 31 % of the wasm's size, gzip 40 %). (Read once the table is drawn: the page's load event can
  // come before the wasm's fetch is done and timed.)
  const wasm = await page.evaluate(() => performance.getEntriesByType("resource").find((e) => e.name.endsWith(".wasm")));
  assert.ok(wasm, "the page loaded its wasm");
  assert.ok(wasm.encodedBodySize < wasm.decodedBodySize * 0.35, `${wasm.encodedBodySize} B sent for ${wasm.decodedBodySize} B`);
  // Each app's machines by state, the usual states first (each row reads its app's summary list).
  const row = (name) => table.getByRole("row").filter({ has: page.getByRole("cell", { name, exact: true }) });
  await row("e2e-states").getByRole("cell", { name: "2 started · 1 stopped", exact: true }).waitFor({ timeout: 15_000 });
  await row("e2e-listed").getByRole("cell", { name: "—", exact: true }).waitFor({ timeout: 15_000 });
  assert.equal(await row("e2e-states").locator("td.num").first().textContent(), "3");
  assert.match(await page.getByLabel("Backend").textContent(), /Local emulator · org personal/);
  await page.screenshot({ path: `${screenshots}/apps-light.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await close();
});

test("creating an app through the form shows it in the list", async () => {
  const { page, problems, close } = await openDashboard({ colorScheme: "dark" });
  await page.getByRole("heading", { name: "Apps" }).waitFor();
  await page.getByLabel("App name", { exact: true }).fill("e2e-from-form");
  await page.getByRole("button", { name: "Create app" }).click();
  await page.getByRole("cell", { name: "e2e-from-form", exact: true }).waitFor({ timeout: 15_000 });
  await page.getByRole("status").filter({ hasText: "Created e2e-from-form." }).waitFor();

  // A taken name reads as a sentence, not a blank screen.
  await page.getByLabel("App name", { exact: true }).fill("e2e-from-form");
  await page.getByRole("button", { name: "Create app" }).click();
  await page.getByRole("alert").filter({ hasText: "that name is already taken" }).waitFor({ timeout: 15_000 });
  await page.screenshot({ path: `${screenshots}/apps-dark-after-create.png`, fullPage: true });

  const listed = await fetch(`${emulator.url}/v1/apps?org_slug=personal`, {
    headers: { authorization: `Bearer ${emulator.token}` },
  }).then((r) => r.json());
  assert.ok(listed.apps.some((app) => app.name === "e2e-from-form"), "the form really created the app on the emulator");
  // The failed create logs a 422 in the console (the browser reports failed fetches); nothing else may.
  assert.deepEqual(problems.filter((p) => !p.includes("422")), []);
  await close();
});

test("the launch wizard shows the fly.toml it writes, refuses bad input, and launches until the machines run", async () => {
  const { page, problems, close } = await openDashboard();
  const wizard = page.getByRole("region", { name: "Launch an app" });
  await wizard.waitFor({ timeout: 15_000 });
  await wizard.getByLabel("Image").fill("registry.fly.io/hello:v2");
  // The suggested name follows the image.
  assert.match(await wizard.getByLabel("New app name").inputValue(), /^hello-[0-9a-f]{4}$/);
  await wizard.getByLabel("Internal port").fill("eighty");
  await wizard.getByRole("alert").filter({ hasText: "the internal port is a number" }).waitFor();
  assert.equal(await wizard.getByRole("button", { name: "Launch" }).isDisabled(), true);

  await wizard.getByLabel("Internal port").fill("8080");
  await wizard.getByLabel("New app name").fill("e2e-launched");
  await wizard.getByLabel("Region").selectOption("syd");
  await wizard.getByLabel("VM size").selectOption("shared-cpu-2x");
  const toml = wizard.getByLabel("Generated fly.toml");
  await toml.filter({ hasText: 'primary_region = "syd"' }).waitFor();
  const text = await toml.innerText();
  assert.match(text, /app = "e2e-launched"/);
  assert.match(text, /internal_port = 8080/);
  assert.match(text, /image = "registry.fly.io\/hello:v2"/);
  await wizard.getByRole("status").filter({ hasText: "fly.toml is valid." }).waitFor();
  await page.screenshot({ path: `${screenshots}/launch-wizard.png`, fullPage: true });
  const [download] = await Promise.all([page.waitForEvent("download"), wizard.getByRole("button", { name: "Download fly.toml" }).click()]);
  const written = readFileSync(await download.path(), "utf8");
  assert.equal(written, await toml.textContent());

  await wizard.getByRole("button", { name: "Launch" }).click();
  await wizard.getByRole("status").filter({ hasText: "Launched e2e-launched." }).waitFor({ timeout: 30_000 });
  assert.match(await wizard.getByLabel("Launch progress").innerText(), /✔ Finished/);
  await page.getByRole("table", { name: "Apps" }).getByRole("cell", { name: "e2e-launched", exact: true }).waitFor();
  const machines = await fetch(`${emulator.url}/v1/apps/e2e-launched/machines`, {
    headers: { authorization: `Bearer ${emulator.token}` },
  }).then((r) => r.json());
  assert.ok(machines.length >= 1);
  for (const machine of machines) {
    assert.equal(machine.region, "syd");
    assert.equal(machine.config.image, "registry.fly.io/hello:v2");
    assert.equal(machine.config.guest.cpus, 2);
  }
  assert.ok(machines.some((m) => m.state === "started"), "a launched machine runs");
  await wizard.getByRole("link", { name: "e2e-launched" }).click();
  await page.getByRole("table", { name: "Machines of the app" }).waitFor({ timeout: 15_000 });
  // The launched app's draft is the fly.toml launch wrote, not one made up from its machines.
  await page.getByRole("link", { name: "Config", exact: true }).click();
  await page.getByText("No problems found.").waitFor({ timeout: 15_000 });
  assert.equal(await page.getByRole("textbox", { name: "fly.toml" }).inputValue(), written);
  assert.deepEqual(problems, []);
  await close();
});

test("every screen fits 1280×800 and 1920×1080", async () => {
  // The app seeded by the first test (three machines); each screen is checked once its data is in.
  const screens = [
    ["overview", (page) => page.getByRole("table", { name: "Machines per region" }).getByRole("cell", { name: "iad" })],
    ["machines", (page) => page.getByRole("cell", { name: "web-stopped", exact: true })],
    ["scale", (page) => page.getByRole("table", { name: "VM sizes" }).getByRole("rowheader")],
    ["config", (page) => page.getByText("Machine config of group web")],
    ["deploy", (page) => page.getByRole("button", { name: "Plan deploy", exact: true })],
    ["secrets", (page) => page.getByRole("table", { name: "Secrets" }).or(page.getByText("No secrets"))],
  ];
  for (const viewport of [{ width: 1280, height: 800 }, { width: 1920, height: 1080 }]) {
    const { page, problems, close } = await openDashboard({ viewport });
    await page.getByRole("table", { name: "Apps" }).getByRole("cell", { name: "2 started · 1 stopped" }).waitFor({ timeout: 15_000 });
    await assertFits(page);
    for (const [tab, ready] of screens) {
      await page.goto(`${emulator.url}/#/apps/e2e-states/${tab}`);
      await ready(page).first().waitFor({ timeout: 15_000 });
      await assertFits(page);
      if (viewport.width === 1920) await page.screenshot({ path: `${screenshots}/wide-${tab}.png`, fullPage: true });
    }
    assert.deepEqual(problems, []);
    await close();
  }
});

test("the connect screen: a wrong token reads as a sentence, the token stays in memory unless remembered", async () => {
  const { page, problems, close } = await openDashboard();
  await page.getByRole("table", { name: "Apps" }).or(page.getByText("No apps yet.")).first().waitFor({ timeout: 15_000 });
  await page.getByRole("link", { name: "Connection" }).click();
  const token = page.getByLabel("API token");
  assert.equal(await token.inputValue(), emulator.token, "the emulator offers its token");
  assert.equal(await page.getByLabel("API base URL").inputValue(), emulator.url);

  await token.fill("not-the-token");
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await page.getByRole("alert").filter({ hasText: /token/i }).waitFor({ timeout: 15_000 });

  await page.getByLabel("API base URL").fill("https://api.machines.dev");
  await token.fill(emulator.token);
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await page.getByRole("alert").filter({ hasText: "--upstream https://api.machines.dev" }).waitFor();

  // Connected without "remember": nothing is stored.
  await page.getByLabel("API base URL").fill(emulator.url);
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await page.getByRole("heading", { name: "Apps" }).waitFor({ timeout: 15_000 });
  assert.equal(await page.evaluate(() => sessionStorage.getItem("flightdeck.connection")), null);

  // Remembered: kept in this tab's sessionStorage (and only there), used after a reload.
  await page.getByRole("link", { name: "Connection" }).click();
  await page.getByLabel("Remember on this device").check();
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await page.getByRole("heading", { name: "Apps" }).waitFor({ timeout: 15_000 });
  const stored = JSON.parse(await page.evaluate(() => sessionStorage.getItem("flightdeck.connection")));
  assert.equal(stored.token, emulator.token);
  assert.equal(await page.evaluate(() => localStorage.length), 0, "never localStorage");
  await page.reload();
  await page.getByRole("heading", { name: "Apps" }).waitFor({ timeout: 15_000 });
  await page.screenshot({ path: `${screenshots}/connected.png`, fullPage: true });

  await page.getByRole("link", { name: "Connection" }).click();
  await page.getByRole("button", { name: "Disconnect and forget" }).click();
  assert.equal(await page.evaluate(() => sessionStorage.getItem("flightdeck.connection")), null);
  await page.screenshot({ path: `${screenshots}/connect.png`, fullPage: true });
  // The wrong token's 401 is logged by the browser as a failed request; nothing else may be.
  assert.deepEqual(problems.filter((p) => !p.includes("401")), []);
  await close();
});

test("a screen whose module is gone (the dashboard redeployed under an open page) reads as a sentence, and loads once it is back", async () => {
  // A copy of the build, served by an emulator of its own, so its files can go and come back.
  const copy = mkdtempSync(join(tmpdir(), "flightdeck-dist-"));
  cpSync(dist, copy, { recursive: true });
  const served = await startEmulator({ token: "e2e-redeploy-token", dashboard: copy });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await createApp(served, "e2e-redeployed");
    const page = await context.newPage();
    const pageErrors = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    // The apps page, with its launch wizard: every module but the deferred one is loaded then.
    await page.goto(served.url);
    await page.getByLabel("Generated fly.toml").waitFor({ timeout: 15_000 });
    // The split module every screen but Apps and Machines is in, as a newer build would have removed it. (App →
    // Machines would fetch it in the background: it goes before the page gets there.)
    const deferred = readdirSync(copy).filter((name) => /^split_deferred-[0-9a-f]+\.wasm$/.test(name));
    assert.equal(deferred.length, 1, `one deferred module in ${readdirSync(copy).join(", ")}`);
    const files = readdirSync(copy).filter((name) => name.startsWith(deferred[0]));
    for (const name of files) renameSync(join(copy, name), join(copy, `${name}.gone`));
    await page.getByRole("link", { name: "e2e-redeployed", exact: true }).click();
    await page.getByText("This app has no machines yet.").waitFor({ timeout: 15_000 });

    await page.getByRole("link", { name: "Scale" }).click();
    await page.getByRole("alert").filter({ hasText: "could not be loaded" }).waitFor({ timeout: 15_000 });
    assert.match(await page.getByRole("alert").textContent(), /Reload the page/);
    // The rest of the dashboard still works: the module's failure stopped nothing (a panic would have).
    await page.getByRole("link", { name: "Machines" }).click();
    await page.getByText("This app has no machines yet.").waitFor({ timeout: 15_000 });

    // Back on the server, the module loads on the next try: a failed load is not kept. (Written anew, as a deploy
    // would: the browser revalidates its failed fetch, which the server answered with index.html, by that file's
    // time, and a file no newer than it would be "not modified".)
    const written = new Date(Date.now() + 60_000);
    for (const name of files) {
      renameSync(join(copy, `${name}.gone`), join(copy, name));
      utimesSync(join(copy, name), written, written);
    }
    await page.getByRole("link", { name: "Scale" }).click();
    await page.getByRole("heading", { name: "Machines per region" }).waitFor({ timeout: 15_000 });
    assert.equal(await page.getByRole("alert").filter({ hasText: "could not be loaded" }).count(), 0);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
    await served.stop();
    rmSync(copy, { recursive: true, force: true });
  }
});
