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
    this.count++;
    return this.batch[this.index++];
  }
}

/** A set that forgets its oldest entries beyond a size. */
class RecentSet {
  private readonly items = new Set<string>();
  constructor(private readonly limit: number) {}
  add(id: string): void {
    this.items.add(id);
    if (this.items.size > this.limit) this.items.delete(this.items.values().next().value!);
  }
  has(id: string): boolean {
    return this.items.has(id);
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
  // Target messages read ahead and not matched yet, in target order, with their position.
  const ahead = new Map<string, { offset: bigint; position: number }>();
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
    const [id, item] = ahead.entries().next().value!;
    ahead.delete(id);
    if (!anyMatch && options.sourceTrimmed) counts.trimmedByRetention++;
    else {
      counts.extra++;
      note("extra", { id, offset: item.offset });
    }
  };
  // The first match on a source whose log start moved: target messages before it are older
  // than anything the source still holds.
  const trimLeadingAhead = (position: number) => {
    for (const [id, item] of ahead) {
      if (item.position >= position) break;
      ahead.delete(id);
      counts.trimmedByRetention++;
    }
  };
  const readTarget = async (): Promise<boolean> => {
    const item = await targetPull.next();
    if (!item) return false;
    if (ahead.has(item.id) || recentlyMatched.has(item.id)) counts.duplicatesOnTarget++;
    else {
      ahead.set(item.id, { offset: item.offset, position: targetPosition });
      if (ahead.size > window) dropOldestAhead();
    }
    targetPosition++;
    return true;
  };

  for (let item = await sourcePull.next(); item; item = await sourcePull.next()) {
    let lookedAhead = 0;
    while (!ahead.has(item.id) && lookedAhead < window && (await readTarget())) lookedAhead++;
    const found = ahead.get(item.id);
    if (found) {
      if (!anyMatch && options.sourceTrimmed) trimLeadingAhead(found.position);
      ahead.delete(item.id);
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
  while (await readTarget());
  while (ahead.size > 0) dropOldestAhead();
  return {
    sourceMessages: sourcePull.count,
    targetMessages: targetPull.count,
    ...counts,
    examples,
  };
}
