import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli";
import { postgres, services, uniqueName } from "../support/services";
import { createShopSchema, fixture, schemaName } from "./shop-schema";

// `stepwise database readiness` end to end against the real stepwise_legacy database.
const schema = schemaName(uniqueName("readiness_cli"));
const dir = mkdtempSync(join(tmpdir(), "stepwise-readiness-"));
const ENV = "STEPWISE_TEST_READINESS_URL";
let client: Client;

const run = runCli;

beforeAll(async () => {
  const pg = services().postgres;
  process.env[ENV] =
    `postgres://${pg.user}:${encodeURIComponent(pg.password)}@${pg.host}:${pg.port}/${pg.databases.legacy}`;
  client = await postgres("legacy");
  await createShopSchema(client, schema, "shop-violations.sql");
  writeFileSync(join(dir, "bad.yaml"), fixture("shop-violations.plan.yaml", schema));
  // A plan covering only tables this schema already gets right (products stays local and
  // references suppliers, so suppliers must be a reference table).
  writeFileSync(
    join(dir, "good.yaml"),
    `schema: ${schema}\ntables:\n  - table: countries\n    reference: true\n  - table: coupons\n    reference: true\n  - table: suppliers\n    reference: true\n  - table: reviews\n    distribution_column: author_id\n`,
  );
});

afterAll(async () => {
  delete process.env[ENV];
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

describe("stepwise database readiness", () => {
  it("prints each finding with its fix, exits 1 and records a failed gate", async () => {
    const record = join(dir, "gate.json");
    const result = await run(
      "database",
      "readiness",
      "--url",
      ENV,
      "--plan",
      join(dir, "bad.yaml"),
      "--record",
      record,
    );
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/NOT ready, 13 finding\(s\)\./);
    expect(result.out).toContain(
      `1. [unique-lacks-distribution-column] Unique index customers_email_key on ${schema}.customers`,
    );
    expect(result.out).toContain(
      `CREATE UNIQUE INDEX customers_email_key ON ${schema}.customers (id, email);`,
    );
    expect(result.out).not.toContain(services().postgres.password);
    const gate = JSON.parse(readFileSync(record, "utf8")) as Record<
      string,
      { passed: boolean; detail: string }
    >;
    expect(Object.keys(gate)).toEqual(["data-model-reviewed"]);
    expect(gate["data-model-reviewed"].passed).toBe(false);
    expect(gate["data-model-reviewed"].detail).toContain(
      "13 finding(s) (3 unique-lacks-distribution-column, 1 type-not-hashable",
    );
    expect(readFileSync(record, "utf8")).not.toContain(services().postgres.password);
  });

  it("prints JSON and exits 0 when the plan is ready", async () => {
    const result = await run(
      "database",
      "readiness",
      "--url",
      ENV,
      "--plan",
      join(dir, "good.yaml"),
      "--json",
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out) as {
      ready: boolean;
      findings: unknown[];
      tables: unknown;
    };
    expect(report).toMatchObject({
      ready: true,
      findings: [],
      tables: { distributed: 1, reference: 3 },
    });
  });

  it.each([
    [
      ["--url", "NO_SUCH_VARIABLE_X", "--plan", "p.yaml"],
      "--url NO_SUCH_VARIABLE_X: the environment variable is not set",
    ],
    [
      ["--url", ENV, "--plan", "/nonexistent/plan.yaml"],
      "--plan /nonexistent/plan.yaml: cannot read it",
    ],
    [
      ["--url", "postgres://u:topsecret@127.0.0.1:1/db", "--plan", "__BAD__"],
      "tables[0]: 'public.orders' has neither distribution_column",
    ],
  ])("exits 2 with a clear message for bad input %#", async (args, message) => {
    const bad = join(dir, "bad-plan.yaml");
    writeFileSync(bad, "tables:\n  - table: orders\n");
    const result = await run(
      "database",
      "readiness",
      ...args.map((a) => (a === "__BAD__" ? bad : a)),
    );
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
    expect(result.err).not.toContain("topsecret");
  });

  it("reports an unreachable database as a usage error without the password", async () => {
    const result = await run(
      "database",
      "readiness",
      "--url",
      "postgres://u:topsecret@127.0.0.1:1/db",
      "--plan",
      join(dir, "good.yaml"),
    );
    expect(result.code).toBe(2);
    expect(result.err).toContain("database postgres://u:***@127.0.0.1:1/db: connect ECONNREFUSED");
    expect(result.err).not.toContain("topsecret");
  });
});
