/**
 * The primary's side of dual publishing: one produce request in flight per topic.
 *
 * Publishes that arrive while a request is in flight wait and go together in the next one (one
 * batch per partition, in the order they arrived). So the primary assigns each partition's
 * offsets in the order the outcomes come back, and the secondary, which is sent acknowledged
 * intents in that order, gets every partition in the primary's order even with many concurrent
 * publishing loops. A failed partition is retried within its request, before anything newer.
 *
 * Each publish waits at most `timeoutMs`. One that was still queued then is never sent; one in
 * flight keeps its request's real outcome, which is what decides whether it is forwarded.
 */
import type { RecordEntry } from "./produce/record-batch";
import { recordBudget, recordBytesBound } from "./produce/record-batch";
import type { RecordProducer } from "./produce/record-producer";

/** One publish()'s records for one partition, and the journal's number for them. */
export interface LaneBatch {
  readonly seq: number;
  readonly partition: number;
  readonly records: readonly RecordEntry[];
}

/** The primary's answer for one batch: where it wrote it, or why it did not. */
export type Outcome =
  | { readonly seq: number; readonly offset: bigint }
  | { readonly seq: number; readonly error: Error };

interface Entry {
  readonly batches: readonly LaneBatch[];
  readonly settle: (outcomes: Outcome[]) => void;
  /** Set when its publish gave up waiting before it was sent. */
  expired: boolean;
}

/** A publish handed to the lane. */
export interface Submitted {
  readonly topic: string;
  /** Settles with the primary's real answer, however long it takes. */
  readonly outcome: Promise<Outcome[]>;
  readonly entry: Entry;
}

/** At most this many publishes share one request. */
const MAX_ENTRIES_PER_REQUEST = 256;

export class PrimaryLane {
  private readonly queues = new Map<string, Entry[]>();
  private readonly running = new Set<string>();

  constructor(
    private readonly producer: RecordProducer,
    private readonly timeoutMs: number,
  ) {}

  /** Queues the batches for the primary. */
  submit(topic: string, batches: readonly LaneBatch[]): Submitted {
    let settle!: (outcomes: Outcome[]) => void;
    const outcome = new Promise<Outcome[]>((resolve) => (settle = resolve));
    const entry: Entry = { batches, settle, expired: false };
    const queue = this.queues.get(topic) ?? [];
    queue.push(entry);
    this.queues.set(topic, queue);
    if (!this.running.has(topic)) void this.run(topic);
    return { topic, outcome, entry };
  }

  /**
   * Waits for the outcome at most `timeoutMs`; a publish still queued then is withdrawn (it is
   * refused without being sent).
   */
  async within(submitted: Submitted): Promise<Outcome[]> {
    const { topic } = submitted;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">(
      (resolve) => (timer = setTimeout(() => resolve("late"), this.timeoutMs)),
    );
    try {
      const result = await Promise.race([submitted.outcome, late]);
      if (result !== "late") return result;
    } finally {
      clearTimeout(timer);
    }
    submitted.entry.expired = true; // never sent if still queued; ignored once in flight
    throw new Error(
      `the primary did not answer within ${this.timeoutMs} ms (primaryTimeoutMs) for topic "${topic}"; ` +
        "whether it wrote these messages is unknown: they reach the secondary only if the primary " +
        "acknowledges them. Retry with the same messageIds once the primary is back",
    );
  }

  private async run(topic: string): Promise<void> {
    this.running.add(topic);
    try {
      const queue = this.queues.get(topic)!;
      while (queue.length > 0) {
        const taken = await this.take(topic, queue);
        if (taken.length === 0) continue;
        await this.send(topic, taken);
      }
    } finally {
      this.running.delete(topic);
    }
  }

  /** The next entries that fit one batch per partition within the primary's limit. */
  private async take(topic: string, queue: Entry[]): Promise<Entry[]> {
    const budget = recordBudget(await this.producer.maxBatchBytes(topic).catch(() => Infinity));
    const taken: Entry[] = [];
    const bytes = new Map<number, number>();
    while (queue.length > 0 && taken.length < MAX_ENTRIES_PER_REQUEST) {
      const entry = queue[0];
      if (entry.expired) {
        queue.shift();
        entry.settle(
          entry.batches.map(({ seq }) => ({
            seq,
            error: new Error("not sent: its publish() timed out"),
          })),
        );
        continue;
      }
      const sizes = entry.batches.map((b) => [b.partition, sumBytes(b.records)] as const);
      const fits = sizes.every(([p, n]) => (bytes.get(p) ?? 0) + n <= budget);
      if (taken.length > 0 && !fits) break;
      for (const [p, n] of sizes) bytes.set(p, (bytes.get(p) ?? 0) + n);
      taken.push(queue.shift()!);
    }
    return taken;
  }

  /** One request for the entries; each batch's outcome from its partition's answer. */
  private async send(topic: string, entries: readonly Entry[]): Promise<void> {
    const byPartition = new Map<number, RecordEntry[]>();
    for (const { batches } of entries)
      for (const { partition, records } of batches) {
        const list = byPartition.get(partition) ?? [];
        list.push(...records);
        byPartition.set(partition, list);
      }
    let error: Error | undefined;
    let sent: Awaited<ReturnType<RecordProducer["prepare"]>> | undefined;
    try {
      sent = await this.producer.prepare(topic, byPartition);
      await this.producer.deliver(sent);
    } catch (failure) {
      error = failure as Error;
    }
    const placed = new Map<number, bigint>(); // next offset per partition
    for (const batch of sent?.batches ?? [])
      if (batch.acknowledged && batch.baseOffset !== undefined && batch.baseOffset >= 0n)
        placed.set(batch.partition, batch.baseOffset);
    for (const entry of entries)
      entry.settle(
        entry.batches.map(({ seq, partition, records }) => {
          const offset = placed.get(partition);
          if (offset === undefined)
            return {
              seq,
              error:
                error ??
                new Error(`the primary acknowledged partition ${partition} without an offset`),
            };
          placed.set(partition, offset + BigInt(records.length));
          return { seq, offset };
        }),
      );
  }
}

const sumBytes = (records: readonly RecordEntry[]) =>
  records.reduce((n, r) => n + recordBytesBound(r.tail), 0);
