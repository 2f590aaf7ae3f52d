/**
 * One side of a verification: a connection holding a consistent, read-only snapshot, with the
 * session settings under which a row prints the same on any server, so that its text (and the
 * fingerprint of that text) depends on the row alone.
 */
import { Client } from "pg";
import { pgClientConfig, redactConnectionString, type PgTimeouts } from "./connection";
import { quoteLiteral } from "../../components/database/sql-names";
import { TableShapeError } from "./table-shape";

/** Session settings under which a row's text is the same on any server. */
export const STABLE_TEXT_SETTINGS = [
  "SET LOCAL TimeZone = 'UTC'",
  "SET LOCAL DateStyle = 'ISO, YMD'",
  "SET LOCAL IntervalStyle = 'postgres'",
  "SET LOCAL extra_float_digits = 3",
  "SET LOCAL bytea_output = 'hex'",
];

export interface SnapshotSide {
  /** Connections reading the same snapshot: the first exported it, the others imported it. */
  readonly clients: readonly Client[];
  /** "source postgres://user:***@host/db", for messages. */
  readonly name: string;
  /** The server's character encoding: a row's bytes, and so its fingerprint, depend on it. */
  readonly encoding: string;
}

async function connect(url: string, timeouts: PgTimeouts, name: string): Promise<Client> {
  const client = new Client(pgClientConfig(url, timeouts));
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`${name}: ${(error as Error).message}`);
  }
  return client;
}

async function begin(client: Client, snapshot?: string): Promise<void> {
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (snapshot) await client.query(`SET TRANSACTION SNAPSHOT ${quoteLiteral(snapshot)}`);
  for (const setting of STABLE_TEXT_SETTINGS) await client.query(setting);
}

/**
 * Opens `connections` connections to `url` in one REPEATABLE READ READ ONLY snapshot (the
 * first exports it, as `pg_dump --jobs` does), with stable row text. Errors name the side and
 * the redacted URL; nothing stays open after one.
 */
export async function openSnapshot(
  url: string,
  timeouts: PgTimeouts,
  side: "source" | "target",
  connections = 1,
): Promise<SnapshotSide> {
  const name = `${side} ${redactConnectionString(url)}`;
  const clients: Client[] = [];
  try {
    clients.push(await connect(url, timeouts, name));
    const first = clients[0];
    await begin(first);
    const { rows } = await first.query<{ encoding: string; snapshot: string | null }>(
      `SELECT current_setting('server_encoding') AS encoding,
              CASE WHEN $1 > 1 THEN pg_export_snapshot() END AS snapshot`,
      [connections],
    );
    const { encoding, snapshot } = rows[0] ?? { encoding: "", snapshot: null };
    const others = await Promise.allSettled(
      Array.from({ length: connections - 1 }, () => connect(url, timeouts, name)),
    );
    for (const other of others) if (other.status === "fulfilled") clients.push(other.value);
    for (const other of others) if (other.status === "rejected") throw other.reason;
    await Promise.all(clients.slice(1).map((client) => begin(client, snapshot ?? undefined)));
    return { clients, name, encoding };
  } catch (error) {
    await Promise.allSettled(clients.map((client) => client.end()));
    const message = (error as Error).message;
    throw new Error(message.startsWith(name) ? message : `${name}: ${message}`);
  }
}

/** Refuses two servers that store text in different encodings: every non-ASCII row would differ. */
export function requireSameEncoding(source: SnapshotSide, target: SnapshotSide): void {
  if (source.encoding !== target.encoding) {
    throw new TableShapeError(
      `the ${source.name} stores text as ${source.encoding}, the ${target.name} as ${target.encoding}; rows are compared by their bytes, so create the target database with ENCODING '${source.encoding}'`,
    );
  }
}

/** Ends the snapshots (read only: nothing to commit) and closes their connections. */
export async function closeSnapshots(
  ...sides: readonly (SnapshotSide | undefined)[]
): Promise<void> {
  const clients = sides.flatMap((side) => side?.clients ?? []);
  await Promise.allSettled(
    clients.map(async (client) => {
      await client.query("ROLLBACK").catch(() => undefined);
      await client.end();
    }),
  );
}
