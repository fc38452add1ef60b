// The package's TypeScript declarations, checked by the TypeScript compiler: test/types/usage.ts uses the API the
// way a TypeScript program would, and marks wrong uses with @ts-expect-error, which tsc reports when unused — so
// declarations that lose their types (wasm-bindgen's `any`) fail here as surely as declarations that are wrong.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
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

// The export list is written three times — the ES module entry, its declarations, and (by spreading) the CommonJS
// entry — over what wasm-bindgen generates; this holds them to the generated glue, so an export added in Rust and
// forgotten in one entry fails here instead of shipping. The same for the light `flightdeck/config` entry.
const ENTRIES = [
  { name: "flightdeck", glue: "../wasm/flightdeck.js", esm: "../index.js", cjs: "../index.cjs", dts: "../index.d.ts",
    writtenInJs: ["FlightdeckError", "runEvents"], sample: ["validateConfig", "MachinesClient"] },
  { name: "flightdeck/config", glue: "../wasm-config/flightdeck.js", esm: "../config.js", cjs: "../config.cjs",
    dts: "../config.d.ts", writtenInJs: ["FlightdeckError"], sample: ["validateConfig", "machineConfigFor"] },
];

for (const entry of ENTRIES) {
  test(`${entry.name}: every entry file and the declarations export exactly the generated API and the JavaScript helpers`, async () => {
    const ts = require("typescript");
    const glue = await import(entry.glue);
    const generated = Object.keys(glue).filter((name) => name !== "initSync" && name !== "default");
    const expected = [...generated, ...entry.writtenInJs].sort();
    assert.ok(entry.sample.every((name) => generated.includes(name)), "the glue was read");

    const esm = Object.keys(await import(entry.esm)).sort();
    const cjs = Object.keys(require(entry.cjs)).sort();
    assert.deepEqual(esm, expected, entry.esm);
    assert.deepEqual(cjs, expected, entry.cjs);

    // The values the declarations declare: their `export { … } from` lists and their exported classes and functions
    // (`export type *` gives types only: TypeScript rejects a value used through it).
    const path = fileURLToPath(new URL(entry.dts, import.meta.url));
    const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.ES2022);
    const exported = (node) => node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    const valueExports = source.statements
      .flatMap((node) => {
        if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.exportClause && ts.isNamedExports(node.exportClause)) {
          return node.exportClause.elements.filter((e) => !e.isTypeOnly).map((e) => e.name.text);
        }
        if ((ts.isClassDeclaration(node) || ts.isFunctionDeclaration(node)) && exported(node)) return [node.name.text];
        if (ts.isVariableStatement(node) && exported(node)) return node.declarationList.declarations.map((d) => d.name.text);
        return [];
      })
      .sort();
    assert.deepEqual(valueExports, expected, `${entry.dts} declares the same values`);
  });
}

test("the light entry holds none of the operations: its WebAssembly exports none and is the smaller build", () => {
  const bytes = (dir) => readFileSync(fileURLToPath(new URL(`../${dir}/flightdeck_bg.wasm`, import.meta.url)));
  const exports = (dir) => WebAssembly.Module.exports(new WebAssembly.Module(bytes(dir))).map((e) => e.name);
  const [light, main] = [exports("wasm-config"), exports("wasm")];
  for (const operation of ["planDeploy", "machinesclient_new", "machinesclient_run", "describePlan", "eventLine"]) {
    assert.ok(main.some((name) => name.startsWith(operation)), `the main build exports ${operation}`);
    assert.ok(!light.some((name) => name.startsWith(operation)), `the light build does not export ${operation}`);
  }
  // Built for speed (opt-level 2), it is still the smaller one by a third.
  const [lightSize, mainSize] = [bytes("wasm-config").length, bytes("wasm").length];
  assert.ok(lightSize < mainSize * 0.7, `${lightSize} B against ${mainSize} B`);
});
