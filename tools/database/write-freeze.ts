/**
 * Stopping an application's writes to one database for a cutover, and giving them back.
 *
 * The freeze revokes the role's write privileges (INSERT, UPDATE, DELETE, TRUNCATE) on the
 * table set — exactly the grants it held directly, so reopening restores those and nothing
 * else — then waits for the role's transactions that began before the revoke: a statement
 * already executed keeps its privilege check, so such a transaction could still commit a write
 * after the revoke. Past `drainMs` those transactions are ended (pg_terminate_backend): the
 * client sees its transaction fail, so nothing it was told had been written is lost.
 *
 * An application that writes as a superuser or as the tables' owner is not bound by grants;
 * for it the whole database is frozen instead (freezeDatabase: read-only by default, every
 * other session ended so each new one starts read-only).
 */
import type { ClientBase } from "pg";
import { quoteIdent, quoteLiteral, quoteTable } from "../../components/database/sql-names";

export const WRITE_PRIVILEGES = ["INSERT", "UPDATE", "DELETE", "TRUNCATE"] as const;
export type WritePrivilege = (typeof WRITE_PRIVILEGES)[number];

/** What a role freeze took away, and so what reopening gives back. */
export interface RoleFreeze {
  readonly scope: "role";
  readonly role: string;
  readonly frozenAt: string;
  readonly revoked: readonly { readonly table: string; readonly privileges: WritePrivilege[] }[];
  /** Backends of the role ended because their transaction outlived `drainMs`. */
  readonly terminatedBackends: number;
}

/**
 * A whole database made read-only by default, for applications that write as a superuser or
 * the tables' owner (grants do not bind those). Weaker than a role freeze: a session that sets
 * default_transaction_read_only off again can still write.
 */
export interface DatabaseFreeze {
  readonly scope: "database";
  readonly database: string;
  readonly frozenAt: string;
  /** The database's own default_transaction_read_only setting before, restored on reopen. */
  readonly previousSetting: string | null;
  /** Sessions ended so that every new one starts read-only. */
  readonly terminatedBackends: number;
}

export type WriteFreeze = RoleFreeze | DatabaseFreeze;

/** A freeze that cannot work as asked; the message says why and what to change. */
export class WriteFreezeError extends Error {}

