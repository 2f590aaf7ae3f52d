/**
 * Publishes every message to both clusters (phase dual-publish of the events path).
 *
 * - Same key, value, headers and timestamp on both sides, plus a stable message-id header.
 * - The primary's acknowledgement decides success: publish() rejects only when the primary did
 *   (or did not answer within `primaryTimeoutMs`), or when the journal is full.
 * - Encoded once: each message's record (key, value, headers) is encoded when it is published
 *   and the same bytes go to both clusters (produce/record-producer.ts); the partition is chosen
 *   once, with kafkajs's default (Java-compatible) partitioner on the primary's partition count.
 * - publish() never waits for the secondary: it waits for the primary and for a local journal
 *   (publish-journal.ts) to hold the messages on disk. A forwarder sends the secondary exactly
 *   what the primary acknowledged, in the order the primary assigned offsets
 *   (primary-lane.ts keeps one request in flight per topic), so each partition holds the same
 *   messages in the same order on both clusters, also with many concurrent publishing loops.
 * - A crash loses nothing: the next publisher on the same folder looks up on the primary what
 *   was in flight, and forwards what is left; at most one forward request (`replayBatchSize`
 *   messages) reaches the secondary twice.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { CompressionTypes, Kafka } from "kafkajs";
import { findOnPrimary } from "./in-doubt";
import { MESSAGE_ID_HEADER, newMessageId } from "./message-id";
import { PrimaryLane, type Outcome } from "./primary-lane";
import { defaultPartitioner } from "./produce/partitioner";
import {
  encodeRecordTails,
  recordBudget,
  recordBytesBound,
  type RecordFields,
} from "./produce/record-batch";
import { groupByPartition, RecordProducer } from "./produce/record-producer";
import { PublishJournal, type JournalRecord } from "./publish-journal";
import { SecondaryForwarder } from "./secondary-forwarder";

/** A message as encoded once for both clusters. */
interface EncodedRecord extends JournalRecord {
  readonly partition: number;
}

export interface DualPublisherOptions {
  /** The cluster whose acknowledgement decides success (Redpanda while dual publishing). */
  readonly primary: Kafka;
  readonly secondary: Kafka;
  /** Folder of the durable journal (the spool); one publisher process per folder. */
  readonly spoolDir: string;
  /** Acks requested from both clusters. @default -1 (all in-sync replicas) */
  readonly acks?: number;
  /** Compression of both clusters' batches (a codec kafkajs knows). @default none */
  readonly compression?: CompressionTypes;
  /** Retries of a publish() request to the primary on retriable errors. @default 5 */
  readonly primaryRetries?: number;
  /**
   * How long publish() waits for the primary's answer before it rejects (the request may still
   * complete; what the primary acknowledges is forwarded). @default 10_000
   */
  readonly primaryTimeoutMs?: number;
  /** How often forwarding is retried while the secondary is failing. @default 1000 */
  readonly replayIntervalMs?: number;
  /** Messages per request to the secondary. @default 1000 */
  readonly replayBatchSize?: number;
  /**
   * Bytes the journal may hold on disk (messages not yet on the secondary, plus what shares a
   * segment file with them). A publish() that would pass it is refused with SpoolFullError
   * before anything is sent to the primary. @default 1 GiB
   */
  readonly spoolMaxBytes?: number;
  /** Size of one journal segment file; a finished segment is deleted. @default 8 MiB */
  readonly spoolSegmentBytes?: number;
  /**
   * A request to the secondary taking longer than this marks it failing (reported in
   * counters and `replayError`); publish() never waits for it either way. @default 5000
   */
  readonly forwardTimeoutMs?: number;
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
  /** Written to the durable journal (every message, before publish() returns). */
  readonly spooled: number;
  /** Sent from the spool to the secondary and acknowledged by it. */
  readonly replayed: number;
  /** Requests to the secondary that failed or were slow (each is retried from the journal). */
  readonly secondaryFailures: number;
  /** Messages in the journal, not yet on the secondary (including any left by an earlier run). */
  readonly lag: number;
  /** Bytes of the journal on disk. */
  readonly spoolBytes: number;
}

export class DualPublisher {
  private readonly primary: RecordProducer;
  private readonly primaryKafka: Kafka;
  private readonly lane: PrimaryLane;
  private readonly journal: PublishJournal;
  private readonly secondary: SecondaryForwarder;
  private readonly compressed: boolean;
  private readonly partitionOf = defaultPartitioner();
  private counts = { sent: 0, acknowledged: 0, primaryFailed: 0, spooled: 0 };
  /** Primary answers not yet written to the journal; close() waits for them. */
  private readonly recording = new Set<Promise<void>>();

  constructor(options: DualPublisherOptions) {
    const acks = options.acks ?? -1;
    const compression = options.compression;
    this.primaryKafka = options.primary;
    this.primary = new RecordProducer(options.primary, {
      acks,
      compression,
      retries: options.primaryRetries ?? 5,
    });
    this.lane = new PrimaryLane(this.primary, options.primaryTimeoutMs ?? 10_000);
    this.journal = new PublishJournal(options.spoolDir, {
      maxBytes: options.spoolMaxBytes,
      segmentBytes: options.spoolSegmentBytes,
    });
    this.secondary = new SecondaryForwarder(options.secondary, this.journal, {
      acks,
      compression,
      idempotent: options.secondaryIdempotent ?? true,
      retries: options.secondaryRetries ?? 3,
      replayIntervalMs: options.replayIntervalMs ?? 1000,
      replayBatchSize: options.replayBatchSize ?? 1000,
      lingerMs: options.secondaryLingerMs ?? 20,
      forwardTimeoutMs: options.forwardTimeoutMs ?? 5000,
    });
    this.compressed = (compression ?? 0) !== 0;
  }

