// Compiled by types.test.mjs with `tsc --noEmit --strict`: correct uses must type-check, and each
// `@ts-expect-error` line must be an error (tsc fails on an unused one), so declarations that fall back to `any`
// fail the test.
import {
  MachinesClient,
  describePlan,
  driftReport,
  eventLine,
  machineConfigFor,
  planDeploy,
  planScaleCount,
  runEvents,
  validateConfig,
  type AppConfig,
  type Event,
  type RunEvent,
  type LocatedDiagnostic,
  type Machine,
  type MachineConfig,
  type Plan,
  type Report,
} from "flightdeck";

const result = validateConfig("app = 'x'\n");
const ok: boolean = result.ok;
const config: AppConfig = result.config;
const first: LocatedDiagnostic | undefined = result.diagnostics[0];
const line: number | undefined = first?.start.line;
const groups: string[] = result.processGroups;
// @ts-expect-error ok is a boolean
const notString: string = result.ok;
// @ts-expect-error validateConfig takes fly.toml text
validateConfig(42);

const machineConfig: MachineConfig = machineConfigFor(config, result.defaultGroup);
const image: string | undefined = machineConfig.image;
// @ts-expect-error the group is a name
machineConfigFor(config, 3);

const machines: Machine[] = [];
const plan: Plan = planDeploy(config, machines, [], { strategy: "rolling", maxUnavailable: 0.25 });
const operation: string = plan.operation;
for (const phase of plan.phases) {
  for (const pool of phase.pools) {
    for (const action of pool.actions) {
      if (action.action === "update") {
        const changes: number = action.changes.length;
        void changes;
      }
      // @ts-expect-error not an action kind
      if (action.action === "explode") void 0;
    }
  }
}
// @ts-expect-error options are typed: no such option
planDeploy(config, machines, [], { strategi: "rolling" });
planScaleCount(config, machines, [], ["web=3"], { regions: ["syd"] });
const text: string = describePlan(plan);
const drift = driftReport(config, machines, { web: { iad: 4 } });
const cells: number = drift.cells.length;

async function run(client: MachinesClient): Promise<Report> {
  const listed: Machine[] = await client.listMachines("app");
  const snapshot = await client.snapshot("app");
  const deployed: boolean = snapshot.deployed;
  const report = await client.run(plan, (event: RunEvent) => {
    if (event.type === "machine_state") {
      const state: string = event.state;
      void state;
    }
    const printed: string | undefined = eventLine(event);
    const line: string | null = event.line;
    void [printed, line];
  });
  // A handler that takes any engine event is fine too.
  await client.run(plan, (event: Event) => void event.type);
  const stream = runEvents(client, plan);
  for await (const event of stream.events) {
    const kind: Event["type"] = event.type;
    const line: string | null = event.line;
    void [kind, line];
  }
  // @ts-expect-error listMachines resolves to machines, not a string
  const wrong: string = await client.listMachines("app");
  void [listed, deployed, wrong];
  return report;
}
const client = new MachinesClient({ baseUrl: "http://127.0.0.1:4280", token: "t" });
// @ts-expect-error the client needs a baseUrl
new MachinesClient({ token: "t" });

void [ok, line, groups, notString, image, operation, text, cells, run, client];

// The light entry: the fly.toml exports, typed alike, and its values are the main entry's types.
import * as light from "flightdeck/config";
const lightResult = light.validateConfig("app = 'x'\n");
const lightConfig: AppConfig = lightResult.config;
const lightMachine: MachineConfig = light.machineConfigFor(lightConfig, lightResult.defaultGroup);
const planned: Plan = planDeploy(lightConfig, [], [], {});
// @ts-expect-error the light entry has no API client
new light.MachinesClient({ baseUrl: "http://127.0.0.1:4280", token: "t" });
// @ts-expect-error the light entry has no planners
light.planDeploy(lightConfig, [], [], {});
const lightError: light.FlightdeckError = new light.FlightdeckError("m", "invalid_argument");
void [lightMachine, planned, lightError];
