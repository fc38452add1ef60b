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
  // The bare fetch plus what the transport adds per call, one at a time, to see where the overhead goes.
  const withAbort = async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 60_000);
    try {
      return await (await fetch(url, { headers, signal: controller.signal })).json();
    } finally {
      clearTimeout(timer);
    }
  };
  const withBytes = async () => {
    const response = await fetch(url, { headers });
    [...response.headers.entries()];
    return JSON.parse(new TextDecoder().decode(new Uint8Array(await response.arrayBuffer())));
  };
  const collect = globalThis.gc ?? (() => {});
  async function sample(fn, n) {
    collect();
    const start = performance.now();
    for (let i = 0; i < n; i++) await fn();
    return ((performance.now() - start) * 1000) / n;
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (let i = 0; i < 200; i++) (await ours(), await bare(), await withAbort(), await withBytes());
  const [o, b, a, y] = [[], [], [], []];
  for (let s = 0; s < 21; s++) {
    o.push(await sample(ours, 50));
    b.push(await sample(bare, 50));
    a.push(await sample(withAbort, 50));
    y.push(await sample(withBytes, 50));
  }
  const [mo, mb, ma, my] = [median(o), median(b), median(a), median(y)];
  console.log(
    `node ${process.version}: GET app — MachinesClient ${mo.toFixed(0)} µs, bare fetch ${mb.toFixed(0)} µs per call ` +
      `(medians of 21×50, sequential); client overhead ${(mo - mb).toFixed(0)} µs (${((mo / mb - 1) * 100).toFixed(0)} %)`,
  );
  console.log(
    `  of which, measured on the bare fetch: AbortController + timeout timer +${(ma - mb).toFixed(0)} µs; ` +
      `headers copied + body as bytes + decode +${(my - mb).toFixed(0)} µs; the rest (wasm, JSON hop, promises) ` +
      `${(mo - ma - (my - mb)).toFixed(0)} µs`,
  );
} finally {
  await emulator.stop();
}
