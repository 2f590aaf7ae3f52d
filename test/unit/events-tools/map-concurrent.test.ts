import { describe, expect, it } from "vitest";
import { mapConcurrent } from "../../../tools/events/verify/map-concurrent";

/** A promise settled from outside, so a test decides the order tasks finish in. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("mapConcurrent", () => {
  it("returns results in item order whatever order the tasks finish in", async () => {
    const gates = [0, 1, 2, 3, 4].map(() => deferred<void>());
    const finished: Array<[string, number]> = [];
    const running = mapConcurrent(
      [0, 1, 2, 3, 4],
      3,
      async (i) => {
        await gates[i].promise;
        return `r${i}`;
      },
      (result, done) => finished.push([result, done]),
    );
    for (const i of [2, 0, 4, 1, 3]) {
      gates[i].resolve();
      await tick();
    }
    expect(await running).toEqual(["r0", "r1", "r2", "r3", "r4"]);
    // Called once per item, as each finishes, with a count that goes up by one.
    expect(finished).toEqual([
      ["r2", 1],
      ["r0", 2],
      ["r4", 3],
      ["r1", 4],
      ["r3", 5],
    ]);
  });

  it.each([
    // [concurrency, items, most running at once]
    [1, 5, 1],
    [3, 10, 3],
    [4, 2, 2],
  ])("runs at most %i at once (%i items)", async (concurrency, count, expected) => {
    let running = 0;
    let most = 0;
    const results = await mapConcurrent(
      Array.from({ length: count }, (_, i) => i),
      concurrency,
      async (i) => {
        most = Math.max(most, ++running);
        await tick();
        running--;
        return i * 2;
      },
    );
    expect(most).toBe(expected);
    expect(results).toEqual(Array.from({ length: count }, (_, i) => i * 2));
  });

  it("returns nothing for no items", async () => {
    expect(await mapConcurrent([], 4, () => Promise.resolve(1))).toEqual([]);
  });

  it("after a failure starts nothing new, aborts the running tasks and throws the first error", async () => {
    const started: number[] = [];
    const aborted: number[] = [];
    const gate = deferred<void>();
    const running = mapConcurrent([0, 1, 2, 3, 4, 5], 2, async (i, signal) => {
      started.push(i);
      if (i === 0) throw new Error("partition 0 failed");
      await gate.promise;
      if (signal.aborted) aborted.push(i);
      throw new Error(`partition ${i} stopped`);
    });
    await tick();
    gate.resolve();
    await expect(running).rejects.toThrow("partition 0 failed");
    expect(started).toEqual([0, 1]);
    expect(aborted).toEqual([1]);
  });
});
