/**
 * Brings rows of the target in step with the source of truth: for each changed key, the row the
 * source holds now is written to the target (insert or update by primary key), and a key the
 * source no longer has is deleted there (the tombstone). The dual writer applies its changes
 * this way right after the source's write, and replay applies the log the same way.
 *
 * Why re-read instead of sending the written row: two service instances updating one row can
 * have their mirrors cross on the way to the target, and the older copy would land last. Here
 * each row's advisory lock is taken on the target (in one order, so no deadlock) before the
 * source is read, and held until the target commits: whoever reads the source later writes the
 * target later, so the target ends with the source's latest row whatever the order, however
 * often a change is applied (replay is idempotent) and with no version column needed.
 */
import { createHash } from "node:crypto";
import type { ClientBase, Pool, QueryResult } from "pg";
import { rowLockIds, type RowChange } from "./row-change";
import { quoteIdent, quoteLiteral, quoteTable } from "../../components/database/sql-names";
import { keyTypes, type TableShape } from "./table-shape";

/**
 * Connection settings under which a value's text reads back as the same value on any server
 * (dates in ISO order, floats exact, bytea in hex); sent at connect, no round trip.
 */
export const STABLE_TEXT_OPTIONS =
  "-c DateStyle=ISO,YMD -c IntervalStyle=postgres -c extra_float_digits=3 -c bytea_output=hex -c TimeZone=UTC -c standard_conforming_strings=on";

export interface AppliedCounts {
  /** Rows written on the target as the source holds them. */
  readonly upserted: number;
  /** Rows deleted on the target because the source no longer has them. */
  readonly deleted: number;
}

/** A change for a table the writer was not given: a bug or a log from another table set. */
export class UnknownTableError extends Error {}

/**
 * Applies the changes on `target` in one transaction, reading the rows from `source` (a pool or
 * a client outside any transaction, so it sees what is committed). When either side fails it
 * throws with the target's transaction left open: the caller discards that connection (the
 * server rolls back as it closes) rather than wait on a ROLLBACK a dead server never answers.
 */
export async function applyRowChanges(
  source: Pool | ClientBase,
  target: ClientBase,
  shapes: ReadonlyMap<string, TableShape>,
  changes: readonly RowChange[],
): Promise<AppliedCounts> {
  if (changes.length === 0) return { upserted: 0, deleted: 0 };
  const byTable = new Map<string, RowChange[]>();
  for (const change of changes) {
    if (!shapes.has(change.table))
      throw new UnknownTableError(
        `change for table ${change.table}, which is not among the tables written through (${[...shapes.keys()].join(", ")})`,
      );
    byTable.set(change.table, [...(byTable.get(change.table) ?? []), change]);
  }
  const locks = rowLockIds(changes);
  // BEGIN and the row locks in one round trip; ids are integers made here, safe to inline.
  await target.query(
    `BEGIN; SELECT count(pg_advisory_xact_lock(id)) FROM (SELECT unnest(ARRAY[${locks.join(",")}]::bigint[]) AS id ORDER BY 1) AS ids`,
  );
  let upserted = 0;
  let deleted = 0;
  const tables = [...byTable];
  for (const [index, [table, tableChanges]] of tables.entries()) {
    const shape = shapes.get(table) as TableShape;
    const rows = await readRows(source, shape, distinctKeys(tableChanges));
    const counts = await writeRows(target, shape, rows, index === tables.length - 1);
    upserted += counts.upserted;
    deleted += counts.deleted;
  }
  return { upserted, deleted };
}

/**
 * A named statement: each connection parses and plans it once (the texts depend only on the
 * table's shape, so there are two per table), which halves what a mirror costs the servers.
 */
function prepared(text: string): { name: string; text: string } {
  return {
    name: `stepwise_mirror_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`,
    text,
  };
}

function distinctKeys(changes: readonly RowChange[]): (readonly string[])[] {
  const seen = new Map<string, readonly string[]>();
  for (const change of changes) seen.set(JSON.stringify(change.key), change.key);
  return [...seen.values()];
}

/** `unnest($1::text[], …) AS alias(k0, …)` and its join condition with the table `t`. */
function keyJoin(
  shape: TableShape,
  alias: string,
  first: number,
  param: (n: number) => string = (n) => `$${n}`,
): { from: string; on: string } {
  const types = keyTypes(shape);
  const arrays = shape.key.map((_, i) => `${param(first + i)}::text[]`).join(", ");
  const names = shape.key.map((_, i) => `k${i}`).join(", ");
  const on = shape.key
    .map((column, i) => `t.${quoteIdent(column)} = ${alias}.k${i}::${types[i]}`)
    .join(" AND ");
  return { from: `unnest(${arrays}) AS ${alias}(${names})`, on };
}

