// test/support/emulator.mjs for the package's test files in a browser page: the Node side of
// test/browser-suite.test.mjs starts a fresh flightdeck-server per call and hands back its URL.

export async function startEmulator(options = {}) {
  const { id, url, token } = await globalThis.__flightdeckStartEmulator(options);
  return { url, token, output: [], stop: () => globalThis.__flightdeckStopEmulator(id) };
}
