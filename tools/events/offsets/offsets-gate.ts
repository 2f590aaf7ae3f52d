/**
 * Turns an offset mapping into a gate record of the ledger: `offsets-migrated` when consumers
 * move to Kafka, `offsets-migrated-back` when a rollback moves them back to Redpanda.
 */
import { sealGate } from "../../../migrations/gate-evidence";
import type { GateRecord } from "../../../migrations/ledger";
import type { OffsetMappingDocument } from "./offset-mapping";

/** The gate a migration records, by its direction. */
export const OFFSETS_GATES = {
  forward: "offsets-migrated",
  rollback: "offsets-migrated-back",
} as const;

/** The file `events migrate-offsets --record` writes: one entry for the stack config's gates map. */
export type RecordedOffsetsGate = {
  readonly [G in (typeof OFFSETS_GATES)[keyof typeof OFFSETS_GATES]]?: GateRecord;
};

/** What a reviewer must know about partitions translated without message ids. */
export const TIMESTAMP_LIMITS =
  "timestamp translations are exact only when both clusters keep the producers' CreateTime; " +
  "messages sharing the anchor's millisecond are delivered again (duplicates, never a gap)";

/**
 * Passed when every partition's offset is in place on the target (committed now, earlier, or
 * the target was already ahead); a dry run never passes the gate.
 */
export function offsetsGateRecord(document: OffsetMappingDocument, now: Date): GateRecord {
  const count = (predicate: (e: OffsetMappingDocument["entries"][number]) => boolean) =>
    document.entries.filter(predicate).length;
  const groups = new Set(document.entries.map((e) => e.group)).size;
  const methods = ["message-id", "message-id-after-last", "timestamp", "log-end"] as const;
  const byMethod = methods
    .map((m) => [m, count((e) => e.method === m)] as const)
    .filter(([, n]) => n > 0)
    .map(([m, n]) => `${n} ${m}`)
    .join(", ");
  const dryRun = count((e) => e.action === "dry-run");
  const byTimestamp = count((e) => e.method === "timestamp");
  const result = {
    passed: document.entries.length > 0 && dryRun === 0,
    recordedAt: now.toISOString(),
    check: "events migrate-offsets",
    endpoints: [document.source, document.target],
    detail:
      `offsets ${document.direction} ${document.source} -> ${document.target}: ${groups} groups, ` +
      `${document.entries.length} partitions (${byMethod || "none"}); ` +
      `${count((e) => e.action === "kept-target-ahead")} kept because the target was ahead` +
      (byTimestamp > 0 ? `; ${TIMESTAMP_LIMITS}` : "") +
      (dryRun > 0 ? `; dry run, nothing committed` : ""),
  };
  return sealGate(OFFSETS_GATES[document.direction], result, document);
}
