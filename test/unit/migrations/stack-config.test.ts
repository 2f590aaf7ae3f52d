import { describe, expect, it } from "vitest";
import { parseStackConfig, StackConfigError, type StackConfig } from "../../../migrations";
import { policySettingsProblems } from "../../../policies/config";

const SERVICES = [
  "platform-coordination",
  "product-catalog",
  "orders",
  "inventory",
  "modular-monolith",
];

const base = {
  environment: "dev",
  phases: {
    events: "redpanda",
    platform: "compose",
    database: "postgres",
    api: "old",
    consolidation: "microservices",
  },
  enteredAt: {
    events: "2026-11-20T09:00:00Z",
    platform: "2026-11-20T09:00:00Z",
    database: "2026-11-20T09:00:00Z",
    api: "2026-11-20T09:00:00Z",
    consolidation: "2026-11-20T09:00:00+01:00",
  },
  databasePassword: "s3cret-pw",
};

function parse(raw: Record<string, unknown>): StackConfig {
  return parseStackConfig(raw, { services: SERVICES, policyProblems: policySettingsProblems });
}

function problems(raw: Record<string, unknown>): readonly string[] {
  try {
    parse(raw);
  } catch (error) {
    if (error instanceof StackConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected the config to be refused");
}

describe("parseStackConfig", () => {
  it("fills in defaults for everything left out", () => {
    expect(parse(base)).toEqual({
      environment: "dev",
      phases: base.phases,
      enteredAt: base.enteredAt,
      previousPhases: {},
      gates: {},
      placement: {},
      enginePlacement: {
        redpanda: "compose",
        kafka: "compose",
        postgres: "compose",
        citus: "compose",
        prometheus: "compose",
      },
      externalEngines: {},
      k3s: { skipAwait: false, externalAddress: "127.0.0.1", namespace: "stepwise" },
      apiImages: {},
      apiWeights: {},
      monolithImage: undefined,
      monolithWeights: {},
      minimumTime: {},
      policy: {},
      distribution: undefined,
      routing: {
        flagHeader: "X-Stepwise-Implementation",
        flagCookie: "stepwise-implementation",
        domain: undefined,
        sticky: [],
        mirror: {},
      },
    });
  });

  it.each([
    [
      "an unknown phase, listing the path's phases",
      { phases: { ...base.phases, events: "paralel" } },
      [
        'stepwise:phases.events = "paralel": must be one of redpanda, parallel, dual-publish, consumers-on-kafka, kafka-only, redpanda-retired',
      ],
    ],
    [
      "an unknown path",
      { phases: { ...base.phases, queue: "x" } },
      [
        "stepwise:phases.queue: unknown path; valid paths are events, platform, database, api, consolidation",
      ],
    ],
    [
      "a path left out",
      { phases: { ...base.phases, api: undefined } },
      ["stepwise:phases.api is missing: must be one of old, canary, new, old-retired"],
    ],
    [
      "an unknown service",
      { placement: { ordrs: "k3s" } },
      [
        "stepwise:placement.ordrs: unknown service; valid services are platform-coordination, product-catalog, orders, inventory, modular-monolith",
      ],
    ],
    [
      "an unknown platform",
      { placement: { orders: "kubernetes" } },
      ['stepwise:placement.orders = "kubernetes": must be one of compose, k3s'],
    ],
    [
      "a malformed time",
      { enteredAt: { ...base.enteredAt, database: "yesterday" } },
      [
        'stepwise:enteredAt.database = "yesterday": must be an ISO 8601 time such as "2026-11-20T09:00:00Z"',
      ],
    ],
    [
      "an unknown key",
      { phase: {} },
      [
        "stepwise:phase: unknown key; valid keys are environment, phases, enteredAt, previousPhases, gates, placement, enginePlacement, externalEngines, k3s, apiImages, apiWeights, monolithImage, monolithWeights, minimumTime, policy, distribution, routing, databasePassword, kubeconfig",
      ],
    ],
    [
      "an unknown environment",
      { environment: "production" },
      ['stepwise:environment = "production": must be one of dev, staging, prod'],
    ],
    [
      "an unknown gate",
      { gates: { "compat-ok": { passed: true, recordedAt: "2026-11-20T09:00:00Z", detail: "x" } } },
      [
        "stepwise:gates.compat-ok: unknown gate; valid gates are compatibility-verified, offsets-migrated, data-verified, data-model-reviewed, rollback-drill, messages-synced-back, offsets-migrated-back, data-synced-back",
      ],
    ],
    [
      "a weight out of range",
      { apiWeights: { orders: 120 } },
      ["stepwise:apiWeights.orders = 120: must be a whole number from 0 to 100"],
    ],
    [
      "a malformed duration",
      { minimumTime: { default: "a day" } },
      [
        'stepwise:minimumTime.default = "a day": must be a duration such as "0", "45m", "24h" or "7d"',
      ],
    ],
    [
      "an unknown minimum-time key",
      { minimumTime: { "events.paralel": "1h" } },
      [
        'stepwise:minimumTime.events.paralel: unknown key; use "default", a path (events, platform, database, api, consolidation) or "<path>.<phase>" such as "events.parallel"',
      ],
    ],
    [
      "a distribution plan with a bad shard count",
      {
        distribution: { tables: [{ table: "orders", distribution_column: "id", shard_count: 0 }] },
      },
      [
        "stepwise:distribution: field 'tables.0.shard_count': Too small: expected number to be >=1 (given 0). Expected { schema?: string, tables: [{ table, distribution_column | reference: true, colocate_with?, shard_count? }] }. Write it as the readiness check's plan (docs/database.md), under stepwise:distribution.",
      ],
    ],
    [
      "a distribution plan table without a distribution column",
      { distribution: { schema: "shop", tables: [{ table: "orders" }] } },
      [
        "stepwise:distribution: tables[0]: 'shop.orders' has neither distribution_column nor 'reference: true'; add one of them. Write it as the readiness check's plan (docs/database.md), under stepwise:distribution.",
      ],
    ],
    [
      "a distribution plan that is a list",
      { distribution: ["orders"] },
      [
        "stepwise:distribution: field '(top level)': Invalid input: expected object, received array (given [\"orders\"]). Expected { schema?: string, tables: [{ table, distribution_column | reference: true, colocate_with?, shard_count? }] }. Write it as the readiness check's plan (docs/database.md), under stepwise:distribution.",
      ],
    ],
    [
      "a missing secret",
      { databasePassword: undefined },
      [
        'stepwise:databasePassword is missing: the stack runs postgres and citus itself (enginePlacement is not "external"), which needs a superuser password; set it with `pulumi config set --secret stepwise:databasePassword <password>`',
      ],
    ],
  ])("refuses %s, naming the key and the valid values", (_case, change, expected) => {
    expect(problems({ ...base, ...change })).toEqual(expected);
  });

  describe("external engines", () => {
    const kafka = { bootstrap: "kafka-a:9092,kafka-b:9092" };
    const postgres = { host: "pg", port: 5432, database: "app", user: "app", password: "pw" };

    it("takes endpoints for engines placed external, with K3s settings", () => {
      const config = parse({
        ...base,
        enginePlacement: { kafka: "external", postgres: "external", citus: "external" },
        externalEngines: { kafka, postgres, citus: { ...postgres, workers: ["w0:5432"] } },
        k3s: { skipAwait: true, externalAddress: "10.0.0.5", namespace: "shop" },
        databasePassword: undefined,
      });
      expect(config.enginePlacement).toMatchObject({ kafka: "external", redpanda: "compose" });
      expect(config.externalEngines.citus?.workers).toEqual(["w0:5432"]);
      expect(config.k3s).toEqual({
        skipAwait: true,
        externalAddress: "10.0.0.5",
        namespace: "shop",
      });
    });

    it.each([
      [
        "an external engine without endpoints",
        { enginePlacement: { kafka: "external" } },
        [
          'stepwise:externalEngines.kafka is missing: stepwise:enginePlacement.kafka is "external", so give its endpoints (bootstrap)',
        ],
      ],
      [
        "endpoints of an engine the stack runs itself",
        { externalEngines: { kafka } },
        [
          'stepwise:externalEngines.kafka: kafka is placed on "compose", not "external"; remove the endpoints or set stepwise:enginePlacement.kafka: external',
        ],
      ],
      [
        "Prometheus outside the stack",
        { enginePlacement: { prometheus: "external" } },
        [
          'stepwise:enginePlacement.prometheus = "external": prometheus runs on a platform of the stack; place it on compose, k3s',
        ],
      ],
      [
        "a bootstrap that is not host:port",
        {
          enginePlacement: { kafka: "external" },
          externalEngines: { kafka: { bootstrap: "kafka" } },
        },
        [
          'stepwise:externalEngines.kafka.bootstrap = "kafka": must be "host:port" of each broker, joined by commas, e.g. "b1:9092,b2:9092"',
        ],
      ],
      [
        "a bad port, and a password that is not text (never shown)",
        {
          enginePlacement: { postgres: "external" },
          externalEngines: { postgres: { ...postgres, port: 70000, password: 1234 } },
        },
        [
          "stepwise:externalEngines.postgres.port = 70000: must be a port from 1 to 65535",
          "stepwise:externalEngines.postgres.password = [secret]: must be the user's password, as a secret (pulumi config set --path --secret)",
        ],
      ],
      [
        "an unknown K3s setting",
        { k3s: { skip: true } },
        [
          "stepwise:k3s.skip: unknown setting; valid settings are skipAwait, externalAddress, namespace",
        ],
      ],
    ])("refuses %s", (_case, change, expected) => {
      expect(problems({ ...base, ...change })).toEqual(expected);
    });
  });

  it("reports every problem at once and never shows a secret value", () => {
    const error = (() => {
      try {
        parse({
          ...base,
          environment: "qa",
          databasePassword: 42,
          phases: { ...base.phases, api: "beta" },
        });
      } catch (e) {
        return e as StackConfigError;
      }
      throw new Error("expected a StackConfigError");
    })();
    expect(error.problems).toEqual([
      'stepwise:environment = "qa": must be one of dev, staging, prod',
      'stepwise:phases.api = "beta": must be one of old, canary, new, old-retired',
      "stepwise:databasePassword = [secret]: must be a (secure) string",
    ]);
    expect(error.message).not.toContain("42");
    expect(error.message.split("\n")[0]).toBe("invalid stack config:");
  });

  it.each([
    [
      "an engine on a platform the phase does not deploy",
      { enginePlacement: { kafka: "k3s" } },
      'stepwise:enginePlacement.kafka = "k3s": platform phase "compose" deploys only compose; place kafka on one of those',
    ],
    [
      "a canary without a new image",
      { phases: { ...base.phases, api: "canary" } },
      'stepwise:apiImages is missing: api phase "canary" needs the new image of at least one service (one of platform-coordination, product-catalog, orders, inventory, modular-monolith)',
    ],
    [
      "a canary service without a weight",
      {
        phases: { ...base.phases, api: "canary" },
        apiImages: { orders: "firstviscount/orders-go:0.1.0" },
      },
      'stepwise:apiWeights.orders is missing: api phase "canary" needs a weight from 0 to 100 for orders',
    ],
    [
      "a weight for a service that has no new image",
      { apiWeights: { orders: 10 } },
      "stepwise:apiWeights.orders: orders has no entry in stepwise:apiImages; add its new image or remove the weight",
    ],
    [
      "a monolith phase without the monolith's image",
      { phases: { ...base.phases, consolidation: "monolith-parallel" } },
      'stepwise:monolithImage is missing: consolidation phase "monolith-parallel" runs the modular monolith; give its image, e.g. "firstviscount/modular-monolith:1.0.0"',
    ],
    [
      "api and consolidation moving at once",
      {
        phases: { ...base.phases, api: "canary", consolidation: "monolith-parallel" },
        apiImages: { orders: "firstviscount/orders-go:0.1.0" },
        apiWeights: { orders: 5 },
        monolithImage: "firstviscount/modular-monolith:1.0.0",
      },
      'stepwise:phases.api = "canary": the api and consolidation paths both change the same services, so only one may leave its baseline; roll one back to it (api "old", consolidation "microservices"; consolidation is at "monolith-parallel") before moving the other',
    ],
    [
      "a previous phase equal to the current one",
      { previousPhases: { events: "redpanda" } },
      'stepwise:previousPhases.events = "redpanda": equals the current phase; give the phase before it or remove the entry',
    ],
    [
      "policy settings the policy pack refuses",
      { policy: { weightStep: 25, levels: { "one-step": "mandatory" } } },
      'stepwise:policy.levels.one-step: unknown rule id "one-step"; valid ids: ',
    ],
  ])("refuses %s", (_case, change, expected) => {
    const found = problems({ ...base, ...change });
    expect(found).toHaveLength(1);
    expect(found[0]?.startsWith(expected)).toBe(true);
  });

  it("keeps a placement the platform phase overrides, so a phase step needs no other edit", () => {
    const compose = parse({ ...base, placement: { orders: "k3s" } });
    expect(compose.placement).toEqual({ orders: "k3s" });
  });

  it("accepts a placement that agrees with the platform phase, and per-service moves", () => {
    const coordination = parse({
      ...base,
      phases: { ...base.phases, platform: "coordination-on-k3s" },
      placement: { "platform-coordination": "k3s", orders: "compose" },
    });
    expect(coordination.placement).toEqual({ "platform-coordination": "k3s", orders: "compose" });
    const moving = parse({
      ...base,
      phases: { ...base.phases, platform: "services-moving" },
      placement: { orders: "k3s", inventory: "compose" },
      enginePlacement: { kafka: "k3s" },
    });
    expect(moving.placement).toEqual({ orders: "k3s", inventory: "compose" });
    expect(moving.enginePlacement.kafka).toBe("k3s");
  });
});