/** The key texts as one array per key column (parameters of keyJoin). */
function keyArrays(shape: TableShape, keys: readonly (readonly string[])[]): string[][] {
  return shape.key.map((_, i) => keys.map((key) => key[i]));
}

interface ReadRows {
  /** Per present row, each column's text (null for NULL), in column order. */
  readonly present: (string | null)[][];
  /** Keys the source has no row for. */
  readonly gone: (readonly string[])[];
}

async function readRows(
  source: Pool | ClientBase,
  shape: TableShape,
  keys: readonly (readonly string[])[],
): Promise<ReadRows> {
  const { from, on } = keyJoin(shape, "k", 1);
  const columns = shape.columns.map((c) => `t.${quoteIdent(c.name)}::text`).join(", ");
  const presentFlag = `t.${quoteIdent(shape.key[0])} IS NOT NULL`;
  const { rows } = await source.query<unknown[]>({
    ...prepared(`SELECT ${presentFlag}, ${shape.key.map((_, i) => `k.k${i}`).join(", ")}, ${columns}
           FROM ${from} LEFT JOIN ${quoteTable(shape.table)} AS t ON ${on}`),
    values: keyArrays(shape, keys),
    rowMode: "array",
  });
  const present: (string | null)[][] = [];
  const gone: (readonly string[])[] = [];
  const keyWidth = shape.key.length;
  for (const row of rows) {
    if (row[0] === true) present.push(row.slice(1 + keyWidth) as (string | null)[]);
    else gone.push(row.slice(1, 1 + keyWidth) as string[]);
  }
  return { present, gone };
}

/**
 * Writes the rows read from the source and deletes the keys it no longer has. The last table's
 * statement carries the COMMIT in the same round trip: its values are then inlined as literals
 * (the simple protocol takes no parameters; the connection has standard_conforming_strings on,
 * see STABLE_TEXT_OPTIONS, so quoting doubles single quotes and nothing else).
 */
async function writeRows(
  target: ClientBase,
  shape: TableShape,
  rows: ReadRows,
  commit: boolean,
): Promise<AppliedCounts> {
  const values = [
    ...shape.columns.map((_, i) => rows.present.map((row) => row[i])),
    ...keyArrays(shape, rows.gone),
  ];
  const param = commit ? (n: number) => textArrayLiteral(values[n - 1]) : (n: number) => `$${n}`;
  const text = writeStatement(shape, param);
  if (commit) {
    const results = (await target.query(`${text}; COMMIT`)) as unknown as QueryResult<Counts>[];
    return countsOf(results[0].rows[0]);
  }
  const { rows: counts } = await target.query<Counts>({ ...prepared(text), values });
  return countsOf(counts[0]);
}

interface Counts {
  upserted: string;
  deleted: string;
}

const countsOf = (row: Counts): AppliedCounts => ({
  upserted: Number(row.upserted),
  deleted: Number(row.deleted),
});

/** `ARRAY['a', NULL]` (or `'{}'` when empty), to be cast by the statement's `::text[]`. */
export function textArrayLiteral(values: readonly (string | null)[]): string {
  if (values.length === 0) return "'{}'";
  return `ARRAY[${values.map((v) => (v === null ? "NULL" : quoteLiteral(v))).join(", ")}]`;
}

function writeStatement(shape: TableShape, param: (n: number) => string): string {
  const columnCount = shape.columns.length;
  const names = shape.columns.map((_, i) => `c${i}`).join(", ");
  const arrays = shape.columns.map((_, i) => `${param(i + 1)}::text[]`).join(", ");
  const casts = shape.columns.map((c, i) => `c${i}::${c.type}`).join(", ");
  const quotedKey = shape.key.map(quoteIdent).join(", ");
  const others = shape.columns.filter((c) => !shape.key.includes(c.name));
  const onConflict =
    others.length === 0
      ? "DO NOTHING"
      : `DO UPDATE SET ${others.map((c) => `${quoteIdent(c.name)} = EXCLUDED.${quoteIdent(c.name)}`).join(", ")}`;
  const { from, on } = keyJoin(shape, "g", columnCount + 1, param);
  const table = quoteTable(shape.table);
  return `WITH gone AS (DELETE FROM ${table} AS t USING ${from} WHERE ${on} RETURNING 1),
                put AS (INSERT INTO ${table} (${shape.columns.map((c) => quoteIdent(c.name)).join(", ")})
                        OVERRIDING SYSTEM VALUE
                        SELECT ${casts} FROM unnest(${arrays}) AS s(${names})
                        ON CONFLICT (${quotedKey}) ${onConflict} RETURNING 1)
           SELECT (SELECT count(*) FROM put) AS upserted, (SELECT count(*) FROM gone) AS deleted`;
}
