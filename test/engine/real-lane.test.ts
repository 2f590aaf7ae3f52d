/**
 * The real lane end to end: the stepwise program deployed with `pulumi up` by the real engine
 * and the kubernetes provider on a real Kubernetes API server, its events and database engines
 * external (the test services' two Kafka clusters and PostgreSQL), then the events, api and
 * consolidation paths walked forward and back one reviewed step at a time, as a team does it:
 * change the stack file (`stepwise advance`/`rollback`, or an edit), `stepwise plan` against
 * the committed base, `pulumi preview --json` with the policy pack, `pulumi up` with the pack,
 * commit. After every step the real state is checked, and the offline plan is compared with
 * the engine's preview (docs/engine.md lists every allowed difference). One file, one stack,
 * in order: each test starts where the one before left the stack.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_FEATURE_FLAGS, type RouteSpec } from "../../components/routing/route";
import { traefikObjects } from "../../components/routing/traefik-crds";
import { sealGate } from "../../migrations/gate-evidence";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GateRecord, Ledger } from "../../migrations/ledger";
import type { GateId, PathId } from "../../migrations/path";
import { phaseDefinition } from "../../migrations/path-queries";
import { SEED_TOPICS } from "../support/seed-platform";
import type { Plan } from "../../migrations/plan-model";
import { applyPhaseStep } from "../../tools/stackfile";
import {
  killKubernetesApiServer,
  restartKubernetesApiServer,
  startKafkaCluster,
  stopKafkaCluster,
} from "../services/manager";
import { documentedDifferences, stepFidelity, type StepFidelity } from "./support/fidelity";
import { RealLane, services, STACK, stepwise } from "./support/real-lane";
import {
  CLUSTERS,
  consumeAndCommit,
  objects,
  publish,
  readable,
  recordsOn,
  serviceEnv,
  snapshot,
  topicsOn,
  type EventSystem,
} from "./support/real-state";

const DAY = 86_400_000;
const TOPIC = "order-events";
const TOPIC_NAMES = SEED_TOPICS.map((t) => t.name);
/** The four services and Prometheus, as every path's baseline runs them. */
const BASELINE_DEPLOYMENTS = [
  "inventory",
  "orders",
  "platform-coordination",
  "platform-prometheus",
  "product-catalog",
];

let lane: RealLane;
/** The clock every step is taken at (`--at`): a minute per step, a month for a retirement. */
let at = new Date("2026-12-02T00:00:00Z");
const fidelity: StepFidelity[] = [];
let published = 0;

beforeAll(async () => {
  lane = await RealLane.open();
});
afterAll(async () => {
  await lane?.dispose();
});

/** The change in the stack file planned, previewed with the pack, applied, and committed. */
async function takeStep(name: string): Promise<void> {
  const offline = await lane.plan(at);
  expect([name, offline.code]).toEqual([name, 0]);
  const step = await lane.apply();
  expect([name, step.preview.exitCode, step.preview.policy.violations]).toEqual([name, 0, []]);
  fidelity.push(stepFidelity(name, offline.plan, step.preview.plan));
  expect(fidelity.at(-1)?.unexplained).toEqual([]);
  lane.land(name);
}

async function move(direction: "advance" | "rollback", path: PathId, days = 0): Promise<string> {
  at = new Date(at.getTime() + 60_000 + days * DAY);
  const result = await lane.move(direction, path, at);
  expect([direction, path, result.code, result.stderr]).toEqual([
    direction,
    path,
    0,
    expect.stringContaining(`${path}`),
  ]);
  const from = (await lane.ledgerOutput()).phases[path]?.phase ?? "";
  const to = lane.phaseInFile(path);
  const name = `${direction} ${path} (${from} → ${to})`;
  await takeStep(name);
  const recorded = (await lane.ledgerOutput()).phases[path];
  // The ledger in the stack's outputs: the new phase, and the deployed one before it.
  expect(recorded).toMatchObject({ phase: to, previous: from });
  return to;
}

