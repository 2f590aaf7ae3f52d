import { describe, expect, it } from "vitest";
import type { Ledger } from "../../../migrations/ledger";
import type { Plan } from "../../../migrations/plan-model";
import { resolvePolicySettings, type PolicySettingsInput } from "../../../policies/config";
import { RULE_IDS, type RuleId } from "../../../policies/rules";
import { ledgersFromPlan } from "../../../policies/checks/plan-view";
import { blockingVerdicts, checkTransition, type Verdict } from "../../../policies/transition";
import {
  CONTAINER,
  DEPLOYMENT,
  KAFKA,
  REDPANDA,
  TOPIC,
  TRAEFIK_SERVICE,
  VOLUME,
  composeRoutes,
  container,
  deployment,
  prometheus,
  routeService,
  weighted,
} from "./fixtures";
import { NOW, daysAgo, hoursAgo, ledger, passedGate, plan, step } from "./support";

const GATES = { "compatibility-verified": passedGate(), "rollback-drill": passedGate() };
/** events: redpanda → parallel, gates recorded, both systems scraped: every rule passes. */
const BEFORE = ledger({ events: "redpanda" }, GATES);
const AFTER = ledger(
  { events: { phase: "parallel", enteredAt: NOW.toISOString(), previous: "redpanda" } },
  GATES,
);
const MONITORED = step("update", CONTAINER, "monitoring", {
  before: prometheus(["redpanda"]),
  after: prometheus(["redpanda", "kafka"]),
});

interface Case {
  plan?: Plan;
  before?: Ledger;
  after?: Ledger;
  settings?: PolicySettingsInput;
  stack?: string;
}

function run(c: Case): Verdict[] {
  return checkTransition({
    plan: c.plan ?? plan(MONITORED),
    before: c.before ?? BEFORE,
    after: c.after ?? AFTER,
    settings: resolvePolicySettings(c.settings ?? {}, { stack: c.stack ?? "prod" }),
    now: NOW,
  });
}

/** Failure messages of one rule (without the "To pass" advice). */
function failures(c: Case, rule: RuleId): string[] {
  return run(c)
    .filter((v) => v.ruleId === rule && !v.passed)
    .map((v) => v.message.split(". To pass: ")[0] ?? "");
}

/** One path's move, with the other fields of a healthy transition. */
function move(
  path: "events" | "database" | "platform" | "api",
  from: string,
  to: string,
  enteredDaysAgo = 60,
): Case {
  return {
    before: ledger({ [path]: { phase: from, enteredAt: daysAgo(enteredDaysAgo) } }, GATES),
    after: ledger({ [path]: { phase: to, enteredAt: NOW.toISOString(), previous: from } }, GATES),
    plan: plan(),
  };
}

describe("checkTransition on a healthy step", () => {
  it("passes every rule, one verdict per rule in rule order, all mandatory in prod", () => {
    const verdicts = run({});
    expect(verdicts.map((v) => v.ruleId)).toEqual([...RULE_IDS]);
    expect(verdicts.filter((v) => !v.passed)).toEqual([]);
    expect(new Set(verdicts.map((v) => v.level))).toEqual(new Set(["mandatory"]));
    expect(blockingVerdicts(verdicts)).toEqual([]);
  });
});

describe("one-phase-step", () => {
  it("passes one step forward and one step back", () => {
    expect(failures(move("events", "redpanda", "parallel"), "one-phase-step")).toEqual([]);
    expect(failures(move("events", "dual-publish", "parallel"), "one-phase-step")).toEqual([]);
  });
  it("fails a skipped phase, forward or back, naming the phase to go to first", () => {
    expect(failures(move("events", "redpanda", "dual-publish"), "one-phase-step")).toEqual([
      'path "events" moves 2 phases (redpanda → dual-publish) in one update; go to "parallel" first',
    ]);
    expect(
      failures(move("database", "citus-primary", "citus-provisioned"), "one-phase-step"),
    ).toEqual([
      'path "database" moves 3 phases (citus-primary → citus-provisioned) in one update; go to "verified" first',
    ]);
  });
  it("fails an unknown phase id, listing the path's phases", () => {
    expect(failures(move("api", "old", "canary-50"), "one-phase-step")).toEqual([
      'path "api": phase "canary-50" is not one of old → canary → new → old-retired',
    ]);
  });
});

describe("one-path-per-update", () => {
  const two: Case = {
    before: ledger(
      { events: "redpanda", database: "postgres" },
      { ...GATES, "data-model-reviewed": passedGate() },
    ),
    after: ledger(
      {
        events: { phase: "parallel", enteredAt: NOW.toISOString(), previous: "redpanda" },
        database: {
          phase: "citus-provisioned",
          enteredAt: NOW.toISOString(),
          previous: "postgres",
        },
      },
      { ...GATES, "data-model-reviewed": passedGate() },
    ),
    plan: plan(),
  };
  it("fails two paths moving at once", () => {
    expect(failures(two, "one-path-per-update")).toEqual([
      "2 paths move in one update: events (redpanda → parallel), database (postgres → citus-provisioned)",
    ]);
  });
  it("passes them when the stack allows multiple paths", () => {
    expect(
      failures(
        { ...two, settings: { allowMultiplePaths: true }, stack: "staging" },
        "one-path-per-update",
      ),
    ).toEqual([]);
  });
});

