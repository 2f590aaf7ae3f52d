import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CompressionTypes, Kafka, logLevel } from "kafkajs";
import { describe, expect, it } from "vitest";
import { DualPublisher } from "../../../tools/events/dual-publisher";
import type { ReadMessage } from "../../../tools/events/partition-reader";
import { encodeRecordTails } from "../../../tools/events/produce/record-batch";
import { RecordProducer } from "../../../tools/events/produce/record-producer";
import { services, uniqueName } from "../support/services";
import {
  createTopic,
  idsOf,
  messagesOf,
  legacyToTargetPublisher,
  quickKafka,
  temporaryFolders,
} from "./events-support";

const newDir = temporaryFolders("stepwise-producer-");

describe("records encoded once, produced on kafkajs connections (real brokers)", () => {
  it("an idempotent producer resending a delivered request byte for byte writes nothing twice", async () => {
    const topic = uniqueName("producer-resend");
    await createTopic("target", topic, 1);
    const producer = new RecordProducer(quickKafka("target"), {
      acks: -1,
      idempotent: true,
      retries: 2,
    });
    await producer.connect();
    try {
      const tails = encodeRecordTails(
        ["a", "b", "c"].map((id) => ({
          key: null,
          value: Buffer.from(id),
          headers: [["stepwise-message-id", id]],
        })),
      );
      const records = tails.map((tail) => ({ timestamp: Date.now(), tail }));
      const pending = await producer.prepare(topic, new Map([[0, records]]));
      await producer.deliver(pending);
      // As after a timeout whose request had landed: the same bytes, the same sequence numbers.
      for (const batch of pending.batches) batch.acknowledged = false;
      await producer.deliver(pending);
      const next = await producer.prepare(topic, new Map([[0, records.slice(0, 1)]]));
      await producer.deliver(next); // a new batch after the resend is accepted in sequence
    } finally {
      await producer.disconnect();
    }
    expect(await idsOf("target", topic, 0)).toEqual(["a", "b", "c", "a"]);
  });

  it("asks each cluster for metadata once, not on every publish", async () => {
    const topic = uniqueName("dual-metadata");
    await Promise.all([createTopic("legacy", topic, 3), createTopic("target", topic, 3)]);
    const metadataRequests = { legacy: 0, target: 0 };
    // kafkajs logs every request it sends at debug level; this counts the Metadata ones.
    const counted = (cluster: "legacy" | "target") =>
      new Kafka({
        clientId: "stepwise-metadata-count",
        brokers: [services().kafka[cluster].bootstrap],
        logLevel: logLevel.DEBUG,
        logCreator: () => (entry) => {
          if (entry.log.message.startsWith("Request Metadata")) metadataRequests[cluster]++;
        },
      });
    const publisher = new DualPublisher({
      primary: counted("legacy"),
      secondary: counted("target"),
      spoolDir: newDir(),
      secondaryLingerMs: 0,
    });
    await publisher.connect();
    try {
      for (let i = 0; i < 20; i++)
        await publisher.publish(topic, [{ key: `k${i}`, value: `v${i}` }]);
      expect(await publisher.drain()).toBe(true);
    } finally {
      await publisher.close();
    }
    expect(publisher.counters.replayed).toBe(20);
    // One when connecting and one when the topic is first published to, per cluster.
    expect(metadataRequests.legacy).toBeLessThanOrEqual(2);
    expect(metadataRequests.target).toBeLessThanOrEqual(2);
  });

  it("publishes to a partition added after the topic's metadata was loaded", async () => {
    const topic = uniqueName("dual-grown");
    await Promise.all([createTopic("legacy", topic, 2), createTopic("target", topic, 2)]);
    const publisher = await legacyToTargetPublisher(newDir(), { secondaryLingerMs: 0 });
    try {
      await publisher.publish(topic, [{ value: "before", partition: 1 }]);
      for (const cluster of ["legacy", "target"] as const) {
        const admin = quickKafka(cluster).admin();
        await admin.connect();
        await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] });
        await admin.disconnect();
      }
      const [id] = await publisher.publish(topic, [{ value: "after", partition: 2 }]);
      expect(await publisher.drain()).toBe(true);
      expect(await idsOf("legacy", topic, 2)).toEqual([id]);
      expect(await idsOf("target", topic, 2)).toEqual([id]);
    } finally {
      await publisher.close();
    }
  });

  it("names the topic when it does not exist on the cluster", async () => {
    const producer = new RecordProducer(quickKafka("legacy"), { acks: -1, retries: 0 });
    await producer.connect();
    try {
      const missing = uniqueName("producer-missing");
      await expect(producer.partitions(missing)).rejects.toThrow(
        new RegExp(`topic "${missing}" does not exist on this cluster; create it first`),
      );
    } finally {
      await producer.disconnect();
    }
  });

  it("dual publishes gzip batches: both clusters hold the same keys, values and headers", async () => {
    const topic = uniqueName("dual-gzip");
    await Promise.all([createTopic("legacy", topic, 2), createTopic("target", topic, 2)]);
    const publisher = await legacyToTargetPublisher(newDir(), {
      compression: CompressionTypes.GZIP,
    });
    try {
      await publisher.publish(
        topic,
        Array.from({ length: 40 }, (_, i) => ({
          key: `k${i % 5}`,
          value: `value ${i}`,
          headers: { n: String(i) },
        })),
      );
      expect(await publisher.drain()).toBe(true);
    } finally {
      await publisher.close();
    }
    const shape = (m: ReadMessage) => [
      m.key?.toString(),
      m.value?.toString(),
      m.headers.n?.toString(),
    ];
    for (const partition of [0, 1]) {
      const [legacy, target] = await Promise.all([
        messagesOf("legacy", topic, partition),
        messagesOf("target", topic, partition),
      ]);
      expect(target.map(shape)).toEqual(legacy.map(shape));
    }
  });

  it("refuses a spool file of an earlier stepwise instead of ignoring what it holds", () => {
    const spoolDir = newDir();
    writeFileSync(join(spoolDir, "spool.jsonl"), '{"topic":"t","record":""}\n');
    expect(
      () =>
        new DualPublisher({
          primary: quickKafka("legacy"),
          secondary: quickKafka("target"),
          spoolDir,
        }),
    ).toThrow(
      `${join(spoolDir, "spool.jsonl")} is a spool of an earlier stepwise that this version does not read`,
    );
  });

  it("refuses a message it could never forward, before spooling anything", async () => {
    const topic = uniqueName("dual-refused");
    await Promise.all([createTopic("legacy", topic, 2), createTopic("target", topic, 2)]);
    const publisher = await legacyToTargetPublisher(newDir());
    try {
      await expect(
        publisher.publish(topic, [{ value: "a" }, { value: "b", partition: 2 }]),
      ).rejects.toThrow(
        `message 1: partition 2 does not exist; topic "${topic}" has partitions 0 to 1`,
      );
      await expect(
        publisher.publish(topic, [{ value: "a", timestamp: "yesterday" }]),
      ).rejects.toThrow(/message 0: timestamp "yesterday" is not epoch milliseconds/);
      const missing = uniqueName("dual-missing");
      await expect(publisher.publish(missing, [{ value: "a" }])).rejects.toThrow(
        `topic "${missing}" does not exist on this cluster; create it first`,
      );
      expect(publisher.counters).toMatchObject({ sent: 4, primaryFailed: 4, spooled: 0, lag: 0 });
    } finally {
      await publisher.close();
    }
    expect(await idsOf("legacy", topic, 0)).toEqual([]);
  });

  it("splits what the secondary is sent below the broker's 1 MiB batch limit", async () => {
    const topic = uniqueName("dual-large");
    await Promise.all([createTopic("legacy", topic, 1), createTopic("target", topic, 1)]);
    // A long linger, so the forwarder would gather them all in one request.
    const publisher = await legacyToTargetPublisher(newDir(), { secondaryLingerMs: 200 });
    const value = Buffer.alloc(100 * 1024, "v");
    try {
      // 8 × 100 KiB per publish fits one batch; the 24 together (2.4 MiB) would not.
      for (let i = 0; i < 24; i += 8)
        await publisher.publish(
          topic,
          Array.from({ length: 8 }, () => ({ value })),
        );
      expect(await publisher.drain()).toBe(true);
      expect(publisher.counters).toMatchObject({ replayed: 24, secondaryFailures: 0 });
    } finally {
      await publisher.close();
    }
    expect(await idsOf("target", topic, 0)).toEqual(await idsOf("legacy", topic, 0));
  });
});
