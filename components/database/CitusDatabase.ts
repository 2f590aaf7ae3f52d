import * as pulumi from "@pulumi/pulumi";
import { DistributedTable } from "./DistributedTable";
import type { DistributionPlan } from "./distribution-plan";
import { PostgresDatabase, type DatabaseRoleArgs } from "./PostgresDatabase";
import type { PostgresConnection } from "./PostgresServer";
import { ReferenceTable } from "./ReferenceTable";
import { CITUS_DATABASE_TYPE } from "../type-tokens";

/** The extension every node of the cluster needs in the application database. */
export const CITUS_EXTENSION = "citus";

export interface CitusDatabaseArgs {
  /** Superuser connection to the coordinator (CitusCluster.adminConnection or an external one). */
  readonly server: PostgresConnection;
  /** postgres:// URL of the coordinator as Pulumi reaches it, for the table resources; secret. */
  readonly connectionString: pulumi.Input<string>;
  /**
   * The application database. It must exist on every node already (the citus image creates its
   * POSTGRES_DB, with the extension, on each node; Citus 12.1 does not propagate CREATE
   * DATABASE), so it is managed here, not created.
   */
  readonly databaseName: string;
  /** Application roles with their table privileges on `schema`. @default none */
  readonly roles?: readonly DatabaseRoleArgs[];
  /** Schema the roles' table grants apply to. @default "public" */
  readonly schema?: string;
  /**
   * Tables to distribute, in the plan's order (referenced tables first).
   * @default none (only the database objects are declared)
   */
  readonly distribution?: DistributionPlan;
}

/**
 * The application database on a Citus coordinator: its roles, grants and the citus extension
 * (PostgresDatabase), then the plan's reference and distributed tables, each waiting for the one
 * before it, so tables are distributed in plan order and undistributed in reverse when deleted.
 */
export class CitusDatabase extends pulumi.ComponentResource {
  public readonly objects: PostgresDatabase;
  /** The table resources by schema-qualified table name, in plan order. */
  public readonly tables: Readonly<Record<string, DistributedTable | ReferenceTable>>;

  constructor(name: string, args: CitusDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super(CITUS_DATABASE_TYPE, name, {}, opts);
    this.objects = new PostgresDatabase(
      name,
      {
        server: args.server,
        databaseName: args.databaseName,
        createDatabase: false,
        roles: args.roles ?? [],
        extensions: [CITUS_EXTENSION],
        ...(args.schema !== undefined ? { schema: args.schema } : {}),
      },
      // PostgresDatabase hands dependsOn to its provider, so every object waits for it.
      { parent: this, dependsOn: opts?.dependsOn },
    );

    const tables: Record<string, DistributedTable | ReferenceTable> = {};
    let previous: pulumi.Resource = this.objects;
    for (const planned of args.distribution?.tables ?? []) {
      const tableOpts = { parent: this, dependsOn: [previous] };
      const tableName = `${name}-${planned.table}`;
      const table =
        planned.kind === "reference"
          ? new ReferenceTable(
              tableName,
              { connectionString: args.connectionString, table: planned.table },
              tableOpts,
            )
          : new DistributedTable(
              tableName,
              {
                connectionString: args.connectionString,
                table: planned.table,
                distributionColumn: planned.distributionColumn,
                colocateWith: planned.colocateWith,
                shardCount: planned.shardCount,
              },
              tableOpts,
            );
      tables[planned.table] = table;
      previous = table;
    }
    this.tables = tables;
    this.registerOutputs({ database: this.objects.database, tables: Object.keys(tables) });
  }
}
