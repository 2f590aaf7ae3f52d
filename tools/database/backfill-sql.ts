/**
 * The statements one backfill chunk runs. Rows travel in COPY's text format, as PostgreSQL
 * itself prints and parses them (under ROUND_TRIP_SETTINGS on both sessions): out of the source
 * with COPY (SELECT … ORDER BY key LIMIT n) TO STDOUT, into the target with COPY FROM STDIN —
 * no row is taken apart in JavaScript; only the last row's key is read, for the checkpoint.
 */
import { createHash } from "node:crypto";
import type { ClientBase } from "pg";
import { copy, lastLineFields } from "./pg-copy";
import { quoteIdent, quoteLiteral, quoteTable } from "../../components/database/sql-names";
import { columnList, keyColumns, keyTypes, type TableShape } from "./table-shape";

/** Session settings under which a value's text reads back as the same value on another server. */
export const ROUND_TRIP_SETTINGS = [
  "SET TimeZone = 'UTC'",
  "SET DateStyle = 'ISO, YMD'",
  "SET IntervalStyle = 'postgres'",
  "SET extra_float_digits = 3",
  "SET bytea_output = 'hex'",
  "SET standard_conforming_strings = on",
];

/** Values left as PostgreSQL's text (node-postgres would parse arrays into JS arrays). */
const AS_TEXT = { getTypeParser: () => (value: string) => value };

/** A key as the text of each key column; null before the first key. */
export type KeyText = readonly string[];

/** One chunk read from the source. */
export interface SourceChunk {
  readonly rows: number;
  /** The rows in COPY's text format. */
  readonly data: Buffer;
  readonly lastKey: KeyText;
}

/** `'text'::type, …`: a key as SQL literals (COPY takes no parameters). */
function keyLiterals(shape: TableShape, key: KeyText): string {
  return keyTypes(shape)
    .map((type, i) => `${quoteLiteral(key[i] ?? "")}::${type}`)
    .join(", ");
}

/** The next `limit` rows of the source after `after` (from the start when null), in key order. */
export async function readChunk(
  source: ClientBase,
  shape: TableShape,
  after: KeyText | null,
  limit: number,
): Promise<SourceChunk | undefined> {
  const where = after ? `WHERE (${keyColumns(shape)}) > (${keyLiterals(shape, after)})` : "";
  const { rows, data } = await copy(
    source,
    `COPY (SELECT ${columnList(shape, "t")} FROM ${quoteTable(shape.table)} t ${where}
           ORDER BY ${keyColumns(shape)} LIMIT ${Math.floor(limit)}) TO STDOUT`,
  );
  const positions = shape.key.map((k) => shape.columns.findIndex((c) => c.name === k));
  const lastKey = lastLineFields(data, positions);
  if (rows === 0 || !lastKey) return undefined;
  return { rows, data, lastKey: lastKey.map((k) => k ?? "") };
}

/**
 * Writes the chunk's rows the target does not have; returns how many. A row already there is
 * left alone: the dual writer wrote it after the source's write, so it is at least as new as
 * this copy (or an earlier, interrupted run copied it). Usually none is there, and the chunk
 * goes straight in with COPY; when one is, COPY refuses the whole chunk (a unique violation)
 * and it goes through a temporary table and INSERT … ON CONFLICT DO NOTHING instead.
 */
