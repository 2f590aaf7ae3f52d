import { gateRecordProblems } from "../../../migrations/gate-evidence";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "pg";
import { readSchemaCatalog } from "../../../components/database/catalog-reader";
import { checkReadiness } from "../../../components/database/readiness-rules";
import {
  checkDatabaseReadiness,
  readinessGateRecord,
  renderReadinessText,
} from "../../../tools/database/readiness";
import { postgres, services, uniqueName } from "../support/services";
import { createShopSchema, fixturePlan, schemaName } from "./shop-schema";

// Runs against the real PostgreSQL 15 `stepwise_legacy` database; each schema is unique to
// this run and dropped afterwards.
const violating = schemaName(uniqueName("readiness_bad"));
const ready = schemaName(uniqueName("readiness_ok"));
let client: Client;

function legacyUrl(): string {
  const pg = services().postgres;
  return `postgres://${pg.user}:${encodeURIComponent(pg.password)}@${pg.host}:${pg.port}/${pg.databases.legacy}`;
}

beforeAll(async () => {
  client = await postgres("legacy");
  await createShopSchema(client, violating, "shop-violations.sql");
  await createShopSchema(client, ready, "shop-ready.sql");
});

afterAll(async () => {
  await client.query(`DROP SCHEMA IF EXISTS ${violating} CASCADE`);
  await client.query(`DROP SCHEMA IF EXISTS ${ready} CASCADE`);
  await client.end();
});

describe("Citus readiness check on a live schema", () => {
  it("reports every kind of violation in the shop schema, each with its table and object", async () => {
    const report = await checkDatabaseReadiness(
      legacyUrl(),
      fixturePlan("shop-violations.plan.yaml", violating),
    );
    const s = violating;
    expect(report.ready).toBe(false);
    expect(report.findings.map((f) => [f.rule, f.table, f.object])).toEqual([
      ["unique-lacks-distribution-column", `${s}.customers`, "customers_email_key"],
      ["unique-lacks-distribution-column", `${s}.order_items`, "order_items_pkey"],
      ["unique-lacks-distribution-column", `${s}.orders`, "orders_pkey"],
      ["type-not-hashable", `${s}.carts`, "cart_key"],
      ["column-missing", `${s}.reviews`, "customer_id"],
      ["table-missing", `${s}.wishlists`, undefined],
      ["colocation-invalid", `${s}.invoices`, `${s}.countries`],
      ["order-referenced-too-late", `${s}.order_items`, "order_items_order_id_fkey"],
      ["fk-lacks-distribution-column", `${s}.order_items`, "order_items_order_id_fkey"],
      ["fk-distributed-to-local", `${s}.orders`, "orders_coupon_code_fkey"],
      ["fk-not-colocated", `${s}.payments`, "payments_customer_id_order_id_fkey"],
      ["fk-reference-to-distributed", `${s}.products`, "products_supplier_id_fkey"],
      ["fk-local-to-distributed", `${s}.support_tickets`, "support_tickets_customer_id_fkey"],
    ]);
    expect(report.tables).toEqual({ distributed: 9, reference: 2 });
    expect(report.database).not.toContain(services().postgres.password);
    expect(report.database).toContain(":***@");
  });

  it("passes the corrected schema and plan", async () => {
    const report = await checkDatabaseReadiness(
      legacyUrl(),
      fixturePlan("shop-ready.plan.yaml", ready),
    );
    expect(report.findings).toEqual([]);
    expect(report.ready).toBe(true);
    const pg = services().postgres;
    const record = readinessGateRecord(report);
    expect(gateRecordProblems("data-model-reviewed", record, new Date())).toEqual([]);
    expect(record).toMatchObject({
      check: "database readiness",
      endpoints: [report.database],
      passed: true,
      recordedAt: report.checkedAt,
      detail: `citus readiness of postgres://${pg.user}:***@${pg.host}:${pg.port}/${pg.databases.legacy}: 8 distributed, 4 reference, 0 finding(s)`,
    });
    expect(renderReadinessText(report)).toContain("ready, no findings.");
  });

  it("gives fixes that PostgreSQL accepts and that clear their finding", async () => {
    const plan = fixturePlan("shop-violations.plan.yaml", violating);
    const before = checkReadiness(plan, await readSchemaCatalog(client, [violating]));
    const emailKey = before.find((f) => f.object === "customers_email_key");
    const carts = before.find((f) => f.rule === "type-not-hashable");
    expect(emailKey?.fixSql).toBe(
      `DROP INDEX ${violating}.customers_email_key;\nCREATE UNIQUE INDEX customers_email_key ON ${violating}.customers (id, email);`,
    );
    await client.query(emailKey?.fixSql ?? "");
    await client.query(carts?.fixSql ?? "");
    expect(carts?.fixSql).toBe(`ALTER TABLE ${violating}.carts ALTER COLUMN cart_key TYPE text;`);

    const after = checkReadiness(plan, await readSchemaCatalog(client, [violating]));
    expect(after.length).toBe(before.length - 2);
    expect(after.map((f) => f.object)).not.toContain("customers_email_key");
    expect(after.map((f) => f.rule)).not.toContain("type-not-hashable");
  });

  it("agrees with PostgreSQL's own hash partitioning on which unique keys lack the column", async () => {
    // Plain PostgreSQL refuses unique keys on a hash-partitioned table that lack the partition
    // key — the same rule Citus applies — so the database itself can second the check.
    const cases = [
      [violating, "orders", "customer_id"],
      [violating, "order_items", "customer_id"],
      [violating, "payments", "customer_id"],
      [ready, "orders", "customer_id"],
      [ready, "order_items", "customer_id"],
    ] as const;
    for (const [schema, table, column] of cases) {
      const probe = `${schema}.probe_${table}`;
      let postgresAccepts = true;
      try {
        await client.query(
          `CREATE TABLE ${probe} (LIKE ${schema}.${table} INCLUDING INDEXES) PARTITION BY HASH (${column})`,
        );
        await client.query(`DROP TABLE ${probe}`);
      } catch (error) {
        expect((error as Error).message).toMatch(/must include all partitioning columns/);
        postgresAccepts = false;
      }
      const catalog = await readSchemaCatalog(client, [schema]);
      const ours = checkReadiness(
        {
          tables: [
            {
              kind: "distributed",
              table: `${schema}.${table}`,
              distributionColumn: column,
              colocateWith: undefined,
              shardCount: undefined,
            },
          ],
        },
        { tables: catalog.tables, foreignKeys: [] },
      );
      expect([table, schema === ready, ours.length === 0]).toEqual([
        table,
        schema === ready,
        postgresAccepts,
      ]);
    }
  });
});
