import { describe, expect, it } from "vitest";
import { topicProvider } from "../../../components/events/topic-provider";
import { planTopicSet } from "../../../components/events/topic-set-plan";
import type { TopicState } from "../../../components/events/topic-spec";
import { kafka, services, uniqueName } from "../support/services";

// A TopicSet's plan, applied through the Topic provider on both real brokers: the same
// partition count on each means a key lands in the same partition on Redpanda and on Kafka,
// which dual publishing and offset mapping rely on.
describe("a topic set on the legacy and target brokers", () => {
  it("has the same partitions everywhere, so every key lands in the same partition", async () => {
    const topic = uniqueName("topic-set-orders");
    const plan = planTopicSet(
      "events",
      [{ name: topic, partitions: 5, configs: { "retention.ms": 3_600_000 } }],
      [
        { name: "legacy", replicationFactor: 1 },
        { name: "target", replicationFactor: 1 },
      ],
    );
    const created: TopicState[] = [];
    for (const p of plan) {
      const cluster = p.cluster as "legacy" | "target";
      const { outs } = await topicProvider.create({
        name: p.topic,
        bootstrap: services().kafka[cluster].bootstrap,
        partitions: p.partitions,
        replicationFactor: p.replicationFactor,
        configs: p.configs,
      });
      created.push(outs!);
    }
    expect(created.map((s) => s.partitions)).toEqual([5, 5]);

    const keys = Array.from({ length: 40 }, (_, i) => `order-${i}`);
    const placement: Record<string, number[]> = {};
    for (const cluster of ["legacy", "target"] as const) {
      const producer = kafka(cluster).producer();
      await producer.connect();
      await producer.send({
        topic,
        messages: keys.map((key) => ({ key, value: key })),
      });
      await producer.disconnect();
      placement[cluster] = await partitionOfEachKey(cluster, topic, keys);
    }
    expect(new Set(placement.legacy).size).toBeGreaterThan(1); // keys really spread out
    expect(placement.target).toEqual(placement.legacy);

    for (const state of created) {
      await topicProvider.delete!(state.name, { ...state, allowDeleteWithData: true });
    }
  });
});

/** Reads the topic back and reports, for each key, the partition it was stored in. */
async function partitionOfEachKey(
  cluster: "legacy" | "target",
  topic: string,
  keys: string[],
): Promise<number[]> {
  const consumer = kafka(cluster).consumer({ groupId: uniqueName("topic-set-reader") });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const partitionOf = new Map<string, number>();
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: ({ partition, message }) => {
        partitionOf.set(message.key!.toString(), partition);
        if (partitionOf.size === keys.length) resolve();
        return Promise.resolve();
      },
    });
  });
  await consumer.disconnect();
  return keys.map((key) => partitionOf.get(key)!);
}
