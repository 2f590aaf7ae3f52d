/**
 * Publishes every message to both clusters (phase dual-publish of the events path).
 *
 * - Same key, value, headers and timestamp on both sides, plus a stable message-id header.
 * - The primary's acknowledgement decides success: publish() rejects only when the primary did.
 * - Encoded once: each message's record (key, value, headers) is encoded when it is published
 *   and the same bytes go to both clusters (produce/record-producer.ts); the partition is chosen
 *   once, with kafkajs's default (Java-compatible) partitioner on the primary's partition count.
 * - Write-ahead for the secondary: each batch is appended to a durable local spool (synced to
 *   disk) while the primary request is in flight, and a forwarder sends the spool to the
 *   secondary in order, in large batches. publish() so waits for the primary and a local fsync,
 *   not for a second cluster; a secondary that is down only makes the spool grow, and nothing is
 *   lost when this process dies, because the next publisher on the same folder forwards what is
 *   left.
 * - Order per key holds on both sides: the spool is one FIFO and the forwarder sends one request
 *   at a time, idempotent, and resends a failed request byte for byte (same sequence numbers),
 *   so the secondary drops whatever of it had landed.
 * - While the secondary is healthy, publish() waits once the lag passes `maxLag`, so consumers
 *   already on the secondary stay close to real time.
 *
 * If the primary fails a batch, it is still forwarded to the secondary: a retry with the same
 * messageId makes it a recognisable duplicate there, which `events verify` reports.
 */
import type { CompressionTypes, Kafka } from "kafkajs";
import { MESSAGE_ID_HEADER, newMessageId } from "./message-id";
import { defaultPartitioner } from "./produce/partitioner";
import {
  encodeRecordTails,
  recordBudget,
  recordBytesBound,
  type RecordFields,
} from "./produce/record-batch";
import { groupByPartition, RecordProducer } from "./produce/record-producer";
import { SecondaryForwarder } from "./secondary-forwarder";
import type { SpooledRecord } from "./spooled-record";

export interface DualPublisherOptions {
  /** The cluster whose acknowledgement decides success (Redpanda while dual publishing). */
  readonly primary: Kafka;
  readonly secondary: Kafka;
  /** Folder of the durable spool; one publisher process per folder. */
  readonly spoolDir: string;
  /** Acks requested from both clusters. @default -1 (all in-sync replicas) */
  readonly acks?: number;
  /** Compression of both clusters' batches (a codec kafkajs knows). @default none */
  readonly compression?: CompressionTypes;
  /** Retries of a publish() request to the primary on retriable errors. @default 5 */
  readonly primaryRetries?: number;
  /** How often forwarding is retried while the secondary is failing. @default 1000 */
  readonly replayIntervalMs?: number;
  /** Messages per request to the secondary. @default 1000 */
  readonly replayBatchSize?: number;
  /**
   * Messages the secondary may fall behind while it is healthy before publish() waits for it.
   * A failing secondary never holds up publish(). @default 10_000
   */
  readonly maxLag?: number;
  /**
   * How long the forwarder waits for a fuller request when fewer than `replayBatchSize`
   * messages are waiting; the secondary's extra delay. @default 20
   */
  readonly secondaryLingerMs?: number;
  /**
   * Retries of one request to the secondary (after 0.1, 0.2, 0.4 s, ...) before the forwarder
   * counts it as failed and backs off for `replayIntervalMs`. @default 3
   */
  readonly secondaryRetries?: number;
  /** Idempotent requests to the secondary (needs acks -1). @default true */
  readonly secondaryIdempotent?: boolean;
}

/** One message to publish; key, value, headers, partition and timestamp as in kafkajs. */
export interface OutgoingMessage {
  readonly key?: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly headers?: Readonly<Record<string, string | Buffer>>;
  readonly partition?: number;
  /** Epoch milliseconds. @default now, the same value sent to both clusters */
  readonly timestamp?: string;
  /** Supply it to make retries recognisable. @default a random UUID */
  readonly messageId?: string;
}

