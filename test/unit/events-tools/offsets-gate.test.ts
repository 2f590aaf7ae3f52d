import { describe, expect, it } from "vitest";
import type {
  MappingEntry,
  OffsetMappingDocument,
} from "../../../tools/events/offsets/offset-mapping";
import { gateRecordProblems } from "../../../migrations/gate-evidence";
import { offsetsGateRecord, TIMESTAMP_LIMITS } from "../../../tools/events/offsets/offsets-gate";

const entry = (
  partition: number,
  method: MappingEntry["method"],
  action: MappingEntry["action"],
  group = "billing",
): MappingEntry => ({
  group,
  topic: "orders",
  partition,
  sourceOffset: "10",
  targetOffset: "8",
  method,
  targetCommittedBefore: null,
  action,
});
const doc = (entries: MappingEntry[]): OffsetMappingDocument => ({
  kind: "stepwise-offset-mapping",
  version: 1,
  direction: "forward",
  source: "rp:9092",
  target: "k:9092",
  createdAt: "2026-11-26T00:00:00.000Z",
  entries,
});
const now = new Date("2026-11-26T12:00:00Z");

describe("offsetsGateRecord", () => {
  it("passes when every partition is in place, and counts methods and kept-ahead groups", () => {
    const record = offsetsGateRecord(
      doc([
        entry(0, "message-id", "committed"),
        entry(1, "message-id-after-last", "already-committed"),
        entry(2, "timestamp", "kept-target-ahead", "audit"),
      ]),
      now,
    );
    expect(gateRecordProblems("offsets-migrated", record, now)).toEqual([]);
    expect(record).toMatchObject({
      check: "events migrate-offsets",
      endpoints: ["rp:9092", "k:9092"],
      passed: true,
      recordedAt: "2026-11-26T12:00:00.000Z",
      detail:
        "offsets forward rp:9092 -> k:9092: 2 groups, 3 partitions (1 message-id, 1 message-id-after-last, 1 timestamp); 1 kept because the target was ahead; " +
        TIMESTAMP_LIMITS,
    });
  });

  it("never passes on a dry run or an empty mapping", () => {
    expect(offsetsGateRecord(doc([entry(0, "message-id", "committed")]), now).detail).not.toContain(
      "CreateTime",
    );
    expect(offsetsGateRecord(doc([entry(0, "message-id", "dry-run")]), now)).toMatchObject({
      passed: false,
      detail: expect.stringMatching(/dry run, nothing committed$/) as unknown,
    });
    expect(offsetsGateRecord(doc([]), now).passed).toBe(false);
  });
});
