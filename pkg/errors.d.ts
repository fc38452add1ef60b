// The declaration of errors.js: the class of everything the package throws or rejects with, for both entries
// (`flightdeck` and `flightdeck/config`).
import type { Report } from "./wasm/flightdeck.js";

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