export async function writeChunk(
  target: ClientBase,
  shape: TableShape,
  data: Buffer,
): Promise<number> {
  const columns = columnList(shape);
  try {
    return (await copy(target, `COPY ${quoteTable(shape.table)} (${columns}) FROM STDIN`, data))
      .rows;
  } catch (error) {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
  }
  const staging = stagingTable(shape);
  await target.query(
    `CREATE TEMPORARY TABLE IF NOT EXISTS ${staging} (LIKE ${quoteTable(shape.table)}) ON COMMIT DELETE ROWS`,
  );
  await target.query("BEGIN");
  try {
    await copy(target, `COPY ${staging} (${columns}) FROM STDIN`, data);
    const { rowCount } = await target.query(
      `INSERT INTO ${quoteTable(shape.table)} (${columns}) OVERRIDING SYSTEM VALUE
       SELECT ${columns} FROM ${staging}
       ON CONFLICT (${shape.key.map(quoteIdent).join(", ")}) DO NOTHING`,
    );
    await target.query("COMMIT");
    return rowCount ?? 0;
  } catch (error) {
    await target.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

const UNIQUE_VIOLATION = "23505";

/** The session's staging table for one target table. */
function stagingTable(shape: TableShape): string {
  const digest = createHash("sha256").update(shape.table).digest("hex").slice(0, 16);
  return `stepwise_backfill_${digest}`;
}

/**
 * The keys of the target after `after` (exclusive; null: from the start) up to `upTo`
 * (inclusive; null: to the end), per key column as the text of an array (null when none).
 */
export async function targetKeysInRange(
  target: ClientBase,
  shape: TableShape,
  after: KeyText | null,
  upTo: KeyText | null,
): Promise<(string | null)[]> {
  const conditions = [
    ...(after ? [`(${keyColumns(shape)}) > (${keyLiterals(shape, after)})`] : []),
    ...(upTo ? [`(${keyColumns(shape)}) <= (${keyLiterals(shape, upTo)})`] : []),
  ];
  const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
  const arrays = shape.key.map((c, i) => `array_agg(t.${quoteIdent(c)})::text AS key_${i}`);
  const { rows } = await target.query<Record<string, unknown>>({
    text: `SELECT ${arrays.join(", ")} FROM ${quoteTable(shape.table)} t ${where}`,
    types: AS_TEXT,
  });
  const row = rows[0] ?? {};
  return shape.key.map((_, i) => (row[`key_${i}`] as string | null) ?? null);
}

/** `unnest($first::t0[], …) AS k(k_0, …)` */
function keysTable(shape: TableShape, first: number): string {
  const params = keyTypes(shape).map((type, i) => `$${first + i}::${type}[]`);
  const names = shape.key.map((_, i) => `k_${i}`);
  return `unnest(${params.join(", ")}) AS k(${names.join(", ")})`;
}

/** `t.a = k.k_0 AND …` */
function keyMatches(shape: TableShape): string {
  return shape.key.map((c, i) => `t.${quoteIdent(c)} = k.k_${i}`).join(" AND ");
}

/**
 * Of the given keys (per key column, an array — as its text, or as a JS array of texts), those
 * the table does not hold, each as the text of its key columns.
 */
export async function keysMissingFrom(
  client: ClientBase,
  shape: TableShape,
  keyArrays: readonly (string | readonly string[] | null)[],
): Promise<string[][]> {
  if (keyArrays.some((a) => a === null)) return [];
  const select = shape.key.map((_, i) => `k.k_${i}::text AS key_${i}`).join(", ");
  const { rows } = await client.query<Record<string, string>>({
    text: `SELECT ${select} FROM ${keysTable(shape, 1)}
           WHERE NOT EXISTS (SELECT 1 FROM ${quoteTable(shape.table)} t WHERE ${keyMatches(shape)})`,
    values: [...keyArrays],
  });
  return rows.map((row) => shape.key.map((_, i) => row[`key_${i}`] ?? ""));
}

/** Per key column, the JS array of that column's texts of `keys`. */
export function columnsOf(shape: TableShape, keys: readonly KeyText[]): string[][] {
  return shape.key.map((_, i) => keys.map((key) => key[i] ?? ""));
}

/** `t.a = $1::type AND t.b = $2::type` */
function keyEquals(shape: TableShape): string {
  const types = keyTypes(shape);
  return shape.key.map((c, i) => `t.${quoteIdent(c)} = $${i + 1}::${types[i]}`).join(" AND ");
}

// The few rows found gone from the source are locked and deleted one key per statement: each
// touches one row (on Citus, one shard), which every server runs as it is.

/** Locks the target's rows of `keys` until the transaction ends (rows gone meanwhile: skipped). */
export async function lockTargetRows(
  target: ClientBase,
  shape: TableShape,
  keys: readonly KeyText[],
): Promise<void> {
  const text = `SELECT 1 FROM ${quoteTable(shape.table)} t WHERE ${keyEquals(shape)} FOR UPDATE`;
  for (const key of keys) await target.query(text, [...key]);
}

/** Deletes the target's rows of `keys`; returns how many there were. */
export async function deleteTargetRows(
  target: ClientBase,
  shape: TableShape,
  keys: readonly KeyText[],
): Promise<number> {
  const text = `DELETE FROM ${quoteTable(shape.table)} t WHERE ${keyEquals(shape)}`;
  let deleted = 0;
  for (const key of keys) deleted += (await target.query(text, [...key])).rowCount ?? 0;
  return deleted;
}
