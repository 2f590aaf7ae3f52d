import type * as pulumi from "@pulumi/pulumi";
import type { ProgramOptions, ServiceSpec, TopicDeclaration } from "stepwise-iac";

const health = (port: number) => ({
  http: { path: "/health", port },
  intervalSeconds: 10,
  timeoutSeconds: 3,
  retries: 3,
  startPeriodSeconds: 15,
});

/**
 * The seed platform's four services at their baseline. `databaseUrl` is product-catalog's DATABASE_URL
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

/**
 * The platform's topics, provisioned identically on every event cluster the events path deploys
 * (same partition counts, so a key lands in the same partition on both).
 */
export const SEED_TOPICS: readonly TopicDeclaration[] = [
  { name: "product-events", partitions: 6, configs: { "retention.ms": 604_800_000 } },
  { name: "order-events", partitions: 12, configs: { "retention.ms": 604_800_000 } },
  { name: "inventory-events", partitions: 6, configs: { "retention.ms": 604_800_000 } },
  { name: "coordination-sagas", partitions: 3, configs: { "cleanup.policy": "compact" } },
];

/** The program's options: what index.ts builds, and what the repository's tests plan. */
export const SEED_PLATFORM: ProgramOptions = {
  services: seedServices,
  topics: SEED_TOPICS,
  coordinationService: "platform-coordination",
};
