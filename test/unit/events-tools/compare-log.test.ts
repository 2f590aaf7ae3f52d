import { describe, expect, it } from "vitest";
import { compareLogs, type CompareOptions } from "../../../tools/events/verify/compare-log";
import type { Identified } from "../../../tools/events/verify/identity";

/** "a b c" -> batches of identities with offsets 0, 1, 2 (split into batches of two). */
// eslint-disable-next-line @typescript-eslint/require-await -- an async stream, like the reader's
async function* log(ids: string): AsyncGenerator<readonly Identified[]> {
  const items = ids
    .split(" ")
    .filter(Boolean)
    .map((id, i) => ({ id, offset: BigInt(i) }));
  for (let i = 0; i < items.length; i += 2) yield items.slice(i, i + 2);
}

const compare = (source: string, target: string, options: CompareOptions = {}) =>
  compareLogs(log(source), log(target), options);

describe("compareLogs", () => {
  it.each([
    // [case, source, target, expected counts]
    ["identical", "a b c d", "a b c d", { matched: 4, missing: 0, extra: 0, reordered: 0 }],
    ["both empty", "", "", { matched: 0, missing: 0, extra: 0, reordered: 0 }],
    [
      "one lost in the middle",
      "a b c d",
      "a b d",
      { matched: 3, missing: 1, extra: 0, reordered: 0 },
    ],
    ["lost at the end", "a b c d", "a b", { matched: 2, missing: 2, extra: 0, reordered: 0 }],
    ["extra on target", "a b c", "a x b c y", { matched: 3, missing: 0, extra: 2, reordered: 0 }],
    ["two swapped", "a b c d", "a c b d", { matched: 4, missing: 0, extra: 0, reordered: 1 }],
    ["target empty", "a b", "", { matched: 0, missing: 2, extra: 0, reordered: 0 }],
  ])("%s", async (_case, source, target, expected) => {
    expect(await compare(source, target)).toMatchObject(expected);
  });

  it("names examples with id and offset", async () => {
    const result = await compare("a b c d", "a x c d b");
    expect(result.examples).toEqual({
      missing: [],
      extra: [{ id: "x", offset: "1" }],
      // b arrived late, so c and d came before a message that precedes them on the source.
      reordered: [
        { id: "c", offset: "2" },
        { id: "d", offset: "3" },
      ],
    });
    expect(result).toMatchObject({ sourceMessages: 4, targetMessages: 5, matched: 4 });
  });

  it("counts a replayed duplicate on the target as a duplicate, not as extra", async () => {
    expect(await compare("a b c", "a b b c")).toMatchObject({
      matched: 3,
      extra: 0,
      duplicatesOnTarget: 1,
    });
  });

  it("treats target messages before the first match as trimmed when the source log start moved", async () => {
    expect(await compare("c d", "a b c d", { sourceTrimmed: true })).toMatchObject({
      matched: 2,
      extra: 0,
      trimmedByRetention: 2,
    });
    expect(await compare("c d", "a b c d")).toMatchObject({ extra: 2, trimmedByRetention: 0 });
  });

  it("treats source messages before the first match as trimmed when the target log start moved", async () => {
    expect(await compare("a b c d", "c d", { targetTrimmed: true })).toMatchObject({
      matched: 2,
      missing: 0,
      trimmedByRetention: 2,
    });
  });

  it("keeps memory bounded: beyond the window a displaced message is missing plus extra", async () => {
    // "a" moved four places on the target; a window of 2 cannot see it.
    const result = await compare("a b c d e", "b c d e a", { window: 2 });
    expect(result).toMatchObject({ missing: 1, extra: 1, matched: 4 });
    expect(await compare("a b c d e", "b c d e a", { window: 10 })).toMatchObject({
      missing: 0,
      extra: 0,
      reordered: 4,
    });
  });

  it("keeps at most the asked number of examples", async () => {
    const result = await compare("a b c d e f", "", { examples: 2 });
    expect(result.missing).toBe(6);
    expect(result.examples.missing.map((e) => e.id)).toEqual(["a", "b"]);
  });
});
