import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { MetricsEndpoint } from "../monitoring/metrics-endpoint";
import { awaitedMetadata } from "../platform/annotations";
import {
  DEFAULT_STORAGE_CLASS,
  type ComposePlatformRef,
  type K3sPlatformRef,
  type PlatformRef,
} from "../platform/platform-ref";
import { selectorLabels, workloadLabels } from "../platform/k3s-workload";
import {
  DATA_PATH,
  DEFAULT_EXPORTER_IMAGE,
  DEFAULT_POSTGRES_IMAGE,
  EXPORTER_PORT,
  exporterDataSource,
  externalHost,
  k3sServiceHost,
  nodeObjectName,
  POSTGRES_PORT,
  postgresEnv,
  postgresUrl,
  resolveExternalPort,
} from "./postgres-node";
import { POSTGRES_SERVER_TYPE } from "../type-tokens";

/** How to reach a server as its superuser; what PostgresDatabase builds its provider from. */
export interface PostgresConnection {
  readonly host: pulumi.Input<string>;
  readonly port: pulumi.Input<number>;
  readonly username: pulumi.Input<string>;
  /** Secret. */
  readonly password: pulumi.Input<string>;
}

export interface PostgresServerArgs {
  /** The platform to run on (ComposePlatform.ref or K3sPlatform.ref). */
  readonly platform: PlatformRef;
  /** Superuser password; stored only as a Pulumi secret / Kubernetes Secret. */
  readonly superuserPassword: pulumi.Input<string>;
  /** @default "postgres:15.8" */
  readonly image?: pulumi.Input<string>;
  /** @default "postgres" */
  readonly superuser?: pulumi.Input<string>;
  /** Database created at first start. @default "postgres" */
  readonly database?: pulumi.Input<string>;
  /** Port other platforms use. @default 5432 on Compose (host port), 30432 on K3s (NodePort) */
  readonly externalPort?: number;
  /** Size of the K3s volume claim (Compose volumes are unsized). @default "10Gi" */
  readonly storageSize?: pulumi.Input<string>;
  /** K3s storage class. @default the platform's (K3s's own "local-path" unless it says otherwise) */
  readonly storageClassName?: pulumi.Input<string>;
  /** postgres_exporter image for the metrics sidecar. @default "quay.io/prometheuscommunity/postgres-exporter:v0.15.0" */
  readonly exporterImage?: pulumi.Input<string>;
  /** Prometheus job name. @default the component name */
  readonly metricsJob?: string;
  /** Which system of the database migration this is, for monitoring. @default "postgres" */
  readonly system?: string;
  /**
   * Put the superuser password in PGPASSWORD so the server's outgoing connections
   * authenticate (Citus coordinator → workers). @default false
   */
  readonly peerPassword?: boolean;
}

/**
 * One PostgreSQL server on a platform: a container with a named volume on Compose, or a
 * one-replica StatefulSet with a volume claim on K3s, plus a postgres_exporter for metrics.
 */
export class PostgresServer extends pulumi.ComponentResource {
  /** Host name on the server's own platform. */
  public readonly host: pulumi.Output<string>;
  public readonly port: number;
  /** Host and port from other platforms and from the machine running Pulumi. */
  public readonly externalHost: string;
  public readonly externalPort: number;
  public readonly superuser: pulumi.Output<string>;
  public readonly database: pulumi.Output<string>;
  /** Secret postgres:// URL for clients on the same platform. */
  public readonly connectionUrl: pulumi.Output<string>;
  /** Secret postgres:// URL for clients elsewhere (other platforms, Pulumi's own providers). */
  public readonly externalConnectionUrl: pulumi.Output<string>;
  /** Superuser connection from outside the platform, for PostgresDatabase's provider. */
  public readonly adminConnection: PostgresConnection;
  public readonly metrics: MetricsEndpoint;

