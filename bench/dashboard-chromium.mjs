// Dashboard figures in headless Chromium on loopback, against flightdeck-server serving dist/ with a fresh emulator:
// the apps page's first meaningful render (navigation → the apps table drawn), and App → Machines with 1,000
// machines (navigation → the table holding all 1,000, its visible rows drawn), and that table's first render apart
// from loading: from the moment the 1,000-machine list has arrived (its response's last byte, Resource Timing) to
// the DOM holding the table's rows (a MutationObserver installed before the page's scripts) and to the end of the
// first frame painted after it. Medians of 5 page loads each. Run after scripts/build-web.
import { launchBrowser, startEmulator, dist } from "../tests/e2e/support.mjs";

const emulator = await startEmulator({ token: "bench-dashboard", dashboard: dist });
const browser = await launchBrowser();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const config = { image: "registry.fly.io/big:v1", metadata: { fly_platform_version: "v2", fly_process_group: "web" } };
  const seeded = await fetch(`${emulator.url}/__emulator/seed`, {
    method: "POST",
    headers: { authorization: `Bearer ${emulator.token}`, "content-type": "application/json" },
    body: JSON.stringify({ apps: [{ name: "big", machines: [{ name: "web", region: "iad", count: 1000, config }] }] }),
  });
  if (seeded.status !== 201) throw new Error(await seeded.text());
  const renders = { dom: [], painted: [] };
  const measure = async (hash, ready) => {
    const times = [];
    for (let i = 0; i < 5; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      // Notes when `ready` first holds, at the DOM change that made it hold, and the end of the next painted frame
      // (a task queued from the frame's requestAnimationFrame runs after its paint).
      await page.addInitScript((source) => {
        const ready = new Function(`return (${source})()`);
        const observer = new MutationObserver(() => {
          if (window.__readyAt !== undefined || !ready()) return;
          window.__readyAt = performance.now();
          observer.disconnect();
          requestAnimationFrame(() => setTimeout(() => (window.__paintedAt = performance.now()), 0));
        });
        observer.observe(document, { childList: true, subtree: true, attributes: true });
      }, ready.toString());
      await page.goto(`${emulator.url}/${hash}`);
      await page.waitForFunction(() => window.__paintedAt !== undefined, null, { timeout: 60_000, polling: 5 });
      const { readyAt, paintedAt, listed } = await page.evaluate(() => ({
        readyAt: window.__readyAt,
        paintedAt: window.__paintedAt,
        // The machine list's request (the dashboard's only GET of /v1/apps/<app>/machines before the table draws).
        listed: performance
          .getEntriesByType("resource")
          .filter((entry) => /\/v1\/apps\/[^/]+\/machines(\?|$)/.test(entry.name))
          .map((entry) => entry.responseEnd)
          .find((end) => end <= window.__readyAt),
      }));
      times.push(paintedAt);
      if (listed !== undefined) {
        renders.dom.push(readyAt - listed);
        renders.painted.push(paintedAt - listed);
      }
      await page.close();
    }
    return median(times);
  };
  // The machines table draws the rows in its scroll view (windowed): ready when it knows all 1,000 machines
  // (aria-rowcount counts the header row too) and has drawn its first rows.
  const drawn = () => {
    const table = document.querySelector('table[aria-label="Machines of the app"]');
    return table?.getAttribute("aria-rowcount") === "1001" && table.querySelectorAll("tbody tr:not(.spacer)").length > 0;
  };
  const apps = await measure("#/", () => document.querySelectorAll('table[aria-label="Apps"] tbody tr').length > 0);
  renders.dom.length = renders.painted.length = 0; // the apps page lists no machines
  const thousand = await measure(
    "#/apps/big/machines",
    drawn,
  );
  // One machine's state change in the 1,000-row table: the main thread's busy time (CDP TaskDuration) over one
  // 2-second refresh in which one machine changed, against refreshes in which none did. The difference is what the
  // change costs the page (the refresh itself — fetching and decoding 1,000 machines — is paid either way).
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  await page.goto(`${emulator.url}/#/apps/big/machines`);
  await page.waitForFunction(drawn, null, { timeout: 60_000 });
  const busy = async () => (await cdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "TaskDuration").value * 1000;
  const machines = await fetch(`${emulator.url}/v1/apps/big/machines?summary=true`, { headers: { authorization: `Bearer ${emulator.token}` } }).then((r) => r.json());
  const window = async (change) => {
    await page.waitForTimeout(2100);
    const before = await busy();
    if (change) await change();
    await page.waitForTimeout(2100);
    return (await busy()) - before;
  };
  const quiet = [];
  const changed = [];
  // Nine of each: one window is noisy on a shared machine (a refresh falls in or out of it).
  for (let i = 0; i < 9; i++) {
    quiet.push(await window(null));
    const id = machines[i].id;
    changed.push(
      await window(() =>
        fetch(`${emulator.url}/v1/apps/big/machines/${id}/cordon`, { method: "POST", headers: { authorization: `Bearer ${emulator.token}` } }).then(async () =>
          fetch(`${emulator.url}/v1/apps/big/machines/${id}/stop`, { method: "POST", headers: { authorization: `Bearer ${emulator.token}`, "content-type": "application/json" }, body: "{}" }),
        ),
      ),
    );
  }
  await page.close();
  console.log(
    `dashboard in headless Chromium on loopback (median of 5 loads, from navigation): apps page drawn at ${apps.toFixed(0)} ms; ` +
      `App → Machines with 1,000 machines drawn at ${thousand.toFixed(0)} ms; ` +
      `its first render, from the list's arrival: ${median(renders.dom).toFixed(1)} ms to the rows in the DOM, ` +
      `${median(renders.painted).toFixed(1)} ms to the frame painted (${renders.dom.length} loads); main-thread time per ~2 s refresh window: ` +
      `${median(quiet).toFixed(1)} ms with no change, ${median(changed).toFixed(1)} ms with one machine stopping (medians of 9) ` +
      `(one change costs ≈ ${(median(changed) - median(quiet)).toFixed(1)} ms)`,
  );
} finally {
  await browser.close();
  await emulator.stop();
}
