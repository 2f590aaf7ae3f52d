import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import { freePort, residentMiB, spawnDetached, stopProcess, waitUntil } from "./processes";
import { postgresBinDir } from "./prerequisites";

/** The two databases: the old server's and the one standing in for the new (Citus) cluster. */
export const DATABASES = { legacy: "stepwise_legacy", target: "stepwise_target" } as const;
export const SUPERUSER = "stepwise";

export interface PostgresState {
  readonly pid: number;
  readonly port: number;
  readonly dataDir: string;
  readonly logFile: string;
  readonly user: string;
  readonly password: string;
  readonly databases: typeof DATABASES;
  readonly version: string;
  readonly startMs: number;
  readonly rssMiB: number | undefined;
}

interface Account {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` account instead. */
function serverAccount(): Account | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((entry) => entry.startsWith("postgres:"));
  if (!line)
    throw new Error(
      "Running as root, PostgreSQL needs an unprivileged account to run as, and there is no 'postgres' user. " +
        "Install Debian's postgresql package (it creates the account) or run the tests as a normal user.",
    );
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startPostgres(dataDir: string): Promise<PostgresState> {
  const bin = postgresBinDir();
  const account = serverAccount();
  const started = Date.now();
  const pgdata = join(dataDir, "pgdata");
  mkdirSync(dataDir, { recursive: true });
  const password = randomBytes(18).toString("base64url");
  const passwordFile = join(dataDir, "pwfile");
  writeFileSync(passwordFile, password, { mode: 0o600 });
  if (account) {
    chownSync(dataDir, account.uid, account.gid);
    chownSync(passwordFile, account.uid, account.gid);
  }
  execFileSync(
    join(bin, "initdb"),
    [
      "-D",
      pgdata,
      "-U",
      SUPERUSER,
      `--pwfile=${passwordFile}`,
      "--auth=scram-sha-256",
      "-E",
      "UTF8",
      "--no-locale",
    ],
    { stdio: ["ignore", "pipe", "pipe"], ...account },
  );
  rmSync(passwordFile);

  const port = await freePort();
  const logFile = join(dataDir, "postgres.log");
  // Durability settings are off: this is a throwaway cluster and speed matters more.
  const { pid } = spawnDetached(
    join(bin, "postgres"),
    [
      "-D",
      pgdata,
      "-p",
      String(port),
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      `unix_socket_directories=${dataDir}`,
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
      "-c",
      "shared_buffers=64MB",
    ],
    logFile,
    account ?? {},
  );
  const connection = { host: "127.0.0.1", port, user: SUPERUSER, password };
  try {
    await waitUntil(
      `PostgreSQL on 127.0.0.1:${port}`,
      () => query(connection, "postgres", "SELECT 1").then(() => true),
      60_000,
      logFile,
    );
    for (const database of Object.values(DATABASES)) {
      await query(connection, "postgres", `CREATE DATABASE ${database}`);
    }
  } catch (error) {
    await stopProcess(pid, pgdata, "SIGKILL");
    throw error;
  }
  const version = (await query(connection, "postgres", "SHOW server_version")) as string;
  return {
    pid,
    port,
    dataDir,
    logFile,
    user: SUPERUSER,
    password,
    databases: DATABASES,
    version,
    startMs: Date.now() - started,
    rssMiB: residentMiB(pid),
  };
}

export function stopPostgres(state: Pick<PostgresState, "pid" | "dataDir">): Promise<void> {
  // SIGINT is PostgreSQL's "fast" shutdown: ends sessions, then exits cleanly.
  return stopProcess(state.pid, join(state.dataDir, "pgdata"), "SIGINT");
}

export async function postgresServes(
  state: Pick<PostgresState, "port" | "user" | "password">,
): Promise<boolean> {
  await query(
    { host: "127.0.0.1", port: state.port, user: state.user, password: state.password },
    "postgres",
    "SELECT 1",
  );
  return true;
}

async function query(
  connection: { host: string; port: number; user: string; password: string },
  database: string,
  sql: string,
): Promise<unknown> {
  const client = new Client({ ...connection, database, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    const result = await client.query<Record<string, unknown>>(sql);
    const first = result.rows[0];
    return first ? Object.values(first)[0] : undefined;
  } finally {
    await client.end();
  }
}
