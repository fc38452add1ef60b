// The 1,000-machine table's first render (as bench/dashboard-chromium.mjs times it: from the list's last byte to the
// rows in the DOM and to the frame painted after them) for two dashboard builds side by side: each served by its own
// emulator, loads interleaved (24 each, the order alternating), medians. For a change whose gain is smaller than
// this host's run-to-run spread.
// Run: node bench/dashboard-ab.mjs BEFORE_DIST AFTER_DIST (copy dist/ aside, then build-web the change).
import { launchBrowser, startEmulator } from "../tests/e2e/support.mjs";
const [before, after] = process.argv.slice(2);
if (!before || !after) throw new Error("usage: node bench/dashboard-ab.mjs BEFORE_DIST AFTER_DIST");
const builds = { before, after };
const browser = await launchBrowser();
const emulators = {};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  for (const [name, dist] of Object.entries(builds)) {
    emulators[name] = await startEmulator({ token: "b", dashboard: dist });
    const config = { image: "registry.fly.io/big:v1", metadata: { fly_platform_version: "v2", fly_process_group: "web" } };
    await fetch(`${emulators[name].url}/__emulator/seed`, { method: "POST", headers: { authorization: "Bearer b", "content-type": "application/json" },
      body: JSON.stringify({ apps: [{ name: "big", machines: [{ name: "web", region: "iad", count: 1000, config }] }] }) });
  }
  const results = { before: { dom: [], painted: [] }, after: { dom: [], painted: [] } };
  for (let i = 0; i < 24; i++) {
    for (const name of i % 2 ? ["after", "before"] : ["before", "after"]) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.addInitScript(() => {
        const observer = new MutationObserver(() => {
          const table = document.querySelector('table[aria-label="Machines of the app"]');
          if (window.__readyAt !== undefined || !(table?.getAttribute("aria-rowcount") === "1001" && table.querySelectorAll("tbody tr:not(.spacer)").length > 0)) return;
          window.__readyAt = performance.now();
          observer.disconnect();
          requestAnimationFrame(() => setTimeout(() => (window.__paintedAt = performance.now()), 0));
        });
        observer.observe(document, { childList: true, subtree: true, attributes: true });
      });
      await page.goto(`${emulators[name].url}/#/apps/big/machines`);
      await page.waitForFunction(() => window.__paintedAt !== undefined, null, { timeout: 60000, polling: 5 });
      const r = await page.evaluate(() => ({ readyAt: window.__readyAt, paintedAt: window.__paintedAt,
        listed: performance.getEntriesByType("resource").filter((e) => /\/v1\/apps\/[^/]+\/machines(\?|$)/.test(e.name)).map((e) => e.responseEnd).find((end) => end <= window.__readyAt) }));
      if (r.listed !== undefined) { results[name].dom.push(r.readyAt - r.listed); results[name].painted.push(r.paintedAt - r.listed); }
      await page.close();
    }
  }
  for (const [name, r] of Object.entries(results)) console.log(`${name}: to the DOM ${median(r.dom).toFixed(1)} ms, to the frame painted ${median(r.painted).toFixed(1)} ms (${r.dom.length} loads)`);
} finally { await browser.close(); for (const e of Object.values(emulators)) await e.stop(); }