  constructor(name: string, args: PostgresServerArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before registering, so a bad argument leaves no half-made component behind.
    const externalPort = resolveExternalPort(
      `PostgresServer ${name}`,
      args.platform,
      args.externalPort,
    );
    super(POSTGRES_SERVER_TYPE, name, {}, opts);
    const platform = args.platform;
    const objectName = nodeObjectName(platform, name);
    const superuser = pulumi.output(args.superuser ?? "postgres");
    const database = pulumi.output(args.database ?? "postgres");
    const password = pulumi.secret(args.superuserPassword);
    this.externalPort = externalPort;
    this.externalHost = externalHost(platform);
    this.port = POSTGRES_PORT;
    const settings: NodeSettings = {
      name,
      objectName,
      image: args.image ?? DEFAULT_POSTGRES_IMAGE,
      exporterImage: args.exporterImage ?? DEFAULT_EXPORTER_IMAGE,
      superuser,
      database,
      password,
      externalPort: this.externalPort,
      peerPassword: args.peerPassword ?? false,
    };
    const childOpts = pulumi.mergeOptions(platform.resourceOptions, { parent: this });
    const rendered =
      platform.kind === "compose"
        ? renderOnCompose(platform, settings, childOpts)
        : renderOnK3s(platform, settings, {
            storageSize: args.storageSize ?? "10Gi",
            storageClassName:
              args.storageClassName ??
              (platform.kind === "k3s" ? platform.storageClass : undefined) ??
              DEFAULT_STORAGE_CLASS,
            opts: childOpts,
          });

    this.host = rendered.host;
    this.superuser = superuser;
    this.database = database;
    this.connectionUrl = pulumi.secret(
      pulumi
        .all([superuser, password, rendered.host, database])
        .apply(([u, p, h, d]) => postgresUrl(u, p, h, POSTGRES_PORT, d)),
    );
    this.externalConnectionUrl = pulumi.secret(
      pulumi
        .all([superuser, password, database])
        .apply(([u, p, d]) => postgresUrl(u, p, this.externalHost, this.externalPort, d)),
    );
    this.adminConnection = {
      host: this.externalHost,
      port: this.externalPort,
      username: superuser,
      password,
    };
    this.metrics = {
      job: args.metricsJob ?? name,
      address: rendered.metricsAddress,
      path: "/metrics",
      system: args.system ?? "postgres",
    };
    this.registerOutputs({
      host: this.host,
      externalHost: this.externalHost,
      externalPort: this.externalPort,
      connectionUrl: this.connectionUrl,
      externalConnectionUrl: this.externalConnectionUrl,
    });
  }
}

interface NodeSettings {
  readonly name: string;
  readonly objectName: string;
  readonly image: pulumi.Input<string>;
  readonly exporterImage: pulumi.Input<string>;
  readonly superuser: pulumi.Output<string>;
  readonly database: pulumi.Output<string>;
  readonly password: pulumi.Output<string>;
  readonly externalPort: number;
  readonly peerPassword: boolean;
}

interface Rendered {
  readonly host: pulumi.Output<string>;
  readonly metricsAddress: pulumi.Output<string>;
}

function renderOnCompose(
  platform: ComposePlatformRef,
  s: NodeSettings,
  opts: pulumi.CustomResourceOptions,
): Rendered {
  const volume = new docker.Volume(`${s.name}-data`, { name: `${s.objectName}-data` }, opts);
  const envs = pulumi.secret(
    pulumi
      .all([s.superuser, s.password, s.database])
      .apply(([u, p, d]) =>
        Object.entries(postgresEnv(u, p, d, s.peerPassword)).map(([k, v]) => `${k}=${v}`),
      ),
  );
  const server = new docker.Container(
    s.name,
    {
      name: s.objectName,
      image: s.image,
      envs,
      ports: [{ internal: POSTGRES_PORT, external: s.externalPort }],
      volumes: [{ volumeName: volume.name, containerPath: DATA_PATH }],
      networksAdvanced: [{ name: platform.networkName, aliases: [s.objectName] }],
      healthcheck: {
        tests: ["CMD-SHELL", 'pg_isready -U "$POSTGRES_USER" -d "$POSTGRES_DB"'],
        interval: "10s",
        timeout: "5s",
        retries: 5,
      },
      restart: "unless-stopped",
    },
    opts,
  );
  // Compose has no sidecars: the exporter is a neighbour container on the same network.
  const exporterName = `${s.objectName}-exporter`;
  new docker.Container(
    `${s.name}-exporter`,
    {
      name: exporterName,
      image: s.exporterImage,
      envs: pulumi.secret(
        pulumi
          .all([s.superuser, s.password, s.database])
          .apply(([u, p, d]) => [`DATA_SOURCE_NAME=${exporterDataSource(u, p, s.objectName, d)}`]),
      ),
      networksAdvanced: [{ name: platform.networkName, aliases: [exporterName] }],
      restart: "unless-stopped",
    },
    pulumi.mergeOptions(opts, { dependsOn: [server] }),
  );
  return {
    host: pulumi.output(s.objectName),
    metricsAddress: pulumi.output(`${exporterName}:${EXPORTER_PORT}`),
  };
}

