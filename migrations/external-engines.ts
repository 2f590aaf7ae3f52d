/**
 * Engines a stack does not run itself: a team's own Kafka or PostgreSQL, another cluster, a
 * managed service. `stepwise:enginePlacement.<engine>: external` says so and
 * `stepwise:externalEngines.<engine>` says where it is; the program then deploys nothing for
 * that engine but still manages what lives on it (topics, Citus node registration) and wires
 * every service to it.
 */
import { z } from "zod";
import { postgresUrl } from "../components/database/postgres-node";

/** Engines that may be external; Prometheus always runs on a platform of the stack. */
export const EXTERNAL_CAPABLE_ENGINES = ["redpanda", "kafka", "postgres", "citus"] as const;
export type ExternalCapableEngine = (typeof EXTERNAL_CAPABLE_ENGINES)[number];

/** The placement value that marks an engine as run outside the stack. */
export const EXTERNAL = "external";

export interface ExternalBroker {
  /** Client listeners, `host:port` joined by commas, reachable from the services and from Pulumi. */
  readonly bootstrap: string;
  /** `host:port` Prometheus scrapes for this cluster. @default none (not monitored) */
  readonly metrics?: string;
}

export interface ExternalDatabase {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** A secret in the stack file (`pulumi config set --path --secret …password`). */
  readonly password: string;
  /** `host:port` Prometheus scrapes for this database. @default none (not monitored) */
  readonly metrics?: string;
}

export interface ExternalCitus extends ExternalDatabase {
  /**
   * Workers (`host:port` as the coordinator reaches them) stepwise registers with
   * citus_add_node. @default none (the cluster's own operator registers them)
   */
  readonly workers?: readonly string[];
}

export interface ExternalEngines {
  readonly redpanda?: ExternalBroker;
  readonly kafka?: ExternalBroker;
  readonly postgres?: ExternalDatabase;
  readonly citus?: ExternalCitus;
}

const HOST_PORT = /^[^\s,:/]+:\d{1,5}$/;
const hostPort = z
  .string({ error: 'must be "host:port", e.g. "kafka.internal:9092"' })
  .regex(HOST_PORT, { error: 'must be "host:port", e.g. "kafka.internal:9092"' });

const broker = z.strictObject(
  {
    bootstrap: z
      .string({ error: 'must be "host:port" of each broker, joined by commas' })
      .refine((text) => text.split(",").every((part) => HOST_PORT.test(part)), {
        error: 'must be "host:port" of each broker, joined by commas, e.g. "b1:9092,b2:9092"',
      }),
    metrics: hostPort.optional(),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? "unknown field; an external broker has bootstrap and metrics"
        : "must be a map with bootstrap (and optionally metrics)",
  },
);

const databaseFields = {
  host: z
    .string({ error: "must be the database host name" })
    .min(1, { error: "must not be empty" }),
  port: z
    .number({ error: "must be a port number" })
    .int({ error: "must be a whole port number" })
    .min(1, { error: "must be a port from 1 to 65535" })
    .max(65_535, { error: "must be a port from 1 to 65535" }),
  database: z.string({ error: "must be the database name" }).min(1, { error: "must not be empty" }),
  user: z
    .string({ error: "must be the user to connect as" })
    .min(1, { error: "must not be empty" }),
  password: z.string({
    error: "must be the user's password, as a secret (pulumi config set --path --secret)",
  }),
  metrics: hostPort.optional(),
};

const database = z.strictObject(databaseFields, {
  error: (issue) =>
    issue.code === "unrecognized_keys"
      ? "unknown field; an external database has host, port, database, user, password and metrics"
      : "must be a map with host, port, database, user and password",
});

const citus = z.strictObject(
  {
    ...databaseFields,
    workers: z.array(hostPort, { error: 'must be a list of "host:port"' }).optional(),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? "unknown field; an external Citus cluster has host, port, database, user, password, metrics and workers"
        : "must be a map with host, port, database, user and password",
  },
);

/** The schema of `stepwise:externalEngines`. */
export const externalEnginesSchema = z.strictObject(
  {
    redpanda: broker.optional(),
    kafka: broker.optional(),
    postgres: database.optional(),
    citus: citus.optional(),
  },
  {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown engine; engines that can be external are ${EXTERNAL_CAPABLE_ENGINES.join(", ")}`
        : "must be a map of engine to its endpoints",
  },
);

/** The connection URL of an external database; it holds the password, so keep it secret. */
export function externalDatabaseUrl(db: ExternalDatabase): string {
  return postgresUrl(db.user, db.password, db.host, db.port, db.database);
}

/** Config field paths whose values are secret: never shown in an error. */
export function isSecretField(path: readonly PropertyKey[]): boolean {
  return path.some((part) => part === "password");
}
