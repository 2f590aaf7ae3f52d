import { describe, expect, it } from "vitest";
import { CitusDatabase } from "../../../components/database/CitusDatabase";
import { CitusNodeRegistration } from "../../../components/database/CitusNodeRegistration";
import { parseDistributionPlan } from "../../../components/database/distribution-plan";
import { evaluateProgram } from "../../../tools/evaluate";
import { byTypeAndName, inventory, plainTextLeaks } from "./mock-helpers";

const SERVER = { host: "db.internal", port: 5433, username: "postgres", password: "admin-pass" };
const URL = "postgresql://postgres:admin-pass@db.internal:5433/shop";
const PLAN = parseDistributionPlan(
  [
    "schema: shop",
    "tables:",
    "  - { table: countries, reference: true }",
    "  - { table: customers, distribution_column: id }",
    "  - { table: orders, distribution_column: customer_id, colocate_with: customers }",
  ].join("\n"),
);

const DYNAMIC = "pulumi-nodejs:dynamic/stepwise-database";

describe("CitusDatabase", () => {
  it("without a plan: the database objects only, the citus extension in the existing database", async () => {
    const { resources } = await evaluateProgram(() => {
      new CitusDatabase("app", {
        server: SERVER,
        connectionString: URL,
        databaseName: "shop",
        roles: [{ name: "orders_app", password: "role-pass", privileges: ["SELECT"] }],
      });
    });
    expect(inventory(resources)).toEqual([
      ["postgresql:index/extension:Extension", "app-citus"],
      ["postgresql:index/grant:Grant", "app-orders_app-connect"],
      ["postgresql:index/grant:Grant", "app-orders_app-tables"],
      ["postgresql:index/role:Role", "app-orders_app"],
      ["pulumi:providers:postgresql", "app-provider"],
      ["stepwise:database:CitusDatabase", "app"],
      ["stepwise:database:PostgresDatabase", "app"],
    ]);
    expect(
      byTypeAndName(resources, "postgresql:index/extension:Extension", "app-citus").inputs,
    ).toEqual({ name: "citus", database: "shop" });
    expect(
      byTypeAndName(resources, "postgresql:index/grant:Grant", "app-orders_app-tables").inputs,
    ).toMatchObject({ schema: "public", privileges: ["SELECT"] });
    for (const password of ["admin-pass", "role-pass"])
      expect(plainTextLeaks(resources, password)).toEqual([]);
  });

  it("with a plan: one table resource per entry, chained in plan order, under the component", async () => {
    const { resources } = await evaluateProgram(() => {
      const ready = new CitusNodeRegistration("worker-0", {
        connectionString: URL,
        nodeName: "worker-0",
        nodePort: 5432,
      });
      new CitusDatabase(
        "app",
        {
          server: SERVER,
          connectionString: URL,
          databaseName: "shop",
          schema: "shop",
          distribution: PLAN,
        },
        { dependsOn: [ready] },
      );
    });
    const component = byTypeAndName(resources, "stepwise:database:CitusDatabase", "app");
    const provider = byTypeAndName(resources, "pulumi:providers:postgresql", "app-provider");
    const extension = byTypeAndName(resources, "postgresql:index/extension:Extension", "app-citus");
    const countries = byTypeAndName(resources, `${DYNAMIC}:ReferenceTable`, "app-shop.countries");
    const customers = byTypeAndName(resources, `${DYNAMIC}:DistributedTable`, "app-shop.customers");
    const orders = byTypeAndName(resources, `${DYNAMIC}:DistributedTable`, "app-shop.orders");
    expect(resources.filter((r) => r.type.endsWith("Table"))).toHaveLength(3);

    // The component's dependsOn reaches the provider, so every database object waits for it.
    const workers = byTypeAndName(resources, `${DYNAMIC}:CitusNodeRegistration`, "worker-0");
    expect(provider.dependencies).toEqual([workers.urn]);
    expect(countries.dependencies).toContain(extension.urn);
    expect(customers.dependencies).toEqual([countries.urn]);
    expect(orders.dependencies).toEqual([customers.urn]);
    for (const table of [countries, customers, orders]) expect(table.parent).toBe(component.urn);

    expect(countries.inputs).toMatchObject({ kind: "reference", table: "shop.countries" });
    expect(orders.inputs).toMatchObject({
      kind: "distributed",
      table: "shop.orders",
      distributionColumn: "customer_id",
      colocateWith: "shop.customers",
      cascadeOnUndistribute: false,
      connectionString: { secret: URL },
    });
    expect(plainTextLeaks(resources, "admin-pass")).toEqual([]);
  });
});
