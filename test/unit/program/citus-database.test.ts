import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { GateRecord } from "../../../migrations";
import { citusDatabasePlan, roleName } from "../../../migrations/program/citus-database";
import { isSecretValue, type RegisteredResource } from "../../../tools/evaluate";
import { stackEvaluationConfig } from "../../../tools/plan/evaluation-config";
import { planAndCheck } from "../../../tools/plan/plan-and-check";
import { applyPhaseStep } from "../../../tools/stackfile";
import { evaluateStack } from "./support";
import { seedProgram, seedServices, seedStackFile } from "../../support/seed-platform";

const PROD_PHASES = {
  events: "redpanda",
  platform: "compose",
  database: "postgres",
  api: "old",
  consolidation: "microservices",
};
const REVIEWED: GateRecord = {
  passed: true,
  recordedAt: "2026-11-24T10:00:00Z",
  detail: "citus readiness: 3 tables, 0 findings",
};
const PLAN = {
  schema: "shop",
  tables: [
    { table: "countries", reference: true },
    { table: "customers", distribution_column: "id", shard_count: 16 },
    { table: "orders", distribution_column: "customer_id", colocate_with: "customers" },
  ],
};

const TABLE_TYPES = [
  "pulumi-nodejs:dynamic/stepwise-database:DistributedTable",
  "pulumi-nodejs:dynamic/stepwise-database:ReferenceTable",
];
const ON_CITUS = [
  "stepwise:database:CitusDatabase",
  "stepwise:database:PostgresDatabase",
  "pulumi:providers:postgresql",
  "postgresql:index/role:Role",
  "postgresql:index/grant:Grant",
  "postgresql:index/extension:Extension",
  ...TABLE_TYPES,
];

/** The prod stack with the database path at `phase` and the given gates and plan. */
async function atPhase(
  phase: string,
  change: { gates?: Record<string, GateRecord>; distribution?: unknown } = {},
) {
  return evaluateStack("prod", {
    phases: { ...PROD_PHASES, database: phase },
    gates: change.gates ?? {},
    distribution: change.distribution ?? PLAN,
  });
}

/** `type name` of what the program declares on Citus, sorted. */
function onCitus(resources: readonly RegisteredResource[]): string[] {
  return resources
    .filter((r) => ON_CITUS.includes(r.type))
    .map((r) => `${r.type} ${r.name}`)
    .sort();
}

function one(
  resources: readonly RegisteredResource[],
  name: string,
  type?: string,
): RegisteredResource {
  const found = resources.filter((r) => r.name === name && (type === undefined || r.type === type));
  if (found.length !== 1) throw new Error(`expected one resource ${name}, found ${found.length}`);
  return found[0];
}

/** Everything in the inputs that is not inside a secret marker. */
function plainText(resources: readonly RegisteredResource[]): string {
  const strip = (value: unknown): unknown => {
    if (isSecretValue(value)) return "[secret]";
    if (Array.isArray(value)) return value.map(strip);
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v)]));
    }
    return value;
  };
  return JSON.stringify(resources.map((r) => strip(r.inputs)));
}

const DATABASE_OBJECTS = [
  "postgresql:index/extension:Extension citus-app-citus",
  "postgresql:index/grant:Grant citus-app-product_catalog-connect",
  "postgresql:index/grant:Grant citus-app-product_catalog-tables",
  "postgresql:index/role:Role citus-app-product_catalog",
  "pulumi:providers:postgresql citus-app-provider",
  "stepwise:database:CitusDatabase citus-app",
  "stepwise:database:PostgresDatabase citus-app",
];
const TABLES = [
  "pulumi-nodejs:dynamic/stepwise-database:DistributedTable citus-app-shop.customers",
  "pulumi-nodejs:dynamic/stepwise-database:DistributedTable citus-app-shop.orders",
  "pulumi-nodejs:dynamic/stepwise-database:ReferenceTable citus-app-shop.countries",
];

describe("citusDatabasePlan", () => {
  const services = seedServices("postgresql://example");
  const distribution = { schema: "shop", tables: [] };

  it("gives every service with a DATABASE_URL a role named after it", () => {
    expect(citusDatabasePlan({ gates: {}, distribution: undefined }, services)).toEqual({
      roles: ["product_catalog"],
      schema: "public",
      distribution: undefined,
    });
    expect(roleName("platform-coordination")).toBe("platform_coordination");
  });

  it.each([
    ["not recorded", {}, undefined],
    ["recorded as failed", { "data-model-reviewed": { ...REVIEWED, passed: false } }, undefined],
    ["recorded as passed", { "data-model-reviewed": REVIEWED }, distribution],
  ])("distributes the plan's tables only with the readiness gate %s", (_case, gates, expected) => {
    const plan = citusDatabasePlan({ gates, distribution }, services);
    expect(plan.distribution).toBe(expected);
    expect(plan.schema).toBe("shop");
  });
});