describe("one-service-platform-move", () => {
  const moveToK3s = (service: string) => [
    step("delete", CONTAINER, `compose-${service}`, { before: container(service) }),
    step("create", DEPLOYMENT, `k3s-${service}`, { after: deployment(service, { replicas: 2 }) }),
  ];
  it("passes one service moving (and one staying)", () => {
    const p = plan(
      ...moveToK3s("orders"),
      step("same", CONTAINER, "compose-inventory", { after: container("inventory") }),
    );
    expect(failures({ plan: p }, "one-service-platform-move")).toEqual([]);
  });
  it("fails two services moving, naming both moves", () => {
    const p = plan(
      ...moveToK3s("orders"),
      ...moveToK3s("inventory"),
      step("create", DEPLOYMENT, "k3s-catalog", {
        after: deployment("product-catalog", { replicas: 2 }),
      }),
      step("same", CONTAINER, "compose-catalog", { after: container("product-catalog") }),
    );
    expect(failures({ plan: p }, "one-service-platform-move")).toEqual([
      "3 services change platform in one update: inventory (compose → k3s), orders (compose → k3s), product-catalog (compose → compose+k3s)",
    ]);
  });
});

describe("engine-stays-put", () => {
  const withEngines = (base: Ledger, engines: Record<string, string>): Ledger => ({
    ...base,
    engines,
  });

  it("passes an engine that stays, and one placed anew while no phase uses it", () => {
    const stays = {
      before: withEngines(BEFORE, { redpanda: "external" }),
      after: withEngines(AFTER, { redpanda: "external", kafka: "k3s" }),
    };
    expect(failures(stays, "engine-stays-put")).toEqual([]);
  });

  it("fails an engine in use that moves, e.g. an external Redpanda onto K3s", () => {
    const moved = {
      before: withEngines(BEFORE, { redpanda: "external" }),
      after: withEngines(AFTER, { redpanda: "k3s", kafka: "k3s" }),
    };
    expect(failures(moved, "engine-stays-put")).toEqual([
      'redpanda is in use and moves from "external" to "k3s" (stepwise:enginePlacement.redpanda); a new, empty redpanda would replace it',
    ]);
    expect(blockingVerdicts(run(moved)).map((v) => v.ruleId)).toContain("engine-stays-put");
  });
});

