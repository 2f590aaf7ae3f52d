/**
 * Proves, in bounded memory, that every message of a source range is in the target range, and
 * in the same order. Both ranges are streamed once, source-driven: for each source message the
 * target is read ahead (at most `window` messages) until the same identity shows up.
 *
 * A message counts as reordered when the target holds it before a message that precedes it on
 * the source (so one message moved back by two blames the two it jumped over).
 *
 * Limits, by design: a message displaced by more than `window` positions counts as missing on
 * one side and extra on the other; duplicates are recognised when the first copy was seen within
 * the last `window` matches. Offsets are never compared, so gaps left by transaction markers,
 * aborted records or compaction do not matter.
 */
import type { Identified } from "./identity";

export interface CompareOptions {
  /** Look-ahead and memory bound, in messages per side. @default 10_000 */
  readonly window?: number;
  /** Examples kept per kind of finding. @default 5 */
  readonly examples?: number;
  /** The source log start moved past the range start: leading target extras are trimmed, not extra. */
  readonly sourceTrimmed?: boolean;
  /** The target log start moved: leading source messages with no match are trimmed, not missing. */
  readonly targetTrimmed?: boolean;
}

export interface Example {
  readonly id: string;
  readonly offset: string;
}

export interface LogComparison {
  readonly sourceMessages: number;
  readonly targetMessages: number;
  readonly matched: number;
  readonly missing: number;
  readonly extra: number;
  readonly reordered: number;
  readonly duplicatesOnSource: number;
  readonly duplicatesOnTarget: number;
  /** Messages outside the other side's retained log (before its log start). */
  readonly trimmedByRetention: number;
  readonly examples: {
    readonly missing: readonly Example[];
    readonly extra: readonly Example[];
    readonly reordered: readonly Example[];
  };
}

/** Pulls items one by one out of a stream of batches. */
class Pull {
  private batch: readonly Identified[] = [];
  private index = 0;
  private done = false;
  count = 0;
  constructor(private readonly batches: AsyncIterator<readonly Identified[]>) {}

  /** The next item of the current batch, without a promise per item (most calls). */
  take(): Identified | undefined {
    if (this.index >= this.batch.length) return undefined;
    this.count++;
    return this.batch[this.index++];
  }

  /** The next item, reading batches as needed; undefined at the end of the stream. */
  async next(): Promise<Identified | undefined> {
    while (this.index >= this.batch.length) {
      if (this.done) return undefined;
      const result = await this.batches.next();
      if (result.done) {
        this.done = true;
        return undefined;
      }
      this.batch = result.value;
      this.index = 0;
    }
    return this.take();
  }
}

// Both structures below evict their oldest entry through a queue of their own: in V8, taking a
// Map's or Set's first entry after many deletes walks every deleted slot kept until the next
// rehash, which made each eviction cost O(window) and dominated the whole comparison.

/** A set that forgets its oldest entries beyond a size. */
class RecentSet {
  private readonly items = new Set<string>();
  /** A ring of the ids in insertion order; `next` is the oldest once it is full. */
  private readonly order: string[] = [];
  private next = 0;
  private readonly limit: number;
  constructor(limit: number) {
    this.limit = Math.floor(limit);
  }
  add(id: string): void {
    if (this.limit <= 0 || this.items.has(id)) return;
    if (this.order.length < this.limit) this.order.push(id);
    else {
      this.items.delete(this.order[this.next]);
      this.order[this.next] = id;
      this.next = (this.next + 1) % this.limit;
    }
    this.items.add(id);
  }
  has(id: string): boolean {
    return this.items.has(id);
  }
}

interface Pending {
  readonly id: string;
  readonly offset: bigint;
  readonly position: number;
}

