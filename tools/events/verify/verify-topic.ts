/**
 * Proof of no loss for one topic between two clusters, partition by partition, on real brokers.
 * Compacted topics are compared by latest value per key; all others message by message.
 */
import type { Admin, Kafka } from "kafkajs";
import { PartitionReader, type ReadMessage } from "../partition-reader";
import { compareLatest, latestPerKey, type LatestComparison } from "./compare-latest";
import { compareLogs, type LogComparison } from "./compare-log";
import { identify, type Identified } from "./identity";
import { mapConcurrent } from "./map-concurrent";
import { readAhead } from "./read-ahead";

export interface VerifyTopicOptions {
  readonly source: Kafka;
  readonly target: Kafka;
  readonly topic: string;
  /** Only these partitions. @default all */
  readonly partitions?: readonly number[];
  /** Look-ahead window, see compareLogs. @default 10_000 */
  readonly window?: number;
  /**
   * Partitions verified at once. Memory grows with it: per partition in flight, two fetches
   * (1 MiB each) per side plus the window (or, compacted, the latest value hash per key).
   * @default 4
   */
  readonly concurrency?: number;
  /** Called once per partition as each finishes (not in partition order), for progress displays. */
  readonly onPartition?: (result: PartitionVerification, done: number, total: number) => void;
}

export interface OffsetRange {
  /** First offset read: the log start (retention may have moved it past 0). */
  readonly from: string;
  /** The high watermark when the run started: messages published later are not compared. */
  readonly to: string;
}

export type PartitionVerification = {
  readonly partition: number;
  readonly source: OffsetRange;
  readonly target: OffsetRange;
  readonly passed: boolean;
} & (
  | { readonly mode: "log"; readonly comparison: LogComparison }
  | { readonly mode: "latest-per-key"; readonly comparison: LatestComparison }
);

export interface TopicVerification {
  readonly topic: string;
  readonly mode: "log" | "latest-per-key";
  readonly passed: boolean;
  readonly partitions: readonly PartitionVerification[];
}

/** Thrown for problems the user must fix (missing topic, partition counts differ). */
export class VerifyError extends Error {}

export async function verifyTopic(options: VerifyTopicOptions): Promise<TopicVerification> {
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new VerifyError(
      `concurrency must be a whole number of partitions of at least 1, got ${concurrency}; ` +
        `leave it out for 4`,
    );
  const sourceAdmin = options.source.admin();
  const targetAdmin = options.target.admin();
  const sourceReader = new PartitionReader(options.source);
  const targetReader = new PartitionReader(options.target);
  try {
    await Promise.all([sourceAdmin.connect(), targetAdmin.connect()]);
    const sourceOffsets = await offsetsOf(sourceAdmin, options.topic, "source");
    const targetOffsets = await offsetsOf(targetAdmin, options.topic, "target");
    if (sourceOffsets.length !== targetOffsets.length)
      throw new VerifyError(
        `topic '${options.topic}' has ${sourceOffsets.length} partitions on the source and ` +
          `${targetOffsets.length} on the target; a key lands in different partitions, so the ` +
          `logs cannot be compared partition by partition. Make the partition counts equal first.`,
      );
    // Either side compacting makes the logs legitimately differ.
    const compacted =
      (await isCompacted(sourceAdmin, options.topic)) ||
      (await isCompacted(targetAdmin, options.topic));
    const partitions =
      options.partitions ?? sourceOffsets.map((o) => o.partition).sort((a, b) => a - b);
    const ranges = partitions.map((partition) => {
      const source = sourceOffsets.find((o) => o.partition === partition);
      const target = targetOffsets.find((o) => o.partition === partition);
      if (!source || !target)
        throw new VerifyError(`topic '${options.topic}' has no partition ${partition}`);
      return {
        partition,
        source: { from: source.low, to: source.high },
        target: { from: target.low, to: target.high },
      };
    });
    const verifyPartition = async (
      { partition, source: sourceRange, target: targetRange }: (typeof ranges)[number],
      signal: AbortSignal,
    ): Promise<PartitionVerification> => {
      const read = (reader: PartitionReader, range: OffsetRange) =>
        readAhead(
          reader.range(options.topic, partition, BigInt(range.from), BigInt(range.to)),
          signal,
        );
      let result: PartitionVerification;
      if (compacted) {
        const [a, b] = await Promise.all([
          latestPerKey(read(sourceReader, sourceRange)),
          latestPerKey(read(targetReader, targetRange)),
        ]);
        const comparison = compareLatest(a, b);
        const passed =
          comparison.missing === 0 && comparison.extra === 0 && comparison.differing === 0;
        result = {
          partition,
          source: sourceRange,
          target: targetRange,
          passed,
          mode: "latest-per-key",
          comparison,
        };
      } else {
        const comparison = await compareLogs(
          identities(read(sourceReader, sourceRange)),
          identities(read(targetReader, targetRange)),
          {
            window: options.window,
            sourceTrimmed: BigInt(sourceRange.from) > 0n,
            targetTrimmed: BigInt(targetRange.from) > 0n,
          },
        );
        const passed =
          comparison.missing === 0 && comparison.extra === 0 && comparison.reordered === 0;
        result = {
          partition,
          source: sourceRange,
          target: targetRange,
          passed,
          mode: "log",
          comparison,
        };
      }
      return result;
    };
    const results = await mapConcurrent(ranges, concurrency, verifyPartition, (result, done) =>
      options.onPartition?.(result, done, ranges.length),
    );
    return {
      topic: options.topic,
      mode: compacted ? "latest-per-key" : "log",
      passed: results.every((r) => r.passed),
      partitions: results,
    };
  } finally {
    await Promise.allSettled([
      sourceAdmin.disconnect(),
      targetAdmin.disconnect(),
      sourceReader.close(),
      targetReader.close(),
    ]);
  }
}

async function* identities(
  batches: AsyncIterable<readonly ReadMessage[]>,
): AsyncGenerator<readonly Identified[]> {
  for await (const batch of batches) yield batch.map(identify);
}

async function offsetsOf(admin: Admin, topic: string, side: "source" | "target") {
  const topics = await admin.listTopics();
  if (!topics.includes(topic))
    throw new VerifyError(
      `topic '${topic}' does not exist on the ${side} cluster; check the name or create it`,
    );
  return admin.fetchTopicOffsets(topic);
}

async function isCompacted(admin: Admin, topic: string): Promise<boolean> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: 2 /* TOPIC */, name: topic, configNames: ["cleanup.policy"] }],
  });
  const policy = resources[0]?.configEntries.find((e) => e.configName === "cleanup.policy");
  return policy?.configValue.split(",").includes("compact") ?? false;
}
