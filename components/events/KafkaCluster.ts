import * as pulumi from "@pulumi/pulumi";
import type { MetricsEndpoint } from "../monitoring/metrics-endpoint";
import {
  resolveBrokerCluster,
  validatePinnedImage,
  type BrokerClusterArgs,
} from "./broker-cluster-args";
import { DEFAULT_JMX_EXPORTER_IMAGE, kafkaEngine } from "./broker-engines";
import { renderBrokers } from "./render-brokers";
import { KAFKA_CLUSTER_TYPE } from "../type-tokens";

export interface KafkaClusterArgs extends BrokerClusterArgs {
  /**
   * Prometheus JMX exporter image run beside each broker (Kafka has no Prometheus endpoint of
   * its own); it reads the broker's JMX port and serves `/metrics` on 5556.
   * @default "bitnami/jmx-exporter:1.1.0"
   */
  readonly jmxExporterImage?: string;
}

/**
 * Apache Kafka brokers in KRaft mode (each broker is also a controller; no ZooKeeper, which
 * Kafka 4 removed) on a Compose or K3s platform.
 */
export class KafkaCluster extends pulumi.ComponentResource {
  /** `host:port,…` for clients on the same platform. */
  public readonly bootstrap: pulumi.Output<string>;
  /** `host:port,…` for clients on other platforms (published ports / NodePorts). */
  public readonly externalBootstrap: pulumi.Output<string>;
  /** Broker 0's exporter, the scrape target Monitoring is given for this cluster. */
  public readonly metrics: MetricsEndpoint;
  /** Every broker's exporter, for scraping each one. */
  public readonly brokerMetrics: readonly MetricsEndpoint[];

  constructor(name: string, args: KafkaClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const cluster = resolveBrokerCluster(name, args, kafkaEngine.defaultImage);
    const exporterImage = args.jmxExporterImage ?? DEFAULT_JMX_EXPORTER_IMAGE;
    validatePinnedImage(exporterImage, "jmxExporterImage", `kafka cluster "${name}"`);
    super(KAFKA_CLUSTER_TYPE, name, {}, opts);
    const rendered = renderBrokers(this, cluster, kafkaEngine, exporterImage);
    this.bootstrap = rendered.bootstrap;
    this.externalBootstrap = rendered.externalBootstrap;
    this.brokerMetrics = rendered.brokerMetrics;
    this.metrics = rendered.brokerMetrics[0]!;
    this.registerOutputs({ bootstrap: this.bootstrap, externalBootstrap: this.externalBootstrap });
  }
}
