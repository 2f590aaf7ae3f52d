import type * as pulumi from "@pulumi/pulumi";
import type { Client } from "pg";
import { withPgClient } from "./pg-client";
import {
  alterDistributedTableSql,
  createDistributedTableSql,
  createReferenceTableSql,
  readCitusTableSql,
  undistributeTableSql,
  validateDistributeOptions,
  type DistributeOptions,
  type SqlStatement,
} from "./citus-sql";
import type { PlannedTable } from "./distribution-plan";
import type { CitusTableRow } from "./table-readiness";
import { findingsBeforeDistributing } from "./table-readiness";

/** What DistributedTable and ReferenceTable hand their provider, resolved. */
export interface CitusTableInputs {
  readonly connectionString: string;
  readonly kind: "distributed" | "reference";
  /** Schema-qualified table name. */
  readonly table: string;
  readonly distributionColumn?: string;
  readonly colocateWith?: string;
  readonly shardCount?: number;
  /** Passed to undistribute_table on delete (rollback). */
  readonly cascadeOnUndistribute: boolean;
}

/** The inputs plus what Citus reports back from citus_tables. */
export interface CitusTableOutputs extends CitusTableInputs {
  readonly citusTableType: string;
  readonly colocationId: number;
  readonly actualShardCount: number;
}

async function run(client: Client, statement: SqlStatement): Promise<void> {
  await client.query(statement.text, [...statement.values]);
}

function distributeOptions(inputs: CitusTableInputs): DistributeOptions {
  return {
    table: inputs.table,
    distributionColumn: inputs.distributionColumn ?? "",
    colocateWith: inputs.colocateWith,
    shardCount: inputs.shardCount,
  };
}

function plannedTable(inputs: CitusTableInputs): PlannedTable {
  return inputs.kind === "reference"
    ? { kind: "reference", table: inputs.table }
    : {
        kind: "distributed",
        table: inputs.table,
        distributionColumn: inputs.distributionColumn ?? "",
        colocateWith: inputs.colocateWith,
        shardCount: inputs.shardCount,
      };
}

async function readState(
  client: Client,
  inputs: CitusTableInputs,
): Promise<CitusTableOutputs | undefined> {
  const statement = readCitusTableSql(inputs.table);
  const { rows } = await client.query<CitusTableRow>(statement.text, [...statement.values]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    ...inputs,
    citusTableType: row.citus_table_type,
    colocationId: row.colocation_id,
    actualShardCount: row.shard_count,
  };
}

/** Input problems found before anything runs; each names the field and what to change. */
export function checkCitusTableInputs(inputs: CitusTableInputs): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  if (!/^[^.]+\.[^.]+$/.test(inputs.table))
    failures.push({
      property: "table",
      reason: `'${inputs.table}' must be schema-qualified, e.g. 'public.orders'.`,
    });
  if (inputs.kind === "distributed") {
    if (!inputs.distributionColumn)
      failures.push({
        property: "distributionColumn",
        reason: "a distributed table needs its distribution column.",
      });
    try {
      validateDistributeOptions(distributeOptions(inputs));
    } catch (error) {
      failures.push({ property: "shardCount", reason: (error as Error).message });
    }
  }
  return failures;
}

export const citusTableProvider: pulumi.dynamic.ResourceProvider = {
  check(_olds: CitusTableInputs, news: CitusTableInputs) {
    return Promise.resolve({ inputs: news, failures: checkCitusTableInputs(news) });
  },

  diff(_id: string, olds: CitusTableOutputs, news: CitusTableInputs) {
    const replaces = (["table", "kind"] as const).filter((key) => olds[key] !== news[key]);
    const updates = (
      [
        "distributionColumn",
        "colocateWith",
        "shardCount",
        "cascadeOnUndistribute",
        "connectionString",
      ] as const
    ).filter((key) => olds[key] !== news[key]);
    return Promise.resolve({
      changes: replaces.length + updates.length > 0,
      replaces,
      deleteBeforeReplace: true,
    });
  },

  create(inputs: CitusTableInputs) {
    return withPgClient(inputs.connectionString, async (client) => {
      // Refuse before Citus does: its errors name one problem at a time, ours list them all.
      const findings = await findingsBeforeDistributing(client, plannedTable(inputs));
      if (findings.length > 0)
        throw new Error(
          `${inputs.table} cannot be made a ${inputs.kind} table as asked:\n` +
            findings
              .map(
                (f) =>
                  `- [${f.rule}] ${f.message}\n  fix: ${f.fix}${f.fixSql ? `\n  ${f.fixSql}` : ""}`,
              )
              .join("\n"),
        );
      await run(
        client,
        inputs.kind === "reference"
          ? createReferenceTableSql(inputs.table)
          : createDistributedTableSql(distributeOptions(inputs)),
      );
      const outs = await readState(client, inputs);
      if (!outs)
        throw new Error(
          `${inputs.table}: Citus accepted the table but citus_tables does not list it.`,
        );
      return { id: inputs.table, outs };
    });
  },

  read(id: string, props: CitusTableOutputs) {
    return withPgClient(props.connectionString, async (client) => {
      const outs = await readState(client, { ...props, table: id });
      // No row: the table was undistributed outside Pulumi, so the resource is gone.
      return outs ? { id, props: outs } : {};
    });
  },

  update(_id: string, olds: CitusTableOutputs, news: CitusTableInputs) {
    return withPgClient(news.connectionString, async (client) => {
      const alter =
        news.kind === "distributed"
          ? alterDistributedTableSql(distributeOptions(olds), distributeOptions(news))
          : undefined;
      if (alter) await run(client, alter);
      const outs = await readState(client, news);
      if (!outs)
        throw new Error(
          `${news.table}: citus_tables no longer lists the table; run pulumi refresh.`,
        );
      return { outs };
    });
  },

  delete(id: string, props: CitusTableOutputs) {
    return withPgClient(props.connectionString, (client) =>
      run(client, undistributeTableSql(id, props.cascadeOnUndistribute)),
    );
  },
};
