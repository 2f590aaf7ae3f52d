import { describe, expect, it } from "vitest";
import { readAhead } from "../../../tools/events/verify/read-ahead";

/** A stream of `count` batches that records when each is asked for and whether it was closed. */
function recorded(count: number) {
  const log: string[] = [];
  async function* batches(): AsyncGenerator<number> {
    try {
      for (let i = 0; i < count; i++) {
        log.push(`fetch ${i}`);
        await new Promise((r) => setImmediate(r));
        yield i;
      }
    } finally {
      log.push("closed");
    }
  }
  return { log, batches: batches() };
}

describe("readAhead", () => {
  it("fetches the next batch while the caller works on the current one, one ahead at most", async () => {
    const { log, batches } = recorded(3);
    for await (const batch of readAhead(batches)) {
      await new Promise((r) => setTimeout(r, 5)); // the caller comparing
      log.push(`used ${batch}`);
    }
    expect(log).toEqual(["fetch 0", "fetch 1", "used 0", "fetch 2", "used 1", "closed", "used 2"]);
  });

  it("closes the source when the caller stops early", async () => {
    const { log, batches } = recorded(5);
    for await (const batch of readAhead(batches)) if (batch === 1) break;
    expect(log).toEqual(["fetch 0", "fetch 1", "fetch 2", "closed"]);
  });

  it("stops with the signal's reason once aborted", async () => {
    const { log, batches } = recorded(5);
    const abort = new AbortController();
    const seen: number[] = [];
    await expect(async () => {
      for await (const batch of readAhead(batches, abort.signal)) {
        seen.push(batch);
        if (batch === 1) abort.abort(new Error("another partition failed"));
      }
    }).rejects.toThrow("another partition failed");
    expect(seen).toEqual([0, 1]);
    expect(log.at(-1)).toBe("closed");
  });

  it("passes a failing fetch on to the caller", async () => {
    // eslint-disable-next-line @typescript-eslint/require-await -- an async stream, like the reader's
    async function* failing(): AsyncGenerator<number> {
      yield 0;
      throw new Error("broker gone");
    }
    const seen: number[] = [];
    await expect(async () => {
      for await (const batch of readAhead(failing())) seen.push(batch);
    }).rejects.toThrow("broker gone");
    expect(seen).toEqual([0]);
  });
});
