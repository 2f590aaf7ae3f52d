import type { ClientBase } from "pg";
import { readSchemaCatalog, schemasOf } from "./catalog-reader";
import { CITUS_TABLES_SQL } from "./citus-sql";
import type { DistributionPlan, PlannedTable } from "./distribution-plan";
import { checkReadiness, type Finding } from "./readiness-rules";

export interface CitusTableRow {
  table_name: string;
  citus_table_type: string;
  distribution_column: string;
  colocation_id: number;
  shard_count: number;
}

/**
 * Rebuilds a plan from what Citus already distributes, so one more table can be checked in
 * context. Each colocation group becomes a default-colocated first table plus tables colocated
 * with it; Citus-managed local tables stay out (they count as local).
 */
export function planFromCitusMetadata(rows: readonly CitusTableRow[]): PlannedTable[] {
  const firstOfGroup = new Map<number, string>();
  const entries: PlannedTable[] = [];
  for (const row of [...rows].sort((a, b) => a.colocation_id - b.colocation_id)) {
    if (row.citus_table_type === "reference")
      entries.push({ kind: "reference", table: row.table_name });
    if (row.citus_table_type !== "distributed") continue;
    const first = firstOfGroup.get(row.colocation_id);
    if (first === undefined) firstOfGroup.set(row.colocation_id, row.table_name);
    entries.push({
      kind: "distributed",
      table: row.table_name,
      distributionColumn: row.distribution_column,
      colocateWith: first,
      shardCount: first === undefined ? row.shard_count : undefined,
    });
  }
  return entries;
}

/**
 * The findings that would make Citus refuse to distribute `request` now, given the live schema
 * and what is already distributed. Used by DistributedTable/ReferenceTable before they run
 * create_distributed_table / create_reference_table.
 */
export async function findingsBeforeDistributing(
  client: ClientBase,
  request: PlannedTable,
): Promise<Finding[]> {
  const existing = await client.query<CitusTableRow>(CITUS_TABLES_SQL);
  const setting = await client.query<{ shard_count: string | null }>(
    "SELECT current_setting('citus.shard_count', true) AS shard_count",
  );
  // Citus's default shard count (32) unless the server says otherwise, so default colocation
  // groups line up with the tables already distributed.
  const defaultShards = Number(setting.rows[0]?.shard_count ?? 32);
  const planned: PlannedTable =
    request.kind === "distributed" && request.colocateWith === undefined
      ? { ...request, shardCount: request.shardCount ?? defaultShards }
      : request;
  const plan: DistributionPlan = {
    tables: [
      ...planFromCitusMetadata(existing.rows.filter((r) => r.table_name !== request.table)),
      planned,
    ],
  };
  const catalog = await readSchemaCatalog(client, schemasOf(plan));
  // A local table still referencing this one is not a reason to refuse now: it is the next
  // table to distribute (referenced tables go first, as in Citus's own tutorials). The plan
  // level check reports it when a plan leaves such a table local for good.
  return checkReadiness(plan, catalog).filter(
    (f) =>
      f.rule !== "fk-local-to-distributed" &&
      (f.table === request.table || f.referencedTable === request.table),
  );
}
