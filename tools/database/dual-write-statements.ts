/**
 * The statements the dual writer runs on the source of truth: a service's write, wrapped so its
 * answer also carries each changed row's key as text, and the row helpers (upsert and delete by
 * key). Each yields the row changes to mirror.
 */
import type { Pool, PoolClient, QueryResult, QueryResultRow } from "pg";
import type { RowChange } from "./row-change";
import { quoteIdent, quoteTable } from "../../components/database/sql-names";
import type { TableShape } from "./table-shape";

// node-postgres's text of a parameter, exactly what the server parses for $n (@types/pg omits it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require("pg/lib/utils") as { prepareValue: (value: unknown) => unknown };

/**
 * The key of a row about to be upserted or deleted, as texts that cast back to the values the
 * statement will use (node-postgres's own parameter text; bytea as \x hex).
 */
export function keyTextsOf(shape: TableShape, row: Readonly<Record<string, unknown>>): string[] {
  return shape.key.map((column) => {
    const text = prepareValue(row[column]);
    return Buffer.isBuffer(text) ? `\\x${text.toString("hex")}` : String(text);
  });
}

/** A table, statement or key the writer cannot use; thrown before anything is written. */
export class DualWriteUsageError extends Error {}

const KEY_PREFIX = "__stepwise_key_";

/**
 * Runs a write on `runner`, wrapped so the answer also carries each returned row's key as text
 * (cast back losslessly when mirrored); the caller's rows come back without those columns.
 */
export async function runWrite<R extends QueryResultRow>(
  runner: Pool | PoolClient,
  shape: TableShape,
  sql: string,
  params: readonly unknown[] | undefined,
): Promise<{ result: QueryResult<R>; changes: RowChange[] }> {
  const statement = sql.trim().replace(/;+\s*$/, "");
  if (!/\breturning\b/i.test(statement))
    throw new DualWriteUsageError(
      `write to ${shape.table}: the statement has no RETURNING; add RETURNING * (or at least the key ${shape.key.join(", ")}) so the changed rows can be mirrored`,
    );
  const keyTexts = shape.key
    .map((column, i) => `changed.${quoteIdent(column)}::text AS ${KEY_PREFIX}${i}`)
    .join(", ");
  let raw: QueryResult<Record<string, unknown>>;
  try {
    raw = await runner.query<Record<string, unknown>>(
      `WITH changed AS (${statement}) SELECT changed.*, ${keyTexts} FROM changed`,
      params as unknown[],
    );
  } catch (error) {
    if ((error as { code?: string }).code === "42703" && /changed\./.test(String(error)))
      throw new DualWriteUsageError(
        `write to ${shape.table}: the RETURNING list must include the key column(s) ${shape.key.join(", ")} (e.g. RETURNING *): ${(error as Error).message}`,
      );
    throw error;
  }
  const op = /^\s*delete\b/i.test(statement) ? "delete" : "upsert";
  const changes: RowChange[] = raw.rows.map((row) => ({
    table: shape.table,
    op,
    key: shape.key.map((_, i) => row[`${KEY_PREFIX}${i}`] as string),
  }));
  const rows = raw.rows.map((row) => {
    const copy: Record<string, unknown> = { ...row };
    shape.key.forEach((_, i) => delete copy[`${KEY_PREFIX}${i}`]);
    return copy as R;
  });
  const fields = raw.fields.filter((f) => !f.name.startsWith(KEY_PREFIX));
  return {
    result: { ...raw, rows, fields, command: op === "delete" ? "DELETE" : raw.command },
    changes,
  };
}

/** INSERT … ON CONFLICT (key) DO UPDATE of the given columns, RETURNING *. */
export function upsertStatement(
  shape: TableShape,
  row: Readonly<Record<string, unknown>>,
): { sql: string; params: unknown[] } {
  const columns = Object.keys(row);
  const unknown = columns.filter((c) => !shape.columns.some((s) => s.name === c));
  if (unknown.length > 0)
    throw new DualWriteUsageError(
      `upsert into ${shape.table}: no column ${unknown.join(", ")}; its columns are ${shape.columns.map((c) => c.name).join(", ")}`,
    );
  const missingKey = shape.key.filter((k) => !columns.includes(k));
  if (missingKey.length > 0)
    throw new DualWriteUsageError(
      `upsert into ${shape.table}: the row needs its key column(s) ${missingKey.join(", ")}`,
    );
  const others = columns.filter((c) => !shape.key.includes(c));
  const update =
    others.length === 0
      ? "DO NOTHING"
      : `DO UPDATE SET ${others.map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`).join(", ")}`;
  return {
    sql: `INSERT INTO ${quoteTable(shape.table)} (${columns.map(quoteIdent).join(", ")})
          VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})
          ON CONFLICT (${shape.key.map(quoteIdent).join(", ")}) ${update} RETURNING *`,
    params: columns.map((c) => row[c]),
  };
}

/** DELETE of the row with this key, RETURNING *. */
export function deleteStatement(
  shape: TableShape,
  key: Readonly<Record<string, unknown>>,
): { sql: string; params: unknown[] } {
  const missing = shape.key.filter((k) => key[k] === undefined || key[k] === null);
  if (missing.length > 0)
    throw new DualWriteUsageError(
      `delete from ${shape.table}: the key needs ${missing.join(", ")}`,
    );
  const where = shape.key.map((k, i) => `${quoteIdent(k)} = $${i + 1}`).join(" AND ");
  return {
    sql: `DELETE FROM ${quoteTable(shape.table)} WHERE ${where} RETURNING *`,
    params: shape.key.map((k) => key[k]),
  };
}
