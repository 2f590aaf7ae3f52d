import { createRequire } from "node:module";
import { runInThisContext } from "node:vm";
import * as pulumi from "@pulumi/pulumi";
import type { Client } from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  citusTableProvider,
  type CitusTableInputs,
  type CitusTableOutputs,
} from "../../../components/database/citus-table-provider";
import {
  citusNodeProvider,
  type CitusNodeOutputs,
} from "../../../components/database/citus-node-provider";
import { postgres, services, uniqueName } from "../support/services";
import { createShopSchema, fixture, schemaName } from "./shop-schema";

// Citus cannot run here: no Citus build is reachable from this machine. So these tests install
// PL/pgSQL stand-ins for create_distributed_table, create_reference_table,
// alter_distributed_table, undistribute_table and the citus_tables view in a throwaway schema
// that the provider's connection puts first on its search_path (test/fixtures/database/
// fake-citus.sql). The provider's statements really run through PostgreSQL 15 and the stand-ins
// record each call, so the tests prove exactly which Citus calls are made, with which
// arguments and in which order — and that nothing is called when the readiness check refuses.
// They do not prove Citus's own behaviour.
const fake = schemaName(uniqueName("citus_fake"));
const app = schemaName(uniqueName("citus_app"));
const bad = schemaName(uniqueName("citus_bad"));
let client: Client;

interface Call {
  fn: string;
  args: Record<string, unknown>;
}

function connectionString(): string {
  const pg = services().postgres;
  const options = encodeURIComponent(`-c search_path=${fake},public`);
  return `postgres://${pg.user}:${encodeURIComponent(pg.password)}@${pg.host}:${pg.port}/${pg.databases.legacy}?options=${options}`;
}

function distributed(
  table: string,
  column: string,
  extra: Partial<CitusTableInputs> = {},
): CitusTableInputs {
  return {
    connectionString: connectionString(),
    kind: "distributed",
    table,
    distributionColumn: column,
    cascadeOnUndistribute: false,
    ...extra,
  };
}

function reference(table: string): CitusTableInputs {
  return {
    connectionString: connectionString(),
    kind: "reference",
    table,
    cascadeOnUndistribute: false,
  };
}

async function calls(): Promise<Call[]> {
  const { rows } = await client.query<Call>(`SELECT fn, args FROM ${fake}.calls ORDER BY seq`);
  return rows;
}

async function create(inputs: CitusTableInputs): Promise<CitusTableOutputs> {
  const result = await citusTableProvider.create(inputs);
  expect(result.id).toBe(inputs.table);
  return result.outs as CitusTableOutputs;
}

beforeAll(async () => {
  client = await postgres("legacy");
  await client.query(`CREATE SCHEMA ${fake}`);
  await client.query(fixture("fake-citus.sql", fake).replaceAll("__FAKE__", fake));
  await createShopSchema(client, app, "shop-ready.sql");
  await createShopSchema(client, bad, "shop-violations.sql");
});

beforeEach(async () => {
  await client.query(`TRUNCATE ${fake}.calls, ${fake}.dist, ${fake}.pg_dist_node`);
});

