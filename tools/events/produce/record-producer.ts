/**
 * A producer of pre-encoded records on kafkajs's connections and metadata.
 *
 * The dual publisher encodes each message once and sends the same record bytes to both
 * clusters; kafkajs's own producer would encode (and checksum) every message again per
 * cluster, which on a machine whose cores the brokers share costs most of the throughput.
 *
 * Delivery works in two steps: prepare() encodes one batch per partition (and, when idempotent,
 * reserves its sequence numbers); deliver() sends what is not yet acknowledged, to each
 * partition's leader, and retries retriable failures. A delivery that still fails keeps its
 * batches, so a later deliver() sends exactly the same bytes and sequence numbers: the broker
 * then drops what had landed after all, instead of writing it twice.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { CompressionTypes, Kafka, PartitionMetadata } from "kafkajs";
import { createCluster, type RawBroker, type RawCluster } from "../raw-cluster";
import { produceRequest, type ProduceResponse } from "./produce-request";
import {
  encodeBatch,
  encodeRecords,
  frameFor,
  NO_IDENTITY,
  restamp,
  type BatchIdentity,
  type RecordEntry,
} from "./record-batch";
import {
  createErrorFromCode,
  lookupCodec,
  type KafkaProtocolError as KafkaError,
} from "../kafkajs-internals";

/** The broker already has this batch (a retry of one that landed): success. */
const DUPLICATE_SEQUENCE_NUMBER = 46;
/** The broker lost or refused this producer's state: start again with a new producer id. */
const PRODUCER_STATE_LOST = new Set([
  "OUT_OF_ORDER_SEQUENCE_NUMBER",
  "UNKNOWN_PRODUCER_ID",
  "INVALID_PRODUCER_EPOCH",
]);
const SEQUENCE_LIMIT = 2 ** 31;
/** The broker refused a batch over the topic's max.message.bytes (codes 10 and 18). */
const TOO_LARGE = new Set(["MESSAGE_TOO_LARGE", "RECORD_LIST_TOO_LARGE"]);
/**
 * Kafka's default max.message.bytes (1 MiB plus the 12-byte log overhead), assumed for a topic
 * whose configuration cannot be read (e.g. no DescribeConfigs permission).
 */
export const DEFAULT_MAX_BATCH_BYTES = 1_048_588;
const TOPIC_RESOURCE = 2;
/** Attempts at a producer id: a restarted broker loads its state for a few seconds. */
const INIT_ATTEMPTS = 10;
/** kafkajs's producer default. */
const METADATA_MAX_AGE_MS = 300_000;
/** kafkajs's names for "up, but not ready yet" (codes 14, 15, 16 and 41). */
const BROKER_LOADING = new Set([
  "GROUP_LOAD_IN_PROGRESS",
  "GROUP_COORDINATOR_NOT_AVAILABLE",
  "NOT_COORDINATOR_FOR_GROUP",
  "NOT_CONTROLLER",
]);

export interface RecordProducerOptions {
  /** Acknowledgements per request: -1 all in-sync replicas, 1 the leader, 0 none. */
  readonly acks: number;
  readonly compression?: CompressionTypes;
  /** Producer id and sequence numbers, so the broker drops resent batches (needs acks -1). */
  readonly idempotent?: boolean;
  /** Attempts after the first for partitions that failed with a retriable error. */
  readonly retries: number;
  /**
   * First pause between attempts, doubled each time up to 30 s (as kafkajs does; a new
   * topic's leaders can take seconds to be known). @default 300
   */
  readonly retryBackoffMs?: number;
  /** How long the broker may wait for replicas before it answers. @default 30000 */
  readonly timeoutMs?: number;
}

interface PartitionBatch {
  readonly partition: number;
  readonly count: number;
  batch: Buffer;
  acknowledged: boolean;
  /** Where the broker wrote the batch's first record, once acknowledged (-1 when it did not say). */
  baseOffset?: bigint;
}

/** Encoded batches for partitions of one topic, each kept until its partition acknowledged it. */
export interface PendingSend {
  readonly topic: string;
  readonly batches: readonly PartitionBatch[];
}

export class RecordProducer {
  private readonly cluster: RawCluster;
  private identity: { producerId: bigint; producerEpoch: number } | undefined;
  /** Next sequence number per topic and partition, for the idempotent producer. */
  private sequences = new Map<string, number>();
  /** Each topic's max.message.bytes, read once; forgotten when a batch is refused as too large. */
  private readonly limits = new Map<string, number>();

  constructor(
    kafka: Kafka,
    private readonly options: RecordProducerOptions,
  ) {
    if (options.idempotent && options.acks !== -1)
      throw new Error(`an idempotent producer needs acks -1; got acks ${options.acks}`);
    // Cached as kafkajs's own producer does; a failed attempt refreshes it at once (deliver()).
    this.cluster = createCluster(kafka, { metadataMaxAge: METADATA_MAX_AGE_MS });
  }

