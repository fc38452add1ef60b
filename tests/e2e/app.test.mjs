// End to end, one app: App → Machines (live table; stop, start, restart and remove through the engine) and
// App → Config (diagnostics as you type, machine configs per group, the deploy plan, and the deploy itself) — in
// real Chromium against a fresh emulator, under the server's Content-Security-Policy. API strings with HTML in
// them are seeded and must show as text, never run.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { launchBrowser, startEmulator, dist, screenshots, assertFits } from "./support.mjs";

let emulator;
let browser;
before(async () => {
  emulator = await startEmulator({ token: "e2e-app-token", dashboard: dist, args: ["--speed", "20"] });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await emulator?.stop();
});

const HOSTILE = `<img src=x onerror="window.__pwned=1">`;

async function seed(body) {
  const response = await fetch(`${emulator.url}/__emulator/seed`, {
    method: "POST",
    headers: { authorization: `Bearer ${emulator.token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.equal(response.status, 201, text);
  return JSON.parse(text);
}

async function open(hash, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  const problems = [];
  const dialogs = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => message.type() === "error" && problems.push(`console: ${message.text()}`));
  page.on("dialog", async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  const response = await page.goto(`${emulator.url}/${hash}`);
  // Each test ends on a screen that fits its viewport.
  const close = async () => {
    await assertFits(page);
    await context.close();
  };
  return { page, problems, dialogs, response, close };
}


test("App → Machines lists machines live and runs start, stop, restart and remove", async () => {
  const image = "registry.fly.io/shop:v1";
  const config = { image, metadata: { fly_platform_version: "v2", fly_process_group: "web" }, guest: { cpu_kind: "shared", cpus: 1, memory_mb: 256 } };
  await seed({
    apps: [{ name: "e2e-shop", machines: [
      { name: "web-a", region: "syd", config },
      { name: HOSTILE, region: "fra", state: "stopped", config: { ...config, metadata: { ...config.metadata, note: HOSTILE } } },
    ] }],
  });
  const { page, problems, dialogs, response, close } = await open("#/apps/e2e-shop/machines");
  const policy = response.headers()["content-security-policy"];
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  assert.doesNotMatch(policy, /unsafe-inline/);

  const table = page.getByRole("table", { name: "Machines of the app" });
  await table.getByRole("cell", { name: "web-a", exact: true }).waitFor({ timeout: 15_000 });
  // The hostile name is text in a cell, and nothing ran.
  await table.getByRole("cell", { name: HOSTILE, exact: true }).waitFor();
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator("table img").count(), 0);
  await page.screenshot({ path: `${screenshots}/machines-light.png`, fullPage: true });

  const row = (name) => table.getByRole("row").filter({ has: page.getByRole("cell", { name, exact: true }) });
  // A row's actions sit behind its "Actions" button; Escape closes them and gives the button its focus back.
  const actionsOf = (name) => page.getByRole("button", { name: `Actions for machine ${name}`, exact: true });
  await actionsOf("web-a").click();
  const actions = page.getByRole("group", { name: "Actions for machine web-a" });
  assert.equal(await actionsOf("web-a").getAttribute("aria-expanded"), "true");
  await page.keyboard.press("Escape");
  await actions.waitFor({ state: "detached" });
  assert.equal(await actionsOf("web-a").evaluate((button) => button === document.activeElement), true);
  assert.equal(await actionsOf("web-a").getAttribute("aria-expanded"), "false");
  await actionsOf("web-a").click();
  await page.screenshot({ path: `${screenshots}/machines-actions.png` });
  // Start is offered only to a machine that is not running.
  assert.equal(await actions.getByRole("button", { name: "Start machine web-a", exact: true }).isDisabled(), true);
  await page.getByRole("button", { name: "Stop machine web-a", exact: true }).click();
  await actions.waitFor({ state: "detached" });
  await row("web-a").getByText("stopped", { exact: true }).waitFor({ timeout: 20_000 });
  // "Updated (UTC)": the tenth cell shows the machine's updated_at shortly, with the API's time as its title.
  const updated = row("web-a").getByRole("cell").nth(9);
  assert.match(await updated.innerText(), /^[A-Z][a-z]{2} \d{1,2} \d\d:\d\d:\d\d$/);
  assert.match(await updated.getAttribute("title"), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  await actionsOf("web-a").click();
  await page.getByRole("button", { name: "Start machine web-a", exact: true }).click();
  await row("web-a").getByText("started", { exact: true }).waitFor({ timeout: 20_000 });
  await actionsOf("web-a").click();
  await page.getByRole("button", { name: "Restart machine web-a", exact: true }).click();
  await page.getByRole("list", { name: "Machine action timeline" }).filter({ hasText: "restart finished: success" }).waitFor({ timeout: 20_000 });

  // Details, as `fly machine status` shows them: the VM, the checks, the event log with the stops' exits.
  await actionsOf("web-a").click();
  await page.getByRole("button", { name: "Details of machine web-a", exact: true }).click();
  const detail = page.getByRole("region", { name: "Machine web-a" });
  const events = detail.getByRole("table", { name: "Event log" });
  await events.waitFor({ timeout: 15_000 });
  const vm = await detail.locator("dl.vm").innerText();
  assert.match(vm, /Region\s+syd/);
  assert.match(vm, /Process group\s+web/);
  assert.match(vm, /Size\s+1 CPU shared · 256 MB/);
  assert.match(vm, new RegExp(`Image\\s+${image.replace(/[.:/]/g, "\\$&")}`));
  // Newest first: the restart's start, its exit (asked for), …, the launch.
  await events.getByRole("row").filter({ hasText: "exit code 0, stop requested" }).first().waitFor({ timeout: 10_000 });
  const eventRows = await events.locator("tbody tr").allInnerTexts();
  assert.match(eventRows.at(-1), /^created\s+launch\s+user\s+\d{4}-\d\d-\d\dT/);
  assert.match(eventRows[0], /^started\s+start\s+flyd/);
  await page.screenshot({ path: `${screenshots}/machine-detail.png`, fullPage: true });
  await detail.getByRole("button", { name: "Close" }).click();
  await detail.waitFor({ state: "detached" });
  // A hostile name and metadata stay text in the panel too.
  await actionsOf(HOSTILE).click();
  await page.getByRole("button", { name: `Details of machine ${HOSTILE}`, exact: true }).click();
  const hostileDetail = page.getByRole("region", { name: `Machine ${HOSTILE}` });
  await hostileDetail.getByRole("table", { name: "Event log" }).waitFor({ timeout: 15_000 });
  assert.match(await hostileDetail.locator("dl.vm").innerText(), /Name\s+<img src=x onerror/);
  assert.equal(await page.locator("section img").count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  await hostileDetail.getByRole("button", { name: "Close" }).click();

  await actionsOf(HOSTILE).click();
  await page.getByRole("button", { name: `Remove machine ${HOSTILE}`, exact: true }).click();
  await page.getByRole("button", { name: `Confirm removal of machine ${HOSTILE}`, exact: true }).click();
  await table.getByRole("cell", { name: HOSTILE, exact: true }).waitFor({ state: "detached", timeout: 20_000 });
  await page.screenshot({ path: `${screenshots}/machines-after-actions.png`, fullPage: true });
  assert.deepEqual(dialogs, []);
  assert.deepEqual(problems, []);
  await close();
});

test("App → Config shows diagnostics as you type and each group's machine config; App → Deploy plans and deploys it live", async () => {
  await seed({ apps: [{ name: "e2e-config", machines: [
    { name: "app-1", region: "syd", config: { image: "nginx:1.27", metadata: { fly_platform_version: "v2", fly_process_group: "app" } } },
  ] }] });
  // Reduced motion: the progress bar then fills without its transition, so the review screenshot shows it full.
  const { page, problems, close } = await open("#/apps/e2e-config/config", {
    colorScheme: "dark",
    reducedMotion: "reduce",
  });
  const editor = page.getByRole("textbox", { name: "fly.toml" });
  await page.getByText("No problems found.").waitFor({ timeout: 15_000 });
  assert.match(await editor.inputValue(), /image = .nginx:1\.27./);

  const good = `app = "e2e-config"\nprimary_region = "syd"\n[build]\nimage = "nginx:1.28"\n[http_service]\ninternal_port = 80\n`;
  await editor.fill(`${good}[[vm]]\nmemory = "lots"\n`);
  const diagnostics = page.getByRole("list", { name: "Diagnostics" });
  await diagnostics.getByText("8:10").waitFor();
  // The error is marked in the text itself: a layer behind the textarea holds the same text, with the same metrics.
  const backdrop = page.locator(".editor-backdrop");
  assert.equal(await backdrop.locator("mark.mark-error").textContent(), '"lots"');
  assert.equal(await backdrop.textContent(), `${await editor.inputValue()}\n `);
  const metrics = (element) => {
    const style = getComputedStyle(element);
    return ["fontFamily", "fontSize", "lineHeight", "paddingLeft", "paddingTop", "borderLeftWidth", "borderTopWidth", "whiteSpace", "tabSize"]
      .map((name) => `${name}: ${style[name]}`);
  };
  assert.deepEqual(await backdrop.evaluate(metrics), await editor.evaluate(metrics));
  // Its line:column selects it in the editor.
  await diagnostics.getByRole("button", { name: "Line 8, column 10: select in the editor" }).click();
  const selected = await editor.evaluate((e) => e.value.slice(e.selectionStart, e.selectionEnd));
  assert.equal(selected, '"lots"');
  await page.screenshot({ path: `${screenshots}/config-diagnostics-dark.png`, fullPage: true });
  // The marks scroll with the text, and text that looks like HTML stays text.
  const long = `${Array.from({ length: 80 }, (_, i) => `# line ${i}`).join("\n")}\napp = "${HOSTILE}"\nbogus_key = 1\n`;
  await editor.fill(long);
  await backdrop.locator("mark.mark-warning").filter({ hasText: "bogus_key" }).waitFor();
  await editor.evaluate((e) => { e.scrollTop = e.scrollHeight; });
  await page.waitForFunction(() => {
    const [area, layer] = [document.querySelector("textarea.editor"), document.querySelector(".editor-backdrop")];
    return area.scrollTop > 0 && layer.scrollTop === area.scrollTop;
  });
  assert.equal(await backdrop.locator("img").count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);

  // A fly.toml opened from disk replaces the text, and Download saves the text as fly.toml.
  const opened = 'app = "e2e-config"\n[http_service]\ninternal_port = "eighty"\n';
  await page.getByLabel("Open a fly.toml file").setInputFiles({ name: "fly.toml", mimeType: "text/plain", buffer: Buffer.from(opened) });
  await page.getByRole("status").filter({ hasText: "Opened fly.toml." }).waitFor();
  assert.equal(await editor.inputValue(), opened);
  await diagnostics.getByText("3:17").waitFor();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download", exact: true }).click()]);
  assert.equal(download.suggestedFilename(), "fly.toml");
  assert.equal(readFileSync(await download.path(), "utf8"), opened);

  // A [deploy] section for App → Deploy below; the validator warns that this strategy ignores max_unavailable.
  await editor.fill(`${good}[deploy]\nstrategy = "immediate"\nmax_unavailable = 2\n`);
  await diagnostics.getByText("max_unavailable is set but the 'immediate' strategy ignores it").waitFor();
  // The draft outlives a reload of the tab (sessionStorage), rather than going back to the text made from machines.
  await page.reload();
  await diagnostics.getByText("max_unavailable is set but the 'immediate' strategy ignores it").waitFor({ timeout: 15_000 });
  assert.equal(await editor.inputValue(), `${good}[deploy]\nstrategy = "immediate"\nmax_unavailable = 2\n`);
  await page.getByText("Machine config of group app").click();
  await page.getByText('"internal_port": 80').first().waitFor();
  // App → Deploy plans the same text: fly.toml's strategy unless one is chosen, as flyctl's --strategy overrides it.
  await page.getByRole("link", { name: "Plan the deploy of this fly.toml" }).click();
  assert.equal(await page.getByLabel("Strategy").locator("option:checked").textContent(), "as in fly.toml (immediate)");
  assert.equal(await page.getByLabel("Max unavailable").getAttribute("placeholder"), "2");
  assert.equal(await page.getByLabel("Image").getAttribute("placeholder"), "nginx:1.28", "[build] image");
  await page.getByRole("button", { name: "Plan deploy", exact: true }).click();
  const plan = page.getByLabel("Deploy plan");
  await plan.filter({ hasText: "deploy (immediate)" }).waitFor({ timeout: 15_000 });
  await page.getByLabel("Max unavailable").fill("1.5");
  await page.getByRole("button", { name: "Plan deploy", exact: true }).click();
  await page.getByRole("alert").filter({ hasText: "a fraction below 1" }).waitFor();
  await page.getByLabel("Max unavailable").fill("1");
  await page.getByLabel("Strategy").selectOption("rolling");
  // An image typed here is deployed instead of fly.toml's, as flyctl's --image.
  await page.getByLabel("Image").fill("nginx:1.29");
  await page.getByRole("button", { name: "Plan deploy", exact: true }).click();
  await plan.filter({ hasText: "deploy (rolling)" }).waitFor({ timeout: 15_000 });
  await plan.filter({ hasText: '~ image: "nginx:1.27" → "nginx:1.29"' }).waitFor({ timeout: 15_000 });
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  // The live view: a progress bar that ends full, a row per machine with its outcome, and a timeline.
  await page.getByRole("status").filter({ hasText: "Deployed." }).waitFor({ timeout: 30_000 });
  const bar = page.getByRole("progressbar");
  assert.equal(await bar.evaluate((el) => el.value), 100);
  const rows = page.getByRole("table", { name: "Deploy machines" }).getByRole("row");
  assert.equal(await rows.count(), 2, "a header and one machine");
  assert.match(await rows.nth(1).innerText(), /app[\s\S]*syd[\s\S]*update[\s\S]*started[\s\S]*done/);
  const timeline = await page.getByRole("list", { name: "Deploy timeline" }).innerText();
  assert.match(timeline, /^\s*0\.\ds\s+Running deploy \(rolling\)/);
  assert.match(timeline, /update finished: success/);
  assert.equal(await page.getByRole("button", { name: "Cancel" }).count(), 0, "no cancel once it is over");
  await page.screenshot({ path: `${screenshots}/deploy-done-dark.png`, fullPage: true });

  const machines = await fetch(`${emulator.url}/v1/apps/e2e-config/machines`, {
    headers: { authorization: `Bearer ${emulator.token}` },
  }).then((r) => r.json());
  assert.ok(machines.every((m) => m.config.image === "nginx:1.29"), "the deploy really ran on the emulator");
  assert.equal(await page.getByRole("note").count(), 0, "fly.toml names this app");

  // A fly.toml for another app (pasted by mistake) is deployed to the app shown, and the page says so first.
  await page.getByRole("link", { name: "Config", exact: true }).click();
  await editor.fill(good.replace('app = "e2e-config"', 'app = "someone-else"'));
  await page.getByText("No problems found.").waitFor();
  await page.getByRole("link", { name: "Deploy", exact: true }).click();
  await page.getByRole("note").filter({ hasText: 'This fly.toml names app "someone-else"; the deploy goes to e2e-config, the app shown here.' }).waitFor();
  assert.deepEqual(problems, []);
  await close();
});

test("App → Secrets sets and unsets secrets, never shows a value, and restarts the machines with them", async () => {
  const config = { image: "nginx:1.27", metadata: { fly_platform_version: "v2", fly_process_group: "app" } };
  await seed({ apps: [{ name: "e2e-secrets", machines: [
    { name: "s-started", region: "syd", config },
    { name: "s-stopped", region: "syd", state: "stopped", config },
  ] }] });
  const { page, problems, close } = await open("#/apps/e2e-secrets/secrets");
  await page.getByText("No secrets yet.").waitFor({ timeout: 15_000 });
  await page.getByLabel("Name", { exact: true }).fill("API_KEY");
  await page.getByLabel("Value", { exact: true }).fill("hunter2-very-secret");
  await page.getByRole("button", { name: "Set secret and restart", exact: true }).click();
  await page.getByRole("status").filter({ hasText: "Secrets are at version 1; machines restarted." }).waitFor({ timeout: 30_000 });
  const table = page.getByRole("table", { name: "Secrets" });
  await table.getByRole("cell", { name: "API_KEY", exact: true }).waitFor();
  assert.equal(await page.getByLabel("Value", { exact: true }).inputValue(), "", "the value is not kept in the form");
  assert.ok(!(await page.content()).includes("hunter2-very-secret"), "the value never shows on the page");
  assert.match(await page.getByRole("list", { name: "Secrets deploy timeline" }).innerText(), /update finished: success/);
  await page.screenshot({ path: `${screenshots}/secrets.png`, fullPage: true });

  const machines = await fetch(`${emulator.url}/v1/apps/e2e-secrets/machines`, {
    headers: { authorization: `Bearer ${emulator.token}` },
  }).then((r) => r.json());
  assert.equal(machines.find((m) => m.name === "s-stopped").state, "stopped", "stopped machines stay stopped");

  await page.getByRole("button", { name: "Unset secret API_KEY", exact: true }).click();
  await page.getByText("No secrets yet.").waitFor({ timeout: 30_000 });

  // An app without machines keeps the secret for its first deployment, and says so.
  await seed({ apps: [{ name: "e2e-secrets-empty", machines: [] }] });
  await page.goto(`${emulator.url}/#/apps/e2e-secrets-empty/secrets`);
  await page.getByText("No secrets yet.").waitFor({ timeout: 15_000 });
  await page.getByLabel("Name", { exact: true }).fill("API_KEY");
  await page.getByLabel("Value", { exact: true }).fill("staged-value");
  await page.getByRole("button", { name: "Set secret and restart", exact: true }).click();
  await page.getByRole("status").filter({ hasText: "Secrets are at version 1; no machines to restart: they are staged for the first deployment." })
    .waitFor({ timeout: 15_000 });
  assert.deepEqual(problems, []);
  await close();
});

test("App → Scale sets machines per group and region, shows drift and the plan, applies it, and resizes a group", async () => {
  const web = { image: "nginx:1.27", metadata: { fly_platform_version: "v2", fly_process_group: "web" }, guest: { cpu_kind: "shared", cpus: 1, memory_mb: 256 } };
  const worker = { ...web, metadata: { ...web.metadata, fly_process_group: "worker" } };
  await seed({ apps: [{ name: "e2e-scale", machines: [
    { name: "web-1", region: "iad", config: web },
    { name: "web-2", region: "iad", config: web },
    { name: "web-3", region: "fra", state: "stopped", config: web },
    { name: "worker-1", region: "iad", config: worker },
  ] }] });
  const { page, problems, close } = await open("#/apps/e2e-scale/scale");
  const grid = page.getByRole("table", { name: "Machines per group and region" });
  const count = (group, region) => grid.getByRole("spinbutton", { name: `${group} machines in ${region}` });
  await count("web", "iad").waitFor({ timeout: 15_000 });
  assert.equal(await count("web", "iad").inputValue(), "2");
  assert.equal(await count("web", "fra").inputValue(), "1");
  assert.equal(await count("worker", "fra").inputValue(), "", "no worker runs in fra: no count is declared there");
  assert.equal(await grid.locator("td.drift").count(), 0, "nothing drifts before an edit");

  // The seed's shape: 4 in iad, 2 in fra, 1 in syd (a region the app is not in yet).
  await page.getByRole("combobox", { name: "Add a region" }).selectOption("syd");
  await count("web", "iad").fill("4");
  await count("web", "fra").fill("2");
  await count("web", "syd").fill("1");
  await count("worker", "iad").fill("0");
  assert.equal(await grid.locator("td.drift").count(), 4, "each edited cell differs from what runs");
  // A count the planner would not take stays in its field, marked, and planning names the cell instead of keeping
  // what runs there.
  await count("web", "syd").fill("20000");
  assert.equal(await count("web", "syd").inputValue(), "20000");
  assert.equal(await count("web", "syd").getAttribute("aria-invalid"), "true");
  await page.getByRole("button", { name: "Plan scale", exact: true }).click();
  await page.getByRole("alert").filter({ hasText: "web in syd: '20000' is not a number of machines (0 to 10000)" }).waitFor();
  await count("web", "syd").fill("1");
  assert.equal(await count("web", "syd").getAttribute("aria-invalid"), null);
  await page.getByRole("button", { name: "Plan scale", exact: true }).click();
  const plan = page.getByLabel("Scale plan");
  await plan.waitFor();
  const text = await plan.innerText();
  assert.equal((text.match(/clone a machine in group web, region iad/g) ?? []).length, 2, text);
  assert.match(text, /clone a machine in group web, region fra/);
  assert.match(text, /clone a machine in group web, region syd/);
  assert.match(text, /destroy machine \S+ \(worker-1\) \[worker\]: scale worker in iad from 1 to 0/);
  await page.screenshot({ path: `${screenshots}/scale-plan.png`, fullPage: true });
  await page.getByRole("button", { name: "Apply", exact: true }).click();
  await page.getByRole("list", { name: "Scale timeline" }).filter({ hasText: "✔ Finished scale regions" }).waitFor({ timeout: 30_000 });
  // The grid reloads from the API: what runs now is what was asked for, and nothing drifts.
  await grid.getByText("4 running", { exact: true }).waitFor({ timeout: 15_000 });
  assert.equal(await count("web", "syd").inputValue(), "1");
  assert.equal(await grid.locator("td.drift").count(), 0);
  const machines = await (await fetch(`${emulator.url}/v1/apps/e2e-scale/machines`, {
    headers: { authorization: `Bearer ${emulator.token}` },
  })).json();
  const live = machines.filter((m) => !["destroyed", "destroying"].includes(m.state));
  const where = (group) => live.filter((m) => m.config.metadata.fly_process_group === group).map((m) => m.region).sort();
  assert.deepEqual(where("web"), ["fra", "fra", "iad", "iad", "iad", "iad", "syd"]);
  assert.deepEqual(where("worker"), []);

  // A group's VM size: a preset, planned and applied machine by machine.
  await page.getByRole("combobox", { name: "VM size of web" }).selectOption("shared-cpu-2x");
  await page.getByRole("button", { name: "Plan resize of web", exact: true }).click();
  assert.match(await plan.innerText(), /scale vm \(web\)/);
  await page.getByRole("button", { name: "Apply", exact: true }).click();
  await page.getByLabel("VM sizes").getByText("shared · 2 CPUs · 512 MB", { exact: true }).waitFor({ timeout: 30_000 });
  await page.screenshot({ path: `${screenshots}/scale-applied.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await close();
});

test("App → Deploy reports a failed deploy clearly (which machine, why, nothing left leased) and can be canceled", async () => {
  const config = { image: "nginx:1.27", metadata: { fly_platform_version: "v2", fly_process_group: "app" } };
  await seed({ apps: [{ name: "e2e-failing", machines: ["f-1", "f-2", "f-3"].map((name) => ({ name, region: "syd", config })) }] });
  const faults = (body) => fetch(`${emulator.url}/__emulator/faults`, {
    method: "PUT",
    headers: { authorization: `Bearer ${emulator.token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const { page, problems, close } = await open("#/apps/e2e-failing/config");
  const editor = page.getByRole("textbox", { name: "fly.toml" });
  await page.getByText("No problems found.").waitFor({ timeout: 15_000 });
  await editor.fill(`app = "e2e-failing"\nprimary_region = "syd"\n[build]\nimage = "nginx:1.28"\n`);
  await page.getByRole("link", { name: "Plan the deploy of this fly.toml" }).click();

  // Every start fails: the first machine's update fails, the run stops, and the report names it and why.
  await faults({ failing_starts: ["e2e-failing"] });
  await page.getByRole("button", { name: "Plan deploy", exact: true }).click();
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  const failure = page.locator(".failure");
  await failure.waitFor({ timeout: 30_000 });
  const report = await failure.innerText();
  assert.match(report, /The run failed: machine \S+ \[app\]/);
  assert.match(report, /\S+ \[app\]: .*fail/i);
  assert.equal(await page.getByRole("progressbar").getAttribute("class"), "bar failed");
  await page.screenshot({ path: `${screenshots}/deploy-failed.png`, fullPage: true });

  // A slow run, canceled from the live view: it ends canceled, with its leases released.
  await faults({ latency_ms: 400 });
  await page.getByLabel("Max unavailable").fill("1");
  await page.getByRole("button", { name: "Plan deploy", exact: true }).click();
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await page.getByRole("button", { name: "Cancel", exact: true }).click();
  await page.locator(".failure").filter({ hasText: /cancel/i }).waitFor({ timeout: 30_000 });
  assert.equal(await page.getByRole("button", { name: /^Cancel/ }).count(), 0);
  await faults({});
  const machines = await fetch(`${emulator.url}/v1/apps/e2e-failing/machines`, {
    headers: { authorization: `Bearer ${emulator.token}` },
  }).then((r) => r.json());
  for (const machine of machines) {
    // The emulator paces reads per machine as the real API does: wait out a 429.
    let lease;
    for (let attempt = 0; attempt < 10; attempt++) {
      lease = await fetch(`${emulator.url}/v1/apps/e2e-failing/machines/${machine.id}/lease`, {
        headers: { authorization: `Bearer ${emulator.token}` },
      });
      if (lease.status !== 429) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    assert.equal(lease.status, 404, `no lease is left on ${machine.id}`);
  }
  assert.equal(machines.length, 3, "a failed or canceled deploy destroys nothing");
  assert.deepEqual(problems.filter((p) => !/status of 4\d\d|5\d\d/.test(p)), []);
  await close();
});

// An app of two groups: web-1 and web-2 run nginx in web, worker-1 runs bin/worker in worker (all in syd).
async function seedWebAndWorker(app) {
  const machine = (name, group, cmd) => ({ name, region: "syd", config: {
    image: "nginx:1.27", init: { cmd }, metadata: { fly_platform_version: "v2", fly_process_group: group },
  } });
  await seed({ apps: [{ name: app, machines: [
    machine("web-1", "web", ["nginx"]),
    machine("web-2", "web", ["nginx"]),
    machine("worker-1", "worker", ["bin/worker"]),
  ] }] });
}

test("App → Machines assigns selected machines to a process group, with the deploy plan first", async () => {
  await seedWebAndWorker("e2e-assign");
  const { page, problems, close } = await open("#/apps/e2e-assign/machines");
  const table = page.getByRole("table", { name: "Machines of the app" });
  await table.getByRole("cell", { name: "web-2", exact: true }).waitFor({ timeout: 15_000 });
  await page.getByRole("checkbox", { name: "Select machine web-2" }).check();
  const toolbar = page.getByRole("toolbar", { name: "Selected machines" });
  await toolbar.getByText("1 selected").waitFor();
  // The groups come from the app's fly.toml (here: the draft made from its machines, web and worker).
  await toolbar.getByLabel("Assign to group").selectOption("worker");
  await toolbar.getByRole("button", { name: "Plan assignment" }).click();
  const plan = page.getByLabel("Assignment plan");
  await plan.waitFor({ timeout: 15_000 });
  const text = await plan.innerText();
  assert.match(text, /fly_process_group/);
  assert.match(text, /worker/);
  await page.screenshot({ path: `${screenshots}/assign-plan.png`, fullPage: true });
  await page.getByRole("button", { name: "Apply assignment" }).click();
  await page.getByRole("list", { name: "Assignment timeline" }).filter({ hasText: "✔ Finished" }).waitFor({ timeout: 30_000 });
  const row = table.getByRole("row").filter({ has: page.getByRole("cell", { name: "web-2", exact: true }) });
  await row.getByRole("cell", { name: "worker", exact: true }).waitFor({ timeout: 15_000 });
  const machines = await fetch(`${emulator.url}/v1/apps/e2e-assign/machines`, {
    headers: { authorization: `Bearer ${emulator.token}` },
  }).then((r) => r.json());
  const moved = machines.find((m) => m.name === "web-2");
  assert.equal(moved.config.metadata.fly_process_group, "worker");
  assert.deepEqual(moved.config.init.cmd, ["bin/worker"], "the machine got the group's command from fly.toml");
  assert.equal(machines.find((m) => m.name === "web-1").config.metadata.fly_process_group, "web", "the others stay");
  assert.deepEqual(problems, []);
  await close();
});

test("App → Machines stops and removes selected machines together, each plan shown first, and filters the table", async () => {
  await seedWebAndWorker("e2e-bulk");
  const { page, problems, close } = await open("#/apps/e2e-bulk/machines");
  const table = page.getByRole("table", { name: "Machines of the app" });
  await table.getByRole("cell", { name: "web-2", exact: true }).waitFor({ timeout: 15_000 });
  await page.getByRole("checkbox", { name: "Select machine web-1" }).check();
  await page.getByRole("checkbox", { name: "Select machine web-2" }).check();
  const toolbar = page.getByRole("toolbar", { name: "Selected machines" });
  await toolbar.getByText("2 selected").waitFor();
  const plan = page.getByLabel("Selection plan");
  const states = async () => Object.fromEntries((await fetch(`${emulator.url}/v1/apps/e2e-bulk/machines`, {
    headers: { authorization: `Bearer ${emulator.token}` },
  }).then((r) => r.json())).map((m) => [m.name, m.state]));

  // The table's filter: every word must be in a row's id, name, state, region, group or image.
  const filter = page.getByRole("searchbox", { name: "Filter machines" });
  await filter.fill("worker");
  await page.getByText("1 of 3 machines", { exact: true }).waitFor();
  // The selected machines the filter hides are still selected, and the bar says so.
  await toolbar.getByText("2 selected, 2 hidden by the filter").waitFor();
  await table.getByRole("cell", { name: "web-1", exact: true }).waitFor({ state: "detached" });
  await table.getByRole("cell", { name: "worker-1", exact: true }).waitFor();
  await page.screenshot({ path: `${screenshots}/machines-filter.png` });
  await filter.fill("syd nginx web-2");
  await page.getByText("1 of 3 machines", { exact: true }).waitFor();
  await table.getByRole("cell", { name: "web-2", exact: true }).waitFor();
  // Live: no machine is stopped yet; the stopped ones join the filtered rows as their state changes.
  await filter.fill("Stopped");
  await page.getByText("No machine matches “Stopped”.").waitFor();
  await page.getByText("0 of 3 machines", { exact: true }).waitFor();

  await toolbar.getByRole("button", { name: "Stop the selected machines" }).click();
  await plan.filter({ hasText: "stop 2 machines" }).waitFor({ timeout: 15_000 });
  assert.equal((await states())["web-1"], "started", "nothing runs before Apply");
  await page.getByRole("button", { name: "Apply to the selection" }).click();
  await page.getByRole("list", { name: "Selection timeline" }).filter({ hasText: "✔ Finished" }).waitFor({ timeout: 30_000 });
  assert.deepEqual(await states(), { "web-1": "stopped", "web-2": "stopped", "worker-1": "started" });
  await page.getByText("2 of 3 machines", { exact: true }).waitFor({ timeout: 15_000 });
  await table.getByRole("row").filter({ hasText: "web-2" }).getByText("stopped").waitFor({ timeout: 15_000 });
  assert.equal(await table.getByRole("cell", { name: "worker-1", exact: true }).count(), 0);
  await filter.fill("");
  await page.getByText("3 machines", { exact: true }).waitFor();

  // The selection is cleared by a run: select again, then remove both (started or not, with force: the plan is the
  // confirmation).
  await page.getByRole("checkbox", { name: "Select machine web-1" }).check();
  await page.getByRole("checkbox", { name: "Select machine web-2" }).check();
  await toolbar.getByRole("button", { name: "Remove the selected machines" }).click();
  await plan.filter({ hasText: "remove 2 machines" }).waitFor({ timeout: 15_000 });
  await page.getByRole("button", { name: "Apply to the selection" }).click();
  await table.getByRole("cell", { name: "web-1", exact: true }).waitFor({ state: "detached", timeout: 30_000 });
  const left = await states();
  assert.deepEqual(Object.keys(left).filter((name) => !["destroyed", "destroying"].includes(left[name])), ["worker-1"]);
  assert.deepEqual(problems, []);
  await close();
});

test("App → Machines by process group: dragging a machine to another group's column plans its assignment", async () => {
  await seedWebAndWorker("e2e-board");
  const { page, problems, close } = await open("#/apps/e2e-board/machines");
  await page.getByRole("table", { name: "Machines of the app" }).getByRole("cell", { name: "web-2", exact: true })
    .waitFor({ timeout: 15_000 });
  await page.getByRole("button", { name: "By process group" }).click();
  assert.equal(await page.getByRole("button", { name: "By process group" }).getAttribute("aria-pressed"), "true");
  const web = page.getByRole("region", { name: "Group web" });
  const worker = page.getByRole("region", { name: "Group worker" });
  const card = (column, name) => column.getByRole("listitem").filter({ hasText: name });
  await card(web, "web-2").waitFor({ timeout: 15_000 });
  assert.equal(await web.getByRole("listitem").count(), 2);
  assert.equal(await worker.getByRole("listitem").count(), 1);
  assert.equal(await page.getByRole("table", { name: "Machines of the app" }).isVisible(), false, "one view at a time");

  // From the keyboard: select a machine on its card, then "Move selected here" on the worker column.
  await web.getByRole("checkbox", { name: "Select machine web-1" }).check();
  const moveToWeb = web.getByRole("button", { name: "Move selected machines to group web" });
  assert.equal(await moveToWeb.isDisabled(), true, "nothing selected would leave web for web");
  await worker.getByRole("button", { name: "Move selected machines to group worker" }).click();
  const plan = page.getByLabel("Assignment plan");
  await plan.waitFor({ timeout: 15_000 });
  const ids = Object.fromEntries((await fetch(`${emulator.url}/v1/apps/e2e-board/machines`, {
    headers: { authorization: `Bearer ${emulator.token}` },
  }).then((r) => r.json())).map((m) => [m.name, m.id]));
  assert.match(await plan.innerText(), new RegExp(`set fly_process_group=worker on machine ${ids["web-1"]}`));
  await web.getByRole("checkbox", { name: "Select machine web-1" }).uncheck();

  // With the mouse: drag web-2's card onto the worker column; the plan is for web-2 alone.
  await card(web, "web-2").dragTo(worker);
  await page.waitForFunction(([moved, staying]) => {
    const plan = document.querySelector("pre.plan");
    return plan && plan.textContent.includes(moved) && !plan.textContent.includes(staying);
  }, [ids["web-2"], ids["web-1"]], { timeout: 15_000 });
  const text = await plan.innerText();
  assert.match(text, /fly_process_group/);
  assert.match(text, /worker/);
  await page.screenshot({ path: `${screenshots}/assign-by-group.png`, fullPage: true });
  await page.getByRole("button", { name: "Apply assignment" }).click();
  await page.getByRole("list", { name: "Assignment timeline" }).filter({ hasText: "✔ Finished" }).waitFor({ timeout: 30_000 });
  await card(worker, "web-2").waitFor({ timeout: 15_000 });
  assert.equal(await web.getByRole("listitem").count(), 1);
  const machines = await fetch(`${emulator.url}/v1/apps/e2e-board/machines`, {
    headers: { authorization: `Bearer ${emulator.token}` },
  }).then((r) => r.json());
  assert.equal(machines.find((m) => m.name === "web-2").config.metadata.fly_process_group, "worker");
  assert.deepEqual(machines.find((m) => m.name === "web-2").config.init.cmd, ["bin/worker"]);
  assert.equal(machines.find((m) => m.name === "web-1").config.metadata.fly_process_group, "web", "web-1 was not moved");
  assert.deepEqual(problems, []);
  await close();
});

test("App → Overview puts the app's regions on a world map with their machine counts", async () => {
  const config = { image: "nginx:1.27", metadata: { fly_platform_version: "v2", fly_process_group: "web" } };
  await seed({ apps: [{ name: "e2e-overview", machines: [
    { name: "o-1", region: "iad", config }, { name: "o-2", region: "iad", config },
    { name: "o-3", region: "syd", config }, { name: "o-4", region: "fra", state: "stopped", config },
  ] }] });
  const { page, problems, close } = await open("#/apps/e2e-overview/overview");
  const map = page.getByRole("img", { name: "World map of the app's regions" });
  await map.locator("g.mark").first().waitFor({ timeout: 15_000 });
  assert.deepEqual(
    (await map.locator("g.mark text").allTextContents()).map((t) => t.trim()).sort(),
    ["fra · 1", "iad · 2", "syd · 1"],
  );
  assert.equal(await map.locator("g.mark.partial").count(), 1, "fra has a stopped machine");
  // Sydney is drawn south-east of Ashburn.
  const centre = async (label) => {
    const circle = map.locator("g.mark").filter({ hasText: label }).locator("circle");
    return { x: Number(await circle.getAttribute("cx")), y: Number(await circle.getAttribute("cy")) };
  };
  const [iad, syd] = [await centre("iad"), await centre("syd")];
  assert.ok(syd.x > iad.x && syd.y > iad.y);
  const table = page.getByRole("table", { name: "Machines per region" });
  await table.getByRole("cell", { name: "Sydney, Australia" }).waitFor();
  assert.match(await table.innerText(), /fra\s+Frankfurt, Germany\s+0 of 1\s+web 1/);
  await page.screenshot({ path: `${screenshots}/overview.png`, fullPage: true });

  // Kept live by the summary list (every 5 s): a machine stopped through the API is counted as stopped without the
  // full list (every machine's config, read for the process groups) being read again.
  const lists = { full: 0, summary: 0 };
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (request.method() !== "GET" || url.pathname !== "/v1/apps/e2e-overview/machines") return;
    lists[url.searchParams.get("summary") === "true" ? "summary" : "full"] += 1;
  });
  const machines = await fetch(`${emulator.url}/v1/apps/e2e-overview/machines`, {
    headers: { authorization: `Bearer ${emulator.token}` },
  }).then((r) => r.json());
  const sydney = machines.find((m) => m.name === "o-3").id;
  const stopped = await fetch(`${emulator.url}/v1/apps/e2e-overview/machines/${sydney}/stop`, {
    method: "POST",
    headers: { authorization: `Bearer ${emulator.token}`, "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(stopped.status, 200);
  await table.getByRole("row").filter({ hasText: "Sydney, Australia" }).getByText("0 of 1").waitFor({ timeout: 15_000 });
  assert.equal(await map.locator("g.mark.partial").count(), 2, "syd has a stopped machine now");
  assert.match(await table.innerText(), /syd\s+Sydney, Australia\s+0 of 1\s+web 1/, "its group still known");
  assert.ok(lists.summary >= 1, `${lists.summary} summary lists`);
  assert.equal(lists.full, 0, "no full list while only states changed");
  assert.deepEqual(problems, []);
  await close();
});

test("App → Overview shows drift from the fly.toml draft, machine by machine, and none once it is deployed", async () => {
  const web = { image: "nginx:1.27", metadata: { fly_platform_version: "v2", fly_process_group: "web" } };
  const worker = { ...web, metadata: { ...web.metadata, fly_process_group: "worker" } };
  await seed({ apps: [{ name: "e2e-drift", machines: [
    { name: "w-1", region: "iad", config: web }, { name: "w-2", region: "iad", config: web },
    { name: "k-1", region: "iad", config: worker },
  ] }] });
  const { page, problems, close } = await open("#/apps/e2e-drift/overview");
  const card = page.getByRole("region", { name: "Drift from fly.toml" });
  await card.getByText("No fly.toml draft for this app yet").waitFor({ timeout: 15_000 });
  await card.getByRole("link", { name: "App → Config" }).click();
  const editor = page.getByRole("textbox", { name: "fly.toml" });
  await page.getByText("No problems found.").waitFor({ timeout: 15_000 });
  await editor.fill(`app = "e2e-drift"\nprimary_region = "iad"\n[build]\nimage = "nginx:1.27"\n[env]\nLOG_LEVEL = "debug"\n` +
    `[processes]\nweb = "nginx -g 'daemon off;'"\n`);
  await page.getByText("No problems found.").waitFor();
  await page.getByRole("link", { name: "Overview" }).click();
  const list = card.getByRole("list", { name: "Machines that differ from fly.toml" });
  await list.waitFor({ timeout: 15_000 });
  assert.match(await card.innerText(), /3 of 3 machine\(s\) differ from fly\.toml/);
  const item = (name) => list.getByRole("listitem").filter({ hasText: `(${name})` });
  assert.match(await item("k-1").innerText(), /\[worker\]: its group is not in fly\.toml, so a deploy would destroy it/);
  assert.match(await item("w-1").innerText(), /\+ env\.LOG_LEVEL: "debug"/);
  assert.match(await item("w-2").innerText(), /\+ init\.cmd: \["nginx","-g","daemon off;"\]/);
  await page.screenshot({ path: `${screenshots}/overview-drift.png`, fullPage: true });

  // Deploying the draft is what the list said: afterwards nothing differs (and the orphaned worker is gone).
  await card.getByRole("link", { name: "Plan the deploy" }).click();
  await page.getByRole("button", { name: "Plan deploy", exact: true }).click();
  await page.getByLabel("Deploy plan").waitFor({ timeout: 15_000 });
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await page.getByRole("status").filter({ hasText: "Deployed." }).waitFor({ timeout: 30_000 });
  await page.getByRole("link", { name: "Overview" }).click();
  await card.getByText("All 2 machine(s) run what fly.toml gives their groups.").waitFor({ timeout: 15_000 });
  assert.deepEqual(problems, []);
  await close();
});

test("App → Machines clones a machine into another region and resizes one, each planned first", async () => {
  const config = { image: "nginx:1.27", init: { cmd: ["nginx"] }, guest: { cpu_kind: "shared", cpus: 1, memory_mb: 256 },
    metadata: { fly_platform_version: "v2", fly_process_group: "web" } };
  await seed({ apps: [{ name: "e2e-clone", machines: [{ name: "web-1", region: "syd", config }] }] });
  const { page, problems, close } = await open("#/apps/e2e-clone/machines");
  await page.getByRole("button", { name: "Actions for machine web-1" }).click({ timeout: 15_000 });
  await page.getByRole("button", { name: "Clone machine web-1" }).click();
  const clone = page.getByRole("region", { name: "Clone machine web-1" });
  await clone.getByLabel("Region").selectOption("fra");
  await clone.getByLabel("Command", { exact: true }).fill("nginx -g 'daemon off;'");
  await clone.getByRole("button", { name: "Plan", exact: true }).click();
  await clone.getByLabel("Machine plan").filter({ hasText: "fra" }).waitFor({ timeout: 15_000 });
  await clone.getByRole("button", { name: "Apply", exact: true }).click();
  await clone.getByRole("list", { name: "Machine change timeline" }).filter({ hasText: "✔ Finished" }).waitFor({ timeout: 30_000 });
  await page.screenshot({ path: `${screenshots}/clone.png`, fullPage: true });
  await clone.getByRole("button", { name: "Close" }).click();

  await page.getByRole("button", { name: "Actions for machine web-1" }).click();
  await page.getByRole("button", { name: "Resize machine web-1" }).click();
  const resize = page.getByRole("region", { name: "Resize machine web-1" });
  await resize.getByLabel("Size").selectOption("shared-cpu-2x");
  await resize.getByLabel("Memory (MB)").fill("1024");
  await resize.getByRole("button", { name: "Plan", exact: true }).click();
  await resize.getByLabel("Machine plan").filter({ hasText: "guest" }).waitFor({ timeout: 15_000 });
  await resize.getByRole("button", { name: "Apply", exact: true }).click();
  await resize.getByRole("list", { name: "Machine change timeline" }).filter({ hasText: "✔ Finished" }).waitFor({ timeout: 30_000 });

  const machines = await fetch(`${emulator.url}/v1/apps/e2e-clone/machines`, {
    headers: { authorization: `Bearer ${emulator.token}` },
  }).then((r) => r.json());
  assert.equal(machines.length, 2);
  const original = machines.find((m) => m.name === "web-1");
  const copy = machines.find((m) => m.name !== "web-1");
  assert.equal(copy.region, "fra");
  assert.deepEqual(copy.config.init.cmd, ["nginx", "-g", "daemon off;"]);
  assert.equal(copy.config.metadata.fly_process_group, "web");
  assert.deepEqual([original.config.guest.cpus, original.config.guest.memory_mb], [2, 1024]);
  assert.deepEqual(problems, []);
  await close();
});

test("App → Machines with 1,000 machines draws the rows in view, and scrolling brings the rest", async () => {
  const config = { image: "nginx:1.27", metadata: { fly_platform_version: "v2", fly_process_group: "web" } };
  await seed({ apps: [{ name: "e2e-thousand", machines: [{ name: "many", region: "iad", count: 1000, config }] }] });
  const listed = await fetch(`${emulator.url}/v1/apps/e2e-thousand/machines?summary=true`, {
    headers: { authorization: `Bearer ${emulator.token}` },
  }).then((r) => r.json());
  const { page, problems, close } = await open("#/apps/e2e-thousand/machines");
  const table = page.getByRole("table", { name: "Machines of the app" });
  await page.getByText("1000 machines").waitFor({ timeout: 30_000 });
  await table.getByRole("cell", { name: listed[0].id, exact: true }).waitFor();
  const drawn = await table.locator("tbody tr:not(.spacer)").count();
  assert.ok(drawn > 10 && drawn < 100, `${drawn} rows drawn, not 1,000`);
  // The spacers keep the scroll height of all 1,000 rows.
  const height = await page.locator(".scroller").evaluate((el) => el.scrollHeight);
  assert.ok(height >= 1000 * 44, `scroll height ${height}`);
  await page.locator(".scroller").evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await table.getByRole("cell", { name: listed[999].id, exact: true }).waitFor({ timeout: 10_000 });
  await page.locator(".scroller").evaluate((el) => el.scrollTo(0, el.scrollHeight / 2));
  await table.getByRole("cell", { name: listed[500].id, exact: true }).waitFor({ timeout: 10_000 });
  await page.screenshot({ path: `${screenshots}/machines-thousand.png` });

  // Kept live by the summary list (every 2 s): a machine stopped through the API shows as stopped in its row
  // without the full list (configs of all 1,000 machines) being read again.
  const lists = { full: 0, summary: 0 };
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (request.method() !== "GET" || !/^\/v1\/apps\/e2e-thousand\/machines$/.test(url.pathname)) return;
    lists[url.searchParams.get("summary") === "true" ? "summary" : "full"] += 1;
  });
  const middle = listed[500].id;
  const api = (path) =>
    fetch(`${emulator.url}/v1/apps/e2e-thousand/machines/${middle}/${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${emulator.token}`, "content-type": "application/json" },
      body: "{}",
    });
  assert.equal((await api("stop")).status, 200);
  const middleRow = table.getByRole("row").filter({ has: page.getByRole("cell", { name: middle, exact: true }) });
  await middleRow.getByText("stopped", { exact: true }).waitFor({ timeout: 15_000 });
  assert.ok(lists.summary >= 1, `${lists.summary} summary lists`);
  assert.ok(lists.full <= 1, `${lists.full} full lists while the state changed`);
  assert.deepEqual(problems, []);
  await close();
});
