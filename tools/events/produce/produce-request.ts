/**
 * A Produce request (version 7) carrying batches encoded by record-batch.ts, in the form
 * kafkajs's connections send: the connection adds the request header, correlation and
 * timeouts; the response is decoded with kafkajs's own decoder. Version 7 is the newest
 * kafkajs knows and is served by Kafka 2.1 up to 4.x and by Redpanda.
 */
import {
  Encoder,
  produceResponseV7,
  type KafkaEncoder,
  type ProduceResponseV7,
} from "../kafkajs-internals";

const PRODUCE_API_KEY = 0;
const VERSION = 7;

export interface TopicBatches {
  readonly topic: string;
  readonly partitions: ReadonlyArray<{ readonly partition: number; readonly batch: Buffer }>;
}

export type ProduceResponse = ProduceResponseV7;

/** The request/response pair for `broker.connectionPool.send`. */
export function produceRequest(acks: number, timeoutMs: number, topics: readonly TopicBatches[]) {
  return {
    request: {
      apiKey: PRODUCE_API_KEY,
      apiVersion: VERSION,
      apiName: "Produce",
      expectResponse: () => acks !== 0,
      encode: () => Promise.resolve(wrap(encodeBody(acks, timeoutMs, topics))),
    },
    response: {
      decode: (raw: Buffer) => produceResponseV7.decode(raw),
      // Per-partition errors are the caller's to sort out: some may be retried, the rest kept.
      parse: (decoded: ProduceResponse) => Promise.resolve(decoded),
    },
  };
}

/** An encoder over the finished body, so kafkajs frames it without copying it once more. */
function wrap(body: Buffer): KafkaEncoder {
  const encoder = new Encoder(0);
  encoder.buf = body;
  encoder.offset = body.length;
  return encoder;
}

function encodeBody(acks: number, timeoutMs: number, topics: readonly TopicBatches[]): Buffer {
  let size = 2 + 2 + 4 + 4; // null transactional id, acks, timeout, topic count
  for (const { topic, partitions } of topics) {
    size += 2 + Buffer.byteLength(topic) + 4;
    for (const { batch } of partitions) size += 4 + 4 + batch.length;
  }
  const out = Buffer.allocUnsafe(size);
  let at = out.writeInt16BE(-1, 0);
  at = out.writeInt16BE(acks, at);
  at = out.writeInt32BE(timeoutMs, at);
  at = out.writeInt32BE(topics.length, at);
  for (const { topic, partitions } of topics) {
    at = out.writeInt16BE(Buffer.byteLength(topic), at);
    at += out.write(topic, at, "utf8");
    at = out.writeInt32BE(partitions.length, at);
    for (const { partition, batch } of partitions) {
      at = out.writeInt32BE(partition, at);
      at = out.writeInt32BE(batch.length, at);
      at += batch.copy(out, at);
    }
  }
  return out;
}
