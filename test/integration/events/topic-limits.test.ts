import { ConfigResourceTypes } from "kafkajs";
import { describe, expect, it } from "vitest";
import { encodeRecordTails } from "../../../tools/events/produce/record-batch";
import { PublishJournal } from "../../../tools/events/publish-journal";
import { uniqueName } from "../support/services";
import {
  createTopic,
  idsOf,
  legacyToTargetPublisher,
  quickKafka,
  temporaryFolders,
} from "./events-support";

const newDir = temporaryFolders("stepwise-limits-");
const limit = (bytes: number) => [{ name: "max.message.bytes", value: String(bytes) }];

async function setTopicLimit(cluster: "legacy" | "target", topic: string, bytes: number) {
  const admin = quickKafka(cluster).admin();
  await admin.connect();
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: limit(bytes) }],
    });
  } finally {
    await admin.disconnect();
  }
}

const kilobyteMessages = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: Buffer.alloc(1000, i) }));

describe("dual publishing within the topics' max.message.bytes (real brokers)", () => {
  it("forwards in requests within a topic limit below the forwarder's usual request size", async () => {
    // Same limit on both clusters (the compatibility check finds nothing), yet the forwarder's
    // usual 1,000-message request (about 1 MB) would be refused: it has to split.
    const topic = uniqueName("limits-split");
    await Promise.all([
      createTopic("legacy", topic, 1, limit(100_000)),
      createTopic("target", topic, 1, limit(100_000)),
    ]);
    const publisher = await legacyToTargetPublisher(newDir(), { secondaryLingerMs: 500 });
    try {
      for (let i = 0; i < 10; i++) await publisher.publish(topic, kilobyteMessages(50));
      expect(await publisher.drain(10_000)).toBe(true);
      expect(publisher.counters).toMatchObject({ replayed: 500, secondaryFailures: 0 });
    } finally {
      await publisher.close();
    }
    const primaryIds = await idsOf("legacy", topic, 0);
    expect(primaryIds).toHaveLength(500);
    expect(await idsOf("target", topic, 0)).toEqual(primaryIds);
  });

  it("splits again when the secondary's limit is lowered under a running publisher", async () => {
    const topic = uniqueName("limits-lowered");
    await Promise.all([createTopic("legacy", topic, 2), createTopic("target", topic, 2)]);
    const publisher = await legacyToTargetPublisher(newDir(), { secondaryLingerMs: 500 });
    try {
      await publisher.publish(topic, kilobyteMessages(10));
      expect(await publisher.drain()).toBe(true); // the default limit is read and kept
      await setTopicLimit("target", topic, 50_000);
      for (let i = 0; i < 8; i++) await publisher.publish(topic, kilobyteMessages(40));
      expect(await publisher.drain(10_000)).toBe(true);
      expect(publisher.counters).toMatchObject({ replayed: 330, secondaryFailures: 0 });
    } finally {
      await publisher.close();
    }
    for (const partition of [0, 1])
      expect(await idsOf("target", topic, partition)).toEqual(
        await idsOf("legacy", topic, partition),
      );
  });

  it("refuses what either cluster's limit would refuse, before spooling anything", async () => {
    // The secondary's limit is read by the forwarder (publish() never asks the secondary), so it
    // is checked from the topic's first forward on.
    const topic = uniqueName("limits-refused");
    await Promise.all([
      createTopic("legacy", topic, 1, limit(20_000)),
      createTopic("target", topic, 1, limit(10_000)),
    ]);
    const publisher = await legacyToTargetPublisher(newDir());
    let first: string[] = [];
    try {
      first = await publisher.publish(topic, [{ value: "first" }]);
      expect(await publisher.drain()).toBe(true);
      await expect(
        publisher.publish(topic, [{ value: "a" }, { value: Buffer.alloc(30_000) }]),
      ).rejects.toThrow(
        new RegExp(
          `message 1: 300\\d\\d bytes encoded, too large for max.message.bytes 20000 of topic "${topic}" on the primary`,
        ),
      );
      await expect(publisher.publish(topic, [{ value: Buffer.alloc(15_000) }])).rejects.toThrow(
        `too large for max.message.bytes 10000 of topic "${topic}" on the secondary`,
      );
      // Each message fits, but the primary takes a publish() in one batch per partition.
      await expect(publisher.publish(topic, kilobyteMessages(25))).rejects.toThrow(
        `the messages for partition 0 come to more than max.message.bytes 20000 of topic "${topic}" on the primary`,
      );
      expect(publisher.counters).toMatchObject({ sent: 29, primaryFailed: 28, spooled: 1 });
    } finally {
      await publisher.close();
    }
    expect(await idsOf("legacy", topic, 0)).toEqual(first);
  });

  it("stops at a spooled message the secondary refuses, says why, and resumes once allowed", async () => {
    // A message spooled while the secondary could not be asked for its limit, which is lower.
    const topic = uniqueName("limits-stalled");
    await Promise.all([
      createTopic("legacy", topic, 1),
      createTopic("target", topic, 1, limit(10_000)),
    ]);
    const spoolDir = newDir();
    const [tail] = encodeRecordTails([
      { key: null, value: Buffer.alloc(30_000, 1), headers: [["stepwise-message-id", "big-1"]] },
    ]);
    const journal = new PublishJournal(spoolDir);
    const record = { timestamp: Date.now(), messageId: "big-1", tail };
    const { seqs, durable } = journal.appendIntents([{ topic, partition: 0, records: [record] }]);
    await durable;
    await journal.recordOutcome(seqs[0], 0n); // as if the primary had acknowledged it
    await journal.close();
    const publisher = await legacyToTargetPublisher(spoolDir);
    try {
      expect(await publisher.drain(1500)).toBe(false);
      expect(String(publisher.replayError)).toMatch(
        new RegExp(
          `the secondary refuses a batch of topic "${topic}" as too large: its max.message.bytes is 10000, ` +
            "and the largest spooled message takes up to 300\\d\\d bytes",
        ),
      );
      await setTopicLimit("target", topic, 100_000);
      expect(await publisher.drain()).toBe(true);
    } finally {
      await publisher.close();
    }
    expect(await idsOf("target", topic, 0)).toEqual(["big-1"]);
  });
});
