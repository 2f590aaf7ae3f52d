import { describe, expect, it } from "vitest";
import { createProgress, formatProgress } from "../../../tools/cli/progress";

describe("formatProgress", () => {
  it.each([
    [0, 100, 0, "sync: 0/100 (0%)"],
    [40, 100, 500, "sync: 40/100 (40%), about 1 s left"],
    [40, 100, 4000, "sync: 40/100 (40%), 10.0/s, about 6 s left"],
    [100, 100, 4000, "sync: 100/100 (100%), 25.0/s"],
    [250_000, undefined, 2000, "sync: 250000, 125,000/s"],
    [10, 10_000, 10_000, "sync: 10/10000 (0%), 1.0/s, about 167 min left"],
    [0, 0, 10, "sync: 0/0 (100%)"],
  ])("%s of %s after %s ms", (done, total, elapsed, line) => {
    expect(formatProgress("sync", done, total, elapsed)).toBe(line);
  });
});

describe("createProgress", () => {
  function sink(isTTY: boolean) {
    const writes: string[] = [];
    return { writes, stream: { isTTY, write: (text: string) => writes.push(text) } };
  }

  it("on a terminal rewrites one line, at most every 100 ms, and ends it", () => {
    let time = 0;
    const { writes, stream } = sink(true);
    const progress = createProgress("verify", { stream, now: () => time });
    progress.update(1, 4);
    time = 50;
    progress.update(2, 4); // too soon: not drawn
    time = 150;
    progress.update(3, 4);
    progress.finish("done");
    expect(writes).toEqual([
      "\r\x1b[2Kverify: 1/4 (25%)",
      "\r\x1b[2Kverify: 3/4 (75%), about 1 s left",
      "\r\x1b[2Kverify: 3/4 (75%), about 1 s left — done",
      "\n",
    ]);
  });

  it("elsewhere writes plain lines every few seconds and a last one", () => {
    let time = 0;
    const { writes, stream } = sink(false);
    const progress = createProgress("offsets", { stream, now: () => time, plainIntervalMs: 5000 });
    for (let i = 1; i <= 10; i++) {
      time = i * 1000;
      progress.update(i, 10);
    }
    progress.finish();
    expect(writes).toEqual([
      "offsets: 1/10 (10%), 1.0/s, about 9 s left\n",
      "offsets: 6/10 (60%), 1.0/s, about 4 s left\n",
      "offsets: 10/10 (100%), 1.0/s\n",
    ]);
  });
});
