import type { DistributedPlanEntry, DistributionPlan, PlannedTable } from "./distribution-plan";
import type {
  CatalogForeignKey,
  CatalogTable,
  CatalogUniqueKey,
  SchemaCatalog,
} from "./schema-catalog";
import { quoteColumns, quoteIdent, quoteTable } from "./sql-names";

/** Every Citus rule the readiness check knows; one finding names exactly one. */
export type ReadinessRule =
  | "table-missing"
  | "column-missing"
  | "type-not-hashable"
  | "colocation-invalid"
  | "unique-lacks-distribution-column"
  | "fk-not-colocated"
  | "fk-lacks-distribution-column"
  | "fk-reference-to-distributed"
  | "fk-distributed-to-local"
  | "fk-local-to-distributed"
  | "order-referenced-too-late";

export interface Finding {
  readonly rule: ReadinessRule;
  /** The table the finding is about (the referencing table for foreign keys). */
  readonly table: string;
  /** The constraint, index or column concerned, when there is one. */
  readonly object?: string;
  /** For foreign-key findings: the table the key references. */
  readonly referencedTable?: string;
  readonly message: string;
  /** What to change, in words. */
  readonly fix: string;
  /** The change as SQL (or the plan edit as YAML), when it can be written down. */
  readonly fixSql?: string;
}

interface Placement {
  readonly entry: PlannedTable;
  readonly index: number;
  /** Colocation group id for distributed tables (see colocationGroups). */
  readonly group?: string;
}

/**
 * Checks a distribution plan against a schema catalog and returns every violation of Citus's
 * rules, in plan order. An empty list means Citus will accept the plan as written.
 */
export function checkReadiness(plan: DistributionPlan, catalog: SchemaCatalog): Finding[] {
  const findings: Finding[] = [];
  const usable = new Map<string, CatalogTable>();
  for (const entry of plan.tables) {
    const table = catalog.tables.get(entry.table);
    if (!table) {
      findings.push({
        rule: "table-missing",
        table: entry.table,
        message: `${entry.table} is in the plan but not in the database.`,
        fix: "Create the table first, or correct/remove its name in the plan.",
      });
      continue;
    }
    if (entry.kind === "distributed") {
      const finding = checkDistributionColumn(entry, table);
      if (finding) {
        findings.push(finding);
        continue;
      }
      findings.push(...checkUniqueKeys(entry, table));
    }
    usable.set(entry.table, table);
  }
  const placements = placementsOf(plan, usable, findings);
  for (const fk of catalog.foreignKeys) findings.push(...checkForeignKey(fk, placements, catalog));
  return findings;
}

function checkDistributionColumn(
  entry: DistributedPlanEntry,
  table: CatalogTable,
): Finding | undefined {
  const column = table.columns.find((c) => c.name === entry.distributionColumn);
  if (!column)
    return {
      rule: "column-missing",
      table: entry.table,
      object: entry.distributionColumn,
      message: `${entry.table} has no column '${entry.distributionColumn}' to distribute by (columns: ${table.columns.map((c) => c.name).join(", ")}).`,
      fix: "Name an existing column as distribution_column in the plan, or add the column.",
    };
  if (!column.hashable)
    return {
      rule: "type-not-hashable",
      table: entry.table,
      object: column.name,
      message: `${entry.table}.${column.name} is of type ${column.type}, which has no default hash operator class, so Citus cannot hash-distribute by it.`,
      fix: "Distribute by a column of a hashable type (integer, bigint, uuid, text, ...), or change the column's type.",
      fixSql: `ALTER TABLE ${quoteTable(entry.table)} ALTER COLUMN ${quoteIdent(column.name)} TYPE text;`,
    };
  return undefined;
}

function checkUniqueKeys(entry: DistributedPlanEntry, table: CatalogTable): Finding[] {
  return table.uniqueKeys
    .filter((key) => !key.columns.includes(entry.distributionColumn))
    .map((key) => ({
      rule: "unique-lacks-distribution-column" as const,
      table: entry.table,
      object: key.name,
      message: `${describeKey(key)} ${key.name} on ${entry.table} (${key.columns.join(", ") || "expressions"}) does not include the distribution column '${entry.distributionColumn}'; Citus can only enforce uniqueness within one shard.`,
      fix: `Add '${entry.distributionColumn}' to the key (foreign keys that reference it must be dropped first and re-created with it).`,
      fixSql: uniqueKeyFix(entry, key),
    }));
}

function describeKey(key: CatalogUniqueKey): string {
  return key.kind === "primary-key"
    ? "Primary key"
    : key.kind === "unique"
      ? "Unique constraint"
      : "Unique index";
}

