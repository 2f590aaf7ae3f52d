/**
 * The secondary's half of dual publishing: a durable spool that every published batch is
 * appended to, and a forwarder that sends the spool to the secondary cluster in order, one
 * request at a time, idempotent, resending a failed request byte for byte before anything newer.
 */
import type { CompressionTypes, Kafka } from "kafkajs";
import { defaultPartitioner } from "./produce/partitioner";
import { groupByPartition, RecordProducer, type PendingSend } from "./produce/record-producer";
import { Spool } from "./spool";
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
 * Spool lines per request to the secondary: their records take about three quarters of it
 * (base64), below the 1 MiB a Kafka broker accepts per batch by default (message.max.bytes).
 */
const REQUEST_LINE_BYTES = 1024 * 1024;

type Cursor = ReturnType<Spool<SpooledRecord>["peek"]>["next"];

export class SecondaryForwarder {
  private readonly producer: RecordProducer;
  private readonly spool: Spool<SpooledRecord>;
  private readonly replayedAtStart: number;
  private readonly partitionOf = defaultPartitioner();
  private readonly timer: NodeJS.Timeout;
  private forwarding: Promise<void> | undefined;
  private connected = false;
  /** A request that failed, resent as it is before anything newer. */
  private unfinished: { readonly send: PendingSend; readonly next: Cursor } | undefined;
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
          this.unfinished ??= await this.nextRequest();
          await this.producer.deliver(this.unfinished.send);
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

  /** The oldest spooled messages, one topic, as one request. */
  private async nextRequest(): Promise<{ send: PendingSend; next: Cursor }> {
    // Fewer, larger requests cost the secondary broker and this process far less CPU.
    if (this.spool.waitingMessages < this.options.replayBatchSize && this.options.lingerMs > 0)
      await sleep(this.options.lingerMs);
    const { messages, next } = this.spool.peek(this.options.replayBatchSize, REQUEST_LINE_BYTES);
    const topic = messages[0].topic;
    // Only lines of the first spool format can lack a partition: placed by key, as kafkajs did.
    const unplaced = messages.some((m) => m.partition === undefined);
    const partitions = unplaced ? await this.producer.partitions(topic) : [];
    const placed = groupByPartition(
      messages,
      (m) => m.partition ?? this.partitionOf(topic, partitions, m.key),
    );
    return { send: await this.producer.prepare(topic, placed), next };
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
