import * as pulumi from "@pulumi/pulumi";
import type { MetricsEndpoint } from "../monitoring/metrics-endpoint";
import type { PlatformRef } from "../platform/platform-ref";
import { CitusNodeRegistration } from "./CitusNodeRegistration";
import { DEFAULT_CITUS_IMAGE, resolveExternalPort, validateWorkerCount } from "./postgres-node";
import { PostgresServer, type PostgresConnection } from "./PostgresServer";
import { CITUS_CLUSTER_TYPE } from "../type-tokens";

/** Off the PostgreSQL defaults, so both run side by side on one platform during the migration. */
export const DEFAULT_CITUS_EXTERNAL_PORT = { compose: 5433, k3s: 30433 } as const;

export interface CitusClusterArgs {
  /** The platform every node runs on. */
  readonly platform: PlatformRef;
  /** Superuser password shared by all nodes (Citus connects between them with it); secret. */
  readonly superuserPassword: pulumi.Input<string>;
  /** One image line for every node. @default "citusdata/citus:12.1.5" */
  readonly image?: pulumi.Input<string>;
  /** Number of workers. @default 2 */
  readonly workers?: number;
  /** @default "postgres" (the citus image creates the extension in it on every node) */
  readonly database?: pulumi.Input<string>;
  /**
   * Coordinator's published port; worker i publishes this + 1 + i.
   * @default 5433 on Compose, 30433 on K3s
   */
  readonly externalPort?: number;
  /** K3s volume claim size per node. @default "10Gi" */
  readonly storageSize?: pulumi.Input<string>;
}

/**
 * A Citus coordinator and N workers on one platform, all from one image, each worker
 * registered with the coordinator (citus_add_node) once both are up.
 */
export class CitusCluster extends pulumi.ComponentResource {
  public readonly coordinator: PostgresServer;
  public readonly workers: readonly PostgresServer[];
  public readonly registrations: readonly CitusNodeRegistration[];
  /** Secret URL of the coordinator for clients on the same platform. */
  public readonly connectionUrl: pulumi.Output<string>;
  /** Secret URL of the coordinator from elsewhere (and for DistributedTable/ReferenceTable). */
  public readonly externalConnectionUrl: pulumi.Output<string>;
  public readonly adminConnection: PostgresConnection;
  /** One scrape target per node. */
  public readonly metrics: readonly MetricsEndpoint[];

  constructor(name: string, args: CitusClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const component = `CitusCluster ${name}`;
    const workerCount = validateWorkerCount(component, args.workers ?? 2);
    const basePort = args.externalPort ?? DEFAULT_CITUS_EXTERNAL_PORT[args.platform.kind];
    // Check every node's port up front, so a bad one fails before anything registers.
    for (let i = -1; i < workerCount; i++)
      resolveExternalPort(component, args.platform, basePort + 1 + i);
    super(CITUS_CLUSTER_TYPE, name, {}, opts);

    const node = (nodeName: string, port: number) =>
      new PostgresServer(
        nodeName,
        {
          platform: args.platform,
          superuserPassword: args.superuserPassword,
          image: args.image ?? DEFAULT_CITUS_IMAGE,
          database: args.database,
          externalPort: port,
          storageSize: args.storageSize,
          system: "citus",
          peerPassword: true,
        },
        { parent: this },
      );
    this.coordinator = node(`${name}-coordinator`, basePort);
    this.workers = Array.from({ length: workerCount }, (_, i) =>
      node(`${name}-worker-${i}`, basePort + 1 + i),
    );
    this.registrations = this.workers.map(
      (worker, i) =>
        new CitusNodeRegistration(
          `${name}-worker-${i}`,
          {
            connectionString: this.coordinator.externalConnectionUrl,
            nodeName: worker.host,
            nodePort: worker.port,
          },
          { parent: this, dependsOn: [this.coordinator, worker] },
        ),
    );
    this.connectionUrl = this.coordinator.connectionUrl;
    this.externalConnectionUrl = this.coordinator.externalConnectionUrl;
    this.adminConnection = this.coordinator.adminConnection;
    this.metrics = [this.coordinator.metrics, ...this.workers.map((w) => w.metrics)];
    this.registerOutputs({
      connectionUrl: this.connectionUrl,
      externalConnectionUrl: this.externalConnectionUrl,
      workers: this.workers.length,
    });
  }
}
