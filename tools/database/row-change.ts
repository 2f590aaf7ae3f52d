/**
 * What the dual writer mirrors and its replay log holds: which row of which table changed, by
 * its primary key as PostgreSQL's text of each key column (cast back to the column type when
 * applied, so no key is rounded on the way through JavaScript). A change carries no row data:
 * applying it re-reads the row from the source of truth, so a change applied late, twice or
 * out of order still leaves the target with the source's current row (see mirror-apply.ts).
 *
 * Line: {"table":"shop.orders","op":"upsert","key":["42"]}
 */
import { createHash } from "node:crypto";
import type { SpoolCodec, SpoolMessage } from "../events/spool";

export interface RowChange {
  /** "schema.table" */
  readonly table: string;
  /** What the source did: wrote the row, or deleted it (a tombstone). */
  readonly op: "upsert" | "delete";
  /** The text of each primary-key column, in key order. */
  readonly key: readonly string[];
}

/**
 * A change as the replay log's spool holds it. The spool hands out one topic per peek; every
 * change has the same one, so a replay batch takes changes of all tables in log order (they are
 * applied in one transaction either way).
 */
export type LoggedChange = RowChange & SpoolMessage;
export const ROW_CHANGE_TOPIC = "row-change";

export const rowChangeCodec: SpoolCodec<LoggedChange> = {
  encode: (change) => JSON.stringify({ table: change.table, op: change.op, key: change.key }),
  decode: (line) => {
    const parsed = JSON.parse(line) as Partial<RowChange>;
    if (
      typeof parsed.table !== "string" ||
      (parsed.op !== "upsert" && parsed.op !== "delete") ||
      !Array.isArray(parsed.key) ||
      !parsed.key.every((part) => typeof part === "string")
    )
      throw new Error(`replay log line is not a row change: ${line.slice(0, 200)}`);
    return { topic: ROW_CHANGE_TOPIC, table: parsed.table, op: parsed.op, key: parsed.key };
  },
};

/** One identity per table and key: the key parts joined unambiguously. */
export function changeIdentity(table: string, key: readonly string[]): string {
  return JSON.stringify([table, ...key]);
}

/**
 * The changes with one entry per row, keeping each row's last change (the source is re-read,
 * so only which rows matters; the last op only labels it), in the order of their last changes.
 */
export function distinctRows(changes: readonly RowChange[]): RowChange[] {
  const last = new Map<string, RowChange>();
  for (const change of changes) {
    const id = changeIdentity(change.table, change.key);
    last.delete(id);
    last.set(id, change);
  }
  return [...last.values()];
}

/**
 * The advisory-lock id of a row (64 bits of sha256 of its identity, as a signed bigint literal).
 * Everyone who mirrors a row takes its lock on the target before re-reading the source, so two
 * writers of one row apply in the order they read it, and the later read wins.
 */
export function rowLockId(table: string, key: readonly string[]): bigint {
  const digest = createHash("sha256").update(changeIdentity(table, key)).digest();
  return digest.readBigInt64BE(0);
}

/** The lock ids of the changes, distinct and ascending, so writers never deadlock. */
export function rowLockIds(changes: readonly RowChange[]): bigint[] {
  const ids = [...new Set(changes.map((c) => rowLockId(c.table, c.key)))];
  return ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
