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
  planClone,
  planMachineUpdate,
  planMachineCommand,
  planScaleVm,
  planSecretsDeploy,
  planLaunch,
  describePlan,
  eventLine,
} from "./wasm/flightdeck.js";

/** The events of a run as they happen, the report when it ends, and a way to cancel it. */
export interface RunStream {
  events: AsyncIterableIterator<Record<string, unknown> & { type: string }>;
  done: Promise<Record<string, unknown>>;
  abort(): void;
}
/** Runs a plan from `planDeploy` and friends through `client`, as a stream of events. */
export function runEvents(
  client: import("./wasm/flightdeck.js").MachinesClient,
  plan: unknown,
  options?: { smokeWindowMs?: number; pollIntervalMs?: number },
): RunStream;
