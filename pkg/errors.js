// FlightdeckError, the class of everything the package throws or rejects with. The WebAssembly glue (ES module and
// CommonJS builds alike) and the JavaScript helpers each load their own copy of this file; the class itself is made
// once per JavaScript realm and kept under a registered symbol, so `instanceof FlightdeckError` holds whichever
// entry point made the error and whichever one the caller imported.
const key = Symbol.for("flightdeck.FlightdeckError");

class FlightdeckErrorClass extends Error {
  /**
   * @param {string} message
   * @param {string} code stable identifier: `invalid_argument`, `not_found`, `lease_held`, `plan`, `run`, …
   * @param {number | null} status the HTTP status, for API errors
   * @param {string | null} requestId the API's request id, when it sent one
   */
  constructor(message, code, status = null, requestId = null) {
    super(message);
    this.name = "FlightdeckError";
    this.code = code;
    this.status = status;
    this.requestId = requestId;
  }
}

globalThis[key] ??= FlightdeckErrorClass;
export const FlightdeckError = globalThis[key];
