/**
 * Translates one committed offset from a source partition to the same partition on the target.
 *
 * Anchor: the next message the group would read (offset C), or, when the group is caught up, the
 * last one it read (C-1). With a message-id header the anchor is looked up on the target exactly:
 * the dual publisher gives both copies the same timestamp, so the target is searched from the
 * first offset at that timestamp. Without an id, the first target offset at or after the
 * anchor's timestamp is used: it errs towards duplicates (messages sharing that millisecond),
 * not gaps, and is only right when both clusters keep CreateTime timestamps from the producer.
 */
import { messageIdOf } from "../message-id";
import type { PartitionReader, ReadMessage } from "../partition-reader";
import type { PartitionTranslation } from "./offset-mapping";

export interface PartitionToTranslate {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly committed: bigint;
  /** The source partition's log start and end when the run began. */
  readonly sourceLow: bigint;
  readonly sourceHigh: bigint;
}

export interface Readers {
  readonly source: PartitionReader;
  readonly target: PartitionReader;
}

/** How far past the timestamp position the id search goes before giving up. @default 100_000 */
export const DEFAULT_MAX_SCAN = 100_000;

export class TranslationError extends Error {}

export async function translatePartition(
  readers: Readers,
  item: PartitionToTranslate,
  maxScan = DEFAULT_MAX_SCAN,
): Promise<PartitionTranslation> {
  const base = {
    group: item.group,
    topic: item.topic,
    partition: item.partition,
    sourceOffset: item.committed.toString(),
  };
  const caughtUp = item.committed >= item.sourceHigh;
  const anchor = caughtUp
    ? await lastMessageBefore(readers.source, item)
    : await firstMessageFrom(
        readers.source,
        item,
        item.committed > item.sourceLow ? item.committed : item.sourceLow,
      );
  if (!anchor) {
    // Nothing on the source to anchor on: the group has read all there is, so it starts at the
    // target's end (where new messages, dual-published, will arrive).
    const end = await readers.target.logEnd(item.topic, item.partition);
    return { ...base, targetOffset: end.toString(), method: "log-end" };
  }
  const id = messageIdOf(anchor.headers);
  const from = await readers.target.offsetForTimestamp(
    item.topic,
    item.partition,
    anchor.timestamp,
  );
  if (id === undefined) {
    if (from === undefined)
      throw new TranslationError(
        `${item.topic}/${item.partition}: no message on the target at or after timestamp ` +
          `${anchor.timestamp} (source offset ${anchor.offset}); the target is missing data — run 'events verify'`,
      );
    // Also when caught up: re-reading the anchor (a duplicate) is safer than skipping past it.
    return { ...base, targetOffset: from.toString(), method: "timestamp" };
  }
  const found = await findById(readers.target, item, id, from ?? 0n, maxScan);
  if (found === undefined)
    throw new TranslationError(
      `${item.topic}/${item.partition}: message ${id} (source offset ${anchor.offset}) is not on ` +
        `the target within ${maxScan} messages of its timestamp; was it dual-published? Run 'events verify'.`,
    );
  return caughtUp
    ? { ...base, targetOffset: (found + 1n).toString(), method: "message-id-after-last" }
    : { ...base, targetOffset: found.toString(), method: "message-id" };
}

async function firstMessageFrom(
  reader: PartitionReader,
  item: PartitionToTranslate,
  offset: bigint,
): Promise<ReadMessage | undefined> {
  for await (const batch of reader.range(item.topic, item.partition, offset, item.sourceHigh))
    return batch[0];
  return undefined;
}

/** The last message before the committed offset; steps back over markers and compacted gaps. */
async function lastMessageBefore(
  reader: PartitionReader,
  item: PartitionToTranslate,
): Promise<ReadMessage | undefined> {
  const end = item.sourceHigh;
  for (let step = 1n; ; step *= 8n) {
    const from = end - step > item.sourceLow ? end - step : item.sourceLow;
    let last: ReadMessage | undefined;
    for await (const batch of reader.range(item.topic, item.partition, from, end))
      last = batch[batch.length - 1];
    if (last) return last;
    if (from <= item.sourceLow) return undefined;
  }
}

async function findById(
  reader: PartitionReader,
  item: PartitionToTranslate,
  id: string,
  from: bigint,
  maxScan: number,
): Promise<bigint | undefined> {
  let scanned = 0;
  for await (const batch of reader.range(item.topic, item.partition, from, 1n << 62n)) {
    for (const message of batch) {
      if (messageIdOf(message.headers) === id) return message.offset;
      if (++scanned >= maxScan) return undefined;
    }
  }
  return undefined;
}
