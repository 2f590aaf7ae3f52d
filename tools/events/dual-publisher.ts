/**
 * Publishes every message to both clusters (phase dual-publish of the events path).
 *
 * - Same key, value, headers and timestamp on both sides, plus a stable message-id header.
 * - The primary's acknowledgement decides success: publish() rejects only when the primary did.
 * - Write-ahead for the secondary: each batch is appended to a durable local spool (synced to
 *   disk) while the primary request is in flight, and a forwarder sends the spool to the secondary in order,
 *   in large batches. publish() so waits for the primary and a local fsync, not for a second
 *   cluster; a secondary that is down only makes the spool grow, and nothing is lost when this
 *   process dies, because the next publisher on the same folder forwards what is left.
 * - Order per key holds on both sides: the spool is one FIFO and the forwarder sends one request
 *   at a time through an idempotent producer.
 * - While the secondary is healthy, publish() waits once the lag passes `maxLag`, so consumers
 *   already on the secondary stay close to real time.
 *
 * If the primary fails a batch, it is still forwarded to the secondary: a retry with the same
 * messageId makes it a recognisable duplicate there, which `events verify` reports.
 */
import type { CompressionTypes, Kafka, Message, Producer, ProducerConfig } from "kafkajs";
import { MESSAGE_ID_HEADER, newMessageId } from "./message-id";
import { Spool, type SpooledMessage } from "./spool";

export interface DualPublisherOptions {
  /** The cluster whose acknowledgement decides success (Redpanda while dual publishing). */
  readonly primary: Kafka;
  readonly secondary: Kafka;
  /** Folder of the durable spool; one publisher process per folder. */
  readonly spoolDir: string;
  /** Producer settings used for both clusters. @default kafkajs defaults */
  readonly producer?: ProducerConfig;
  /** Acks requested from both clusters. @default -1 (all in-sync replicas) */
  readonly acks?: number;
  readonly compression?: CompressionTypes;
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
   * Retries of one request to the secondary before the forwarder backs off for
   * `replayIntervalMs`. @default 1
   */
  readonly secondaryRetries?: number;
  /** Idempotent producer for the secondary (needs acks -1). @default true */
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
  private readonly primary: Producer;
  private readonly secondary: Producer;
  private readonly spool: Spool;
  private readonly acks: number;
  private readonly replayBatchSize: number;
  private readonly maxLag: number;
  private readonly lingerMs: number;
  private forwarding: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private counts = { sent: 0, acknowledged: 0, primaryFailed: 0, spooled: 0, secondaryFailures: 0 };
  private readonly replayedAtStart: number;
  /** The last failed request to the secondary, until one succeeds. */
  private secondaryFailure: { readonly error: unknown } | undefined;

  constructor(private readonly options: DualPublisherOptions) {
    this.primary = options.primary.producer(options.producer);
    // Idempotent, so a request that failed on our side but landed on the broker (an outage
    // mid-request) is not written twice when kafkajs or the forwarder sends it again.
    const idempotent = options.secondaryIdempotent ?? true;
    this.secondary = options.secondary.producer({
      ...options.producer,
      idempotent,
      maxInFlightRequests: idempotent ? 1 : options.producer?.maxInFlightRequests,
      retry: { ...options.producer?.retry, retries: options.secondaryRetries ?? 1 },
    });
    this.spool = new Spool(options.spoolDir);
    this.replayedAtStart = this.spool.replayed;
    this.acks = options.acks ?? -1;
    this.replayBatchSize = options.replayBatchSize ?? 1000;
    this.maxLag = options.maxLag ?? 10_000;
    this.lingerMs = options.secondaryLingerMs ?? 20;
    this.timer = setInterval(() => void this.forward(), options.replayIntervalMs ?? 1000);
    this.timer.unref();
  }

  /** Connects the primary; a secondary that cannot be reached now is caught up later. */
  async connect(): Promise<void> {
    await this.primary.connect();
    await this.secondary.connect().catch((error: unknown) => this.markFailed(error));
    void this.forward(); // whatever an earlier run left in the spool
  }

