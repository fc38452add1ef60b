// Types come from the declarations wasm-bindgen generates from the Rust facade and the core's types (tsify derives
// them from the same serde definitions the values cross the boundary with); nothing is kept by hand here but
// `runEvents`, written in JavaScript (`FlightdeckError` is declared beside its code, in errors.d.ts).
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
  planScaleRegions,
  planAppRestart,
  driftReport,
  planClone,
  planMachineUpdate,
  planMachineCommand,
  planScaleVm,
  configFromMachines,
  planSecretsDeploy,
  planLaunch,
  describePlan,
  eventLine,
} from "./wasm/flightdeck.js";

export type * from "./wasm/flightdeck.js";
import type { MachinesClient, Plan, Report, RunEvent, RunOptions } from "./wasm/flightdeck.js";
export { FlightdeckError } from "./errors.js";

/** The events of a run as they happen, the report when it ends, and a way to cancel it. */
export interface RunStream {
  events: AsyncIterableIterator<RunEvent>;
  done: Promise<Report>;
  abort(): void;
}
/** Runs a plan from `planDeploy` and friends through `client`, as a stream of events. */
export function runEvents(client: MachinesClient, plan: Plan, options?: RunOptions): RunStream;