describe("the database phases on Citus (under mocks)", () => {
  it("declares nothing on Citus at postgres", async () => {
    const { resources } = await atPhase("postgres", { gates: { "data-model-reviewed": REVIEWED } });
    expect(onCitus(resources)).toEqual([]);
  });

  it("at citus-provisioned without the readiness gate: the database objects, no table", async () => {
    const { resources } = await atPhase("citus-provisioned");
    expect(onCitus(resources)).toEqual(DATABASE_OBJECTS);
  });

  it.each(["citus-provisioned", "dual-write", "verified", "citus-primary", "postgres-retired"])(
    "at %s with the gate passed: the objects and every planned table",
    async (phase) => {
      const { resources } = await atPhase(phase, { gates: { "data-model-reviewed": REVIEWED } });
      expect(onCitus(resources)).toEqual([...DATABASE_OBJECTS, ...TABLES].sort());
    },
  );

  it("manages the cluster's own application database: roles, grants, extension, secrets", async () => {
    const { resources } = await atPhase("citus-provisioned");
    const provider = one(resources, "citus-app-provider");
    // The coordinator's admin connection, reached from where Pulumi runs (Compose's host port).
    expect(provider.inputs).toMatchObject({
      port: "5433",
      username: "postgres",
      database: "postgres",
      superuser: "true",
      sslmode: "disable",
    });
    expect(isSecretValue(provider.inputs.password)).toBe(true);
    expect(one(resources, "citus-app-citus").inputs).toEqual({
      name: "citus",
      database: "catalog",
    });
    const role = one(resources, "citus-app-product_catalog");
    expect(role.inputs).toMatchObject({ name: "product_catalog", login: true });
    // Derived from the superuser password, and a secret wherever it goes.
    expect(isSecretValue(role.inputs.password)).toBe(true);
    expect(one(resources, "citus-app-product_catalog-tables").inputs).toEqual({
      database: "catalog",
      role: "product_catalog",
      schema: "shop",
      objectType: "table",
      privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"],
    });
    expect(one(resources, "citus-app-product_catalog-connect").inputs).toMatchObject({
      objectType: "database",
      privileges: ["CONNECT"],
    });
    // No postgresql.Database: the citus image made `catalog` (with the extension) on every node.
    expect(resources.filter((r) => r.type === "postgresql:index/database:Database")).toEqual([]);
    // Everything waits for the workers' registration (through the provider).
    const registrations = resources
      .filter((r) => r.type.endsWith(":CitusNodeRegistration"))
      .map((r) => r.urn);
    expect(registrations).toHaveLength(2);
    expect(provider.dependencies).toEqual(expect.arrayContaining(registrations));
  });

  it("declares the tables in plan order, each after the one before, with the plan's settings", async () => {
    const { resources } = await atPhase("citus-provisioned", {
      gates: { "data-model-reviewed": REVIEWED },
    });
    const countries = one(resources, "citus-app-shop.countries");
    const customers = one(resources, "citus-app-shop.customers");
    const orders = one(resources, "citus-app-shop.orders");
    expect(countries.inputs).toMatchObject({ kind: "reference", table: "shop.countries" });
    expect(customers.inputs).toMatchObject({
      kind: "distributed",
      table: "shop.customers",
      distributionColumn: "id",
      shardCount: 16,
      cascadeOnUndistribute: false,
    });
    expect(orders.inputs).toMatchObject({
      kind: "distributed",
      table: "shop.orders",
      distributionColumn: "customer_id",
      colocateWith: "shop.customers",
    });
    for (const table of [countries, customers, orders]) {
      expect(isSecretValue(table.inputs.connectionString)).toBe(true);
      expect(table.parent).toBe(one(resources, "citus-app", "stepwise:database:CitusDatabase").urn);
    }
    // Depending on the PostgresDatabase is depending on its children: the extension first.
    expect(countries.dependencies).toContain(one(resources, "citus-app-citus").urn);
    expect(customers.dependencies).toContain(countries.urn);
    expect(orders.dependencies).toContain(customers.urn);
  });

  it("declares no table without a plan in the stack", async () => {
    const { resources } = await evaluateStack("prod", {
      phases: { ...PROD_PHASES, database: "dual-write" },
      gates: { "data-model-reviewed": REVIEWED },
      distribution: undefined,
    });
    expect(onCitus(resources)).toEqual(DATABASE_OBJECTS);
  });

  it("on an external Citus: the same objects, through its endpoints", async () => {
    const { resources } = await evaluateStack("prod", {
      phases: { ...PROD_PHASES, database: "citus-provisioned" },
      gates: { "data-model-reviewed": REVIEWED },
      distribution: PLAN,
      enginePlacement: { citus: "external" },
      externalEngines: {
        citus: {
          host: "citus.internal",
          port: 5432,
          database: "shop",
          user: "admin",
          password: "external-secret",
        },
      },
    });
    expect(onCitus(resources)).toEqual([...DATABASE_OBJECTS, ...TABLES].sort());
    expect(one(resources, "citus-app-provider").inputs).toMatchObject({
      host: "citus.internal",
      port: "5432",
      username: "admin",
    });
    expect(one(resources, "citus-app-citus").inputs).toEqual({ name: "citus", database: "shop" });
    // The external password reaches the provider and the table resources only as a secret.
    expect(plainText(resources)).not.toContain("external-secret");
    expect(plainText(resources)).toContain("citus.internal");
  });
});