describe("traffic-weight-step", () => {
  const route = (
    before: Record<string, number> | undefined,
    after: Record<string, number>,
  ): Case => ({
    plan: plan(
      before
        ? step("update", TRAEFIK_SERVICE, "orders-weighted", {
            before: weighted(before),
            after: weighted(after),
          })
        : step("create", TRAEFIK_SERVICE, "orders-weighted", { after: weighted(after) }),
    ),
  });
  it("passes a move of 25 points and a new route sending 25% away", () => {
    expect(
      failures(route({ old: 75, new: 25 }, { old: 50, new: 50 }), "traffic-weight-step"),
    ).toEqual([]);
    expect(failures(route(undefined, { old: 3, new: 1 }), "traffic-weight-step")).toEqual([]);
  });
  it("fails a 50-point move on each backend, and a new route at 50/50", () => {
    expect(
      failures(route({ old: 75, new: 25 }, { old: 25, new: 75 }), "traffic-weight-step"),
    ).toEqual([
      'orders-weighted: weight of "old" moves 50 points (75% → 25%); the limit is 25',
      'orders-weighted: weight of "new" moves 50 points (25% → 75%); the limit is 25',
    ]);
    expect(failures(route(undefined, { old: 1, new: 1 }), "traffic-weight-step")).toEqual([
      "orders-weighted: a new weighted route sends 50% away from its main backend at once; the limit is 25",
    ]);
  });
  /** A service's Compose workload (its share comes from the router, not from the workload). */
  const workload = (service: string) => container(service);
  /** The Compose router's config writer, before and after, in one plan step. */
  const router = (
    before: Record<string, Record<string, number>> | undefined,
    after: Record<string, Record<string, number>> | undefined,
  ) =>
    step(
      before === undefined ? "create" : after === undefined ? "delete" : "replace",
      CONTAINER,
      "platform-router-config",
      {
        ...(before ? { before: composeRoutes(before) } : {}),
        ...(after ? { after: composeRoutes(after) } : {}),
      },
    );
  const canary = (from: number, to: number) =>
    plan(
      step("same", CONTAINER, "compose-catalog", { after: workload("catalog") }),
      step("same", CONTAINER, "compose-catalog-next", { after: workload("catalog-next") }),
      router(
        { catalog: { catalog: 100 - from, "catalog-next": from } },
        { catalog: { catalog: 100 - to, "catalog-next": to } },
      ),
    );
  it("reads the Compose router's rendered weights per route: 25 → 50 passes, 25 → 75 fails", () => {
    expect(failures({ plan: canary(25, 50) }, "traffic-weight-step")).toEqual([]);
    expect(failures({ plan: canary(25, 75) }, "traffic-weight-step")).toEqual([
      'service "catalog": 50 points of its traffic change hands in one update (catalog 75% → 25%, catalog-next 25% → 75%); the limit is 25',
    ]);
  });
  it("reads the K3s router's TraefikService per route, not as an anonymous weighted route", () => {
    const k3s = (from: number, to: number) =>
      plan(
        step("same", DEPLOYMENT, "k3s-catalog", { after: deployment("catalog") }),
        step("same", DEPLOYMENT, "k3s-catalog-next", { after: deployment("catalog-next") }),
        step("update", TRAEFIK_SERVICE, "platform-router-route-catalog-service", {
          before: routeService("catalog", { catalog: 100 - from, "catalog-next": from }),
          after: routeService("catalog", { catalog: 100 - to, "catalog-next": to }),
        }),
      );
    expect(failures({ plan: k3s(0, 25) }, "traffic-weight-step")).toEqual([]);
    expect(failures({ plan: k3s(0, 100) }, "traffic-weight-step")).toEqual([
      'service "catalog": 100 points of its traffic change hands in one update (catalog 100% → 0%, catalog-next 0% → 100%); the limit is 25',
    ]);
  });
  it("counts a new route from the service serving alone, a service without a route not at all", () => {
    const entering = plan(
      step("same", CONTAINER, "compose-catalog", { after: workload("catalog") }),
      step("create", CONTAINER, "compose-catalog-next", { after: workload("catalog-next") }),
      step("create", CONTAINER, "compose-monolith", { after: workload("monolith") }),
      router(undefined, { catalog: { catalog: 75, "catalog-next": 25 } }),
    );
    expect(failures({ plan: entering }, "traffic-weight-step")).toEqual([]);
    const jump = plan(
      step("same", CONTAINER, "compose-catalog", { after: workload("catalog") }),
      step("create", CONTAINER, "compose-catalog-next", { after: workload("catalog-next") }),
      router(undefined, { catalog: { catalog: 50, "catalog-next": 50 } }),
    );
    expect(failures({ plan: jump }, "traffic-weight-step")).toEqual([
      'service "catalog": 50 points of its traffic change hands in one update (catalog 100% → 50%, catalog-next 0% → 50%); the limit is 25',
    ]);
  });
  it("does not count a route moving platforms with its weights as a weight move", () => {
    const moved = plan(
      step("delete", CONTAINER, "compose-catalog-next", { before: workload("catalog-next") }),
      step("create", DEPLOYMENT, "k3s-catalog-next", { after: deployment("catalog-next") }),
      router({ catalog: { catalog: 50, "catalog-next": 50 } }, undefined),
      step("create", TRAEFIK_SERVICE, "platform-router-route-catalog-service", {
        after: routeService("catalog", { catalog: 50, "catalog-next": 50 }),
      }),
    );
    expect(failures({ plan: moved }, "traffic-weight-step")).toEqual([]);
  });
  const REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage";
  const implementation = (service: string, image: string) => [
    step("same", CONTAINER, `compose-${service}`, {
      after: { ...workload(service), image: "sha256:0123" },
    }),
    step("same", REMOTE_IMAGE, `compose-${service}-image`, { after: { name: image } }),
  ];
  const swap = (service: string, from: string, to: string) => [
    step("same", CONTAINER, `compose-${service}`, { after: workload(service) }),
    step("replace", REMOTE_IMAGE, `compose-${service}-image`, {
      before: { name: from },
      after: { name: to },
    }),
  ];
  const unchangedRouter = (routes: Record<string, Record<string, number>>) =>
    step("same", CONTAINER, "platform-router-config", { after: composeRoutes(routes) });
  it("counts another image repository as another implementation: all its traffic moves", () => {
    const cutOver = (to: string) =>
      plan(
        ...implementation("catalog", "shop/catalog:1.4.2"),
        ...swap("catalog-next", "shop/catalog-gin:0.9.0", to),
        unchangedRouter({ catalog: { catalog: 0, "catalog-next": 100 } }),
      );
    expect(failures({ plan: cutOver("other/catalog:6.6.6") }, "traffic-weight-step")).toEqual([
      'service "catalog": 100 points of its traffic change hands in one update (catalog-next shop/catalog-gin 100% → other/catalog 100%); the limit is 25. catalog-next would run another implementation, which gets traffic only through the canary: at api phase "canary" set stepwise:apiWeights.catalog to 0, change the image, then raise the weight step by step (a new tag of the same repository is an ordinary update)',
    ]);
    // A new tag or digest of the same repository is an update of the same implementation.
    expect(failures({ plan: cutOver("shop/catalog-gin:0.9.1") }, "traffic-weight-step")).toEqual(
      [],
    );
    const digest = `shop/catalog-gin@sha256:${"a".repeat(64)}`;
    expect(failures({ plan: cutOver(digest) }, "traffic-weight-step")).toEqual([]);
    // At weight 0 another implementation takes no traffic yet: the canary's first step.
    const idle = plan(
      ...implementation("catalog", "shop/catalog:1.4.2"),
      ...swap("catalog-next", "shop/catalog-gin:0.9.0", "other/catalog:6.6.6"),
      unchangedRouter({ catalog: { catalog: 100, "catalog-next": 0 } }),
    );
    expect(failures({ plan: idle }, "traffic-weight-step")).toEqual([]);
  });
  it("refuses a serving implementation's new image riding with a weight move", () => {
    const release = (to: string, weights: [number, number]) =>
      plan(
        step("same", CONTAINER, "compose-catalog", { after: workload("catalog") }),
        step("update", CONTAINER, "compose-catalog-next", {
          before: workload("catalog-next"),
          after: workload("catalog-next"),
        }),
        step("replace", REMOTE_IMAGE, "compose-catalog-next-image", {
          before: { name: "shop/catalog-gin:0.9.0" },
          after: { name: to },
        }),
        router(
          { catalog: { catalog: 75, "catalog-next": 25 } },
          { catalog: { catalog: weights[0], "catalog-next": weights[1] } },
        ),
      );
    expect(
      failures({ plan: release("shop/catalog-gin:0.9.1", [50, 50]) }, "traffic-weight-step"),
    ).toEqual([
      'service "catalog": its weights change (catalog 75% → 50%, catalog-next 25% → 50%) in the same update as the image of catalog-next, which serves its traffic (shop/catalog-gin:0.9.0 → shop/catalog-gin:0.9.1); change the image and the weights in separate updates, so each is reviewed on its own',
    ]);
    // Alone, the release is an ordinary update; so is the weight step after it.
    expect(
      failures({ plan: release("shop/catalog-gin:0.9.1", [75, 25]) }, "traffic-weight-step"),
    ).toEqual([]);
    expect(
      failures({ plan: release("shop/catalog-gin:0.9.0", [50, 50]) }, "traffic-weight-step"),
    ).toEqual([]);
  });
  it("refuses a Compose router whose routes file does not parse, naming the router", () => {
    const broken = plan(
      step("same", CONTAINER, "compose-catalog", { after: workload("catalog") }),
      step("replace", CONTAINER, "platform-router-config", {
        before: composeRoutes({ catalog: { catalog: 100 } }),
        after: { ...composeRoutes({}), envs: ["STEPWISE_ROUTES=http: [unclosed"] },
      }),
    );
    expect(failures({ plan: broken }, "traffic-weight-step")).toEqual([
      expect.stringMatching(
        /^the router's routes do not parse \(.+\): the traffic they send cannot be judged; render them with stepwise's router components$/,
      ),
    ]);
  });
  it("reads a Kubernetes workload's image from its container", () => {
    const k8s = (image: string) => {
      const d = deployment("catalog-next", { replicas: 2 }) as {
        spec: { template: { spec: { containers: object[] } } };
      };
      d.spec.template.spec.containers = [{ name: "catalog-next", image }];
      return d;
    };
    const swapped = plan(
      step("update", DEPLOYMENT, "k3s-catalog-next", {
        before: k8s("registry:5000/shop/catalog-gin:0.9.0"),
        after: k8s("registry:5000/shop/catalog-fiber:0.9.0"),
      }),
      step("same", TRAEFIK_SERVICE, "platform-router-route-catalog-service", {
        after: routeService("catalog", { "catalog-next": 100 }),
      }),
    );
    expect(failures({ plan: swapped }, "traffic-weight-step")).toEqual([
      expect.stringContaining(
        "(catalog-next registry:5000/shop/catalog-gin 100% → registry:5000/shop/catalog-fiber 100%)",
      ),
    ]);
  });
  const MONOLITH = "shop/monolith:1.0.0";
  const opOf = (before: unknown, after: unknown) =>
    before === undefined ? "create" : after === undefined ? "delete" : "update";
  /**
   * orders and the monolith, from one side to the other: the monolith's share of orders'
   * traffic (undefined: no monolith, no route) and the monolith's image.
   */
  const consolidation = (
    from: number | undefined,
    to: number | undefined,
    images: [string, string] = [MONOLITH, MONOLITH],
  ): Plan => {
    const routes = (share: number | undefined) =>
      share === undefined
        ? undefined
        : { orders: { orders: 100 - share, "modular-monolith": share } };
    const monolith = (share: number | undefined) =>
      share === undefined ? undefined : workload("modular-monolith");
    const image = (share: number | undefined, name: string) =>
      share === undefined ? undefined : { name };
    return plan(
      step("same", CONTAINER, "compose-orders", { after: workload("orders") }),
      step(opOf(from, to), CONTAINER, "compose-modular-monolith", {
        before: monolith(from),
        after: monolith(to),
      }),
      step(
        images[0] === images[1] ? opOf(from, to) : "replace",
        REMOTE_IMAGE,
        "compose-modular-monolith-image",
        { before: image(from, images[0]), after: image(to, images[1]) },
      ),
      ...(from === undefined && to === undefined ? [] : [router(routes(from), routes(to))]),
    );
  };
  const STEP_HINT =
    'The modular monolith takes a service\'s traffic in weighted steps: at consolidation phase "monolith-parallel" move stepwise:monolithWeights.orders by at most 25 per update, up to at least 75 before the cutover to "modular-monolith" and down to at most 25 before the rollback to "microservices" (the rollback from "modular-monolith" sets the weights to 100)';
  it("reads the monolith's share of each service: a cutover from 0 hands all of it over", () => {
    expect(failures({ plan: consolidation(0, 100) }, "traffic-weight-step")).toEqual([
      `service "orders": 100 points of its traffic change hands in one update (orders 100% → 0%, modular-monolith 0% → 100%); the limit is 25. ${STEP_HINT}`,
    ]);
    // Back from the cutover onto weights of 0: the same jump the other way.
    expect(failures({ plan: consolidation(100, 0) }, "traffic-weight-step")).toEqual([
      expect.stringContaining("(orders 0% → 100%, modular-monolith 100% → 0%)"),
    ]);
  });
  it("passes the monolith's weight in steps, the cutover from 75 and the rollback onto 100", () => {
    for (const [from, to] of [
      [0, 25],
      [25, 50],
      [50, 75],
      [75, 100],
      [100, 100],
      [100, 75],
    ]) {
      expect([
        from,
        to,
        failures({ plan: consolidation(from, to) }, "traffic-weight-step"),
      ]).toEqual([from, to, []]);
    }
    expect(failures({ plan: consolidation(25, 75) }, "traffic-weight-step")).toEqual([
      `service "orders": 50 points of its traffic change hands in one update (orders 75% → 25%, modular-monolith 25% → 75%); the limit is 25. ${STEP_HINT}`,
    ]);
  });
  it("counts the monolith arriving and leaving from and to the service serving alone", () => {
    // Arriving beside the services at 0, leaving from 25: no more than a step.
    expect(failures({ plan: consolidation(undefined, 0) }, "traffic-weight-step")).toEqual([]);
    expect(failures({ plan: consolidation(25, undefined) }, "traffic-weight-step")).toEqual([]);
    expect(failures({ plan: consolidation(undefined, 50) }, "traffic-weight-step")).toEqual([
      expect.stringContaining("(orders 100% → 50%, modular-monolith 0% → 50%)"),
    ]);
    expect(failures({ plan: consolidation(75, undefined) }, "traffic-weight-step")).toEqual([
      expect.stringContaining("(orders 25% → 100%, modular-monolith 75% → 0%)"),
    ]);
  });
  it("sees another monolith image as far as the monolith serves", () => {
    const other = "other/monolith:1.0.0";
    expect(
      failures({ plan: consolidation(100, 100, [MONOLITH, other]) }, "traffic-weight-step"),
    ).toEqual([
      'service "orders": 100 points of its traffic change hands in one update (modular-monolith shop/monolith 100% → other/monolith 100%); the limit is 25. modular-monolith would run another implementation, which gets traffic only in weighted steps: at consolidation phase "monolith-parallel" step every stepwise:monolithWeights entry to 0, change stepwise:monolithImage, then raise the weights step by step (a new tag of the same repository is an ordinary update)',
    ]);
    expect(
      failures({ plan: consolidation(0, 0, [MONOLITH, other]) }, "traffic-weight-step"),
    ).toEqual([]);
    const newTag = consolidation(100, 100, [MONOLITH, "shop/monolith:1.0.1"]);
    expect(failures({ plan: newTag }, "traffic-weight-step")).toEqual([]);
  });
  it("uses the stack's weightStep", () => {
    const c = {
      ...route({ old: 90, new: 10 }, { old: 70, new: 30 }),
      settings: { weightStep: 10 },
    };
    expect(failures(c, "traffic-weight-step")).toHaveLength(2);
  });
});

