// Plans the core handed to JavaScript, and only those, run: `issuePlan` notes each plan object the planners return
// with the id of the plan the core keeps for it, and `issuedPlanId` gives that id back for the same object. A copy
// (structuredClone, spread, JSON read back) is not that object; a plan changed since is found by `samePlan` against
// the kept plan when it is taken back. So the engine runs exactly what the planner made, and a hand-written plan
// cannot name machines to destroy. When a plan object is collected, the core forgets its plan (`forget(id)`).
// Written once here; build-pkg derives the CommonJS copy.
const issued = new WeakMap();
const collected = new FinalizationRegistry(({ id, forget }) => forget(id));

export function issuePlan(plan, id, forget) {
  issued.set(plan, id);
  collected.register(plan, { id, forget });
  return plan;
}

// The core's id for `plan`, or -1 when this module did not hand this object over.
export function issuedPlanId(plan) {
  const id = issued.get(plan);
  return id === undefined ? -1 : id;
}

// Whether `value` still holds what `made` (the kept plan, fresh from JSON) holds. The walk follows `made`, a tree, so
// it ends even if `value` was given a cycle.
export function samePlan(value, made) {
  if (made === null || typeof made !== "object") return Object.is(value, made);
  if (value === null || typeof value !== "object" || Array.isArray(value) !== Array.isArray(made)) return false;
  const keys = Object.keys(made);
  if (Object.keys(value).length !== keys.length) return false;
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(value, key) || !samePlan(value[key], made[key])) return false;
  }
  return true;
}