describe("rolling the database back to postgres (offline plan of the staging stack)", () => {
  const staging = readFileSync(seedStackFile("staging"), "utf8");
  const NOW = new Date("2026-11-26T12:00:00Z");
  const { text: back } = applyPhaseStep(staging, "database", "rollback", NOW, "staging");

  it("deletes the tables (undistributing them) and the objects with Citus, and the pack allows it", async () => {
    const result = await planAndCheck({
      program: seedProgram,
      stack: "staging",
      before: stackEvaluationConfig(staging, "before"),
      after: stackEvaluationConfig(back, "after"),
      now: NOW,
    });
    const deleted = result.plan.steps
      .filter((s) => s.op === "delete")
      .map((s) => s.urn.slice(s.urn.lastIndexOf("::") + 2));
    for (const name of [
      "citus-app",
      "citus-app-provider",
      "citus-app-citus",
      "citus-app-product_catalog",
      "citus-app-public.categories",
      "citus-app-public.products",
      "citus-app-public.product_variants",
    ]) {
      expect(deleted).toContain(name);
    }
    // Deleted in reverse plan order: the last distributed table goes first.
    const order = (name: string) => deleted.indexOf(`citus-app-public.${name}`);
    expect(order("product_variants")).toBeLessThan(order("products"));
    expect(order("products")).toBeLessThan(order("categories"));
    expect(result.verdicts.filter((v) => !v.passed && v.level === "mandatory")).toEqual([]);
  });
});

describe("advancing the database to citus-provisioned (offline plan of the prod stack)", () => {
  const NOW = new Date("2026-12-01T12:00:00Z");
  const prod = readFileSync(seedStackFile("prod"), "utf8");
  const creates = async (before: string) => {
    const { text: after } = applyPhaseStep(before, "database", "advance", NOW, "prod");
    const result = await planAndCheck({
      program: seedProgram,
      stack: "prod",
      before: stackEvaluationConfig(before, "before"),
      after: stackEvaluationConfig(after, "after"),
      now: NOW,
    });
    return result.plan.steps
      .filter((s) => s.op === "create" && s.urn.includes("citus-app"))
      .map((s) => s.urn.slice(s.urn.lastIndexOf("::") + 2));
  };

  it("creates the database objects but no table while data-model-reviewed is not recorded", async () => {
    expect((await creates(prod)).sort()).toEqual([
      "citus-app",
      "citus-app",
      "citus-app-citus",
      "citus-app-product_catalog",
      "citus-app-product_catalog-connect",
      "citus-app-product_catalog-tables",
      "citus-app-provider",
    ]);
  });

  it("with the gate recorded, creates the planned tables too, in plan order", async () => {
    const gate = [
      "    data-model-reviewed:",
      "      passed: true",
      '      recordedAt: "2026-11-30T10:00:00Z"',
      '      detail: "citus readiness: 3 tables, 0 findings"',
      "",
    ].join("\n");
    const withGate = prod.replace("  stepwise:gates:\n", `  stepwise:gates:\n${gate}`);
    expect(withGate).not.toBe(prod);
    const created = await creates(withGate);
    expect(created.filter((name) => name.startsWith("citus-app-public."))).toEqual([
      "citus-app-public.categories",
      "citus-app-public.products",
      "citus-app-public.product_variants",
    ]);
    expect(created.indexOf("citus-app-citus")).toBeLessThan(
      created.indexOf("citus-app-public.categories"),
    );
  });
});
