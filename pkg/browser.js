// The flightdeck npm package for browsers and bundlers: fetches and instantiates the WebAssembly core once (top-level
// await), then re-exports it. Same exports as the Node entry; no logic here.
import init from "./wasm/flightdeck.js";

await init({ module_or_path: new URL("./wasm/flightdeck_bg.wasm", import.meta.url) });

export * from "./wasm/flightdeck.js";
export { runEvents } from "./events.js";
export { FlightdeckError } from "./errors.js";
