// Runs a plan as a stream: `runEvents(client, plan, options)` → `{ events, done, abort }`, where `events` is an async
// iterator of the engine's events as they happen, `done` the report (rejecting like `client.run`), and `abort()`
// cancels (steps not started are skipped, leases released). Written once here; build-pkg derives the CommonJS copy.
import { FlightdeckError } from "./errors.js";

const invalidArgument = (message) => new FlightdeckError(message, "invalid_argument");

export function runEvents(client, plan, options = {}) {
  if (client === null || typeof client !== "object" || typeof client.run !== "function") {
    throw invalidArgument("runEvents needs a MachinesClient");
  }
  if (options === null || options === undefined) options = {};
  if (typeof options !== "object") throw invalidArgument("runEvents options must be an object");
  const controller = new AbortController();
  const queue = [];
  let wake = null;
  let finished = false;
  const push = (item) => {
    queue.push(item);
    if (wake) wake();
  };
  const done = client.run(plan, (event) => push({ event }), { ...options, signal: controller.signal }).finally(() => {
    finished = true;
    if (wake) wake();
  });
  // `done` is also awaited through the iterator; a rejection must not go unhandled when only the events are read.
  done.catch(() => {});
  const events = {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      while (queue.length === 0 && !finished) await new Promise((resolve) => (wake = resolve));
      wake = null;
      if (queue.length > 0) return { value: queue.shift().event, done: false };
      return { value: undefined, done: true };
    },
    async return() {
      controller.abort();
      return { value: undefined, done: true };
    },
  };
  return { events, done, abort: () => controller.abort() };
}
