import * as pulumi from "@pulumi/pulumi";
import type { MetricsEndpoint } from "../monitoring/metrics-endpoint";
import { resolveBrokerCluster, type BrokerClusterArgs } from "./broker-cluster-args";
import { redpandaEngine } from "./broker-engines";
import { renderBrokers } from "./render-brokers";
import { REDPANDA_CLUSTER_TYPE } from "../type-tokens";

export type RedpandaClusterArgs = BrokerClusterArgs;

/**
 * Redpanda brokers on a Compose or K3s platform. Each broker serves Prometheus metrics itself on
 * its admin port (`/public_metrics` on 9644).
 */
export class RedpandaCluster extends pulumi.ComponentResource {
  /** `host:port,…` for clients on the same platform. */
  public readonly bootstrap: pulumi.Output<string>;
  /** `host:port,…` for clients on other platforms (published ports / NodePorts). */
  public readonly externalBootstrap: pulumi.Output<string>;
  /** Broker 0's metrics, the scrape target Monitoring is given for this cluster. */
  public readonly metrics: MetricsEndpoint;
  /** Every broker's metrics, for scraping each one. */
  public readonly brokerMetrics: readonly MetricsEndpoint[];

  constructor(name: string, args: RedpandaClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const cluster = resolveBrokerCluster(name, args, redpandaEngine.defaultImage);
    super(REDPANDA_CLUSTER_TYPE, name, {}, opts);
    const rendered = renderBrokers(this, cluster, redpandaEngine, "");
    this.bootstrap = rendered.bootstrap;
    this.externalBootstrap = rendered.externalBootstrap;
    this.brokerMetrics = rendered.brokerMetrics;
    this.metrics = rendered.brokerMetrics[0]!;
    this.registerOutputs({ bootstrap: this.bootstrap, externalBootstrap: this.externalBootstrap });
  }
}
