// `node:assert/strict` for the package's test files when they run in a browser page (test/browser-suite.test.mjs
// maps the specifier here with an import map). Only what the suites call, with Node's strict semantics:
// `equal` is Object.is, `deepEqual` compares prototypes and own enumerable keys, `throws`/`rejects` take a class,
// a validator function, a RegExp or an object whose every property must match.

export class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = "AssertionError";
  }
}

const show = (value) => {
  try {
    return typeof value === "string" ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  } catch {
    return String(value);
  }
};

function fail(message, fallback) {
  if (message instanceof Error) throw message;
  throw new AssertionError(message ?? fallback);
}

function isDeepStrictEqual(actual, expected, seen = new Map()) {
  if (Object.is(actual, expected)) return true;
  if (typeof actual !== "object" || typeof expected !== "object" || actual === null || expected === null) return false;
  if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) return false;
  if (seen.get(actual) === expected) return true;
  seen.set(actual, expected);
  if (actual instanceof Date) return actual.getTime() === expected.getTime();
  if (actual instanceof RegExp) return String(actual) === String(expected);
  if (actual instanceof Error && (actual.name !== expected.name || actual.message !== expected.message)) return false;
  if (actual instanceof Map || actual instanceof Set) {
    if (actual.size !== expected.size) return false;
    const rest = [...expected];
    for (const entry of actual) {
      const at = rest.findIndex((other) => isDeepStrictEqual(entry, other, seen));
      if (at < 0) return false;
      rest.splice(at, 1);
    }
    return true;
  }
  if (Array.isArray(actual) && actual.length !== expected.length) return false;
  const keys = Object.keys(actual);
  if (keys.length !== Object.keys(expected).length) return false;
  return keys.every((key) => Object.hasOwn(expected, key) && isDeepStrictEqual(actual[key], expected[key], seen));
}

function matchesExpected(error, expected, message) {
  if (expected === undefined) return;
  if (expected instanceof RegExp) {
    if (!expected.test(String(error))) fail(message, `the error ${show(String(error))} does not match ${expected}`);
    return;
  }
  if (typeof expected === "function") {
    if (expected.prototype !== undefined && error instanceof expected) return;
    if (expected === Error || Error.isPrototypeOf(expected)) {
      fail(message, `the error is not an instance of ${expected.name}: ${show(String(error))}`);
    }
    if (expected.call({}, error) !== true) fail(message, `the validator ${expected.name || "function"} did not return true`);
    return;
  }
  if (typeof expected === "object" && expected !== null) {
    for (const key of Object.keys(expected)) {
      const want = expected[key];
      const got = error?.[key];
      const ok = want instanceof RegExp && typeof got === "string" ? want.test(got) : isDeepStrictEqual(got, want);
      if (!ok) fail(message, `error.${key} is ${show(got)}, expected ${show(want)}`);
    }
    return;
  }
  throw new TypeError("the expected value must be a function, RegExp or object");
}

const NOTHING = Symbol("nothing thrown");

const assert = {
  AssertionError,
  ok(value, message) {
    if (!value) fail(message, `expected a truthy value, got ${show(value)}`);
  },
  equal(actual, expected, message) {
    if (!Object.is(actual, expected)) fail(message, `${show(actual)} !== ${show(expected)}`);
  },
  notEqual(actual, expected, message) {
    if (Object.is(actual, expected)) fail(message, `expected anything but ${show(expected)}`);
  },
  deepEqual(actual, expected, message) {
    if (!isDeepStrictEqual(actual, expected)) fail(message, `not deep-equal:\n${show(actual)}\n${show(expected)}`);
  },
  match(string, regexp, message) {
    if (typeof string !== "string" || !regexp.test(string)) fail(message, `${show(string)} does not match ${regexp}`);
  },
  doesNotMatch(string, regexp, message) {
    if (typeof string !== "string" || regexp.test(string)) fail(message, `${show(string)} matches ${regexp}`);
  },
  throws(fn, expected, message) {
    let error = NOTHING;
    try {
      fn();
    } catch (caught) {
      error = caught;
    }
    if (error === NOTHING) fail(typeof expected === "string" ? expected : message, "missing expected exception");
    matchesExpected(error, typeof expected === "string" ? undefined : expected, message);
  },
  async rejects(promiseOrFn, expected, message) {
    let error = NOTHING;
    try {
      await (typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn);
    } catch (caught) {
      error = caught;
    }
    if (error === NOTHING) fail(typeof expected === "string" ? expected : message, "missing expected rejection");
    matchesExpected(error, typeof expected === "string" ? undefined : expected, message);
  },
};

export default assert;
export const { ok, equal, notEqual, deepEqual, match, doesNotMatch, throws, rejects } = assert;
export { isDeepStrictEqual };
