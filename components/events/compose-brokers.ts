import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { MetricsEndpoint } from "../monitoring/metrics-endpoint";
import type { ComposePlatformRef } from "../platform/platform-ref";
import {
  CONTAINER_PORTS,
  brokerIndexesFor,
  type ResolvedBrokerCluster,
} from "./broker-cluster-args";
import {
  JMX_EXPORTER_CONFIG_PATH,
  jmxExporterArgs,
  jmxExporterConfig,
  type BrokerEngine,
} from "./broker-engines";
import {
  composeBrokerNetwork,
  composeHost,
  externalBootstrap,
  internalBootstrap,
} from "./broker-network";

/** What a cluster exposes, whichever platform it runs on. */
export interface RenderedBrokers {
  readonly bootstrap: pulumi.Output<string>;
  readonly externalBootstrap: pulumi.Output<string>;
  readonly brokerMetrics: MetricsEndpoint[];
}

/**
 * Brokers as Docker containers on the platform's network: per broker a named data volume and a
 * container reachable as `${name}-${i}`, its external listener published on the Docker host.
 * Kafka brokers get a JMX exporter container each (Kafka has no Prometheus endpoint).
 */
export function composeBrokers(
  cluster: ResolvedBrokerCluster,
  ref: ComposePlatformRef,
  engine: BrokerEngine,
  jmxExporterImage: string,
  opts: pulumi.CustomResourceOptions,
): RenderedBrokers {
  const name = cluster.name;
  const image = new docker.RemoteImage(
    `${name}-image`,
    { name: cluster.image, keepLocally: true },
    opts,
  );
  const exporterImage = engine.metrics.sidecar
    ? new docker.RemoteImage(
        `${name}-jmx-exporter-image`,
        { name: jmxExporterImage, keepLocally: true },
        opts,
      )
    : undefined;
  const env = Object.entries(engine.env(cluster)).map(([k, v]) => `${k}=${v}`);
  const labels = (i: number) => [
    { label: "stepwise.platform", value: ref.name },
    { label: "stepwise.cluster", value: name },
    { label: "stepwise.broker", value: String(i) },
  ];

  const brokerMetrics = brokerIndexesFor(cluster).map((i): MetricsEndpoint => {
    const host = composeHost(name, i);
    const volume = new docker.Volume(
      `${name}-broker-${i}-data`,
      { name: `${name}-${i}-data` },
      opts,
    );
    const broker = new docker.Container(
      `${name}-broker-${i}`,
      {
        name: host,
        hostname: host,
        image: image.imageId,
        entrypoints: [
          "/bin/sh",
          "-c",
          engine.startScript(cluster, composeBrokerNetwork(cluster, ref.hostAddress, i)),
        ],
        envs: env,
        networksAdvanced: [{ name: ref.networkName, aliases: [host] }],
        ports: [{ internal: CONTAINER_PORTS.external, external: cluster.externalBasePort + i }],
        volumes: [{ volumeName: volume.name, containerPath: engine.dataPath }],
        memory: cluster.memoryMiB,
        cpus: cluster.cpu?.toString(),
        restart: "unless-stopped",
        labels: labels(i),
      },
      opts,
    );
    if (!exporterImage) {
      return {
        job: name,
        system: engine.system,
        address: `${host}:${engine.metrics.port}`,
        path: engine.metrics.path,
      };
    }
    const exporterHost = `${host}-jmx-exporter`;
    new docker.Container(
      `${name}-broker-${i}-jmx-exporter`,
      {
        name: exporterHost,
        image: exporterImage.imageId,
        command: jmxExporterArgs(),
        uploads: [{ file: JMX_EXPORTER_CONFIG_PATH, content: jmxExporterConfig(host) }],
        networksAdvanced: [{ name: ref.networkName, aliases: [exporterHost] }],
        restart: "unless-stopped",
        labels: labels(i),
      },
      pulumi.mergeOptions(opts, { dependsOn: [broker] }),
    );
    return {
      job: name,
      system: engine.system,
      address: `${exporterHost}:${engine.metrics.port}`,
      path: engine.metrics.path,
    };
  });

  return {
    bootstrap: pulumi.output(internalBootstrap(cluster, (i) => composeHost(name, i))),
    externalBootstrap: pulumi.output(externalBootstrap(cluster, ref.hostAddress)),
    brokerMetrics,
  };
}
