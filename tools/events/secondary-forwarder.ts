/**
 * The secondary's half of dual publishing: sends what the primary acknowledged, in the order it
 * acknowledged it (the journal's ack lines), to the secondary cluster, one request at a time,
 * idempotent, resending a failed request byte for byte before anything newer.
 *
 * Nothing here is ever awaited by publish(). The secondary counts as failing from the first
 * request that fails or takes longer than `forwardTimeoutMs`, whatever the client's own retry
 * settings; a timer tries again every `replayIntervalMs`. The journal's cursor is persisted after
 * every request the secondary acknowledged, so a crash sends at most one request again.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { CompressionTypes, Kafka } from "kafkajs";
import type { PublishJournal } from "./publish-journal";
import { recordBudget, recordBytesBound, type RecordEntry } from "./produce/record-batch";
import {
  groupByPartition,
  RecordProducer,
  refusedAsTooLarge,
  type PendingSend,
} from "./produce/record-producer";

export interface ForwarderOptions {
  readonly acks: number;
  readonly compression?: CompressionTypes;
  readonly idempotent: boolean;
  readonly retries: number;
  readonly replayIntervalMs: number;
  readonly replayBatchSize: number;
  readonly lingerMs: number;
  readonly forwardTimeoutMs: number;
}

/** What the publisher reports of the secondary. */
export interface SecondaryState {
  /** Messages not yet on the secondary (including any left by an earlier run). */
  readonly lag: number;
  /** Acknowledged by the secondary since this forwarder started. */
  readonly replayed: number;
  /** Requests to the secondary that failed or were slower than forwardTimeoutMs. */
  readonly failures: number;
  /** The last failure, while messages wait and until a request succeeds. */
  readonly failure: { readonly error: unknown } | undefined;
  /** False from the first failed or slow request until one succeeds. */
  readonly healthy: boolean;
}

/** A record on its way to the secondary. */
interface ForwardRecord extends RecordEntry {
  readonly topic: string;
  readonly partition: number;
}

const recordBytes = (record: ForwardRecord) => recordBytesBound(record.tail);

/** One produce request to the secondary: its records by partition and their encoded batches. */
interface Request {
  readonly placed: ReadonlyMap<number, readonly ForwardRecord[]>;
  readonly send: PendingSend;
}

/** Acknowledged intents on their way: their requests, sent in order, then the cursor committed. */
interface Delivery {
  requests: Request[];
  readonly intents: number;
  readonly messages: number;
}

export class SecondaryForwarder {
  private readonly producer: RecordProducer;
  private readonly timer: NodeJS.Timeout;
  private forwarding: Promise<void> | undefined;
  private connecting: Promise<void> | undefined;
  private connected = false;
  /** A delivery that failed, resent as it is before anything newer. */
  private unfinished: Delivery | undefined;
  private failures = 0;
  private failure: { readonly error: unknown } | undefined;
  private replayed = 0;
  private closed = false;

  constructor(
    secondary: Kafka,
    private readonly journal: PublishJournal,
    private readonly options: ForwarderOptions,
  ) {
    this.producer = new RecordProducer(secondary, {
      acks: options.acks,
      compression: options.compression,
      idempotent: options.idempotent,
      retries: options.retries,
      // Short pauses: a request that still fails is retried by the timer.
      retryBackoffMs: 100,
    });
    journal.onForwardable = () => {
      if (this.healthy) void this.forward(); // a failing secondary is retried by the timer
    };
    this.timer = setInterval(() => void this.forward(), options.replayIntervalMs);
    this.timer.unref();
  }

  /** Connects in the background (never awaited by the publisher) and forwards leftovers. */
  start(): void {
    void this.forward();
  }

  /** The topic's max.message.bytes on the secondary if already read; never asks the broker. */
  knownMaxBatchBytes(topic: string): number | undefined {
    return this.producer.knownMaxBatchBytes(topic);
  }

  get state(): SecondaryState {
    return {
      lag: this.journal.waitingMessages,
      replayed: this.replayed,
      failures: this.failures,
      failure: this.journal.pending ? this.failure : undefined,
      healthy: this.healthy,
    };
  }

