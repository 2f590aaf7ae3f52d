/**
 * One table compared between two databases: every row, in key order, through a cursor on each
 * side read in lockstep, so memory stays bounded by the chunk size whatever the table's size.
 * Rows are compared as PostgreSQL's own text of the row (`t::text`), under session settings that
 * make that text the same on both servers (time zone, date and float formats).
 */
import { createHash } from "node:crypto";
import type { ClientBase } from "pg";
import { quoteIdent, quoteTable } from "./sql-names";

/** What each side holds of one table. */
export interface TableSide {
  readonly rows: number;
  /** sha256 of the rows' text in key order, one row per line. */
  readonly digest: string;
}

export interface TableComparison {
  /** "schema.table" */
  readonly table: string;
  readonly equal: boolean;
  readonly source?: TableSide;
  readonly target?: TableSide;
  /** Why the table is not equal, for the report; undefined when it is. */
  readonly difference?: string;
}

/** How to read one table: its columns and the columns that order it. */
export interface TableShape {
  readonly table: string;
  /** `name type` per column, in column order. */
  readonly columns: readonly string[];
  /** Primary key columns; empty when the table has none (then the whole row orders it). */
  readonly key: readonly string[];
}

/** Session settings under which a row's text is the same on any server. */
export const STABLE_TEXT_SETTINGS = [
  "SET LOCAL TimeZone = 'UTC'",
  "SET LOCAL DateStyle = 'ISO, YMD'",
  "SET LOCAL IntervalStyle = 'postgres'",
  "SET LOCAL extra_float_digits = 3",
  "SET LOCAL bytea_output = 'hex'",
];

const sha256 = () => createHash("sha256");

/** The cursor query: the row's text and its key's text, in key order. */
export function rowQuery(shape: TableShape): string {
  const order =
    shape.key.length > 0 ? shape.key.map((c) => `t.${quoteIdent(c)}`).join(", ") : "t::text";
  const key =
    shape.key.length > 0
      ? `ROW(${shape.key.map((c) => `t.${quoteIdent(c)}`).join(", ")})::text`
      : "NULL::text";
  return `SELECT t::text AS row, ${key} AS key FROM ${quoteTable(shape.table)} t ORDER BY ${order}`;
}

interface Fetched {
  readonly row: string;
  readonly key: string | null;
}

/**
 * Compares one table whose shape is the same on both sides. Both clients must be inside a
 * transaction (cursors live in one); `chunkRows` rows are fetched per side per round trip.
 */
export async function compareTable(
  source: ClientBase,
  target: ClientBase,
  shape: TableShape,
  chunkRows: number,
): Promise<TableComparison> {
  const cursor = `stepwise_compare_${createHash("md5").update(shape.table).digest("hex").slice(0, 12)}`;
  const declare = `DECLARE ${cursor} NO SCROLL CURSOR FOR ${rowQuery(shape)}`;
  await Promise.all([source.query(declare), target.query(declare)]);
  const hashes = { source: sha256(), target: sha256() };
  const counts = { source: 0, target: 0 };
  let firstDifference: string | undefined;
  try {
    for (;;) {
      const fetch = `FETCH ${chunkRows} FROM ${cursor}`;
      const [left, right] = await Promise.all([
        source.query<Fetched>(fetch),
        target.query<Fetched>(fetch),
      ]);
      const longest = Math.max(left.rows.length, right.rows.length);
      for (let i = 0; i < longest; i++) {
        const a = left.rows[i];
        const b = right.rows[i];
        if (a) hashes.source.update(`${a.row}\n`);
        if (b) hashes.target.update(`${b.row}\n`);
        if (firstDifference === undefined && a?.row !== b?.row) {
          firstDifference = describeDifference(counts.source + i + 1, a, b);
        }
      }
      counts.source += left.rows.length;
      counts.target += right.rows.length;
      if (left.rows.length < chunkRows && right.rows.length < chunkRows) break;
    }
  } finally {
    await Promise.allSettled([source.query(`CLOSE ${cursor}`), target.query(`CLOSE ${cursor}`)]);
  }
  const sides = {
    source: { rows: counts.source, digest: `sha256:${hashes.source.digest("hex")}` },
    target: { rows: counts.target, digest: `sha256:${hashes.target.digest("hex")}` },
  };
  const equal = firstDifference === undefined;
  const difference =
    counts.source !== counts.target
      ? `${counts.source} rows on the source, ${counts.target} on the target; ${firstDifference}`
      : firstDifference;
  return { table: shape.table, equal, ...sides, ...(equal ? {} : { difference }) };
}

// Says where, never what: row text may hold anything, the key is what an operator looks up.
function describeDifference(position: number, a?: Fetched, b?: Fetched): string {
  const key = (f: Fetched) => (f.key === null ? "" : ` (key ${f.key})`);
  if (!a && b) return `first difference at row ${position}: only the target has a row${key(b)}`;
  if (a && !b) return `first difference at row ${position}: only the source has a row${key(a)}`;
  return `first difference at row ${position} in key order: the rows differ${a ? key(a) : ""}`;
}
