// Shared by the end-to-end tests: Debian's Chromium through playwright-core (never a downloaded browser), the
// built dashboard (dist/) on a fresh emulator, and a folder for screenshots.
import { mkdirSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

export { startEmulator } from "../../pkg/test/support/emulator.mjs";
import { launchBrowser as launchChromium } from "./browser.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));

export const dist = process.env.FLIGHTDECK_DIST ?? `${root}dist`;
export const screenshots = process.env.FLIGHTDECK_SCREENSHOTS ?? `${root}test-results/e2e`;
mkdirSync(screenshots, { recursive: true });

/** Headless Chromium with the flags that work as root on a closed network (dashboard tests need its build). */
export async function launchBrowser() {
  if (!existsSync(`${dist}/index.html`)) throw new Error(`${dist}/index.html is missing: build the dashboard first (scripts/test does)`);
  return launchChromium();
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

/** The screen fits its viewport: nothing scrolls the page sideways, and nothing sticks out of a card (a card that
 * scrolls its content sideways counts too). */
export async function assertFits(page) {
  const overflow = await page.evaluate(() => {
    const wider = (element) => element.scrollWidth - element.clientWidth > 1;
    return [
      ...(wider(document.documentElement) ? [`the page: ${document.documentElement.scrollWidth} px wide`] : []),
      ...[...document.querySelectorAll(".card")]
        .filter(wider)
        .map((card) => `a card (${card.querySelector("h2")?.textContent ?? card.className}): ${card.scrollWidth} px in ${card.clientWidth}`),
    ];
  });
  const { width, height } = page.viewportSize();
  assert.deepEqual(overflow, [], `at ${width}×${height}`);
}
