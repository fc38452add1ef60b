// The light fly.toml entry for browsers and bundlers: fetches and instantiates the fly.toml-only WebAssembly build once
// (top-level await), then re-exports it. Same exports as the Node entry (config.js); no logic here.
import init from "./wasm-config/flightdeck.js";

await init({ module_or_path: new URL("./wasm-config/flightdeck_bg.wasm", import.meta.url) });

export * from "./wasm-config/flightdeck.js";
export { FlightdeckError } from "./errors.js";
