import { randomUUID } from "node:crypto";
import type { IHeaders } from "kafkajs";

/** The header the dual publisher adds; offset translation and verification match on it. */
export const MESSAGE_ID_HEADER = "stepwise-message-id";

export function newMessageId(): string {
  return randomUUID();
}

/** The message id a record carries, or undefined when it was not dual-published. */
export function messageIdOf(headers: IHeaders | undefined): string | undefined {
  const raw = headers?.[MESSAGE_ID_HEADER];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : value.toString("utf8");
}
