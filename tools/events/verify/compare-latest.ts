/**
 * For compacted topics: compaction runs at different times on the two clusters, so the logs
 * legitimately differ. What must agree is the latest value per key (a null value, a tombstone,
 * means the key is gone). Memory grows with the number of distinct keys, not messages.
 */
import type { ReadMessage } from "../partition-reader";
import { contentHash } from "./identity";
import type { Example } from "./compare-log";

export interface LatestComparison {
  readonly sourceKeys: number;
  readonly targetKeys: number;
  readonly matched: number;
  /** Keys whose latest value on the source is absent on the target. */
  readonly missing: number;
  /** Keys live on the target but not on the source. */
  readonly extra: number;
  /** Keys present on both with a different latest value. */
  readonly differing: number;
  readonly examples: {
    readonly missing: readonly Example[];
    readonly extra: readonly Example[];
    readonly differing: readonly Example[];
  };
}

interface Latest {
  readonly valueHash: string;
  readonly offset: bigint;
}

export async function latestPerKey(
  batches: AsyncIterable<readonly ReadMessage[]>,
): Promise<Map<string, Latest>> {
  const latest = new Map<string, Latest>();
  for await (const batch of batches)
    for (const message of batch) {
      const key = message.key === null ? "\u0000null" : message.key.toString("base64");
      if (message.value === null) latest.delete(key);
      else latest.set(key, { valueHash: contentHash(null, message.value), offset: message.offset });
    }
  return latest;
}

export function compareLatest(
  source: ReadonlyMap<string, Latest>,
  target: ReadonlyMap<string, Latest>,
  exampleLimit = 5,
): LatestComparison {
  const examples = { missing: [] as Example[], extra: [] as Example[], differing: [] as Example[] };
  const note = (kind: keyof typeof examples, key: string, offset: bigint) => {
    if (examples[kind].length < exampleLimit)
      examples[kind].push({ id: `key:${key}`, offset: offset.toString() });
  };
  let matched = 0;
  let missing = 0;
  let differing = 0;
  for (const [key, value] of source) {
    const other = target.get(key);
    if (!other) {
      missing++;
      note("missing", key, value.offset);
    } else if (other.valueHash !== value.valueHash) {
      differing++;
      note("differing", key, value.offset);
    } else matched++;
  }
  let extra = 0;
  for (const [key, value] of target)
    if (!source.has(key)) {
      extra++;
      note("extra", key, value.offset);
    }
  return {
    sourceKeys: source.size,
    targetKeys: target.size,
    matched,
    missing,
    extra,
    differing,
    examples,
  };
}
