/**
 * After a crash, the journal's intents with no recorded outcome are looked up on the primary:
 * a batch the primary wrote is there whole, found by its first message id, read from the offset
 * of its earliest timestamp to the log end. What is found is forwarded (it is on the primary);
 * what is not was never written and is dropped. Only the requests in flight at the crash are in
 * doubt, so the read is short unless others published much to the partition since.
 */
import type { Kafka } from "kafkajs";
import { messageIdOf } from "./message-id";
import { PartitionReader } from "./partition-reader";

export interface DoubtfulIntent {
  readonly seq: number;
  readonly topic: string;
  readonly partition: number;
  readonly firstTimestamp: number;
  readonly firstId: string;
}

/** The base offset on the primary of each intent found there, by sequence number. */
export async function findOnPrimary(
  primary: Kafka,
  intents: readonly DoubtfulIntent[],
): Promise<Map<number, bigint>> {
  const found = new Map<number, bigint>();
  if (intents.length === 0) return found;
  const groups = new Map<string, DoubtfulIntent[]>();
  for (const intent of intents) {
    const key = JSON.stringify([intent.topic, intent.partition]);
    groups.set(key, [...(groups.get(key) ?? []), intent]);
  }
  const reader = new PartitionReader(primary);
  try {
    for (const group of groups.values()) {
      const { topic, partition } = group[0];
      const byId = new Map(group.map((intent) => [intent.firstId, intent.seq]));
      const earliest = Math.min(...group.map((intent) => intent.firstTimestamp));
      const from = await reader.offsetForTimestamp(topic, partition, earliest);
      if (from === undefined) continue; // nothing that recent: none of them was written
      const to = await reader.logEnd(topic, partition);
      for await (const batch of reader.range(topic, partition, from, to))
        for (const message of batch) {
          const seq = byId.get(messageIdOf(message.headers) ?? "");
          if (seq !== undefined && !found.has(seq)) found.set(seq, message.offset);
        }
    }
  } finally {
    await reader.close();
  }
  return found;
}
