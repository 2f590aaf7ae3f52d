import { parse as parseYaml } from "yaml";
import { z } from "zod";

/**
 * What a Citus distribution plan says about one table. The plan is ordered: tables are
 * distributed in the order listed, which is what the "referenced too late" rule checks.
 */
export type PlannedTable = DistributedPlanEntry | ReferencePlanEntry;

export interface DistributedPlanEntry {
  readonly kind: "distributed";
  /** Schema-qualified, e.g. "public.orders". */
  readonly table: string;
  readonly distributionColumn: string;
  /** Qualified table to colocate with, "none" for a group of its own, or undefined for Citus's default. */
  readonly colocateWith: string | undefined;
  readonly shardCount: number | undefined;
}

export interface ReferencePlanEntry {
  readonly kind: "reference";
  readonly table: string;
}

export interface DistributionPlan {
  readonly tables: readonly PlannedTable[];
}

const entrySchema = z
  .object({
    table: z.string().min(1),
    distribution_column: z.string().min(1).optional(),
    reference: z.boolean().optional(),
    colocate_with: z.string().min(1).optional(),
    shard_count: z.number().int().min(1).max(64000).optional(),
  })
  .strict();

const planSchema = z
  .object({
    schema: z.string().min(1).optional(),
    tables: z.array(entrySchema).min(1),
  })
  .strict();

/** A plan file the user must fix; the message names the field, the value and what to change. */
export class PlanError extends Error {}

/** Qualifies a table name with the default schema unless it already names one. */
export function qualify(table: string, defaultSchema: string): string {
  return table.includes(".") ? table : `${defaultSchema}.${table}`;
}

/** Parses and validates a plan written as YAML (or JSON, which is YAML). */
export function parseDistributionPlan(text: string, source = "plan"): DistributionPlan {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new PlanError(`${source}: not valid YAML (${(error as Error).message})`);
  }
  return validateDistributionPlan(raw, source);
}

export function validateDistributionPlan(raw: unknown, source = "plan"): DistributionPlan {
  const parsed = planSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.join(".") || "(top level)";
    const given = issue.input === undefined ? "" : ` (given ${JSON.stringify(issue.input)})`;
    throw new PlanError(
      `${source}: field '${field}': ${issue.message}${given}. ` +
        "Expected { schema?: string, tables: [{ table, distribution_column | reference: true, colocate_with?, shard_count? }] }.",
    );
  }
  const schema = parsed.data.schema ?? "public";
  const seen = new Set<string>();
  const tables = parsed.data.tables.map((entry, index): PlannedTable => {
    const field = `${source}: tables[${index}]`;
    const table = qualify(entry.table, schema);
    if (seen.has(table))
      throw new PlanError(`${field}.table: '${table}' is listed twice; list each table once.`);
    seen.add(table);
    if (entry.reference === true) {
      if (entry.distribution_column !== undefined || entry.colocate_with !== undefined)
        throw new PlanError(
          `${field}: '${table}' is a reference table but also sets distribution_column/colocate_with ` +
            `('${entry.distribution_column ?? entry.colocate_with}'); reference tables are copied whole — drop those fields or 'reference: true'.`,
        );
      return { kind: "reference", table };
    }
    if (entry.distribution_column === undefined)
      throw new PlanError(
        `${field}: '${table}' has neither distribution_column nor 'reference: true'; add one of them.`,
      );
    const colocate = entry.colocate_with;
    return {
      kind: "distributed",
      table,
      distributionColumn: entry.distribution_column,
      colocateWith:
        colocate === undefined || colocate === "default"
          ? undefined
          : colocate === "none"
            ? "none"
            : qualify(colocate, schema),
      shardCount: entry.shard_count,
    };
  });
  return { tables };
}
