import { Partitioners, type PartitionMetadata } from "kafkajs";

/**
 * The partition of a message, as kafkajs's default partitioner (and the Java client's) chooses
 * it. Kafka's murmur2 key hash (the Java client's `Utils.murmur2`, which kafkajs's default
 * partitioner follows), in 32-bit integer arithmetic. kafkajs computes it with 64-bit Long
 * objects, which made hashing the key the dearest step of choosing a partition.
 */
const SEED = 0x9747b28c;
const M = 0x5bd1e995;

export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The last one to three bytes (Java's switch falls through from the highest).
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= data[whole + 2] << 16;
    if (rest >= 2) h ^= data[whole + 1] << 8;
    h ^= data[whole];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition kafkajs's (and the Java client's) default partitioner gives a keyed message. */
export function partitionForKey(key: Uint8Array, partitionCount: number): number {
  return (murmur2(key) & 0x7fffffff) % partitionCount;
}

/**
 * kafkajs's default partitioner: the key's murmur2 hash over all partitions, or round robin over
 * the partitions that have a leader when there is no key.
 */
export function defaultPartitioner(): (
  topic: string,
  partitionMetadata: PartitionMetadata[],
  key: Uint8Array | null | undefined,
) => number {
  const roundRobin = Partitioners.DefaultPartitioner();
  return (topic, partitionMetadata, key) =>
    key
      ? partitionForKey(key, partitionMetadata.length)
      : roundRobin({ topic, partitionMetadata, message: { value: null } });
}
