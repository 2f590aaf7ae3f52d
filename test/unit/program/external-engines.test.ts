import { describe, expect, it } from "vitest";
import { TOPIC_TYPE } from "../../../components/type-tokens";
import { SKIP_AWAIT_ANNOTATION } from "../../../components/platform/annotations";
import { isSecretValue, type RegisteredResource } from "../../../tools/evaluate";
import { evaluateStack } from "./support";

/** Every path where the events and database engines are used, with all engines external. */
const PHASES = {
  events: "dual-publish",
  platform: "compose-retired",
  database: "dual-write",
  api: "old",
  consolidation: "microservices",
};

const EXTERNAL = {
  phases: PHASES,
  previousPhases: {},
  enginePlacement: {
    redpanda: "external",
    kafka: "external",
    postgres: "external",
    citus: "external",
    prometheus: "k3s",
  },
  externalEngines: {
    redpanda: { bootstrap: "rp-0.example:9092,rp-1.example:9092", metrics: "rp-0.example:9644" },
    kafka: { bootstrap: "kafka.example:9092" },
    postgres: {
      host: "pg.example",
      port: 5432,
      database: "catalog",
      user: "app",
      password: "pg-pa$$",
      metrics: "pg.example:9187",
    },
    citus: {
      host: "citus.example",
      port: 5433,
      database: "catalog",
      user: "app",
      password: "citus-pw",
      workers: ["citus-w0.example:5432", "citus-w1.example:5432"],
    },
  },
  k3s: { skipAwait: true, externalAddress: "10.0.0.5", namespace: "shop" },
};

function ofType(resources: readonly RegisteredResource[], type: string): RegisteredResource[] {
  return resources.filter((r) => r.type === type);
}

function configMapData(resources: readonly RegisteredResource[], name: string) {
  const found = resources.find((r) => r.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found.inputs.data as Record<string, string>;
}

describe("external engines (enginePlacement: external)", () => {
  it("deploys no broker or database, but the topics on both clusters and the Citus workers' registration", async () => {
    const { resources } = await evaluateStack("dev", EXTERNAL);
    const types = new Set(resources.map((r) => r.type));
    for (const system of [
      "stepwise:events:RedpandaCluster",
      "stepwise:events:KafkaCluster",
      "stepwise:database:PostgresServer",
      "stepwise:database:CitusCluster",
    ]) {
      expect(types.has(system)).toBe(false);
    }
    const topics = ofType(resources, TOPIC_TYPE);
    expect(topics.map((t) => [t.name, t.inputs.bootstrap, t.inputs.adoptExisting])).toEqual(
      expect.arrayContaining([
        ["topics-redpanda-order-events", "rp-0.example:9092,rp-1.example:9092", true],
        ["topics-kafka-order-events", "kafka.example:9092", true],
      ]),
    );
    expect(topics).toHaveLength(8);
    // Data on a cluster the stack does not run is never deleted by it, only forgotten.
    expect(topics.every((t) => t.retainOnDelete)).toBe(true);
    const registrations = ofType(
      resources,
      "pulumi-nodejs:dynamic/stepwise-database:CitusNodeRegistration",
    );
    expect(registrations.map((r) => [r.name, r.inputs.nodeName, r.inputs.nodePort])).toEqual([
      ["citus-worker-0", "citus-w0.example", 5432],
      ["citus-worker-1", "citus-w1.example", 5432],
    ]);
    expect(isSecretValue(registrations[0]?.inputs.connectionString)).toBe(true);
  });

  it("wires every service to the external endpoints, database URLs only as secrets", async () => {
    const { resources } = await evaluateStack("dev", EXTERNAL);
    const env = configMapData(resources, "platform-k3s-product-catalog-config");
    expect(env).toMatchObject({
      EVENTS_PUBLISH_TO: "redpanda,kafka",
      EVENTS_PUBLISH_BOOTSTRAP: "rp-0.example:9092,rp-1.example:9092,kafka.example:9092",
      EVENTS_CONSUME_BOOTSTRAP: "rp-0.example:9092,rp-1.example:9092",
      DATABASE_WRITE_TO: "postgres,citus",
    });
    const secret = resources.find((r) => r.name === "platform-k3s-product-catalog-secret");
    expect(secret?.inputs.stringData).toEqual({
      secret: {
        "database-url": "postgresql://app:pg-pa%24%24@pg.example:5432/catalog",
        "database-dual-write-url": "postgresql://app:citus-pw@citus.example:5433/catalog",
      },
    });
    expect(JSON.stringify(env)).not.toContain("pg-pa");
  });

  it("scrapes the external engines that name a metrics address", async () => {
    const { resources } = await evaluateStack("dev", EXTERNAL);
    const prometheus = configMapData(resources, "platform-prometheus-config")["prometheus.yml"];
    expect(prometheus).toContain("rp-0.example:9644");
    expect(prometheus).toContain("pg.example:9187");
    expect(prometheus).not.toContain("kafka.example");
  });

  it("puts every workload in the stack's namespace", async () => {
    const { resources } = await evaluateStack("dev", EXTERNAL);
    const namespaced = resources.filter(
      (r) => r.type.startsWith("kubernetes:") && r.type !== "kubernetes:core/v1:Namespace",
    );
    expect(namespaced.length).toBeGreaterThan(10);
    for (const r of namespaced) {
      expect([r.name, (r.inputs.metadata as { namespace?: string }).namespace]).toEqual([
        r.name,
        "shop",
      ]);
    }
  });

  it("asks the kubernetes provider not to wait on an API server without nodes", async () => {
    const { resources } = await evaluateStack("dev", EXTERNAL);
    const awaited = resources.filter((r) =>
      [
        "kubernetes:apps/v1:Deployment",
        "kubernetes:core/v1:Service",
        "kubernetes:core/v1:PersistentVolumeClaim",
      ].includes(r.type),
    );
    expect(awaited.length).toBeGreaterThan(5);
    for (const resource of awaited) {
      const metadata = resource.inputs.metadata as { annotations?: Record<string, string> };
      expect([resource.name, metadata.annotations?.[SKIP_AWAIT_ANNOTATION]]).toEqual([
        resource.name,
        "true",
      ]);
    }
    const configMaps = ofType(resources, "kubernetes:core/v1:ConfigMap");
    expect(
      configMaps.some(
        (c) => (c.inputs.metadata as { annotations?: object }).annotations !== undefined,
      ),
    ).toBe(false);
  });

  it("needs no database password when every database is external", async () => {
    const evaluation = evaluateStack("dev", { ...EXTERNAL, databasePassword: undefined });
    await expect(evaluation).resolves.toBeDefined();
  });
});
