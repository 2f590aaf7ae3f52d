/**
 * Turns a verification of Kafka (source) against Redpanda (target) into the
 * `messages-synced-back` gate: before producers publish to Redpanda again (rolling `events`
 * back out of `kafka-only`), every record Kafka holds must be on Redpanda too, in order. Redpanda
 * may hold more (what it had before Kafka existed): only what is missing or out of order counts.
 */
import { sealGate } from "../../../migrations/gate-evidence";
import type { GateRecord } from "../../../migrations/ledger";
import type { PartitionVerification, TopicVerification } from "./verify-topic";

export const MESSAGES_GATE = "messages-synced-back" as const;

/** The file `events verify --rollback --record` writes: one entry for the stack's gates map. */
export type RecordedMessagesGate = { readonly [MESSAGES_GATE]: GateRecord };

/** Whether every record of the source's partition is on the target, in the source's order. */
export function sourceContained(partition: PartitionVerification): boolean {
  const c = partition.comparison;
  return "reordered" in c
    ? c.missing === 0 && c.reordered === 0
    : c.missing === 0 && c.differing === 0;
}

export function messagesGateRecord(
  results: readonly TopicVerification[],
  endpoints: { readonly source: string; readonly target: string },
  now: Date,
): GateRecord {
  const partitions = results.flatMap((r) => r.partitions.map((p) => ({ topic: r.topic, p })));
  const short = partitions.filter(({ p }) => !sourceContained(p));
  const first = short[0];
  const detail =
    `messages ${endpoints.source} -> ${endpoints.target}: ${results.length} topics, ` +
    `${partitions.length} partitions; ` +
    (first
      ? `${short.length} missing records or out of order (first: ${first.topic}/${first.p.partition})`
      : "every source record on the target, in order");
  return sealGate(
    MESSAGES_GATE,
    {
      passed: results.length > 0 && short.length === 0,
      recordedAt: now.toISOString(),
      detail,
      check: "events verify",
      endpoints: [endpoints.source, endpoints.target],
    },
    // The evidence as the report prints it: offsets may be bigints, which JSON cannot hold.
    JSON.parse(
      JSON.stringify(results, (_key, value: unknown) =>
        typeof value === "bigint" ? value.toString() : value,
      ),
    ) as unknown,
  );
}
