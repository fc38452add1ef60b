// The npm client's overhead per call in Node: MachinesClient.getApp against a bare fetch + JSON of the same URL,
// on a spawned emulator (rate limits off), interleaved samples, medians. Run with `node --expose-gc`.
import { performance } from "node:perf_hooks";
import { MachinesClient } from "../pkg/index.js";
import { startEmulator } from "../pkg/test/support/emulator.mjs";

const emulator = await startEmulator({ token: "bench-token", args: ["--no-rate-limits"] });
try {
  const client = new MachinesClient({ baseUrl: emulator.url, token: emulator.token });
  await client.createApp({ name: "bench", org_slug: "personal" });
  const url = `${emulator.url}/v1/apps/bench`;
  const headers = { authorization: `Bearer ${emulator.token}`, accept: "application/json" };
  const ours = () => client.getApp("bench");
  const bare = async () => (await fetch(url, { headers })).json();
  const collect = globalThis.gc ?? (() => {});
  async function sample(fn, n) {
    collect();
    const start = performance.now();
    for (let i = 0; i < n; i++) await fn();
    return ((performance.now() - start) * 1000) / n;
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (let i = 0; i < 200; i++) (await ours(), await bare());
  const [o, b] = [[], []];
  for (let s = 0; s < 21; s++) {
    o.push(await sample(ours, 50));
    b.push(await sample(bare, 50));
  }
  const [mo, mb] = [median(o), median(b)];
  console.log(
    `node ${process.version}: GET app — MachinesClient ${mo.toFixed(0)} µs, bare fetch ${mb.toFixed(0)} µs per call ` +
      `(medians of 21×50, sequential); client overhead ${(mo - mb).toFixed(0)} µs (${((mo / mb - 1) * 100).toFixed(0)} %)`,
  );
} finally {
  await emulator.stop();
}
