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
import type { ClientBase, Pool } from "pg";
import { rowLockIds, type RowChange } from "./row-change";
import { quoteIdent, quoteTable } from "./sql-names";
import { keyTypes, type TableShape } from "./table-shape";

/**
 * Connection settings under which a value's text reads back as the same value on any server
 * (dates in ISO order, floats exact, bytea in hex); sent at connect, no round trip.
 */
export const STABLE_TEXT_OPTIONS =
  "-c DateStyle=ISO,YMD -c IntervalStyle=postgres -c extra_float_digits=3 -c bytea_output=hex -c TimeZone=UTC";

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
    if (!shapes.has(change.topic))
      throw new UnknownTableError(
        `change for table ${change.topic}, which is not among the tables written through (${[...shapes.keys()].join(", ")})`,
      );
    byTable.set(change.topic, [...(byTable.get(change.topic) ?? []), change]);
  }
  const locks = rowLockIds(changes);
  // BEGIN and the row locks in one round trip; ids are integers made here, safe to inline.
  await target.query(
    `BEGIN; SELECT count(pg_advisory_xact_lock(id)) FROM (SELECT unnest(ARRAY[${locks.join(",")}]::bigint[]) AS id ORDER BY 1) AS ids`,
  );
  let upserted = 0;
  let deleted = 0;
  for (const [table, tableChanges] of byTable) {
    const shape = shapes.get(table) as TableShape;
    const keys = distinctKeys(tableChanges);
    const rows = await readRows(source, shape, keys);
    const counts = await writeRows(target, shape, rows);
    upserted += counts.upserted;
    deleted += counts.deleted;
  }
  await target.query("COMMIT");
  return { upserted, deleted };
}

function distinctKeys(changes: readonly RowChange[]): (readonly string[])[] {
  const seen = new Map<string, readonly string[]>();
  for (const change of changes) seen.set(JSON.stringify(change.key), change.key);
  return [...seen.values()];
}

/** `unnest($1::text[], …) AS alias(k0, …)` and its join condition with the table `t`. */
function keyJoin(shape: TableShape, alias: string, first: number): { from: string; on: string } {
  const types = keyTypes(shape);
  const arrays = shape.key.map((_, i) => `$${first + i}::text[]`).join(", ");
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
    text: `SELECT ${presentFlag}, ${shape.key.map((_, i) => `k.k${i}`).join(", ")}, ${columns}
           FROM ${from} LEFT JOIN ${quoteTable(shape.table)} AS t ON ${on}`,
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

async function writeRows(
  target: ClientBase,
  shape: TableShape,
  rows: ReadRows,
): Promise<AppliedCounts> {
  const columnCount = shape.columns.length;
  const names = shape.columns.map((_, i) => `c${i}`).join(", ");
  const arrays = shape.columns.map((_, i) => `$${i + 1}::text[]`).join(", ");
  const casts = shape.columns.map((c, i) => `c${i}::${c.type}`).join(", ");
  const quotedKey = shape.key.map(quoteIdent).join(", ");
  const others = shape.columns.filter((c) => !shape.key.includes(c.name));
  const onConflict =
    others.length === 0
      ? "DO NOTHING"
      : `DO UPDATE SET ${others.map((c) => `${quoteIdent(c.name)} = EXCLUDED.${quoteIdent(c.name)}`).join(", ")}`;
  const { from, on } = keyJoin(shape, "g", columnCount + 1);
  const table = quoteTable(shape.table);
  const { rows: counts } = await target.query<{ upserted: string; deleted: string }>({
    text: `WITH gone AS (DELETE FROM ${table} AS t USING ${from} WHERE ${on} RETURNING 1),
                put AS (INSERT INTO ${table} (${shape.columns.map((c) => quoteIdent(c.name)).join(", ")})
                        OVERRIDING SYSTEM VALUE
                        SELECT ${casts} FROM unnest(${arrays}) AS s(${names})
                        ON CONFLICT (${quotedKey}) ${onConflict} RETURNING 1)
           SELECT (SELECT count(*) FROM put) AS upserted, (SELECT count(*) FROM gone) AS deleted`,
    values: [
      ...shape.columns.map((_, i) => rows.present.map((row) => row[i])),
      ...keyArrays(shape, rows.gone),
    ],
  });
  return { upserted: Number(counts[0].upserted), deleted: Number(counts[0].deleted) };
}
