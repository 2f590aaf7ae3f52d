import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { resolveBrokerCluster } from "../../../components/events/broker-cluster-args";
import {
  jmxExporterConfig,
  kafkaEngine,
  kraftClusterId,
  redpandaEngine,
} from "../../../components/events/broker-engines";
import { composeBrokerNetwork, k3sBrokerNetwork } from "../../../components/events/broker-network";
import type { ComposePlatformRef, K3sPlatformRef } from "../../../components/platform/platform-ref";

const compose: ComposePlatformRef = {
  kind: "compose",
  name: "edge",
  networkName: "edge",
  hostAddress: "docker-host",
  resourceOptions: {},
};
const k3s: K3sPlatformRef = {
  kind: "k3s",
  name: "k3s",
  namespace: "events",
  externalAddress: "10.0.0.5",
  resourceOptions: {},
};

/**
 * Runs a start script in a real POSIX shell with its final `exec` swapped for an echo of what
 * the broker would have been started with: the shell arithmetic and expansion are what is tested.
 */
function runScript(script: string, env: Record<string, string>, show: string): string {
  const dry = script.replace(/^exec [\s\S]*$/m, `echo "${show}"`);
  return execFileSync("/bin/sh", ["-c", dry], { env: { PATH: "/usr/bin:/bin", ...env } })
    .toString()
    .trim();
}

describe("Kafka start script", () => {
  const cluster = resolveBrokerCluster(
    "kafka",
    { platform: k3s, version: "4.1.1", brokers: 3 },
    "apache/kafka",
  );

  it("on K3s, gives each pod its node id, advertised names and NodePort from its hostname", () => {
    const script = kafkaEngine.startScript(cluster, k3sBrokerNetwork(cluster, "10.0.0.5"));
    const show = "$KAFKA_NODE_ID|$KAFKA_ADVERTISED_LISTENERS|$KAFKA_CONTROLLER_QUORUM_VOTERS";
    expect(runScript(script, { HOSTNAME: "kafka-2", POD_NAMESPACE: "events" }, show)).toBe(
      "2|INTERNAL://kafka-2.kafka-headless.events.svc.cluster.local:9092,EXTERNAL://10.0.0.5:31094|" +
        "0@kafka-0.kafka-headless.events.svc.cluster.local:9093," +
        "1@kafka-1.kafka-headless.events.svc.cluster.local:9093," +
        "2@kafka-2.kafka-headless.events.svc.cluster.local:9093",
    );
  });

  it("on Compose, uses the container name and the published port", () => {
    const onCompose = resolveBrokerCluster(
      "kafka",
      { platform: compose, version: "4.1.1", brokers: 2 },
      "apache/kafka",
    );
    const script = kafkaEngine.startScript(
      onCompose,
      composeBrokerNetwork(onCompose, "docker-host", 1),
    );
    expect(
      runScript(script, {}, "$KAFKA_NODE_ID|$KAFKA_ADVERTISED_LISTENERS|$KAFKA_JMX_HOSTNAME"),
    ).toBe("1|INTERNAL://kafka-1:9092,EXTERNAL://docker-host:19093|kafka-1");
  });
});

describe("Redpanda start script", () => {
  it("on K3s, advertises the pod's own names", () => {
    const cluster = resolveBrokerCluster(
      "redpanda",
      { platform: k3s, version: "v24.2.7", brokers: 3 },
      "redpandadata/redpanda",
    );
    const script = redpandaEngine.startScript(cluster, k3sBrokerNetwork(cluster, "10.0.0.5"));
    expect(
      runScript(script, { HOSTNAME: "redpanda-1", POD_NAMESPACE: "prod" }, "$HOST|$EXTERNAL_ADDR"),
    ).toBe("redpanda-1.redpanda-headless.prod.svc.cluster.local|10.0.0.5:31093");
    // The shell would expand them: the start line names variables, not values.
    expect(script).toContain("--advertise-rpc-addr $HOST:33145");
  });
});

describe("kraftClusterId", () => {
  it("is a stable 22-character base64url id, different per cluster", () => {
    expect(kraftClusterId("kafka")).toBe(kraftClusterId("kafka"));
    expect(kraftClusterId("kafka")).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(kraftClusterId("kafka")).not.toBe(kraftClusterId("kafka-dr"));
  });
});

describe("jmxExporterConfig", () => {
  it("points the exporter at the broker's JMX port", () => {
    expect(jmxExporterConfig("kafka-0")).toMatch(/^hostPort: kafka-0:9101\n/);
  });
});