  /**
   * Connects the primary and settles what an earlier run left in doubt (looked up on the
   * primary); the secondary is connected in the background and caught up when it answers.
   */
  async connect(): Promise<void> {
    await this.primary.connect();
    await this.journal.settleInDoubt(await findOnPrimary(this.primaryKafka, this.journal.inDoubt));
    this.secondary.start();
  }

  /**
   * Publishes to both clusters; resolves with the message ids once the primary acknowledged and
   * the journal holds them on disk. Never waits for the secondary.
   */
  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<string[]> {
    this.counts.sent += messages.length;
    let ids: string[];
    let seqs: number[];
    let written: Promise<void>;
    let durable: Promise<void>;
    let batches: Array<{ partition: number; records: EncodedRecord[] }>;
    try {
      let records: EncodedRecord[];
      ({ ids, records } = await this.encode(topic, messages));
      batches = [...groupByPartition(records, (r) => r.partition)].map(([partition, list]) => ({
        partition,
        records: list,
      }));
      // Refused here (SpoolFullError) when the journal is full: nothing is sent anywhere.
      ({ seqs, written, durable } = this.journal.appendIntents(
        batches.map((b) => ({ topic, ...b })),
      ));
    } catch (error) {
      this.counts.primaryFailed += messages.length; // refused before anything was sent
      throw error;
    }
    // Write-ahead: in the journal's file before the primary is asked, so that whatever the
    // primary holds, even from a publish() in flight when this process died, is found and
    // forwarded. The sync to disk overlaps the primary's round trip.
    try {
      await written;
    } catch (error) {
      this.counts.primaryFailed += messages.length;
      throw error;
    }
    const submitted = this.lane.submit(
      topic,
      batches.map((b, i) => ({ seq: seqs[i], ...b })),
    );
    // Whatever publish() sees, the primary's real answer is recorded.
    const recorded = submitted.outcome.then((outcomes) => this.record(outcomes));
    this.recording.add(recorded);
    void recorded.finally(() => this.recording.delete(recorded));
    const [primary, disk] = await Promise.allSettled([this.lane.within(submitted), durable]);
    if (disk.status === "rejected") {
      this.counts.primaryFailed += messages.length;
      throw disk.reason;
    }
    this.counts.spooled += messages.length;
    if (primary.status === "rejected") {
      this.counts.primaryFailed += messages.length;
      throw primary.reason;
    }
    const outcomes = primary.value;
    const failed = outcomes.find((o): o is Extract<Outcome, { error: Error }> => "error" in o);
    if (failed) {
      this.counts.primaryFailed += messages.length;
      throw failed.error;
    }
    this.counts.acknowledged += messages.length;
    return ids;
  }

  private async record(outcomes: readonly Outcome[]): Promise<void> {
    await Promise.all(
      outcomes.map(
        (outcome) =>
          this.journal
            .recordOutcome(outcome.seq, "offset" in outcome ? outcome.offset : undefined)
            .catch(() => undefined), // a lost outcome is looked up on the primary after a restart
      ),
    );
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
    const records = messages.map((message, i): EncodedRecord => ({
      partition: message.partition ?? this.partitionOf(topic, partitions, fields[i].key),
      timestamp: message.timestamp === undefined ? now : Number(message.timestamp),
      messageId: ids[i],
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
  private async checkSizes(topic: string, records: readonly EncodedRecord[]): Promise<void> {
    if (this.compressed) return;
    const primary = await this.primary.maxBatchBytes(topic);
    // Known once the forwarder has sent this topic once; publish() never asks the secondary.
    const secondary = this.secondary.knownMaxBatchBytes(topic);
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
      const partition = record.partition;
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
    const spoolBytes = this.journal.bytes;
    return { ...this.counts, replayed, secondaryFailures: failures, lag, spoolBytes };
  }

  /** False from the first failed or slow request to the secondary until one succeeds. */
  get secondaryHealthy(): boolean {
    return this.secondary.state.healthy;
  }

  /** The error of the last failed request to the secondary, while messages wait for it. */
  get replayError(): unknown {
    return this.secondary.state.failure?.error;
  }

  /** Forwards until nothing waits for the secondary or the time is up; true when nothing does. */
  async drain(timeoutMs = 30_000): Promise<boolean> {
    return this.secondary.drain(timeoutMs);
  }

  /**
   * Forwards what it can within `drainTimeoutMs`, then disconnects; what is still journaled
   * stays on disk for the next publisher on this folder.
   */
  async close(drainTimeoutMs = 10_000): Promise<void> {
    // Requests in flight to the primary: their answers decide what is forwarded.
    await Promise.race([Promise.all(this.recording), sleep(drainTimeoutMs)]);
    await this.secondary.close(drainTimeoutMs);
    await this.journal.close();
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
