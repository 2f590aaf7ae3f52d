import type * as pulumi from "@pulumi/pulumi";

/**
 * What a stateful engine (broker, database, Prometheus) needs to run on a platform, without
 * knowing which platform component made it. ComposePlatform and K3sPlatform each expose one as
 * `ref`, so Redpanda can run on Compose today and Kafka on K3s tomorrow.
 */
export type PlatformRef = ComposePlatformRef | K3sPlatformRef;

export interface ComposePlatformRef {
  readonly kind: "compose";
  /** Platform component name, used to name children (`${platform}-${service}`). */
  readonly name: string;
  /** Docker network that every container of this platform joins. */
  readonly networkName: pulumi.Input<string>;
  /**
   * Address at which other platforms reach ports this platform publishes (the Docker host).
   * @default "host.docker.internal"
   */
  readonly hostAddress: string;
  /** Options children must be created with (provider, parent), merged with their own. */
  readonly resourceOptions: pulumi.CustomResourceOptions;
}

/** K3s's built-in provisioner's storage class. */
export const DEFAULT_STORAGE_CLASS = "local-path";

/** Where other platforms reach ports published on the Docker host, by default. */
export const DEFAULT_COMPOSE_HOST_ADDRESS = "host.docker.internal";

/**
 * Where other platforms reach NodePorts and ServiceLB ports of the cluster, by default: only
 * right when they run on the node itself.
 */
export const DEFAULT_K3S_EXTERNAL_ADDRESS = "127.0.0.1";

export interface K3sPlatformRef {
  readonly kind: "k3s";
  readonly name: string;
  /** Namespace every workload of this platform lives in. */
  readonly namespace: pulumi.Input<string>;
  /** Address at which other platforms reach this cluster's node ports / load balancer. */
  readonly externalAddress: string;
  /** Storage class of every volume claim made on this platform. @default "local-path" */
  readonly storageClass?: string;
  /**
   * Do not wait for workloads, Services and claims to become ready (an API server without
   * nodes). @default false
   */
  readonly skipAwait?: boolean;
  /** Options children must be created with (the Kubernetes provider, parent). */
  readonly resourceOptions: pulumi.CustomResourceOptions;
}