/** Target messages read ahead and not matched yet, by id and in target order. */
class Ahead {
  private readonly byId = new Map<string, Pending>();
  /** In target order; entries no longer in `byId` (matched or dropped) are skipped. */
  private queue: Pending[] = [];
  private head = 0;
  get size(): number {
    return this.byId.size;
  }
  get(id: string): Pending | undefined {
    return this.byId.get(id);
  }
  add(pending: Pending): void {
    this.byId.set(pending.id, pending);
    this.queue.push(pending);
  }
  delete(pending: Pending): void {
    this.byId.delete(pending.id);
    // Drop the skipped entries once they are the majority, so the queue stays O(window).
    if (this.queue.length > 64 && this.queue.length > 2 * this.byId.size) {
      this.queue = this.queue.slice(this.head).filter((p) => this.byId.get(p.id) === p);
      this.head = 0;
    }
  }
  oldest(): Pending | undefined {
    for (; this.head < this.queue.length; this.head++) {
      const pending = this.queue[this.head];
      if (this.byId.get(pending.id) === pending) return pending;
    }
    return undefined;
  }
}

export async function compareLogs(
  source: AsyncIterable<readonly Identified[]>,
  target: AsyncIterable<readonly Identified[]>,
  options: CompareOptions = {},
): Promise<LogComparison> {
  const window = options.window ?? 10_000;
  const exampleLimit = options.examples ?? 5;
  const sourcePull = new Pull(source[Symbol.asyncIterator]());
  const targetPull = new Pull(target[Symbol.asyncIterator]());
  const ahead = new Ahead();
  const recentlyMatched = new RecentSet(window);
  let targetPosition = 0;
  let highestMatchedPosition = -1;
  let anyMatch = false;
  const counts = {
    matched: 0,
    missing: 0,
    extra: 0,
    reordered: 0,
    duplicatesOnSource: 0,
    duplicatesOnTarget: 0,
    trimmedByRetention: 0,
  };
  const examples = { missing: [] as Example[], extra: [] as Example[], reordered: [] as Example[] };
  const note = (kind: keyof typeof examples, item: { id: string; offset: bigint }) => {
    if (examples[kind].length < exampleLimit)
      examples[kind].push({ id: item.id, offset: item.offset.toString() });
  };
  const dropOldestAhead = () => {
    const item = ahead.oldest()!;
    ahead.delete(item);
    if (!anyMatch && options.sourceTrimmed) counts.trimmedByRetention++;
    else {
      counts.extra++;
      note("extra", item);
    }
  };
  // The first match on a source whose log start moved: target messages before it are older
  // than anything the source still holds.
  const trimLeadingAhead = (position: number) => {
    for (let item = ahead.oldest(); item && item.position < position; item = ahead.oldest()) {
      ahead.delete(item);
      counts.trimmedByRetention++;
    }
  };
  const addTarget = (item: Identified) => {
    if (ahead.get(item.id) || recentlyMatched.has(item.id)) counts.duplicatesOnTarget++;
    else {
      ahead.add({ id: item.id, offset: item.offset, position: targetPosition });
      if (ahead.size > window) dropOldestAhead();
    }
    targetPosition++;
  };

  // `take() ?? await next()`: a promise only when a batch runs out, not one per message.
  for (;;) {
    const item = sourcePull.take() ?? (await sourcePull.next());
    if (!item) break;
    let found = ahead.get(item.id);
    for (let lookedAhead = 0; !found && lookedAhead < window; lookedAhead++) {
      const next = targetPull.take() ?? (await targetPull.next());
      if (!next) break;
      addTarget(next);
      found = ahead.get(item.id);
    }
    if (found) {
      if (!anyMatch && options.sourceTrimmed) trimLeadingAhead(found.position);
      ahead.delete(found);
      recentlyMatched.add(item.id);
      counts.matched++;
      anyMatch = true;
      if (found.position < highestMatchedPosition) {
        counts.reordered++;
        note("reordered", item);
      } else highestMatchedPosition = found.position;
    } else if (recentlyMatched.has(item.id)) {
      counts.duplicatesOnSource++;
    } else if (!anyMatch && options.targetTrimmed) {
      counts.trimmedByRetention++;
    } else {
      counts.missing++;
      note("missing", item);
    }
  }
  for (;;) {
    const next = targetPull.take() ?? (await targetPull.next());
    if (!next) break;
    addTarget(next);
  }
  while (ahead.size > 0) dropOldestAhead();
  return {
    sourceMessages: sourcePull.count,
    targetMessages: targetPull.count,
    ...counts,
    examples,
  };
}
