import { describe, expect, it } from "vitest";
import { PostgresDatabase } from "../../../components/database/PostgresDatabase";
import { PostgresServer } from "../../../components/database/PostgresServer";
import { evaluateProgram } from "../../../tools/evaluate";
import { byTypeAndName, inventory, plainTextLeaks } from "./mock-helpers";
import { composeRef } from "./platform-refs";

const PROVIDER = "pulumi:providers:postgresql";

describe("PostgresDatabase", () => {
  it("creates database, owner, roles, grants and extensions through one explicit provider", async () => {
    const { resources } = await evaluateProgram(() => {
      const server = new PostgresServer("db", {
        platform: composeRef,
        superuserPassword: "root-pw",
      });
      new PostgresDatabase("orders", {
        server: server.adminConnection,
        databaseName: "orders",
        ownerPassword: "owner-pw",
        roles: [
          { name: "orders_app", password: "app-pw", privileges: ["SELECT", "INSERT", "UPDATE"] },
        ],
        extensions: ["citus"],
      });
    });
    const mine = resources.filter((r) => !r.type.startsWith("docker:") && r.name !== "db");
    expect(inventory(mine)).toEqual([
      ["postgresql:index/database:Database", "orders"],
      ["postgresql:index/extension:Extension", "orders-citus"],
      ["postgresql:index/grant:Grant", "orders-orders_app-connect"],
      ["postgresql:index/grant:Grant", "orders-orders_app-tables"],
      ["postgresql:index/role:Role", "orders-orders_app"],
      ["postgresql:index/role:Role", "orders-owner"],
      [PROVIDER, "orders-provider"],
      ["stepwise:database:PostgresDatabase", "orders"],
    ]);
    const component = byTypeAndName(resources, "stepwise:database:PostgresDatabase", "orders");
    const provider = byTypeAndName(resources, PROVIDER, "orders-provider");
    expect(provider.parent).toBe(component.urn);
    expect(provider.inputs).toMatchObject({
      host: "host.docker.internal",
      port: "5432",
      username: "postgres",
      password: { secret: "root-pw" },
      database: "postgres",
      sslmode: "disable",
      superuser: "true",
    });
    for (const child of mine.filter((r) => r.custom && r.type !== PROVIDER)) {
      expect(child.parent).toBe(component.urn);
      expect(child.provider).toBe(`${provider.urn}::orders-provider-id`);
    }
    const database = byTypeAndName(resources, "postgresql:index/database:Database", "orders");
    expect(database.inputs).toEqual({ name: "orders", owner: "orders_owner" });
    expect(byTypeAndName(resources, "postgresql:index/role:Role", "orders-owner").inputs).toEqual({
      name: "orders_owner",
      login: true,
      password: { secret: "owner-pw" },
    });
    expect(
      byTypeAndName(resources, "postgresql:index/role:Role", "orders-orders_app").inputs,
    ).toEqual({
      name: "orders_app",
      login: true,
      password: { secret: "app-pw" },
    });
    const tables = byTypeAndName(
      resources,
      "postgresql:index/grant:Grant",
      "orders-orders_app-tables",
    );
    expect(tables.inputs).toEqual({
      database: "orders",
      role: "orders_app",
      schema: "public",
      objectType: "table",
      privileges: ["SELECT", "INSERT", "UPDATE"],
    });
    expect(
      byTypeAndName(resources, "postgresql:index/grant:Grant", "orders-orders_app-connect").inputs,
    ).toEqual({
      database: "orders",
      role: "orders_app",
      objectType: "database",
      privileges: ["CONNECT"],
    });
    const extension = byTypeAndName(
      resources,
      "postgresql:index/extension:Extension",
      "orders-citus",
    );
    expect(extension.inputs).toEqual({ name: "citus", database: "orders" });
    expect(extension.dependencies).toContain(database.urn);
    for (const password of ["root-pw", "owner-pw", "app-pw"])
      expect(plainTextLeaks(resources, password)).toEqual([]);
    expect(tables.dependencies).toContain(database.urn);
  });

  it("manages objects in an existing database without creating one", async () => {
    const { resources } = await evaluateProgram(() => {
      new PostgresDatabase("citus-objects", {
        server: { host: "h", port: 5433, username: "postgres", password: "pw" },
        databaseName: "postgres",
        createDatabase: false,
        extensions: ["citus"],
      });
    });
    expect(inventory(resources)).toEqual([
      ["postgresql:index/extension:Extension", "citus-objects-citus"],
      [PROVIDER, "citus-objects-provider"],
      ["stepwise:database:PostgresDatabase", "citus-objects"],
    ]);
  });

  it.each([
    [
      { databaseName: "Orders" },
      "PostgresDatabase d: databaseName 'Orders' must be a lower-case identifier (a-z, 0-9, _; at most 63 characters).",
    ],
    [
      { ownerPassword: undefined },
      "PostgresDatabase d: ownerPassword is missing; a created database is owned by role 'orders_owner', which needs a password (or set createDatabase: false).",
    ],
    [
      { roles: [{ name: "app", password: "p", privileges: ["SELECT", "DROP"] }] },
      "PostgresDatabase d: roles[0].privileges has 'DROP'; use SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER.",
    ],
    [
      { roles: [{ name: "app", password: "p", privileges: [] }] },
      "PostgresDatabase d: roles[0].privileges is empty; grant at least one of SELECT",
    ],
    [
      {
        roles: [
          { name: "app", password: "p", privileges: ["SELECT"] },
          { name: "app", password: "q", privileges: ["SELECT"] },
        ],
      },
      "PostgresDatabase d: roles[1].name 'app' is listed twice; list each role once.",
    ],
    [
      { extensions: ["citus;drop"] },
      "PostgresDatabase d: extensions[0] 'citus;drop' is not an extension name.",
    ],
  ])("refuses bad arguments, naming the field: %#", (extra, message) => {
    const args = {
      server: { host: "h", port: 5432, username: "postgres", password: "pw" },
      databaseName: "orders",
      ownerPassword: "o",
      ...extra,
    } as ConstructorParameters<typeof PostgresDatabase>[1];
    expect(() => new PostgresDatabase("d", args)).toThrow(message);
  });
});
