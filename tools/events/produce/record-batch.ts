/**
 * Kafka record batches (magic 2), encoded by hand so that a message is encoded once and the same
 * bytes go to both clusters.
 *
 * A record is split where the batch starts to matter: its tail (key, value, headers) depends on
 * the message alone and is encoded once, when it is published; the prefix (length, attributes,
 * timestamp and offset deltas) depends on its place in a batch and costs a few bytes to write.
 * The primary gets the tails in one batch per publish(), the secondary in larger batches
 * assembled later from the spool.
 */
// Hardware CRC-32C (SSE 4.2 / ARMv8 CRC) through a prebuilt N-API module: a table in JS runs
// at about 0.5 GB/s, and every byte a producer sends passes through it.
import { crc32c } from "@node-rs/crc32";

/** A message ready for any batch: its timestamp and its encoded key, value and headers. */
export interface RecordEntry {
  readonly timestamp: number;
  readonly tail: Buffer;
}

export interface RecordFields {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: ReadonlyArray<readonly [string, string | Buffer]>;
}

/** Who wrote a batch, for idempotence; all -1 for a plain producer. */
export interface BatchIdentity {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
}

export const NO_IDENTITY: BatchIdentity = { producerId: -1n, producerEpoch: -1, baseSequence: -1 };

const HEADER_BYTES = 61;
/** A record's prefix at its largest: length varint, attributes, timestamp and offset deltas. */
const RECORD_PREFIX_MAX_BYTES = 5 + 1 + 10 + 5;

/** Bytes a record takes in an uncompressed batch, at most, wherever it is placed. */
export const recordBytesBound = (tail: Buffer) => RECORD_PREFIX_MAX_BYTES + tail.length;

/** Bytes of uncompressed records a batch can hold and stay within `maxBatchBytes`. */
export const recordBudget = (maxBatchBytes: number) => maxBatchBytes - HEADER_BYTES;
const CRC_OFFSET = 17;
/** The CRC covers everything from the attributes to the end. */
const CRC_FROM = 21;
const IDENTITY_OFFSET = 43;
const MAGIC = 2;

/** The tails of many messages, encoded into one allocation. */
export function encodeRecordTails(messages: readonly RecordFields[]): Buffer[] {
  const sizes = messages.map(tailSize);
  const all = Buffer.allocUnsafe(sizes.reduce((a, b) => a + b, 0));
  const tails: Buffer[] = [];
  let at = 0;
  messages.forEach((message, i) => {
    const end = writeTail(all, at, message);
    if (end - at !== sizes[i]) throw new Error(`record tail size ${end - at} ≠ ${sizes[i]}`);
    tails.push(all.subarray(at, end));
    at = end;
  });
  return tails;
}

/**
 * The records section of a batch, uncompressed: each record's prefix and tail, offsets counted
 * from 0 and timestamps from the first record's.
 */
export function encodeRecords(records: readonly RecordEntry[]): Buffer {
  if (records.length === 0) throw new Error("a record batch needs at least one record");
  const base = records[0].timestamp;
  let size = 0;
  for (let i = 0; i < records.length; i++) {
    const body = recordBodySize(records[i], base, i);
    size += varIntSize(body) + body;
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = 0; i < records.length; i++) {
    const { timestamp, tail } = records[i];
    at = writeVarInt(out, at, recordBodySize(records[i], base, i));
    out[at++] = 0; // attributes
    at = writeVarLong(out, at, timestamp - base);
    at = writeVarInt(out, at, i);
    at += tail.copy(out, at);
  }
  return out;
}

export interface BatchFrame {
  readonly count: number;
  readonly firstTimestamp: number;
  readonly maxTimestamp: number;
  /** The compression codec's number (0 none, 1 gzip, ...). */
  readonly compression: number;
}

/** Frame of a batch around its (possibly compressed) records section. */
export function frameFor(records: readonly RecordEntry[], compression: number): BatchFrame {
  let max = records[0].timestamp;
  for (const r of records) if (r.timestamp > max) max = r.timestamp;
  return {
    count: records.length,
    firstTimestamp: records[0].timestamp,
    maxTimestamp: max,
    compression,
  };
}