interface K3sStorage {
  readonly storageSize: pulumi.Input<string>;
  readonly storageClassName: pulumi.Input<string>;
  readonly opts: pulumi.CustomResourceOptions;
}

function renderOnK3s(platform: K3sPlatformRef, s: NodeSettings, k: K3sStorage): Rendered {
  const opts = k.opts;
  const metadata = {
    name: s.objectName,
    namespace: platform.namespace,
    labels: workloadLabels(platform.name, s.name),
  };
  const selector = selectorLabels(platform.name, s.name);
  const secret = new k8s.core.v1.Secret(
    `${s.name}-credentials`,
    {
      metadata: { ...metadata, name: `${s.objectName}-credentials` },
      type: "Opaque",
      stringData: {
        "postgres-password": s.password,
        // The exporter is a sidecar: it reaches the server on localhost.
        "data-source-name": pulumi
          .all([s.superuser, s.password, s.database])
          .apply(([u, p, d]) => exporterDataSource(u, p, "localhost", d)),
      },
    },
    opts,
  );
  const secretRef = (key: string) => ({
    secretKeyRef: { name: secret.metadata.name, key },
  });
  // Headless: gives the StatefulSet's pod a stable DNS name inside the cluster.
  const awaited = awaitedMetadata(metadata, platform.skipAwait);
  const service = new k8s.core.v1.Service(
    s.name,
    {
      metadata: awaited,
      spec: {
        clusterIP: "None",
        selector,
        ports: [
          { name: "postgres", port: POSTGRES_PORT, targetPort: POSTGRES_PORT },
          { name: "metrics", port: EXPORTER_PORT, targetPort: EXPORTER_PORT },
        ],
      },
    },
    opts,
  );
  new k8s.core.v1.Service(
    `${s.name}-external`,
    {
      metadata: { ...awaited, name: `${s.objectName}-external` },
      spec: {
        type: "NodePort",
        selector,
        ports: [
          {
            name: "postgres",
            port: POSTGRES_PORT,
            targetPort: POSTGRES_PORT,
            nodePort: s.externalPort,
          },
        ],
      },
    },
    opts,
  );
  const env = [
    { name: "POSTGRES_USER", value: s.superuser },
    { name: "POSTGRES_DB", value: s.database },
    { name: "PGDATA", value: `${DATA_PATH}/pgdata` },
    { name: "POSTGRES_PASSWORD", valueFrom: secretRef("postgres-password") },
    ...(s.peerPassword ? [{ name: "PGPASSWORD", valueFrom: secretRef("postgres-password") }] : []),
  ];
  new k8s.apps.v1.StatefulSet(
    s.name,
    {
      metadata: awaited,
      spec: {
        serviceName: service.metadata.name,
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: metadata.labels },
          spec: {
            containers: [
              {
                name: "postgres",
                image: s.image,
                ports: [{ name: "postgres", containerPort: POSTGRES_PORT }],
                env,
                volumeMounts: [{ name: "data", mountPath: DATA_PATH }],
                readinessProbe: {
                  exec: {
                    command: ["sh", "-c", 'pg_isready -U "$POSTGRES_USER" -d "$POSTGRES_DB"'],
                  },
                  periodSeconds: 10,
                },
              },
              {
                name: "exporter",
                image: s.exporterImage,
                ports: [{ name: "metrics", containerPort: EXPORTER_PORT }],
                env: [{ name: "DATA_SOURCE_NAME", valueFrom: secretRef("data-source-name") }],
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: {
              accessModes: ["ReadWriteOnce"],
              storageClassName: k.storageClassName,
              resources: { requests: { storage: k.storageSize } },
            },
          },
        ],
      },
    },
    opts,
  );
  const host = pulumi.output(platform.namespace).apply((ns) => k3sServiceHost(s.objectName, ns));
  return { host, metricsAddress: host.apply((h) => `${h}:${EXPORTER_PORT}`) };
}
