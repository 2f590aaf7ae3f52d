import type { ClientBase } from "pg";
import type { DistributionPlan } from "./distribution-plan";
import {
  catalogOf,
  type CatalogForeignKey,
  type CatalogTable,
  type CatalogUniqueKey,
  type SchemaCatalog,
} from "./schema-catalog";

/**
 * Whether a type can be a Citus hash distribution column. Citus looks up the type's default
 * hash operator class (GetDefaultOpClass), which also accepts binary-coercible types (varchar
 * hashes with text's class) and the polymorphic classes for arrays, enums and ranges. Domains
 * are judged by their base type (one level). `t` is the pg_type row of the column.
 */
const HASHABLE_TYPE_SQL = `
  EXISTS (
    SELECT 1
    FROM pg_catalog.pg_opclass opc
    JOIN pg_catalog.pg_am am ON am.oid = opc.opcmethod AND am.amname = 'hash'
    JOIN pg_catalog.pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
    WHERE opc.opcdefault AND (
      opc.opcintype = b.oid
      OR EXISTS (SELECT 1 FROM pg_catalog.pg_cast c
                 WHERE c.castsource = b.oid AND c.casttarget = opc.opcintype AND c.castmethod = 'b')
      OR (opc.opcintype = 'pg_catalog.anyarray'::pg_catalog.regtype AND b.typcategory = 'A')
      OR (opc.opcintype = 'pg_catalog.anyenum'::pg_catalog.regtype AND b.typtype = 'e')
      OR (opc.opcintype = 'pg_catalog.anyrange'::pg_catalog.regtype AND b.typtype = 'r')
    )
  )`;

const COLUMNS_SQL = `
  SELECT n.nspname || '.' || c.relname AS table_name,
         a.attname AS column_name,
         pg_catalog.format_type(a.atttypid, NULL) AS type_name,
         ${HASHABLE_TYPE_SQL} AS hashable
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
  WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1::text[])
  ORDER BY 1, a.attnum`;

// Key columns only (INCLUDE columns do not make an index unique); expressions have attnum 0.
const UNIQUE_KEYS_SQL = `
  SELECT n.nspname || '.' || c.relname AS table_name,
         COALESCE(con.conname, ic.relname) AS key_name,
         CASE con.contype WHEN 'p' THEN 'primary-key' WHEN 'u' THEN 'unique' ELSE 'unique-index' END AS kind,
         ARRAY(SELECT a.attname::text
               FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
               WHERE k.ord <= i.indnkeyatts
               ORDER BY k.ord) AS columns,
         i.indexprs IS NOT NULL AS has_expressions
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_constraint con ON con.conindid = i.indexrelid AND con.contype IN ('p', 'u')
  WHERE i.indisunique AND NOT c.relispartition AND n.nspname = ANY($1::text[])
  ORDER BY 1, 2`;

const FOREIGN_KEYS_SQL = `
  SELECT con.conname AS key_name,
         sn.nspname || '.' || s.relname AS table_name,
         tn.nspname || '.' || t.relname AS referenced_table,
         ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
               ORDER BY k.ord) AS columns,
         ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
               ORDER BY k.ord) AS referenced_columns
  FROM pg_catalog.pg_constraint con
  JOIN pg_catalog.pg_class s ON s.oid = con.conrelid
  JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace
  JOIN pg_catalog.pg_class t ON t.oid = con.confrelid
  JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
  WHERE con.contype = 'f' AND con.conparentid = 0
    AND (sn.nspname = ANY($1::text[]) OR tn.nspname = ANY($1::text[]))
  ORDER BY 2, 1`;

interface ColumnRow {
  table_name: string;
  column_name: string;
  type_name: string;
  hashable: boolean;
}
interface UniqueKeyRow {
  table_name: string;
  key_name: string;
  kind: CatalogUniqueKey["kind"];
  columns: string[];
  has_expressions: boolean;
}
interface ForeignKeyRow {
  key_name: string;
  table_name: string;
  referenced_table: string;
  columns: string[];
  referenced_columns: string[];
}

/** Reads tables, unique keys and foreign keys of the given schemas from the live catalog. */
export async function readSchemaCatalog(
  client: ClientBase,
  schemas: readonly string[],
): Promise<SchemaCatalog> {
  const params = [schemas];
  const columns = await client.query<ColumnRow>(COLUMNS_SQL, params);
  const keys = await client.query<UniqueKeyRow>(UNIQUE_KEYS_SQL, params);
  const fks = await client.query<ForeignKeyRow>(FOREIGN_KEYS_SQL, params);

  const tables = new Map<
    string,
    { columns: CatalogTable["columns"][number][]; keys: CatalogUniqueKey[] }
  >();
  const entry = (name: string) => {
    let table = tables.get(name);
    if (!table) tables.set(name, (table = { columns: [], keys: [] }));
    return table;
  };
  for (const row of columns.rows)
    entry(row.table_name).columns.push({
      name: row.column_name,
      type: row.type_name,
      hashable: row.hashable,
    });
  for (const row of keys.rows)
    entry(row.table_name).keys.push({
      name: row.key_name,
      kind: row.kind,
      columns: row.columns,
      hasExpressions: row.has_expressions,
    });
  const foreignKeys: CatalogForeignKey[] = fks.rows.map((row) => ({
    name: row.key_name,
    table: row.table_name,
    columns: row.columns,
    referencedTable: row.referenced_table,
    referencedColumns: row.referenced_columns,
  }));
  return catalogOf(
    [...tables].map(([name, t]) => ({ name, columns: t.columns, uniqueKeys: t.keys })),
    foreignKeys,
  );
}

/** Schemas the plan's tables live in: the catalog is read for these only. */
export function schemasOf(plan: DistributionPlan): string[] {
  return [...new Set(plan.tables.map((t) => t.table.slice(0, t.table.indexOf("."))))];
}