function uniqueKeyFix(entry: DistributedPlanEntry, key: CatalogUniqueKey): string | undefined {
  if (key.hasExpressions) return undefined;
  const columns = quoteColumns([entry.distributionColumn, ...key.columns]);
  const table = quoteTable(entry.table);
  if (key.kind === "unique-index") {
    const schema = entry.table.slice(0, entry.table.indexOf("."));
    return `DROP INDEX ${quoteIdent(schema)}.${quoteIdent(key.name)};\nCREATE UNIQUE INDEX ${quoteIdent(key.name)} ON ${table} (${columns});`;
  }
  const kind = key.kind === "primary-key" ? "PRIMARY KEY" : "UNIQUE";
  return `ALTER TABLE ${table} DROP CONSTRAINT ${quoteIdent(key.name)}, ADD CONSTRAINT ${quoteIdent(key.name)} ${kind} (${columns});`;
}

/**
 * Places every usable plan entry and works out Citus colocation groups: an explicit
 * colocate_with joins that table's group, "none" gets a group of its own, and the default puts
 * tables with the same distribution column type and shard count together — as Citus does.
 */
function placementsOf(
  plan: DistributionPlan,
  tables: ReadonlyMap<string, CatalogTable>,
  findings: Finding[],
): Map<string, Placement> {
  const placements = new Map<string, Placement>();
  plan.tables.forEach((entry, index) => {
    const table = tables.get(entry.table);
    if (!table) return;
    if (entry.kind === "reference") {
      placements.set(entry.table, { entry, index });
      return;
    }
    const type = table.columns.find((c) => c.name === entry.distributionColumn)?.type ?? "";
    let group = `default:${type}:${entry.shardCount ?? "default"}`;
    if (entry.colocateWith === "none") group = `none:${entry.table}`;
    else if (entry.colocateWith !== undefined) {
      const target = placements.get(entry.colocateWith);
      const problem = colocationProblem(entry, type, target, tables, plan);
      if (problem) {
        findings.push(problem);
        group = `invalid:${entry.table}`;
      } else group = target?.group ?? group;
    }
    placements.set(entry.table, { entry, index, group });
  });
  return placements;
}

function colocationProblem(
  entry: DistributedPlanEntry,
  type: string,
  target: Placement | undefined,
  tables: ReadonlyMap<string, CatalogTable>,
  plan: DistributionPlan,
): Finding | undefined {
  const base = {
    rule: "colocation-invalid" as const,
    table: entry.table,
    object: entry.colocateWith,
  };
  const with_ = entry.colocateWith ?? "";
  if (!target) {
    const later =
      plan.tables.findIndex((t) => t.table === with_) >
      plan.tables.findIndex((t) => t.table === entry.table);
    return {
      ...base,
      message: later
        ? `${entry.table} is colocated with ${with_}, which the plan distributes later.`
        : `${entry.table} is colocated with ${with_}, which is not a usable table of the plan.`,
      fix: later
        ? `Move ${with_} before ${entry.table} in the plan.`
        : `Add ${with_} to the plan as a distributed table before ${entry.table}, or drop colocate_with.`,
    };
  }
  if (target.entry.kind === "reference")
    return {
      ...base,
      message: `${entry.table} is colocated with ${with_}, a reference table; only distributed tables can be colocated.`,
      fix: `Colocate ${entry.table} with a distributed table, or drop colocate_with.`,
    };
  const targetColumn = target.entry.distributionColumn;
  const targetType = tables.get(with_)?.columns.find((c) => c.name === targetColumn)?.type;
  if (targetType !== type)
    return {
      ...base,
      message: `${entry.table} (${entry.distributionColumn} ${type}) cannot be colocated with ${with_} (${targetColumn} ${targetType}): colocated tables need distribution columns of the same type.`,
      fix: `Change ${entry.table}.${entry.distributionColumn} to ${targetType}, or colocate with another table.`,
      fixSql: `ALTER TABLE ${quoteTable(entry.table)} ALTER COLUMN ${quoteIdent(entry.distributionColumn)} TYPE ${targetType ?? type};`,
    };
  return undefined;
}

