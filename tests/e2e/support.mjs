// Shared by the end-to-end tests: Debian's Chromium through playwright-core (never a downloaded browser), the
// built dashboard (dist/) on a fresh emulator, and a folder for screenshots.
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import { mkdirSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export { startEmulator } from "../../pkg/test/support/emulator.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const requireFromPkg = createRequire(`${root}pkg/package.json`);
const { chromium } = requireFromPkg("playwright-core");

export const dist = process.env.FLIGHTDECK_DIST ?? `${root}dist`;
export const screenshots = process.env.FLIGHTDECK_SCREENSHOTS ?? `${root}test-results/e2e`;
mkdirSync(screenshots, { recursive: true });

function chromiumPath() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  try {
    return execFileSync("which", ["chromium"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("Debian's chromium is not installed: run scripts/setup");
  }
}

/** Headless Chromium with the flags that work as root on a closed network. */
export async function launchBrowser() {
  if (!existsSync(`${dist}/index.html`)) throw new Error(`${dist}/index.html is missing: build the dashboard first (scripts/test does)`);
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Creates an app straight through the API (test setup, not the flow under test). */
export async function createApp(emulator, name) {
  const response = await fetch(`${emulator.url}/v1/apps`, {
    method: "POST",
    headers: { authorization: `Bearer ${emulator.token}`, "content-type": "application/json" },
    body: JSON.stringify({ name, org_slug: "personal" }),
  });
  if (response.status !== 201) throw new Error(`create ${name}: ${response.status} ${await response.text()}`);
  return response.json();
}
