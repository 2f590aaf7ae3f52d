import type { TopicSpec, TopicState } from "./topic-spec";

/** One field that differs between the recorded topic and the declared one. */
export interface TopicFieldChange {
  /** `name`, `partitions`, `replicationFactor`, `bootstrap`, `allowDeleteWithData`,
   *  `connectionTimeoutMs`, `adoptExisting` or `configs.<key>`. */
  readonly field: string;
  readonly kind: "add" | "update" | "delete";
  readonly old?: string | number | boolean;
  readonly new?: string | number | boolean;
}

export interface TopicDiff {
  /** Every differing field, in a stable order. */
  readonly changes: readonly TopicFieldChange[];
  /**
   * Changes Kafka cannot make in place. They are refused, never turned into a replacement:
   * replacing a topic would delete its records and reset every consumer's offsets.
   */
  readonly refusals: readonly string[];
}

const SCALAR_FIELDS = [
  "name",
  "partitions",
  "replicationFactor",
  "bootstrap",
  "allowDeleteWithData",
  "connectionTimeoutMs",
  "adoptExisting",
] as const;

export function diffTopic(recorded: TopicState, news: TopicState): TopicDiff {
  // State written before adoptExisting existed has no such field: it meant false.
  const olds = { ...recorded, adoptExisting: recorded.adoptExisting ?? false };
  const changes: TopicFieldChange[] = [];
  for (const field of SCALAR_FIELDS) {
    if (olds[field] !== news[field]) {
      changes.push({ field, kind: "update", old: olds[field], new: news[field] });
    }
  }
  changes.push(...diffConfigs(olds.configs, news.configs));
  return { changes, refusals: refusedChanges(olds, news) };
}

export function diffConfigs(
  olds: Readonly<Record<string, string>>,
  news: Readonly<Record<string, string>>,
): TopicFieldChange[] {
  const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])].sort();
  return keys.flatMap((key): TopicFieldChange[] => {
    const [o, n] = [olds[key], news[key]];
    if (o === n) return [];
    const field = `configs.${key}`;
    if (o === undefined) return [{ field, kind: "add", new: n }];
    if (n === undefined) return [{ field, kind: "delete", old: o }];
    return [{ field, kind: "update", old: o, new: n }];
  });
}

/** Why the declared topic cannot be reached from the recorded one in place; empty if it can. */
export function refusedChanges(olds: TopicSpec, news: TopicSpec): string[] {
  const topic = `topic "${olds.name}"`;
  const refusals: string[] = [];
  if (olds.name !== news.name) {
    refusals.push(
      `${topic}: name "${olds.name}" → "${news.name}" refused: Kafka cannot rename a topic. ` +
        `Declare a new Topic for "${news.name}" beside this one, move producers and ` +
        `consumers, then remove this one.`,
    );
  }
  if (news.partitions < olds.partitions) {
    refusals.push(
      `${topic}: partitions ${olds.partitions} → ${news.partitions} refused: Kafka cannot ` +
        `remove partitions, and keyed ordering depends on the count. Keep partitions at ` +
        `${olds.partitions} or more, or declare a new topic with ${news.partitions} and migrate to it.`,
    );
  }
  if (news.replicationFactor !== olds.replicationFactor) {
    refusals.push(
      `${topic}: replicationFactor ${olds.replicationFactor} → ${news.replicationFactor} ` +
        `refused: it changes only by reassigning partitions, which this resource does not do. ` +
        `Set replicationFactor back to ${olds.replicationFactor}, or reassign with ` +
        `kafka-reassign-partitions.sh and then run \`pulumi refresh\`.`,
    );
  }
  return refusals;
}

/**
 * Why an existing topic cannot be taken over as declared: partitions and replication cannot be
 * changed by taking over (configs can, and are).
 */
export function adoptionRefusals(actual: TopicSpec, declared: TopicSpec): string[] {
  const refusals: string[] = [];
  if (actual.partitions !== declared.partitions) {
    refusals.push(`partitions ${actual.partitions} (declared ${declared.partitions})`);
  }
  if (actual.replicationFactor !== declared.replicationFactor) {
    refusals.push(
      `replicationFactor ${actual.replicationFactor} (declared ${declared.replicationFactor})`,
    );
  }
  return refusals;
}

/** Top-level state fields that the changes leave untouched. */
export function stableFields(changes: readonly TopicFieldChange[]): string[] {
  const changed = new Set(changes.map((c) => c.field.split(".")[0]));
  return [...SCALAR_FIELDS, "configs"].filter((field) => !changed.has(field));
}

/** What an in-place update sends to the broker. */
export interface TopicUpdatePlan {
  /** New total partition count, when partitions grow. */
  readonly partitionsTo?: number;
  /** The full set of topic-level configs, when any changed (unlisted ones go back to default). */
  readonly configs?: Readonly<Record<string, string>>;
}

/**
 * The broker calls that turn the actual topic into the declared one. `actualPartitions` is read
 * from the broker just before, so that a retry after a half-finished update adds nothing twice.
 */
export function planTopicUpdate(
  olds: TopicSpec,
  news: TopicSpec,
  actualPartitions: number,
): TopicUpdatePlan {
  const refusals = refusedChanges({ ...olds, partitions: actualPartitions }, news);
  if (refusals.length > 0) throw new Error(refusals.join("\n"));
  return {
    ...(news.partitions > actualPartitions ? { partitionsTo: news.partitions } : {}),
    ...(diffConfigs(olds.configs, news.configs).length > 0 ? { configs: news.configs } : {}),
  };
}

/** Renders changes for messages and logs: `partitions: 3 → 6, configs.retention.ms: + 1000`. */
export function describeChanges(changes: readonly TopicFieldChange[]): string {
  const show = (v: unknown): string => JSON.stringify(v);
  return changes
    .map((c) =>
      c.kind === "add"
        ? `${c.field}: + ${show(c.new)}`
        : c.kind === "delete"
          ? `${c.field}: - ${show(c.old)}`
          : `${c.field}: ${show(c.old)} → ${show(c.new)}`,
    )
    .join(", ");
}
