import type * as pulumi from "@pulumi/pulumi";
import type { ServiceSpec } from "../../components/spec";

const health = (port: number) => ({
  http: { path: "/health", port },
  intervalSeconds: 10,
  timeoutSeconds: 3,
  retries: 3,
  startPeriodSeconds: 15,
});

/**
 * The four services of the bundled seed platform. `databaseUrl` is product-catalog's DATABASE_URL
 * (secret env); pass `config.requireSecret(...)` in a real stack.
 */
export function seedServices(databaseUrl: pulumi.Input<string>): readonly ServiceSpec[] {
  return [
    {
      name: "platform-coordination",
      image: "firstviscount/platform-coordination:1.2.0",
      ports: [{ port: 8080, name: "http" }],
      env: { LOG_LEVEL: "info" },
      healthCheck: health(8080),
      volumes: [{ name: "state", mountPath: "/var/lib/coordination", sizeMiB: 1024 }],
      singleReplicaReason: "keeps its saga log on a ReadWriteOnce volume",
      resources: { cpu: 0.5, memoryMiB: 256 },
      metrics: { port: 8080 },
    },
    {
      name: "product-catalog",
      image: "firstviscount/product-catalog:1.4.2",
      ports: [{ port: 8082, name: "http" }],
      env: { LOG_LEVEL: "info" },
      secretEnv: { DATABASE_URL: databaseUrl },
      healthCheck: health(8082),
      resources: { cpu: 0.5, memoryMiB: 512 },
      dependsOn: ["platform-coordination"],
      metrics: { port: 8082 },
    },
    {
      name: "orders",
      image: "firstviscount/orders:2.0.1",
      ports: [{ port: 8083, name: "http" }],
      env: { LOG_LEVEL: "info" },
      healthCheck: health(8083),
      resources: { cpu: 0.5, memoryMiB: 512 },
      dependsOn: ["platform-coordination", "product-catalog", "inventory"],
      metrics: { port: 8083 },
    },
    {
      name: "inventory",
      image: "firstviscount/inventory:1.1.0",
      ports: [{ port: 8084, name: "http" }],
      env: { LOG_LEVEL: "info" },
      healthCheck: health(8084),
      resources: { cpu: 0.25, memoryMiB: 256 },
      dependsOn: ["platform-coordination"],
      metrics: { port: 8084 },
    },
  ];
}

/** The four services with a credential-free example DATABASE_URL (still handled as a secret). */
export const SEED_SERVICES: readonly ServiceSpec[] = seedServices(
  "postgresql://catalog@postgres:5432/catalog",
);
