/**
 * Consumer offset migration between two clusters (phase consumers-on-kafka, and back for a
 * rollback): per group and partition, translate the source's committed offset to the target and
 * commit it there, never rewinding a group and never touching a group that has members.
 */
import type { Admin, Kafka } from "kafkajs";
import { writeFileDurably } from "../../durable-file";
import { PartitionReader } from "../partition-reader";
import {
  decideCommit,
  partitionKey,
  sortEntries,
  type MappingEntry,
  type OffsetMappingDocument,
  type PartitionTranslation,
} from "./offset-mapping";
import { GroupNotEmptyError, GroupOffsetCommitter, type TopicOffsets } from "./commit-offsets";
import { ProgressFile } from "./progress-file";
import { translatePartition, type PartitionToTranslate } from "./translate-partition";

export interface MigrateOffsetsOptions {
  readonly source: Kafka;
  readonly target: Kafka;
  /** Bootstrap addresses, recorded in the mapping and the run identity. */
  readonly sourceName: string;
  readonly targetName: string;
  readonly groups: readonly string[];
  /** Only these topics. @default every topic the group has committed offsets for on the source */
  readonly topics?: readonly string[];
  /** @default "forward" */
  readonly direction?: "forward" | "rollback";
  /** Resumable progress (JSON lines). */
  readonly progressFile: string;
  /** Where the mapping document is written. @default not written */
  readonly mappingFile?: string;
  /** Translate and report, commit nothing. @default false */
  readonly dryRun?: boolean;
  /** Partitions translated at once. @default 16 */
  readonly concurrency?: number;
  /** Stops between chunks; what was recorded stays, a rerun continues from there. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * A problem the operator must fix; the message says which and what to do. `blocked` marks a
 * refusal by rule (a group still has members) rather than a wrong setting.
 */
export class OffsetMigrationError extends Error {
  constructor(
    message: string,
    readonly blocked = false,
  ) {
    super(message);
  }
}

export async function migrateOffsets(
  options: MigrateOffsetsOptions,
): Promise<OffsetMappingDocument> {
  const direction = options.direction ?? "forward";
  const run = `${direction}:${options.sourceName}->${options.targetName}:${[...options.groups].sort().join(",")}`;
  const progress = new ProgressFile(options.progressFile, run);
  const sourceAdmin = options.source.admin();
  const targetAdmin = options.target.admin();
  const readers = {
    source: new PartitionReader(options.source, 64 * 1024),
    target: new PartitionReader(options.target, 256 * 1024),
  };
  const committer = new GroupOffsetCommitter(options.target);
  try {
    await Promise.all([sourceAdmin.connect(), targetAdmin.connect()]);
    for (const group of options.groups) {
      await requireIdle(sourceAdmin, group, "source");
      await requireIdle(targetAdmin, group, "target");
    }
    const work = await listWork(sourceAdmin, targetAdmin, options);
    const total = work.length;
    let done = 0;
    const pending: PartitionToTranslate[] = [];
    for (const item of work) {
      if (progress.get(partitionKey(item))) done++;
      else pending.push(item);
    }
    options.onProgress?.(done, total);
    const chunkSize = options.concurrency ?? 16;
    for (let i = 0; i < pending.length; i += chunkSize) {
      if (options.signal?.aborted)
        throw new OffsetMigrationError(
          `offset migration stopped after ${done} of ${total} partitions; rerun with the same --progress file to continue`,
        );
      const chunk = pending.slice(i, i + chunkSize);
      const translated = await Promise.all(chunk.map((item) => translatePartition(readers, item)));
      progress.record(translated);
      done += translated.length;
      options.onProgress?.(done, total);
    }
    const translations = work.map((item) => progress.get(partitionKey(item))!);
    const entries = await commitAll(targetAdmin, committer, translations, options.dryRun ?? false);
    const document: OffsetMappingDocument = {
      kind: "stepwise-offset-mapping",
      version: 1,
      direction,
      source: options.sourceName,
      target: options.targetName,
      createdAt: new Date().toISOString(),
      entries: sortEntries(entries),
    };
    if (options.mappingFile) {
      writeFileDurably(options.mappingFile, JSON.stringify(document, null, 2) + "\n", {
        mode: 0o644,
      });
    }
    return document;
  } finally {
    await Promise.allSettled([
      sourceAdmin.disconnect(),
      targetAdmin.disconnect(),
      readers.source.close(),
      readers.target.close(),
      committer.close(),
    ]);
  }
}

/** Kafka refuses offset commits for groups with members; say which and what to do first. */
async function requireIdle(admin: Admin, group: string, side: "source" | "target"): Promise<void> {
  const { groups } = await admin.describeGroups([group]);
  const description = groups[0];
  if (description && description.members.length > 0)
    throw new OffsetMigrationError(
      `group '${group}' has ${description.members.length} active member(s) on the ${side} ` +
        `(state ${description.state}); stop its consumers there before migrating offsets`,
      true,
    );
}

async function listWork(
  sourceAdmin: Admin,
  targetAdmin: Admin,
  options: MigrateOffsetsOptions,
): Promise<PartitionToTranslate[]> {
  const sourceTopics = new Set(await sourceAdmin.listTopics());
  const targetTopics = new Set(await targetAdmin.listTopics());
  const work: PartitionToTranslate[] = [];
  const topicOffsets = new Map<string, Array<{ partition: number; low: string; high: string }>>();
  for (const group of options.groups) {
    for (const topic of options.topics ?? []) {
      if (!sourceTopics.has(topic))
        throw new OffsetMigrationError(
          `topic '${topic}' does not exist on the source cluster; check --topic`,
        );
    }
    const committed = await sourceAdmin.fetchOffsets({
      groupId: group,
      ...(options.topics ? { topics: [...options.topics] } : {}),
    });
    const withCommits = committed.filter((t) => t.partitions.some((p) => BigInt(p.offset) >= 0n));
    if (withCommits.length === 0)
      throw new OffsetMigrationError(
        `group '${group}' has no committed offsets on the source${options.topics ? ` for ${options.topics.join(", ")}` : ""}; ` +
          `check the group name (unknown group?)`,
      );
    for (const { topic, partitions } of withCommits) {
      if (!targetTopics.has(topic))
        throw new OffsetMigrationError(
          `topic '${topic}' (consumed by group '${group}') does not exist on the target cluster; create it first`,
        );
      let offsets = topicOffsets.get(topic);
      if (!offsets) {
        offsets = await sourceAdmin.fetchTopicOffsets(topic);
        const targetPartitions = (await targetAdmin.fetchTopicOffsets(topic)).length;
        if (targetPartitions !== offsets.length)
          throw new OffsetMigrationError(
            `topic '${topic}' has ${offsets.length} partitions on the source and ${targetPartitions} on the target; ` +
              `offsets cannot be translated partition by partition (keys would land elsewhere). Make the counts equal first.`,
          );
        topicOffsets.set(topic, offsets);
      }
      for (const { partition, offset } of partitions) {
        if (BigInt(offset) < 0n) continue; // never committed: the consumer's reset policy applies
        const range = offsets.find((o) => o.partition === partition)!;
        work.push({
          group,
          topic,
          partition,
          committed: BigInt(offset),
          sourceLow: BigInt(range.low),
          sourceHigh: BigInt(range.high),
        });
      }
    }
  }
  return work;
}

async function commitAll(
  admin: Admin,
  committer: GroupOffsetCommitter,
  translations: readonly PartitionTranslation[],
  dryRun: boolean,
): Promise<MappingEntry[]> {
  const entries: MappingEntry[] = [];
  for (const group of new Set(translations.map((t) => t.group))) {
    const ofGroup = translations.filter((t) => t.group === group);
    const current = await admin.fetchOffsets({
      groupId: group,
      topics: [...new Set(ofGroup.map((t) => t.topic))],
    });
    const toCommit: TopicOffsets[] = [];
    for (const { topic, partitions } of current) {
      const committed: Array<{ partition: number; offset: string }> = [];
      for (const t of ofGroup.filter((t) => t.topic === topic)) {
        const before = partitions.find((p) => p.partition === t.partition)?.offset ?? "-1";
        const targetCommittedBefore = BigInt(before) >= 0n ? before : null;
        const action = decideCommit(
          BigInt(t.targetOffset),
          targetCommittedBefore === null ? null : BigInt(targetCommittedBefore),
          dryRun,
        );
        if (action === "committed")
          committed.push({ partition: t.partition, offset: t.targetOffset });
        entries.push({ ...t, targetCommittedBefore, action });
      }
      if (committed.length > 0) toCommit.push({ topic, partitions: committed });
    }
    if (toCommit.length === 0) continue;
    try {
      await committer.commit(group, toCommit);
    } catch (error) {
      if (error instanceof GroupNotEmptyError) throw new OffsetMigrationError(error.message, true);
      throw error;
    }
  }
  return entries;
}