describe("no-create-and-delete-systems", () => {
  it("passes creating Kafka while Redpanda stays", () => {
    const p = plan(step("create", KAFKA, "kafka"), step("same", REDPANDA, "redpanda"));
    expect(failures({ plan: p }, "no-create-and-delete-systems")).toEqual([]);
  });
  it("fails creating Kafka and deleting Redpanda in one plan", () => {
    const p = plan(step("create", KAFKA, "kafka"), step("delete", REDPANDA, "redpanda"));
    expect(failures({ plan: p }, "no-create-and-delete-systems")).toEqual([
      'path "events": this update creates kafka (kafka) and deletes redpanda (redpanda)',
    ]);
  });
  it("fails a phase move that adds the new system and drops the old one", () => {
    expect(
      failures(move("events", "redpanda", "redpanda-retired"), "no-create-and-delete-systems"),
    ).toEqual([
      'path "events": redpanda → redpanda-retired adds kafka and drops redpanda in one update',
    ]);
  });
});

describe("stateful-never-replaced", () => {
  it("passes an in-place update of a volume", () => {
    const p = plan(
      step("update", VOLUME, "redpanda-data", {
        before: { labels: [] },
        after: { labels: [{ label: "a", value: "b" }] },
      }),
    );
    expect(failures({ plan: p }, "stateful-never-replaced")).toEqual([]);
  });
  it("fails a replaced volume and a replaced topic, once each, with the reason", () => {
    const topic = "pulumi-nodejs:dynamic/stepwise:Topic";
    const p = plan(
      { ...step("replace", VOLUME, "redpanda-data"), replaceReasons: ["driver"] },
      step("create-replacement", VOLUME, "redpanda-data"),
      step("delete-replaced", VOLUME, "redpanda-data"),
      step("replace", topic, "orders-topic", { after: { name: "orders", partitions: 3 } }),
    );
    expect(failures({ plan: p }, "stateful-never-replaced")).toEqual([
      "redpanda-data (docker:index/volume:Volume) would be replaced (changed: driver), losing its data",
      `orders-topic (${topic}) would be replaced, losing its data`,
    ]);
  });
});

