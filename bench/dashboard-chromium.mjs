// Dashboard figures in headless Chromium on loopback, against flightdeck-server serving dist/ with a fresh emulator:
// the apps page's first meaningful render (navigation → the apps table drawn), and App → Machines with 1,000
// machines (navigation → the table holding all 1,000, its visible rows drawn), and that table's first render apart
// from loading: from the moment the 1,000-machine list has arrived (its response's last byte, Resource Timing) to
// the DOM holding the table's rows (a MutationObserver installed before the page's scripts) and to the end of the
// first frame painted after it. Medians of 5 page loads each. Run after scripts/build-web.
// `--filter WORDS` types WORDS into the Machines table's filter before the state changes are measured (words every row
// matches, such as "web iad": the table then re-filters all 1,000 rows on every change).
import { launchBrowser, startEmulator, dist } from "../tests/e2e/support.mjs";

// The emulator runs at 50× speed so that a stop or start is done (started → stopped, or back) before the dashboard's next refresh:
// the state-change windows below then hold exactly one visible change of one machine's state, not two
// (started → stopping, stopping → stopped) as at real speed.
const filterAt = process.argv.indexOf("--filter");
const filter = filterAt > 0 ? process.argv[filterAt + 1] : "";
const emulator = await startEmulator({ token: "bench-dashboard", dashboard: dist, args: ["--speed", "50"] });
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
  // One machine's state change in the 1,000-row table. Each window is traced (Chromium's devtools.timeline): the
  // renderer main thread's busy time (outermost tasks) and, within it, the rendering work (style, layout,
  // pre-paint, paint, layerize, commit: the union of their intervals). A window holds one ~2 s refresh (fetching
  // and decoding 1,000 machines, paid whether or not anything changed) and, in a change window, one machine going
  // from started to stopped (or back). Rendering happens only when something changed, so it is attributed to the change
  // exactly; the busy-time difference between change and quiet windows is the whole cost, script included, but
  // carries the refresh's own run-to-run spread.
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const cdp = await page.context().newCDPSession(page);
  await page.goto(`${emulator.url}/#/apps/big/machines`);
  await page.waitForFunction(drawn, null, { timeout: 60_000 });
  if (filter) {
    await page.getByLabel("Filter machines").fill(filter);
    await page.getByText("1000 of 1000 machines").waitFor();
    // Without focus: a blinking caret would paint in every window.
    await page.getByLabel("Filter machines").evaluate((input) => input.blur());
  }
  const machines = await fetch(`${emulator.url}/v1/apps/big/machines?summary=true`, { headers: { authorization: `Bearer ${emulator.token}` } }).then((r) => r.json());
  const RENDERING = new Set(["UpdateLayoutTree", "Layout", "PrePaint", "Paint", "Layerize", "Commit"]);
  const union = (events) => {
    let total = 0;
    let end = -Infinity;
    for (const e of [...events].sort((a, b) => a.ts - b.ts)) {
      const stop = e.ts + e.dur;
      if (e.ts >= end) total += e.dur;
      else if (stop > end) total += stop - end;
      end = Math.max(end, stop);
    }
    return total / 1000;
  };
  const traced = async (work) => {
    const events = [];
    const collect = (data) => events.push(...data.value);
    cdp.on("Tracing.dataCollected", collect);
    const complete = new Promise((resolve) => cdp.once("Tracing.tracingComplete", resolve));
    await cdp.send("Tracing.start", { traceConfig: { includedCategories: ["toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline"] } });
    await work();
    await cdp.send("Tracing.end");
    await complete;
    cdp.off("Tracing.dataCollected", collect);
    const mains = new Set(events.filter((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => `${e.pid}:${e.tid}`));
    const on = (thread) => events.filter((e) => e.ph === "X" && `${e.pid}:${e.tid}` === thread);
    const tasks = (thread) => on(thread).filter((e) => e.name === "ThreadControllerImpl::RunTask" || e.name === "RunTask");
    const main = [...mains].sort((a, b) => union(tasks(b)) - union(tasks(a)))[0];
    return { busy: union(tasks(main)), rendering: union(on(main).filter((e) => RENDERING.has(e.name))) };
  };
  // The table reads the summary list every 2 s and the full list (1,000 configs) after every fifth summary: a window that holds a
  // full list is noted, and the state change is measured on windows without one (the full list is not the change's
  // cost, and its 10 s period would otherwise fall on change windows more often than on quiet ones, or less).
  let fullLists = 0;
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (request.method() === "GET" && /\/v1\/apps\/big\/machines$/.test(url.pathname) && url.searchParams.get("summary") !== "true") fullLists += 1;
  });
  const window = async (change) => {
    const before = fullLists;
    const result = await traced(async () => {
      if (change) await change();
      await page.waitForTimeout(2000);
    });
    return { ...result, full: fullLists > before };
  };
  const quiet = [];
  const changed = [];
  // Twenty of each, alternating: the host is shared and one window is noisy.
  for (let i = 0; i < 20; i++) {
    await page.waitForTimeout(500);
    quiet.push(await window(null));
    // Machines in view only (the first ten rows): stopped in the first ten windows, started again in the last ten.
    const id = machines[i % 10].id;
    const verb = i < 10 ? "stop" : "start";
    await page.waitForTimeout(500);
    changed.push(
      await window(async () => {
        if (verb === "stop") await fetch(`${emulator.url}/v1/apps/big/machines/${id}/cordon`, { method: "POST", headers: { authorization: `Bearer ${emulator.token}` } });
        await fetch(`${emulator.url}/v1/apps/big/machines/${id}/${verb}`, { method: "POST", headers: { authorization: `Bearer ${emulator.token}`, "content-type": "application/json" }, body: "{}" });
      }),
    );
  }
  const clean = (windows) => windows.filter((w) => !w.full);
  const of = (windows, key) => median(clean(windows).map((w) => w[key]));
  // Each change window against the quiet window just before it (pairs where neither holds a full list): pairing
  // takes out the host's drift over the run.
  const pairs = changed.map((w, i) => [quiet[i], w]).filter(([q, c]) => !q.full && !c.full);
  const paired = median(pairs.map(([q, c]) => c.busy - q.busy));
  const withFull = [...quiet, ...changed].filter((w) => w.full).length;
  await page.close();
  console.log(
    `dashboard in headless Chromium on loopback (median of 5 loads, from navigation): apps page drawn at ${apps.toFixed(0)} ms; ` +
      `App → Machines with 1,000 machines drawn at ${thousand.toFixed(0)} ms; ` +
      `its first render, from the list's arrival: ${median(renders.dom).toFixed(1)} ms to the rows in the DOM, ` +
      `${median(renders.painted).toFixed(1)} ms to the frame painted (${renders.dom.length} loads); ` +
      `one machine's state change${filter ? ` with the filter "${filter}"` : ""}: rendering ${of(changed, "rendering").toFixed(1)} ms (windows without a change: ` +
      `${of(quiet, "rendering").toFixed(1)} ms); main thread busy per 2 s window ${of(quiet, "busy").toFixed(1)} ms with no change, ` +
      `${of(changed, "busy").toFixed(1)} ms with the change: ≈ ${paired.toFixed(1)} ms in all ` +
      `(medians of ${clean(quiet).length} quiet and ${clean(changed).length} change windows; the last, of the differences of ` +
      `${pairs.length} adjacent pairs; ${withFull} of ${quiet.length + changed.length} windows held a full list and are left out)`,
  );
} finally {
  await browser.close();
  await emulator.stop();
}
