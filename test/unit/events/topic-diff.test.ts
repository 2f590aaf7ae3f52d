import { describe, expect, it } from "vitest";
import { recordsHeld } from "../../../components/events/topic-admin";
import {
  describeChanges,
  diffTopic,
  planTopicUpdate,
  stableFields,
} from "../../../components/events/topic-diff";
import type { TopicState } from "../../../components/events/topic-spec";

const recorded: TopicState = {
  name: "orders",
  partitions: 3,
  replicationFactor: 1,
  configs: { "cleanup.policy": "delete", "retention.ms": "1000" },
  bootstrap: "kafka-0:9092",
  allowDeleteWithData: false,
  connectionTimeoutMs: 3000,
  adoptExisting: false,
};

describe("diffTopic", () => {
  it.each<[string, Partial<TopicState>, string]>([
    ["nothing", {}, ""],
    ["partitions growing", { partitions: 6 }, "partitions: 3 → 6"],
    [
      "a config changed, one added, one removed",
      { configs: { "retention.ms": "2000", "segment.ms": "60000" } },
      'configs.cleanup.policy: - "delete", configs.retention.ms: "1000" → "2000", configs.segment.ms: + "60000"',
    ],
    [
      "the brokers' address",
      { bootstrap: "kafka-0:9093" },
      'bootstrap: "kafka-0:9092" → "kafka-0:9093"',
    ],
    ["the delete guard", { allowDeleteWithData: true }, "allowDeleteWithData: false → true"],
  ])("names exactly the fields that change: %s", (_, change, described) => {
    const diff = diffTopic(recorded, { ...recorded, ...change });
    expect(describeChanges(diff.changes)).toBe(described);
    expect(diff.refusals).toEqual([]);
  });

  it.each<[string, Partial<TopicState>, RegExp]>([
    [
      "a partition decrease",
      { partitions: 2 },
      /^topic "orders": partitions 3 → 2 refused: Kafka cannot remove partitions.*Keep partitions at 3 or more/,
    ],
    [
      "a replication-factor change",
      { replicationFactor: 3 },
      /^topic "orders": replicationFactor 1 → 3 refused:.*Set replicationFactor back to 1/,
    ],
    [
      "a rename",
      { name: "orders-v2" },
      /^topic "orders": name "orders" → "orders-v2" refused: Kafka cannot rename a topic/,
    ],
  ])("refuses %s with the topic, both values and what to do", (_, change, message) => {
    const diff = diffTopic(recorded, { ...recorded, ...change });
    expect(diff.refusals).toHaveLength(1);
    expect(diff.refusals[0]).toMatch(message);
  });

  it("lists every refusal at once", () => {
    const diff = diffTopic(recorded, { ...recorded, partitions: 1, replicationFactor: 2 });
    expect(diff.refusals).toHaveLength(2);
  });
});

describe("stableFields", () => {
  it("lists the top-level fields no change touches", () => {
    const { changes } = diffTopic(recorded, {
      ...recorded,
      partitions: 4,
      configs: { "retention.ms": "1" },
    });
    expect(stableFields(changes)).toEqual([
      "name",
      "replicationFactor",
      "bootstrap",
      "allowDeleteWithData",
      "connectionTimeoutMs",
      "adoptExisting",
    ]);
  });
});

describe("planTopicUpdate", () => {
  it.each<[string, Partial<TopicState>, number, object]>([
    ["partitions only", { partitions: 6 }, 3, { partitionsTo: 6 }],
    [
      "configs only, sent as the full set",
      { configs: { "retention.ms": "5" } },
      3,
      { configs: { "retention.ms": "5" } },
    ],
    ["both", { partitions: 4, configs: {} }, 3, { partitionsTo: 4, configs: {} }],
    // A retry after partitions were already added adds none again.
    ["partitions already there", { partitions: 6 }, 6, {}],
    ["only state fields", { allowDeleteWithData: true }, 3, {}],
  ])("%s", (_, change, actualPartitions, plan) => {
    expect(planTopicUpdate(recorded, { ...recorded, ...change }, actualPartitions)).toEqual(plan);
  });

  it("refuses a decrease against the partitions the broker really has", () => {
    expect(() => planTopicUpdate(recorded, { ...recorded, partitions: 4 }, 5)).toThrow(
      /partitions 5 → 4 refused/,
    );
  });
});

describe("recordsHeld", () => {
  it.each([
    [[], { total: 0, partitions: [] }],
    [[{ partition: 0, high: "5", low: "5" }], { total: 0, partitions: [] }],
    [
      [
        { partition: 1, high: "10", low: "4" },
        { partition: 0, high: "3", low: "0" },
        { partition: 2, high: "7", low: "7" },
      ],
      { total: 9, partitions: [0, 1] },
    ],
  ])("counts records in %j", (offsets, held) => {
    expect(recordsHeld(offsets)).toEqual(held);
  });
});
