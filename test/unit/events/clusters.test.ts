import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { KafkaCluster } from "../../../components/events/KafkaCluster";
import { RedpandaCluster } from "../../../components/events/RedpandaCluster";
import { KAFKA_CLUSTER_TYPE, REDPANDA_CLUSTER_TYPE } from "../../../components/type-tokens";
import type { ComposePlatformRef, K3sPlatformRef } from "../../../components/platform/platform-ref";
import { evaluateProgram, type RegisteredResource } from "../../../tools/evaluate";

const compose: ComposePlatformRef = {
  kind: "compose",
  name: "edge",
  networkName: "edge-net",
  hostAddress: "host.docker.internal",
  resourceOptions: {},
};
const k3s: K3sPlatformRef = {
  kind: "k3s",
  name: "cluster",
  namespace: "events",
  externalAddress: "10.0.0.5",
  resourceOptions: {},
};

function valueOf(output: pulumi.Input<string>): Promise<string> {
  return new Promise((resolve) => pulumi.output(output).apply(resolve));
}

function byName(resources: RegisteredResource[], name: string): RegisteredResource {
  const found = resources.find((r) => r.name === name);
  if (!found) throw new Error(`no resource ${name}: ${resources.map((r) => r.name).join(", ")}`);
  return found;
}

/** [type, name] of each resource, sorted by name: registration order follows input resolution. */
function inventory(resources: RegisteredResource[]): Array<[string, string]> {
  return resources
    .map((r): [string, string] => [r.type, r.name])
    .sort((a, b) => a[1].localeCompare(b[1]));
}

function sortedByName(expected: Array<[string, string]>): Array<[string, string]> {
  return [...expected].sort((a, b) => a[1].localeCompare(b[1]));
}