export interface DualPublisherCounters {
  /** Messages handed to publish(). */
  readonly sent: number;
  /** Acknowledged by the primary. */
  readonly acknowledged: number;
  readonly primaryFailed: number;
  /** Written to the durable spool (every message, before publish() returns). */
  readonly spooled: number;
  /** Sent from the spool to the secondary and acknowledged by it. */
  readonly replayed: number;
  /** Requests to the secondary that failed (each is retried from the spool). */
  readonly secondaryFailures: number;
  /** Messages in the spool, not yet on the secondary (including any left by an earlier run). */
  readonly lag: number;
}

export class DualPublisher {
  private readonly primary: RecordProducer;
  private readonly secondary: SecondaryForwarder;
  private readonly maxLag: number;
  private readonly compressed: boolean;
  private readonly partitionOf = defaultPartitioner();
  private counts = { sent: 0, acknowledged: 0, primaryFailed: 0, spooled: 0 };

  constructor(options: DualPublisherOptions) {
    const acks = options.acks ?? -1;
    const compression = options.compression;
    this.primary = new RecordProducer(options.primary, {
      acks,
      compression,
      retries: options.primaryRetries ?? 5,
    });
    this.secondary = new SecondaryForwarder(options.secondary, {
      spoolDir: options.spoolDir,
      acks,
      compression,
      idempotent: options.secondaryIdempotent ?? true,
      retries: options.secondaryRetries ?? 3,
      replayIntervalMs: options.replayIntervalMs ?? 1000,
      replayBatchSize: options.replayBatchSize ?? 1000,
      lingerMs: options.secondaryLingerMs ?? 20,
    });
    this.maxLag = options.maxLag ?? 10_000;
    this.compressed = (compression ?? 0) !== 0;
  }

  /** Connects the primary; a secondary that cannot be reached now is caught up later. */
  async connect(): Promise<void> {
    await this.primary.connect();
    await this.secondary.connect();
  }

  /** Publishes to both clusters; resolves with the message ids once the primary acknowledged. */
  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<string[]> {
    this.counts.sent += messages.length;
    let ids: string[];
    let records: SpooledRecord[];
    try {
      ({ ids, records } = await this.encode(topic, messages));
    } catch (error) {
      this.counts.primaryFailed += messages.length; // refused before anything was spooled
      throw error;
    }
    const placed = groupByPartition(records, (r) => r.partition as number);
    const toPrimary = this.primary.send(topic, placed);
    // The spool's write and sync overlap the primary's round trip.
    const toSpool = this.secondary.append(records);
    const [primary, spool] = await Promise.allSettled([toPrimary, toSpool]);
    // Not durable for the secondary: refuse, even if the primary took it. A retry with the same
    // ids is then a recognisable duplicate on the primary.
    if (spool.status === "rejected") throw spool.reason;
    this.counts.spooled += messages.length;
    if (primary.status === "rejected") {
      this.counts.primaryFailed += messages.length;
      throw primary.reason;
    }
    this.counts.acknowledged += messages.length;
    await this.secondary.keepUp(this.maxLag);
    return ids;
  }

  /**
   * The messages' records, each encoded once and placed in a partition. What the brokers would
   * refuse for good is refused here, before anything is spooled: a spooled message the secondary
   * refuses would stop the forwarder.
   */
  private async encode(topic: string, messages: readonly OutgoingMessage[]) {
    let partitions = await this.primary.partitions(topic);
    // Metadata is kept for minutes: a partition added since then is looked up before refusing.
    if (messages.some((m) => m.partition !== undefined && m.partition >= partitions.length))
      partitions = await this.primary.partitions(topic, true);
    messages.forEach((m, i) => checkPlacement(m, i, partitions.length, topic));
    const now = Date.now();
    const ids = messages.map((m) => m.messageId ?? newMessageId());
    const fields = messages.map((m, i) => toRecordFields(m, ids[i]));
    const tails = encodeRecordTails(fields);
    const records = messages.map((message, i): SpooledRecord => ({
      topic,
      partition: message.partition ?? this.partitionOf(topic, partitions, fields[i].key),
      timestamp: message.timestamp === undefined ? now : Number(message.timestamp),
      tail: tails[i],
    }));
    await this.checkSizes(topic, records);
    return { ids, records };
  }

