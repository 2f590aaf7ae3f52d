/**
 * The statements one backfill chunk runs. A chunk travels as a single value: the source gives
 * its rows as the text of an array of the table's row type, and the target reads that text
 * back as the same array type and inserts its elements — no row is taken apart in JavaScript,
 * and what PostgreSQL prints is what it parses (under ROUND_TRIP_SETTINGS on both sessions).
 */
import type { ClientBase } from "pg";
import { quoteIdent, quoteTable } from "./sql-names";
import { keyColumns, keyTextColumns, keyTypes, type TableShape } from "./table-shape";

/** Session settings under which a value's text reads back as the same value on another server. */
export const ROUND_TRIP_SETTINGS = [
  "SET TimeZone = 'UTC'",
  "SET DateStyle = 'ISO, YMD'",
  "SET IntervalStyle = 'postgres'",
  "SET extra_float_digits = 3",
  "SET bytea_output = 'hex'",
];

/** Values left as PostgreSQL's text (node-postgres would parse arrays into JS arrays). */
const AS_TEXT = { getTypeParser: () => (value: string) => value };

/** A key as the text of each key column; null before the first key. */
export type KeyText = readonly string[];

/** One chunk read from the source. */
export interface SourceChunk {
  readonly rows: number;
  /** The rows as the text of an array of the table's row type. */
  readonly rowsText: string;
  readonly lastKey: KeyText;
}

/** `key > after` (a row comparison for a composite key), parameters from `$first`. */
function keyAfter(shape: TableShape, first: number, alias = "t"): string {
  const types = keyTypes(shape);
  if (shape.key.length === 1)
    return `${alias}.${quoteIdent(shape.key[0])} > $${first}::${types[0]}`;
  const params = types.map((type, i) => `$${first + i}::${type}`).join(", ");
  return `(${keyColumns(shape, alias)}) > (${params})`;
}

/** `key <= upTo`, parameters from `$first`. */
function keyUpTo(shape: TableShape, first: number, alias = "t"): string {
  const types = keyTypes(shape);
  const params = types.map((type, i) => `$${first + i}::${type}`).join(", ");
  return `(${keyColumns(shape, alias)}) <= (${params})`;
}

/** The next `limit` rows of the source after `after` (from the start when null), in key order. */
export async function readChunk(
  source: ClientBase,
  shape: TableShape,
  after: KeyText | null,
  limit: number,
): Promise<SourceChunk | undefined> {
  const where = after ? `WHERE ${keyAfter(shape, 2)}` : "";
  const descending = shape.key.map((c) => `chunk.${quoteIdent(c)} DESC`).join(", ");
  const text = `
    WITH chunk AS MATERIALIZED (
      SELECT t AS stepwise_row, ${keyColumns(shape)} FROM ${quoteTable(shape.table)} t ${where}
      ORDER BY ${keyColumns(shape)} LIMIT $1)
    SELECT (SELECT count(*)::int FROM chunk) AS rows,
           (SELECT array_agg(chunk.stepwise_row)::text FROM chunk) AS rows_text,
           ${keyTextColumns(shape, "last")}
    FROM (SELECT * FROM chunk ORDER BY ${descending} LIMIT 1) last`;
  const { rows } = await source.query<Record<string, unknown>>({
    text,
    values: [limit, ...(after ?? [])],
    types: AS_TEXT,
  });
  const row = rows[0];
  if (!row) return undefined;
  return {
    rows: Number(row.rows),
    rowsText: row.rows_text as string,
    lastKey: shape.key.map((_, i) => row[`key_${i}`] as string),
  };
}

/** What one chunk's insert did: how many rows were new, and their keys as array texts per column. */
export interface InsertedRows {
  readonly inserted: number;
  /** Per key column, the text of an array of the inserted rows' values (null when none). */
  readonly keyArrays: readonly (string | null)[];
}

/**
 * Inserts the chunk's rows the target does not have. A row already there is left alone: it
 * was written by the dual writer after the source's write, so it is at least as new as this
 * copy (or it was copied by an earlier, interrupted run).
 */
export async function insertChunk(
  target: ClientBase,
  shape: TableShape,
  rowsText: string,
): Promise<InsertedRows> {
  const table = quoteTable(shape.table);
  const keys = shape.key.map(quoteIdent).join(", ");
  const arrays = shape.key.map((c, i) => `array_agg(ins.${quoteIdent(c)})::text AS key_${i}`);
  const text = `
    WITH ins AS (
      INSERT INTO ${table} OVERRIDING SYSTEM VALUE
      SELECT * FROM unnest($1::${table}[])
      ON CONFLICT (${keys}) DO NOTHING
      RETURNING ${keys})
    SELECT count(*)::int AS inserted, ${arrays.join(", ")} FROM ins`;
  const { rows } = await target.query<Record<string, unknown>>({
    text,
    values: [rowsText],
    types: AS_TEXT,
  });
  const row = rows[0] ?? {};
  return {
    inserted: Number(row.inserted ?? 0),
    keyArrays: shape.key.map((_, i) => (row[`key_${i}`] as string | null) ?? null),
  };
}

/** The keys of the target between `after` (exclusive, null: from the start) and `upTo`. */
export async function targetKeysInRange(
  target: ClientBase,
  shape: TableShape,
  after: KeyText | null,
  upTo: KeyText,
): Promise<(string | null)[]> {
  const n = shape.key.length;
  const conditions = [keyUpTo(shape, 1), ...(after ? [keyAfter(shape, n + 1)] : [])];
  const arrays = shape.key.map((c, i) => `array_agg(t.${quoteIdent(c)})::text AS key_${i}`);
  const { rows } = await target.query<Record<string, unknown>>({
    text: `SELECT ${arrays.join(", ")} FROM ${quoteTable(shape.table)} t WHERE ${conditions.join(" AND ")}`,
    values: [...upTo, ...(after ?? [])],
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

/** Locks the target's rows of `keys` until the transaction ends (rows gone meanwhile: skipped). */
export async function lockTargetRows(
  target: ClientBase,
  shape: TableShape,
  keys: readonly KeyText[],
): Promise<void> {
  await target.query(
    `SELECT 1 FROM ${quoteTable(shape.table)} t, ${keysTable(shape, 1)}
     WHERE ${keyMatches(shape)} FOR UPDATE OF t`,
    columnsOf(shape, keys),
  );
}

/** Deletes the target's rows of `keys`; returns how many there were. */
export async function deleteTargetRows(
  target: ClientBase,
  shape: TableShape,
  keys: readonly KeyText[],
): Promise<number> {
  const { rowCount } = await target.query(
    `DELETE FROM ${quoteTable(shape.table)} t USING ${keysTable(shape, 1)} WHERE ${keyMatches(shape)}`,
    columnsOf(shape, keys),
  );
  return rowCount ?? 0;
}
