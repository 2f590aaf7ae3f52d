import { Kafka, logLevel } from "kafkajs";
import { Client } from "pg";
import { inject } from "vitest";
import type { KafkaClusterName } from "../../services/kafka";
import { postgresUrlOf, type ServiceEndpoints } from "../../services/manager";

/** The real services the global setup started (test/services). */
export function services(): ServiceEndpoints {
  return inject("services");
}

/** A kafkajs client for one of the two test clusters, quiet unless something breaks. */
export function kafka(cluster: KafkaClusterName, clientId = "stepwise-test"): Kafka {
  return new Kafka({
    clientId,
    brokers: [services().kafka[cluster].bootstrap],
    logLevel: logLevel.NOTHING, // failures surface as rejected promises
  });
}

/** A connected node-postgres client on the legacy or target database; the caller ends it. */
export async function postgres(database: "legacy" | "target"): Promise<Client> {
  const pg = services().postgres;
  const client = new Client({
    host: pg.host,
    port: pg.port,
    user: pg.user,
    password: pg.password,
    database: pg.databases[database],
  });
  await client.connect();
  return client;
}

/**
 * The URL of the legacy or target database, as the test superuser or as `as` (an application
 * role the test created).
 */
export function postgresUrl(
  database: "legacy" | "target",
  as?: { readonly user: string; readonly password: string },
): string {
  const pg = services().postgres;
  return postgresUrlOf(pg, pg.databases[database], as);
}

/** A name no other test (or earlier run against reused services) has used. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
