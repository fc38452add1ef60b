// The package's TypeScript declarations, checked by the TypeScript compiler: test/types/usage.ts uses the API the
// way a TypeScript program would, and marks wrong uses with @ts-expect-error, which tsc reports when unused — so
// declarations that lose their types (wasm-bindgen's `any`) fail here as surely as declarations that are wrong.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const tsc = require.resolve("typescript/bin/tsc");
const usage = fileURLToPath(new URL("./types/usage.ts", import.meta.url));

test("the declarations type-check correct uses and reject wrong ones", () => {
  let output = "";
  try {
    execFileSync(
      process.execPath,
      [tsc, "--noEmit", "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext",
        "--lib", "es2022,dom,esnext.disposable", "--skipLibCheck", "false", usage],
      { encoding: "utf8", stdio: "pipe" },
    );
  } catch (error) {
    output = `${error.stdout}${error.stderr}`;
  }
  assert.equal(output, "", `tsc reported:\n${output}`);
});