describe("stateful-delete-after-window and stateful-delete-alone", () => {
  const retire = (cutoverDaysAgo: number, extra: Plan["steps"] = []): Case => ({
    before: ledger(
      {
        events: {
          phase: "kafka-only",
          enteredAt: daysAgo(cutoverDaysAgo),
          previous: "consumers-on-kafka",
        },
      },
      GATES,
    ),
    after: ledger(
      {
        events: { phase: "redpanda-retired", enteredAt: NOW.toISOString(), previous: "kafka-only" },
      },
      GATES,
    ),
    plan: plan(
      step("delete", REDPANDA, "redpanda"),
      step("delete", VOLUME, "redpanda-data"),
      ...extra,
    ),
  });
  it("passes retiring Redpanda 31 days after cutover, with nothing else in the update", () => {
    expect(failures(retire(31), "stateful-delete-after-window")).toEqual([]);
    expect(failures(retire(31), "stateful-delete-alone")).toEqual([]);
  });
  it("fails retiring inside the rollback window, saying until when", () => {
    expect(failures(retire(10), "stateful-delete-after-window")).toEqual([
      'path "events" enters "redpanda-retired" 10.0 days after cutover "kafka-only"; the rollback window is 30 days (until 2026-12-16T12:00:00.000Z)',
    ]);
    expect(
      failures(
        { ...retire(10), settings: { rollbackWindowDays: 7 } },
        "stateful-delete-after-window",
      ),
    ).toEqual([]);
  });
  it("fails deleting a volume when no path retires", () => {
    const c: Case = { plan: plan(MONITORED, step("delete", VOLUME, "orders-data")) };
    expect(failures(c, "stateful-delete-after-window")).toEqual([
      "orders-data (docker:index/volume:Volume) is deleted but no path enters a retirement phase in this update",
    ]);
  });
  it("passes a retained volume (retainOnDelete): Pulumi only forgets it, its data stays", () => {
    const forgotten = step("delete", VOLUME, "compose-platform-coordination-state");
    const retained = { ...forgotten, oldState: { ...forgotten.oldState!, retainOnDelete: true } };
    const moved = step("create", DEPLOYMENT, "k3s-platform-coordination", {
      after: deployment("platform-coordination", { replicas: 2 }),
    });
    const c: Case = { plan: plan(MONITORED, retained, moved) };
    expect(failures(c, "stateful-delete-after-window")).toEqual([]);
    expect(failures(c, "stateful-delete-alone")).toEqual([]);
    // The same delete without retainOnDelete destroys the data.
    expect(failures({ plan: plan(MONITORED, forgotten) }, "stateful-delete-after-window")).toEqual([
      "compose-platform-coordination-state (docker:index/volume:Volume) is deleted but no path enters a retirement phase in this update",
    ]);
  });
  it("lets Monitoring follow the retirement (it stops scraping what is deleted)", () => {
    const prometheusReplaced = step(
      "replace",
      CONTAINER,
      "platform-prometheus",
      {
        before: prometheus(["redpanda", "kafka"]),
        after: prometheus(["kafka"]),
      },
      "stepwise:monitoring:Monitoring",
    );
    expect(failures(retire(31, [prometheusReplaced]), "stateful-delete-alone")).toEqual([]);
  });
  const kafkaGone = [
    step("delete", KAFKA, "kafka"),
    step("delete", VOLUME, "kafka-broker-0-data", {}, KAFKA),
    step("delete", TOPIC, "topics-kafka-order-events", { before: { name: "order-events" } }),
  ];
  it("lets a rollback remove a new system that never received writes: its own resources", () => {
    const beforeWrites = { ...move("events", "parallel", "redpanda"), plan: plan(...kafkaGone) };
    expect(failures(beforeWrites, "stateful-delete-after-window")).toEqual([]);
    expect(failures(beforeWrites, "stateful-delete-alone")).toEqual([]);
    // From dual-publish, Kafka has received writes: deleting it would lose them.
    const afterWrites = { ...move("events", "dual-publish", "parallel"), plan: plan(...kafkaGone) };
    expect(failures(afterWrites, "stateful-delete-after-window")).toHaveLength(3);
  });
  it("judges every other delete in a dataless rollback as usual, and what rides along", () => {
    const postgresData = step(
      "delete",
      VOLUME,
      "postgres-data",
      {},
      "stepwise:database:PostgresServer",
    );
    const redpandaTopic = step("delete", TOPIC, "topics-redpanda-order-events", {
      before: { name: "order-events" },
    });
    const c = {
      ...move("events", "parallel", "redpanda"),
      plan: plan(...kafkaGone, postgresData, redpandaTopic),
    };
    expect(failures(c, "stateful-delete-after-window")).toEqual([
      "postgres-data (docker:index/volume:Volume) is deleted but no path enters a retirement phase in this update",
      "topics-redpanda-order-events (pulumi-nodejs:dynamic/stepwise:Topic) is deleted but no path enters a retirement phase in this update",
    ]);
    expect(failures(c, "stateful-delete-alone")).toEqual([
      'this update deletes kafka, kafka-broker-0-data, topics-kafka-order-events, postgres-data, topics-redpanda-order-events and also: path "events" moves',
    ]);
    const ridingAlong = step("update", DEPLOYMENT, "k3s-orders", {
      before: deployment("orders", { replicas: 2 }),
      after: deployment("orders", { replicas: 3 }),
    });
    const withChange = {
      ...move("events", "parallel", "redpanda"),
      plan: plan(...kafkaGone, ridingAlong),
    };
    expect(failures(withChange, "stateful-delete-after-window")).toEqual([]);
    expect(failures(withChange, "stateful-delete-alone")).toEqual([
      "this update deletes kafka, kafka-broker-0-data, topics-kafka-order-events and also: k3s-orders changes",
    ]);
  });
  it("fails a retirement that also creates or changes a workload", () => {
    const c = retire(31, [
      step("create", DEPLOYMENT, "k3s-orders", { after: deployment("orders", { replicas: 2 }) }),
      step("update", CONTAINER, "compose-inventory", {
        before: container("inventory"),
        after: container("inventory", ["LOG=debug"]),
      }),
    ]);
    expect(failures(c, "stateful-delete-alone")).toEqual([
      "this update deletes redpanda, redpanda-data and also: k3s-orders changes; compose-inventory changes",
    ]);
  });
});