/** A whole batch as it goes into a produce request. */
export function encodeBatch(frame: BatchFrame, section: Buffer, identity: BatchIdentity): Buffer {
  const batch = Buffer.allocUnsafe(HEADER_BYTES + section.length);
  batch.writeBigInt64BE(0n, 0); // base offset, assigned by the broker
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt32BE(-1, 12); // partition leader epoch, assigned by the broker
  batch.writeInt8(MAGIC, 16);
  batch.writeInt16BE(frame.compression, 21);
  batch.writeInt32BE(frame.count - 1, 23); // last offset delta
  batch.writeBigInt64BE(BigInt(frame.firstTimestamp), 27);
  batch.writeBigInt64BE(BigInt(frame.maxTimestamp), 35);
  batch.writeInt32BE(frame.count, 57);
  section.copy(batch, HEADER_BYTES);
  return restamp(batch, identity);
}

/** Sets a batch's producer id, epoch and base sequence, in place, and its checksum. */
export function restamp(batch: Buffer, identity: BatchIdentity): Buffer {
  batch.writeBigInt64BE(identity.producerId, IDENTITY_OFFSET);
  batch.writeInt16BE(identity.producerEpoch, IDENTITY_OFFSET + 8);
  batch.writeInt32BE(identity.baseSequence, IDENTITY_OFFSET + 10);
  batch.writeUInt32BE(crc32c(batch.subarray(CRC_FROM)), CRC_OFFSET);
  return batch;
}

function recordBodySize(record: RecordEntry, base: number, offsetDelta: number): number {
  return 1 + varLongSize(record.timestamp - base) + varIntSize(offsetDelta) + record.tail.length;
}

function tailSize({ key, value, headers }: RecordFields): number {
  let size = bytesSize(key) + bytesSize(value) + varIntSize(headers.length);
  for (const [name, headerValue] of headers) {
    const nameBytes = Buffer.byteLength(name);
    const valueBytes = Buffer.byteLength(headerValue);
    size += varIntSize(nameBytes) + nameBytes + varIntSize(valueBytes) + valueBytes;
  }
  return size;
}

function writeTail(out: Buffer, at: number, { key, value, headers }: RecordFields): number {
  at = writeBytes(out, at, key);
  at = writeBytes(out, at, value);
  at = writeVarInt(out, at, headers.length);
  for (const [name, headerValue] of headers) {
    at = writeVarInt(out, at, Buffer.byteLength(name));
    at += out.write(name, at, "utf8");
    if (typeof headerValue === "string") {
      at = writeVarInt(out, at, Buffer.byteLength(headerValue));
      at += out.write(headerValue, at, "utf8");
    } else {
      at = writeVarInt(out, at, headerValue.length);
      at += headerValue.copy(out, at);
    }
  }
  return at;
}

const bytesSize = (b: Buffer | null) => (b === null ? 1 : varIntSize(b.length) + b.length);

function writeBytes(out: Buffer, at: number, b: Buffer | null): number {
  if (b === null) return writeVarInt(out, at, -1);
  at = writeVarInt(out, at, b.length);
  return at + b.copy(out, at);
}

// Varints are zigzag-encoded, seven bits per byte, least significant first. Deltas and lengths
// stay far below 2^53, so plain numbers carry them (varlong included).
const zigzag = (n: number) => (n >= 0 ? n * 2 : -n * 2 - 1);

function varIntSize(n: number): number {
  let z = zigzag(n);
  let size = 1;
  while (z >= 0x80) {
    z = Math.floor(z / 128);
    size++;
  }
  return size;
}
const varLongSize = varIntSize;

function writeVarInt(out: Buffer, at: number, n: number): number {
  let z = zigzag(n);
  while (z >= 0x80) {
    out[at++] = (z % 128) | 0x80;
    z = Math.floor(z / 128);
  }
  out[at++] = z;
  return at;
}
const writeVarLong = writeVarInt;
