import { createHash } from "node:crypto";
import {
  CONTAINER_PORTS,
  brokerIndexesFor,
  type ResolvedBrokerCluster,
} from "./broker-cluster-args";
import type { BrokerNetwork } from "./broker-network";

/** What differs between Redpanda and Kafka; the platform renderers handle the rest. */
export interface BrokerEngine {
  /** "redpanda" or "kafka": the Prometheus job prefix and the monitoring system name. */
  readonly system: "redpanda" | "kafka";
  readonly defaultImage: string;
  /** Where the data volume is mounted. */
  readonly dataPath: string;
  /** The image's unprivileged user, which must own the data volume (K3s fsGroup). */
  readonly runAsUser: number;
  /** Ports the broker container listens on (internal first). */
  containerPorts(cluster: ResolvedBrokerCluster): Array<{ name: string; port: number }>;
  /** Environment that is the same for every broker. */
  env(cluster: ResolvedBrokerCluster): Record<string, string>;
  /** Shell script (run by /bin/sh -c) that configures and starts one broker. */
  startScript(cluster: ResolvedBrokerCluster, network: BrokerNetwork): string;
  /** Port and path of the Prometheus endpoint, on the broker or on its exporter sidecar. */
  readonly metrics: { readonly port: number; readonly path: string; readonly sidecar: boolean };
}

export const redpandaEngine: BrokerEngine = {
  system: "redpanda",
  defaultImage: "redpandadata/redpanda",
  dataPath: "/var/lib/redpanda/data",
  runAsUser: 101,
  containerPorts: (cluster) => [
    { name: "internal", port: cluster.internalPort },
    { name: "external", port: CONTAINER_PORTS.external },
    { name: "rpc", port: CONTAINER_PORTS.rpc },
    { name: "admin", port: CONTAINER_PORTS.redpandaAdmin },
  ],
  env: () => ({}),
  startScript: (cluster, network) =>
    [
      network.prelude,
      [
        "exec rpk redpanda start",
        "--overprovisioned",
        `--smp ${Math.max(1, Math.floor(cluster.cpu ?? 1))}`,
        // Seastar takes the memory it is given up front; leave the rest to the OS.
        `--memory ${Math.floor(cluster.memoryMiB * 0.8)}M`,
        "--reserve-memory 0M",
        `--kafka-addr internal://0.0.0.0:${cluster.internalPort},external://0.0.0.0:${CONTAINER_PORTS.external}`,
        `--advertise-kafka-addr internal://$HOST:${cluster.internalPort},external://$EXTERNAL_ADDR`,
        `--rpc-addr 0.0.0.0:${CONTAINER_PORTS.rpc}`,
        `--advertise-rpc-addr $HOST:${CONTAINER_PORTS.rpc}`,
        `--seeds ${brokerIndexesFor(cluster)
          .map((i) => `${network.hostOf(i)}:${CONTAINER_PORTS.rpc}`)
          .join(",")}`,
      ].join(" \\\n  "),
    ].join("\n"),
  // The image's default config already binds the admin API (and /public_metrics) on 0.0.0.0:9644.
  metrics: { port: CONTAINER_PORTS.redpandaAdmin, path: "/public_metrics", sidecar: false },
};

export const kafkaEngine: BrokerEngine = {
  system: "kafka",
  defaultImage: "apache/kafka",
  dataPath: "/var/lib/kafka/data",
  runAsUser: 1000,
  containerPorts: (cluster) => [
    { name: "internal", port: cluster.internalPort },
    { name: "external", port: CONTAINER_PORTS.external },
    { name: "controller", port: CONTAINER_PORTS.controller },
    { name: "jmx", port: CONTAINER_PORTS.jmx },
  ],
  env: (cluster) => {
    const replicas = String(Math.min(3, cluster.brokers));
    return {
      // KRaft, broker and controller in one process: ZooKeeper is gone since Kafka 4.0.
      KAFKA_PROCESS_ROLES: "broker,controller",
      CLUSTER_ID: kraftClusterId(cluster.name),
      KAFKA_LISTENERS: `INTERNAL://:${cluster.internalPort},EXTERNAL://:${CONTAINER_PORTS.external},CONTROLLER://:${CONTAINER_PORTS.controller}`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP:
        "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT",
      KAFKA_INTER_BROKER_LISTENER_NAME: "INTERNAL",
      KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
      KAFKA_LOG_DIRS: "/var/lib/kafka/data",
      // Topics are declared (Topic / TopicSet), as on Redpanda, whose default this is.
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: "false",
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: replicas,
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: replicas,
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: String(Math.min(2, cluster.brokers)),
      KAFKA_HEAP_OPTS: `-Xmx${Math.floor(cluster.memoryMiB / 2)}m -Xms${Math.floor(cluster.memoryMiB / 2)}m`,
      KAFKA_JMX_PORT: String(CONTAINER_PORTS.jmx),
    };
  },
  startScript: (cluster, network) =>
    [
      network.prelude,
      "export KAFKA_NODE_ID=$ORDINAL",
      `export KAFKA_ADVERTISED_LISTENERS=INTERNAL://$HOST:${cluster.internalPort},EXTERNAL://$EXTERNAL_ADDR`,
      `export KAFKA_CONTROLLER_QUORUM_VOTERS=${brokerIndexesFor(cluster)
        .map((i) => `${i}@${network.hostOf(i)}:${CONTAINER_PORTS.controller}`)
        .join(",")}`,
      "export KAFKA_JMX_HOSTNAME=$HOST",
      // The image's own start: writes server.properties from KAFKA_*, formats storage once.
      "exec /etc/kafka/docker/run",
    ].join("\n"),
  metrics: { port: CONTAINER_PORTS.jmxExporter, path: "/metrics", sidecar: true },
};

/**
 * A KRaft cluster id (16 bytes, base64url, 22 characters) derived from the cluster name, so
 * every broker and every later `pulumi up` agree on it without storing a random value.
 */
export function kraftClusterId(name: string): string {
  return createHash("sha256")
    .update(`stepwise:${name}`)
    .digest()
    .subarray(0, 16)
    .toString("base64url");
}

/** Image of the Prometheus JMX exporter that runs beside each Kafka broker. */
export const DEFAULT_JMX_EXPORTER_IMAGE = "bitnami/jmx-exporter:1.1.0";

/** The exporter's config: read the broker's JMX, expose every MBean as Prometheus metrics. */
export function jmxExporterConfig(jmxHost: string): string {
  return [
    `hostPort: ${jmxHost}:${CONTAINER_PORTS.jmx}`,
    "lowercaseOutputName: true",
    "rules:",
    '  - pattern: "kafka.server<type=(.+), name=(.+)><>Value"',
    '    name: "kafka_server_$1_$2"',
    '  - pattern: ".*"',
    "",
  ].join("\n");
}

/** Arguments of the bitnami exporter image: port and config file. */
export const JMX_EXPORTER_CONFIG_PATH = "/opt/stepwise/jmx-exporter.yaml";
export function jmxExporterArgs(): string[] {
  return [String(CONTAINER_PORTS.jmxExporter), JMX_EXPORTER_CONFIG_PATH];
}
