import * as docker from "@pulumi/docker";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { configDigest, resourcesFor } from "../platform/k3s-workload";
import { awaitedMetadata, SINGLE_REPLICA_ANNOTATION } from "../platform/annotations";
import type { ComposePlatformRef, K3sPlatformRef, PlatformRef } from "../platform/platform-ref";
import type { MetricsEndpoint } from "./metrics-endpoint";
import { renderPrometheusConfig } from "./prometheus-config";
import { MONITORING_TYPE } from "../type-tokens";

export const DEFAULT_PROMETHEUS_IMAGE = "prom/prometheus:v3.5.0";
const CONFIG_PATH = "/etc/prometheus/prometheus.yml";
export const DEFAULT_PROMETHEUS_RESOURCES = { cpu: 0.5, memoryMiB: 512 } as const;
/** Why Prometheus runs once: what the prod workload rule asks of a single replica. */
export const PROMETHEUS_SINGLE_REPLICA_REASON =
  "one Prometheus per stack: a second replica would scrape every target again and keep a diverging copy of the metrics";

export interface MonitoringArgs {
  /** Where Prometheus runs. */
  readonly platform: PlatformRef;
  /** What it scrapes; addresses must be reachable from `platform`. */
  readonly endpoints: readonly MetricsEndpoint[];
  /** @default "prom/prometheus:v3.5.0" */
  readonly image?: string;
  /** @default 15 */
  readonly scrapeIntervalSeconds?: number;
  /** Port Prometheus serves on (published on Compose, Service port on K3s). @default 9090 */
  readonly port?: number;
  /** CPU (cores) and memory Prometheus gets on K3s, requested and limited. @default 0.5, 512 MiB */
  readonly resources?: { readonly cpu: number; readonly memoryMiB: number };
}

/**
 * A minimal Prometheus on either platform, scraping exactly the given endpoints, so a
 * transition can require that both systems are watched while it lasts.
 */
export class Monitoring extends pulumi.ComponentResource {
  /** The rendered prometheus.yml. */
  public readonly config: pulumi.Output<string>;
  /** `host:port` of the Prometheus UI/API on its own platform. */
  public readonly address: string;
  /** Jobs scraped, in config order. */
  public readonly jobs: readonly string[];

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super(MONITORING_TYPE, name, {}, opts);
    const image = args.image ?? DEFAULT_PROMETHEUS_IMAGE;
    const port = args.port ?? 9090;
    const scrapeIntervalSeconds = args.scrapeIntervalSeconds ?? 15;

    this.config = pulumi
      .all(args.endpoints.map((e) => pulumi.output(e.address)))
      .apply((addresses) =>
        renderPrometheusConfig(
          args.endpoints.map((e, i) => ({ ...e, address: addresses[i] ?? "" })),
          { scrapeIntervalSeconds },
        ),
      );
    const childOpts = pulumi.mergeOptions(args.platform.resourceOptions, { parent: this });
    if (args.platform.kind === "compose") {
      this.onCompose(name, args.platform, { image, port }, childOpts);
    } else {
      const resources = args.resources ?? DEFAULT_PROMETHEUS_RESOURCES;
      this.onK3s(name, args.platform, { image, port, resources }, childOpts);
    }
    this.address = `${name}:${port}`;
    this.jobs = [...new Set(args.endpoints.map((e) => e.job))];
    this.registerOutputs({ config: this.config, address: this.address });
  }

  private onCompose(
    name: string,
    platform: ComposePlatformRef,
    settings: { image: string; port: number },
    opts: pulumi.CustomResourceOptions,
  ): void {
    const image = new docker.RemoteImage(
      `${name}-image`,
      { name: settings.image, keepLocally: true },
      opts,
    );
    new docker.Container(
      name,
      {
        name,
        image: image.imageId,
        command: [`--config.file=${CONFIG_PATH}`, `--web.listen-address=:${settings.port}`],
        uploads: [{ file: CONFIG_PATH, content: this.config }],
        ports: [{ internal: settings.port, external: settings.port }],
        networksAdvanced: [{ name: platform.networkName, aliases: [name] }],
        labels: [{ label: "stepwise.platform", value: platform.name }],
        restart: "unless-stopped",
      },
      opts,
    );
  }

  private onK3s(
    name: string,
    platform: K3sPlatformRef,
    settings: { image: string; port: number; resources: { cpu: number; memoryMiB: number } },
    opts: pulumi.CustomResourceOptions,
  ): void {
    const labels = {
      "app.kubernetes.io/name": "prometheus",
      "app.kubernetes.io/instance": name,
      "app.kubernetes.io/part-of": platform.name,
    };
    const metadata = { name, namespace: platform.namespace, labels };
    const config = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      {
        metadata: { ...metadata, name: `${name}-config` },
        data: { "prometheus.yml": this.config },
      },
      opts,
    );
    const awaited = awaitedMetadata(metadata, platform.skipAwait);
    new k8s.apps.v1.Deployment(
      name,
      {
        metadata: awaited,
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: {
              labels,
              // Prometheus does not watch its ConfigMap; a new digest rolls the pod instead.
              annotations: {
                "stepwise.dev/config-digest": this.config.apply((text) =>
                  configDigest({ "prometheus.yml": text }),
                ),
                [SINGLE_REPLICA_ANNOTATION]: PROMETHEUS_SINGLE_REPLICA_REASON,
              },
            },
            spec: {
              containers: [
                {
                  name: "prometheus",
                  image: settings.image,
                  args: [`--config.file=${CONFIG_PATH}`, `--web.listen-address=:${settings.port}`],
                  ports: [{ name: "http", containerPort: settings.port }],
                  readinessProbe: { httpGet: { path: "/-/ready", port: settings.port } },
                  livenessProbe: { httpGet: { path: "/-/healthy", port: settings.port } },
                  resources: resourcesFor(settings.resources),
                  volumeMounts: [{ name: "config", mountPath: "/etc/prometheus" }],
                },
              ],
              volumes: [{ name: "config", configMap: { name: config.metadata.name } }],
            },
          },
        },
      },
      opts,
    );
    new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: awaited,
        spec: {
          selector: labels,
          ports: [{ name: "http", port: settings.port, targetPort: settings.port }],
        },
      },
      opts,
    );
  }
}
