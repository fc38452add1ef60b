// The README's JavaScript examples, run as written (with "flightdeck" resolved to this package) against the
// emulator: documentation that cannot rot.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startEmulator } from "./support/emulator.mjs";

const pkg = fileURLToPath(new URL("../", import.meta.url));
let emulator;
let folder;
before(async () => {
  emulator = await startEmulator({ token: "npm-readme-token", args: ["--speed", "50"] });
  // A project that depends on the package, as a user's would: node_modules/flightdeck → this folder.
  folder = mkdtempSync(join(tmpdir(), "flightdeck-readme-"));
  mkdirSync(join(folder, "node_modules"));
  symlinkSync(pkg, join(folder, "node_modules", "flightdeck"), "dir");
});
after(() => emulator?.stop());

const examples = [...readFileSync(join(pkg, "README.md"), "utf8").matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

test("the README has examples", () => assert.ok(examples.length >= 3));

for (const [index, code] of examples.entries()) {
  test(`README example ${index + 1} runs`, async () => {
    const file = join(folder, `example-${index + 1}.mjs`);
    writeFileSync(file, code);
    const { stdout } = await promisify(execFile)(process.execPath, [file], {
      cwd: folder,
      env: { ...process.env, FLAPS_BASE_URL: emulator.url, FLY_API_TOKEN: emulator.token },
      timeout: 60_000,
    });
    assert.ok(stdout.length > 0);
    if (code.includes("renderDiagnostics")) assert.match(stdout, /^false\ninvalid-value 6:17\n/m);
    if (code.includes("api.run")) assert.match(stdout, /update finished: success/);
    if (code.includes('"flightdeck/config"')) assert.equal(stdout, "true app\n80\n");
  });
}
