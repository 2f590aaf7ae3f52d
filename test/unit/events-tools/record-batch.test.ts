import { describe, expect, it } from "vitest";
import { CompressionTypes } from "kafkajs";
import {
  encodeBatch,
  encodeRecords,
  encodeRecordTails,
  frameFor,
  NO_IDENTITY,
  restamp,
  type RecordEntry,
} from "../../../tools/events/produce/record-batch";
import { murmur2, partitionForKey } from "../../../tools/events/produce/partitioner";

// kafkajs's own decoders and checksum, as an independent reading of what was encoded.
/* eslint-disable @typescript-eslint/no-require-imports */
const Decoder = require("kafkajs/src/protocol/decoder") as new (b: Buffer) => unknown;
const decodeBatch = require("kafkajs/src/protocol/recordBatch/v0/decoder") as (
  d: unknown,
) => Promise<DecodedBatch>;
const kafkajsCrc32c = require("kafkajs/src/protocol/recordBatch/crc32C") as (b: Buffer) => number;
const kafkajsMurmur2 = require("kafkajs/src/producer/partitioners/default/murmur2") as (
  k: Buffer,
) => number;
const gzip = require("kafkajs/src/protocol/message/compression/gzip") as {
  compress(e: { buffer: Buffer }): Promise<Buffer>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

interface DecodedBatch {
  firstTimestamp: string;
  maxTimestamp: string;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  lastOffsetDelta: number;
  records: Array<{
    offset: string;
    timestamp: string;
    key: Buffer | null;
    value: Buffer | null;
    headers: Record<string, Buffer>;
  }>;
}

const messages = [
  { key: Buffer.from("k-1"), value: Buffer.from("first"), headers: [["id", "a"]] as const },
  { key: null, value: Buffer.alloc(300, 7), headers: [] as const },
  {
    key: Buffer.from("k-3"),
    value: null,
    headers: [
      ["id", "c"],
      ["bin", Buffer.from([0, 255])],
    ] as const,
  },
];

function entries(): RecordEntry[] {
  const tails = encodeRecordTails(messages);
  // Out of order on purpose: deltas may be negative, the max is not the last.
  return [1_700_000_000_500, 1_700_000_000_000, 1_700_000_099_999].map((timestamp, i) => ({
    timestamp,
    tail: tails[i],
  }));
}

describe("record batches encoded once for both clusters", () => {
  it("decode with kafkajs to the same keys, values, headers, timestamps and offsets", async () => {
    const records = entries();
    const batch = encodeBatch(frameFor(records, 0), encodeRecords(records), NO_IDENTITY);
    const decoded = await decodeBatch(new Decoder(batch));
    expect(decoded.firstTimestamp).toBe("1700000000500");
    expect(decoded.maxTimestamp).toBe("1700000099999");
    expect(decoded.lastOffsetDelta).toBe(2);
    expect(decoded.producerId).toBe("-1");
    expect(decoded.records.map((r) => [r.offset, r.timestamp])).toEqual([
      ["0", "1700000000500"],
      ["1", "1700000000000"],
      ["2", "1700000099999"],
    ]);
    expect(decoded.records.map((r) => r.key?.toString() ?? null)).toEqual(["k-1", null, "k-3"]);
    expect(decoded.records[1].value).toEqual(Buffer.alloc(300, 7));
    expect(decoded.records[2].value).toBeNull();
    expect(decoded.records[2].headers).toEqual({
      id: Buffer.from("c"),
      bin: Buffer.from([0, 255]),
    });
  });

  it("carries a CRC-32C over attributes..end that kafkajs's checksum agrees with", () => {
    const records = entries();
    const batch = encodeBatch(frameFor(records, 0), encodeRecords(records), NO_IDENTITY);
    expect(batch.readUInt32BE(17)).toBe(kafkajsCrc32c(batch.subarray(21)) >>> 0);
    expect(batch.readInt32BE(8)).toBe(batch.length - 12); // batch length after the length field
  });

  it("restamps producer id, epoch and sequence in place and fixes the checksum", async () => {
    const records = entries();
    const batch = encodeBatch(frameFor(records, 0), encodeRecords(records), NO_IDENTITY);
    restamp(batch, { producerId: 4242n, producerEpoch: 3, baseSequence: 17 });
    const decoded = await decodeBatch(new Decoder(batch));
    expect([decoded.producerId, decoded.producerEpoch, decoded.firstSequence]).toEqual([
      "4242",
      3,
      17,
    ]);
    expect(batch.readUInt32BE(17)).toBe(kafkajsCrc32c(batch.subarray(21)) >>> 0);
  });

  it("compressed sections (gzip) decode to the same records", async () => {
    const records = entries();
    const section = await gzip.compress({ buffer: encodeRecords(records) });
    const batch = encodeBatch(frameFor(records, CompressionTypes.GZIP), section, NO_IDENTITY);
    const decoded = await decodeBatch(new Decoder(batch));
    expect(decoded.records.map((r) => r.key?.toString() ?? null)).toEqual(["k-1", null, "k-3"]);
  });

  it("refuses an empty batch", () => {
    expect(() => encodeRecords([])).toThrow(/at least one record/);
  });
});

describe("murmur2 partitioning", () => {
  it("matches kafkajs's default partitioner's hash for keys of every length", () => {
    for (let length = 0; length < 64; length++) {
      const key = Buffer.from(Array.from({ length }, (_, i) => (i * 37 + length * 11) & 0xff));
      expect(murmur2(key), `key of ${length} bytes`).toBe(kafkajsMurmur2(key));
    }
  });

  it("gives the Java client's hashes (Kafka's UtilsTest vectors)", () => {
    const cases: Array<[string, number]> = [
      ["21", -973932308],
      ["foobar", -790332482],
      ["a-little-bit-long-string", -985981536],
      ["a-little-bit-longer-string", -1486304829],
      ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
      ["abc", 479470107],
    ];
    for (const [key, hash] of cases) expect(murmur2(Buffer.from(key)), key).toBe(hash);
  });

  it("maps a key to a partition in range, as the Java client does (positive hash mod count)", () => {
    const key = Buffer.from("foobar");
    expect(partitionForKey(key, 6)).toBe((-790332482 & 0x7fffffff) % 6);
  });
});
