import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  migrateOffsets,
  OffsetMigrationError,
  type MigrateOffsetsOptions,
} from "../../../tools/events/offsets/offset-migration";
import type { OffsetMappingDocument } from "../../../tools/events/offsets/offset-mapping";
import { services, uniqueName } from "../support/services";
import {
  consumeUntil,
  createTopic,
  legacyToTarget,
  legacyToTargetPublisher,
  quickKafka,
  type Consumed,
} from "./events-support";

const PARTITIONS = 4;
const PREFIX_PER_PARTITION = 5; // on the source only, before dual publishing began
const DUAL = 240;

const workDir = mkdtempSync(join(tmpdir(), "stepwise-offsets-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const topic = uniqueName("offsets");
const group = uniqueName("offsets-group");
let dualIds: string[] = [];

function forward(extra: Partial<MigrateOffsetsOptions> = {}): MigrateOffsetsOptions {
  return { ...legacyToTarget([group], workDir), concurrency: 1, ...extra };
}

const translations = (doc: OffsetMappingDocument) =>
  doc.entries.map(({ topic: t, partition, sourceOffset, targetOffset, method }) => ({
    t,
    partition,
    sourceOffset,
    targetOffset,
    method,
  }));

beforeAll(async () => {
  await Promise.all([
    createTopic("legacy", topic, PARTITIONS),
    createTopic("target", topic, PARTITIONS),
  ]);
  // History only the source has: the two clusters' offsets differ by this much per partition.
  const producer = quickKafka("legacy").producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: Array.from({ length: PARTITIONS * PREFIX_PER_PARTITION }, (_, i) => ({
      value: `before-${i}`,
      partition: i % PARTITIONS,
    })),
  });
  await producer.disconnect();
  const publisher = await legacyToTargetPublisher(join(workDir, "spool"));
  for (let i = 0; i < DUAL; i += 20)
    dualIds.push(
      ...(await publisher.publish(
        topic,
        Array.from({ length: 20 }, (_, j) => ({
          key: `order-${(i + j) % 17}`,
          value: `event-${i + j}`,
        })),
      )),
    );
  await publisher.close();
  dualIds = [...dualIds];
});

describe("consumer offset migration on the real brokers", () => {
  let onSource: Consumed[] = [];
  let onTarget: Consumed[] = [];

  it("refuses an unknown group, and a group with active members on the target", async () => {
    await expect(migrateOffsets(forward({ groups: [uniqueName("nobody")] }))).rejects.toThrow(
      /has no committed offsets on the source.*unknown group/,
    );
    const busy = uniqueName("busy-group");
    const consumer = quickKafka("target").consumer({ groupId: busy });
    await consumer.connect();
    await consumer.subscribe({ topic });
    await consumer.run({ eachMessage: () => Promise.resolve() });
    try {
      await expect(migrateOffsets(forward({ groups: [busy] }))).rejects.toThrow(
        /group '.*' has 1 active member\(s\) on the target.*stop its consumers/,
      );
    } finally {
      await consumer.disconnect();
    }
  });

  it("killed midway and rerun, gives the same mapping as an uninterrupted run", async () => {
    // The source consumers process part of the stream, then stop (phase 4, step 1).
    // Every partition is read past the source-only history (so the anchors carry ids); some are
    // read to the end (the caught-up case).
    const perPartition = (c: readonly Consumed[], p: number) =>
      c.filter((m) => m.partition === p).length;
    onSource = await consumeUntil(
      "legacy",
      group,
      topic,
      (c) =>
        c.length >= 150 &&
        [...Array(PARTITIONS).keys()].every((p) => perPartition(c, p) > PREFIX_PER_PARTITION),
    );
    const progressFile = join(workDir, "resumed.jsonl");
    const controller = new AbortController();
    await expect(
      migrateOffsets(
        forward({
          progressFile,
          signal: controller.signal,
          dryRun: true,
          onProgress: (done) => done >= 2 && controller.abort(), // "crash" after two partitions
        }),
      ),
    ).rejects.toThrow(OffsetMigrationError);
    const progressLines = readFileSync(progressFile, "utf8").trim().split("\n");
    expect(progressLines).toHaveLength(1 + 2); // header + two translated partitions
    const mappingFile = join(workDir, "mapping.json");
    const resumed = await migrateOffsets(forward({ progressFile, mappingFile }));
    const uninterrupted = await migrateOffsets(forward({ dryRun: true }));
    expect(translations(resumed)).toEqual(translations(uninterrupted));
    expect(resumed.entries.map((e) => e.action)).toEqual(Array(PARTITIONS).fill("committed"));
    for (const e of resumed.entries)
      expect(["message-id", "message-id-after-last"]).toContain(e.method);
    // The source holds 5 messages per partition the target never had: offsets differ by 5.
    for (const e of resumed.entries)
      expect(BigInt(e.sourceOffset) - BigInt(e.targetOffset)).toBe(BigInt(PREFIX_PER_PARTITION));
    expect(JSON.parse(readFileSync(mappingFile, "utf8"))).toEqual(
      JSON.parse(JSON.stringify(resumed)),
    );
    // A rerun after the commit changes nothing and never rewinds.
    const again = await migrateOffsets(forward());
    expect(translations(again)).toEqual(translations(resumed));
    expect(again.entries.map((e) => e.action)).toEqual(Array(PARTITIONS).fill("already-committed"));
  });

  it("a consumer started on the target resumes exactly where it stopped on the source", async () => {
    const processedOnSource = new Set(onSource.map((c) => c.id));
    const stillToRead = dualIds.filter((id) => !processedOnSource.has(id)).length;
    expect(stillToRead).toBeGreaterThan(0);
    // A gap would leave it short of this count and time out.
    onTarget = await consumeUntil("target", group, topic, (c) => c.length >= stillToRead, 15_000);
    const duplicates = onTarget.filter((c) => processedOnSource.has(c.id)).length;
    expect(duplicates).toBe(0); // exact translation through message ids
    const everything = new Set([...onSource.map((c) => c.id), ...onTarget.map((c) => c.id)]);
    expect(dualIds.filter((id) => !everything.has(id))).toEqual([]); // no gap
  });

  it("rollback: reverse-translated offsets move the consumers back to the source without a gap", async () => {
    // Roll back to the source, where the group's old commits are behind where it is on the target.
    const reverse = await migrateOffsets({
      ...forward(),
      source: quickKafka("target"),
      target: quickKafka("legacy"),
      sourceName: services().kafka.target.bootstrap,
      targetName: services().kafka.legacy.bootstrap,
      direction: "rollback",
    });
    expect(reverse.direction).toBe("rollback");
    // Partitions the target consumer read on move forward; the others were already there.
    const movedOnTarget = new Set(onTarget.map((c) => c.partition));
    expect(reverse.entries.map((e) => [e.partition, e.action])).toEqual(
      [...Array(PARTITIONS).keys()].map((p) => [
        p,
        movedOnTarget.has(p) ? "committed" : "already-committed",
      ]),
    );
    // Published while the consumers move back, to both clusters.
    const publisher = await legacyToTargetPublisher(join(workDir, "spool-rollback"));
    const later = await publisher.publish(
      topic,
      Array.from({ length: 12 }, (_, i) => ({ key: `order-${i}`, value: `after-rollback-${i}` })),
    );
    await publisher.close();
    const back = await consumeUntil("legacy", group, topic, (c) => c.length >= later.length);
    // Exactly the messages published after the target consumer stopped: no gap, no duplicate.
    expect(back.map((c) => c.id).sort()).toEqual([...later].sort());
  });
});
