// The light fly.toml entry (`flightdeck/config`): types come from the declarations wasm-bindgen generates for the
// fly.toml-only build; its values are the main entry's (the same Rust types), so a config from here plans there.
export {
  version,
  validateConfig,
  renderDiagnostics,
  machineConfigFor,
  toToml,
  launchConfig,
} from "./wasm-config/flightdeck.js";

export type * from "./wasm-config/flightdeck.js";
export { FlightdeckError } from "./errors.js";
