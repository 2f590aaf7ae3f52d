import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freezeWrites, reopenWrites, WriteFreezeError } from "../../../tools/database/write-freeze";
import { postgres, services, uniqueName } from "../support/services";

// The cutover's freeze on the real test PostgreSQL: an application role loses exactly its
// write grants, a transaction it had open is ended, and reopening gives back what it held.
const schema = uniqueName("freeze").replaceAll("-", "_");
const role = `${schema}_app`;
const password = "app-password-for-tests";
let admin: Client;

async function asApp(): Promise<Client> {
  const pg = services().postgres;
  const client = new Client({
    host: pg.host,
    port: pg.port,
    user: role,
    password,
    database: pg.databases.legacy,
  });
  await client.connect();
  return client;
}

const writeFails = (client: Client, id: number) =>
  client.query(`INSERT INTO ${schema}.orders VALUES ($1, 'x')`, [id]).then(
    () => undefined,
    (error: Error) => error.message,
  );

beforeAll(async () => {
  admin = await postgres("legacy");
  await admin.query(`
    CREATE SCHEMA ${schema};
    CREATE TABLE ${schema}.orders (id int PRIMARY KEY, note text);
    CREATE TABLE ${schema}.lines (id int PRIMARY KEY);
    CREATE ROLE ${role} LOGIN PASSWORD '${password}';
    GRANT USAGE ON SCHEMA ${schema} TO ${role};
    GRANT SELECT, INSERT, UPDATE ON ${schema}.orders TO ${role};
    GRANT SELECT, DELETE ON ${schema}.lines TO ${role};`);
});

afterAll(async () => {
  await admin.query(`DROP SCHEMA ${schema} CASCADE; DROP ROLE ${role}`).catch(() => undefined);
  await admin.end();
});

describe("freezeWrites", () => {
  it("revokes exactly the role's write grants, ends its open transaction and reopens them", async () => {
    const app = await asApp();
    const open = await asApp();
    open.on("error", () => undefined); // the freeze ends this session on purpose
    await open.query("BEGIN");
    await open.query(`INSERT INTO ${schema}.orders VALUES (1, 'in flight')`);
    const tables = [`${schema}.orders`, `${schema}.lines`];

    const freeze = await freezeWrites(admin, role, tables, { drainMs: 300, pollMs: 20 });

    expect(freeze.revoked).toEqual([
      { table: `${schema}.orders`, privileges: ["INSERT", "UPDATE"] },
      { table: `${schema}.lines`, privileges: ["DELETE"] },
    ]);
    expect(freeze.terminatedBackends).toBe(1);
    // The open transaction is gone, so its write never lands.
    await expect(open.query("COMMIT")).rejects.toThrow();
    expect(await writeFails(app, 2)).toMatch(/permission denied/);
    const { rows: kept } = await app.query(`SELECT count(*)::int AS n FROM ${schema}.orders`);
    expect(kept[0]).toEqual({ n: 0 }); // reads still work

    await reopenWrites(admin, freeze);
    expect(await writeFails(app, 3)).toBeUndefined();
    const { rows } = await admin.query<{ privilege_type: string }>(
      `SELECT privilege_type FROM information_schema.role_table_grants
       WHERE grantee = $1 AND table_schema = $2 ORDER BY table_name, privilege_type`,
      [role, schema],
    );
    expect(rows.map((r) => r.privilege_type)).toEqual([
      "DELETE",
      "SELECT",
      "INSERT",
      "SELECT",
      "UPDATE",
    ]);
    await app.end();
    await open.end().catch(() => undefined);
  });

  it("refuses a role that keeps writing through PUBLIC, and changes nothing", async () => {
    await admin.query(`GRANT INSERT ON ${schema}.lines TO PUBLIC`);
    try {
      const attempt = freezeWrites(admin, role, [`${schema}.lines`], { drainMs: 100 });
      await expect(attempt).rejects.toThrow(WriteFreezeError);
      await expect(attempt).rejects.toThrow(/can still INSERT on .*lines.*PUBLIC/);
      const { rows } = await admin.query<{ ok: boolean }>(
        `SELECT has_table_privilege($1, $2, 'DELETE') AS ok`,
        [role, `${schema}.lines`],
      );
      expect(rows[0]?.ok).toBe(true);
    } finally {
      await admin.query(`REVOKE INSERT ON ${schema}.lines FROM PUBLIC`);
    }
  });

  it("refuses a superuser and a role that does not exist, naming the role", async () => {
    const superuser = services().postgres.user;
    await expect(
      freezeWrites(admin, superuser, [`${schema}.orders`], { drainMs: 0 }),
    ).rejects.toThrow(/is a superuser: privileges do not bind it/);
    await expect(
      freezeWrites(admin, "no_such_role", [`${schema}.orders`], { drainMs: 0 }),
    ).rejects.toThrow(/--role "no_such_role": no such role/);
  });
});