/** The shell script a broker starts with (entrypoint on Docker, command on K8s). */
function script(resource: RegisteredResource): string {
  const argv = (resource.inputs.entrypoints ??
    (resource.inputs.spec as { template: { spec: { containers: Array<{ command: string[] }> } } })
      ?.template.spec.containers[0].command) as string[];
  expect(argv.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
  return argv[2];
}

describe("RedpandaCluster on Compose", () => {
  it("runs one container with a data volume per broker, all children of the cluster", async () => {
    const { resources, result } = await evaluateProgram(() => {
      const cluster = new RedpandaCluster("redpanda", {
        platform: compose,
        version: "v24.2.7",
        brokers: 3,
      });
      return {
        bootstrap: valueOf(cluster.bootstrap),
        external: valueOf(cluster.externalBootstrap),
        metrics: cluster.metrics,
        brokerMetrics: cluster.brokerMetrics,
      };
    });
    expect(inventory(resources)).toEqual(
      sortedByName([
        [REDPANDA_CLUSTER_TYPE, "redpanda"],
        ["docker:index/remoteImage:RemoteImage", "redpanda-image"],
        ["docker:index/volume:Volume", "redpanda-broker-0-data"],
        ["docker:index/container:Container", "redpanda-broker-0"],
        ["docker:index/volume:Volume", "redpanda-broker-1-data"],
        ["docker:index/container:Container", "redpanda-broker-1"],
        ["docker:index/volume:Volume", "redpanda-broker-2-data"],
        ["docker:index/container:Container", "redpanda-broker-2"],
      ]),
    );
    const cluster = byName(resources, "redpanda");
    expect(resources.filter((r) => r !== cluster).every((r) => r.parent === cluster.urn)).toBe(
      true,
    );
    expect(byName(resources, "redpanda-image").inputs).toMatchObject({
      name: "redpandadata/redpanda:v24.2.7",
    });

    const broker1 = byName(resources, "redpanda-broker-1");
    expect(broker1.inputs).toMatchObject({
      name: "redpanda-1",
      hostname: "redpanda-1",
      networksAdvanced: [{ name: "edge-net", aliases: ["redpanda-1"] }],
      ports: [{ internal: 9094, external: 19093 }],
      volumes: [{ volumeName: "redpanda-1-data", containerPath: "/var/lib/redpanda/data" }],
      memory: 1024,
      restart: "unless-stopped",
    });
    const start = script(broker1);
    expect(start).toContain("HOST=redpanda-1\nEXTERNAL_ADDR=host.docker.internal:19093");
    expect(start).toContain(
      "--advertise-kafka-addr internal://$HOST:9092,external://$EXTERNAL_ADDR",
    );
    expect(start).toContain("--seeds redpanda-0:33145,redpanda-1:33145,redpanda-2:33145");
    expect(start).toContain("--memory 819M");

    expect(await result.bootstrap).toBe("redpanda-0:9092,redpanda-1:9092,redpanda-2:9092");
    expect(await result.external).toBe(
      "host.docker.internal:19092,host.docker.internal:19093,host.docker.internal:19094",
    );
    expect(result.metrics).toEqual({
      job: "redpanda",
      system: "redpanda",
      address: "redpanda-0:9644",
      path: "/public_metrics",
    });
    expect(result.brokerMetrics.map((m) => m.address)).toEqual([
      "redpanda-0:9644",
      "redpanda-1:9644",
      "redpanda-2:9644",
    ]);
  });

  it("creates every child with the platform's provider", async () => {
    const { resources } = await evaluateProgram(() => {
      const provider = new docker.Provider("edge-docker", { host: "unix:///var/run/docker.sock" });
      new RedpandaCluster("redpanda", {
        platform: { ...compose, resourceOptions: { provider } },
        version: "v24.2.7",
      });
    });
    const children = resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers"));
    expect(children).toHaveLength(3);
    for (const child of children) expect(child.provider).toMatch(/edge-docker::/);
  });
});

describe("KafkaCluster on Compose", () => {
  it("runs KRaft brokers with a JMX exporter container each", async () => {
    const { resources, result } = await evaluateProgram(() => {
      const cluster = new KafkaCluster("kafka", { platform: compose, version: "4.1.1" });
      return { bootstrap: valueOf(cluster.bootstrap), metrics: cluster.metrics };
    });
    expect(inventory(resources)).toEqual(
      sortedByName([
        [KAFKA_CLUSTER_TYPE, "kafka"],
        ["docker:index/remoteImage:RemoteImage", "kafka-image"],
        ["docker:index/remoteImage:RemoteImage", "kafka-jmx-exporter-image"],
        ["docker:index/volume:Volume", "kafka-broker-0-data"],
        ["docker:index/container:Container", "kafka-broker-0"],
        ["docker:index/container:Container", "kafka-broker-0-jmx-exporter"],
      ]),
    );
    const broker = byName(resources, "kafka-broker-0");
    const envs = broker.inputs.envs as string[];
    expect(envs).toContain("KAFKA_PROCESS_ROLES=broker,controller");
    expect(envs).toContain("KAFKA_AUTO_CREATE_TOPICS_ENABLE=false");
    expect(envs).toContain("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=1");
    expect(envs).toContain("KAFKA_JMX_PORT=9101");
    expect(envs.find((e) => e.startsWith("CLUSTER_ID="))).toMatch(/^CLUSTER_ID=[\w-]{22}$/);
    expect(envs.some((e) => /ZOOKEEPER/i.test(e))).toBe(false);
    expect(script(broker)).toContain("export KAFKA_CONTROLLER_QUORUM_VOTERS=0@kafka-0:9093");
    expect(script(broker)).toMatch(/exec \/etc\/kafka\/docker\/run$/);

    const exporter = byName(resources, "kafka-broker-0-jmx-exporter");
    expect(exporter.inputs).toMatchObject({
      name: "kafka-0-jmx-exporter",
      command: ["5556", "/opt/stepwise/jmx-exporter.yaml"],
      networksAdvanced: [{ name: "edge-net", aliases: ["kafka-0-jmx-exporter"] }],
    });
    const uploads = exporter.inputs.uploads as Array<{ file: string; content: string }>;
    expect(uploads[0].content).toContain("hostPort: kafka-0:9101");
    expect(exporter.dependencies).toContain(broker.urn);
    expect(await result.bootstrap).toBe("kafka-0:9092");
    expect(result.metrics).toEqual({
      job: "kafka",
      system: "kafka",
      address: "kafka-0-jmx-exporter:5556",
      path: "/metrics",
    });
  });
});

describe("KafkaCluster on K3s", () => {
  it("runs a StatefulSet with a headless Service, PVCs, an exporter sidecar and NodePorts", async () => {
    const { resources, result } = await evaluateProgram(() => {
      const provider = new k8s.Provider("k3s", { kubeconfig: "{}" });
      const cluster = new KafkaCluster("kafka", {
        platform: { ...k3s, resourceOptions: { provider } },
        version: "4.1.1",
        brokers: 3,
        resources: { cpu: 2, memoryMiB: 2048 },
        storageGiB: 50,
      });
      return {
        bootstrap: valueOf(cluster.bootstrap),
        external: valueOf(cluster.externalBootstrap),
        metrics: valueOf(cluster.metrics.address),
      };
    });
    expect(inventory(resources.filter((r) => r.name !== "k3s"))).toEqual(
      sortedByName([
        [KAFKA_CLUSTER_TYPE, "kafka"],
        ["kubernetes:core/v1:Service", "kafka-headless"],
        ["kubernetes:core/v1:ConfigMap", "kafka-jmx-exporter"],
        ["kubernetes:apps/v1:StatefulSet", "kafka-brokers"],
        ["kubernetes:core/v1:Service", "kafka-broker-0-external"],
        ["kubernetes:core/v1:Service", "kafka-broker-1-external"],
        ["kubernetes:core/v1:Service", "kafka-broker-2-external"],
      ]),
    );
    const children = resources.filter((r) => r.parent === byName(resources, "kafka").urn);
    expect(children).toHaveLength(6);
    for (const child of children) expect(child.provider).toMatch(/::k3s::/);

    expect(byName(resources, "kafka-headless").inputs).toMatchObject({
      metadata: { name: "kafka-headless", namespace: "events" },
      spec: { clusterIP: "None", publishNotReadyAddresses: true },
    });
    const sts = byName(resources, "kafka-brokers");
    expect(sts.inputs).toMatchObject({
      metadata: { name: "kafka", namespace: "events" },
      spec: {
        serviceName: "kafka-headless",
        replicas: 3,
        podManagementPolicy: "Parallel",
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "50Gi" } } },
          },
        ],
      },
    });
    const pod = (sts.inputs.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    const containers = pod.containers as Array<Record<string, unknown>>;
    expect(containers.map((c) => [c.name, c.image])).toEqual([
      ["kafka", "apache/kafka:4.1.1"],
      ["jmx-exporter", "bitnami/jmx-exporter:1.1.0"],
    ]);
    expect(containers[0]).toMatchObject({
      volumeMounts: [{ name: "data", mountPath: "/var/lib/kafka/data" }],
      resources: {
        requests: { cpu: "2", memory: "2048Mi" },
        limits: { cpu: "2", memory: "2048Mi" },
      },
    });
    expect((containers[0].env as unknown[])[0]).toEqual({
      name: "POD_NAMESPACE",
      valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } },
    });
    expect(pod.securityContext).toEqual({ fsGroup: 1000 });
    expect(script(sts)).toContain(
      "KAFKA_CONTROLLER_QUORUM_VOTERS=0@kafka-0.kafka-headless.$POD_NAMESPACE.svc.cluster.local:9093," +
        "1@kafka-1.kafka-headless.$POD_NAMESPACE.svc.cluster.local:9093," +
        "2@kafka-2.kafka-headless.$POD_NAMESPACE.svc.cluster.local:9093",
    );
    expect(byName(resources, "kafka-broker-2-external").inputs).toMatchObject({
      spec: {
        type: "NodePort",
        selector: { "statefulset.kubernetes.io/pod-name": "kafka-2" },
        ports: [{ port: 9094, targetPort: 9094, nodePort: 31094 }],
      },
    });

    expect(await result.bootstrap).toBe(
      "kafka-0.kafka-headless.events.svc.cluster.local:9092," +
        "kafka-1.kafka-headless.events.svc.cluster.local:9092," +
        "kafka-2.kafka-headless.events.svc.cluster.local:9092",
    );
    expect(await result.external).toBe("10.0.0.5:31092,10.0.0.5:31093,10.0.0.5:31094");
    expect(await result.metrics).toBe("kafka-0.kafka-headless.events.svc.cluster.local:5556");
  });
});

