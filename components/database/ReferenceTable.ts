import * as pulumi from "@pulumi/pulumi";
import { citusTableProvider } from "./citus-table-provider";
import { DISTRIBUTED_TABLE_MODULE, REFERENCE_TABLE_TYPE_NAME } from "../type-tokens";

export interface ReferenceTableArgs {
  /** postgres:// URL of the Citus coordinator; kept secret. */
  readonly connectionString: pulumi.Input<string>;
  /** Schema-qualified table, e.g. "public.countries". */
  readonly table: pulumi.Input<string>;
  /** Undistribute tables linked by foreign keys too on rollback. @default false */
  readonly cascadeOnUndistribute?: pulumi.Input<boolean>;
}

/**
 * A table Citus copies whole to every node (create_reference_table), for small lookup tables
 * that distributed tables reference. Deleting it runs undistribute_table.
 */
export class ReferenceTable extends pulumi.dynamic.Resource {
  declare readonly table: pulumi.Output<string>;
  declare readonly citusTableType: pulumi.Output<string>;
  declare readonly colocationId: pulumi.Output<number>;

  constructor(name: string, args: ReferenceTableArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      citusTableProvider,
      name,
      {
        connectionString: pulumi.secret(args.connectionString),
        kind: "reference",
        table: args.table,
        cascadeOnUndistribute: args.cascadeOnUndistribute ?? false,
        citusTableType: undefined,
        colocationId: undefined,
        actualShardCount: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["connectionString"] }),
      DISTRIBUTED_TABLE_MODULE,
      REFERENCE_TABLE_TYPE_NAME,
    );
  }
}