export interface FreezeOptions {
  /** How long the role's open transactions may take to finish before they are ended. */
  readonly drainMs: number;
  /** Between two looks at pg_stat_activity. @default 100 */
  readonly pollMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function requireFreezableRole(client: ClientBase, role: string): Promise<void> {
  const { rows } = await client.query<{ rolsuper: boolean }>(
    "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = $1",
    [role],
  );
  const found = rows[0];
  if (!found) {
    throw new WriteFreezeError(
      `--role ${JSON.stringify(role)}: no such role on this server; give the role the application writes as (the user in its DATABASE_URL)`,
    );
  }
  if (found.rolsuper) {
    throw new WriteFreezeError(
      `--role ${JSON.stringify(role)} is a superuser: privileges do not bind it, so its writes cannot be stopped; let the application write as an ordinary role`,
    );
  }
}

/** The write privileges `role` holds directly on `table` (owner defaults included). */
async function directWritePrivileges(
  client: ClientBase,
  role: string,
  table: string,
): Promise<WritePrivilege[]> {
  const { rows } = await client.query<{ privilege_type: WritePrivilege }>(
    `SELECT DISTINCT a.privilege_type
     FROM pg_catalog.pg_class c,
          aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
     WHERE c.oid = $1::regclass
       AND a.grantee = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $2)
       AND a.privilege_type = ANY($3::text[])
     ORDER BY 1`,
    [quoteTable(table), role, WRITE_PRIVILEGES],
  );
  return rows.map((r) => r.privilege_type);
}

/** Write privileges the role still has on a table after the revoke: through PUBLIC or a group. */
async function remainingWrites(client: ClientBase, role: string, table: string): Promise<string[]> {
  const { rows } = await client.query<{ privilege: string }>(
    `SELECT p AS privilege FROM unnest($3::text[]) p WHERE has_table_privilege($1, $2::regclass, p)`,
    [role, quoteTable(table), WRITE_PRIVILEGES],
  );
  return rows.map((r) => r.privilege);
}

function grantStatements(
  verb: "GRANT" | "REVOKE",
  role: string,
  revoked: RoleFreeze["revoked"],
): string[] {
  const to = verb === "GRANT" ? "TO" : "FROM";
  return revoked
    .filter((entry) => entry.privileges.length > 0)
    .map(
      (entry) =>
        `${verb} ${entry.privileges.join(", ")} ON ${quoteTable(entry.table)} ${to} ${quoteIdent(role)}`,
    );
}

async function inTransaction(client: ClientBase, statements: readonly string[]): Promise<void> {
  await client.query("BEGIN");
  try {
    for (const statement of statements) await client.query(statement);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** Stops `role` writing to `tables` ("schema.table") through `client` (an admin connection). */
export async function freezeWrites(
  client: ClientBase,
  role: string,
  tables: readonly string[],
  options: FreezeOptions,
): Promise<RoleFreeze> {
  await requireFreezableRole(client, role);
  const revoked = [];
  for (const table of tables) {
    revoked.push({ table, privileges: await directWritePrivileges(client, role, table) });
  }
  const { rows: clock } = await client.query<{ now: Date }>("SELECT clock_timestamp() AS now");
  const frozenAt = clock[0]?.now ?? new Date();
  await inTransaction(client, grantStatements("REVOKE", role, revoked));
  const freeze: RoleFreeze = {
    scope: "role",
    role,
    frozenAt: frozenAt.toISOString(),
    revoked,
    terminatedBackends: 0,
  };
  for (const table of tables) {
    const left = await remainingWrites(client, role, table);
    if (left.length > 0) {
      await reopenWrites(client, freeze);
      throw new WriteFreezeError(
        `--role ${JSON.stringify(role)} can still ${left.join(", ")} on ${table} after its own grants were revoked: it gets them through PUBLIC or a role it belongs to; freeze that role instead, or revoke the grant from PUBLIC (nothing was changed)`,
      );
    }
  }
  const terminatedBackends = await drainTransactions(client, role, frozenAt, options);
  return { ...freeze, terminatedBackends };
}

/** Waits for the role's transactions begun before the freeze; ends those still open at the bound. */
async function drainTransactions(
  client: ClientBase,
  role: string,
  frozenAt: Date,
  options: FreezeOptions,
): Promise<number> {
  const openBefore = `FROM pg_catalog.pg_stat_activity
     WHERE usename = $1 AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND xact_start <= $2`;
  const deadline = Date.now() + options.drainMs;
  for (;;) {
    const { rows } = await client.query<{ open: number }>(
      `SELECT count(*)::int AS open ${openBefore}`,
      [role, frozenAt],
    );
    if ((rows[0]?.open ?? 0) === 0) return 0;
    if (Date.now() >= deadline) break;
    await sleep(options.pollMs ?? 100);
  }
  const { rows } = await client.query<{ ended: number }>(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS ended ${openBefore}`,
    [role, frozenAt],
  );
  return rows[0]?.ended ?? 0;
}

/** What a freeze took, in a line: "role app: INSERT, UPDATE on s.orders" or the database. */
export function describeFreeze(freeze: WriteFreeze): string {
  if (freeze.scope === "database") return `database ${freeze.database} read-only for every session`;
  const taken = freeze.revoked
    .map((r) => `${r.privileges.join(", ") || "nothing"} on ${r.table}`)
    .join("; ");
  return `role ${freeze.role}: ${taken}`;
}

/** Gives back exactly what `freeze` took. */
export async function reopenWrites(client: ClientBase, freeze: WriteFreeze): Promise<void> {
  if (freeze.scope === "role") {
    await inTransaction(client, grantStatements("GRANT", freeze.role, freeze.revoked));
    return;
  }
  // This session may have started read-only itself (the freeze's default applies to it).
  await client.query("SET default_transaction_read_only = off");
  const database = quoteIdent(freeze.database);
  await client.query(
    freeze.previousSetting === null
      ? `ALTER DATABASE ${database} RESET default_transaction_read_only`
      : `ALTER DATABASE ${database} SET default_transaction_read_only = ${quoteLiteral(freeze.previousSetting)}`,
  );
  // Sessions opened while frozen stay read-only; they reconnect writable.
  await endSessions(client);
}

const OTHER_SESSIONS = `FROM pg_catalog.pg_stat_activity
  WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`;

/** Ends every other client session of this database; returns how many. */
async function endSessions(client: ClientBase): Promise<number> {
  const { rows } = await client.query<{ ended: number }>(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS ended ${OTHER_SESSIONS}`,
  );
  return rows[0]?.ended ?? 0;
}

/**
 * Makes the connected database read-only for every new session, lets transactions begun before
 * finish (up to `drainMs`), then ends every other session so none keeps writing.
 */
export async function freezeDatabase(
  client: ClientBase,
  options: FreezeOptions,
): Promise<DatabaseFreeze> {
  const { rows } = await client.query<{ database: string; setting: string | null; now: Date }>(
    `SELECT current_database() AS database, clock_timestamp() AS now,
            (SELECT split_part(s, '=', 2)
             FROM pg_catalog.pg_db_role_setting r, unnest(r.setconfig) s
             WHERE r.setdatabase = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
               AND r.setrole = 0 AND s LIKE 'default\\_transaction\\_read\\_only=%') AS setting`,
  );
  const found = rows[0];
  if (!found) throw new WriteFreezeError("could not read the database's settings");
  if (found.setting === "on") {
    throw new WriteFreezeError(
      `database ${found.database} is already read-only by default (an earlier freeze not reopened?); reopen it with the state file of that freeze, or ALTER DATABASE ${quoteIdent(found.database)} RESET default_transaction_read_only`,
    );
  }
  await client.query(
    `ALTER DATABASE ${quoteIdent(found.database)} SET default_transaction_read_only = on`,
  );
  const deadline = Date.now() + options.drainMs;
  for (;;) {
    const { rows: open } = await client.query<{ open: number }>(
      `SELECT count(*)::int AS open ${OTHER_SESSIONS} AND xact_start IS NOT NULL AND xact_start <= $1`,
      [found.now],
    );
    if ((open[0]?.open ?? 0) === 0 || Date.now() >= deadline) break;
    await sleep(options.pollMs ?? 100);
  }
  return {
    scope: "database",
    database: found.database,
    frozenAt: found.now.toISOString(),
    previousSetting: found.setting,
    terminatedBackends: await endSessions(client),
  };
}