describe("RedpandaCluster on K3s", () => {
  it("runs a StatefulSet without a sidecar, metrics from the admin port", async () => {
    const { resources, result } = await evaluateProgram(() => {
      const cluster = new RedpandaCluster("redpanda", { platform: k3s, version: "v24.2.7" });
      return { metrics: valueOf(cluster.metrics.address), path: cluster.metrics.path };
    });
    expect(inventory(resources)).toEqual(
      sortedByName([
        [REDPANDA_CLUSTER_TYPE, "redpanda"],
        ["kubernetes:core/v1:Service", "redpanda-headless"],
        ["kubernetes:apps/v1:StatefulSet", "redpanda-brokers"],
        ["kubernetes:core/v1:Service", "redpanda-broker-0-external"],
      ]),
    );
    const sts = byName(resources, "redpanda-brokers");
    const pod = (sts.inputs.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    expect((pod.containers as unknown[]).length).toBe(1);
    expect(pod.volumes).toEqual([]);
    expect(script(sts)).toContain(
      "--seeds redpanda-0.redpanda-headless.$POD_NAMESPACE.svc.cluster.local:33145",
    );
    expect(await result.metrics).toBe("redpanda-0.redpanda-headless.events.svc.cluster.local:9644");
    expect(result.path).toBe("/public_metrics");
  });
});

describe("cluster arguments", () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ["a floating tag", { version: "latest" }, /version = "latest": pin an exact image tag/],
    ["no version number", { version: "stable-alpine" }, /version = "stable-alpine"/],
    ["an empty version", { version: "" }, /version = ""/],
    [
      "a tag in the image",
      { image: "apache/kafka:4.1.1" },
      /image = "apache\/kafka:4.1.1": give the repository only/,
    ],
    ["no brokers", { brokers: 0 }, /brokers = 0: give a whole number from 1 to 9/],
    ["too many brokers", { brokers: 10 }, /brokers = 10/],
    [
      "a reserved port",
      { listeners: { internal: 9093 } },
      /listeners.internal = 9093: the brokers use that port/,
    ],
    [
      "a port out of range",
      { listeners: { external: 80 } },
      /listeners.external = 80: give a whole number from 1024/,
    ],
    ["too little memory", { resources: { memoryMiB: 64 } }, /resources.memoryMiB = 64/],
    ["zero cpu", { resources: { cpu: 0 } }, /resources.cpu = 0/],
  ])("refuses %s, registering nothing", async (_, override, message) => {
    const { resources } = await evaluateProgram(() => {
      expect(
        () => new KafkaCluster("kafka", { platform: compose, version: "4.1.1", ...override }),
      ).toThrow(message);
    });
    expect(resources).toEqual([]);
  });

  it("keeps K3s external ports inside the NodePort range for every broker", async () => {
    await evaluateProgram(() => {
      expect(
        () =>
          new RedpandaCluster("redpanda", {
            platform: k3s,
            version: "v24.2.7",
            brokers: 3,
            listeners: { external: 32766 },
          }),
      ).toThrow(/listeners.external = 32766: give a whole number from 30000 to 32765/);
    });
  });

  it("refuses an unpinned exporter image", async () => {
    await evaluateProgram(() => {
      expect(
        () =>
          new KafkaCluster("kafka", {
            platform: compose,
            version: "4.1.1",
            jmxExporterImage: "bitnami/jmx-exporter",
          }),
      ).toThrow(
        /kafka cluster "kafka".jmxExporterImage = "bitnami\/jmx-exporter": give the image with a pinned version tag/,
      );
    });
  });
});