/** Records published as the events phase wires producers (to each cluster it writes to). */
async function publishAsWired(phase: string): Promise<string[]> {
  const ids = Array.from({ length: 3 }, () => `record-${++published}-${Date.now()}`);
  for (const system of phaseDefinition("events", phase).wiring.writeTo ?? []) {
    await publish(system as EventSystem, TOPIC, ids);
  }
  return ids;
}

/** Consumers of the phase read from one cluster: every record published before must be there. */
async function expectReadableAsWired(phase: string, ids: readonly string[]): Promise<void> {
  const from = phaseDefinition("events", phase).wiring.readFrom as EventSystem;
  expect([phase, from, await readable(from, TOPIC, ids)]).toEqual([phase, from, ids]);
}

/**
 * One step of the events path with records: published as the phase wires producers, the step
 * taken, then the services' wiring and topics checked and the records read back where the new
 * phase's consumers read. Returns the new phase.
 */
async function eventsStep(
  direction: "advance" | "rollback",
  phase: string,
  days = 0,
): Promise<string> {
  const ids = await publishAsWired(phase);
  if (direction === "rollback") await recordRollbackGates("events", phase);
  const next = await move(direction, "events", days);
  await expectEventsWiring(next);
  await expectReadableAsWired(next, ids);
  return next;
}

/**
 * The gates a step back out of `phase` asks for (its rollbackGates), each made by its real check
 * on the two clusters (Kafka as --source, Redpanda as --target) after the old system was brought
 * back in step, and landed in a change of its own before the step. The record is sealed again at
 * the lane's clock: the command dates it by the real one, weeks before the lane's steps, and the
 * rule wants it recorded after the phase it leaves was entered.
 */
async function recordRollbackGates(path: PathId, phase: string): Promise<void> {
  const gates = phaseDefinition(path, phase).rollbackGates ?? [];
  if (gates.length === 0) return;
  at = new Date(at.getTime() + 60_000);
  for (const gate of gates) {
    const checked = await ROLLBACK_CHECKS[gate]?.();
    expect([gate, checked?.passed]).toEqual([gate, true]);
    const { passed, detail, check, endpoints } = checked as Required<GateRecord>;
    const result = { passed, detail, check, endpoints, recordedAt: at.toISOString() };
    lane.edit(["stepwise:gates", gate], sealGate(gate, result, checked));
  }
  await takeStep(`record ${gates.join(", ")} before leaving ${phase}`);
}

/** The way-back checks of the events path: the old system restored first, then checked. */
const ROLLBACK_CHECKS: Partial<Record<GateId, () => Promise<GateRecord | undefined>>> = {
  // Redpanda missed what went only to Kafka: copied back in Kafka's order (a mirror's job).
  "messages-synced-back": async () => {
    const onRedpanda = new Set(await recordsOn("redpanda", TOPIC));
    const missing = (await recordsOn("kafka", TOPIC)).filter((id) => !onRedpanda.has(id));
    expect(missing.length).toBeGreaterThan(0);
    await publish("redpanda", TOPIC, missing);
    return checkRecorded("messages-synced-back", ["events", "verify", "--topic", TOPIC]);
  },
  // The consumers' positions on Kafka (a group that read some, then stopped), translated back.
  "offsets-migrated-back": async () => {
    const group = `lane-consumers-${Date.now()}`;
    await consumeAndCommit("kafka", group, TOPIC, 5);
    const progress = join(lane.stacksDir, "..", `${group}.jsonl`);
    const argv = ["events", "migrate-offsets", "--group", group, "--progress", progress];
    return checkRecorded("offsets-migrated-back", argv);
  },
};