afterAll(async () => {
  for (const schema of [fake, app, bad])
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

describe("DistributedTable / ReferenceTable provider against PostgreSQL with Citus stand-ins", () => {
  it("distributes referenced tables first, colocates, alters, reads back and undistributes in reverse", async () => {
    const countries = await create(reference(`${app}.countries`));
    const coupons = await create(reference(`${app}.coupons`));
    const customers = await create(distributed(`${app}.customers`, "id"));
    const orders = await create(
      distributed(`${app}.orders`, "customer_id", { colocateWith: `${app}.customers` }),
    );
    const carts = await create(distributed(`${app}.carts`, "customer_id", { shardCount: 8 }));

    expect(countries).toMatchObject({ citusTableType: "reference", actualShardCount: 1 });
    expect(customers).toMatchObject({ citusTableType: "distributed", actualShardCount: 32 });
    expect(orders.colocationId).toBe(customers.colocationId);
    expect(carts).toMatchObject({ actualShardCount: 8 });
    expect(carts.colocationId).not.toBe(customers.colocationId);

    const update = await citusTableProvider.update!(carts.table, carts, {
      ...carts,
      shardCount: 16,
    });
    expect(update.outs).toMatchObject({ actualShardCount: 16 });
    const read = await citusTableProvider.read!(orders.table, orders);
    expect(read).toEqual({ id: orders.table, props: orders });

    for (const outs of [carts, orders, customers, coupons, countries])
      await citusTableProvider.delete!(outs.table, outs);

    expect(await calls()).toEqual([
      { fn: "create_reference_table", args: { table_name: `${app}.countries` } },
      { fn: "create_reference_table", args: { table_name: `${app}.coupons` } },
      {
        fn: "create_distributed_table",
        args: {
          table_name: `${app}.customers`,
          distribution_column: "id",
          colocate_with: "default",
          shard_count: null,
        },
      },
      {
        fn: "create_distributed_table",
        args: {
          table_name: `${app}.orders`,
          distribution_column: "customer_id",
          colocate_with: `${app}.customers`,
          shard_count: null,
        },
      },
      {
        fn: "create_distributed_table",
        args: {
          table_name: `${app}.carts`,
          distribution_column: "customer_id",
          colocate_with: "default",
          shard_count: 8,
        },
      },
      {
        fn: "alter_distributed_table",
        args: {
          table_name: `${app}.carts`,
          distribution_column: null,
          shard_count: 16,
          colocate_with: "default",
        },
      },
      ...[carts, orders, customers, coupons, countries].map((t) => ({
        fn: "undistribute_table",
        args: { table_name: t.table, cascade_via_foreign_keys: false },
      })),
    ]);
  });

  it("reports a table undistributed outside Pulumi as gone on read", async () => {
    await create(reference(`${app}.countries`));
    const customers = await create(distributed(`${app}.customers`, "id"));
    await client.query(`DELETE FROM ${fake}.dist`);
    expect(await citusTableProvider.read!(customers.table, customers)).toEqual({});
  });

  it("refuses a table that references one not yet distributed, and calls nothing", async () => {
    await expect(create(distributed(`${app}.orders`, "customer_id"))).rejects.toThrow(
      new RegExp(
        `\\[fk-distributed-to-local\\] Foreign key orders_customer_id_fkey ${app}\\.orders\\(customer_id\\) → ${app}\\.customers\\(id\\)`,
      ),
    );
    expect(await calls()).toEqual([]);
  });

  it("refuses a table Citus could not distribute as asked, listing every finding with its fix", async () => {
    await create(distributed(`${bad}.customers`, "id")).catch(() => undefined);
    await client.query(`TRUNCATE ${fake}.calls`);
    const error = await create(distributed(`${bad}.order_items`, "customer_id")).then(
      () => new Error("distributed"),
      (e: Error) => e,
    );
    expect(error.message.split("\n").filter((l) => l.startsWith("- ["))).toEqual([
      expect.stringContaining("[unique-lacks-distribution-column] Primary key order_items_pkey"),
      expect.stringContaining("[fk-distributed-to-local] Foreign key order_items_order_id_fkey"),
      expect.stringContaining("[fk-distributed-to-local] Foreign key order_items_product_id_fkey"),
    ]);
    expect(error.message).toContain(
      `ADD CONSTRAINT order_items_pkey PRIMARY KEY (customer_id, id)`,
    );
    expect(await calls()).toEqual([]);
  });

  it("refuses a reference table that references a distributed one", async () => {
    await create(distributed(`${bad}.suppliers`, "id"));
    await expect(create(reference(`${bad}.products`))).rejects.toThrow(
      /\[fk-reference-to-distributed\]/,
    );
    expect((await calls()).map((c) => c.fn)).toEqual(["create_distributed_table"]);
  });
});

describe("CitusNodeRegistration provider against PostgreSQL with Citus stand-ins", () => {
  it("adds the worker, reads it from pg_dist_node, removes it on delete", async () => {
    const inputs = {
      connectionString: connectionString(),
      nodeName: "k3s-citus-worker-0.shop.svc.cluster.local",
      nodePort: 5432,
      readyTimeoutSeconds: 5,
    };
    const created = await citusNodeProvider.create(inputs);
    const outs = created.outs as CitusNodeOutputs;
    expect(created.id).toBe("k3s-citus-worker-0.shop.svc.cluster.local:5432");
    expect(outs.nodeId).toBeGreaterThan(0);
    expect(await citusNodeProvider.read!(created.id, outs)).toEqual({
      id: created.id,
      props: outs,
    });
    await citusNodeProvider.delete!(created.id, outs);
    expect(await citusNodeProvider.read!(created.id, outs)).toEqual({});
    expect(await calls()).toEqual([
      { fn: "citus_add_node", args: { nodename: inputs.nodeName, nodeport: 5432 } },
      { fn: "citus_remove_node", args: { nodename: inputs.nodeName, nodeport: 5432 } },
    ]);
  });

  it("keeps retrying while the coordinator refuses connections, then gives up with its error", async () => {
    const started = Date.now();
    await expect(
      citusNodeProvider.create({
        connectionString: "postgres://u:p@127.0.0.1:1/db",
        nodeName: "w",
        nodePort: 5432,
        readyTimeoutSeconds: 3,
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
  });
});

describe("the serialized providers", () => {
  // The engine gets a provider as text (the __provider input) and evaluates it in a fresh
  // module; doing the same here proves the closure carries everything it needs. (This caught a
  // module-level Set that serialized as a plain object.)
  async function revive<T>(provider: T): Promise<T> {
    const { text, exportName } = await pulumi.runtime.serializeFunction(() => provider);
    const module = { exports: {} as Record<string, () => T> };
    type ModuleBody = (exports: object, require: NodeJS.Require, module: object) => void;
    const body = runInThisContext(
      `(function (exports, require, module) {\n${text}\n})`,
    ) as ModuleBody;
    body(module.exports, createRequire(__filename), module);
    return module.exports[exportName]();
  }

  it("run the table provider from its serialized text", async () => {
    const revived = await revive(citusTableProvider);
    await citusTableProvider.create(reference(`${app}.countries`));
    const result = await revived.create(distributed(`${app}.customers`, "id"));
    expect(result.outs).toMatchObject({ citusTableType: "distributed", actualShardCount: 32 });
    expect((await calls()).map((c) => c.fn)).toEqual([
      "create_reference_table",
      "create_distributed_table",
    ]);
  });

  it("run the node provider from its serialized text", async () => {
    const revived = await revive(citusNodeProvider);
    const inputs = {
      connectionString: connectionString(),
      nodeName: "w0",
      nodePort: 5432,
      readyTimeoutSeconds: 5,
    };
    const created = await revived.create(inputs);
    await revived.delete!(created.id, created.outs as CitusNodeOutputs);
    expect((await calls()).map((c) => c.fn)).toEqual(["citus_add_node", "citus_remove_node"]);
  });
});
