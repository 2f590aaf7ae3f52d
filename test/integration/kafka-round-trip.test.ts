import { afterAll, describe, expect, it } from "vitest";
import type { Consumer, Producer } from "kafkajs";
import { kafka, uniqueName } from "./support/services";

const opened: Array<Producer | Consumer> = [];
afterAll(async () => {
  await Promise.all(opened.map((client) => client.disconnect()));
});

describe.each(["legacy", "target"] as const)("kafka %s broker", (cluster) => {
  it("delivers a produced message to a consumer, key and headers intact", async () => {
    const client = kafka(cluster);
    const topic = uniqueName("round-trip");
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();

    const producer = client.producer();
    opened.push(producer);
    await producer.connect();
    await producer.send({
      topic,
      messages: [{ key: "order-1", value: "created", headers: { "message-id": "m-1" } }],
    });

    const consumer = client.consumer({ groupId: uniqueName("round-trip-group") });
    opened.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<{ key: string; value: string; id: string }>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          resolve({
            key: message.key!.toString(),
            value: message.value!.toString(),
            id: message.headers!["message-id"]!.toString(),
          });
          return Promise.resolve();
        },
      });
    });
    expect(received).toEqual({ key: "order-1", value: "created", id: "m-1" });
  });
});

describe("legacy broker (standing in for Redpanda)", () => {
  it("refuses automatic topic creation, as Redpanda does by default", async () => {
    const topic = uniqueName("never-created");
    const producer = kafka("legacy").producer({
      allowAutoTopicCreation: true,
      retry: { retries: 1 },
    });
    opened.push(producer);
    await producer.connect();
    await expect(producer.send({ topic, messages: [{ value: "x" }] })).rejects.toThrow(
      /topic or partition that this server does not host|UNKNOWN_TOPIC_OR_PARTITION|does not host/i,
    );
    const admin = kafka("legacy").admin();
    await admin.connect();
    expect(await admin.listTopics()).not.toContain(topic);
    await admin.disconnect();
  });

  it("creates topics with one partition by default", async () => {
    const topic = uniqueName("default-partitions");
    const admin = kafka("legacy").admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.disconnect();
    expect(metadata.topics[0].partitions).toHaveLength(1);
  });

  it("differs from target, which does create topics automatically", async () => {
    const topic = uniqueName("auto-created");
    const producer = kafka("target").producer({ allowAutoTopicCreation: true });
    opened.push(producer);
    await producer.connect();
    await producer.send({ topic, messages: [{ value: "x" }] });
    const admin = kafka("target").admin();
    await admin.connect();
    expect(await admin.listTopics()).toContain(topic);
    await admin.disconnect();
  });
});
