import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { citusNodeProvider } from "../../../components/database/citus-node-provider";
import {
  citusTableProvider,
  checkCitusTableInputs,
} from "../../../components/database/citus-table-provider";
import { DistributedTable } from "../../../components/database/DistributedTable";
import { ReferenceTable } from "../../../components/database/ReferenceTable";
import { evaluateProgram } from "../../../tools/evaluate";
import { byTypeAndName, inventory } from "./mock-helpers";

const DISTRIBUTED = "pulumi-nodejs:dynamic/stepwise-database:DistributedTable";
const REFERENCE = "pulumi-nodejs:dynamic/stepwise-database:ReferenceTable";

describe("DistributedTable and ReferenceTable under mocks", () => {
  it("register with the secret connection, exact inputs and a serialized provider", async () => {
    const { resources } = await evaluateProgram(() => {
      const url = "postgresql://postgres:pw@citus:5433/postgres";
      const countries = new ReferenceTable("countries", {
        connectionString: url,
        table: "public.countries",
      });
      const customers = new DistributedTable(
        "customers",
        { connectionString: url, table: "public.customers", distributionColumn: "id" },
        { dependsOn: [countries] },
      );
      new DistributedTable(
        "orders",
        {
          connectionString: url,
          table: "public.orders",
          distributionColumn: "customer_id",
          colocateWith: "public.customers",
        },
        { dependsOn: [customers] },
      );
    });
    expect(inventory(resources)).toEqual([
      [DISTRIBUTED, "customers"],
      [DISTRIBUTED, "orders"],
      [REFERENCE, "countries"],
    ]);
    const orders = byTypeAndName(resources, DISTRIBUTED, "orders");
    const { __provider: provider, ...inputs } = orders.inputs;
    expect(inputs).toEqual({
      connectionString: { secret: "postgresql://postgres:pw@citus:5433/postgres" },
      kind: "distributed",
      table: "public.orders",
      distributionColumn: "customer_id",
      colocateWith: "public.customers",
      cascadeOnUndistribute: false,
    });
    // The provider closure really serialized (it would fail under mocks if it could not).
    expect(typeof provider).toBe("string");
    expect(provider as string).toContain("create_distributed_table");
    expect(orders.dependencies).toEqual([byTypeAndName(resources, DISTRIBUTED, "customers").urn]);
    expect(byTypeAndName(resources, REFERENCE, "countries").inputs).toMatchObject({
      kind: "reference",
      table: "public.countries",
    });
  });

  it("serialize both providers with pg required, not captured", async () => {
    for (const provider of [citusTableProvider, citusNodeProvider]) {
      const serialized = await pulumi.runtime.serializeFunction(() => provider, {
        allowSecrets: false,
      });
      // Under vitest's module transform pg shows up as its Client module; either way a require.
      expect(serialized.text).toMatch(/require\("pg(\/lib\/client)?"\)/);
    }
  });
});

describe("checkCitusTableInputs", () => {
  const base = {
    connectionString: "postgresql://x",
    kind: "distributed" as const,
    table: "public.orders",
    distributionColumn: "customer_id",
    cascadeOnUndistribute: false,
  };
  it.each([
    [{}, []],
    [
      { table: "orders" },
      [{ property: "table", reason: "'orders' must be schema-qualified, e.g. 'public.orders'." }],
    ],
    [
      { distributionColumn: undefined },
      [
        {
          property: "distributionColumn",
          reason: "a distributed table needs its distribution column.",
        },
      ],
    ],
    [
      { colocateWith: "public.customers", shardCount: 8 },
      [
        {
          property: "shardCount",
          reason:
            "public.orders: shardCount (8) and colocateWith ('public.customers') cannot both be set — a colocated table takes its shard count from public.customers; drop shardCount.",
        },
      ],
    ],
    [{ kind: "reference" as const, distributionColumn: undefined }, []],
  ])("%j", (change, failures) => {
    expect(checkCitusTableInputs({ ...base, ...change })).toEqual(failures);
  });
});
