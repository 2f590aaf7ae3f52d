import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { Kafka, logLevel } from "kafkajs";
import { DualPublisher, type DualPublisherOptions } from "../../../tools/events/dual-publisher";
import type { MigrateOffsetsOptions } from "../../../tools/events/offsets/offset-migration";
import { messageIdOf } from "../../../tools/events/message-id";
import { PartitionReader, type ReadMessage } from "../../../tools/events/partition-reader";
import { services, uniqueName } from "../support/services";

/** A client that fails fast, as the tools use them (an outage must not stall a test). */
export function quickKafka(cluster: "legacy" | "target", clientId = "stepwise-events-test"): Kafka {
  return new Kafka({
    clientId,
    brokers: [services().kafka[cluster].bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

export async function createTopic(
  cluster: "legacy" | "target",
  topic: string,
  numPartitions: number,
  configEntries: Array<{ name: string; value: string }> = [],
): Promise<void> {
  // A broker another test has just restarted can refuse for a few seconds: retry those refusals.
  for (let attempt = 1; ; attempt++) {
    const admin = quickKafka(cluster).admin();
    try {
      await admin.connect();
      await admin.createTopics({
        topics: [{ topic, numPartitions, configEntries }],
        waitForLeaders: true,
      });
      return;
    } catch (error) {
      const retriable = (error as { retriable?: boolean }).retriable !== false;
      if (!retriable || attempt >= 10) throw error;
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      await admin.disconnect();
    }
  }
}

/** Every message of one partition, in log order. */
export async function messagesOf(
  cluster: "legacy" | "target",
  topic: string,
  partition: number,
): Promise<ReadMessage[]> {
  const reader = new PartitionReader(quickKafka(cluster));
  try {
    const all: ReadMessage[] = [];
    for await (const batch of reader.range(topic, partition, 0n, 1n << 62n)) all.push(...batch);
    return all;
  } finally {
    await reader.close();
  }
}

/** Every message id of one partition, in log order. */
export async function idsOf(
  cluster: "legacy" | "target",
  topic: string,
  partition: number,
): Promise<string[]> {
  const messages = await messagesOf(cluster, topic, partition);
  return messages.map((m) => messageIdOf(m.headers) ?? `<no id at ${m.offset}>`);
}

export interface Consumed {
  readonly partition: number;
  readonly offset: string;
  readonly id: string;
}

/**
 * Runs a consumer in `group` that processes messages one at a time and commits each one it
 * processed, until `enough` says so; anything delivered after that is neither processed nor
 * committed. So the committed offsets say exactly what was processed.
 */
export async function consumeUntil(
  cluster: "legacy" | "target",
  group: string,
  topic: string,
  enough: (consumed: readonly Consumed[]) => boolean,
  timeoutMs = 30_000,
): Promise<Consumed[]> {
  const consumer = quickKafka(cluster).consumer({ groupId: group, maxWaitTimeInMs: 100 });
  const consumed: Consumed[] = [];
  let finished = false;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`consumer of ${group} timed out with ${consumed.length} messages`)),
        timeoutMs,
      );
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          if (finished) return;
          consumed.push({
            partition,
            offset: message.offset,
            id: messageIdOf(message.headers) ?? `<none ${partition}/${message.offset}>`,
          });
          await consumer.commitOffsets([
            { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
          ]);
          if (enough(consumed)) {
            finished = true;
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return consumed;
}

/** Offset migration options from legacy to target for `groups`, with a fresh progress file. */
export function legacyToTarget(groups: string[], workDir: string): MigrateOffsetsOptions {
  return {
    source: quickKafka("legacy"),
    target: quickKafka("target"),
    sourceName: services().kafka.legacy.bootstrap,
    targetName: services().kafka.target.bootstrap,
    groups,
    progressFile: join(workDir, `${uniqueName("progress")}.jsonl`),
  };
}

/** A connected dual publisher with legacy (the Redpanda stand-in) as primary and target second. */
export async function legacyToTargetPublisher(
  spoolDir: string,
  options: Partial<DualPublisherOptions> = {},
): Promise<DualPublisher> {
  const publisher = new DualPublisher({
    primary: quickKafka("legacy"),
    secondary: quickKafka("target"),
    spoolDir,
    ...options,
  });
  await publisher.connect();
  return publisher;
}

/** A function giving a new temporary folder per call; all are removed after the file's tests. */
export function temporaryFolders(prefix: string): () => string {
  const folders: string[] = [];
  afterAll(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    folders.push(dir);
    return dir;
  };
}