describe("phase-gates", () => {
  it("passes entering parallel with compatibility verified, and a step back that reads nothing stale", () => {
    expect(failures(move("events", "redpanda", "parallel"), "phase-gates")).toEqual([]);
    // Going back needs no forward gate; a step back to stale data needs its own (rollback.test.ts).
    const back = move("events", "dual-publish", "parallel");
    expect(failures({ ...back, after: ledger({ events: "parallel" }) }, "phase-gates")).toEqual([]);
  });
  it("fails entering a gated phase with the gate missing or failed", () => {
    expect(failures(move("events", "dual-publish", "consumers-on-kafka"), "phase-gates")).toEqual([
      'path "events" enters "consumers-on-kafka" but gate "offsets-migrated" is not recorded',
    ]);
    const failed = move("database", "dual-write", "verified");
    const gates = {
      ...GATES,
      "data-verified": { passed: false, recordedAt: daysAgo(1), detail: "3 rows differ" },
    };
    const c = {
      ...failed,
      after: ledger({ database: { phase: "verified", enteredAt: NOW.toISOString() } }, gates),
    };
    expect(failures(c, "phase-gates")).toEqual([
      `path "database" enters "verified" but gate "data-verified" failed at ${daysAgo(1)} (3 rows differ)`,
    ]);
  });
  it("takes the gates from the phase definitions (citus-provisioned needs the data-model review)", () => {
    expect(failures(move("database", "postgres", "citus-provisioned"), "phase-gates")).toEqual([
      'path "database" enters "citus-provisioned" but gate "data-model-reviewed" is not recorded',
    ]);
  });
});

