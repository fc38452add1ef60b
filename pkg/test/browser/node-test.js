// `node:test` for the package's test files in a browser page: `test`, `before` and `after` register; `run` (called
// by the page the suite runner builds) runs them in order, as Node runs one file, and returns each test's outcome.

const tests = [];
const befores = [];
const afters = [];

export function test(name, fn) {
  tests.push({ name, fn });
}
export const it = test;
export function before(fn) {
  befores.push(fn);
}
export function after(fn) {
  afters.push(fn);
}

const describeError = (error) =>
  error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : `thrown: ${String(error)}`;

export async function run() {
  const results = [];
  let setup = null;
  try {
    for (const fn of befores) await fn();
  } catch (error) {
    setup = describeError(error);
  }
  for (const { name, fn } of tests) {
    if (setup !== null) {
      results.push({ name, ok: false, error: `before() failed: ${setup}` });
      continue;
    }
    try {
      await fn();
      results.push({ name, ok: true });
    } catch (error) {
      results.push({ name, ok: false, error: describeError(error) });
    }
  }
  for (const fn of afters) {
    try {
      await fn();
    } catch (error) {
      results.push({ name: "after()", ok: false, error: describeError(error) });
    }
  }
  return results;
}
