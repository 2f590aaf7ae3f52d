import { describe, expect, it } from "vitest";
import {
  normalizeTopicConfigs,
  parseBootstrap,
  parseTopicId,
  validateTopicState,
} from "../../../components/events/topic-spec";

const valid = { name: "orders", bootstrap: "kafka-0:9092", partitions: 3, replicationFactor: 1 };

describe("validateTopicState", () => {
  it("fills defaults and normalizes configs", () => {
    expect(
      validateTopicState({
        ...valid,
        configs: { "retention.ms": 1000, "cleanup.policy": "compact" },
      }),
    ).toEqual({
      ...valid,
      configs: { "cleanup.policy": "compact", "retention.ms": "1000" },
      allowDeleteWithData: false,
      connectionTimeoutMs: 3000,
      adoptExisting: false,
    });
  });

  it.each([
    [{ name: "" }, "name", /topic "".name = "": a topic name is 1–249 characters/],
    [{ name: "orders/v2" }, "name", /name = "orders\/v2"/],
    [{ name: ".." }, "name", /name = "\.\."/],
    [{ name: "x".repeat(250) }, "name", /name = "x{250}"/],
    [{ partitions: 0 }, "partitions", /partitions = 0: must be a whole number from 1/],
    [{ partitions: 2.5 }, "partitions", /partitions = 2\.5/],
    [{ partitions: "3" }, "partitions", /partitions = "3"/],
    [{ replicationFactor: -1 }, "replicationFactor", /replicationFactor = -1/],
    [
      { configs: { "Retention.MS": "1" } },
      "configs",
      /key "Retention.MS" is not a Kafka config name/,
    ],
    [{ configs: { "retention.ms": null } }, "configs", /configs\["retention.ms"\] = null/],
    [{ configs: { "retention.ms": Infinity } }, "configs", /= Infinity: give a finite number/],
    [{ bootstrap: "" }, "bootstrap", /bootstrap = "": give the brokers' client listeners/],
    [{ bootstrap: "kafka-0" }, "bootstrap", /bootstrap = "kafka-0"/],
    [{ bootstrap: "kafka-0:99999" }, "bootstrap", /bootstrap = "kafka-0:99999"/],
    [
      { connectionTimeoutMs: 5 },
      "connectionTimeoutMs",
      /connectionTimeoutMs = 5: give milliseconds/,
    ],
    [{ allowDeleteWithData: "yes" }, "allowDeleteWithData", /allowDeleteWithData = "yes"/],
  ])("refuses %j, naming %s", (override, property, message) => {
    let caught: unknown;
    try {
      validateTopicState({ ...valid, ...override });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    expect((caught as { property: string }).property).toBe(property);
    expect((caught as Error).message).toMatch(message);
  });
});

describe("normalizeTopicConfigs", () => {
  it("turns numbers and booleans into the strings brokers report, keys sorted", () => {
    const configs = normalizeTopicConfigs(
      { "retention.ms": 60000, "message.downconversion.enable": false },
      "t",
    );
    expect(configs).toEqual({ "message.downconversion.enable": "false", "retention.ms": "60000" });
    expect(Object.keys(configs)).toEqual(["message.downconversion.enable", "retention.ms"]);
  });
});

describe("parseBootstrap", () => {
  it.each([
    ["a:1", ["a:1"]],
    [" a:1 , b:2 ,", ["a:1", "b:2"]],
    ["127.0.0.1:9092", ["127.0.0.1:9092"]],
  ])("splits %j", (input, brokers) => {
    expect(parseBootstrap(input, "t")).toEqual(brokers);
  });
});

describe("parseTopicId", () => {
  it.each([
    ["orders", { topic: "orders" }],
    ["127.0.0.1:9092/orders", { topic: "orders", bootstrap: "127.0.0.1:9092" }],
    ["a:1,b:2/orders.v1", { topic: "orders.v1", bootstrap: "a:1,b:2" }],
  ])("reads %j", (id, parsed) => {
    expect(parseTopicId(id)).toEqual(parsed);
  });
});