/** Runs a way-back check with --rollback --record; the gate record it wrote. */
async function checkRecorded(gate: GateId, argv: readonly string[]): Promise<GateRecord> {
  const file = join(lane.stacksDir, "..", `${gate}.json`);
  const kafka = services().kafka;
  const endpoints = ["--source", kafka.target.bootstrap, "--target", kafka.legacy.bootstrap];
  const ran = await stepwise([...argv, ...endpoints, "--rollback", "--record", file]);
  expect([gate, ran.code, ran.stderr]).toEqual([gate, 0, ""]);
  const records = JSON.parse(readFileSync(file, "utf8")) as Partial<Record<GateId, GateRecord>>;
  expect(records[gate]?.check).toBe(argv.slice(0, 2).join(" "));
  return records[gate] as GateRecord;
}

/**
 * The compatibility check run again on the two real clusters (the lane's clock jumps past
 * rollback windows, so the gate it recorded before is too old to unlock a step), its result
 * landed in a change of its own. The command dates its record by the real clock, which the
 * lane's has left behind: the result is sealed again at the lane's time, the command's record
 * as its evidence.
 */
async function recordCompatibilityGate(): Promise<void> {
  const file = join(lane.stacksDir, "..", "compatibility-gate.json");
  const kafka = services().kafka;
  const compat = await stepwise([
    "events",
    "compat",
    "--source",
    kafka.legacy.bootstrap,
    "--target",
    kafka.target.bootstrap,
    "--topic",
    ...TOPIC_NAMES,
    "--record",
    file,
  ]);
  expect([compat.code, compat.stderr]).toEqual([0, ""]);
  const checked = (JSON.parse(readFileSync(file, "utf8")) as Record<string, GateRecord>)[
    "compatibility-verified"
  ];
  expect(checked).toMatchObject({ passed: true, check: "events compat" });
  const { passed, detail, check, endpoints } = checked as Required<GateRecord>;
  at = new Date(at.getTime() + 60_000);
  const gate = sealGate(
    "compatibility-verified",
    { passed, detail, check, endpoints, recordedAt: at.toISOString() },
    checked,
  );
  lane.edit(["stepwise:gates", "compatibility-verified"], gate);
  await takeStep("record compatibility-verified");
  expect((await lane.ledgerOutput()).gates["compatibility-verified"]).toEqual(gate);
}

async function expectEventsWiring(phase: string): Promise<void> {
  const wiring = phaseDefinition("events", phase).wiring;
  const bootstrap = (system: string) => services().kafka[CLUSTERS[system as EventSystem]].bootstrap;
  const env = await serviceEnv("orders", lane.namespace);
  expect(env).toMatchObject({
    EVENTS_PUBLISH_TO: (wiring.writeTo ?? []).join(","),
    EVENTS_PUBLISH_BOOTSTRAP: (wiring.writeTo ?? []).map(bootstrap).join(","),
    EVENTS_CONSUME_FROM: wiring.readFrom,
    EVENTS_CONSUME_BOOTSTRAP: bootstrap(wiring.readFrom ?? ""),
  });
  // Topics are where the phase uses a cluster, with the declared partitions and configs.
  for (const system of wiring.deployed as EventSystem[]) {
    const topics = await topicsOn(system, TOPIC_NAMES);
    expect(Object.keys(topics)).toEqual([...TOPIC_NAMES].sort());
    for (const declared of SEED_TOPICS) {
      expect(topics[declared.name]).toEqual({
        partitions: declared.partitions,
        configs: Object.fromEntries(
          Object.entries(declared.configs ?? {}).map(([k, v]) => [k, String(v)]),
        ),
      });
    }
  }
}

/**
 * The pack refuses the uncommitted change on the real preview for exactly `rule`, and `pulumi
 * up` with the pack (its preview first) changes nothing: every object, the topics, the ledger.
 * The change is dropped afterwards.
 */