  /** Forwards until nothing waits or the time is up; true when nothing waits. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const waiting = () => this.journal.pending || this.forwarding !== undefined;
    while (waiting() && Date.now() < deadline) {
      await Promise.race([this.forward(), sleep(Math.max(0, deadline - Date.now()))]);
      if (waiting()) await sleep(50);
    }
    return !waiting();
  }

  /** Forwards what it can within the time, then lets go; the rest stays in the journal. */
  async close(drainTimeoutMs: number): Promise<void> {
    clearInterval(this.timer);
    // A failing secondary gets one more attempt, not the whole time.
    if (this.healthy) await this.drain(drainTimeoutMs);
    else await Promise.race([this.forward(), sleep(drainTimeoutMs)]);
    this.closed = true;
    // A request still in flight to a dead broker is not waited for beyond the drain's time.
    await Promise.race([this.forwarding, sleep(this.options.forwardTimeoutMs)]);
    // Nor is a disconnect that waits for such a request.
    await Promise.race([
      this.producer.disconnect().catch(() => undefined),
      sleep(this.options.forwardTimeoutMs),
    ]);
  }

  private get healthy(): boolean {
    return this.failure === undefined;
  }

  /** One forwarder at a time: it sends in ack order until nothing waits or a request fails. */
  private forward(): Promise<void> {
    if (this.forwarding || this.closed || !this.journal.forwardable)
      return this.forwarding ?? Promise.resolve();
    this.forwarding = (async () => {
      try {
        await this.slowIsFailing(this.ensureConnected(), "connecting to the secondary");
        while (this.journal.forwardable && !this.closed) {
          this.unfinished ??= await this.nextDelivery();
          await this.slowIsFailing(this.deliver(this.unfinished), "a request to the secondary");
          await this.journal.commitForwarded(this.unfinished.intents);
          this.replayed += this.unfinished.messages;
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

  /**
   * Waits for the step however long it takes (a second attempt alongside it would break the
   * idempotent order), but counts the secondary as failing once it takes `forwardTimeoutMs`.
   */
  private async slowIsFailing<T>(step: Promise<T>, what: string): Promise<T> {
    const ms = this.options.forwardTimeoutMs;
    const timer = setTimeout(
      () => this.markFailed(new Error(`${what} took longer than ${ms} ms (forwardTimeoutMs)`)),
      ms,
    );
    try {
      return await step;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The oldest acknowledged intents, one topic, in requests within the topic's batch limit. */
  private async nextDelivery(): Promise<Delivery> {
    // Fewer, larger requests cost the secondary broker and this process far less CPU.
    if (this.journal.waitingMessages < this.options.replayBatchSize && this.options.lingerMs > 0)
      await sleep(this.options.lingerMs);
    const intents = this.journal.peek(this.options.replayBatchSize);
    const records = intents.flatMap(({ topic, partition, records }) =>
      records.map((r): ForwardRecord => ({
        topic,
        partition,
        timestamp: r.timestamp,
        tail: r.tail,
      })),
    );
    return {
      requests: await this.requestsFor(records),
      intents: intents.length,
      messages: records.length,
    };
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

  /** Records of one topic, in ack order, as requests whose records fit the topic's limit. */
  private async requestsFor(records: readonly ForwardRecord[]): Promise<Request[]> {
    const topic = records[0].topic;
    const budget = recordBudget(await this.producer.maxBatchBytes(topic));
    const requests: Request[] = [];
    for (const chunk of chunksWithin(records, budget, recordBytes)) {
      const placed = groupByPartition(chunk, (m) => m.partition);
      requests.push({ placed, send: await this.producer.prepare(topic, placed) });
    }
    return requests;
  }

  /** One connect at a time; a failed one is tried again by the next forward. */
  private async ensureConnected(): Promise<void> {
    if (this.connected) return;
    this.connecting ??= this.producer.connect().finally(() => (this.connecting = undefined));
    await this.connecting;
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