describe("rollback-drill-recent", () => {
  const withDrill = (
    drill: Ledger["gates"]["rollback-drill"] | undefined,
    stack = "prod",
  ): Case => {
    const gates = {
      "compatibility-verified": passedGate(),
      ...(drill ? { "rollback-drill": drill } : {}),
    };
    return {
      ...move("events", "redpanda", "parallel"),
      after: ledger({ events: "parallel" }, gates),
      stack,
    };
  };
  it("passes a forward step in prod after a 2-day-old drill, and any step in dev", () => {
    expect(failures(withDrill(passedGate(2)), "rollback-drill-recent")).toEqual([]);
    expect(
      run(withDrill(undefined, "dev")).find((v) => v.ruleId === "rollback-drill-recent")?.level,
    ).toBe("disabled");
  });
  it("fails a forward step in prod with no drill, a failed one or one older than 7 days", () => {
    expect(failures(withDrill(undefined), "rollback-drill-recent")).toEqual([
      'path "events" steps forward to "parallel" in prod with no rollback drill recorded',
    ]);
    expect(
      failures(
        withDrill({ passed: false, recordedAt: daysAgo(1), detail: "2 deletes" }),
        "rollback-drill-recent",
      ),
    ).toEqual([
      'path "events" steps forward to "parallel" in prod but the last rollback drill failed (2 deletes)',
    ]);
    expect(failures(withDrill(passedGate(10)), "rollback-drill-recent")).toEqual([
      'path "events" steps forward to "parallel" in prod but the last passed rollback drill is 10.0 days old (limit 7)',
    ]);
  });
});

describe("minimum-phase-time", () => {
  const leaving = (hours: number, minimumTime?: string): Case => ({
    before: ledger(
      {
        events: {
          phase: "redpanda",
          enteredAt: hoursAgo(hours),
          ...(minimumTime ? { minimumTime } : {}),
        },
      },
      GATES,
    ),
    after: AFTER,
    plan: plan(MONITORED),
  });
  it("passes leaving after 25h in prod, and rolling back at any time", () => {
    expect(failures(leaving(25), "minimum-phase-time")).toEqual([]);
    const back = move("events", "parallel", "redpanda", 0.01);
    expect(failures(back, "minimum-phase-time")).toEqual([]);
  });
  it("fails leaving after 2h in prod, saying until when to wait", () => {
    expect(failures(leaving(2), "minimum-phase-time")).toEqual([
      'path "events" leaves "redpanda" after 2.0h; the minimum is 24.0h (wait until 2026-11-27T10:00:00.000Z)',
    ]);
  });
  it("applies the stricter of the ledger's minimumTime and the setting", () => {
    expect(failures(leaving(30, "72h"), "minimum-phase-time")).toHaveLength(1);
    expect(failures({ ...leaving(2), stack: "dev" }, "minimum-phase-time")).toEqual([]);
  });
});

describe("both-systems-monitored", () => {
  it("passes when Prometheus scrapes redpanda and kafka during parallel", () => {
    expect(failures({}, "both-systems-monitored")).toEqual([]);
  });
  it("fails when only the old system is scraped", () => {
    const p = plan(step("same", CONTAINER, "monitoring", { after: prometheus(["redpanda"]) }));
    expect(failures({ plan: p }, "both-systems-monitored")).toEqual([
      'path "events" is in "parallel" where both systems run, but "kafka" has no metrics scrape target (scraped: redpanda)',
    ]);
  });
});

describe("both-systems-monitored where a router splits the traffic", () => {
  const canary = ledger({ api: "canary" });
  const scraping = (systems: string[]) =>
    plan(step("same", CONTAINER, "monitoring", { after: prometheus(systems) }));
  it("asks for the router's metrics beside both implementations'", () => {
    expect(
      failures({ plan: scraping(["old", "new"]), after: canary }, "both-systems-monitored"),
    ).toEqual([
      'path "api" is in "canary" where both systems run, but "router" has no metrics scrape target (scraped: new, old)',
    ]);
    expect(
      failures(
        { plan: scraping(["old", "new", "router"]), after: canary },
        "both-systems-monitored",
      ),
    ).toEqual([]);
  });
  it("does not ask for it where no router splits a path's traffic", () => {
    expect(failures({ plan: scraping(["redpanda", "kafka"]) }, "both-systems-monitored")).toEqual(
      [],
    );
  });
});

describe("no-plaintext-secrets", () => {
  it("passes secret env shown as [secret], secretKeyRef, and secure stack config", () => {
    const p = plan(
      MONITORED,
      step("create", CONTAINER, "compose-orders", { after: container("orders", "[secret]") }),
      step("create", CONTAINER, "compose-inventory", {
        after: container("inventory", [
          "DATABASE_URL=postgres://db:5432/shop",
          "PASSWORD_FILE=/run/secrets/db",
        ]),
      }),
      step("create", DEPLOYMENT, "k3s-catalog", {
        after: deployment("product-catalog", {
          replicas: 2,
          env: [
            {
              name: "DATABASE_URL",
              valueFrom: { secretKeyRef: { name: "s", key: "database-url" } },
            },
          ],
        }),
      }),
    );
    expect(
      failures(
        {
          plan: {
            ...p,
            config: { "stepwise:databasePassword": "[secret]", "stepwise:environment": "prod" },
          },
        },
        "no-plaintext-secrets",
      ),
    ).toEqual([]);
  });
  it("fails a password in container env, a URL with a password, a K8s env value and plain config", () => {
    const p = plan(
      MONITORED,
      step("create", CONTAINER, "compose-orders", {
        after: container("orders", ["DB_PASSWORD=hunter2", "LOG=info"]),
      }),
      step("create", DEPLOYMENT, "k3s-catalog", {
        after: deployment("product-catalog", {
          replicas: 2,
          env: [{ name: "DATABASE_URL", value: "postgres://app:pw@db:5432/shop" }],
        }),
      }),
    );
    expect(
      failures(
        { plan: { ...p, config: { "stepwise:apiToken": "abc123" } } },
        "no-plaintext-secrets",
      ),
    ).toEqual([
      "compose-orders: container env DB_PASSWORD is credential-like and has a plain value",
      'k3s-catalog: container "product-catalog" env DATABASE_URL holds a URL with a password instead of valueFrom.secretKeyRef',
      "stack config stepwise:apiToken is credential-like and has a plain value",
    ]);
  });
});

