/**
 * Pod annotations stepwise writes on K3s workloads and its policies read. Kept free of imports,
 * so the policy pack can read them without loading the components.
 */

/** A service's `singleReplicaReason`, which the prod workload rule accepts for one replica. */
export const SINGLE_REPLICA_ANNOTATION = "stepwise.dev/single-replica-reason";

/**
 * Tells the Pulumi kubernetes provider not to wait for an object to become ready. Only for an
 * API server without nodes, where no Pod is ever scheduled and every wait would hang.
 */
export const SKIP_AWAIT_ANNOTATION = "pulumi.com/skipAwait";

/**
 * Metadata of an object Pulumi waits on (workload, Service with a selector, volume claim), with
 * the skip-await annotation added when `skipAwait`; unchanged otherwise.
 */
export function awaitedMetadata<T extends object>(metadata: T, skipAwait: boolean | undefined): T {
  if (!skipAwait) return metadata;
  const annotations = (metadata as { annotations?: Record<string, string> }).annotations;
  return { ...metadata, annotations: { ...annotations, [SKIP_AWAIT_ANNOTATION]: "true" } };
}
