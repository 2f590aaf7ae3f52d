import { Kafka, logLevel } from "kafkajs";
import { describe, expect, it } from "vitest";
import { DualPublisher } from "../../../tools/events/dual-publisher";
import { verifyTopic } from "../../../tools/events/verify/verify-topic";
import { startKafkaCluster, stopKafkaCluster } from "../../services/manager";
import { uniqueName } from "../support/services";
import {
  createTopic,
  idsOf,
  legacyToTargetPublisher,
  quickKafka,
  temporaryFolders,
} from "./events-support";

const newSpoolDir = temporaryFolders("stepwise-spool-");

const PARTITIONS = 3;
const KEYS = 12;

function batch(from: number, size: number) {
  return Array.from({ length: size }, (_, i) => ({
    key: `key-${(from + i) % KEYS}`,
    value: `value-${from + i}`,
    headers: { origin: "test" },
  }));
}

async function topicOnBoth(prefix: string): Promise<string> {
  const topic = uniqueName(prefix);
  await Promise.all([
    createTopic("legacy", topic, PARTITIONS),
    createTopic("target", topic, PARTITIONS),
  ]);
  return topic;
}

/** Asserts each partition holds the same ids in the same order on both; returns them all. */
async function sameOnBoth(topic: string): Promise<string[]> {
  const all: string[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const [legacy, target] = await Promise.all([
      idsOf("legacy", topic, p),
      idsOf("target", topic, p),
    ]);
    expect(target).toEqual(legacy);
    all.push(...target);
  }
  return all;
}

describe("dual publisher on the real brokers (legacy = Redpanda stand-in is primary)", () => {
  it("publishes the same messages, ids and order to both clusters", async () => {
    const topic = await topicOnBoth("dual-happy");
    const publisher = await legacyToTargetPublisher(newSpoolDir());
    try {
      for (let i = 0; i < 200; i += 20) await publisher.publish(topic, batch(i, 20));
      expect(await publisher.drain()).toBe(true);
      expect(publisher.counters).toEqual({
        sent: 200,
        acknowledged: 200,
        primaryFailed: 0,
        spooled: 200,
        replayed: 200,
        secondaryFailures: 0,
        lag: 0,
      });
    } finally {
      await publisher.close();
    }
    expect(await sameOnBoth(topic)).toHaveLength(200);
  });

  it("a spool left by a publisher that could not reach the secondary is forwarded by the next one", async () => {
    const topic = await topicOnBoth("dual-restart");
    const spoolDir = newSpoolDir();
    const unreachable = new Kafka({
      clientId: "stepwise-events-test",
      brokers: ["127.0.0.1:1"], // nothing listens there
      logLevel: logLevel.NOTHING,
      connectionTimeout: 300,
      retry: { retries: 0 },
    });
    const first = new DualPublisher({
      primary: quickKafka("legacy"),
      secondary: unreachable,
      spoolDir,
    });
    await first.connect();
    const published: string[] = [];
    for (let i = 0; i < 60; i += 20) published.push(...(await first.publish(topic, batch(i, 20))));
    expect(first.counters).toMatchObject({ acknowledged: 60, replayed: 0, lag: 60 });
    await first.close();

    // Bounded lag while the secondary is healthy: publish() waits once it passes maxLag.
    const second = await legacyToTargetPublisher(spoolDir, { maxLag: 30 });
    try {
      expect(second.counters.lag).toBeLessThanOrEqual(60);
      for (let i = 60; i < 120; i += 20) {
        published.push(...(await second.publish(topic, batch(i, 20))));
        expect(second.counters.lag).toBeLessThanOrEqual(30);
      }
      expect(await second.drain()).toBe(true);
      expect(second.counters.replayed).toBe(120); // the 60 left over and its own 60
    } finally {
      await second.close();
    }
    const onTarget = await sameOnBoth(topic);
    expect(onTarget.sort()).toEqual([...published].sort());
  });

  // Last: it restarts the target broker, which then answers slowly for a while.
  it("spools while the secondary broker is down and replays in order after it is back: zero loss", async () => {
    const topic = await topicOnBoth("dual-outage");
    const publisher = await legacyToTargetPublisher(newSpoolDir(), { replayIntervalMs: 300 });
    const published: string[] = [];
    try {
      for (let i = 0; i < 100; i += 10)
        published.push(...(await publisher.publish(topic, batch(i, 10))));
      expect(await publisher.drain()).toBe(true);
      await stopKafkaCluster("target");
      try {
        // The primary keeps acknowledging; the secondary's share waits in the spool.
        for (let i = 100; i < 250; i += 10)
          published.push(...(await publisher.publish(topic, batch(i, 10))));
        expect(publisher.counters).toMatchObject({ acknowledged: 250, replayed: 100, lag: 150 });
        await expect
          .poll(() => publisher.counters.secondaryFailures, { timeout: 20_000 })
          .toBeGreaterThan(0);
        expect(publisher.replayError).toBeDefined();
      } finally {
        await startKafkaCluster("target");
      }
      // Published after the restart but while the spool still holds older messages: queued behind.
      for (let i = 250; i < 300; i += 10)
        published.push(...(await publisher.publish(topic, batch(i, 10))));
      expect(await publisher.drain(60_000)).toBe(true);
      const counters = publisher.counters;
      expect(counters.lag).toBe(0);
      expect(counters.replayed).toBe(300);
      expect(counters.spooled).toBe(300);
    } finally {
      await publisher.close();
    }
    // Same messages, same order per partition (so per key).
    const everywhere = await sameOnBoth(topic);
    expect(everywhere.sort()).toEqual([...published].sort());
    // And the proof tool agrees: nothing missing, extra or reordered in any partition.
    const proof = await verifyTopic({
      source: quickKafka("legacy"),
      target: quickKafka("target"),
      topic,
    });
    expect(
      proof.partitions.map((p) => (p.mode === "log" ? p.comparison.duplicatesOnTarget : -1)),
    ).toEqual([0, 0, 0]);
    expect(proof.passed).toBe(true);
    expect(proof.partitions.map((p) => p.comparison.matched).reduce((a, b) => a + b)).toBe(300);
  });
});
