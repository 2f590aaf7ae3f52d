import { describe, expect, it } from "vitest";
import { parseDistributionPlan } from "../../../components/database/distribution-plan";
import { checkReadiness, type ReadinessRule } from "../../../components/database/readiness-rules";
import {
  catalogOf,
  type CatalogForeignKey,
  type CatalogTable,
} from "../../../components/database/schema-catalog";

// Pure rule tests on hand-written catalogs; the catalog reader is tested against real
// PostgreSQL in test/integration/database/readiness.test.ts.
function table(
  name: string,
  columns: string[],
  keys: [string, string[]][] = [],
  types: Record<string, string> = {},
): CatalogTable {
  return {
    name: `public.${name}`,
    columns: columns.map((c) => ({
      name: c,
      type: types[c] ?? "bigint",
      hashable: (types[c] ?? "bigint") !== "json",
    })),
    uniqueKeys: keys.map(([key, cols]) => ({
      name: key,
      kind: key.endsWith("_pkey") ? "primary-key" : "unique",
      columns: cols,
      hasExpressions: false,
    })),
  };
}

function fk(from: string, cols: string[], to: string, refCols: string[]): CatalogForeignKey {
  return {
    name: `${from}_${cols.join("_")}_fkey`,
    table: `public.${from}`,
    columns: cols,
    referencedTable: `public.${to}`,
    referencedColumns: refCols,
  };
}

const tables = [
  table("countries", ["code"], [["countries_pkey", ["code"]]], { code: "text" }),
  table("customers", ["id", "country"], [["customers_pkey", ["id"]]], { country: "text" }),
  table("orders", ["customer_id", "id"], [["orders_pkey", ["customer_id", "id"]]]),
  table("items", ["customer_id", "order_id", "id"], [["items_pkey", ["customer_id", "id"]]]),
  table("events", ["payload", "customer_id"], [], { payload: "json" }),
  table("notes", ["customer_id", "id"], [["notes_pkey", ["id"]]]),
];
const keys = [
  fk("customers", ["country"], "countries", ["code"]),
  fk("orders", ["customer_id"], "customers", ["id"]),
  fk("items", ["customer_id", "order_id"], "orders", ["customer_id", "id"]),
];
const catalog = catalogOf(tables, keys);

function rules(
  planYaml: string,
  extraKeys: CatalogForeignKey[] = [],
): [ReadinessRule, string, string | undefined][] {
  const plan = parseDistributionPlan(planYaml);
  return checkReadiness(plan, catalogOf(tables, [...keys, ...extraKeys])).map((f) => [
    f.rule,
    f.table,
    f.object,
  ]);
}

const READY = `
tables:
  - { table: countries, reference: true }
  - { table: customers, distribution_column: id }
  - { table: orders, distribution_column: customer_id, colocate_with: customers }
  - { table: items, distribution_column: customer_id }
`;

