/**
 * Every part of kafkajs that is not its public API, in one place. stepwise's produce path,
 * partition reader, idle-group commits and compatibility check need the level below kafkajs's
 * public clients: its protocol encoder and decoders, its error table, its codecs and its private
 * cluster factory. These are not covered by semver, so package.json pins kafkajs exactly and
 * test/unit/events-tools/kafkajs-internals.test.ts checks each one's shape: an upgrade that
 * moves or changes one fails there, by name, instead of deep inside a publish.
 */
import type { Kafka } from "kafkajs";

/** The kafkajs release these internals were read from (package.json pins the same). */
export const KAFKAJS_VERSION = "2.2.4";

/** kafkajs's protocol encoder: a growable buffer with an offset. */
export interface KafkaEncoder {
  buf: Buffer;
  offset: number;
}

/** A decoded Produce v7 response. */
export interface ProduceResponseV7 {
  readonly topics: ReadonlyArray<{
    readonly topicName: string;
    readonly partitions: ReadonlyArray<{
      readonly partition: number;
      readonly errorCode: number;
      readonly baseOffset: string;
    }>;
  }>;
}

/** A kafkajs protocol error: its name, and whether kafkajs would retry it. */
export interface KafkaProtocolError extends Error {
  readonly type?: string;
  readonly retriable?: boolean;
}

/** A compression codec as kafkajs's record batches use it. */
export interface KafkaCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
}

/** One fetched partition as kafkajs's consumer batch takes it. */
export interface ConsumerBatchData<Message> {
  partition: number;
  errorCode: number;
  highWatermark: string;
  messages: Message[];
  abortedTransactions: unknown[];
}

/** kafkajs's consumer batch: decodes a fetched partition, control records and aborts removed. */
export type ConsumerBatchConstructor<Message> = new (
  topic: string,
  offset: string,
  data: ConsumerBatchData<Message>,
) => { messages: Message[]; lastOffset(): string };

/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs ships these as CommonJS only */
export const Encoder = require("kafkajs/src/protocol/encoder") as new (
  size?: number,
) => KafkaEncoder;

export const produceResponseV7 = require("kafkajs/src/protocol/requests/produce/v7/response") as {
  decode(raw: Buffer): Promise<ProduceResponseV7>;
};

export const { createErrorFromCode } = require("kafkajs/src/protocol/error") as {
  createErrorFromCode: (code: number) => KafkaProtocolError;
};

export const { lookupCodec } = require("kafkajs/src/protocol/message/compression") as {
  lookupCodec: (type: number) => KafkaCodec | null;
};

/** The consumer batch class; `Message` is the message shape the caller reads. */
export function consumerBatchClass<Message>(): ConsumerBatchConstructor<Message> {
  return require("kafkajs/src/consumer/batch") as ConsumerBatchConstructor<Message>;
}

/** The API keys kafkajs knows, by name. */
export const apiKeys = require("kafkajs/src/protocol/requests/apiKeys") as Record<string, number>;

/** The request versions kafkajs can send, by API name. */
export const requestDefinitions = (
  require("kafkajs/src/protocol/requests") as {
    requests: Record<string, { readonly versions: readonly string[] }>;
  }
).requests;
/* eslint-enable @typescript-eslint/no-require-imports */

/** kafkajs's private cluster factory on a Kafka client, as its own consumer and admin use it. */
export function privateClusterFactory(kafka: Kafka): ((options: object) => unknown) | undefined {
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === "private:Kafka:createCluster",
  );
  const factory = symbol ? (kafka as unknown as Record<symbol, unknown>)[symbol] : undefined;
  return typeof factory === "function" ? (factory as (options: object) => unknown) : undefined;
}
