/**
 * Which resources are which, by type token: the one table every rule classifies with. Tokens of
 * stepwise components come from components/type-tokens.ts; provider tokens are the providers'
 * own.
 */
import { isTopicResourceOn } from "../components/events/topic-set-plan";
import {
  CITUS_CLUSTER_TYPE,
  CITUS_DATABASE_TYPE,
  COMPOSE_PLATFORM_TYPE,
  DISTRIBUTED_TABLE_TYPE,
  K3S_PLATFORM_TYPE,
  KAFKA_CLUSTER_TYPE,
  MONITORING_TYPE,
  POSTGRES_SERVER_TYPE,
  REDPANDA_CLUSTER_TYPE,
  REFERENCE_TABLE_TYPE,
  TOPIC_TYPE,
} from "../components/type-tokens";
import { isLedgerType } from "../migrations/ledger";
import type { PathId } from "../migrations/path";
import { providerStatefulSource, type StatefulTypeOverrides } from "./stateful-types";

/** A resource as a rule sees it, from a plan step or from CrossGuard's arguments. */
export interface ResourceView {
  readonly type: string;
  readonly urn: string;
  readonly name: string;
  readonly props: Readonly<Record<string, unknown>>;
}

export type ResourceRole = "stateful" | "workload" | "system" | "weighted-route" | "ledger";

/** One system of a migration path, e.g. `{ path: "events", name: "kafka" }`. */
export interface SystemRef {
  readonly path: PathId;
  readonly name: string;
}

export interface ResourceClass {
  readonly roles: readonly ResourceRole[];
  /** For workloads: the platform they run on. */
  readonly platform?: "compose" | "k3s";
  /** For a system's own component: which system of which path it is. */
  readonly system?: SystemRef;
}

export const RESOURCE_CLASSES: Readonly<Record<string, ResourceClass>> = {
  // Data holders: replacing or deleting one loses data.
  "docker:index/volume:Volume": { roles: ["stateful"] },
  "kubernetes:core/v1:PersistentVolumeClaim": { roles: ["stateful"] },
  "kubernetes:apps/v1:StatefulSet": { roles: ["stateful", "workload"], platform: "k3s" },
  "postgresql:index/database:Database": { roles: ["stateful"] },
  [TOPIC_TYPE]: { roles: ["stateful"] },
  [DISTRIBUTED_TABLE_TYPE]: { roles: ["stateful"] },
  [REFERENCE_TABLE_TYPE]: { roles: ["stateful"] },
  // The systems of the migration paths: brokers, databases, platforms.
  [REDPANDA_CLUSTER_TYPE]: {
    roles: ["stateful", "system"],
    system: { path: "events", name: "redpanda" },
  },
  [KAFKA_CLUSTER_TYPE]: {
    roles: ["stateful", "system"],
    system: { path: "events", name: "kafka" },
  },
  [POSTGRES_SERVER_TYPE]: {
    roles: ["stateful", "system"],
    system: { path: "database", name: "postgres" },
  },
  [CITUS_CLUSTER_TYPE]: {
    roles: ["stateful", "system"],
    system: { path: "database", name: "citus" },
  },
  // What the stack keeps on Citus (roles, grants, the planned tables) belongs to Citus, also on
  // an external cluster: a rollback that drops Citus before it got writes drops them with it.
  [CITUS_DATABASE_TYPE]: { roles: [], system: { path: "database", name: "citus" } },
  [COMPOSE_PLATFORM_TYPE]: {
    roles: ["system"],
    system: { path: "platform", name: "compose" },
  },
  [K3S_PLATFORM_TYPE]: { roles: ["system"], system: { path: "platform", name: "k3s" } },
  // Workloads: a service is where its container or Deployment is.
  "docker:index/container:Container": { roles: ["workload"], platform: "compose" },
  "kubernetes:apps/v1:Deployment": { roles: ["workload"], platform: "k3s" },
  // Weighted routes (Traefik v3 `spec.weighted.services`).
  "kubernetes:traefik.io/v1alpha1:TraefikService": { roles: ["weighted-route"] },
};

/**
 * The class of a resource by its type token: stepwise's own and the engines' types from the
 * table above; any other provider's data holders (an RDS instance, a GCS bucket, an Azure
 * storage account) from ./stateful-types, extended by the stack's policy (`overrides`).
 */
export function classify(
  resource: Pick<ResourceView, "type">,
  overrides?: StatefulTypeOverrides,
): ResourceClass {
  const known = RESOURCE_CLASSES[resource.type];
  if (known) return known;
  if (isLedgerType(resource.type)) return { roles: ["ledger"] };
  // stepwise's own types are all in the table: a name like CitusDatabase is a component.
  if (resource.type.startsWith("stepwise:")) return { roles: [] };
  return providerStatefulSource(resource.type, overrides) ? { roles: ["stateful"] } : { roles: [] };
}

export function hasRole(
  resource: Pick<ResourceView, "type">,
  role: ResourceRole,
  overrides?: StatefulTypeOverrides,
): boolean {
  return classify(resource, overrides).roles.includes(role);
}

/** The last segment of a URN is the resource name (`urn:pulumi:stack::project::type::name`). */
export function nameFromUrn(urn: string): string {
  const at = urn.lastIndexOf("::");
  return at === -1 ? urn : urn.slice(at + 2);
}

/** Types of a resource's ancestors and itself, from the URN's qualified type (`A$B$C`). */
export function typeChainOf(urn: string): string[] {
  return (urn.split("::")[2] ?? "").split("$");
}

/** Every system of every path, from the table above. */
const SYSTEMS: readonly SystemRef[] = Object.values(RESOURCE_CLASSES).flatMap((c) =>
  c.system ? [c.system] : [],
);

/**
 * The path system a resource belongs to: a system's own component or anything declared under
 * it (the outermost system in its URN's type chain, so a Citus node, itself a PostgresServer,
 * is Citus's), or a topic, which belongs to the cluster its name says it is on
 * (components/events/topic-set-plan.ts).
 */
export function systemOfResource(resource: ResourceView): SystemRef | undefined {
  for (const type of [...typeChainOf(resource.urn), resource.type]) {
    const system = RESOURCE_CLASSES[type]?.system;
    if (system) return system;
  }
  const topic = resource.props.name;
  if (resource.type !== TOPIC_TYPE || typeof topic !== "string") return undefined;
  return SYSTEMS.find((s) => isTopicResourceOn(resource.name, s.name, topic));
}

/** Monitoring's children follow every system change (scrape targets), so they ride along. */
export function isMonitoringResource(urn: string): boolean {
  return typeChainOf(urn).includes(MONITORING_TYPE);
}

/** `urn:pulumi:<stack>::…` → stack name (what the pack knows of its environment). */
export function stackFromUrn(urn: string): string | undefined {
  const match = /^urn:pulumi:([^:]+)::/.exec(urn);
  return match?.[1];
}

/**
 * The service a workload runs, from the labels the platform components put on it: Compose
 * containers carry `stepwise.service`, Kubernetes workloads `app.kubernetes.io/name`.
 */
export function serviceOfWorkload(resource: ResourceView): string | undefined {
  const props = resource.props;
  if (Array.isArray(props.labels)) {
    for (const entry of props.labels as unknown[]) {
      const label = entry as { label?: unknown; value?: unknown };
      if (label.label === "stepwise.service" && typeof label.value === "string") return label.value;
    }
  }
  const metadata = props.metadata as
    { labels?: Record<string, unknown>; name?: unknown } | undefined;
  const k8sName = metadata?.labels?.["app.kubernetes.io/name"];
  if (typeof k8sName === "string") return k8sName;
  return undefined;
}
