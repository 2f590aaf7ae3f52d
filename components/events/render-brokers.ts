import * as pulumi from "@pulumi/pulumi";
import type { ResolvedBrokerCluster } from "./broker-cluster-args";
import type { BrokerEngine } from "./broker-engines";
import { composeBrokers, type RenderedBrokers } from "./compose-brokers";
import { k3sBrokers } from "./k3s-brokers";

/** Renders a cluster's brokers on whichever platform its ref names, as children of `parent`. */
export function renderBrokers(
  parent: pulumi.Resource,
  cluster: ResolvedBrokerCluster,
  engine: BrokerEngine,
  jmxExporterImage: string,
): RenderedBrokers {
  // The platform's options (its provider) first, then ours: children always hang off `parent`.
  const opts = pulumi.mergeOptions(cluster.platform.resourceOptions, { parent });
  return cluster.platform.kind === "compose"
    ? composeBrokers(cluster, cluster.platform, engine, jmxExporterImage, opts)
    : k3sBrokers(cluster, cluster.platform, engine, jmxExporterImage, opts);
}
