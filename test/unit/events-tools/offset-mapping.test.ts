import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  decideCommit,
  partitionKey,
  sortEntries,
  type PartitionTranslation,
} from "../../../tools/events/offsets/offset-mapping";
import { ProgressFile } from "../../../tools/events/offsets/progress-file";

const dir = mkdtempSync(join(tmpdir(), "offsets-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const translation = (group: string, topic: string, partition: number): PartitionTranslation => ({
  group,
  topic,
  partition,
  sourceOffset: "10",
  targetOffset: "7",
  method: "message-id",
});

describe("decideCommit", () => {
  it.each([
    // [translated, committed on target, dry run, action]
    [7n, null, false, "committed"],
    [7n, 3n, false, "committed"],
    [7n, 7n, false, "already-committed"],
    [7n, 9n, false, "kept-target-ahead"], // never rewinds a group that is ahead
    [7n, null, true, "dry-run"],
    [7n, 9n, true, "kept-target-ahead"],
  ] as const)(
    "translated %s, target at %s, dry run %s: %s",
    (translated, committed, dry, action) => {
      expect(decideCommit(translated, committed, dry)).toBe(action);
    },
  );
});

describe("sortEntries", () => {
  it("orders by group, topic, then partition number (not text)", () => {
    const sorted = sortEntries([
      translation("b", "x", 0),
      translation("a", "y", 10),
      translation("a", "y", 2),
      translation("a", "x", 5),
    ]);
    expect(sorted.map((t) => `${t.group}/${t.topic}/${t.partition}`)).toEqual([
      "a/x/5",
      "a/y/2",
      "a/y/10",
      "b/x/0",
    ]);
  });
});

describe("ProgressFile", () => {
  it("remembers recorded partitions across instances", () => {
    const path = join(dir, "resume.jsonl");
    new ProgressFile(path, "run-1").record([translation("g", "t", 0), translation("g", "t", 1)]);
    const again = new ProgressFile(path, "run-1");
    expect(again.size).toBe(2);
    expect(again.get(partitionKey({ group: "g", topic: "t", partition: 1 }))).toEqual(
      translation("g", "t", 1),
    );
  });

  it("refuses a progress file of another run and says what to do", () => {
    const path = join(dir, "other.jsonl");
    new ProgressFile(path, "run-1");
    expect(() => new ProgressFile(path, "run-2")).toThrow(
      /belongs to another run \(run-1\); this run is run-2\. Pass a new --progress path/,
    );
  });

  it("skips a torn line left by a crash and keeps the rest", () => {
    const path = join(dir, "torn.jsonl");
    writeFileSync(path, JSON.stringify({ kind: "stepwise-offset-progress", run: "r" }) + "\n");
    appendFileSync(path, JSON.stringify(translation("g", "t", 0)) + "\n" + '{"group":"g","top');
    expect(new ProgressFile(path, "r").size).toBe(1);
  });
});
