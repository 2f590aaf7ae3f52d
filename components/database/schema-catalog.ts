/**
 * The parts of a live PostgreSQL catalog the Citus readiness rules need, as plain data, so the
 * rules are pure functions and can be table-tested without a database.
 * Table names are schema-qualified ("public.orders"), unquoted.
 */
export interface SchemaCatalog {
  readonly tables: ReadonlyMap<string, CatalogTable>;
  readonly foreignKeys: readonly CatalogForeignKey[];
}

export interface CatalogTable {
  readonly name: string;
  readonly columns: readonly CatalogColumn[];
  /** Primary keys, unique constraints and unique indexes (key columns only, no expressions). */
  readonly uniqueKeys: readonly CatalogUniqueKey[];
}

export interface CatalogColumn {
  readonly name: string;
  /** format_type of the column without its modifier, e.g. "character varying". */
  readonly type: string;
  /** The type (or a domain's base type) has a default hash operator class; see hashableTypeSql. */
  readonly hashable: boolean;
}

export interface CatalogUniqueKey {
  readonly name: string;
  readonly kind: "primary-key" | "unique" | "unique-index";
  readonly columns: readonly string[];
  /** An index over expressions; Citus can only accept it when the column itself is a key column. */
  readonly hasExpressions: boolean;
}

export interface CatalogForeignKey {
  readonly name: string;
  readonly table: string;
  readonly columns: readonly string[];
  readonly referencedTable: string;
  readonly referencedColumns: readonly string[];
}

export function catalogOf(
  tables: readonly CatalogTable[],
  foreignKeys: readonly CatalogForeignKey[],
): SchemaCatalog {
  return { tables: new Map(tables.map((t) => [t.name, t])), foreignKeys };
}
