/**
 * `k3s-prod-workloads`: K3s workloads in prod have at least two replicas, resources set,
 * readiness and liveness probes. One replica passes only with a stated reason (a service spec's
 * singleReplicaReason).
 */
import { SINGLE_REPLICA_ANNOTATION } from "../../components/platform/annotations";
import type { ResourceView } from "../classify";
import { defineRule, PROD_ONLY } from "../rule-definition";
import type { Finding } from "../checks/phases";
import { resourcesAfter } from "../checks/plan-view";

export const k3sProdWorkloads = defineRule({
  id: "k3s-prod-workloads",
  scope: "resource",
  title: "K3s workloads in prod are production-ready",
  prevents: "Single-replica, unbounded or unprobed workloads in prod.",
  satisfy:
    "Give every prod Deployment/StatefulSet replicas >= 2 (or one replica with a stated singleReplicaReason in its service spec), resource requests and limits, and readiness and liveness probes.",
  levels: PROD_ONLY,
  transition: (t) => resourcesAfter(t.plan).flatMap(k3sWorkloadFindings),
  pack: {
    resource: (resource, c) =>
      c.settings.environment === "prod" ? k3sWorkloadFindings(resource) : [],
  },
});

const WORKLOAD_TYPES = new Set(["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"]);
const MINIMUM_PROD_REPLICAS = 2;
export { SINGLE_REPLICA_ANNOTATION };

interface Container {
  name?: unknown;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  readinessProbe?: unknown;
  livenessProbe?: unknown;
}

function isEmpty(value: Record<string, unknown> | undefined): boolean {
  return value === undefined || Object.keys(value).length === 0;
}

function k3sWorkloadFindings(resource: ResourceView): Finding[] {
  if (!WORKLOAD_TYPES.has(resource.type)) return [];
  const spec = (resource.props.spec ?? {}) as {
    replicas?: unknown;
    template?: {
      metadata?: { annotations?: Record<string, unknown> };
      spec?: { containers?: Container[] };
    };
  };
  const problems: string[] = [];
  // Kubernetes defaults replicas to 1 when it is left out.
  const replicas = typeof spec.replicas === "number" ? spec.replicas : 1;
  // Scaled to zero on purpose (consolidation keeps old services for re-extraction): serves nothing.
  if (replicas === 0) return [];
  const reason = spec.template?.metadata?.annotations?.[SINGLE_REPLICA_ANNOTATION];
  const singleOnPurpose = replicas === 1 && typeof reason === "string" && reason.trim() !== "";
  if (replicas < MINIMUM_PROD_REPLICAS && !singleOnPurpose) {
    problems.push(`replicas = ${replicas}; prod needs at least ${MINIMUM_PROD_REPLICAS}`);
  }
  const containers = spec.template?.spec?.containers ?? [];
  if (containers.length === 0) problems.push("no containers in spec.template.spec");
  for (const container of containers) {
    const label = `container "${String(container.name)}"`;
    if (isEmpty(container.resources?.requests) || isEmpty(container.resources?.limits)) {
      problems.push(`${label} has no resources.requests/limits`);
    }
    if (!container.readinessProbe) problems.push(`${label} has no readinessProbe`);
    if (!container.livenessProbe) problems.push(`${label} has no livenessProbe`);
  }
  return problems.map((p) => ({ message: `${resource.name}: ${p}`, urn: resource.urn }));
}
