import { describe, expect, it } from "vitest";
import { KafkaCluster } from "../../../components/events/KafkaCluster";
import { RedpandaCluster } from "../../../components/events/RedpandaCluster";
import { TOPIC_TYPE } from "../../../components/type-tokens";
import { planTopicSet } from "../../../components/events/topic-set-plan";
import { TopicSet, TOPIC_SET_TYPE } from "../../../components/events/TopicSet";
import type { ComposePlatformRef } from "../../../components/platform/platform-ref";
import { evaluateProgram } from "../../../tools/evaluate";

const compose: ComposePlatformRef = {
  kind: "compose",
  name: "edge",
  networkName: "edge",
  hostAddress: "host.docker.internal",
  resourceOptions: {},
};

const topics = [
  { name: "orders", partitions: 6, configs: { "retention.ms": 604800000 } },
  { name: "inventory.events", partitions: 3 },
];

describe("TopicSet", () => {
  it("provisions every topic on both clusters with the same partitions and configs", async () => {
    const { resources, result } = await evaluateProgram(() => {
      const redpanda = new RedpandaCluster("redpanda", { platform: compose, version: "v24.2.7" });
      const kafka = new KafkaCluster("kafka", { platform: compose, version: "4.1.1", brokers: 3 });
      const set = new TopicSet("events", {
        topics,
        clusters: [
          { name: "redpanda", bootstrap: redpanda.bootstrap },
          { name: "kafka", bootstrap: kafka.bootstrap, replicationFactor: 3 },
        ],
      });
      return { partitionCounts: set.partitionCounts, clusters: Object.keys(set.topics) };
    });
    const setUrn = resources.find((r) => r.type === TOPIC_SET_TYPE)!.urn;
    const made = resources.filter((r) => r.type === TOPIC_TYPE);
    expect(made.every((r) => r.parent === setUrn)).toBe(true);
    const view = made
      .map((r) => {
        const { __provider, ...inputs } = r.inputs;
        expect(typeof __provider).toBe("string");
        return [r.name, inputs] as const;
      })
      .sort((a, b) => a[0].localeCompare(b[0]));
    const common = { allowDeleteWithData: false, connectionTimeoutMs: 3000, adoptExisting: false };
    expect(view).toEqual([
      [
        "events-kafka-inventory.events",
        {
          ...common,
          name: "inventory.events",
          partitions: 3,
          replicationFactor: 3,
          configs: {},
          bootstrap: "kafka-0:9092,kafka-1:9092,kafka-2:9092",
        },
      ],
      [
        "events-kafka-orders",
        {
          ...common,
          name: "orders",
          partitions: 6,
          replicationFactor: 3,
          configs: { "retention.ms": "604800000" },
          bootstrap: "kafka-0:9092,kafka-1:9092,kafka-2:9092",
        },
      ],
      [
        "events-redpanda-inventory.events",
        {
          ...common,
          name: "inventory.events",
          partitions: 3,
          replicationFactor: 1,
          configs: {},
          bootstrap: "redpanda-0:9092",
        },
      ],
      [
        "events-redpanda-orders",
        {
          ...common,
          name: "orders",
          partitions: 6,
          replicationFactor: 1,
          configs: { "retention.ms": "604800000" },
          bootstrap: "redpanda-0:9092",
        },
      ],
    ]);
    expect(result).toEqual({
      partitionCounts: { orders: 6, "inventory.events": 3 },
      clusters: ["redpanda", "kafka"],
    });
  });
});

describe("planTopicSet", () => {
  const clusters = [
    { name: "redpanda", replicationFactor: 1 },
    { name: "kafka", replicationFactor: 3 },
  ];

  it("gives each topic the same partitions and configs on every cluster", () => {
    const plan = planTopicSet("events", topics, clusters);
    expect(plan).toHaveLength(4);
    for (const topic of ["orders", "inventory.events"]) {
      const perCluster = plan.filter((p) => p.topic === topic);
      expect(new Set(perCluster.map((p) => p.partitions)).size).toBe(1);
      expect(new Set(perCluster.map((p) => JSON.stringify(p.configs))).size).toBe(1);
    }
  });

  it.each<[string, unknown[], unknown[], RegExp]>([
    ["no topics", [], clusters, /topic set "events".topics = \[\]: declare at least one topic/],
    ["no clusters", topics, [], /clusters = \[\]: give the clusters/],
    [
      "a topic declared twice",
      [...topics, { name: "orders", partitions: 12 }],
      clusters,
      /topics\[2\].name = "orders": declared twice/,
    ],
    [
      "a cluster named twice",
      topics,
      [...clusters, { name: "kafka", replicationFactor: 1 }],
      /clusters\[2\].name = "kafka": give each cluster a distinct short name/,
    ],
    [
      "a bad cluster name",
      topics,
      [{ name: "Kafka Prod", replicationFactor: 1 }],
      /clusters\[0\].name = "Kafka Prod"/,
    ],
    [
      "zero partitions",
      [{ name: "orders", partitions: 0 }],
      clusters,
      /topics\[0\].partitions = 0/,
    ],
    [
      "a bad replication factor",
      topics,
      [{ name: "kafka", replicationFactor: 0 }],
      /clusters\[0\].replicationFactor = 0/,
    ],
    [
      "a bad topic name",
      [{ name: "orders v2", partitions: 1 }],
      clusters,
      /topics\[0\].name = "orders v2"/,
    ],
  ])("refuses %s", (_, topicList, clusterList, message) => {
    expect(() => planTopicSet("events", topicList as never, clusterList as never)).toThrow(message);
  });
});