  async connect(): Promise<void> {
    await this.cluster.connect();
    if (this.options.idempotent) await this.initProducerId();
  }

  async disconnect(): Promise<void> {
    await this.cluster.disconnect();
  }

  /**
   * The topic's partitions and their leaders; loads the topic's metadata the first time, and
   * again when it is older than 300 s or `fresh` is asked for.
   */
  async partitions(topic: string, fresh = false): Promise<PartitionMetadata[]> {
    const missing = () =>
      new Error(`topic "${topic}" does not exist on this cluster; create it first`);
    try {
      await this.cluster.addTargetTopic(topic);
      if (fresh) await this.cluster.refreshMetadata();
      else await this.cluster.refreshMetadataIfNecessary();
    } catch (error) {
      if ((error as KafkaError).type === "UNKNOWN_TOPIC_OR_PARTITION") throw missing();
      throw error;
    }
    const partitions = this.cluster.findTopicPartitionMetadata(topic);
    if (partitions.length === 0) throw missing();
    return partitions;
  }

  /**
   * The largest record batch the topic accepts here (its max.message.bytes; a batch counts
   * after compression). Read once per topic, and again after a refusal as too large. Kafka's
   * default when it cannot be read (no DescribeConfigs permission, say): kept as well, so
   * publishing does not ask on every call, and corrected by the next refusal.
   */
  async maxBatchBytes(topic: string): Promise<number> {
    let limit = this.limits.get(topic);
    if (limit === undefined) {
      limit = (await this.readMaxBatchBytes(topic)) ?? DEFAULT_MAX_BATCH_BYTES;
      this.limits.set(topic, limit);
    }
    return limit;
  }

  /** The topic's limit if it was read already; never asks the broker. */
  knownMaxBatchBytes(topic: string): number | undefined {
    return this.limits.get(topic);
  }

