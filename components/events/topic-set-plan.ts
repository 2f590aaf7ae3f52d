import {
  normalizeTopicConfigs,
  validateCount,
  validateTopicName,
  type TopicConfigValue,
} from "./topic-spec";

/** One topic of a set: declared once, provisioned the same on every cluster. */
export interface TopicDeclaration {
  readonly name: string;
  /** The same on every cluster: a key's partition (murmur2 of the key) depends on it. */
  readonly partitions: number;
  /** @default {} (broker defaults) */
  readonly configs?: Readonly<Record<string, TopicConfigValue>>;
}

/** A cluster the set is provisioned on. */
export interface TopicSetClusterPlan {
  /** Short name used in resource names, e.g. "redpanda" or "kafka". */
  readonly name: string;
  /** Copies of each partition on this cluster (at most its broker count). */
  readonly replicationFactor: number;
}

/** One Topic resource to create. */
export interface PlannedTopic {
  readonly resourceName: string;
  readonly cluster: string;
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly configs: Readonly<Record<string, string>>;
}

/** The resource name of one topic of a set on one cluster: `<set>-<cluster>-<topic>`. */
export function topicResourceName(setName: string, cluster: string, topic: string): string {
  return `${setName}-${cluster}-${topic}`;
}

/** Whether a Topic resource of any set is the copy of `topic` on `cluster`, by its name. */
export function isTopicResourceOn(resourceName: string, cluster: string, topic: string): boolean {
  return resourceName.endsWith(topicResourceName("", cluster, topic));
}

const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

/**
 * Every (cluster, topic) pair of a set, validated once. Partition counts and configs come from
 * the one declaration, so they cannot drift apart between the clusters.
 */
export function planTopicSet(
  setName: string,
  topics: readonly TopicDeclaration[],
  clusters: readonly TopicSetClusterPlan[],
): PlannedTopic[] {
  const where = `topic set "${setName}"`;
  if (topics.length === 0) throw new Error(`${where}.topics = []: declare at least one topic`);
  if (clusters.length === 0) {
    throw new Error(
      `${where}.clusters = []: give the clusters to provision on, e.g. redpanda and kafka`,
    );
  }
  const seenClusters = new Set<string>();
  clusters.forEach((cluster, i) => {
    if (!CLUSTER_NAME.test(cluster.name) || seenClusters.has(cluster.name)) {
      throw new Error(
        `${where}.clusters[${i}].name = ${JSON.stringify(cluster.name)}: give each cluster a ` +
          `distinct short name of lower-case letters, digits and "-"`,
      );
    }
    seenClusters.add(cluster.name);
    validateCount(cluster.replicationFactor, "replicationFactor", `${where}.clusters[${i}]`);
  });
  const seenTopics = new Set<string>();
  const declared = topics.map((topic, i) => {
    const at = `${where}.topics[${i}]`;
    const name = validateTopicName(topic.name, at);
    if (seenTopics.has(name)) {
      throw new Error(`${at}.name = "${name}": declared twice; keep one declaration per topic`);
    }
    seenTopics.add(name);
    return {
      name,
      partitions: validateCount(topic.partitions, "partitions", at),
      configs: normalizeTopicConfigs(topic.configs, at),
    };
  });
  return clusters.flatMap((cluster) =>
    declared.map((topic) => ({
      resourceName: topicResourceName(setName, cluster.name, topic.name),
      cluster: cluster.name,
      topic: topic.name,
      partitions: topic.partitions,
      replicationFactor: cluster.replicationFactor,
      configs: topic.configs,
    })),
  );
}