describe("k3s-prod-workloads", () => {
  const single = (annotations?: Record<string, string>, replicas = 1) =>
    plan(
      MONITORED,
      step("create", DEPLOYMENT, "k3s-coordination", {
        after: deployment("coordination", { replicas, annotations }),
      }),
    );
  it("passes one replica only with a stated single-replica reason", () => {
    const reason = { "stepwise.dev/single-replica-reason": "saga log on a ReadWriteOnce volume" };
    expect(failures({ plan: single(reason) }, "k3s-prod-workloads")).toEqual([]);
    expect(
      failures(
        { plan: single({ "stepwise.dev/single-replica-reason": " " }) },
        "k3s-prod-workloads",
      ),
    ).toEqual(["k3s-coordination: replicas = 1; prod needs at least 2"]);
    expect(failures({ plan: single() }, "k3s-prod-workloads")).toEqual([
      "k3s-coordination: replicas = 1; prod needs at least 2",
    ]);
  });
  it("passes a Deployment scaled to zero on purpose (it serves nothing)", () => {
    expect(failures({ plan: single(undefined, 0) }, "k3s-prod-workloads")).toEqual([]);
  });
  it("passes a Deployment with 2 replicas, resources and probes", () => {
    const p = plan(
      MONITORED,
      step("create", DEPLOYMENT, "k3s-orders", { after: deployment("orders", { replicas: 2 }) }),
    );
    expect(failures({ plan: p }, "k3s-prod-workloads")).toEqual([]);
  });
  it("fails one replica (also when left out), no resources, no probes", () => {
    const p = plan(
      MONITORED,
      step("create", DEPLOYMENT, "k3s-orders", {
        after: deployment("orders", { resources: false, probes: false }),
      }),
    );
    expect(failures({ plan: p }, "k3s-prod-workloads")).toEqual([
      "k3s-orders: replicas = 1; prod needs at least 2",
      'k3s-orders: container "orders" has no resources.requests/limits',
      'k3s-orders: container "orders" has no readinessProbe',
      'k3s-orders: container "orders" has no livenessProbe',
    ]);
  });
});

describe("verdicts", () => {
  const skipped = move("events", "redpanda", "dual-publish");
  it("end each failure with how to satisfy the rule and carry the resource URN", () => {
    const p = plan(
      MONITORED,
      step("create", DEPLOYMENT, "k3s-orders", { after: deployment("orders") }),
    );
    const verdict = run({ plan: p }).find((v) => v.ruleId === "k3s-prod-workloads" && !v.passed);
    expect(verdict).toEqual({
      ruleId: "k3s-prod-workloads",
      level: "mandatory",
      passed: false,
      message:
        "k3s-orders: replicas = 1; prod needs at least 2. To pass: Give every prod Deployment/StatefulSet replicas >= 2 (or one replica with a stated singleReplicaReason in its service spec), resource requests and limits, and readiness and liveness probes.",
      urn: "urn:pulumi:prod::stepwise::kubernetes:apps/v1:Deployment::k3s-orders",
    });
  });
  it("take the stack's level: advisory failures do not block, disabled rules still report", () => {
    const advisory = run({
      ...skipped,
      settings: { levels: { "one-phase-step": "advisory" } },
      stack: "staging",
    });
    expect(
      advisory.filter((v) => v.ruleId === "one-phase-step").map((v) => [v.level, v.passed]),
    ).toEqual([["advisory", false]]);
    expect(blockingVerdicts(advisory).map((v) => v.ruleId)).not.toContain("one-phase-step");
    const disabled = run({
      ...skipped,
      settings: { levels: { "one-phase-step": "disabled" } },
      stack: "dev",
    });
    expect(
      disabled.filter((v) => v.ruleId === "one-phase-step").map((v) => [v.level, v.passed]),
    ).toEqual([["disabled", false]]);
    expect(blockingVerdicts(run(skipped)).map((v) => v.ruleId)).toContain("one-phase-step");
  });
});

describe("ledgersFromPlan", () => {
  const LEDGER_TYPE = "pulumi-nodejs:dynamic/stepwise:PhaseLedger";
  it("reads the ledgers before and after from the PhaseLedger step of a plan", () => {
    const p = plan(
      step("update", LEDGER_TYPE, "phase-ledger", {
        before: { ledger: BEFORE },
        after: { ledger: AFTER },
      }),
    );
    expect(ledgersFromPlan(p)).toEqual({ before: BEFORE, after: AFTER });
  });
  it("gives an empty ledger before a first update, and nothing for a plan without a ledger", () => {
    const p = plan(step("create", LEDGER_TYPE, "phase-ledger", { after: { ledger: AFTER } }));
    expect(ledgersFromPlan(p)).toEqual({ before: { phases: {}, gates: {} }, after: AFTER });
    expect(ledgersFromPlan(plan(MONITORED))).toBeUndefined();
  });
});