  private async readMaxBatchBytes(topic: string): Promise<number | undefined> {
    try {
      await this.cluster.refreshMetadataIfNecessary();
      const broker = await this.cluster.findControllerBroker();
      const { resources } = await broker.describeConfigs({
        resources: [{ type: TOPIC_RESOURCE, name: topic, configNames: ["max.message.bytes"] }],
      });
      const entry = resources[0]?.configEntries.find((e) => e.configName === "max.message.bytes");
      const limit = Number(entry?.configValue);
      return Number.isInteger(limit) && limit > 0 ? limit : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Gives up a prepared request the broker refused for good (nothing of it was written): an
   * idempotent producer takes a new producer id, since the refused batches' sequence numbers
   * would otherwise leave a gap the broker refuses every later batch for.
   */
  async abandon(): Promise<void> {
    if (this.identity) await this.initProducerId();
  }

  /** Encodes one batch per partition; an idempotent producer reserves their sequence numbers. */
  async prepare(
    topic: string,
    byPartition: ReadonlyMap<number, readonly RecordEntry[]>,
  ): Promise<PendingSend> {
    const compression = this.options.compression ?? 0;
    const codec = compression === 0 ? null : lookupCodec(compression);
    const batches: PartitionBatch[] = [];
    for (const [partition, records] of byPartition) {
      if (records.length === 0) continue;
      const plain = encodeRecords(records);
      const section = codec ? await codec.compress({ buffer: plain }) : plain;
      const batch = encodeBatch(
        frameFor(records, compression),
        section,
        this.stampFor(topic, partition, records.length),
      );
      batches.push({ partition, count: records.length, batch, acknowledged: false });
    }
    return { topic, batches };
  }

  /**
   * Sends the batches not yet acknowledged; resolves once all are. Retriable failures are
   * retried `retries` times; after that, or on any other error, it throws and the batches stay
   * for the next call.
   */
  async deliver(pending: PendingSend): Promise<void> {
    let failure: KafkaError | undefined;
    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      if (attempt > 0) {
        await sleep(this.backoff(attempt - 1));
        await this.cluster.refreshMetadata().catch(() => undefined); // leaders may have moved
      }
      failure = await this.attempt(pending);
      if (!failure) return;
      if (TOO_LARGE.has(failure.type ?? "")) this.limits.delete(pending.topic); // read it again
      if (PRODUCER_STATE_LOST.has(failure.type ?? "")) await this.restart(pending);
      else if (failure.retriable === false) break;
    }
    const waiting = pending.batches.filter((b) => !b.acknowledged).map((b) => b.partition);
    throw new Error(
      `produce to topic "${pending.topic}" partitions ${waiting.join(", ")} failed: ${failure?.message}`,
      { cause: failure },
    );
  }

  async send(
    topic: string,
    byPartition: ReadonlyMap<number, readonly RecordEntry[]>,
  ): Promise<void> {
    await this.deliver(await this.prepare(topic, byPartition));
  }

  /** One request per leader for the waiting batches; the first error met, if any. */
  private async attempt(pending: PendingSend): Promise<KafkaError | undefined> {
    const waiting = pending.batches.filter((b) => !b.acknowledged);
    let leaders: Record<string, number[]>;
    try {
      await this.partitions(pending.topic);
      leaders = this.cluster.findLeaderForPartitions(
        pending.topic,
        waiting.map((b) => b.partition),
      );
    } catch (error) {
      return error as KafkaError;
    }
    const led = new Set(Object.values(leaders).flat());
    const unknown = waiting.filter((b) => !led.has(b.partition)).map((b) => b.partition);
    // Retriable: the next attempt refreshes the metadata first (the topic may just have grown).
    if (unknown.length > 0)
      return new Error(
        `topic "${pending.topic}" has no partition ${unknown.join(", ")} on this cluster; ` +
          "dual publishing needs the same partition count on both clusters",
      );
    const errors = await Promise.all(
      Object.entries(leaders).map(([nodeId, partitions]) =>
        this.sendTo(
          nodeId,
          pending.topic,
          waiting.filter((b) => partitions.includes(b.partition)),
        ),
      ),
    );
    return errors.find((e) => e !== undefined);
  }

  private async sendTo(
    nodeId: string,
    topic: string,
    batches: PartitionBatch[],
  ): Promise<KafkaError | undefined> {
    let broker: RawBroker | undefined;
    try {
      broker = await this.cluster.findBroker({ nodeId });
      const request = produceRequest(this.options.acks, this.options.timeoutMs ?? 30_000, [
        { topic, partitions: batches },
      ]);
      const response = (await broker.connectionPool.send(request)) as ProduceResponse | undefined;
      if (this.options.acks === 0) {
        batches.forEach((b) => (b.acknowledged = true));
        return undefined;
      }
      let failure: KafkaError | undefined;
      for (const { partition, errorCode, baseOffset } of response?.topics[0]?.partitions ?? []) {
        const batch = batches.find((b) => b.partition === partition);
        if (!batch) continue;
        if (errorCode === 0 || errorCode === DUPLICATE_SEQUENCE_NUMBER) {
          batch.acknowledged = true;
          batch.baseOffset = BigInt(baseOffset);
        } else failure ??= createErrorFromCode(errorCode);
      }
      return failure;
    } catch (error) {
      // A closed connection is reopened on the next attempt.
      if ((error as Error).name === "KafkaJSConnectionClosedError")
        await broker?.disconnect().catch(() => undefined);
      return error as KafkaError;
    }
  }

  private stampFor(topic: string, partition: number, count: number): BatchIdentity {
    if (!this.identity) return NO_IDENTITY;
    const key = `${partition}:${topic}`;
    const baseSequence = this.sequences.get(key) ?? 0;
    this.sequences.set(key, (baseSequence + count) % SEQUENCE_LIMIT);
    return { ...this.identity, baseSequence };
  }

  /**
   * The broker no longer knows this producer's state: take a new producer id and give the
   * waiting batches fresh sequence numbers. What had landed of them may then be written again
   * (an at-least-once duplicate, recognisable by its message id).
   */
  private async restart(pending: PendingSend): Promise<void> {
    await this.initProducerId();
    for (const b of pending.batches)
      if (!b.acknowledged)
        b.batch = restamp(b.batch, this.stampFor(pending.topic, b.partition, b.count));
  }

  /** A new producer id; retried while the broker is still loading (just after a restart). */
  private async initProducerId(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.cluster.refreshMetadataIfNecessary();
        const broker = await this.cluster.findControllerBroker();
        const { producerId, producerEpoch } = await broker.initProducerId({
          transactionTimeout: 60_000,
        });
        this.identity = { producerId: BigInt(producerId), producerEpoch };
        this.sequences = new Map();
        return;
      } catch (error) {
        // Only a broker that is up but still loading is waited for; an unreachable one fails at
        // once, and the caller (the forwarder's timer) comes back later.
        const loading = BROKER_LOADING.has((error as KafkaError).type ?? "");
        if (!loading || attempt >= INIT_ATTEMPTS) throw error;
        await sleep(Math.min(this.backoff(attempt), 2000));
      }
    }
  }

  /** Pause before retry `attempt` (0-based): doubling from `retryBackoffMs`, at most 30 s. */
  private backoff(attempt: number): number {
    return Math.min((this.options.retryBackoffMs ?? 300) * 2 ** attempt, 30_000);
  }
}

/** True when deliver() failed because the broker refused a batch over the topic's limit. */
export function refusedAsTooLarge(error: unknown): boolean {
  const cause = (error as { cause?: KafkaError } | undefined)?.cause;
  return TOO_LARGE.has(cause?.type ?? "");
}

/** Records grouped by partition, each group in the order given: what prepare() takes. */
export function groupByPartition<T extends RecordEntry>(
  records: readonly T[],
  partitionOf: (record: T) => number,
): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const record of records) {
    const partition = partitionOf(record);
    const group = groups.get(partition);
    if (group) group.push(record);
    else groups.set(partition, [record]);
  }
  return groups;
}
