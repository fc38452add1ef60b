// Types come from the declarations wasm-bindgen generates from the Rust facade; nothing is kept by hand here.
export {
  MachinesClient,
  version,
  validateConfig,
  renderDiagnostics,
  machineConfigFor,
  toToml,
  launchConfig,
  planDeploy,
  planScaleCount,
  planAppRestart,
  driftReport,
} from "./wasm/flightdeck.js";
