// Plans the core handed to JavaScript, and only those, run: `issuePlan` notes each plan object the planners return
// (with its JSON text, and the id of the plan the core keeps for it), and `issuedPlanId` gives that id back for the
// same object, unchanged. A copy (structuredClone, spread, JSON read back) or a plan changed after planning is not
// run: the engine runs exactly what the planner made, and a hand-written plan cannot name machines to destroy. When
// a plan object is collected, the core forgets its plan (`forget(id)`). Written once here; build-pkg derives the
// CommonJS copy.
const issued = new WeakMap();
const collected = new FinalizationRegistry(({ id, forget }) => forget(id));

export function issuePlan(plan, id, forget) {
  issued.set(plan, { id, text: JSON.stringify(plan) });
  collected.register(plan, { id, forget });
  return plan;
}

// The core's id for `plan`: -1 when this module did not make this object, -2 when it was changed since.
export function issuedPlanId(plan) {
  const record = issued.get(plan);
  if (record === undefined) return -1;
  return JSON.stringify(plan) === record.text ? record.id : -2;
}
