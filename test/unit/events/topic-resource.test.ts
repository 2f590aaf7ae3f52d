import { describe, expect, it } from "vitest";
import { Topic } from "../../../components/events/Topic";
import { TOPIC_TYPE } from "../../../components/type-tokens";
import { evaluateProgram } from "../../../tools/evaluate";
import { serializedTopicProvider } from "./serialized-provider";

describe("Topic under mocks", () => {
  it("registers one dynamic resource with its inputs and a serialized provider", async () => {
    const { resources } = await evaluateProgram(() => {
      new Topic("orders", {
        bootstrap: "kafka-0:9092",
        partitions: 6,
        replicationFactor: 3,
        configs: { "retention.ms": 604800000 },
      });
    });
    expect(resources.map((r) => [r.type, r.name])).toEqual([[TOPIC_TYPE, "orders"]]);
    const { __provider, ...inputs } = resources[0].inputs;
    expect(inputs).toEqual({
      name: "orders",
      bootstrap: "kafka-0:9092",
      partitions: 6,
      replicationFactor: 3,
      configs: { "retention.ms": 604800000 },
      allowDeleteWithData: false,
      connectionTimeoutMs: 3000,
      adoptExisting: false,
    });
    expect(typeof __provider).toBe("string");
    expect((__provider as string).length).toBeGreaterThan(1000);
  });

  it("names the Kafka topic apart from the resource when asked", async () => {
    const { resources } = await evaluateProgram(() => {
      new Topic("orders-on-kafka", {
        bootstrap: "kafka-0:9092",
        topicName: "orders",
        partitions: 3,
        replicationFactor: 1,
        allowDeleteWithData: true,
      });
    });
    expect(resources[0].name).toBe("orders-on-kafka");
    expect(resources[0].inputs).toMatchObject({ name: "orders", allowDeleteWithData: true });
  });
});

describe("serialized Topic provider", () => {
  it("requires kafkajs inside its methods and captures no client", async () => {
    const { text } = await serializedTopicProvider();
    expect(text).toContain('require("kafkajs")');
    const topLevel = text.split("\n").filter((line) => line.startsWith("var "));
    expect(topLevel.length).toBeGreaterThan(0);
    expect(topLevel.filter((line) => /kafka|admin/i.test(line))).toEqual([]);
  });

  it("runs on its own: check and diff work from the serialized text", async () => {
    const { provider } = await serializedTopicProvider();
    const news = { name: "orders", bootstrap: "k:9092", partitions: 3, replicationFactor: 1 };
    const checked = await provider.check!({}, news);
    expect(checked.failures).toBeUndefined();
    expect(checked.inputs).toMatchObject({ configs: {}, allowDeleteWithData: false });
    const bad = await provider.check!({}, { ...news, partitions: 0 });
    expect(bad.failures).toEqual([
      { property: "partitions", reason: expect.stringContaining("partitions = 0") as string },
    ]);
    const state = { ...checked.inputs!, allowDeleteWithData: false } as never;
    await expect(provider.diff!("orders", state, { ...news, partitions: 2 })).rejects.toThrow(
      /partitions 3 → 2 refused/,
    );
    await expect(provider.diff!("orders", state, { ...news, partitions: 4 })).resolves.toEqual({
      changes: true,
      replaces: [],
      stables: [
        "name",
        "replicationFactor",
        "bootstrap",
        "allowDeleteWithData",
        "connectionTimeoutMs",
        "adoptExisting",
        "configs",
      ],
      deleteBeforeReplace: false,
    });
  });
});
