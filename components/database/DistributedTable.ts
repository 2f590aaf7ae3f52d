import * as pulumi from "@pulumi/pulumi";
import { citusTableProvider } from "./citus-table-provider";
import { DISTRIBUTED_TABLE_MODULE, DISTRIBUTED_TABLE_TYPE_NAME } from "../type-tokens";

export interface DistributedTableArgs {
  /** postgres:// URL of the Citus coordinator (e.g. CitusCluster's connectionUrl); kept secret. */
  readonly connectionString: pulumi.Input<string>;
  /** Schema-qualified table, e.g. "public.orders". It must exist (the schema is the app's). */
  readonly table: pulumi.Input<string>;
  readonly distributionColumn: pulumi.Input<string>;
  /**
   * A distributed table to colocate with (schema-qualified), or "none".
   * @default Citus's default colocation (same column type and shard count)
   */
  readonly colocateWith?: pulumi.Input<string>;
  /** Shards to create; cannot be combined with colocateWith. @default citus.shard_count (32) */
  readonly shardCount?: pulumi.Input<number>;
  /**
   * Undistribute tables linked by foreign keys too when this one is rolled back.
   * @default false (Citus then refuses while such keys exist, which keeps a rollback deliberate)
   */
  readonly cascadeOnUndistribute?: pulumi.Input<boolean>;
}

/**
 * A table distributed by Citus (create_distributed_table). Created only after the readiness
 * check finds nothing Citus would refuse; deleting it runs undistribute_table, so a rollback
 * returns the data to the coordinator as a plain table.
 */
export class DistributedTable extends pulumi.dynamic.Resource {
  declare readonly table: pulumi.Output<string>;
  declare readonly citusTableType: pulumi.Output<string>;
  declare readonly colocationId: pulumi.Output<number>;
  declare readonly actualShardCount: pulumi.Output<number>;

  constructor(name: string, args: DistributedTableArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      citusTableProvider,
      name,
      {
        connectionString: pulumi.secret(args.connectionString),
        kind: "distributed",
        table: args.table,
        distributionColumn: args.distributionColumn,
        colocateWith: args.colocateWith,
        shardCount: args.shardCount,
        cascadeOnUndistribute: args.cascadeOnUndistribute ?? false,
        citusTableType: undefined,
        colocationId: undefined,
        actualShardCount: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["connectionString"] }),
      DISTRIBUTED_TABLE_MODULE,
      DISTRIBUTED_TABLE_TYPE_NAME,
    );
  }
}
