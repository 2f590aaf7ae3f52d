import * as pulumi from "@pulumi/pulumi";
import { citusNodeProvider } from "./citus-node-provider";
import { DISTRIBUTED_TABLE_MODULE } from "../type-tokens";

export interface CitusNodeRegistrationArgs {
  /** postgres:// URL of the coordinator, reachable from where Pulumi runs; kept secret. */
  readonly connectionString: pulumi.Input<string>;
  /** The worker's host name as the coordinator resolves it. */
  readonly nodeName: pulumi.Input<string>;
  /** @default 5432 */
  readonly nodePort?: pulumi.Input<number>;
  /** How long to retry while the nodes are still starting. @default 120 */
  readonly readyTimeoutSeconds?: pulumi.Input<number>;
}

/**
 * One worker registered with a Citus coordinator: citus_add_node on create,
 * citus_remove_node on delete, pg_dist_node on refresh.
 */
export class CitusNodeRegistration extends pulumi.dynamic.Resource {
  declare readonly nodeId: pulumi.Output<number>;

  constructor(name: string, args: CitusNodeRegistrationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      citusNodeProvider,
      name,
      {
        connectionString: pulumi.secret(args.connectionString),
        nodeName: args.nodeName,
        nodePort: args.nodePort ?? 5432,
        readyTimeoutSeconds: args.readyTimeoutSeconds ?? 120,
        nodeId: undefined,
      },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["connectionString"] }),
      DISTRIBUTED_TABLE_MODULE,
      "CitusNodeRegistration",
    );
  }
}
