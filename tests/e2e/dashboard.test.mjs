// End to end: flightdeck-server serves the built dashboard on a fresh emulator; real Chromium loads it, the page
// calls /v1 and shows the apps; creating an app through the form shows it in the list.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, startEmulator, createApp, dist, screenshots } from "./support.mjs";

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
  return { page, problems, close: () => context.close() };
}

test("the dashboard lists the emulator's apps", async () => {
  await createApp(emulator, "e2e-listed");
  const { page, problems, close } = await openDashboard();
  const table = page.getByRole("table", { name: "Apps" });
  await table.getByRole("cell", { name: "e2e-listed", exact: true }).waitFor({ timeout: 15_000 });
  assert.match(await page.getByLabel("Backend").textContent(), /Local emulator · org personal/);
  await page.screenshot({ path: `${screenshots}/apps-light.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await close();
});

test("creating an app through the form shows it in the list", async () => {
  const { page, problems, close } = await openDashboard({ colorScheme: "dark" });
  await page.getByRole("heading", { name: "Apps" }).waitFor();
  await page.getByLabel("App name").fill("e2e-from-form");
  await page.getByRole("button", { name: "Create app" }).click();
  await page.getByRole("cell", { name: "e2e-from-form", exact: true }).waitFor({ timeout: 15_000 });
  await page.getByRole("status").filter({ hasText: "Created e2e-from-form." }).waitFor();

  // A taken name reads as a sentence, not a blank screen.
  await page.getByLabel("App name").fill("e2e-from-form");
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
