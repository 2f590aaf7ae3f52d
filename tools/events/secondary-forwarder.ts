/**
 * The secondary's half of dual publishing: a durable spool that every published batch is
 * appended to, and a forwarder that sends the spool to the secondary cluster in order, one
 * request at a time, idempotent, resending a failed request byte for byte before anything newer.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { CompressionTypes, Kafka } from "kafkajs";
import { defaultPartitioner } from "./produce/partitioner";
import { recordBudget, recordBytesBound } from "./produce/record-batch";
import {
  DEFAULT_MAX_BATCH_BYTES,
  groupByPartition,
  RecordProducer,
  refusedAsTooLarge,
  type PendingSend,
} from "./produce/record-producer";
import { Spool, type Peeked } from "./spool";
import { spooledRecordCodec, type SpooledRecord } from "./spooled-record";

export interface ForwarderOptions {
  readonly spoolDir: string;
  readonly acks: number;
  readonly compression?: CompressionTypes;
  readonly idempotent: boolean;
  readonly retries: number;
  readonly replayIntervalMs: number;
  readonly replayBatchSize: number;
  readonly lingerMs: number;
}

/** What the publisher reports of the secondary. */
export interface SecondaryState {
  /** Messages in the spool, not yet on the secondary (including any left by an earlier run). */
  readonly lag: number;
  /** Acknowledged by the secondary since this forwarder started. */
  readonly replayed: number;
  /** Requests to the secondary that failed. */
  readonly failures: number;
  /** The last failed request's error, while messages wait and until a request succeeds. */
  readonly failure: { readonly error: unknown } | undefined;
}

/**
 * Records per peek of the spool, in bytes: what a topic with Kafka's default max.message.bytes
 * takes in one batch. A topic with a lower limit gets the peek in several requests.
 */
const PEEK_RECORD_BYTES = recordBudget(DEFAULT_MAX_BATCH_BYTES);
const recordBytes = (record: SpooledRecord) => recordBytesBound(record.tail);

/** One produce request to the secondary: its records by partition and their encoded batches. */
interface Request {
  readonly placed: ReadonlyMap<number, readonly SpooledRecord[]>;
  readonly send: PendingSend;
}

/** A peek of the spool on its way: its requests, sent in order, then the cursor committed. */
interface Delivery {
  requests: Request[];
  readonly next: Peeked<SpooledRecord>["next"];
}

export class SecondaryForwarder {
  private readonly producer: RecordProducer;
  private readonly spool: Spool<SpooledRecord>;
  private readonly replayedAtStart: number;
  private readonly partitionOf = defaultPartitioner();
  private readonly timer: NodeJS.Timeout;
  private forwarding: Promise<void> | undefined;
  private connected = false;
  /** A delivery that failed, resent as it is before anything newer. */
  private unfinished: Delivery | undefined;
  private failures = 0;
  private failure: { readonly error: unknown } | undefined;

  constructor(
    secondary: Kafka,
    private readonly options: ForwarderOptions,
  ) {
    this.producer = new RecordProducer(secondary, {
      acks: options.acks,
      compression: options.compression,
      idempotent: options.idempotent,
      retries: options.retries,
      // Short pauses: a request that still fails is retried by the timer, and publish() waits
      // for a healthy secondary only.
      retryBackoffMs: 100,
    });
    this.spool = new Spool(options.spoolDir, { codec: spooledRecordCodec });
    this.replayedAtStart = this.spool.replayed;
    this.timer = setInterval(() => void this.forward(), options.replayIntervalMs);
    this.timer.unref();
  }

  /** Connects if it can (an unreachable secondary is caught up later) and forwards leftovers. */
  async connect(): Promise<void> {
    await this.ensureConnected().catch((error: unknown) => this.markFailed(error));
    void this.forward(); // whatever an earlier run left in the spool
  }

  /** Resolves once the records are durable in the spool. */
  async append(records: readonly SpooledRecord[]): Promise<void> {
    await this.spool.append(records);
    if (this.healthy) void this.forward(); // a failing secondary is retried by the timer
  }

  /** While the secondary is healthy, waits until at most `maxLag` messages wait for it. */
  async keepUp(maxLag: number): Promise<void> {
    while (this.healthy && this.spool.waitingMessages > maxLag) await this.forward();
  }

  /**
   * The topic's max.message.bytes on the secondary while it is reachable; undefined while it is
   * failing (a spooled message over the limit then stops forwarding, with an error saying so).
   */
  async maxBatchBytes(topic: string): Promise<number | undefined> {
    if (!this.connected || !this.healthy) return undefined;
    return this.producer.maxBatchBytes(topic);
  }

  get state(): SecondaryState {
    return {
      lag: this.spool.waitingMessages,
      replayed: this.spool.replayed - this.replayedAtStart,
      failures: this.failures,
      failure: this.spool.pending ? this.failure : undefined,
    };
  }

