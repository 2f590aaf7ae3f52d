import { describe, expect, it } from "vitest";
import { CitusCluster } from "../../../components/database/CitusCluster";
import { DistributedTable } from "../../../components/database/DistributedTable";
import { PostgresDatabase } from "../../../components/database/PostgresDatabase";
import { PostgresServer } from "../../../components/database/PostgresServer";
import { ReferenceTable } from "../../../components/database/ReferenceTable";
import { evaluateProgram } from "../../../tools/evaluate";
import { byTypeAndName, plainTextLeaks, value } from "./mock-helpers";
import { composeRef, k3sRef } from "./platform-refs";

// The "citus-provisioned" phase of the database path as a program: PostgreSQL still on Compose,
// Citus on K3s with the citus extension and the schema distributed — wired only through the
// components' outputs.
describe("database path, citus-provisioned phase", () => {
  it("wires Citus outputs into the logical objects and the distributed tables", async () => {
    const { resources, result } = await evaluateProgram(async () => {
      const postgres = new PostgresServer("orders-db", {
        platform: composeRef,
        superuserPassword: "pg-pass-1",
      });
      const citus = new CitusCluster("citus", {
        platform: k3sRef,
        superuserPassword: "citus-pass-2",
        workers: 2,
      });
      const objects = new PostgresDatabase(
        "citus-objects",
        {
          server: citus.adminConnection,
          databaseName: "postgres",
          createDatabase: false,
          extensions: ["citus"],
        },
        { dependsOn: [...citus.registrations] },
      );
      const url = citus.externalConnectionUrl;
      const countries = new ReferenceTable(
        "countries",
        { connectionString: url, table: "public.countries" },
        { dependsOn: [objects] },
      );
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
      const metrics = [postgres.metrics, ...citus.metrics];
      return Promise.all(metrics.map(async (m) => `${m.system}: ${await value(m.address)}`));
    });

    const extension = byTypeAndName(
      resources,
      "postgresql:index/extension:Extension",
      "citus-objects-citus",
    );
    const provider = byTypeAndName(
      resources,
      "pulumi:providers:postgresql",
      "citus-objects-provider",
    );
    expect(provider.inputs).toMatchObject({
      host: "10.0.0.5",
      port: "30433",
      password: { secret: "citus-pass-2" },
    });
    expect(extension.inputs).toEqual({ name: "citus", database: "postgres" });
    // The provider (and so the extension through it) waits for every worker registration.
    const registrations = resources
      .filter((r) => r.type.endsWith(":CitusNodeRegistration"))
      .map((r) => r.urn);
    expect(registrations).toHaveLength(2);
    expect([...provider.dependencies].sort()).toEqual(registrations.sort());
    expect(extension.provider).toBe(`${provider.urn}::citus-objects-provider-id`);

    const countries = byTypeAndName(
      resources,
      "pulumi-nodejs:dynamic/stepwise-database:ReferenceTable",
      "countries",
    );
    const customers = byTypeAndName(
      resources,
      "pulumi-nodejs:dynamic/stepwise-database:DistributedTable",
      "customers",
    );
    expect(countries.inputs.connectionString).toEqual({
      secret: "postgresql://postgres:citus-pass-2@10.0.0.5:30433/postgres",
    });
    expect(countries.dependencies).toContain(extension.urn);
    expect(customers.dependencies).toEqual([countries.urn]);

    for (const password of ["pg-pass-1", "citus-pass-2"])
      expect(plainTextLeaks(resources, password)).toEqual([]);
    expect(result).toEqual([
      "postgres: compose-orders-db-exporter:9187",
      "citus: k3s-citus-coordinator.shop.svc.cluster.local:9187",
      "citus: k3s-citus-worker-0.shop.svc.cluster.local:9187",
      "citus: k3s-citus-worker-1.shop.svc.cluster.local:9187",
    ]);
  });
});
