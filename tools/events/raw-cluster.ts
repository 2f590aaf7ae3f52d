/**
 * kafkajs's internal cluster and broker objects, the ones its own consumer and admin use.
 *
 * kafkajs has no public "assign + fetch" API and commits offsets only through a consumer that
 * joins the group (a rebalance per call). Reading partitions and committing for idle groups
 * needs the level below, reached through kafkajs's private cluster factory
 * (kafkajs-internals.ts); the factory's presence is checked at runtime.
 */
import type { IHeaders, Kafka, PartitionMetadata } from "kafkajs";
import { KAFKAJS_VERSION, privateClusterFactory } from "./kafkajs-internals";

export interface RawMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

export interface RawPartition {
  partition: number;
  errorCode: number;
  highWatermark: string;
  messages: RawMessage[];
  abortedTransactions: unknown[];
}

export interface RawBroker {
  /** Two connections: index 1 carries Fetch requests, index 0 everything else. */
  connectionPool: {
    getConnection(index: number): Promise<unknown>;
    /** Sends a request built elsewhere (see produce/produce-request.ts). */
    send<T>(protocolRequest: {
      request: object;
      response: { decode(raw: Buffer): Promise<unknown>; parse(decoded: never): Promise<T> };
    }): Promise<T>;
  };
  disconnect(): Promise<void>;
  initProducerId(request: {
    transactionalId?: string;
    transactionTimeout: number;
  }): Promise<{ producerId: string; producerEpoch: number }>;
  describeConfigs(request: {
    resources: Array<{ type: number; name: string; configNames: string[] }>;
  }): Promise<{
    resources: Array<{ configEntries: Array<{ configName: string; configValue: string }> }>;
  }>;
  listOffsets(request: object): Promise<{
    responses: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
  }>;
  fetch(request: object): Promise<{
    responses: Array<{ topicName: string; partitions: RawPartition[] }>;
  }>;
  /** Throws the first partition's error, e.g. UNKNOWN_MEMBER_ID when the group has members. */
  offsetCommit(request: {
    groupId: string;
    groupGenerationId: number;
    memberId: string;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
  }): Promise<unknown>;
}

export interface RawCluster {
  brokerPool: { versions: Record<string, { minVersion: number; maxVersion: number }> | null };
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  findTopicPartitionMetadata(topic: string): PartitionMetadata[];
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findControllerBroker(): Promise<RawBroker>;
  findBroker(args: { nodeId: string }): Promise<RawBroker>;
  findGroupCoordinator(args: { groupId: string }): Promise<RawBroker>;
}

export interface RawClusterOptions {
  /**
   * How long loaded metadata counts as fresh before refreshMetadataIfNecessary() asks again.
   * kafkajs's own producer and consumer use 300 s; left out, the factory takes 0, and every
   * such call is a Metadata round trip.
   */
  readonly metadataMaxAge?: number;
}

export function createCluster(kafka: Kafka, options: RawClusterOptions = {}): RawCluster {
  const factory = privateClusterFactory(kafka);
  if (factory === undefined) {
    throw new Error(
      `this kafkajs version has no cluster factory; stepwise needs kafkajs ${KAFKAJS_VERSION}`,
    );
  }
  return factory({ ...options, allowAutoTopicCreation: false }) as RawCluster;
}
