/**
 * The dual publisher's spool lines: each message's record as encoded for the primary (key,
 * value, headers; see produce/record-batch.ts), its partition and timestamp, so the forwarder
 * sends the secondary the very same bytes without encoding them again.
 *
 * Line: {"topic":"t","partition":2,"timestamp":1700000000000,"record":"<base64>"}
 *
 * Lines of the first spool format (key, value and headers in base64 and JSON, partition often
 * left to the partitioner) are still read, so a spool left by an older stepwise is forwarded
 * too: their record is encoded on reading and their key kept for partitioning.
 */
import { encodeRecordTails } from "./produce/record-batch";
import type { SpoolCodec } from "./spool";

export interface SpooledRecord {
  readonly topic: string;
  /** Undefined only for lines of the first format that left it to the partitioner. */
  readonly partition: number | undefined;
  readonly timestamp: number;
  /** The record's key, value and headers, encoded. */
  readonly tail: Buffer;
  /** For partitioning a first-format line without a partition. */
  readonly key?: Buffer | null;
}

interface FirstFormatLine {
  readonly topic: string;
  readonly partition?: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: string;
}

type Line =
  { topic: string; partition: number | null; timestamp: number; record: string } | FirstFormatLine;

export const spooledRecordCodec: SpoolCodec<SpooledRecord> = {
  encode: ({ topic, partition, timestamp, tail }) =>
    `{"topic":${JSON.stringify(topic)},"partition":${partition ?? null},"timestamp":${timestamp},"record":"${tail.toString("base64")}"}`,
  decode: (text) => {
    const line = JSON.parse(text) as Line;
    if ("record" in line)
      return {
        topic: line.topic,
        partition: line.partition ?? undefined,
        timestamp: line.timestamp,
        tail: Buffer.from(line.record, "base64"),
      };
    const key = fromBase64(line.key);
    const [tail] = encodeRecordTails([
      { key, value: fromBase64(line.value), headers: Object.entries(line.headers) },
    ]);
    return {
      topic: line.topic,
      partition: line.partition,
      timestamp: Number(line.timestamp),
      tail,
      key,
    };
  },
};

const fromBase64 = (text: string | null) => (text === null ? null : Buffer.from(text, "base64"));
