/**
 * The statements of chunked verification. Every one works on a key range of one table and is
 * the same on both servers, so the two sides answer the same question.
 *
 * A row's fingerprint is `hashtextextended(t::text, 0)`: PostgreSQL's 64-bit hash of the row as
 * it prints it. A range's checksum is the row count and the exact sum of its rows'
 * fingerprints. Why a sum of hashes rather than md5 over the rows' text in key order:
 * - no sort and no string: `string_agg(… ORDER BY key)` sorts the range and builds its whole
 *   text in the server's memory (twice as slow here, measured); a sum streams;
 * - it adds up: a table's checksum is the sum of its chunks', and a range split in two gives
 *   the second half's checksum by subtraction, so drilling down reads only one half again;
 * - Citus computes count and sum on each shard and adds the results, instead of pulling every
 *   row's text to the coordinator to concatenate it in order;
 * - the table's checksum is what `SELECT count(*), sum(hashtextextended(t::text, 0)) FROM tab t`
 *   prints, so anyone can check it by hand.
 * `hashtextextended` is what hash partitioning uses for text, which PostgreSQL keeps stable
 * across versions (a hash-partitioned table survives pg_upgrade). It is not a cryptographic
 * hash: it finds accidental differences (a row missed, a write lost, a value changed), with a
 * chance of about 2^-64 per differing range to miss one, not a row forged to collide.
 */
import type { TableShape } from "./table-shape";
import { keyOrder, keyParams, keyRow, keyTextColumns } from "./table-shape";
import { quoteTable } from "../../components/database/sql-names";

/** A range of primary keys, each bound the text of every key column in key order. */
export interface KeyRange {
  /** Keys after this one; from the first key when left out. */
  readonly after?: readonly string[];
  /** Keys up to and including this one; to the last key when left out. */
  readonly through?: readonly string[];
}

/** A statement with its parameters. */
export interface Statement {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** The fingerprint of row `t`. */
export const ROW_FINGERPRINT = "hashtextextended((t.*)::text, 0)";

/** The clauses of a statement, with the empty ones left out. */
const clauses = (...parts: string[]) => parts.filter((part) => part !== "").join(" ");

/** `WHERE …` limiting `t` to `range` (nothing for the whole table), with its parameters. */
export function rangeCondition(shape: TableShape, range: KeyRange): Statement {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const bound = (operator: string, key: readonly string[]) => {
    conditions.push(`${keyRow(shape)} ${operator} ${keyParams(shape, values.length + 1)}`);
    values.push(...key);
  };
  if (range.after) bound(">", range.after);
  if (range.through) bound("<=", range.through);
  return { text: conditions.length ? `WHERE ${conditions.join(" AND ")}` : "", values };
}

/** Row count (`rows`, bigint) and checksum (`checksum`, the exact sum as text) of a range. */
export function rangeChecksumSql(shape: TableShape, range: KeyRange): Statement {
  const where = rangeCondition(shape, range);
  return {
    text: clauses(
      `SELECT count(*) AS rows, coalesce(sum(${ROW_FINGERPRINT}), 0)::text AS checksum`,
      `FROM ${quoteTable(shape.table)} t`,
      where.text,
    ),
    values: where.values,
  };
}

/**
 * The key at 0-based `position` of a range in key order (`key_0`, `key_1`, … as text), or no
 * row when the range holds fewer rows. Read from the primary-key index.
 */
export function keyAtSql(shape: TableShape, range: KeyRange, position: number): Statement {
  const where = rangeCondition(shape, range);
  return {
    text: clauses(
      `SELECT ${keyTextColumns(shape)} FROM ${quoteTable(shape.table)} t`,
      where.text,
      `${keyOrder(shape)} OFFSET $${where.values.length + 1} LIMIT 1`,
    ),
    values: [...where.values, position],
  };
}

/** Each row of a range in key order: its key as PostgreSQL prints it and its fingerprint. */
export function rowFingerprintsSql(shape: TableShape, range: KeyRange): Statement {
  const where = rangeCondition(shape, range);
  return {
    text: clauses(
      `SELECT ${keyRow(shape)}::text AS key, ${ROW_FINGERPRINT}::text AS fingerprint`,
      `FROM ${quoteTable(shape.table)} t`,
      where.text,
      keyOrder(shape),
    ),
    values: where.values,
  };
}
