// The apps page's first meaningful render (navigation → the apps table drawn) and the launch wizard beside it ready
// (→ the fly.toml it writes shown: with a split build, its module and the chunks it shares fetched) over a slower
// link than loopback, for two dashboard builds side by side: each served by its own emulator, Chromium's network emulation (DevTools
// `Network.emulateNetworkConditions`: a download rate and a round-trip latency) on every page, loads interleaved (9
// each, the order alternating), medians. Also the main wasm's bytes as sent (Resource Timing's encodedBodySize), which
// shows which encoding each build's server chose, and how many wasm files the page fetched by the time the wizard
// was ready.
// Run: node bench/dashboard-network.mjs BEFORE_DIST AFTER_DIST [--mbps 10] [--rtt-ms 40]
// (for Brotli against gzip: copy dist/ aside without its .br files as BEFORE, dist/ as AFTER).
import { launchBrowser, startEmulator } from "../tests/e2e/support.mjs";

const option = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const [before, after] = process.argv.slice(2).filter((arg, i, all) => !arg.startsWith("--") && !all[i - 1]?.startsWith("--"));
if (!before || !after) throw new Error("usage: node bench/dashboard-network.mjs BEFORE_DIST AFTER_DIST [--mbps N] [--rtt-ms N]");
const mbps = option("--mbps", 10);
const rttMs = option("--rtt-ms", 40);
const loads = 9;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browser = await launchBrowser();
const emulators = {};
try {
  for (const [name, dist] of Object.entries({ before, after })) {
    emulators[name] = await startEmulator({ token: "n", dashboard: dist });
    const created = await fetch(`${emulators[name].url}/v1/apps`, {
      method: "POST",
      headers: { authorization: "Bearer n", "content-type": "application/json" },
      body: JSON.stringify({ app_name: "listed", org_slug: "personal" }),
    });
    if (!created.ok) throw new Error(await created.text());
  }
  const results = {};
  for (const name of ["before", "after"]) results[name] = { drawn: [], wizard: [], sent: [], files: [] };
  for (let i = 0; i < loads; i++) {
    for (const name of i % 2 ? ["after", "before"] : ["before", "after"]) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const cdp = await page.context().newCDPSession(page);
      await cdp.send("Network.enable");
      await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: rttMs,
        downloadThroughput: (mbps * 1e6) / 8,
        uploadThroughput: (mbps * 1e6) / 8,
      });
      // Each moment is noted in the page, at the DOM change that brings it: read afterwards, a time includes the
      // test's own round trips, which under network emulation took about 400 ms more (twelfth session).
      await page.addInitScript(() => {
        const marks = (window.__marks = {});
        const seen = {
          drawn: () => document.querySelector('table[aria-label="Apps"] tbody tr'),
          wizard: () => document.querySelector('pre[aria-label="Generated fly.toml"]'),
        };
        new MutationObserver(() => {
          for (const [mark, found] of Object.entries(seen)) if (marks[mark] === undefined && found()) marks[mark] = performance.now();
        }).observe(document, { childList: true, subtree: true });
      });
      await page.goto(`${emulators[name].url}/#/`);
      await page.waitForFunction(() => window.__marks.drawn !== undefined && window.__marks.wizard !== undefined, null, {
        timeout: 120_000,
        polling: 5,
      });
      const { drawn, wizard, sent, files } = await page.evaluate(() => {
        const wasm = performance.getEntriesByType("resource").filter((entry) => entry.name.endsWith(".wasm"));
        return {
          ...window.__marks,
          sent: wasm.find((entry) => entry.name.endsWith("_bg.wasm"))?.encodedBodySize,
          files: wasm.length,
        };
      });
      for (const [key, value] of Object.entries({ drawn, wizard, sent, files })) results[name][key].push(value);
      await page.close();
    }
  }
  const line = (name) => {
    const { drawn, wizard, sent, files } = results[name];
    return `${name}: apps page drawn at ${median(drawn).toFixed(0)} ms, launch wizard ready at ${median(wizard).toFixed(0)} ms; main wasm sent as ${median(sent)} B, ${median(files)} wasm files`;
  };
  const ratio = (key) => (median(results.after[key]) / median(results.before[key])).toFixed(3);
  console.log(`dashboard over ${mbps} Mbit/s with ${rttMs} ms round trips (medians of ${loads} loads each, interleaved)`);
  console.log(`  ${line("before")}\n  ${line("after")}`);
  console.log(`  after/before: apps page ${ratio("drawn")}×, launch wizard ${ratio("wizard")}×`);
} finally {
  await browser.close();
  for (const emulator of Object.values(emulators)) await emulator.stop();
}
