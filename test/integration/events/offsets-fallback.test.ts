/**
 * Offset migration where messages carry no message id (published before the dual publisher, or
 * by a producer that bypassed it): the timestamp fallback, its duplicates bound, and the guards
 * around the commit itself.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GroupNotEmptyError,
  GroupOffsetCommitter,
} from "../../../tools/events/offsets/commit-offsets";
import {
  migrateOffsets,
  type MigrateOffsetsOptions,
} from "../../../tools/events/offsets/offset-migration";
import { TIMESTAMP_LIMITS, offsetsGateRecord } from "../../../tools/events/offsets/offsets-gate";
import { services, uniqueName } from "../support/services";
import { consumeUntil, createTopic, legacyToTarget, quickKafka } from "./events-support";

const SOURCE_ONLY = 3; // per partition, older than anything both clusters hold
const SHARED = 40; // per partition, on both clusters with the same CreateTime
const SAME_MILLISECOND = 5; // messages per timestamp on partition 0
const BASE_TIME = Date.now() - 60_000;

const workDir = mkdtempSync(join(tmpdir(), "stepwise-offsets-ts-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const topic = uniqueName("offsets-ts");
const group = uniqueName("offsets-ts-group");

/** Partition 0 packs 5 messages into each millisecond; partition 1 gives each its own. */
const timestampOf = (partition: number, i: number) =>
  BASE_TIME + 1_000 + (partition === 0 ? Math.floor(i / SAME_MILLISECOND) : i);

async function publishPlain(cluster: "legacy" | "target", partition: number, count: number) {
  const producer = quickKafka(cluster).producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: Array.from({ length: count }, (_, i) => ({
      partition,
      key: `k${i}`,
      value: `shared-${partition}-${i}`,
      timestamp: String(timestampOf(partition, i)),
    })),
  });
  await producer.disconnect();
}

const options = (extra: Partial<MigrateOffsetsOptions> = {}): MigrateOffsetsOptions => ({
  ...legacyToTarget([group], workDir),
  ...extra,
});

/** Open sockets from this process to either test broker. */
function brokerSockets(): number {
  const ports = new Set(
    [services().kafka.legacy.bootstrap, services().kafka.target.bootstrap].map((b) =>
      Number(b.split(":")[1]),
    ),
  );
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h) => {
    const socket = h as { remotePort?: number; destroyed?: boolean };
    return socket.remotePort !== undefined && ports.has(socket.remotePort) && !socket.destroyed;
  }).length;
}

async function settledSockets(atMost: number): Promise<number> {
  for (let i = 0; i < 20 && brokerSockets() > atMost; i++)
    await new Promise((r) => setTimeout(r, 50));
  return brokerSockets();
}

beforeAll(async () => {
  await Promise.all([createTopic("legacy", topic, 2), createTopic("target", topic, 2)]);
  const producer = quickKafka("legacy").producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: [0, 1].flatMap((partition) =>
      Array.from({ length: SOURCE_ONLY }, (_, i) => ({
        partition,
        value: `source-only-${i}`,
        timestamp: String(BASE_TIME + i),
      })),
    ),
  });
  await producer.disconnect();
  for (const partition of [0, 1])
    for (const cluster of ["legacy", "target"] as const)
      await publishPlain(cluster, partition, SHARED);
  // The group read partition 0 up to the middle of a millisecond and partition 1 to the end.
  const committer = new GroupOffsetCommitter(quickKafka("legacy"));
  try {
    await committer.commit(group, [
      {
        topic,
        partitions: [
          { partition: 0, offset: String(SOURCE_ONLY + 17) },
          { partition: 1, offset: String(SOURCE_ONLY + SHARED) },
        ],
      },
    ]);
  } finally {
    await committer.close();
  }
});

describe("offset migration without message ids (timestamp fallback)", () => {
  it("translates by timestamp, erring towards duplicates within one millisecond, and says so", async () => {
    const socketsBefore = brokerSockets();
    const document = await migrateOffsets(options());
    expect(await settledSockets(socketsBefore)).toBeLessThanOrEqual(socketsBefore);
    expect(
      document.entries.map(({ partition, sourceOffset, targetOffset, method, action }) => ({
        partition,
        sourceOffset,
        targetOffset,
        method,
        action,
      })),
    ).toEqual([
      // Message 17 shares its millisecond with 15..19: the target resumes at 15 (2 duplicates).
      {
        partition: 0,
        sourceOffset: String(SOURCE_ONLY + 17),
        targetOffset: "15",
        method: "timestamp",
        action: "committed",
      },
      // Caught up: the last message read (39, its own millisecond) is delivered once more.
      {
        partition: 1,
        sourceOffset: String(SOURCE_ONLY + SHARED),
        targetOffset: String(SHARED - 1),
        method: "timestamp",
        action: "committed",
      },
    ]);
    expect(offsetsGateRecord(document, new Date()).detail).toContain(TIMESTAMP_LIMITS);
  });

  it("a consumer on the target misses nothing and re-reads at most the shared millisecond", async () => {
    const consumed = await consumeUntil("target", group, topic, (c) => c.length >= SHARED - 15 + 1);
    const values = (p: number) =>
      consumed
        .filter((c) => c.partition === p)
        .map((c) => Number(c.offset))
        .sort((a, b) => a - b);
    // Partition 0: 15..39, of which 15 and 16 were already processed on the source.
    expect(values(0)).toEqual(Array.from({ length: SHARED - 15 }, (_, i) => 15 + i));
    expect(values(1)).toEqual([SHARED - 1]);
  });

  it("a commit is refused once a consumer has joined the group", async () => {
    const busy = uniqueName("offsets-ts-busy");
    const consumer = quickKafka("target").consumer({ groupId: busy });
    await consumer.connect();
    await consumer.subscribe({ topic });
    await consumer.run({ eachMessage: () => Promise.resolve() });
    const committer = new GroupOffsetCommitter(quickKafka("target"));
    try {
      // Wait until the consumer is a member (joined and synced), then commit from outside.
      const admin = quickKafka("target").admin();
      await admin.connect();
      for (let i = 0; i < 100; i++) {
        const { groups } = await admin.describeGroups([busy]);
        if (groups[0]?.state === "Stable") break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await admin.disconnect();
      await expect(
        committer.commit(busy, [{ topic, partitions: [{ partition: 0, offset: "1" }] }]),
      ).rejects.toThrow(GroupNotEmptyError);
    } finally {
      await committer.close();
      await consumer.disconnect();
    }
  });
});
