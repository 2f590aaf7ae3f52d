/**
 * What the real targets hold, read straight from them: objects in the Kubernetes API server (the
 * routers' Traefik objects included), topics and records on the two Kafka clusters. The walk
 * asserts on these after every step.
 */
import { readFileSync } from "node:fs";
import { ConfigResourceTypes, Kafka, logLevel } from "kafkajs";
import { MESSAGE_ID_HEADER } from "../../../tools/events/message-id";
import { PartitionReader } from "../../../tools/events/partition-reader";
import { kubeGet, type KubeAccess } from "../../services/kube-api";
import { services } from "./real-lane";

/** The event clusters by the name the stack gives them; `legacy` stands in for Redpanda. */
export const CLUSTERS = { redpanda: "legacy", kafka: "target" } as const;
export type EventSystem = keyof typeof CLUSTERS;

export function kube(): KubeAccess {
  const kubernetes = services().kubernetes;
  if (!kubernetes) throw new Error("the test services run no Kubernetes control plane");
  return {
    server: kubernetes.server,
    ca: readFileSync(kubernetes.caFile, "utf8"),
    token: kubernetes.token,
  };
}

interface KubeObject {
  metadata: {
    name: string;
    resourceVersion: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  data?: Record<string, string>;
  spec?: Record<string, unknown>;
}

const COLLECTIONS = {
  deployments: "/apis/apps/v1/namespaces/NS/deployments",
  services: "/api/v1/namespaces/NS/services",
  configmaps: "/api/v1/namespaces/NS/configmaps",
  secrets: "/api/v1/namespaces/NS/secrets",
  persistentvolumeclaims: "/api/v1/namespaces/NS/persistentvolumeclaims",
  // The K3s router's objects (Traefik's CRDs): the routes' weights as Traefik would read them.
  traefikservices: "/apis/traefik.io/v1alpha1/namespaces/NS/traefikservices",
  ingressroutes: "/apis/traefik.io/v1alpha1/namespaces/NS/ingressroutes",
} as const;
export type Collection = keyof typeof COLLECTIONS;

/** Every object of a kind in the stack's namespace, by name. */
export async function objects(
  kind: Collection,
  namespace: string,
): Promise<Record<string, KubeObject>> {
  const list = await kubeGet<{ items: KubeObject[] }>(
    kube(),
    COLLECTIONS[kind].replace("NS", namespace),
  );
  return Object.fromEntries((list?.items ?? []).map((item) => [item.metadata.name, item]));
}

/** Kind/name → resourceVersion of everything stepwise made: equal snapshots mean nothing changed. */
export async function snapshot(namespace: string): Promise<Record<string, string>> {
  const entries: [string, string][] = [];
  for (const kind of Object.keys(COLLECTIONS) as Collection[]) {
    for (const [name, object] of Object.entries(await objects(kind, namespace))) {
      entries.push([`${kind}/${name}`, object.metadata.resourceVersion]);
    }
  }
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}

/** The env a service's ConfigMap gives it. */
export async function serviceEnv(
  service: string,
  namespace: string,
): Promise<Record<string, string>> {
  const configMaps = await objects("configmaps", namespace);
  const found = configMaps[`${service}-config`];
  if (!found) throw new Error(`no ConfigMap ${service}-config in ${namespace}`);
  return found.data ?? {};
}

/** ConfigSource.TOPIC_CONFIG in a DescribeConfigs response: set on the topic itself. */
const TOPIC_OVERRIDE = 1;

export function kafka(system: EventSystem): Kafka {
  return new Kafka({
    clientId: "stepwise-real-lane",
    brokers: [services().kafka[CLUSTERS[system]].bootstrap],
    logLevel: logLevel.NOTHING,
  });
}

/** Topic name → partitions and the overridden configs, for the topics the stack declares. */
export async function topicsOn(
  system: EventSystem,
  names: readonly string[],
): Promise<Record<string, { partitions: number; configs: Record<string, string> }>> {
  const admin = kafka(system).admin();
  await admin.connect();
  try {
    const existing = (await admin.listTopics()).filter((t) => names.includes(t));
    if (existing.length === 0) return {};
    const metadata = await admin.fetchTopicMetadata({ topics: existing });
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: existing.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    });
    return Object.fromEntries(
      existing.sort().map((name) => {
        const partitions = metadata.topics.find((t) => t.name === name)?.partitions.length ?? 0;
        const entries = described.resources.find((r) => r.resourceName === name)?.configEntries;
        const configs = Object.fromEntries(
          (entries ?? [])
            .filter((entry) => !entry.isDefault && Number(entry.configSource) === TOPIC_OVERRIDE)
            .map((entry) => [entry.configName, entry.configValue]),
        );
        return [name, { partitions, configs }];
      }),
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * Publishes one record per id to a topic on a cluster, keyed by the id and carrying it as its
 * message id, as the dual publisher does (offset translation and verification match on it).
 */
export async function publish(
  system: EventSystem,
  topic: string,
  ids: readonly string[],
): Promise<void> {
  const producer = kafka(system).producer();
  await producer.connect();
  try {
    const messages = ids.map((id) => ({
      key: id,
      value: id,
      headers: { [MESSAGE_ID_HEADER]: id },
    }));
    await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}

/** Every record of a topic on a cluster (its value: the lane publishes ids), in log order. */
export async function recordsOn(system: EventSystem, topic: string): Promise<string[]> {
  const admin = kafka(system).admin();
  await admin.connect();
  let ends: { partition: number; high: string; low: string }[];
  try {
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const records: string[] = [];
  const reader = new PartitionReader(kafka(system));
  try {
    for (const end of ends) {
      const range = reader.range(topic, end.partition, BigInt(end.low), BigInt(end.high));
      for await (const batch of range) {
        for (const message of batch) records.push(message.value?.toString() ?? "");
      }
    }
  } finally {
    await reader.close();
  }
  return records;
}

/** Which of `ids` a consumer of the topic on this cluster can read, from its beginning. */
export async function readable(
  system: EventSystem,
  topic: string,
  ids: readonly string[],
): Promise<string[]> {
  const found = new Set(await recordsOn(system, topic));
  return ids.filter((id) => found.has(id));
}

/**
 * A consumer group of the topic on this cluster that reads `count` records and commits where it
 * got to, then stops: the positions a rollback translates back.
 */
export async function consumeAndCommit(
  system: EventSystem,
  group: string,
  topic: string,
  count: number,
): Promise<void> {
  const consumer = kafka(system).consumer({ groupId: group, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let read = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${group} read ${read} of ${count}`)),
        30_000,
      );
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          if (read >= count) return;
          read++;
          const offset = (BigInt(message.offset) + 1n).toString();
          await consumer.commitOffsets([{ topic, partition, offset }]);
          if (read === count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}
