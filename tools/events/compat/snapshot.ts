/** What the compatibility check reads from one cluster: broker settings, API versions, topics. */
import { ConfigResourceTypes, type Admin, type Kafka } from "kafkajs";
import { createCluster } from "../raw-cluster";

export interface ApiVersionRange {
  readonly minVersion: number;
  readonly maxVersion: number;
}

export interface TopicSnapshot {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Effective values of the topic settings that matter for a migration. */
  readonly configs: Readonly<Record<string, string>>;
}

export interface ClusterSnapshot {
  readonly name: string;
  /** Effective broker settings (the first broker's; a test cluster has one). */
  readonly broker: Readonly<Record<string, string>>;
  /** API key → supported version range (from the ApiVersions handshake). */
  readonly apiVersions: Readonly<Record<string, ApiVersionRange>>;
  /** Topics asked about; absent ones are listed in `missingTopics`. */
  readonly topics: readonly TopicSnapshot[];
  readonly missingTopics: readonly string[];
}

export const TOPIC_CONFIGS = [
  "cleanup.policy",
  "retention.ms",
  "retention.bytes",
  "max.message.bytes",
  "message.timestamp.type",
  "min.insync.replicas",
  "compression.type",
] as const;

export const BROKER_CONFIGS = [
  "auto.create.topics.enable",
  "num.partitions",
  "default.replication.factor",
  "message.max.bytes",
  "group.min.session.timeout.ms",
  "group.max.session.timeout.ms",
] as const;

export async function collectSnapshot(
  name: string,
  kafka: Kafka,
  topics: readonly string[],
): Promise<ClusterSnapshot> {
  const admin = kafka.admin();
  const cluster = createCluster(kafka);
  try {
    await admin.connect();
    await cluster.connect();
    const apiVersions = { ...(cluster.brokerPool.versions ?? {}) };
    const described = await admin.describeCluster();
    const brokerId = String(described.brokers[0]?.nodeId ?? 0);
    const broker = await configsOf(admin, ConfigResourceTypes.BROKER, brokerId, BROKER_CONFIGS);
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    const metadata =
      present.length > 0 ? await admin.fetchTopicMetadata({ topics: present }) : { topics: [] };
    const snapshots: TopicSnapshot[] = [];
    for (const topic of metadata.topics) {
      snapshots.push({
        name: topic.name,
        partitions: topic.partitions.length,
        replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
        configs: await configsOf(admin, ConfigResourceTypes.TOPIC, topic.name, TOPIC_CONFIGS),
      });
    }
    return {
      name,
      broker,
      apiVersions,
      topics: snapshots,
      missingTopics: topics.filter((t) => !existing.has(t)),
    };
  } finally {
    await Promise.allSettled([admin.disconnect(), cluster.disconnect()]);
  }
}

async function configsOf(
  admin: Admin,
  type: ConfigResourceTypes,
  name: string,
  keys: readonly string[],
): Promise<Record<string, string>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type, name, configNames: [...keys] }],
  });
  const values: Record<string, string> = {};
  for (const entry of resources[0]?.configEntries ?? [])
    values[entry.configName] = entry.configValue;
  return values;
}
