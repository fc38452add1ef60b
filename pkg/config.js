// The light fly.toml entry of the flightdeck npm package for Node (`import … from "flightdeck/config"`): validation,
// diagnostics, the machine config of each process group, writing fly.toml and launch defaults, from a WebAssembly
// build without the API client, planners and engine (about half the main entry's). Loads it once, synchronously, and
// re-exports it; no logic here. The values it returns are the main entry's (a config from here plans there).
import { readFileSync } from "node:fs";
import { initSync } from "./wasm-config/flightdeck.js";

initSync({ module: readFileSync(new URL("./wasm-config/flightdeck_bg.wasm", import.meta.url)) });

export {
  version,
  validateConfig,
  renderDiagnostics,
  machineConfigFor,
  toToml,
  launchConfig,
} from "./wasm-config/flightdeck.js";
export { FlightdeckError } from "./errors.js";
