import type { PlatformRef } from "../platform/platform-ref";
import { isPinnedImage, isPinnedTag } from "../spec/pinned-image";

/** Where clients connect. Broker `i` publishes its external listener on `external + i`. */
export interface BrokerListeners {
  /** Client port on the platform's own network. @default 9092 */
  readonly internal?: number;
  /**
   * First port published for clients on other platforms (a host port on Compose, a NodePort on
   * K3s); broker `i` gets `external + i`.
   * @default 19092 on Compose, 31092 on K3s
   */
  readonly external?: number;
}

export interface BrokerResources {
  /** CPU cores per broker. @default no limit on Compose; 1 core requested on K3s */
  readonly cpu?: number;
  /** Memory per broker in MiB. @default 1024 */
  readonly memoryMiB?: number;
}

/** Arguments shared by RedpandaCluster and KafkaCluster. */
export interface BrokerClusterArgs {
  /** The platform the brokers run on (ComposePlatform.ref or K3sPlatform.ref). */
  readonly platform: PlatformRef;
  /** Image tag, pinned (e.g. "v24.2.7" for Redpanda, "4.1.1" for Kafka); never "latest". */
  readonly version: string;
  /** Image repository. @default "redpandadata/redpanda" or "apache/kafka" */
  readonly image?: string;
  /** Number of brokers. @default 1 */
  readonly brokers?: number;
  /** @default { internal: 9092, external: 19092 (Compose) / 31092 (K3s) } */
  readonly listeners?: BrokerListeners;
  /** @default { memoryMiB: 1024 } */
  readonly resources?: BrokerResources;
  /** Size of each broker's data volume on K3s (Compose volumes are not sized). @default 10 */
  readonly storageGiB?: number;
}

/** Args with every default applied and every value checked. */
export interface ResolvedBrokerCluster {
  readonly name: string;
  readonly platform: PlatformRef;
  readonly image: string;
  readonly brokers: number;
  readonly internalPort: number;
  readonly externalBasePort: number;
  readonly cpu: number | undefined;
  readonly memoryMiB: number;
  readonly storageGiB: number;
}

/** Ports each broker uses inside its container; fixed, so that scripts and probes agree. */
export const CONTAINER_PORTS = {
  /** External listener inside the container; the published / node port maps to it. */
  external: 9094,
  /** Kafka KRaft controller listener. */
  controller: 9093,
  /** Redpanda internal RPC. */
  rpc: 33145,
  /** Redpanda admin API, which serves /public_metrics. */
  redpandaAdmin: 9644,
  /** Kafka JMX, read by the exporter sidecar. */
  jmx: 9101,
  /** The JMX exporter's Prometheus endpoint. */
  jmxExporter: 5556,
} as const;

const MAX_BROKERS = 9;
const NODE_PORTS = { min: 30000, max: 32767 };

export function validateVersion(version: unknown, where: string): string {
  if (!isPinnedTag(version)) {
    throw new Error(
      `${where}.version = ${JSON.stringify(version)}: pin an exact image tag with a version ` +
        `number (e.g. "v24.2.7" or "4.1.1"); floating tags such as "latest" change brokers ` +
        `under a running stack`,
    );
  }
  return version;
}

/** A full image reference (`repository:tag`) whose tag is pinned, e.g. a sidecar's image. */
export function validatePinnedImage(image: unknown, field: string, where: string): string {
  if (!isPinnedImage(image)) {
    throw new Error(
      `${where}.${field} = ${JSON.stringify(image)}: give the image with a pinned version tag, ` +
        `e.g. "bitnami/jmx-exporter:1.1.0"`,
    );
  }
  return image;
}

function wholeNumber(
  value: unknown,
  field: string,
  where: string,
  min: number,
  max: number,
): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(
      `${where}.${field} = ${JSON.stringify(value)}: give a whole number from ${min} to ${max}`,
    );
  }
  return value;
}

export function resolveBrokerCluster(
  name: string,
  args: BrokerClusterArgs,
  defaultImage: string,
): ResolvedBrokerCluster {
  const where = `${defaultImage.split("/").pop() ?? "broker"} cluster "${name}"`;
  const version = validateVersion(args.version, where);
  const image = args.image ?? defaultImage;
  const lastSegment = image.split("/").pop() ?? "";
  if (!/^[a-z0-9][a-z0-9._/:-]*$/.test(image) || lastSegment.includes(":")) {
    throw new Error(
      `${where}.image = ${JSON.stringify(image)}: give the repository only (e.g. "apache/kafka"); ` +
        `the tag goes in version`,
    );
  }
  const brokers = wholeNumber(args.brokers ?? 1, "brokers", where, 1, MAX_BROKERS);
  const k3s = args.platform.kind === "k3s";
  const internalPort = wholeNumber(
    args.listeners?.internal ?? 9092,
    "listeners.internal",
    where,
    1,
    65535,
  );
  const reserved = Object.values(CONTAINER_PORTS) as number[];
  if (reserved.includes(internalPort)) {
    throw new Error(
      `${where}.listeners.internal = ${internalPort}: the brokers use that port themselves ` +
        `(${reserved.join(", ")}); choose another, e.g. 9092`,
    );
  }
  const externalBasePort = k3s
    ? wholeNumber(
        args.listeners?.external ?? 31092,
        "listeners.external",
        where,
        NODE_PORTS.min,
        NODE_PORTS.max - brokers + 1,
      )
    : wholeNumber(
        args.listeners?.external ?? 19092,
        "listeners.external",
        where,
        1024,
        65535 - brokers + 1,
      );
  const cpu = args.resources?.cpu;
  if (cpu !== undefined && (typeof cpu !== "number" || !(cpu > 0) || cpu > 64)) {
    throw new Error(`${where}.resources.cpu = ${JSON.stringify(cpu)}: give cores from 0.1 to 64`);
  }
  return {
    name,
    platform: args.platform,
    image: `${image}:${version}`,
    brokers,
    internalPort,
    externalBasePort,
    cpu,
    memoryMiB: wholeNumber(
      args.resources?.memoryMiB ?? 1024,
      "resources.memoryMiB",
      where,
      256,
      262144,
    ),
    storageGiB: wholeNumber(args.storageGiB ?? 10, "storageGiB", where, 1, 65536),
  };
}

/** 0 … brokers-1. */
export function brokerIndexesFor(cluster: { readonly brokers: number }): number[] {
  return Array.from({ length: cluster.brokers }, (_, i) => i);
}