async function expectRefusedByPack(rule: string, message: RegExp, deployed: string): Promise<void> {
  const before = await snapshot(lane.namespace);
  const topicsBefore = await topicsOn("kafka", TOPIC_NAMES);
  try {
    const packConfig = await lane.packConfig();
    const preview = await lane.preview(packConfig);
    expect(preview.exitCode).not.toBe(0);
    expect(
      preview.policy.violations.map((v) => [v.policyName, v.enforcementLevel]),
      JSON.stringify(preview.plan.diagnostics ?? []).slice(0, 3000) + preview.stderr.slice(-2000),
    ).toEqual([[rule, "mandatory"]]);
    expect(preview.policy.violations[0]?.message).toMatch(message);
    const up = await lane.upAfterPreview(packConfig);
    expect(up.exitCode).not.toBe(0);
    expect(up.stdout + up.stderr).toContain(rule);
    expect(await snapshot(lane.namespace)).toEqual(before);
    expect(await topicsOn("kafka", TOPIC_NAMES)).toEqual(topicsBefore);
    expect((await lane.ledgerOutput()).phases.events?.phase).toBe(deployed);
  } finally {
    lane.discard();
  }
}

async function deploymentNames(): Promise<string[]> {
  return Object.keys(await objects("deployments", lane.namespace)).sort();
}

/** A route's implementations as the test expects them: implementation, service, weight. */
type Backends = readonly (readonly [implementation: string, service: string, weight: number])[];

/**
 * The K3s router's objects read back from the API server are exactly these routes' as
 * traefikObjects renders them (none other): per route the TraefikService `route-<name>` with the
 * weights (weight-0 backends out of the split) and an IngressRoute with the weighted rule and one
 * flag rule per implementation. Each backend's port is the one its Service really serves.
 */
async function expectRoutes(routes: Readonly<Record<string, Backends>>): Promise<void> {
  const [weighted, ingress, servicePorts] = await Promise.all([
    objects("traefikservices", lane.namespace),
    objects("ingressroutes", lane.namespace),
    objects("services", lane.namespace),
  ]);
  const portOf = (service: string): number => {
    const ports = (servicePorts[service]?.spec as { ports?: { port: number }[] } | undefined)
      ?.ports;
    if (!ports?.[0]) throw new Error(`route backend ${service}: no Service ${service} with a port`);
    return ports[0].port;
  };
  const specs: RouteSpec[] = Object.entries(routes).map(([name, backends]) => ({
    name,
    backends: backends.map(([implementation, service, weight]) => ({
      implementation,
      service,
      weight,
    })),
  }));
  const expected = specs.flatMap((route) => traefikObjects(route, DEFAULT_FEATURE_FLAGS, portOf));
  const names = (kind: string) =>
    expected
      .filter((o) => o.kind === kind)
      .map((o) => o.name)
      .sort();
  expect(Object.keys(weighted).sort()).toEqual(names("TraefikService"));
  expect(Object.keys(ingress).sort()).toEqual(names("IngressRoute"));
  for (const object of expected) {
    const actual = (object.kind === "IngressRoute" ? ingress : weighted)[object.name];
    expect([object.kind, object.name, actual?.spec]).toEqual([
      object.kind,
      object.name,
      object.spec,
    ]);
  }
}

/** The weighted split of `route-<route>` as the API server holds it: service → weight. */
async function splitOf(route: string): Promise<Record<string, number>> {
  const service = (await objects("traefikservices", lane.namespace))[`route-${route}`];
  const entries = (
    service?.spec as { weighted?: { services?: { name: string; weight: number }[] } }
  )?.weighted?.services;
  return Object.fromEntries((entries ?? []).map((e) => [e.name, e.weight]));
}

