// The browser shims that let the Node suites run in Chromium (test/browser/) must judge like Node: the assert shim
// passes and fails exactly where node:assert/strict does, over a table of cases, so a suite that passes in the
// browser passes for the same reasons.
import { test } from "node:test";
import assert from "node:assert/strict";
import shim from "./browser/assert.js";
import { test as register, before, after, run } from "./browser/node-test.js";

const outcome = (fn) => {
  try {
    fn();
    return "pass";
  } catch (error) {
    return error instanceof TypeError ? "type error" : "fail";
  }
};
const asyncOutcome = async (fn) => {
  try {
    await fn();
    return "pass";
  } catch {
    return "fail";
  }
};

class Special extends Error {}
const coded = Object.assign(new Error("boom"), { code: "x", status: 404 });

const PAIRS = [
  [1, 1],
  [1, "1"],
  [NaN, NaN],
  [0, -0],
  [{ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }],
  [{ a: 1 }, { a: 1, b: undefined }],
  [{ a: 1, b: 2 }, { b: 2, a: 1 }],
  [[1, 2], [2, 1]],
  [[1, , 3], [1, undefined, 3]],
  [Object.create(null), {}],
  [new Date(5), new Date(5)],
  [new Date(5), new Date(6)],
  [new Map([[1, { a: 1 }]]), new Map([[1, { a: 1 }]])],
  [new Set([1, 2]), new Set([2, 3])],
  [/a/g, /a/g],
  [null, undefined],
  [{ a: null }, { a: undefined }],
];

test("equal, notEqual and deepEqual agree with node:assert/strict", () => {
  for (const [index, [a, b]] of PAIRS.entries()) {
    for (const name of ["equal", "notEqual", "deepEqual"]) {
      assert.equal(outcome(() => shim[name](a, b)), outcome(() => assert[name](a, b)), `${name} on pair ${index}`);
    }
  }
});

test("ok, match and doesNotMatch agree with node:assert/strict", () => {
  for (const value of [0, 1, "", "x", null, {}]) assert.equal(outcome(() => shim.ok(value)), outcome(() => assert.ok(value)));
  for (const [s, re] of [["abc", /b/], ["abc", /d/]]) {
    assert.equal(outcome(() => shim.match(s, re)), outcome(() => assert.match(s, re)));
    assert.equal(outcome(() => shim.doesNotMatch(s, re)), outcome(() => assert.doesNotMatch(s, re)));
  }
});

test("throws and rejects agree with node:assert/strict on every kind of expectation", async () => {
  const EXPECTATIONS = [
    undefined,
    Error,
    Special,
    TypeError,
    /boom/,
    /bang/,
    { code: "x" },
    { code: "y" },
    { message: /bo/, status: 404 },
    { name: "Error", code: "x" },
    (e) => e.code === "x",
    (e) => e.code === "y",
  ];
  for (const thrown of [coded, new Special("boom"), null]) {
    for (const expected of EXPECTATIONS) {
      const raise = () => {
        if (thrown !== null) throw thrown;
      };
      const label = `${thrown?.constructor.name ?? "nothing"} vs ${String(expected?.name ?? expected)}`;
      assert.equal(outcome(() => shim.throws(raise, expected)), outcome(() => assert.throws(raise, expected)), label);
      assert.equal(
        await asyncOutcome(() => shim.rejects(async () => raise(), expected)),
        await asyncOutcome(() => assert.rejects(async () => raise(), expected)),
        label,
      );
    }
  }
});

test("the node:test shim runs tests in order and reports failures, and a failing before() fails every test", async () => {
  const order = [];
  before(() => order.push("before"));
  register("one", () => order.push("one"));
  register("two", async () => {
    order.push("two");
    throw new Error("nope");
  });
  after(() => order.push("after"));
  const results = await run();
  assert.deepEqual(order, ["before", "one", "two", "after"]);
  assert.deepEqual(
    results.map(({ name, ok }) => [name, ok]),
    [
      ["one", true],
      ["two", false],
    ],
  );
  assert.match(results[1].error, /nope/);
});
