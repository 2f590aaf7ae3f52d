/**
 * What the data-side tools (backfill, dual-write replay, verification) know of a table: its
 * columns with their types and its primary key, read from the live catalog, and the key-order
 * SQL they all page through it with. Keys travel as PostgreSQL's text of each key column and
 * come back cast to the column's type, so no value is rounded on the way through JavaScript
 * (timestamps keep their microseconds, numerics their digits, bigints their range).
 */
import type { ClientBase } from "pg";
import { quoteIdent, quoteTable } from "../../components/database/sql-names";

export interface ColumnShape {
  readonly name: string;
  /** `format_type` of the column, e.g. `numeric(10,2)`, `timestamp with time zone`. */
  readonly type: string;
}

export interface TableShape {
  /** "schema.table" */
  readonly table: string;
  /** In column order. */
  readonly columns: readonly ColumnShape[];
  /** Primary key columns in key order; empty when the table has none. */
  readonly key: readonly string[];
}

/** A table the tools cannot work on as it is; the message says which and what to do. */
export class TableShapeError extends Error {}

const SHAPES_SQL = `
  SELECT n.nspname || '.' || c.relname AS table_name,
         ARRAY(SELECT a.attname::text
               FROM pg_catalog.pg_attribute a
               WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
               ORDER BY a.attnum) AS column_names,
         ARRAY(SELECT pg_catalog.format_type(a.atttypid, a.atttypmod)
               FROM pg_catalog.pg_attribute a
               WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
               ORDER BY a.attnum) AS column_types,
         ARRAY(SELECT a.attname::text
               FROM pg_catalog.pg_index i,
                    unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
               WHERE i.indrelid = c.oid AND i.indisprimary
               ORDER BY k.ord) AS key
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1::text[])
  ORDER BY 1`;

interface ShapeRow {
  table_name: string;
  column_names: string[];
  column_types: string[];
  key: string[];
}

/** Every ordinary or partitioned table of the schemas, in name order. */
export async function readTableShapes(
  client: ClientBase,
  schemas: readonly string[],
): Promise<TableShape[]> {
  const { rows } = await client.query<ShapeRow>(SHAPES_SQL, [schemas]);
  return rows.map((r) => ({
    table: r.table_name,
    columns: r.column_names.map((name, i) => ({ name, type: r.column_types[i] ?? "" })),
    key: r.key,
  }));
}

/** "schema.table", with `defaultSchema` for an unqualified name. */
export function qualifiedName(table: string, defaultSchema = "public"): string {
  return table.includes(".") ? table : `${defaultSchema}.${table}`;
}

/**
 * The shape of each named table on one side (`side` names it in errors, e.g. "source
 * postgres://…"). A missing table or one without a primary key is refused: rows are matched,
 * paged and replayed by their key.
 */
export async function readKeyedShapes(
  client: ClientBase,
  tables: readonly string[],
  side: string,
): Promise<TableShape[]> {
  const names = tables.map((t) => qualifiedName(t));
  const schemas = [...new Set(names.map((t) => t.slice(0, t.indexOf("."))))];
  const found = await readTableShapes(client, schemas);
  return names.map((name) => {
    const shape = found.find((s) => s.table === name);
    if (!shape) {
      throw new TableShapeError(
        `table ${name} does not exist on the ${side}; create it there (same columns as the other side) or fix the table name`,
      );
    }
    if (shape.key.length === 0) {
      throw new TableShapeError(
        `table ${name} on the ${side} has no primary key; rows are matched by their key, so add one (ALTER TABLE ${quoteTable(name)} ADD PRIMARY KEY (…)) before copying or comparing it`,
      );
    }
    return shape;
  });
}

/**
 * Why two sides' shapes of one table cannot be copied or compared row for row, or undefined
 * when they can: the same column names and types in the same order, and the same key.
 */
export function shapeMismatch(source: TableShape, target: TableShape): string | undefined {
  const describe = (s: TableShape) => s.columns.map((c) => `${c.name} ${c.type}`).join(", ");
  if (describe(source) !== describe(target)) {
    return `columns differ: source (${describe(source)}), target (${describe(target)}); make the target's columns match the source's (names, types and order)`;
  }
  if (source.key.join(",") !== target.key.join(",")) {
    return `primary keys differ: source (${source.key.join(", ")}), target (${target.key.join(", ")}); give both sides the same primary key`;
  }
  return undefined;
}

/** Throws the mismatch of each table pair, naming the table. */
export function requireSameShapes(
  sources: readonly TableShape[],
  targets: readonly TableShape[],
): void {
  sources.forEach((source, i) => {
    const target = targets[i];
    const problem = target ? shapeMismatch(source, target) : "missing on the target";
    if (problem) throw new TableShapeError(`table ${source.table}: ${problem}`);
  });
}

/** Quoted key columns of `alias`, comma-separated: `t.a, t.b`. */
export function keyColumns(shape: TableShape, alias = "t"): string {
  return shape.key.map((c) => `${alias}.${quoteIdent(c)}`).join(", ");
}

/** The type of a key column, for casting its text back. */
export function keyTypes(shape: TableShape): string[] {
  return shape.key.map((name) => shape.columns.find((c) => c.name === name)?.type ?? "text");
}

/** `ROW(t.a, t.b)` — compared as a row, so a composite key orders lexicographically. */
export function keyRow(shape: TableShape, alias = "t"): string {
  return `ROW(${keyColumns(shape, alias)})`;
}

/** `ROW($n::type, …)`: a key given as the text of each column, from parameter `firstParam`. */
export function keyParams(shape: TableShape, firstParam: number): string {
  const casts = keyTypes(shape).map((type, i) => `$${firstParam + i}::${type}`);
  return `ROW(${casts.join(", ")})`;
}

/** A select list giving each key column's text as key_0, key_1, … */
export function keyTextColumns(shape: TableShape, alias = "t"): string {
  return shape.key.map((c, i) => `${alias}.${quoteIdent(c)}::text AS key_${i}`).join(", ");
}

/** The key texts of a row selected with keyTextColumns. */
export function keyTextOf(shape: TableShape, row: Record<string, unknown>): (string | null)[] {
  return shape.key.map((_, i) => row[`key_${i}`] as string | null);
}

/** `ORDER BY t.a, t.b` */
export function keyOrder(shape: TableShape, alias = "t"): string {
  return `ORDER BY ${keyColumns(shape, alias)}`;
}

/** Every column, quoted, in column order. */
export function columnList(shape: TableShape, alias?: string): string {
  return shape.columns.map((c) => (alias ? `${alias}.` : "") + quoteIdent(c.name)).join(", ");
}