describe.sequential("the real lane (the seed platform's Pulumi.local.yaml) with pulumi up", () => {
  it("previews the first deployment as the offline plan does, then deploys the baselines", async () => {
    const offline = await stepwise([
      "plan",
      STACK,
      "--initial",
      "--json",
      "-C",
      lane.projectDir,
      "--at",
      at.toISOString(),
    ]);
    expect(offline.code).toBe(0);
    const step = await lane.apply();
    expect([step.preview.exitCode, step.preview.policy.violations]).toEqual([0, []]);
    fidelity.push(
      stepFidelity(
        "first deployment",
        JSON.parse(offline.stdout) as Plan,
        step.preview.plan,
        "first deployment",
      ),
    );
    expect(fidelity.at(-1)?.unexplained).toEqual([]);
    expect(step.up?.summary.result).toBe("succeeded");

    expect(await deploymentNames()).toEqual(BASELINE_DEPLOYMENTS);
    // The database URL reaches the pod only through secretKeyRef; the Secret holds it.
    const catalog = (await objects("deployments", lane.namespace))["product-catalog"];
    const container = (
      catalog?.spec as {
        template: {
          spec: {
            containers: { env?: { name: string; valueFrom?: unknown; value?: unknown }[] }[];
          };
        };
      }
    ).template.spec.containers[0];
    expect(container?.env).toEqual([
      {
        name: "DATABASE_URL",
        valueFrom: { secretKeyRef: { name: "product-catalog-secret", key: "database-url" } },
      },
    ]);
    const secret = (await objects("secrets", lane.namespace))[
      "product-catalog-secret"
    ] as unknown as {
      data: Record<string, string>;
    };
    const pg = services().postgres;
    expect(Buffer.from(secret.data["database-url"] ?? "", "base64").toString()).toBe(
      `postgresql://${pg.user}:${encodeURIComponent(pg.password)}@${pg.host}:${pg.port}/${pg.databases.legacy}`,
    );
    // Nowhere else: not in ConfigMaps, not in the stack's state.
    const configMaps = JSON.stringify(await objects("configmaps", lane.namespace));
    expect(configMaps).not.toContain(pg.password);
    expect(lane.rawState()).not.toContain(pg.password);
    expect(lane.rawState()).toContain("ciphertext");
    await expectEventsWiring("redpanda");
    const ledger: Ledger = await lane.ledgerOutput();
    expect(ledger.phases.events).toMatchObject({ phase: "redpanda" });
  });

  it("refuses a two-phase jump on the real preview; pulumi up with the pack changes nothing", async () => {
    const claimed = lane.text().replace("    events: redpanda\n", "    events: dual-publish\n");
    expect(claimed).not.toBe(lane.text());
    lane.write(claimed);
    lane.edit(["stepwise:previousPhases", "events"], "parallel"); // what a PR could claim
    expect((await lane.plan(at)).code).toBe(1);
    // The file claims parallel came first; the deployed ledger says redpanda.
    await expectRefusedByPack(
      "one-phase-step",
      /path "events" moves 2 phases \(redpanda → dual-publish\)/,
      "redpanda",
    );
  });

  it("walks events forward to kafka-only; records written before each step stay readable", async () => {
    let phase = "redpanda";
    for (let i = 0; i < 4; i++) phase = await eventsStep("advance", phase);
    expect(phase).toBe("kafka-only");
  });

  it("refuses moving the external Kafka in use onto K3s on the real preview", async () => {
    lane.edit(["stepwise:enginePlacement", "kafka"], "k3s");
    lane.remove(["stepwise:externalEngines", "kafka"]);
    await expectRefusedByPack(
      "engine-stays-put",
      /kafka is in use and moves from "external" to "k3s"/,
      "kafka-only",
    );
  });

  it("refuses a policy change riding with a step, and a gate arriving with its step, on the real preview", async () => {
    at = new Date(at.getTime() + 60_000);
    lane.edit(["stepwise:policy", "weightStep"], 10);
    expect((await lane.move("advance", "api", at)).code).toBe(0);
    expect((await lane.plan(at)).code).toBe(1);
    await expectRefusedByPack(
      "policy-change-alone",
      /the policy changes \(weightStep 25 → 10\) in the same update as: path "api" moves old → canary/,
      "kafka-only",
    );
    const gate = sealGate(
      "compatibility-verified",
      {
        passed: true,
        recordedAt: at.toISOString(),
        detail: "compatibility redpanda -> kafka: 4 topics, 0 blocking differences, 0 warnings",
        check: "events compat",
        endpoints: [services().kafka.legacy.bootstrap, services().kafka.target.bootstrap],
      },
      { topics: TOPIC_NAMES },
    );
    lane.edit(["stepwise:gates", "compatibility-verified"], gate);
    expect((await lane.move("advance", "api", at)).code).toBe(0);
    expect((await lane.plan(at)).code).toBe(1);
    await expectRefusedByPack(
      "recorded-evidence",
      /gate "compatibility-verified" is recorded in the same update as the step it unlocks \(path "api" → "canary"\)/,
      "kafka-only",
    );
  });

  it("refuses retirement inside the rollback window on the real preview", async () => {
    const early = new Date(at.getTime() + DAY);
    lane.write(applyPhaseStep(lane.text(), "events", "advance", early, STACK).text);
    await expectRefusedByPack(
      "stateful-delete-after-window",
      /path "events" enters "redpanda-retired" 1\.0 days after cutover "kafka-only"; the rollback window is 30 days/,
      "kafka-only",
    );
  });

  it("retires Redpanda after the window, forgetting its topics (not deleting them), and rolls back to redpanda", async () => {
    let phase = await eventsStep("advance", "kafka-only", 31);
    expect(phase).toBe("redpanda-retired");
    // Redpanda is external: its topics and the records on them are not the stack's to delete.
    expect(Object.keys(await topicsOn("redpanda", TOPIC_NAMES))).toEqual([...TOPIC_NAMES].sort());
    phase = await eventsStep("rollback", phase);
    expect(phase).toBe("kafka-only");
    // Producers back on a Redpanda that missed what went only to Kafka: the pack refuses the
    // step back until the check that shows Redpanda has it all is recorded.
    const early = new Date(at.getTime() + 60_000);
    lane.write(applyPhaseStep(lane.text(), "events", "rollback", early, STACK).text);
    await expectRefusedByPack(
      "phase-gates",
      /moves back from "kafka-only" to "consumers-on-kafka", pointing clients at redpanda .*gate "messages-synced-back" is not recorded/,
      "kafka-only",
    );
    for (let i = 0; i < 4; i++) phase = await eventsStep("rollback", phase);
    expect(phase).toBe("redpanda");
  });

  it("records the compatibility gate again with the real check, in a change of its own", async () => {
    await recordCompatibilityGate();
  });

  it("walks api: a canary at stepped weights, the new implementation, the old one retired, and back", async () => {
    const canary = (percent: number): Backends => [
      ["old", "product-catalog", 100 - percent],
      ["new", "product-catalog-next", percent],
    ];
    const weight = async (percent: number) => {
      at = new Date(at.getTime() + 60_000);
      lane.edit(["stepwise:apiWeights", "product-catalog"], percent);
      await takeStep(`api weight ${percent}`);
      // The router's real weights, as Traefik reads them from the API server.
      expect([percent, await splitOf("product-catalog")]).toEqual([
        percent,
        { "product-catalog": 100 - percent, "product-catalog-next": percent },
      ]);
      await expectRoutes({ "product-catalog": canary(percent) });
    };
    await expectRoutes({}); // no route at the baseline: clients reach the service directly
    expect(await move("advance", "api")).toBe("canary");
    expect(await deploymentNames()).toContain("product-catalog-next");
    await expectRoutes({ "product-catalog": canary(10) });
    for (const percent of [35, 60, 85]) await weight(percent);
    expect(await move("advance", "api")).toBe("new");
    // The old implementation leaves the split; its flag rule still reaches it.
    expect(await splitOf("product-catalog")).toEqual({ "product-catalog-next": 100 });
    await expectRoutes({ "product-catalog": canary(100) });
    expect(await move("advance", "api", 31)).toBe("old-retired");
    const retired = await deploymentNames();
    expect(retired).toContain("product-catalog-next");
    expect(retired).not.toContain("product-catalog");
    await expectRoutes({ "product-catalog": [["new", "product-catalog-next", 100]] });
    expect(await move("rollback", "api")).toBe("new");
    expect(await deploymentNames()).toContain("product-catalog");
    await expectRoutes({ "product-catalog": canary(100) });
    expect(await move("rollback", "api")).toBe("canary");
    // Back at the last canary weight the stack file holds.
    await expectRoutes({ "product-catalog": canary(85) });
    for (const percent of [60, 35, 10]) await weight(percent);
    expect(await move("rollback", "api")).toBe("old");
    expect(await deploymentNames()).not.toContain("product-catalog-next");
    await expectRoutes({});
  });

  it("walks consolidation: the monolith beside the services, traffic to it in weighted steps, services retired, and back", async () => {
    // The api walk's retirement moved the clock on a month: the gate is checked again.
    await recordCompatibilityGate();
    const microservices = ["inventory", "orders", "product-catalog"];
    /** Every service's route with the monolith serving `percent` of it beside the service. */
    const parallel = (percent: number) =>
      Object.fromEntries(
        microservices.map((service): [string, Backends] => [
          service,
          [
            ["old", service, 100 - percent],
            ["new", "modular-monolith", percent],
          ],
        ]),
      );
    /** Every service's monolith weight set to `percent` in a reviewed step of its own. */
    const weight = async (percent: number) => {
      at = new Date(at.getTime() + 60_000);
      for (const service of microservices) {
        lane.edit(["stepwise:monolithWeights", service], percent);
      }
      await takeStep(`monolith weight ${percent}`);
      // The routers' real weights: the monolith's share of each service's requests.
      for (const service of microservices) {
        const split = await splitOf(service);
        expect([service, split[service] ?? 0, split["modular-monolith"] ?? 0]).toEqual([
          service,
          100 - percent,
          percent,
        ]);
      }
      await expectRoutes(parallel(percent));
    };
    await expectRoutes({});
    expect(await move("advance", "consolidation")).toBe("monolith-parallel");
    expect(await deploymentNames()).toContain("modular-monolith");
    // The monolith runs beside the services with no share yet: flagged requests reach it.
    await expectRoutes(parallel(0));
    for (const percent of [25, 50, 75, 100]) await weight(percent);
    expect(await move("advance", "consolidation")).toBe("modular-monolith");
    const scaled = await objects("deployments", lane.namespace);
    for (const name of microservices) {
      expect([name, (scaled[name]?.spec as { replicas: number }).replicas]).toEqual([name, 0]);
    }
    await expectRoutes(parallel(100));
    expect(await move("advance", "consolidation", 31)).toBe("services-retired");
    expect(await deploymentNames()).toEqual([
      "modular-monolith",
      "platform-coordination",
      "platform-prometheus",
    ]);
    // The services' names stay routes, all to the monolith.
    await expectRoutes(
      Object.fromEntries(
        microservices.map((service): [string, Backends] => [
          service,
          [["new", "modular-monolith", 100]],
        ]),
      ),
    );
    expect(await move("rollback", "consolidation")).toBe("modular-monolith");
    await expectRoutes(parallel(100));
    // A rollback landing on a lower weight hands traffic back in one jump: the plan and the
    // pack refuse it (the pack sees the weights of the phase being entered).
    at = new Date(at.getTime() + 60_000);
    expect((await lane.move("rollback", "consolidation", at)).code).toBe(0);
    lane.edit(["stepwise:monolithWeights", "inventory"], 50);
    expect((await lane.plan(at)).code).toBe(1);
    await expectRefusedByPack(
      "traffic-weight-step",
      /path "consolidation": modular-monolith → monolith-parallel moves 50 points of service "inventory"'s traffic away from modular-monolith in one update \(100% → 50%\); the limit is 25/,
      "redpanda",
    );
    // `stepwise rollback` lands on weights of 100: no traffic moves until they step down.
    expect(await move("rollback", "consolidation")).toBe("monolith-parallel");
    await expectRoutes(parallel(100));
    for (const percent of [75, 50, 25, 0]) await weight(percent);
    expect(await move("rollback", "consolidation")).toBe("microservices");
    expect(await deploymentNames()).toEqual(BASELINE_DEPLOYMENTS);
    await expectRoutes({});
  });

  it("after an update that failed midway, status tells the deployed phase and the next up completes", async () => {
    await recordCompatibilityGate(); // a month older again since the api walk
    at = new Date(at.getTime() + 60_000);
    expect((await lane.move("advance", "events", at)).code).toBe(0);
    const offline = await lane.plan(at);
    const packConfig = await lane.packConfig();
    // The new cluster goes down: its topics cannot be made, while the Kubernetes changes apply.
    await stopKafkaCluster("target");
    try {
      await expect(lane.up(packConfig)).rejects.toThrow(/cannot reach Kafka/);
    } finally {
      await startKafkaCluster("target");
    }
    const status = await stepwise(
      ["status", STACK, "--deployed", "-C", lane.projectDir, "--at", at.toISOString()],
      lane.engineEnv,
    );
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/local +events +parallel +redpanda /);
    expect(status.stdout).toContain("local: last update failed");
    expect(status.stdout).toContain(
      'local: events is at "parallel" in the stack file but "redpanda" is deployed',
    );
    // `plan --engine` shows the real preview of what is left, through the same renderer.
    const engine = await stepwise(
      ["plan", STACK, "--engine", "-C", lane.projectDir, "--at", at.toISOString()],
      lane.engineEnv,
    );
    expect([engine.code, engine.stdout.split("\n")[0]]).toEqual([
      0,
      "stepwise: local: deployed → stack file (engine preview)",
    ]);
    const preview = await lane.preview(packConfig);
    fidelity.push(
      stepFidelity(
        "advance events after a failed update",
        offline.plan,
        preview.plan,
        "after a failed update",
      ),
    );
    expect(fidelity.at(-1)?.unexplained).toEqual([]);
    const finished = await lane.up(packConfig);
    expect(finished.summary.result).toBe("succeeded");
    lane.land("advance events (finished)");
    await expectEventsWiring("parallel");
    // At the lane's clock: status refuses entry times in the future of the one it is given.
    const after = await stepwise(
      ["status", STACK, "--deployed", "-C", lane.projectDir, "--at", at.toISOString()],
      lane.engineEnv,
    );
    expect(after.stdout).toMatch(/local +events +parallel +parallel /);
    expect(after.stdout).toContain("local: last update succeeded");
  });

  it("with the API server down, an update fails before the ledger moves, and completes once it is back", async () => {
    at = new Date(at.getTime() + 60_000);
    expect((await lane.move("rollback", "events", at)).code).toBe(0);
    const packConfig = await lane.packConfig();
    await killKubernetesApiServer();
    try {
      await expect(lane.up(packConfig)).rejects.toThrow();
    } finally {
      await restartKubernetesApiServer();
    }
    expect((await lane.ledgerOutput()).phases.events?.phase).toBe("parallel");
    const finished = await lane.up(packConfig);
    expect(finished.summary.result).toBe("succeeded");
    lane.land("rollback events (finished)");
    expect((await lane.ledgerOutput()).phases.events?.phase).toBe("redpanda");
  });

  it("the offline plan agreed with the engine at every step, or the difference is documented", () => {
    const table = documentedDifferences();
    const agreeing = fidelity.filter((f) => f.explained.length === 0 && f.unexplained.length === 0);
    console.log(
      `fidelity: ${agreeing.length}/${fidelity.length} steps agree op for op; documented differences seen: ` +
        JSON.stringify([...new Set(fidelity.flatMap((f) => f.explained))]),
    );
    expect(fidelity.flatMap((f) => f.unexplained)).toEqual([]);
    expect(fidelity.length).toBeGreaterThan(25);
    // Every row of the table is still needed: a difference that no longer occurs is removed.
    // What a failed update leaves applied depends on how far it got, so its rows may not show.
    const seen = fidelity.flatMap((f) => f.explained);
    for (const row of table.filter((r) => r.when !== "after a failed update")) {
      expect([
        row.op,
        row.type,
        seen.some((line) => line.includes(` ${row.op} `) && line.includes(row.type)),
      ]).toEqual([row.op, row.type, true]);
    }
  });
});
