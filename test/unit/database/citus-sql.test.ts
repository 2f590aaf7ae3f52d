import { describe, expect, it } from "vitest";
import {
  alterDistributedTableSql,
  createDistributedTableSql,
  createReferenceTableSql,
  undistributeTableSql,
} from "../../../components/database/citus-sql";
import {
  redactConnectionString,
  resolveConnectionString,
} from "../../../tools/database/connection";
import { quoteIdent, quoteTable } from "../../../components/database/sql-names";
import { planFromCitusMetadata } from "../../../components/database/table-readiness";

describe("Citus statements", () => {
  it.each([
    [
      { table: "public.a", distributionColumn: "id" },
      "SELECT create_distributed_table($1::regclass, $2::text)",
      ["public.a", "id"],
    ],
    [
      { table: "public.b", distributionColumn: "customer_id", colocateWith: "public.a" },
      "SELECT create_distributed_table($1::regclass, $2::text, colocate_with => $3::text)",
      ["public.b", "customer_id", "public.a"],
    ],
    [
      { table: "public.c", distributionColumn: "id", shardCount: 16 },
      "SELECT create_distributed_table($1::regclass, $2::text, shard_count => $3::int)",
      ["public.c", "id", 16],
    ],
    [
      { table: "public.d", distributionColumn: "id", colocateWith: "none", shardCount: 4 },
      "SELECT create_distributed_table($1::regclass, $2::text, colocate_with => $3::text, shard_count => $4::int)",
      ["public.d", "id", "none", 4],
    ],
  ])("create_distributed_table for %j", (options, text, values) => {
    expect(createDistributedTableSql(options)).toEqual({ text, values });
  });

  it("quotes mixed-case names, which PostgreSQL parses from the text", () => {
    expect(
      createDistributedTableSql({
        table: "Shop.Orders",
        distributionColumn: "CustomerId",
        colocateWith: "Shop.Customers",
      }),
    ).toEqual({
      text: "SELECT create_distributed_table($1::regclass, $2::text, colocate_with => $3::text)",
      values: ['"Shop"."Orders"', "CustomerId", '"Shop"."Customers"'],
    });
  });

  it("refuses colocate_with together with shard_count, as Citus would", () => {
    expect(() =>
      createDistributedTableSql({
        table: "public.b",
        distributionColumn: "id",
        colocateWith: "public.a",
        shardCount: 8,
      }),
    ).toThrow("public.b: shardCount (8) and colocateWith ('public.a') cannot both be set");
  });

  it("reference, undistribute and alter statements", () => {
    expect(createReferenceTableSql("public.countries")).toEqual({
      text: "SELECT create_reference_table($1::regclass)",
      values: ["public.countries"],
    });
    expect(undistributeTableSql("public.a", true)).toEqual({
      text: "SELECT undistribute_table($1::regclass, cascade_via_foreign_keys => $2::boolean)",
      values: ["public.a", true],
    });
    const base = { table: "public.a", distributionColumn: "id" };
    expect(alterDistributedTableSql(base, base)).toBeUndefined();
    expect(alterDistributedTableSql(base, { ...base, shardCount: 64 })).toEqual({
      text: "SELECT alter_distributed_table($1::regclass, shard_count => $2::int)",
      values: ["public.a", 64],
    });
    expect(
      alterDistributedTableSql(
        { ...base, colocateWith: "public.x" },
        { ...base, distributionColumn: "tenant_id" },
      ),
    ).toEqual({
      text: "SELECT alter_distributed_table($1::regclass, distribution_column => $2::text, colocate_with => $3::text)",
      values: ["public.a", "tenant_id", "default"],
    });
  });
});

describe("planFromCitusMetadata", () => {
  it("turns colocation groups into default-colocated first tables plus colocate_with", () => {
    expect(
      planFromCitusMetadata([
        {
          table_name: "s.orders",
          citus_table_type: "distributed",
          distribution_column: "customer_id",
          colocation_id: 2,
          shard_count: 32,
        },
        {
          table_name: "s.countries",
          citus_table_type: "reference",
          distribution_column: "<none>",
          colocation_id: 1,
          shard_count: 1,
        },
        {
          table_name: "s.customers",
          citus_table_type: "distributed",
          distribution_column: "id",
          colocation_id: 2,
          shard_count: 32,
        },
        {
          table_name: "s.audit",
          citus_table_type: "local",
          distribution_column: "<none>",
          colocation_id: 0,
          shard_count: 1,
        },
      ]),
    ).toEqual([
      { kind: "reference", table: "s.countries" },
      {
        kind: "distributed",
        table: "s.orders",
        distributionColumn: "customer_id",
        colocateWith: undefined,
        shardCount: 32,
      },
      {
        kind: "distributed",
        table: "s.customers",
        distributionColumn: "id",
        colocateWith: "s.orders",
        shardCount: undefined,
      },
    ]);
  });
});

describe("connection settings", () => {
  it.each([
    ["postgres://u:p@h:5432/db", {}, "postgres://u:p@h:5432/db"],
    ["DATABASE_URL", { DATABASE_URL: "postgresql://u:p@h/db" }, "postgresql://u:p@h/db"],
  ])("resolves %s", (setting, env, url) => {
    expect(resolveConnectionString(setting, env)).toBe(url);
  });

  it.each([
    [
      "MISSING",
      {},
      "--url MISSING: the environment variable is not set; export MISSING=postgres://user:password@host:5432/db.",
    ],
    [
      "DB",
      { DB: "mysql://u:secret@h/db" },
      "--url DB: the variable holds 'mysql://u:***@h/db', not a postgres:// URL.",
    ],
    [
      "host=h password=secret",
      {},
      "--url 'host=h password=***' is neither a postgres:// URL nor an environment variable name",
    ],
  ])("refuses %s with a clear message", (setting, env, message) => {
    expect(() => resolveConnectionString(setting, env)).toThrow(message);
    expect(() => resolveConnectionString(setting, env)).not.toThrow(/secret/);
  });

  it.each([
    ["postgres://u:s3cr%40t@h:5432/db", "postgres://u:***@h:5432/db"],
    [
      "postgresql://u@h/db?password=x&sslmode=require",
      "postgresql://u@h/db?password=***&sslmode=require",
    ],
  ])("redacts %s", (url, redacted) => {
    expect(redactConnectionString(url)).toBe(redacted);
  });

  it("quotes identifiers like quote_ident", () => {
    expect([
      quoteIdent("orders"),
      quoteIdent("Order Items"),
      quoteIdent("user"),
      quoteTable("shop.order"),
    ]).toEqual(["orders", '"Order Items"', '"user"', 'shop."order"']);
  });
});