function checkForeignKey(
  fk: CatalogForeignKey,
  placements: ReadonlyMap<string, Placement>,
  catalog: SchemaCatalog,
): Finding[] {
  const from = placements.get(fk.table);
  const to = placements.get(fk.referencedTable);
  // Tables the plan left out (or could not use) stay local; only their links to planned tables matter.
  if (!from && !to) return [];
  const base = { table: fk.table, object: fk.name, referencedTable: fk.referencedTable };
  const describe = `Foreign key ${fk.name} ${fk.table}(${fk.columns.join(", ")}) → ${fk.referencedTable}(${fk.referencedColumns.join(", ")})`;
  if (from && !to) {
    if (from.entry.kind === "reference" || !catalog.tables.has(fk.referencedTable)) return [];
    return [
      {
        ...base,
        rule: "fk-distributed-to-local",
        message: `${describe}: a distributed table cannot reference a local table.`,
        fix: `Add ${fk.referencedTable} to the plan (as a reference table if it is small, before ${fk.table}).`,
        fixSql: `# plan\n- table: ${fk.referencedTable}\n  reference: true`,
      },
    ];
  }
  if (!from && to) {
    if (to.entry.kind === "reference") return [];
    return [
      {
        ...base,
        rule: "fk-local-to-distributed",
        message: `${describe}: a local table cannot reference a distributed table.`,
        fix: `Add ${fk.table} to the plan, distributed and colocated with ${fk.referencedTable}, or drop the foreign key.`,
        fixSql: `ALTER TABLE ${quoteTable(fk.table)} DROP CONSTRAINT ${quoteIdent(fk.name)};`,
      },
    ];
  }
  if (!from || !to || fk.table === fk.referencedTable) return [];
  const findings: Finding[] = [];
  if (to.index > from.index)
    findings.push({
      ...base,
      rule: "order-referenced-too-late",
      message: `${describe}: the plan distributes ${fk.referencedTable} (position ${to.index + 1}) after ${fk.table} (position ${from.index + 1}); Citus needs the referenced table distributed first.`,
      fix: `Move ${fk.referencedTable} before ${fk.table} in the plan.`,
    });
  if (from.entry.kind === "reference" && to.entry.kind === "distributed")
    findings.push({
      ...base,
      rule: "fk-reference-to-distributed",
      message: `${describe}: a reference table cannot reference a distributed table.`,
      fix: `Make ${fk.referencedTable} a reference table too, distribute ${fk.table} colocated with it, or drop the foreign key.`,
      fixSql: `ALTER TABLE ${quoteTable(fk.table)} DROP CONSTRAINT ${quoteIdent(fk.name)};`,
    });
  if (from.entry.kind === "distributed" && to.entry.kind === "distributed")
    findings.push(
      ...checkDistributedPair(fk, from.entry, to.entry, from.group, to.group, describe),
    );
  return findings;
}

function checkDistributedPair(
  fk: CatalogForeignKey,
  from: DistributedPlanEntry,
  to: DistributedPlanEntry,
  fromGroup: string | undefined,
  toGroup: string | undefined,
  describe: string,
): Finding[] {
  const findings: Finding[] = [];
  const base = { table: fk.table, object: fk.name, referencedTable: fk.referencedTable };
  if (fromGroup !== toGroup)
    findings.push({
      ...base,
      rule: "fk-not-colocated",
      message: `${describe}: ${fk.table} and ${fk.referencedTable} are distributed but not colocated.`,
      fix: `Colocate ${fk.table} with ${fk.referencedTable} in the plan.`,
      fixSql: `# plan, entry ${fk.table}\ncolocate_with: ${fk.referencedTable}`,
    });
  const paired = fk.columns.some(
    (column, i) =>
      column === from.distributionColumn && fk.referencedColumns[i] === to.distributionColumn,
  );
  if (!paired) {
    const rest = fk.columns
      .map((column, i) => [column, fk.referencedColumns[i]] as const)
      .filter(
        ([column, referenced]) =>
          column !== from.distributionColumn && referenced !== to.distributionColumn,
      );
    findings.push({
      ...base,
      rule: "fk-lacks-distribution-column",
      message: `${describe}: the key must map ${fk.table}.${from.distributionColumn} to ${fk.referencedTable}.${to.distributionColumn} (both distribution columns).`,
      fix: `Re-create the foreign key with the distribution columns as its first pair (${fk.referencedTable} needs a unique key on them).`,
      fixSql:
        `ALTER TABLE ${quoteTable(fk.table)} DROP CONSTRAINT ${quoteIdent(fk.name)}, ` +
        `ADD CONSTRAINT ${quoteIdent(fk.name)} FOREIGN KEY (${quoteColumns([from.distributionColumn, ...rest.map(([c]) => c)])}) ` +
        `REFERENCES ${quoteTable(fk.referencedTable)} (${quoteColumns([to.distributionColumn, ...rest.map(([, r]) => r)])});`,
    });
  }
  return findings;
}