describe("checkReadiness", () => {
  it("accepts a plan that follows every rule", () => {
    expect(rules(READY)).toEqual([]);
    expect(checkReadiness(parseDistributionPlan(READY), catalog)).toEqual([]);
  });

  it.each<[string, string, CatalogForeignKey[], [ReadinessRule, string, string | undefined][]]>([
    [
      "missing table",
      `${READY}  - { table: ghosts, distribution_column: id }`,
      [],
      [["table-missing", "public.ghosts", undefined]],
    ],
    [
      "missing column",
      `${READY}  - { table: notes, distribution_column: author_id }`,
      [],
      [["column-missing", "public.notes", "author_id"]],
    ],
    [
      "unhashable type",
      `${READY}  - { table: events, distribution_column: payload }`,
      [],
      [["type-not-hashable", "public.events", "payload"]],
    ],
    [
      "key without the column",
      `${READY}  - { table: notes, distribution_column: customer_id }`,
      [],
      [["unique-lacks-distribution-column", "public.notes", "notes_pkey"]],
    ],
    [
      "referenced table distributed too late",
      `tables:\n  - { table: countries, reference: true }\n  - { table: orders, distribution_column: customer_id }\n  - { table: customers, distribution_column: id }\n  - { table: items, distribution_column: customer_id }`,
      [],
      [["order-referenced-too-late", "public.orders", "orders_customer_id_fkey"]],
    ],
    [
      "not colocated",
      `tables:\n  - { table: countries, reference: true }\n  - { table: customers, distribution_column: id }\n  - { table: orders, distribution_column: customer_id, colocate_with: none }\n  - { table: items, distribution_column: customer_id, colocate_with: orders }`,
      [],
      [["fk-not-colocated", "public.orders", "orders_customer_id_fkey"]],
    ],
    [
      "default colocation differs by shard count",
      `tables:\n  - { table: countries, reference: true }\n  - { table: customers, distribution_column: id, shard_count: 16 }\n  - { table: orders, distribution_column: customer_id }\n  - { table: items, distribution_column: customer_id }`,
      [],
      [["fk-not-colocated", "public.orders", "orders_customer_id_fkey"]],
    ],
    [
      "key that skips the distribution column",
      READY,
      [fk("items", ["order_id"], "orders", ["id"])],
      [["fk-lacks-distribution-column", "public.items", "items_order_id_fkey"]],
    ],
    [
      "reference table pointing at a distributed one",
      `tables:\n  - { table: customers, distribution_column: id }\n  - { table: countries, reference: true }`,
      [fk("countries", ["code"], "customers", ["id"])],
      [
        ["order-referenced-too-late", "public.customers", "customers_country_fkey"],
        ["fk-local-to-distributed", "public.orders", "orders_customer_id_fkey"],
        ["fk-reference-to-distributed", "public.countries", "countries_code_fkey"],
      ],
    ],
    [
      "colocated with a reference table",
      `${READY}  - { table: notes, distribution_column: customer_id, colocate_with: countries }`,
      [],
      [
        ["unique-lacks-distribution-column", "public.notes", "notes_pkey"],
        ["colocation-invalid", "public.notes", "public.countries"],
      ],
    ],
    [
      "colocated with a table the plan distributes later",
      `tables:\n  - { table: countries, reference: true }\n  - { table: orders, distribution_column: customer_id, colocate_with: customers }\n  - { table: customers, distribution_column: id }\n  - { table: items, distribution_column: customer_id, colocate_with: orders }`,
      [],
      [
        ["colocation-invalid", "public.orders", "public.customers"],
        ["order-referenced-too-late", "public.orders", "orders_customer_id_fkey"],
        ["fk-not-colocated", "public.orders", "orders_customer_id_fkey"],
      ],
    ],
    [
      "colocated across column types",
      `tables:\n  - { table: countries, distribution_column: code }\n  - { table: customers, distribution_column: id, colocate_with: countries }`,
      [],
      [
        ["colocation-invalid", "public.customers", "public.countries"],
        ["fk-not-colocated", "public.customers", "customers_country_fkey"],
        ["fk-lacks-distribution-column", "public.customers", "customers_country_fkey"],
        ["fk-local-to-distributed", "public.orders", "orders_customer_id_fkey"],
      ],
    ],
  ])("%s", (_case, plan, extraKeys, expected) => {
    const found = rules(plan, extraKeys);
    expect(found).toEqual(expected);
  });

  it("writes the fix for a key that skips the distribution column as SQL", () => {
    const [finding] = checkReadiness(
      parseDistributionPlan(READY),
      catalogOf(tables, [...keys, fk("items", ["order_id"], "orders", ["id"])]),
    );
    expect(finding.fixSql).toBe(
      "ALTER TABLE public.items DROP CONSTRAINT items_order_id_fkey, ADD CONSTRAINT items_order_id_fkey FOREIGN KEY (customer_id, order_id) REFERENCES public.orders (customer_id, id);",
    );
  });
});

describe("parseDistributionPlan", () => {
  it("qualifies names, keeps order and maps colocate_with defaults", () => {
    expect(
      parseDistributionPlan(
        "schema: shop\ntables:\n  - { table: a, distribution_column: id, colocate_with: default }\n  - { table: other.b, reference: true }\n  - { table: c, distribution_column: id, colocate_with: a, shard_count: 8 }\n",
      ),
    ).toEqual({
      tables: [
        {
          kind: "distributed",
          table: "shop.a",
          distributionColumn: "id",
          colocateWith: undefined,
          shardCount: undefined,
        },
        { kind: "reference", table: "other.b" },
        {
          kind: "distributed",
          table: "shop.c",
          distributionColumn: "id",
          colocateWith: "shop.a",
          shardCount: 8,
        },
      ],
    });
  });

  it.each([
    ["tables: [", /plan.yaml: not valid YAML/],
    ["tables: []", /plan.yaml: field 'tables': .*Expected \{ schema\?: string, tables:/],
    [
      "tables:\n  - { table: a, distribution_colum: id }",
      /field 'tables.0': Unrecognized key: "distribution_colum"/,
    ],
    [
      "tables:\n  - { table: a, shard_count: 0, distribution_column: id }",
      /field 'tables.0.shard_count': .* \(given 0\)\. Expected/,
    ],
    [
      "tables:\n  - { table: a }",
      /tables\[0\]: 'public.a' has neither distribution_column nor 'reference: true'; add one of them./,
    ],
    [
      "tables:\n  - { table: a, reference: true, distribution_column: id }",
      /tables\[0\]: 'public.a' is a reference table but also sets distribution_column\/colocate_with \('id'\)/,
    ],
    [
      "tables:\n  - { table: a, reference: true }\n  - { table: public.a, reference: true }",
      /tables\[1\].table: 'public.a' is listed twice; list each table once./,
    ],
  ])("refuses %j with a message naming the field", (text, message) => {
    expect(() => parseDistributionPlan(text, "plan.yaml")).toThrow(message);
  });
});
