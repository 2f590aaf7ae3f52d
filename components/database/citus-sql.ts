import { quoteTable } from "./sql-names";

/**
 * The statements stepwise sends to Citus, as parameterized queries built by pure functions so
 * that their exact text and order can be tested. Function names are left unqualified: on a
 * Citus coordinator they resolve to pg_catalog's, which is searched first.
 */
export interface SqlStatement {
  readonly text: string;
  readonly values: readonly unknown[];
}

export interface DistributeOptions {
  /** Schema-qualified table. */
  readonly table: string;
  readonly distributionColumn: string;
  /** A table to colocate with, or "none"; undefined leaves Citus's default colocation. */
  readonly colocateWith?: string;
  readonly shardCount?: number;
}

/** A request Citus would refuse: both colocate_with and shard_count name the shard layout. */
export class CitusRequestError extends Error {}

export function validateDistributeOptions(options: DistributeOptions): void {
  if (
    options.shardCount !== undefined &&
    options.colocateWith !== undefined &&
    options.colocateWith !== "none"
  )
    throw new CitusRequestError(
      `${options.table}: shardCount (${options.shardCount}) and colocateWith ('${options.colocateWith}') cannot both be set — a colocated table takes its shard count from ${options.colocateWith}; drop shardCount.`,
    );
  if (
    options.shardCount !== undefined &&
    (!Number.isInteger(options.shardCount) || options.shardCount < 1 || options.shardCount > 64000)
  )
    throw new CitusRequestError(
      `${options.table}: shardCount ${options.shardCount} must be an integer from 1 to 64000.`,
    );
}

// Table names travel as text that PostgreSQL parses (::regclass, Citus's colocate_with), so
// they are quoted like identifiers: "public.Orders" would otherwise resolve to public.orders.
function colocationName(name: string | undefined): string | undefined {
  return name === undefined || name === "default" || name === "none" ? name : quoteTable(name);
}

/** Named arguments only when set, so Citus applies its own defaults otherwise. */
function namedArguments(
  pairs: readonly (readonly [string, unknown, string])[],
  first: number,
): SqlStatement {
  const set = pairs.filter(([, value]) => value !== undefined);
  return {
    text: set.map(([name, , cast], i) => `, ${name} => $${first + i}${cast}`).join(""),
    values: set.map(([, value]) => value),
  };
}

export function createDistributedTableSql(options: DistributeOptions): SqlStatement {
  validateDistributeOptions(options);
  const named = namedArguments(
    [
      ["colocate_with", colocationName(options.colocateWith), "::text"],
      ["shard_count", options.shardCount, "::int"],
    ],
    3,
  );
  return {
    text: `SELECT create_distributed_table($1::regclass, $2::text${named.text})`,
    values: [quoteTable(options.table), options.distributionColumn, ...named.values],
  };
}

export function createReferenceTableSql(table: string): SqlStatement {
  return { text: "SELECT create_reference_table($1::regclass)", values: [quoteTable(table)] };
}

/** Changes what differs between two distributions of the same table, in place. */
export function alterDistributedTableSql(
  before: DistributeOptions,
  after: DistributeOptions,
): SqlStatement | undefined {
  validateDistributeOptions(after);
  const changed = <T>(a: T, b: T) => (a === b ? undefined : b);
  const named = namedArguments(
    [
      [
        "distribution_column",
        changed(before.distributionColumn, after.distributionColumn),
        "::text",
      ],
      ["shard_count", changed(before.shardCount, after.shardCount), "::int"],
      // Dropping colocate_with means going back to Citus's default group.
      [
        "colocate_with",
        before.colocateWith === after.colocateWith
          ? undefined
          : colocationName(after.colocateWith ?? "default"),
        "::text",
      ],
    ],
    2,
  );
  if (named.values.length === 0) return undefined;
  return {
    text: `SELECT alter_distributed_table($1::regclass${named.text})`,
    values: [quoteTable(after.table), ...named.values],
  };
}

export function undistributeTableSql(table: string, cascadeViaForeignKeys: boolean): SqlStatement {
  return {
    text: "SELECT undistribute_table($1::regclass, cascade_via_foreign_keys => $2::boolean)",
    values: [quoteTable(table), cascadeViaForeignKeys],
  };
}

/** One table's Citus metadata (citus_tables), with a schema-qualified name. */
export const CITUS_TABLES_SQL = `
  SELECT n.nspname || '.' || c.relname AS table_name,
         ct.citus_table_type::text AS citus_table_type,
         ct.distribution_column::text AS distribution_column,
         ct.colocation_id::int AS colocation_id,
         ct.shard_count::int AS shard_count
  FROM citus_tables ct
  JOIN pg_catalog.pg_class c ON c.oid = ct.table_name
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace`;

export function readCitusTableSql(table: string): SqlStatement {
  return {
    text: `${CITUS_TABLES_SQL} WHERE ct.table_name = $1::regclass`,
    values: [quoteTable(table)],
  };
}

export function addNodeSql(host: string, port: number): SqlStatement {
  return { text: "SELECT citus_add_node($1::text, $2::int) AS nodeid", values: [host, port] };
}

export function removeNodeSql(host: string, port: number): SqlStatement {
  return { text: "SELECT citus_remove_node($1::text, $2::int)", values: [host, port] };
}

export function readNodeSql(host: string, port: number): SqlStatement {
  return {
    text: "SELECT nodeid::int AS nodeid, isactive FROM pg_dist_node WHERE nodename = $1 AND nodeport = $2",
    values: [host, port],
  };
}
