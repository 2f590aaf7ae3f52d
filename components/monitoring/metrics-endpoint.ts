import type * as pulumi from "@pulumi/pulumi";

/**
 * A Prometheus scrape target that a component exposes (brokers, databases, services), so that
 * Monitoring can scrape every system of a transition without knowing what it is.
 */
export interface MetricsEndpoint {
  /** Prometheus job name, e.g. "kafka-target" or "redpanda". */
  readonly job: string;
  /** host:port reachable from the platform Prometheus runs on. */
  readonly address: pulumi.Input<string>;
  /** @default "/metrics" */
  readonly path?: string;
  /** Which system of a migration this belongs to, e.g. "redpanda" or "kafka" (for the monitoring rule). */
  readonly system: string;
}
