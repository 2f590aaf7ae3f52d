/**
 * The CrossGuard policies called directly with hand-built arguments (constructing PolicyPack
 * would start the analyzer's gRPC server).
 */
import type {
  PolicyResource,
  ResourceValidation,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import type { Ledger } from "../../../migrations/ledger";
import { packPolicies } from "../../../policies/pack/pack-policies";
import { RULES, type RuleId } from "../../../policies/rules";
import {
  CONTAINER,
  DEPLOYMENT,
  composeRoutes,
  container,
  deployment,
  prometheus,
} from "./fixtures";
import {
  NOW,
  collector,
  daysAgo,
  ledger,
  ledgerResource,
  passedGate,
  policyResource,
  resourceArgs,
  stackArgs,
} from "./support";

const policies = packPolicies(() => NOW);

function policy(id: RuleId): ResourceValidationPolicy | StackValidationPolicy {
  const found = policies.find((p) => p.name === id);
  if (!found) throw new Error(`no pack policy ${id}`);
  return found;
}

/** Violations a stack policy reports for a ledger plus resources. */
function stackViolations(
  id: RuleId,
  value: Ledger | undefined,
  resources: PolicyResource[] = [],
  options: { config?: object; environment?: string; stack?: string } = {},
): string[] {
  const p = policy(id) as StackValidationPolicy;
  const { report, violations } = collector();
  const all = value
    ? [ledgerResource(value, options.environment ?? "prod", options.stack ?? "prod"), ...resources]
    : resources;
  void p.validateStack(stackArgs(all, options.config), report);
  return violations.map((v) => v.message.split(". To pass: ")[0] ?? "");
}

function resourceViolations(
  id: RuleId,
  type: string,
  name: string,
  props: Record<string, unknown>,
  options: { config?: object; stack?: string } = {},
): { message: string; urn?: string }[] {
  const validate = (policy(id) as ResourceValidationPolicy).validateResource as ResourceValidation;
  const { report, violations } = collector();
  void validate(resourceArgs(type, name, props, options.config, options.stack), report);
  return violations;
}

const GATES = { "compatibility-verified": passedGate(), "rollback-drill": passedGate() };
const inParallel = (gates: Ledger["gates"] = GATES, enteredAt = NOW.toISOString()): Ledger =>
  ledger({ events: { phase: "parallel", enteredAt, previous: "redpanda" } }, gates);

describe("engine-stays-put in the pack", () => {
  it("reports the moves the PhaseLedger's check recorded against the deployed ledger", () => {
    const moved: Ledger = {
      ...inParallel(),
      engineMoves: [{ engine: "kafka", from: "external", to: "k3s" }],
    };
    expect(stackViolations("engine-stays-put", moved)).toEqual([
      'kafka is in use and moves from "external" to "k3s" (stepwise:enginePlacement.kafka); a new, empty kafka would replace it',
    ]);
    expect(stackViolations("engine-stays-put", inParallel())).toEqual([]);
  });
});

describe("stateful-delete-after-window in the pack", () => {
  const retired = (cutoverDaysBefore: number | undefined): Ledger =>
    ledger(
      {
        events: {
          phase: "redpanda-retired",
          enteredAt: daysAgo(1),
          previous: "kafka-only",
          ...(cutoverDaysBefore === undefined
            ? {}
            : { previousEnteredAt: daysAgo(1 + cutoverDaysBefore) }),
        },
      },
      GATES,
    );

  it("refuses retirement inside the rollback window, counted from the deployed cutover", () => {
    expect(stackViolations("stateful-delete-after-window", retired(10))).toEqual([
      expect.stringMatching(
        /^path "events" enters "redpanda-retired" 10\.0 days after cutover "kafka-only"; the rollback window is 30 days/,
      ),
    ]);
  });

  it("allows it after the window, and judges nothing without a deployed cutover", () => {
    expect(stackViolations("stateful-delete-after-window", retired(31))).toEqual([]);
    expect(stackViolations("stateful-delete-after-window", retired(undefined))).toEqual([]);
  });
});

describe("the pack's policies", () => {
  it("are the rules the pack can check, in rule order, mandatory unless configured", () => {
    expect(policies.map((p) => p.name)).toEqual([
      "policy-change-alone",
      "one-phase-step",
      "one-path-per-update",
      "engine-stays-put",
      "traffic-weight-step",
      "stateful-delete-after-window",
      "phase-gates",
      "recorded-evidence",
      "rollback-drill-recent",
      "both-systems-monitored",
      "no-plaintext-secrets",
      "k3s-prod-workloads",
    ]);
    expect(policies.map((p) => p.name)).toEqual(
      RULES.filter((r) => r.coverage.pack).map((r) => r.id),
    );
    const gates = policy("phase-gates");
    expect(gates.enforcementLevel).toBe("mandatory");
    expect(gates.remediationSteps).toBe(RULES.find((r) => r.id === "phase-gates")?.satisfy);
    expect(gates.configSchema).toEqual({ properties: { settings: { type: "object" } } });
  });

  it("report nothing on a stack without a PhaseLedger", () => {
    expect(
      stackViolations("one-phase-step", undefined, [policyResource(CONTAINER, "x", {})]),
    ).toEqual([]);
  });
});

describe("one-phase-step (pack)", () => {
  it("passes a ledger whose phase follows its previous one", () => {
    expect(stackViolations("one-phase-step", inParallel())).toEqual([]);
  });
  it("fails a ledger that skipped a phase", () => {
    const skipped = ledger({
      events: { phase: "dual-publish", enteredAt: NOW.toISOString(), previous: "redpanda" },
    });
    expect(stackViolations("one-phase-step", skipped)).toEqual([
      'path "events" moves 2 phases (redpanda → dual-publish) in one update; go to "parallel" first',
    ]);
  });
});

describe("traffic-weight-step (pack)", () => {
  const moving = (from: string, to: string, path: "consolidation" | "api" = "consolidation") => ({
    ...ledger({ [path]: { phase: to, enteredAt: NOW.toISOString(), previous: from } }),
    moves: [{ path, from, to }],
  });
  /** monolith-parallel: each service, the monolith, and the router splitting their routes. */
  const monolithServing = (weights: Record<string, number>): PolicyResource[] => [
    ...Object.keys(weights).map((service) =>
      policyResource(CONTAINER, `compose-${service}`, container(service)),
    ),
    policyResource(CONTAINER, "compose-modular-monolith", container("modular-monolith")),
    policyResource(
      CONTAINER,
      "platform-router-config",
      composeRoutes(
        Object.fromEntries(
          Object.entries(weights).map(([service, weight]) => [
            service,
            { [service]: 100 - weight, "modular-monolith": weight },
          ]),
        ),
      ),
    ),
  ];
  /** The pack's verdict on a consolidation step with the monolith serving `weights`. */
  const consolidationStep = (
    from: string,
    to: string,
    weights: Record<string, number>,
    options: Parameters<typeof stackViolations>[3] = {},
  ) => stackViolations("traffic-weight-step", moving(from, to), monolithServing(weights), options);
  it("fails a rollback of the cutover onto monolith weights more than a step below 100", () => {
    const back = ["modular-monolith", "monolith-parallel"] as const;
    expect(consolidationStep(...back, { orders: 100, inventory: 50 })).toEqual([
      'path "consolidation": modular-monolith → monolith-parallel moves 50 points of service "inventory"\'s traffic away from modular-monolith in one update (100% → 50%); the limit is 25',
    ]);
    // As `stepwise rollback` writes it: the weights at 100, no traffic moves.
    expect(consolidationStep(...back, { orders: 100, inventory: 100 })).toEqual([]);
  });
  it("fails entering monolith-parallel with a weight above the step, passes it at 0", () => {
    const entering = ["microservices", "monolith-parallel"] as const;
    expect(consolidationStep(...entering, { orders: 50, inventory: 0 })).toEqual([
      'path "consolidation": microservices → monolith-parallel moves 50 points of service "orders"\'s traffic to modular-monolith in one update (0% → 50%); the limit is 25',
    ]);
    expect(consolidationStep(...entering, { orders: 0, inventory: 0 })).toEqual([]);
  });
  it("passes steps out of a weighted phase: only plans see the weights they start from", () => {
    // The cutover and the rollback to microservices start from the deployed weights, which
    // the pack never sees; plans judge them (from 0 the cutover is refused there).
    expect(
      stackViolations("traffic-weight-step", moving("monolith-parallel", "modular-monolith")),
    ).toEqual([]);
    expect(
      stackViolations("traffic-weight-step", moving("monolith-parallel", "microservices")),
    ).toEqual([]);
    expect(
      stackViolations("traffic-weight-step", moving("modular-monolith", "services-retired")),
    ).toEqual([]);
    expect(stackViolations("traffic-weight-step", moving("canary", "new", "api"))).toEqual([]);
    const deployed = ledger({
      consolidation: {
        phase: "monolith-parallel",
        enteredAt: NOW.toISOString(),
        previous: "modular-monolith",
      },
    });
    // Not this update's move: an earlier update entered it.
    expect(
      stackViolations("traffic-weight-step", deployed, monolithServing({ orders: 0 })),
    ).toEqual([]);
  });
  it("fails a phase step between two fixed shares that differ by more than the step", () => {
    expect(stackViolations("traffic-weight-step", moving("new", "old-retired", "api"))).toEqual([]);
    // One phase apart there are none (old → canary → new); a two-phase jump (one-phase-step
    // refuses it too):
    expect(stackViolations("traffic-weight-step", moving("old", "new", "api"))).toEqual([
      'path "api": old → new moves 100 points of traffic to new in one update (0% → 100%); the limit is 25',
    ]);
  });
  it("uses the configured weightStep", () => {
    const config = { settings: { weightStep: 50 } };
    const staging = { config, environment: "staging", stack: "staging" };
    const back = ["modular-monolith", "monolith-parallel"] as const;
    expect(consolidationStep(...back, { orders: 50 }, staging)).toEqual([]);
    expect(consolidationStep(...back, { orders: 25 }, staging)).toHaveLength(1);
  });
});

describe("phase-gates (pack)", () => {
  it("passes parallel with compatibility verified", () => {
    expect(stackViolations("phase-gates", inParallel())).toEqual([]);
  });
  it("fails parallel without it", () => {
    expect(stackViolations("phase-gates", inParallel({ "rollback-drill": passedGate() }))).toEqual([
      'path "events" enters "parallel" but gate "compatibility-verified" is not recorded',
    ]);
  });
});

describe("rollback-drill-recent (pack)", () => {
  it("passes a drill 2 days before the phase was entered, even when read weeks later", () => {
    const gates = {
      ...GATES,
      "rollback-drill": { passed: true, recordedAt: daysAgo(32), detail: "ok" },
    };
    expect(stackViolations("rollback-drill-recent", inParallel(gates, daysAgo(30)))).toEqual([]);
  });
  it("fails a drill 10 days older than the step", () => {
    const gates = { ...GATES, "rollback-drill": passedGate(10) };
    expect(stackViolations("rollback-drill-recent", inParallel(gates))).toEqual([
      'path "events" steps forward to "parallel" in prod but the last passed rollback drill is 10.0 days old (limit 7)',
    ]);
  });
  it("is disabled in dev (from the PhaseLedger's environment)", () => {
    const gates = { "compatibility-verified": passedGate() };
    expect(
      stackViolations("rollback-drill-recent", inParallel(gates), [], {
        environment: "dev",
        stack: "sandbox",
      }),
    ).toEqual([]);
  });
});

describe("both-systems-monitored (pack)", () => {
  it("passes when Prometheus scrapes both systems", () => {
    const monitoring = policyResource(CONTAINER, "monitoring", prometheus(["redpanda", "kafka"]));
    expect(stackViolations("both-systems-monitored", inParallel(), [monitoring])).toEqual([]);
  });
  it("fails when nothing scrapes the new system", () => {
    const monitoring = policyResource(CONTAINER, "monitoring", prometheus(["redpanda"]));
    expect(stackViolations("both-systems-monitored", inParallel(), [monitoring])).toEqual([
      'path "events" is in "parallel" where both systems run, but "kafka" has no metrics scrape target (scraped: redpanda)',
    ]);
  });
});

describe("both-systems-monitored (pack) during a preview", () => {
  // CrossGuard's props proxy throws on a value the preview does not know yet.
  const unknownConfig = (): PolicyResource => {
    const props = {};
    Object.defineProperty(props, "uploads", {
      enumerable: true,
      get: () => {
        throw new Error("unknown value: uploads");
      },
    });
    return policyResource(CONTAINER, "monitoring", props);
  };
  it("ignores an unknown value when both systems are found anyway", () => {
    const known = policyResource(CONTAINER, "monitoring-2", prometheus(["redpanda", "kafka"]));
    expect(
      stackViolations("both-systems-monitored", inParallel(), [unknownConfig(), known]),
    ).toEqual([]);
  });
  it("rethrows it instead of reporting a system as unscraped", () => {
    expect(() =>
      stackViolations("both-systems-monitored", inParallel(), [unknownConfig()]),
    ).toThrow("unknown value: uploads");
  });
});

describe("no-plaintext-secrets (pack)", () => {
  const ref = {
    name: "DATABASE_URL",
    valueFrom: { secretKeyRef: { name: "orders", key: "database-url" } },
  };
  it("passes Kubernetes env through secretKeyRef", () => {
    expect(
      resourceViolations(
        "no-plaintext-secrets",
        DEPLOYMENT,
        "k3s-orders",
        deployment("orders", { env: [ref] }),
      ),
    ).toEqual([]);
  });
  it("fails a Kubernetes env value carrying a password, with the resource's URN", () => {
    const env = [{ name: "POSTGRES_PASSWORD", value: "hunter2" }];
    expect(
      resourceViolations(
        "no-plaintext-secrets",
        DEPLOYMENT,
        "k3s-orders",
        deployment("orders", { env }),
      ),
    ).toEqual([
      {
        message:
          'k3s-orders: container "orders" env POSTGRES_PASSWORD is credential-like and has a plain value instead of valueFrom.secretKeyRef. To pass: Put the value in the service spec\'s secretEnv (Kubernetes: valueFrom.secretKeyRef) or `pulumi config set --secret`.',
        urn: "urn:pulumi:prod::stepwise::kubernetes:apps/v1:Deployment::k3s-orders",
      },
    ]);
  });
  it("leaves Docker env to the plan checks (CrossGuard shows pulumi.secret values unwrapped)", () => {
    expect(
      resourceViolations(
        "no-plaintext-secrets",
        CONTAINER,
        "compose-orders",
        container("orders", ["DB_PASSWORD=x"]),
      ),
    ).toEqual([]);
  });
});

describe("k3s-prod-workloads (pack)", () => {
  it("passes a production-ready Deployment in prod", () => {
    expect(
      resourceViolations(
        "k3s-prod-workloads",
        DEPLOYMENT,
        "k3s-orders",
        deployment("orders", { replicas: 3 }),
      ),
    ).toEqual([]);
  });
  it("fails a single replica in prod", () => {
    expect(
      resourceViolations(
        "k3s-prod-workloads",
        DEPLOYMENT,
        "k3s-orders",
        deployment("orders", { replicas: 1 }),
      ).map((v) => v.message.split(". To pass")[0]),
    ).toEqual(["k3s-orders: replicas = 1; prod needs at least 2"]);
  });
  it("does not apply in dev", () => {
    expect(
      resourceViolations("k3s-prod-workloads", DEPLOYMENT, "k3s-orders", deployment("orders"), {
        stack: "dev",
      }),
    ).toEqual([]);
  });
});

describe("pack settings (from the generated --policy-pack-config)", () => {
  it("skip a rule the stack disables", () => {
    const skipped = ledger({
      events: { phase: "dual-publish", enteredAt: NOW.toISOString(), previous: "redpanda" },
    });
    const config = { settings: { levels: { "one-phase-step": "disabled" } } };
    expect(
      stackViolations("one-phase-step", skipped, [], { config, environment: "dev", stack: "dev" }),
    ).toEqual([]);
  });
  it("refuse settings below the environment's floor, whatever the pack config says", () => {
    const skipped = ledger({
      events: { phase: "dual-publish", enteredAt: NOW.toISOString(), previous: "redpanda" },
    });
    const config = { settings: { levels: { "one-phase-step": "disabled" } } };
    expect(stackViolations("one-phase-step", skipped, [], { config })).toEqual([
      "one-phase-step: invalid policy settings:\n  stepwise:policy.levels.one-phase-step: disabled is below prod's floor (policies/floor.ts), which keeps it mandatory; remove the override",
    ]);
  });
  it("report a settings error as a violation that says what is wrong", () => {
    const config = { settings: { weightStep: "big" } };
    expect(stackViolations("one-phase-step", inParallel(), [], { config })).toEqual([
      'one-phase-step: invalid policy settings:\n  stepwise:policy.weightStep: Invalid input: expected number, received string (got "big")',
    ]);
  });
});
