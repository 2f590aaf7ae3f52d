import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DualPublisher } from "../../../tools/events/dual-publisher";
import { verifyTopic } from "../../../tools/events/verify/verify-topic";
import { startKafkaCluster, stopKafkaCluster } from "../../services/manager";
import { uniqueName } from "../support/services";
import { createTopic, idsOf, quickKafka } from "./events-support";

const spoolDirs: string[] = [];
afterAll(() => spoolDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function newSpoolDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "stepwise-spool-"));
  spoolDirs.push(dir);
  return dir;
}

const PARTITIONS = 3;
const KEYS = 12;

function batch(from: number, size: number) {
  return Array.from({ length: size }, (_, i) => ({
    key: `key-${(from + i) % KEYS}`,
    value: `value-${from + i}`,
    headers: { origin: "test" },
  }));
}

describe("dual publisher on the real brokers (legacy = Redpanda stand-in is primary)", () => {
  it("publishes the same messages, ids and order to both clusters", async () => {
    const topic = uniqueName("dual-happy");
    await Promise.all([
      createTopic("legacy", topic, PARTITIONS),
      createTopic("target", topic, PARTITIONS),
    ]);
    const publisher = new DualPublisher({
      primary: quickKafka("legacy"),
      secondary: quickKafka("target"),
      spoolDir: newSpoolDir(),
    });
    await publisher.connect();
    try {
      for (let i = 0; i < 200; i += 20) await publisher.publish(topic, batch(i, 20));
      expect(publisher.counters).toEqual({
        sent: 200,
        acknowledged: 200,
        primaryFailed: 0,
        secondaryAcknowledged: 200,
        spooled: 0,
        replayed: 0,
        lag: 0,
      });
    } finally {
      await publisher.close();
    }
    let total = 0;
    for (let p = 0; p < PARTITIONS; p++) {
      const [legacy, target] = await Promise.all([
        idsOf("legacy", topic, p),
        idsOf("target", topic, p),
      ]);
      expect(target).toEqual(legacy);
      total += legacy.length;
    }
    expect(total).toBe(200);
  });

  it("spools while the secondary broker is down and replays in order after it is back: zero loss", async () => {
    const topic = uniqueName("dual-outage");
    await Promise.all([
      createTopic("legacy", topic, PARTITIONS),
      createTopic("target", topic, PARTITIONS),
    ]);
    const publisher = new DualPublisher({
      primary: quickKafka("legacy"),
      secondary: quickKafka("target"),
      spoolDir: newSpoolDir(),
      replayIntervalMs: 300,
    });
    await publisher.connect();
    const published: string[] = [];
    try {
      for (let i = 0; i < 100; i += 10)
        published.push(...(await publisher.publish(topic, batch(i, 10))));
      await stopKafkaCluster("target");
      try {
        // The primary keeps acknowledging; the secondary's share goes to the spool.
        for (let i = 100; i < 250; i += 10)
          published.push(...(await publisher.publish(topic, batch(i, 10))));
        expect(publisher.counters.spooled).toBe(150);
        expect(publisher.counters.lag).toBe(150);
        expect(publisher.counters.acknowledged).toBe(250);
      } finally {
        await startKafkaCluster("target");
      }
      // Published after the restart but while the spool still holds older messages: queued behind.
      for (let i = 250; i < 300; i += 10)
        published.push(...(await publisher.publish(topic, batch(i, 10))));
      expect(await publisher.drain(60_000)).toBe(true);
      const counters = publisher.counters;
      expect(counters.lag).toBe(0);
      expect(counters.replayed).toBe(counters.spooled);
      expect(counters.secondaryAcknowledged + counters.spooled).toBe(300);
    } finally {
      await publisher.close();
    }
    const everywhere: string[] = [];
    for (let p = 0; p < PARTITIONS; p++) {
      const [legacy, target] = await Promise.all([
        idsOf("legacy", topic, p),
        idsOf("target", topic, p),
      ]);
      expect(target).toEqual(legacy); // same messages, same order per partition (so per key)
      everywhere.push(...target);
    }
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
