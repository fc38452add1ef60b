// fly.toml through the npm package: validation with positions, rendering, machine configs, writing, launch. Every
// test runs on both entries: the main one (`flightdeck`) and the light fly.toml-only build (`flightdeck/config`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as main from "../index.js";
import * as light from "../config.js";

const shared = new URL("../../../shared/data/", import.meta.url);
const read = (path) => readFileSync(new URL(path, shared), "utf8");

for (const [entry, { validateConfig, renderDiagnostics, machineConfigFor, toToml, launchConfig }] of [
  ["flightdeck", main],
  ["flightdeck/config", light],
]) {

  test(`${entry}: validateConfig returns the config, groups and no diagnostics for a clean file`, () => {
    const result = validateConfig(read("flyctl-testdata/tomachine-processgroups.toml"));
    assert.equal(result.ok, true, JSON.stringify(result.diagnostics));
    assert.deepEqual(result.processGroups, ["app", "foo", "vpn"]);
    assert.equal(result.defaultGroup, "app");
    assert.equal(result.config.app, "foo");
  });

  test(`${entry}: config is read on first use, once, and looks like a plain property`, () => {
    const result = validateConfig("app = 'lazy'\n[env]\n  LEVEL = 'debug'\n");
    assert.deepEqual(Object.keys(result), ["ok", "config", "diagnostics", "processGroups", "defaultGroup"]);
    assert.equal(result.config, result.config, "the same object each time");
    assert.equal(result.config.app, "lazy");
    assert.equal(JSON.parse(JSON.stringify(result)).config.env.LEVEL, "debug");
    assert.equal({ ...result }.config, result.config);
    assert.deepEqual(structuredClone(result).config, result.config);
    result.config = { app: "replaced" };
    assert.equal(result.config.app, "replaced", "assigning replaces it");
  });

  test(`${entry}: each result reads its own config, however many validations came after it`, () => {
    const results = Array.from({ length: 40 }, (_, i) => validateConfig(`app = "app-${i}"\nprimary_region = "syd"\n`));
    // Newest first, so the oldest are read after many others (the core keeps the latest one; older ones are parsed
    // again from their source), then a second pass in creation order.
    for (let i = results.length - 1; i >= 0; i--) assert.equal(results[i].config.app, `app-${i}`);
    results.forEach((result, i) => assert.equal(result.config.app, `app-${i}`));
    const fresh = validateConfig('app = "fresh"\n');
    assert.equal(fresh.config.app, "fresh");
  });

  test(`${entry}: a result's config is right whatever ran between its validation and the read`, () => {
    // Validation allocates from an arena that the next validation reuses (src/js/arena.rs): the latest result's
    // config lives there until then, and an older one is parsed again. A validation far larger than the arena's
    // first chunk, other exports' allocations, and reads in every order must not change what a result reads.
    const full = read("flyctl-testdata/full-reference.toml");
    const keys = 20000;
    const env = Array.from({ length: keys }, (_, i) => `  KEY_${i} = "${"v".repeat(i % 50)}"\n`).join("");
    const big = `app = "big"\nprimary_region = "syd"\n[env]\n${env}`;
    const expected = JSON.stringify(validateConfig(full).config);
    assert.match(expected, /^\{"app":"foo",/);

    const latest = validateConfig(full);
    renderDiagnostics(big);
    machineConfigFor(latest.config, "web");
    assert.equal(JSON.stringify(validateConfig(full).config), expected);

    const before = validateConfig(full);
    const large = validateConfig(big);
    const after = validateConfig(full);
    const small = validateConfig('app = "small"\n');
    assert.equal(JSON.stringify(after.config), expected, "read after a newer validation");
    assert.equal(large.config.app, "big");
    assert.equal(Object.keys(large.config.env).length, keys);
    assert.equal(large.config.env.KEY_19999, "v".repeat(19999 % 50));
    assert.equal(JSON.stringify(before.config), expected, "read after a validation larger than the arena");
    assert.equal(small.config.app, "small");
    const again = validateConfig(big);
    assert.equal(again.diagnostics.length, large.diagnostics.length);
    assert.equal(again.config.env.KEY_12345, "v".repeat(12345 % 50));
  });

  test(`${entry}: diagnostics carry code, severity, line:column and UTF-16 offsets that slice the JS string`, () => {
    const source = 'app = "café-😀"\n[http_service]\n  internal_prot = 8080\n';
    const { ok, diagnostics } = validateConfig(source);
    assert.equal(ok, true, "an unknown key is a warning");
    const unknown = diagnostics.find((d) => d.code === "unknown-key");
    assert.equal(unknown.severity, "warning");
    assert.deepEqual([unknown.start.line, unknown.start.column], [3, 3]);
    assert.equal(source.slice(unknown.start.utf16, unknown.end.utf16), "internal_prot", "UTF-16 offsets index JS strings");
    assert.equal(unknown.help, "did you mean `internal_port`?");
  });

  test(`${entry}: invalid TOML is an error diagnostic at the exact place, never an exception`, () => {
    const source = 'app = "x"\n[deploy\nstrategy = "rolling"\n';
    const { ok, diagnostics } = validateConfig(source);
    assert.equal(ok, false);
    const syntax = diagnostics.find((d) => d.code === "toml-syntax");
    assert.equal(syntax.severity, "error");
    assert.equal(syntax.start.line, 2);
  });

  test(`${entry}: renderDiagnostics shows the snippet with a caret`, () => {
    const text = renderDiagnostics('[deploy]\nstrategy = "rolling-eyes"\n', "fly.toml");
    assert.match(text, /error\[deploy-strategy\]: unsupported deployment strategy 'rolling-eyes'/);
    assert.match(text, /--> fly\.toml:2:12/);
    assert.match(text, /\^{14}/);
  });

  test(`${entry}: machineConfigFor builds a group's machine config from validateConfig's config`, () => {
    const { config } = validateConfig(read("flyctl-testdata/tomachine.toml"));
    const machine = machineConfigFor(config, "app");
    assert.equal(machine.env.PRIMARY_REGION, "mia");
    assert.equal(machine.services[0].ports[1].port, 443);
    assert.equal(machine.checks.status.interval, "10s");
    const updated = machineConfigFor(config, "app", { schedule: "daily", env: { OLD: "1" }, metadata: { team: "core" } });
    assert.equal(updated.schedule, "daily");
    assert.equal(updated.env.OLD, undefined);
    assert.equal(updated.metadata.team, "core");
    assert.throws(() => machineConfigFor(config, "nope"), { name: "FlightdeckError", code: "conversion" });
  });

  test(`${entry}: a config a script wrote is read as fly.toml is: its shapes, nulls as absent, errors naming the key`, () => {
    const machine = machineConfigFor(
      { app: "script", primary_region: null, env: [{ MODE: "fast" }], kill_timeout: 5, http_service: { internal_port: 8080 } },
      "app",
    );
    assert.equal(machine.env.MODE, "fast", "env as an array of tables, as fly.toml takes it");
    assert.equal(machine.stop_config.timeout, "5s", "an integer kill_timeout is seconds");
    assert.equal(machine.services[0].internal_port, 8080);
    assert.throws(() => machineConfigFor({ http_service: { internal_port: "eighty" } }, "app"), {
      code: "invalid_argument",
      message: /^config: .*internal_port/,
    });
  });

  test(`${entry}: toToml writes a file that validates to the same config`, () => {
    const { config } = validateConfig(read("flyctl-testdata/full-reference.toml"));
    const again = validateConfig(toToml(config));
    assert.deepEqual(again.config, config);
  });

  test(`${entry}: launchConfig writes a valid first fly.toml`, () => {
    const { config, toml } = launchConfig({ app: "shop", image: "nginx:1.27", internalPort: 80, region: "ord" });
    assert.equal(config.http_service.internal_port, 80);
    assert.match(toml, /auto_stop_machines = "stop"/);
    assert.equal(validateConfig(toml).diagnostics.length, 0);
  });

  test(`${entry}: wrong argument types are typed errors`, () => {
    for (const bad of [undefined, null, 42, {}, ["a"]]) {
      assert.throws(() => validateConfig(bad), { name: "FlightdeckError", code: "invalid_argument" });
    }
    for (const bad of [undefined, "x", 1, { app: 5 }, { http_service: { internal_port: "x" } }]) {
      assert.throws(() => machineConfigFor(bad, "app"), { code: "invalid_argument" });
    }
    assert.throws(() => launchConfig({ app: "x" }), { code: "invalid_argument" });
    // A huge and a hostile input still produce diagnostics, not a crash.
    const env = Array.from({ length: 20_000 }, (_, i) => `KEY_${i} = "value ${i}"`).join("\n");
    const big = validateConfig(`[env]\n${env}\n`);
    assert.equal(big.ok, true);
    assert.equal(Object.keys(big.config.env).length, 20_000);
    const duplicates = validateConfig("x = 1\n".repeat(20_000));
    assert.equal(duplicates.ok, false);
    assert.ok(duplicates.diagnostics.length <= 26, "syntax errors are capped, not one per line");
    assert.equal(validateConfig("[".repeat(10_000)).ok, false);
    assert.equal(validateConfig("a = " + "[".repeat(10_000)).ok, false);
  });
}

// validateConfig's diagnostics are built in JavaScript from numbers and one string (pkg/validation.js); the terminal
// rendering is written by the core directly. Each diagnostic must say what the rendering says, in the same order, and
// its positions must point where its byte span does: for the corpus, and for text with every width of character, NUL,
// quotes and labels.
test("validateConfig's diagnostics agree with the core's rendering and with the source, corpus and hostile text", () => {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const hostile = [
    'app = "é"\nprimary_region = "zzz"\n[env]\n  FLY_X = "😀"\n  "k\\u0000ey" = "\\u0000"\n[http_service]\n  internal_port = "eighty"\n',
    "app = 'a'\n[processes]\n  web = 'x'\n  web = 'y'\n[unknwon]\n  ключ = 1\n",
    "app = 'a'\n[[services]]\n  internal_port = 0\n  processes = ['nope']\n  [[services.ports]]\n    port = 70000\n    force_https = true\n",
    "# 𝄞 — a comment with an astral character\n[build]\n  imgae = '\"<img src=x onerror=alert(1)>\"'\n[[vm]]\n  memory = '99gb'\n",
    "[",
    // Wider in UTF-8 than the core's first buffer guesses (four bytes per two UTF-16 units): read in a second pass.
    `# ${"😀".repeat(2000)}\napp = 'x'\nbogus_key = 1\n`,
  ];
  const manifest = read("corpus/MANIFEST.tsv").trim().split("\n").slice(1);
  const sources = [...hostile];
  for (const row of manifest) {
    try {
      sources.push(read(`corpus/${row.split("\t")[0]}`));
    } catch {}
  }
  let diagnostics = 0;
  let labels = 0;
  for (const source of sources) {
    const bytes = encoder.encode(source);
    const rendered = light.renderDiagnostics(source, "fly.toml");
    let from = 0;
    const expect = (text) => {
      const at = rendered.indexOf(text, from);
      assert.ok(at >= 0, `${JSON.stringify(text)} missing from, or out of order in:\n${rendered}`);
      from = at + text.length;
    };
    for (const d of main.validateConfig(source).diagnostics) {
      expect(`${d.severity}[${d.code}]: ${d.message}\n`);
      expect(`--> fly.toml:${d.start.line}:${d.start.column}\n`);
      for (const label of d.labels ?? []) {
        assert.equal(typeof label.message, "string");
        assert.ok(label.span.start <= label.span.end);
        labels++;
      }
      if (d.help !== undefined) expect(`= help: ${d.help}\n`);
      // The UTF-16 offsets cut the same text out of the string as the byte span does out of its UTF-8.
      assert.equal(
        source.slice(d.start.utf16, d.end.utf16),
        decoder.decode(bytes.subarray(d.span.start, d.span.end)),
        `${d.code} at ${d.start.line}:${d.start.column}`,
      );
      const line = source.slice(0, d.start.utf16).split("\n").length;
      assert.equal(d.start.line, line, d.code);
      diagnostics++;
    }
  }
  assert.ok(diagnostics > 300 && labels > 0, `${diagnostics} diagnostics, ${labels} labels`);
});

test("both entries give the same results: the corpus validated, and machine configs of every group", () => {
  const manifest = read("corpus/MANIFEST.tsv").trim().split("\n").slice(1);
  let compared = 0;
  for (const row of manifest) {
    const file = row.split("\t")[0];
    let source;
    try {
      source = read(`corpus/${file}`);
    } catch {
      continue;
    }
    const [a, b] = [main.validateConfig(source), light.validateConfig(source)];
    assert.deepEqual(b, a, file);
    for (const group of a.processGroups) {
      // Some real files have checks flyctl cannot convert either: both entries must refuse them the same way.
      const [x, y] = [main, light].map(({ machineConfigFor }) => {
        try {
          return { machine: machineConfigFor(a.config, group) };
        } catch (error) {
          return { error: `${error.code}: ${error.message}` };
        }
      });
      assert.deepEqual(y, x, `${file} ${group}`);
    }
    assert.equal(light.toToml(b.config), main.toToml(a.config), file);
    compared++;
  }
  assert.ok(compared >= 200, `compared ${compared} corpus files`);
});

test("a config from the light entry plans in the main one", () => {
  const { config } = light.validateConfig(read("flyctl-testdata/tomachine-processgroups.toml"));
  const plan = main.planDeploy(config, [], [], { app: "foo", image: "nginx:1.27" });
  assert.ok(plan.phases.length > 0);
});
