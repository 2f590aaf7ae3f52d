import * as pulumi from "@pulumi/pulumi";
import { topicProvider } from "./topic-provider";
import { DEFAULT_CONNECTION_TIMEOUT_MS } from "./topic-spec";
import { TOPIC_MODULE, TOPIC_TYPE_NAME } from "../type-tokens";

export interface TopicArgs {
  /** Client listeners of the cluster, `host:port` joined by commas (a cluster's `bootstrap`). */
  readonly bootstrap: pulumi.Input<string>;
  /** Name of the topic in Kafka. @default the resource name */
  readonly topicName?: pulumi.Input<string>;
  /** Can grow in place; a decrease is refused (keyed ordering depends on the count). */
  readonly partitions: pulumi.Input<number>;
  /** Copies of each partition; changing it later is refused (it needs a reassignment). */
  readonly replicationFactor: pulumi.Input<number>;
  /**
   * Topic-level overrides, e.g. `{ "retention.ms": 604800000, "cleanup.policy": "compact" }`.
   * Changed in place; a key removed here goes back to the broker default.
   * @default {} (broker defaults for everything)
   */
  readonly configs?: pulumi.Input<Record<string, pulumi.Input<string | number | boolean>>>;
  /**
   * Delete the topic even when it still holds records.
   * @default false (a delete of a topic holding records fails and keeps the topic)
   */
  readonly allowDeleteWithData?: pulumi.Input<boolean>;
  /** How long one connection attempt may take. @default 3000 */
  readonly connectionTimeoutMs?: pulumi.Input<number>;
  /**
   * When the topic already exists (on a cluster the stack does not own), take it over if its
   * partitions and replication factor are the declared ones, setting the declared configs;
   * any other difference is refused.
   * @default false (an existing topic is refused; adopt it with `pulumi import`)
   */
  readonly adoptExisting?: pulumi.Input<boolean>;
}

/**
 * A Kafka topic managed through kafkajs's admin client, on Redpanda or Kafka alike. Configs and
 * partition growth are applied in place; everything Kafka cannot do in place is refused with a
 * message saying what to do, never turned into a replacement.
 */
export class Topic extends pulumi.dynamic.Resource {
  declare public readonly name: pulumi.Output<string>;
  declare public readonly partitions: pulumi.Output<number>;
  declare public readonly replicationFactor: pulumi.Output<number>;
  declare public readonly configs: pulumi.Output<Record<string, string>>;
  declare public readonly bootstrap: pulumi.Output<string>;

  constructor(name: string, args: TopicArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      topicProvider,
      name,
      {
        name: args.topicName ?? name,
        bootstrap: args.bootstrap,
        partitions: args.partitions,
        replicationFactor: args.replicationFactor,
        configs: args.configs ?? {},
        allowDeleteWithData: args.allowDeleteWithData ?? false,
        connectionTimeoutMs: args.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
        adoptExisting: args.adoptExisting ?? false,
      },
      opts,
      TOPIC_MODULE,
      TOPIC_TYPE_NAME,
    );
  }
}
