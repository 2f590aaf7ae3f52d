import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { awaitedMetadata } from "../platform/annotations";
import { DEFAULT_STORAGE_CLASS, type K3sPlatformRef } from "../platform/platform-ref";
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
  externalBootstrap,
  headlessServiceName,
  internalBootstrap,
  k3sBrokerNetwork,
  k3sHost,
} from "./broker-network";
import type { RenderedBrokers } from "./compose-brokers";

/**
 * Brokers as one StatefulSet: stable pod names (`${name}-${i}`) resolved through a headless
 * Service, one PersistentVolumeClaim per broker from volumeClaimTemplates, and one NodePort
 * Service per broker so that clients on other platforms reach each broker it advertises.
 */
export function k3sBrokers(
  cluster: ResolvedBrokerCluster,
  ref: K3sPlatformRef,
  engine: BrokerEngine,
  jmxExporterImage: string,
  opts: pulumi.CustomResourceOptions,
): RenderedBrokers {
  const name = cluster.name;
  const labels = {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/component": "broker",
    "stepwise.platform": ref.name,
  };
  const ports = engine.containerPorts(cluster);

  const headless = new k8s.core.v1.Service(
    `${name}-headless`,
    {
      metadata: awaitedMetadata(
        { name: headlessServiceName(name), namespace: ref.namespace, labels },
        ref.skipAwait,
      ),
      spec: {
        clusterIP: "None",
        // Brokers must resolve each other before they are ready, to form the quorum.
        publishNotReadyAddresses: true,
        selector: labels,
        ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port })),
      },
    },
    opts,
  );

  const exporterConfig = engine.metrics.sidecar
    ? new k8s.core.v1.ConfigMap(
        `${name}-jmx-exporter`,
        {
          metadata: { name: `${name}-jmx-exporter`, namespace: ref.namespace, labels },
          data: { "jmx-exporter.yaml": jmxExporterConfig("127.0.0.1") },
        },
        opts,
      )
    : undefined;

  const resources = {
    requests: { cpu: String(cluster.cpu ?? 1), memory: `${cluster.memoryMiB}Mi` },
    limits: {
      memory: `${cluster.memoryMiB}Mi`,
      ...(cluster.cpu ? { cpu: String(cluster.cpu) } : {}),
    },
  };
  const broker: k8s.types.input.core.v1.Container = {
    name: engine.system,
    image: cluster.image,
    command: [
      "/bin/sh",
      "-c",
      engine.startScript(cluster, k3sBrokerNetwork(cluster, ref.externalAddress)),
    ],
    env: [
      { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
      ...Object.entries(engine.env(cluster)).map(([k, v]) => ({ name: k, value: v })),
    ],
    ports: ports.map((p) => ({ name: p.name, containerPort: p.port })),
    volumeMounts: [{ name: "data", mountPath: engine.dataPath }],
    readinessProbe: { tcpSocket: { port: cluster.internalPort }, periodSeconds: 5 },
    resources,
  };
  const exporter: k8s.types.input.core.v1.Container[] = exporterConfig
    ? [
        {
          name: "jmx-exporter",
          image: jmxExporterImage,
          args: jmxExporterArgs(),
          ports: [{ name: "metrics", containerPort: CONTAINER_PORTS.jmxExporter }],
          volumeMounts: [
            {
              name: "jmx-exporter",
              mountPath: JMX_EXPORTER_CONFIG_PATH,
              subPath: "jmx-exporter.yaml",
            },
          ],
        },
      ]
    : [];

  new k8s.apps.v1.StatefulSet(
    `${name}-brokers`,
    {
      metadata: awaitedMetadata({ name, namespace: ref.namespace, labels }, ref.skipAwait),
      spec: {
        serviceName: headless.metadata.name,
        replicas: cluster.brokers,
        // Every KRaft voter must be up for the quorum to form; ordered start would deadlock.
        podManagementPolicy: "Parallel",
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            securityContext: { fsGroup: engine.runAsUser },
            containers: [broker, ...exporter],
            volumes: exporterConfig
              ? [{ name: "jmx-exporter", configMap: { name: exporterConfig.metadata.name } }]
              : [],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: "data", labels },
            spec: {
              accessModes: ["ReadWriteOnce"],
              storageClassName: ref.storageClass ?? DEFAULT_STORAGE_CLASS,
              resources: { requests: { storage: `${cluster.storageGiB}Gi` } },
            },
          },
        ],
      },
    },
    opts,
  );

  for (const i of brokerIndexesFor(cluster)) {
    new k8s.core.v1.Service(
      `${name}-broker-${i}-external`,
      {
        metadata: awaitedMetadata(
          { name: `${name}-${i}-external`, namespace: ref.namespace, labels },
          ref.skipAwait,
        ),
        spec: {
          type: "NodePort",
          selector: { ...labels, "statefulset.kubernetes.io/pod-name": `${name}-${i}` },
          ports: [
            {
              name: "external",
              port: CONTAINER_PORTS.external,
              targetPort: CONTAINER_PORTS.external,
              nodePort: cluster.externalBasePort + i,
            },
          ],
        },
      },
      opts,
    );
  }

  const namespace = pulumi.output(ref.namespace);
  return {
    bootstrap: namespace.apply((ns) => internalBootstrap(cluster, (i) => k3sHost(name, i, ns))),
    externalBootstrap: pulumi.output(externalBootstrap(cluster, ref.externalAddress)),
    brokerMetrics: brokerIndexesFor(cluster).map((i) => ({
      job: name,
      system: engine.system,
      address: namespace.apply((ns) => `${k3sHost(name, i, ns)}:${engine.metrics.port}`),
      path: engine.metrics.path,
    })),
  };
}
