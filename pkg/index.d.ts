// Types come from the declarations wasm-bindgen generates from the Rust facade and the core's types (tsify derives
// them from the same serde definitions the values cross the boundary with); nothing is kept by hand here but
// `runEvents` and `FlightdeckError`, the exports written in JavaScript.
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
  planSecretsDeploy,
  planLaunch,
  describePlan,
  eventLine,
} from "./wasm/flightdeck.js";

export type * from "./wasm/flightdeck.js";
import type { Event, MachinesClient, Plan, Report, RunOptions } from "./wasm/flightdeck.js";

/** What every export throws and every client promise rejects with. */
export class FlightdeckError extends Error {
  constructor(message: string, code: string, status?: number | null, requestId?: string | null);
  readonly name: "FlightdeckError";
  /** Stable identifier: `invalid_argument`, `not_found`, `lease_held`, `rate_limited`, `plan`, `run`, … */
  readonly code: string;
  /** The HTTP status of an API error. */
  readonly status: number | null;
  /** The API's request id, when it sent one. */
  readonly requestId: string | null;
  /** For `run` failures: what each step did up to the failure. */
  readonly report?: Report;
}

/** The events of a run as they happen, the report when it ends, and a way to cancel it. */
export interface RunStream {
  events: AsyncIterableIterator<Event>;
  done: Promise<Report>;
  abort(): void;
}
/** Runs a plan from `planDeploy` and friends through `client`, as a stream of events. */
export function runEvents(client: MachinesClient, plan: Plan, options?: RunOptions): RunStream;