  /** Publishes to both clusters; resolves with the message ids once the primary acknowledged. */
  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<string[]> {
    const prepared = messages.map(prepare);
    this.counts.sent += prepared.length;
    const toPrimary = this.primary.send({
      topic,
      messages: prepared.map(toKafkaMessage),
      acks: this.acks,
      compression: this.options.compression,
    });
    // The local write and sync run off the event loop, overlapping the primary's round trip.
    const toSpool = this.spool.append(prepared.map((m) => toSpooled(topic, m)));
    const [primary, spooled] = await Promise.allSettled([toPrimary, toSpool]);
    // Not durable for the secondary: refuse, even if the primary took it. A retry with the same
    // ids is then a recognisable duplicate on the primary.
    if (spooled.status === "rejected") throw spooled.reason;
    this.counts.spooled += prepared.length;
    if (this.secondaryHealthy) void this.forward(); // a failing one is retried by the timer
    if (primary.status === "rejected") {
      this.counts.primaryFailed += prepared.length;
      throw primary.reason;
    }
    this.counts.acknowledged += prepared.length;
    while (this.secondaryHealthy && this.spool.waitingMessages > this.maxLag) await this.forward();
    return prepared.map((m) => m.headers[MESSAGE_ID_HEADER]);
  }

  private get secondaryHealthy(): boolean {
    return this.secondaryFailure === undefined;
  }

  get counters(): DualPublisherCounters {
    const replayed = this.spool.replayed - this.replayedAtStart;
    return { ...this.counts, replayed, lag: this.spool.waitingMessages };
  }

  /** The error of the last failed request to the secondary, while the spool is not empty. */
  get replayError(): unknown {
    return this.spool.pending ? this.secondaryFailure?.error : undefined;
  }

  /** Forwards the spool until it is empty or the time is up; true when it is empty. */
  async drain(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.spool.pending && Date.now() < deadline) {
      await this.forward();
      if (this.spool.pending) await new Promise((r) => setTimeout(r, 200));
    }
    return !this.spool.pending;
  }

  /**
   * Forwards what it can within `drainTimeoutMs`, then disconnects; what is still spooled stays
   * on disk for the next publisher on this folder.
   */
  async close(drainTimeoutMs = 10_000): Promise<void> {
    clearInterval(this.timer);
    await this.forward(); // one more attempt, also when the last one failed
    if (this.secondaryHealthy) await this.drain(drainTimeoutMs);
    await this.forwarding;
    await Promise.allSettled([this.primary.disconnect(), this.secondary.disconnect()]);
    await this.spool.close();
  }

  /** One forwarder at a time: it sends the spool in order until it is empty or a request fails. */
  private forward(): Promise<void> {
    if (this.forwarding || !this.spool.pending) return this.forwarding ?? Promise.resolve();
    this.forwarding = (async () => {
      try {
        while (this.spool.pending) {
          // Fewer, larger requests cost the secondary broker and this process far less CPU.
          if (this.spool.waitingMessages < this.replayBatchSize && this.lingerMs > 0)
            await new Promise((r) => setTimeout(r, this.lingerMs));
          const { messages, next } = this.spool.peek(this.replayBatchSize);
          await this.secondary.sendBatch({
            topicMessages: [{ topic: messages[0].topic, messages: messages.map(fromSpooled) }],
            acks: this.acks,
            compression: this.options.compression,
          });
          this.spool.commit(next);
          this.secondaryFailure = undefined;
        }
      } catch (error) {
        this.markFailed(error); // the timer tries again
      } finally {
        this.forwarding = undefined;
      }
    })();
    return this.forwarding;
  }

  private markFailed(error: unknown): void {
    this.secondaryFailure = { error };
    this.counts.secondaryFailures++;
  }
}

interface PreparedMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
  readonly partition?: number;
  readonly timestamp: string;
}

function prepare(message: OutgoingMessage): PreparedMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {}))
    headers[name] = typeof value === "string" ? value : value.toString("utf8");
  headers[MESSAGE_ID_HEADER] = message.messageId ?? newMessageId();
  return {
    key: toBuffer(message.key),
    value: toBuffer(message.value),
    headers,
    partition: message.partition,
    timestamp: message.timestamp ?? String(Date.now()),
  };
}

function toBuffer(value: string | Buffer | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? Buffer.from(value, "utf8") : value;
}

function toKafkaMessage(m: PreparedMessage): Message {
  return {
    key: m.key,
    value: m.value,
    headers: m.headers,
    partition: m.partition,
    timestamp: m.timestamp,
  };
}

function toSpooled(topic: string, m: PreparedMessage): SpooledMessage {
  return {
    topic,
    partition: m.partition,
    key: m.key === null ? null : m.key.toString("base64"),
    value: m.value === null ? null : m.value.toString("base64"),
    headers: m.headers,
    timestamp: m.timestamp,
  };
}

function fromSpooled(m: SpooledMessage): Message {
  return {
    key: m.key === null ? null : Buffer.from(m.key, "base64"),
    value: m.value === null ? null : Buffer.from(m.value, "base64"),
    headers: { ...m.headers },
    partition: m.partition,
    timestamp: m.timestamp,
  };
}
