import * as pulumi from "@pulumi/pulumi";
import { Topic } from "./Topic";
import { planTopicSet, type TopicDeclaration } from "./topic-set-plan";

export const TOPIC_SET_TYPE = "stepwise:events:TopicSet";

export interface TopicSetClusterArgs {
  /** Short name used in resource names, e.g. "redpanda" or "kafka". */
  readonly name: string;
  /** The cluster's client listeners (a cluster component's `bootstrap` or `externalBootstrap`). */
  readonly bootstrap: pulumi.Input<string>;
  /** Copies of each partition on this cluster. @default 1 */
  readonly replicationFactor?: number;
  /**
   * The component running the cluster (a KafkaCluster, say); its topics are made only once it
   * exists. @default none (the cluster is already there)
   */
  readonly runBy?: pulumi.Resource;
  /**
   * The cluster is not the stack's own (another team's, a managed service): a topic that exists
   * already with the declared partitions and replication is taken over instead of refused, and
   * a topic the stack stops declaring is forgotten, never deleted with its records.
   * @default false
   */
  readonly external?: boolean;
}

export interface TopicSetArgs {
  /** The topics, declared once; plain values, so that the set is checked before anything runs. */
  readonly topics: readonly TopicDeclaration[];
  /** Every cluster gets every topic with the same partitions and configs. */
  readonly clusters: readonly TopicSetClusterArgs[];
  /** Passed to every Topic. @default false (topics that hold records are never deleted) */
  readonly allowDeleteWithData?: boolean;
}

/**
 * One set of topics provisioned identically on several clusters (Redpanda and Kafka during the
 * events migration): same names, partition counts and configs, so that a key lands in the same
 * partition on both and consumer offsets can be mapped partition by partition.
 */
export class TopicSet extends pulumi.ComponentResource {
  /** Topic resources by cluster name, then topic name. */
  public readonly topics: Readonly<Record<string, Readonly<Record<string, Topic>>>>;
  /** The partition count of each topic, the same on every cluster. */
  public readonly partitionCounts: Readonly<Record<string, number>>;

  constructor(name: string, args: TopicSetArgs, opts?: pulumi.ComponentResourceOptions) {
    const planned = planTopicSet(
      name,
      args.topics,
      args.clusters.map((c) => ({ name: c.name, replicationFactor: c.replicationFactor ?? 1 })),
    );
    super(TOPIC_SET_TYPE, name, {}, opts);
    const clusterOf = new Map(args.clusters.map((c) => [c.name, c]));
    const topics: Record<string, Record<string, Topic>> = {};
    for (const p of planned) {
      const cluster = clusterOf.get(p.cluster)!;
      const external = cluster.external ?? false;
      (topics[p.cluster] ??= {})[p.topic] = new Topic(
        p.resourceName,
        {
          bootstrap: cluster.bootstrap,
          topicName: p.topic,
          partitions: p.partitions,
          replicationFactor: p.replicationFactor,
          configs: p.configs,
          allowDeleteWithData: args.allowDeleteWithData ?? false,
          ...(external ? { adoptExisting: true } : {}),
        },
        {
          parent: this,
          ...(cluster.runBy ? { dependsOn: [cluster.runBy] } : {}),
          ...(external ? { retainOnDelete: true } : {}),
        },
      );
    }
    this.topics = topics;
    this.partitionCounts = Object.fromEntries(planned.map((p) => [p.topic, p.partitions]));
    this.registerOutputs({ partitionCounts: this.partitionCounts });
  }
}
