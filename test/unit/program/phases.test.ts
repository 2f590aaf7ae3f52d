import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { KafkaCluster } from "../../../components/events/KafkaCluster";
import { RedpandaCluster } from "../../../components/events/RedpandaCluster";
import type { PlatformRef } from "../../../components/platform/platform-ref";
import { DEFAULT_K3S_SETTINGS } from "../../../migrations";
import { PLATFORM_SETTINGS, plannedBootstrap } from "../../../migrations/program";
import { brokerArgs } from "../../../migrations/program/engines";
import { evaluateProgram } from "../../../tools/evaluate";
import { evaluateStack } from "./support";

const PROD_PHASES = {
  events: "redpanda",
  platform: "compose",
  database: "postgres",
  api: "old",
  consolidation: "microservices",
};

/** Top-level engine components (by `type name`) of prod with one path moved to `phase`. */
async function enginesAt(path: "events" | "database", phase: string): Promise<string[]> {
  const evaluation = await evaluateStack("prod", { phases: { ...PROD_PHASES, [path]: phase } });
  return evaluation.resources
    .filter((r) =>
      /^stepwise:(events|database):(RedpandaCluster|KafkaCluster|PostgresServer|CitusCluster)$/.test(
        r.type,
      ),
    )
    .filter((r) => !r.name.startsWith("citus-"))
    .map((r) => `${r.type.split(":")[2]} ${r.name}`)
    .sort();
}

describe("each phase changes the registered resources", () => {
  it.each([
    ["redpanda", ["RedpandaCluster redpanda"]],
    ["parallel", ["KafkaCluster kafka", "RedpandaCluster redpanda"]],
    ["dual-publish", ["KafkaCluster kafka", "RedpandaCluster redpanda"]],
    ["kafka-only", ["KafkaCluster kafka", "RedpandaCluster redpanda"]],
    ["redpanda-retired", ["KafkaCluster kafka"]],
  ])("events %s: %j", async (phase, expected) => {
    const engines = (await enginesAt("events", phase)).filter(
      (e) => !e.startsWith("PostgresServer"),
    );
    expect(engines).toEqual(expected);
  });

  it.each([
    ["postgres", ["PostgresServer postgres"]],
    ["citus-provisioned", ["CitusCluster citus", "PostgresServer postgres"]],
    ["citus-primary", ["CitusCluster citus", "PostgresServer postgres"]],
    ["postgres-retired", ["CitusCluster citus"]],
  ])("database %s: %j", async (phase, expected) => {
    const engines = (await enginesAt("database", phase)).filter(
      (e) => !/Cluster (redpanda|kafka)$/.test(e),
    );
    expect(engines).toEqual(expected);
  });
});

describe("topics follow the event clusters", () => {
  it.each([
    ["redpanda", ["redpanda"]],
    ["parallel", ["kafka", "redpanda"]],
    ["redpanda-retired", ["kafka"]],
  ])("events %s: the same four topics on %j, with the same partitions", async (phase, clusters) => {
    const evaluation = await evaluateStack("prod", { phases: { ...PROD_PHASES, events: phase } });
    const topics = evaluation.resources.filter(
      (r) => r.type === "pulumi-nodejs:dynamic/stepwise:Topic",
    );
    expect(topics.map((t) => t.name).sort()).toEqual(
      clusters.flatMap((c) =>
        ["coordination-sagas", "inventory-events", "order-events", "product-events"].map(
          (t) => `topics-${c}-${t}`,
        ),
      ),
    );
    const partitions = (cluster: string): Record<string, unknown> =>
      Object.fromEntries(
        topics
          .filter((t) => t.name.startsWith(`topics-${cluster}-`))
          .map((t): [string, unknown] => [String(t.inputs.name), t.inputs.partitions]),
      );
    for (const cluster of clusters) {
      expect(partitions(cluster)).toEqual({
        "product-events": 6,
        "order-events": 12,
        "inventory-events": 6,
        "coordination-sagas": 3,
      });
    }
  });
});

describe("plannedBootstrap", () => {
  const refs: Record<"compose" | "k3s", PlatformRef> = {
    compose: {
      kind: "compose",
      name: PLATFORM_SETTINGS.compose.name,
      networkName: PLATFORM_SETTINGS.compose.name,
      hostAddress: PLATFORM_SETTINGS.compose.hostAddress,
      resourceOptions: {},
    },
    k3s: {
      kind: "k3s",
      name: PLATFORM_SETTINGS.k3s.name,
      namespace: DEFAULT_K3S_SETTINGS.namespace,
      externalAddress: DEFAULT_K3S_SETTINGS.externalAddress,
      resourceOptions: {},
    },
  };

  it.each([
    ["redpanda", "compose"],
    ["kafka", "compose"],
    ["redpanda", "k3s"],
    ["kafka", "k3s"],
  ] as const)(
    "%s on %s: what services are given is what the cluster serves",
    async (system, on) => {
      const { result } = await evaluateProgram(() => {
        const args = brokerArgs(system, refs[on]);
        const cluster =
          system === "redpanda"
            ? new RedpandaCluster(system, args)
            : new KafkaCluster(system, args);
        return new Promise<[string, string]>((resolve) =>
          pulumi.all([cluster.bootstrap, cluster.externalBootstrap]).apply(resolve),
        );
      });
      const [internal, external] = result;
      const planned = plannedBootstrap(system, on);
      expect(planned[on]).toBe(internal);
      expect(planned[on === "compose" ? "k3s" : "compose"]).toBe(external);
    },
  );

  it("gives compose clients of a compose Redpanda its network address", () => {
    expect(plannedBootstrap("redpanda", "compose")).toEqual({
      compose: "redpanda-0:9092",
      k3s: "host.docker.internal:19092",
    });
  });
});

describe("both systems of the api and consolidation paths are scraped while both run", () => {
  async function jobs(change: Record<string, unknown>): Promise<string[]> {
    const evaluation = await evaluateStack("prod", change);
    const prometheus = evaluation.resources.find(
      (r) => r.type === "docker:index/container:Container" && r.name === "platform-prometheus",
    );
    const [upload] = (prometheus?.inputs.uploads ?? []) as { content: string }[];
    return [
      ...(upload?.content ?? "").matchAll(
        /job_name: (\S+)\n(?:.*\n){4}\s+labels:\n\s+system: (\S+)/g,
      ),
    ]
      .map((m) => `${m[1]}=${m[2]}`)
      .filter((j) => j.startsWith("api-") || j.startsWith("consolidation-"));
  }

  it("api canary: the old and the new implementation", async () => {
    expect(await jobs({ phases: { ...PROD_PHASES, api: "canary" } })).toEqual([
      "api-old-product-catalog=old",
      "api-new-product-catalog=new",
    ]);
    expect(await jobs({ phases: { ...PROD_PHASES, api: "old" } })).toEqual([]);
  });

  it("consolidation monolith-parallel: every module service and the monolith", async () => {
    expect(await jobs({ phases: { ...PROD_PHASES, consolidation: "monolith-parallel" } })).toEqual([
      "consolidation-product-catalog=microservices",
      "consolidation-orders=microservices",
      "consolidation-inventory=microservices",
      "consolidation-modular-monolith=modular-monolith",
    ]);
  });
});
