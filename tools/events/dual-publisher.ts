/**
 * Publishes every message to both clusters (phase dual-publish of the events path).
 *
 * - Same key, value, headers and timestamp on both sides, plus a stable message-id header.
 * - The primary's acknowledgement decides success: publish() rejects only when the primary did.
 * - The secondary never loses a message: when it fails, the message goes to a durable local
 *   spool (fsync'd before publish() returns) and is replayed in order once the secondary is back.
 * - Order per key holds on both sides: while anything is spooled, every later message queues
 *   behind it in the spool, and sends to the secondary are serialised.
 *
 * publish() returns when the primary acknowledged and the secondary either acknowledged or the
 * message is on disk in the spool. If the primary fails while the secondary took the message,
 * the secondary holds one the primary does not; a retry with the same messageId makes that a
 * recognisable duplicate, which `events verify` reports.
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
  /** How often a non-empty spool is retried. @default 1000 */
  readonly replayIntervalMs?: number;
  /** Messages per replay request. @default 500 */
  readonly replayBatchSize?: number;
  /**
   * Retries of one send to the secondary before it is spooled; kept low so a down secondary
   * does not hold up the primary path. @default 1
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
  /** Acknowledged by the secondary directly (not through the spool). */
  readonly secondaryAcknowledged: number;
  readonly spooled: number;
  readonly replayed: number;
  /** Messages in the spool, not yet on the secondary. */
  readonly lag: number;
}

export class DualPublisher {
  private readonly primary: Producer;
  private readonly secondary: Producer;
  private readonly spool: Spool;
  private readonly acks: number;
  private readonly replayBatchSize: number;
  private secondaryQueue: Promise<void> = Promise.resolve();
  private replaying: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private counts = {
    sent: 0,
    acknowledged: 0,
    primaryFailed: 0,
    secondaryAcknowledged: 0,
    spooled: 0,
  };
  private readonly replayedAtStart: number;
  private lastReplayError: unknown;

  constructor(private readonly options: DualPublisherOptions) {
    this.primary = options.primary.producer(options.producer);
    // Idempotent, so a send that failed on our side but landed on the broker (an outage
    // mid-request) is not written twice when kafkajs or the replay sends it again.
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
    this.replayBatchSize = options.replayBatchSize ?? 500;
    this.timer = setInterval(() => void this.replay(), options.replayIntervalMs ?? 1000);
    this.timer.unref();
  }

  /** Connects the primary; a secondary that cannot be reached now is spooled for later. */
  async connect(): Promise<void> {
    await this.primary.connect();
    await this.secondary.connect().catch(() => undefined);
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
    const toSecondary = this.enqueueSecondary(topic, prepared);
    const [primary, secondary] = await Promise.allSettled([toPrimary, toSecondary]);
    if (secondary.status === "rejected") throw secondary.reason; // the spool could not be written
    if (primary.status === "rejected") {
      this.counts.primaryFailed += prepared.length;
      throw primary.reason;
    }
    this.counts.acknowledged += prepared.length;
    return prepared.map((m) => m.headers[MESSAGE_ID_HEADER]);
  }

  get counters(): DualPublisherCounters {
    const replayed = this.spool.replayed - this.replayedAtStart;
    return { ...this.counts, replayed, lag: this.spool.waitingMessages };
  }

  /** The error of the last failed replay attempt, if the spool is still not empty. */
  get replayError(): unknown {
    return this.spool.pending ? this.lastReplayError : undefined;
  }

  /** Replays the spool until it is empty or the time is up; true when it is empty. */
  async drain(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    await this.secondaryQueue;
    while (this.spool.pending && Date.now() < deadline) {
      await this.replay();
      if (this.spool.pending) await new Promise((r) => setTimeout(r, 200));
    }
    return !this.spool.pending;
  }

  /** Stops replaying and disconnects; what is still spooled stays on disk for the next start. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.secondaryQueue;
    await this.replaying;
    await Promise.allSettled([this.primary.disconnect(), this.secondary.disconnect()]);
    this.spool.close();
  }

  private enqueueSecondary(topic: string, prepared: readonly PreparedMessage[]): Promise<void> {
    const step = this.secondaryQueue.then(async () => {
      if (!this.spool.pending) {
        try {
          await this.secondary.send({
            topic,
            messages: prepared.map(toKafkaMessage),
            acks: this.acks,
            compression: this.options.compression,
          });
          this.counts.secondaryAcknowledged += prepared.length;
          return;
        } catch {
          // Fall through to the spool: the secondary is down or refused; replay retries it.
        }
      }
      this.spool.append(prepared.map((m) => toSpooled(topic, m)));
      this.counts.spooled += prepared.length;
    });
    // The queue continues after a failed spool write; that publish() call rejects on its own.
    this.secondaryQueue = step.catch(() => undefined);
    return step;
  }

  private replay(): Promise<void> {
    if (this.replaying || !this.spool.pending) return this.replaying ?? Promise.resolve();
    this.replaying = (async () => {
      try {
        while (this.spool.pending) {
          const { messages, next } = this.spool.peek(this.replayBatchSize);
          await this.secondary.sendBatch({
            topicMessages: [{ topic: messages[0].topic, messages: messages.map(fromSpooled) }],
            acks: this.acks,
            compression: this.options.compression,
          });
          this.spool.commit(next);
        }
        this.lastReplayError = undefined;
      } catch (error) {
        this.lastReplayError = error; // still down: the next tick tries again
      } finally {
        this.replaying = undefined;
      }
    })();
    return this.replaying;
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
