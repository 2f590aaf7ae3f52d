/**
 * Reads one partition from a given offset without joining a consumer group.
 *
 * kafkajs's consumer always joins a group, which costs a rebalance per lookup and would register
 * members on the very clusters whose groups we migrate; so this reads through kafkajs's own
 * cluster and broker objects (see raw-cluster.ts).
 */
import type { IHeaders, Kafka } from "kafkajs";
import { consumerBatchClass } from "./kafkajs-internals";
import { createCluster, type RawBroker, type RawCluster, type RawMessage } from "./raw-cluster";

/** One record as read back, control records and aborted transactions already removed. */
export interface ReadMessage {
  readonly offset: bigint;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

export interface ReadResult {
  readonly messages: readonly ReadMessage[];
  /** Where the next read continues; skips offsets taken by markers, aborted or compacted records. */
  readonly nextOffset: bigint;
  readonly highWatermark: bigint;
}

const Batch = consumerBatchClass<RawMessage>();

const READ_COMMITTED = 1;
const FETCH_CONNECTION = 1;

export class PartitionReader {
  private readonly cluster: RawCluster;
  // Promises, so concurrent reads share one connect and one metadata load per topic.
  private readonly topicsLoaded = new Map<string, Promise<void>>();
  private readonly brokers = new Map<string, Promise<RawBroker>>();
  private connecting: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    /** Bytes per partition per fetch; bounds the memory one read takes. */
    private readonly maxBytes = 1024 * 1024,
  ) {
    this.cluster = createCluster(kafka);
  }

  /**
   * The earliest offset whose timestamp is at or after `timestamp`, or undefined when no message
   * is that recent (ListOffsets by timestamp, for one partition).
   */
  async offsetForTimestamp(
    topic: string,
    partition: number,
    timestamp: number,
  ): Promise<bigint | undefined> {
    const broker = await this.leaderOf(topic, partition);
    const response = await broker.listOffsets({
      isolationLevel: READ_COMMITTED,
      topics: [{ topic, partitions: [{ partition, timestamp: String(timestamp) }] }],
    });
    const offset = response.responses[0]?.partitions.find((p) => p.partition === partition)?.offset;
    if (offset === undefined)
      throw new Error(`the broker returned no offset for ${topic}/${partition}`);
    const value = BigInt(offset);
    return value < 0n ? undefined : value;
  }

  /** The partition's log end (high watermark). */
  async logEnd(topic: string, partition: number): Promise<bigint> {
    const broker = await this.leaderOf(topic, partition);
    const response = await broker.listOffsets({
      isolationLevel: READ_COMMITTED,
      topics: [{ topic, partitions: [{ partition, timestamp: "-1" }] }],
    });
    const offset = response.responses[0]?.partitions.find((p) => p.partition === partition)?.offset;
    if (offset === undefined)
      throw new Error(`the broker returned no offset for ${topic}/${partition}`);
    return BigInt(offset);
  }

  private async leaderOf(topic: string, partition: number): Promise<RawBroker> {
    this.connecting ??= this.cluster.connect();
    await this.connecting;
    let loaded = this.topicsLoaded.get(topic);
    if (!loaded) {
      loaded = this.cluster.addTargetTopic(topic);
      this.topicsLoaded.set(topic, loaded);
    }
    await loaded;
    const leaders = this.cluster.findLeaderForPartitions(topic, [partition]);
    const nodeId = Object.keys(leaders)[0];
    if (nodeId === undefined) throw new Error(`no leader for ${topic}/${partition}`);
    let broker = this.brokers.get(nodeId);
    if (!broker) {
      broker = this.openBroker(nodeId);
      this.brokers.set(nodeId, broker);
      broker.catch(() => this.brokers.delete(nodeId)); // the next read tries again
    }
    return broker;
  }

  /**
   * kafkajs opens a broker's fetch connection on first use without a lock: concurrent first
   * fetches each open a socket and all but the last leak past disconnect(). Opening it once here,
   * before any fetch, avoids that.
   */
  private async openBroker(nodeId: string): Promise<RawBroker> {
    const broker = await this.cluster.findBroker({ nodeId });
    await broker.connectionPool.getConnection(FETCH_CONNECTION);
    return broker;
  }

  async read(topic: string, partition: number, offset: bigint): Promise<ReadResult> {
    const broker = await this.leaderOf(topic, partition);
    const response = await broker.fetch({
      isolationLevel: READ_COMMITTED,
      maxWaitTime: 0,
      minBytes: 1,
      maxBytes: this.maxBytes,
      topics: [
        {
          topic,
          partitions: [{ partition, fetchOffset: offset.toString(), maxBytes: this.maxBytes }],
        },
      ],
    });
    const data = response.responses[0]?.partitions.find((p) => p.partition === partition);
    if (!data) throw new Error(`the broker returned nothing for ${topic}/${partition}`);
    const batch = new Batch(topic, offset.toString(), data);
    const highWatermark = BigInt(data.highWatermark);
    const last = BigInt(batch.lastOffset());
    return {
      messages: batch.messages.map((m) => ({
        offset: BigInt(m.offset),
        timestamp: Number(m.timestamp),
        key: m.key,
        value: m.value,
        headers: m.headers,
      })),
      nextOffset: last + 1n > offset ? last + 1n : offset,
      highWatermark,
    };
  }

  /** Streams the messages of [from, to) in order, one fetch at a time. */
  async *range(
    topic: string,
    partition: number,
    from: bigint,
    to: bigint,
  ): AsyncGenerator<readonly ReadMessage[]> {
    let offset = from;
    while (offset < to) {
      const result = await this.read(topic, partition, offset);
      const inRange = result.messages.filter((m) => m.offset < to);
      if (inRange.length > 0) yield inRange;
      if (result.nextOffset <= offset) break; // nothing more is there (range beyond the log end)
      offset = result.nextOffset;
    }
  }

  async close(): Promise<void> {
    if (this.connecting) await this.cluster.disconnect();
    this.connecting = undefined;
    this.topicsLoaded.clear();
    this.brokers.clear();
  }
}
