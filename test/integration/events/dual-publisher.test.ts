import { Kafka, logLevel } from "kafkajs";
import { describe, expect, it } from "vitest";
import { DualPublisher } from "../../../tools/events/dual-publisher";
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
      expect(publisher.counters).toMatchObject({
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

    const second = await legacyToTargetPublisher(spoolDir);
    try {
      expect(second.counters.lag).toBeLessThanOrEqual(60);
      for (let i = 60; i < 120; i += 20)
        published.push(...(await second.publish(topic, batch(i, 20))));
      expect(await second.drain()).toBe(true);
      expect(second.counters.replayed).toBe(120); // the 60 left over and its own 60
    } finally {
      await second.close();
    }
    const onTarget = await sameOnBoth(topic);
    expect(onTarget.sort()).toEqual([...published].sort());
  });
});
