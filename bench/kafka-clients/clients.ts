/**
 * The Kafka clients compared, each behind one `Sender`: the same batch (BATCH messages of
 * MESSAGE_BYTES, keys key-0…key-999, acks -1) sent and awaited, shaped as each client takes it.
 *
 * The two maintained clients are loaded from this folder's own node_modules (installed by
 * run.sh, never by the root install), through the few calls the bench makes: the root
 * typecheck must pass on a clone where they are not installed.
 */
import { createRequire } from "node:module";
import { Kafka, logLevel } from "kafkajs";
import { partitionForKey } from "../../tools/events/produce/partitioner";
import { encodeRecordTails } from "../../tools/events/produce/record-batch";
import { groupByPartition, RecordProducer } from "../../tools/events/produce/record-producer";

export const MESSAGE_BYTES = 512;
export const BATCH = 100;

const payload = Buffer.alloc(MESSAGE_BYTES, "x");
const keys = Array.from({ length: 1000 }, (_, i) => Buffer.from(`key-${i}`));
const keyOf = (n: number) => keys[n % keys.length];

/** A batch as kafkajs takes it, and librdkafka's client through its kafkajs-like API. */
const kafkajsShaped = (from: number) => {
  const timestamp = String(Date.now());
  return Array.from({ length: BATCH }, (_, i) => ({
    key: keyOf(from + i),
    value: payload,
    timestamp,
  }));
};

/** One producer on one cluster and topic, connected. */
export interface Sender {
  /** Sends messages from … from + BATCH - 1 as one batch and waits for the acknowledgement. */
  send(from: number): Promise<void>;
  close(): Promise<void>;
}

export type ClientName = "kafkajs" | "hand-written" | "platformatic" | "confluent";
export type Connect = (bootstrap: string, topic: string) => Promise<Sender>;

export function kafkajsClient(bootstrap: string): Kafka {
  return new Kafka({
    clientId: "stepwise-bench",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  });
}

/** kafkajs's producer, as the events bench's baseline uses it. */
const kafkajs: Connect = async (bootstrap, topic) => {
  const producer = kafkajsClient(bootstrap).producer();
  await producer.connect();
  return {
    async send(from) {
      await producer.send({ topic, acks: -1, messages: kafkajsShaped(from) });
    },
    close: () => producer.disconnect(),
  };
};

/** stepwise's record producer (tools/events/produce/): records encoded by hand. */
const handWritten: Connect = async (bootstrap, topic) => {
  const producer = new RecordProducer(kafkajsClient(bootstrap), { acks: -1, retries: 5 });
  await producer.connect();
  const partitions = (await producer.partitions(topic)).length;
  return {
    async send(from) {
      const messages = Array.from({ length: BATCH }, (_, i) => ({
        key: keyOf(from + i),
        value: payload,
        headers: [],
      }));
      const tails = encodeRecordTails(messages);
      const timestamp = Date.now();
      const entries = messages.map((m, j) => ({ timestamp, tail: tails[j], key: m.key }));
      await producer.send(
        topic,
        groupByPartition(entries, (e) => partitionForKey(e.key, partitions)),
      );
    },
    close: () => producer.disconnect(),
  };
};

const requireHere = createRequire(__filename);

/** What the bench calls of @platformatic/kafka (pure JavaScript). */
interface PlatformaticModule {
  Producer: new (options: {
    clientId: string;
    bootstrapBrokers: string[];
    acks: number;
    partitioner: unknown;
  }) => {
    metadata(options: { topics: string[] }): Promise<unknown>;
    send(options: {
      messages: Array<{ topic: string; key: Buffer; value: Buffer; timestamp: bigint }>;
    }): Promise<unknown>;
    close(): Promise<void>;
  };
  /** murmur2 as the Java client (and kafkajs) partition keys. */
  compatibilityPartitioner: unknown;
}

const platformatic: Connect = async (bootstrap, topic) => {
  const { Producer, compatibilityPartitioner } = requireHere(
    "@platformatic/kafka",
  ) as PlatformaticModule;
  const producer = new Producer({
    clientId: "stepwise-bench",
    bootstrapBrokers: [bootstrap],
    acks: -1,
    partitioner: compatibilityPartitioner,
  });
  await producer.metadata({ topics: [topic] });
  return {
    async send(from) {
      const timestamp = BigInt(Date.now());
      const messages = Array.from({ length: BATCH }, (_, i) => ({
        topic,
        key: keyOf(from + i),
        value: payload,
        timestamp,
      }));
      await producer.send({ messages });
    },
    close: () => producer.close(),
  };
};

/** What the bench calls of @confluentinc/kafka-javascript (librdkafka) through its kafkajs-like API. */
interface ConfluentModule {
  KafkaJS: {
    Kafka: new (config: { kafkaJS: { brokers: string[]; clientId: string; logLevel: number } }) => {
      producer(config: Record<string, unknown>): {
        connect(): Promise<void>;
        send(record: {
          topic: string;
          messages: Array<{ key: Buffer; value: Buffer; timestamp: string }>;
        }): Promise<unknown>;
        disconnect(): Promise<void>;
      };
    };
    logLevel: { NOTHING: number };
  };
}

const confluent: Connect = async (bootstrap, topic) => {
  const { KafkaJS } = requireHere("@confluentinc/kafka-javascript") as ConfluentModule;
  const kafka = new KafkaJS.Kafka({
    kafkaJS: {
      brokers: [bootstrap],
      clientId: "stepwise-bench",
      logLevel: KafkaJS.logLevel.NOTHING,
    },
  });
  // linger.ms 0: every send here is awaited, and librdkafka's default of 5 ms would hold each
  // batch that long before sending it.
  const producer = kafka.producer({ "linger.ms": 0, kafkaJS: { acks: -1 } });
  await producer.connect();
  return {
    async send(from) {
      await producer.send({ topic, messages: kafkajsShaped(from) });
    },
    close: () => producer.disconnect(),
  };
};

export const CLIENTS: Record<ClientName, Connect> = {
  kafkajs,
  "hand-written": handWritten,
  platformatic,
  confluent,
};

/** The maintained clients that load here (run.sh installs them), with why the others do not. */
export function loadable(): { readonly ok: ClientName[]; readonly missing: string[] } {
  const ok: ClientName[] = ["kafkajs", "hand-written"];
  const missing: string[] = [];
  for (const [name, module] of [
    ["platformatic", "@platformatic/kafka"],
    ["confluent", "@confluentinc/kafka-javascript"],
  ] as const) {
    try {
      requireHere(module);
      ok.push(name);
    } catch (error) {
      missing.push(`${module}: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  return { ok, missing };
}
