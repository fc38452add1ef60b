// The npm package's MachinesClient against the emulator over real HTTP, and its typed errors.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { FlightdeckError, MachinesClient, version } from "../index.js";
import { startEmulator } from "./support/emulator.mjs";

let emulator;
before(async () => {
  emulator = await startEmulator({ token: "npm-test-token" });
});
after(() => emulator?.stop());

const client = () => new MachinesClient({ baseUrl: emulator.url, token: emulator.token });

test("version matches package.json", () => {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  assert.equal(version(), pkg.version);
});

test("createApp then listApps and getApp see the app", async () => {
  const api = client();
  const created = await api.createApp({ name: "npm-shop", org_slug: "personal" });
  assert.equal(created.name, "npm-shop");
  assert.match(created.id, /^[a-z0-9]{16}$/);
  const apps = await api.listApps("personal");
  assert.deepEqual(
    apps.map((a) => a.name),
    ["npm-shop"],
  );
  assert.equal(apps[0].machine_count, 0, "the list shows counts");
  const shown = await api.getApp("npm-shop");
  assert.equal(shown.id, created.id);
  assert.equal(shown.organization.slug, "personal", "the app itself shows its organization");
});

test("API failures reject with FlightdeckError carrying code, status and requestId", async () => {
  const wrong = new MachinesClient({ baseUrl: emulator.url, token: "nope" });
  await assert.rejects(wrong.listApps("personal"), (error) => {
    assert.ok(error instanceof FlightdeckError, "a real Error subclass, exported by the package");
    assert.ok(error instanceof Error);
    assert.equal(error.name, "FlightdeckError");
    assert.equal(error.code, "unauthorized");
    assert.equal(error.status, 401);
    assert.match(error.requestId, /^01[A-Z0-9]{24}$/);
    assert.doesNotMatch(error.message, /nope/, "the token never appears in errors");
    return true;
  });
  await assert.rejects(client().createApp({ name: "npm-shop", org_slug: "personal" }), { code: "name_taken", status: 422 });
  await assert.rejects(client().getApp("no-such-app"), { code: "not_found", status: 404 });
});

test("unreachable servers reject with a transport error", async () => {
  const api = new MachinesClient({ baseUrl: "http://127.0.0.1:9", token: "t" });
  await assert.rejects(api.listApps("personal"), { code: "transport", status: null });
});

test("bad arguments are typed errors, never crashes", async () => {
  for (const options of [undefined, null, 42, "x", [], {}, { baseUrl: 1, token: "t" }, { baseUrl: "ftp://x", token: "t" }, { baseUrl: "http://h", token: "" }]) {
    assert.throws(() => new MachinesClient(options), (error) => {
      assert.equal(error.name, "FlightdeckError");
      assert.ok(["invalid_argument", "invalid_base_url", "invalid_token"].includes(error.code), `${error.code} for ${JSON.stringify(options)}`);
      return true;
    });
  }
  const api = client();
  for (const org of [undefined, null, 42, {}, Number.NaN]) {
    await assert.rejects(api.listApps(org), { code: "invalid_argument" });
  }
  for (const request of [undefined, "x", 1, { name: 5, org_slug: "personal" }, { name: "", org_slug: "personal" }]) {
    await assert.rejects(api.createApp(request), { code: "invalid_argument" });
  }
  // The module is still healthy after all of that.
  assert.ok(Array.isArray(await api.listApps("personal")));
});
