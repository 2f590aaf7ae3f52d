import { hash } from "node:crypto";
import { messageIdOf } from "../message-id";
import type { ReadMessage } from "../partition-reader";

/** What verification compares: a message's identity and where it sits. */
export interface Identified {
  /** The message-id header, or "kv:" + a hash of key and value for messages without one. */
  readonly id: string;
  readonly offset: bigint;
}

const SEPARATOR = Buffer.from([0]);
const NULL = Buffer.from("\u0000null");

export function identify(message: ReadMessage): Identified {
  const id = messageIdOf(message.headers);
  if (id !== undefined) return { id, offset: message.offset };
  return { id: `kv:${contentHash(message.key, message.value)}`, offset: message.offset };
}

/** SHA-1 of key, a zero byte and value (null as "\0null"), in base64. */
export function contentHash(key: Buffer | null, value: Buffer | null): string {
  // One-shot hash() over a copy is about twice as fast as a createHash() object per message.
  return hash("sha1", Buffer.concat([key ?? NULL, SEPARATOR, value ?? NULL]), "base64");
}
