/**
 * The offset mapping: for one consumer group, where each partition's committed offset on one
 * cluster lands on the other. Written to a file, recorded in stack state by the OffsetMapping
 * resource (components/events), and read back for a rollback.
 */

/** How a target offset was found. */
export type TranslationMethod =
  /** The next unconsumed message's id was found on the target: exact. */
  | "message-id"
  /** The last consumed message's id was found on the target (group was caught up): exact. */
  | "message-id-after-last"
  /** No id on the message: the first target offset at or after its timestamp (may duplicate). */
  | "timestamp"
  /** Nothing left on the source to anchor on (empty or fully retained away): target log end. */
  | "log-end";

export interface PartitionTranslation {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  /** The group's committed offset on the source. */
  readonly sourceOffset: string;
  /** Where the group continues on the target. */
  readonly targetOffset: string;
  readonly method: TranslationMethod;
}

/** What the run did with a translation on the target. */
export type CommitAction =
  | "committed"
  /** The target already had exactly this offset (a rerun). */
  | "already-committed"
  /** The target's committed offset is ahead: never rewound. */
  | "kept-target-ahead"
  | "dry-run";

export interface MappingEntry extends PartitionTranslation {
  /** The group's committed offset on the target before the run, if any. */
  readonly targetCommittedBefore: string | null;
  readonly action: CommitAction;
}

export interface OffsetMappingDocument {
  readonly kind: "stepwise-offset-mapping";
  readonly version: 1;
  /** forward: Redpanda → Kafka (consumers-on-kafka); rollback: back to Redpanda. */
  readonly direction: "forward" | "rollback";
  readonly source: string;
  readonly target: string;
  readonly createdAt: string;
  readonly entries: readonly MappingEntry[];
}

/** Decides what to commit on the target: never move a group backwards there. */
export function decideCommit(
  translated: bigint,
  targetCommitted: bigint | null,
  dryRun: boolean,
): CommitAction {
  if (targetCommitted !== null && targetCommitted > translated) return "kept-target-ahead";
  if (targetCommitted === translated) return "already-committed";
  return dryRun ? "dry-run" : "committed";
}

/** Sorted by group, topic, partition: the same runs produce byte-identical files. */
export function sortEntries<T extends PartitionTranslation>(entries: readonly T[]): T[] {
  return [...entries].sort(
    (a, b) =>
      a.group.localeCompare(b.group) || a.topic.localeCompare(b.topic) || a.partition - b.partition,
  );
}

export function partitionKey(
  t: Pick<PartitionTranslation, "group" | "topic" | "partition">,
): string {
  return `${t.group}\u0000${t.topic}\u0000${t.partition}`;
}
