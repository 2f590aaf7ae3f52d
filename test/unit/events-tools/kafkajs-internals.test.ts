import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Kafka } from "kafkajs";
import { describe, expect, it } from "vitest";
import {
  apiKeys,
  consumerBatchClass,
  createErrorFromCode,
  Encoder,
  KAFKAJS_VERSION,
  lookupCodec,
  privateClusterFactory,
  produceResponseV7,
  requestDefinitions,
} from "../../../tools/events/kafkajs-internals";

// The contract stepwise relies on for kafkajs's internals: a kafkajs upgrade that moves or
// changes one of them fails here, naming it.
const ROOT = join(__dirname, "..", "..", "..");
const json = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;

describe("kafkajs internals", () => {
  it("are those of the kafkajs release package.json pins exactly", () => {
    const pinned = (json(join(ROOT, "package.json"))["dependencies"] as Record<string, string>)[
      "kafkajs"
    ];
    expect(pinned).toBe(KAFKAJS_VERSION);
    expect(json(join(ROOT, "node_modules", "kafkajs", "package.json"))["version"]).toBe(
      KAFKAJS_VERSION,
    );
  });

  it("protocol encoder: a buffer and an offset the produce path can replace", () => {
    const encoder = new Encoder(0);
    expect(Buffer.isBuffer(encoder.buf)).toBe(true);
    expect(encoder.offset).toBe(0);
  });

  it("Produce v7 response decoder and the API keys and versions", () => {
    expect(typeof produceResponseV7.decode).toBe("function");
    expect(apiKeys["Produce"]).toBe(0);
    expect(apiKeys["Fetch"]).toBe(1);
    expect(requestDefinitions["Produce"]?.versions).toContain("7");
    expect(requestDefinitions["Fetch"]?.versions.length).toBeGreaterThan(0);
  });

  it("error table: a code becomes kafkajs's typed, retriable-or-not error", () => {
    const error = createErrorFromCode(3);
    expect(error.type).toBe("UNKNOWN_TOPIC_OR_PARTITION");
    expect(error.retriable).toBe(true);
    expect(createErrorFromCode(10).type).toBe("MESSAGE_TOO_LARGE");
  });

  it("codecs: gzip compresses; no codec for 'none'", async () => {
    const gzip = lookupCodec(1);
    expect(gzip).not.toBeNull();
    const compressed = await gzip!.compress({ buffer: Buffer.from("stepwise".repeat(100)) });
    expect(compressed.length).toBeLessThan(800);
    expect(lookupCodec(0) ?? null).toBeNull();
  });

  it("consumer batch: decodes a fetched partition's messages and its last offset", () => {
    const Batch = consumerBatchClass<{ offset: string }>();
    const batch = new Batch("t", "5", {
      partition: 0,
      errorCode: 0,
      highWatermark: "7",
      messages: [{ offset: "5" }, { offset: "6" }],
      abortedTransactions: [],
    });
    expect(batch.messages.map((m) => m.offset)).toEqual(["5", "6"]);
    expect(batch.lastOffset()).toBe("6");
  });

  it("private cluster factory: present on a client and builds a cluster without connecting", () => {
    const kafka = new Kafka({ brokers: ["127.0.0.1:1"], logCreator: () => () => undefined });
    const factory = privateClusterFactory(kafka);
    expect(typeof factory).toBe("function");
    const cluster = factory!({ allowAutoTopicCreation: false }) as Record<string, unknown>;
    for (const method of ["connect", "disconnect", "refreshMetadata", "findBroker"]) {
      expect(typeof cluster[method], method).toBe("function");
    }
  });
});
