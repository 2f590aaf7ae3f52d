import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "pg";
import {
  parseDistributionPlan,
  type DistributionPlan,
} from "../../../components/database/distribution-plan";

const FIXTURES = join(__dirname, "../../fixtures/database");

/** Loads a fixture with its __SCHEMA__ placeholder replaced by a per-run schema name. */
export function fixture(file: string, schema: string): string {
  return readFileSync(join(FIXTURES, file), "utf8").replaceAll("__SCHEMA__", schema);
}

export function fixturePlan(file: string, schema: string): DistributionPlan {
  return parseDistributionPlan(fixture(file, schema), file);
}

/** Creates a fresh schema and runs the fixture SQL in it. */
export async function createShopSchema(
  client: Client,
  schema: string,
  sqlFile: string,
): Promise<void> {
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(fixture(sqlFile, schema));
}

/** Schema names from uniqueName() contain dashes; PostgreSQL identifiers here must not. */
export function schemaName(unique: string): string {
  return unique.replace(/-/g, "_");
}