  /** Forwards until the spool is empty or the time is up; true when it is empty. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.spool.pending && Date.now() < deadline) {
      await this.forward();
      if (this.spool.pending) await sleep(200);
    }
    return !this.spool.pending;
  }

  /** Forwards what it can within the time, then lets go; the rest stays in the spool. */
  async close(drainTimeoutMs: number): Promise<void> {
    clearInterval(this.timer);
    await this.forward(); // one more attempt, also when the last one failed
    if (this.healthy) await this.drain(drainTimeoutMs);
    await this.forwarding;
    await this.producer.disconnect().catch(() => undefined);
    await this.spool.close();
  }

  private get healthy(): boolean {
    return this.failure === undefined;
  }

  /** One forwarder at a time: it sends the spool in order until it is empty or a request fails. */
  private forward(): Promise<void> {
    if (this.forwarding || !this.spool.pending) return this.forwarding ?? Promise.resolve();
    this.forwarding = (async () => {
      try {
        await this.ensureConnected();
        while (this.spool.pending) {
          this.unfinished ??= await this.nextDelivery();
          await this.deliver(this.unfinished);
          this.spool.commit(this.unfinished.next);
          this.unfinished = undefined;
          this.failure = undefined;
        }
      } catch (error) {
        this.markFailed(error); // the timer tries again
      } finally {
        this.forwarding = undefined;
      }
    })();
    return this.forwarding;
  }

  /** The oldest spooled messages, one topic, in requests within the topic's batch limit. */
  private async nextDelivery(): Promise<Delivery> {
    // Fewer, larger requests cost the secondary broker and this process far less CPU.
    if (this.spool.waitingMessages < this.options.replayBatchSize && this.options.lingerMs > 0)
      await sleep(this.options.lingerMs);
    const { messages, next } = this.spool.peek(
      this.options.replayBatchSize,
      PEEK_RECORD_BYTES,
      recordBytes,
    );
    return { requests: await this.requestsFor(messages), next };
  }

  /**
   * Sends the delivery's requests in order. A request refused as too large (the topic's limit
   * was lowered since it was read) is split again along the limit read anew.
   */
  private async deliver(delivery: Delivery): Promise<void> {
    for (let i = 0; i < delivery.requests.length;) {
      try {
        await this.producer.deliver(delivery.requests[i].send);
        i++;
      } catch (error) {
        if (!refusedAsTooLarge(error)) throw error;
        delivery.requests = await this.splitAgain(delivery.requests.slice(i), error);
        i = 0;
      }
    }
  }

  /** The records of the requests not yet acknowledged, in requests along the topic's limit now. */
  private async splitAgain(requests: readonly Request[], refusal: unknown): Promise<Request[]> {
    const topic = requests[0].send.topic;
    const limit = await this.producer.maxBatchBytes(topic);
    // Per partition and request, the records whose batch was not acknowledged.
    const groups = requests.flatMap(({ placed, send }) =>
      send.batches.filter((b) => !b.acknowledged).map((b) => placed.get(b.partition) ?? []),
    );
    const waiting = groups.flat();
    const largest = Math.max(...waiting.map(recordBytes));
    const fits = groups.every((records) => sum(records.map(recordBytes)) <= recordBudget(limit));
    // Splitting again cannot help: stop here, and let the timer try again later.
    if (largest > recordBudget(limit) || fits)
      throw new Error(
        `the secondary refuses a batch of topic "${topic}" as too large: its max.message.bytes is ` +
          `${limit}, and the largest spooled message takes up to ${largest} bytes. Raise the ` +
          `topic's max.message.bytes on the secondary to the primary's; forwarding resumes then`,
        { cause: refusal },
      );
    await this.producer.abandon();
    return this.requestsFor(waiting);
  }

  /** Messages of one topic, in spool order, as requests whose records fit the topic's limit. */
  private async requestsFor(messages: readonly SpooledRecord[]): Promise<Request[]> {
    const topic = messages[0].topic;
    // Only lines of the first spool format can lack a partition: placed by key, as kafkajs did.
    const unplaced = messages.some((m) => m.partition === undefined);
    const partitions = unplaced ? await this.producer.partitions(topic) : [];
    const budget = recordBudget(await this.producer.maxBatchBytes(topic));
    const requests: Request[] = [];
    for (const chunk of chunksWithin(messages, budget, recordBytes)) {
      const placed = groupByPartition(
        chunk,
        (m) => m.partition ?? this.partitionOf(topic, partitions, m.key),
      );
      requests.push({ placed, send: await this.producer.prepare(topic, placed) });
    }
    return requests;
  }

  private async ensureConnected(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  private markFailed(error: unknown): void {
    this.failure = { error };
    this.failures++;
  }
}

/** Consecutive chunks of at most `budget` bytes each (a larger item gets a chunk of its own). */
function chunksWithin<T>(items: readonly T[], budget: number, bytesOf: (item: T) => number): T[][] {
  const chunks: T[][] = [];
  let size = Infinity;
  for (const item of items) {
    const bytes = bytesOf(item);
    if (size + bytes > budget) {
      chunks.push([]);
      size = 0;
    }
    chunks[chunks.length - 1].push(item);
    size += bytes;
  }
  return chunks;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
