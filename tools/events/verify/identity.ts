import { createHash } from "node:crypto";
import { messageIdOf } from "../message-id";
import type { ReadMessage } from "../partition-reader";

/** What verification compares: a message's identity and where it sits. */
export interface Identified {
  /** The message-id header, or "kv:" + a hash of key and value for messages without one. */
  readonly id: string;
  readonly offset: bigint;
}

const SEPARATOR = Buffer.from([0]);

export function identify(message: ReadMessage): Identified {
  const id = messageIdOf(message.headers);
  if (id !== undefined) return { id, offset: message.offset };
  return { id: `kv:${contentHash(message.key, message.value)}`, offset: message.offset };
}

export function contentHash(key: Buffer | null, value: Buffer | null): string {
  const hash = createHash("sha1");
  hash.update(key === null ? "\u0000null" : key);
  hash.update(SEPARATOR);
  hash.update(value === null ? "\u0000null" : value);
  return hash.digest("base64");
}
