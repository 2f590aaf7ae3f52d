/**
 * Pod annotations stepwise writes on K3s workloads and its policies read. Kept free of imports,
 * so the policy pack can read them without loading the components.
 */

/** A service's `singleReplicaReason`, which the prod workload rule accepts for one replica. */
export const SINGLE_REPLICA_ANNOTATION = "stepwise.dev/single-replica-reason";