  /**
   * Refuses a message over either cluster's max.message.bytes for the topic, and a publish()
   * whose batch for one partition is over the primary's (it goes to the primary in one batch).
   * Compressed batches are left to the brokers: the limit counts them after compression.
   */
  private async checkSizes(topic: string, records: readonly SpooledRecord[]): Promise<void> {
    if (this.compressed) return;
    const primary = await this.primary.maxBatchBytes(topic);
    const secondary = await this.secondary.maxBatchBytes(topic);
    const limits = [{ cluster: "primary", limit: primary }];
    if (secondary !== undefined) limits.push({ cluster: "secondary", limit: secondary });
    const sizes = records.map((record) => recordBytesBound(record.tail));
    sizes.forEach((bytes, i) => {
      for (const { cluster, limit } of limits)
        if (bytes > recordBudget(limit))
          throw new Error(
            `message ${i}: ${records[i].tail.length} bytes encoded, too large for max.message.bytes ` +
              `${limit} of topic "${topic}" on the ${cluster}; split it, or raise the topic's ` +
              "max.message.bytes on both clusters",
          );
    });
    const perPartition = new Map<number, number>();
    for (const [i, record] of records.entries()) {
      const partition = record.partition as number;
      const bytes = (perPartition.get(partition) ?? 0) + sizes[i];
      perPartition.set(partition, bytes);
      if (bytes > recordBudget(primary))
        throw new Error(
          `the messages for partition ${partition} come to more than max.message.bytes ` +
            `${primary} of topic "${topic}" on the primary, which takes them in one batch; ` +
            "publish fewer at a time",
        );
    }
  }

  get counters(): DualPublisherCounters {
    const { lag, replayed, failures } = this.secondary.state;
    return { ...this.counts, replayed, secondaryFailures: failures, lag };
  }

  /** The error of the last failed request to the secondary, while the spool is not empty. */
  get replayError(): unknown {
    return this.secondary.state.failure?.error;
  }

  /** Forwards the spool until it is empty or the time is up; true when it is empty. */
  async drain(timeoutMs = 30_000): Promise<boolean> {
    return this.secondary.drain(timeoutMs);
  }

  /**
   * Forwards what it can within `drainTimeoutMs`, then disconnects; what is still spooled stays
   * on disk for the next publisher on this folder.
   */
  async close(drainTimeoutMs = 10_000): Promise<void> {
    await this.secondary.close(drainTimeoutMs);
    await this.primary.disconnect().catch(() => undefined);
  }
}

/** Refuses, naming the message and its value, a partition or timestamp no broker accepts. */
function checkPlacement(
  message: OutgoingMessage,
  index: number,
  partitions: number,
  topic: string,
) {
  const { partition, timestamp } = message;
  if (
    partition !== undefined &&
    !(Number.isInteger(partition) && partition >= 0 && partition < partitions)
  )
    throw new Error(
      `message ${index}: partition ${partition} does not exist; topic "${topic}" has partitions 0 to ${partitions - 1}`,
    );
  if (timestamp !== undefined && !/^\d{1,15}$/.test(timestamp))
    throw new Error(
      `message ${index}: timestamp "${timestamp}" is not epoch milliseconds; pass e.g. String(Date.now()) or leave it out`,
    );
}

/** The record's fields, with the message-id header added last (replacing one passed in). */
function toRecordFields(message: OutgoingMessage, messageId: string): RecordFields {
  const headers: Array<[string, string | Buffer]> = [];
  for (const [name, value] of Object.entries(message.headers ?? {}))
    if (name !== MESSAGE_ID_HEADER) headers.push([name, value]);
  headers.push([MESSAGE_ID_HEADER, messageId]);
  return { key: toBuffer(message.key), value: toBuffer(message.value), headers };
}

function toBuffer(value: string | Buffer | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? Buffer.from(value, "utf8") : value;
}
