import type { ClientConfig } from "pg";

/** A connection setting the user must fix; the message never contains a password. */
export class ConnectionSettingError extends Error {}

/**
 * Resolves `--url`: either a postgres:// URL or the name of an environment variable holding one.
 * The variable form is preferred — a URL on the command line shows up in `ps` and shell history.
 */
export function resolveConnectionString(
  urlOrVariable: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (/^postgres(ql)?:\/\//.test(urlOrVariable)) return urlOrVariable;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(urlOrVariable))
    throw new ConnectionSettingError(
      `--url '${redactConnectionString(urlOrVariable)}' is neither a postgres:// URL nor an environment variable name; pass e.g. --url DATABASE_URL.`,
    );
  const value = env[urlOrVariable];
  if (value === undefined || value === "")
    throw new ConnectionSettingError(
      `--url ${urlOrVariable}: the environment variable is not set; export ${urlOrVariable}=postgres://user:password@host:5432/db.`,
    );
  if (!/^postgres(ql)?:\/\//.test(value))
    throw new ConnectionSettingError(
      `--url ${urlOrVariable}: the variable holds '${redactConnectionString(value)}', not a postgres:// URL.`,
    );
  return value;
}

/** The URL with its password replaced, safe to print or record. */
export function redactConnectionString(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, "$1***@")
    .replace(/(\bpassword=)[^&\s]*/gi, "$1***");
}

/** How long a PostgreSQL client waits, in milliseconds. */
export interface PgTimeouts {
  /** Connecting, through the server's first answer (a server that accepts and never answers). */
  readonly connectMs: number;
  /** One statement. */
  readonly statementMs: number;
}

/** Bounded by default: a silent server fails a command in seconds instead of hanging it. */
export const DEFAULT_PG_TIMEOUTS: PgTimeouts = { connectMs: 10_000, statementMs: 30_000 };

/** node-postgres settings for `connectionString` with every wait bounded. */
export function pgClientConfig(
  connectionString: string,
  timeouts: PgTimeouts = DEFAULT_PG_TIMEOUTS,
): ClientConfig {
  return {
    connectionString,
    connectionTimeoutMillis: timeouts.connectMs,
    // The server cancels a slow statement itself and says so; the client gives up a moment
    // later, for a server that cannot even say that.
    statement_timeout: timeouts.statementMs,
    query_timeout: timeouts.statementMs + 1000,
  };
}
