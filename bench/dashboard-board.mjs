// App → Machines "By process group" with 1,000 machines: from the click on the view switch to the frame painted
// after all 1,000 cards are in the DOM, in headless Chromium against the emulator (median of 7 page loads).
// Run: node bench/dashboard-board.mjs (after scripts/build-web).
import { launchBrowser, startEmulator, dist } from "../tests/e2e/support.mjs";

const emulator = await startEmulator({ token: "bench-board", dashboard: dist, args: [] });
const browser = await launchBrowser();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const config = { image: "nginx:1.27", metadata: { fly_platform_version: "v2", fly_process_group: "web" } };
  const seeded = await fetch(`${emulator.url}/__emulator/seed`, {
    method: "POST",
    headers: { authorization: `Bearer ${emulator.token}`, "content-type": "application/json" },
    body: JSON.stringify({ apps: [{ name: "board", machines: [{ name: "many", region: "iad", count: 1000, config }] }] }),
  });
  if (seeded.status !== 201) throw new Error(`seed: ${seeded.status} ${await seeded.text()}`);
  const times = [];
  for (let i = 0; i < 7; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${emulator.url}/#/apps/board/machines`);
    await page.getByText("1000 machines").waitFor({ timeout: 30_000 });
    await page.waitForTimeout(500);
    times.push(
      await page.evaluate(
        () =>
          new Promise((resolve) => {
            const start = performance.now();
            [...document.querySelectorAll("button")].find((b) => b.textContent === "By process group").click();
            const drawn = () =>
              document.querySelectorAll(".machine-card").length >= 1000
                ? requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start)))
                : requestAnimationFrame(drawn);
            drawn();
          }),
      ),
    );
    await context.close();
  }
  console.log(
    `App → Machines by process group, 1,000 machines: click → 1,000 cards painted ${median(times).toFixed(1)} ms ` +
      `(median of ${times.length} loads: ${times.map((t) => t.toFixed(0)).join(", ")})`,
  );
} finally {
  await browser.close();
  await emulator.stop();
}
