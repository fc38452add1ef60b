// The package as npm publishes it: `npm pack`, unpacked into a project's node_modules, then both entries imported
// and required and the CLI run from there. The "files" list in package.json is written by hand; a file it misses
// (a glue, a snippet, a declaration) fails here, where the other suites, which load pkg/ in place, would not notice.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, renameSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("../", import.meta.url));
const fullReference = fileURLToPath(new URL("../../../shared/data/flyctl-testdata/full-reference.toml", import.meta.url));

test("the packed package loads both entries (ES module and CommonJS), its declarations resolve, and its CLI runs", () => {
  const folder = mkdtempSync(join(tmpdir(), "flightdeck-pack-"));
  try {
    execFileSync("npm", ["pack", "--pack-destination", folder, "--silent"], { cwd: pkg, stdio: "pipe" });
    const [tarball] = readdirSync(folder).filter((name) => name.endsWith(".tgz"));
    execFileSync("tar", ["xzf", tarball], { cwd: folder });
    const project = join(folder, "project");
    mkdirSync(join(project, "node_modules"), { recursive: true });
    renameSync(join(folder, "package"), join(project, "node_modules", "flightdeck"));
    const run = (args) => execFileSync(process.execPath, args, { cwd: project, encoding: "utf8" });

    const esm = run(["--input-type=module", "-e", `
      const light = await import("flightdeck/config");
      const main = await import("flightdeck");
      const { config } = light.validateConfig("app = 'packed'\\nprimary_region = 'syd'\\n[build]\\nimage = 'nginx:1.27'\\n[http_service]\\ninternal_port = 80\\n");
      const plan = main.planDeploy(config, [], [], {});
      console.log(config.app, typeof light.planDeploy, plan.phases.length > 0);`]);
    assert.equal(esm.trim(), "packed undefined true");
    const cjs = run(["-e", `
      const light = require("flightdeck/config");
      const main = require("flightdeck");
      console.log(light.validateConfig("app = 'cjs'").config.app, typeof main.MachinesClient, light.FlightdeckError === main.FlightdeckError);`]);
    assert.equal(cjs.trim(), "cjs function true");
    // Every declaration file the entries name is there.
    for (const file of ["index.d.ts", "config.d.ts", "errors.d.ts", "wasm/flightdeck.d.ts", "wasm-config/flightdeck.d.ts"]) {
      run(["-e", `require("fs").accessSync(require.resolve("flightdeck/package.json").replace("package.json", ${JSON.stringify(file)}))`]);
    }
    let status = 0;
    try {
      run([join(project, "node_modules", "flightdeck", "cli.js"), "validate", fullReference]);
    } catch (error) {
      status = error.status;
      assert.match(error.stdout, /force-https-without-http/);
    }
    assert.equal(status, 1, "full-reference.toml has errors: exit code 1");
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
