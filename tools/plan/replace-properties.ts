/**
 * Which input changes force a provider to replace a resource rather than update it in place.
 * Mocks run no provider Diff, so the offline planner decides replacement from this table plus
 * each resource's own `replaceOnChanges` option. Unknown types are treated as updatable: the
 * plan says so in its note, and a real `pulumi preview` remains the authority.
 *
 * A rule is either a list of property paths that force replacement, or "all inputs except" a
 * list of updatable ones (providers where nearly everything is ForceNew).
 */
export type ReplaceRule =
  { readonly replaceOn: readonly string[] } | { readonly replaceAllExcept: readonly string[] };

// Every Kubernetes object is replaced when its name or namespace changes
// (pulumi-kubernetes provider/pkg/provider/diff.go, forceNewProperties: metadata.name and
// metadata.namespace apply to all kinds).
const K8S_IDENTITY = ["metadata.name", "metadata.namespace"];

export const REPLACE_RULES: Readonly<Record<string, ReplaceRule>> = {
  // terraform-provider-docker (kreuzwerker) resource_docker_container.go: every attribute is
  // ForceNew except those resourceDockerContainerUpdate applies in place (restart policy,
  // CPU/memory limits) and the provider-side settings that never reach the container.
  "docker:index/container:Container": {
    replaceAllExcept: [
      "restart",
      "maxRetryCount",
      "cpuShares",
      "memory",
      "memorySwap",
      "mustRun",
      "destroyGraceSeconds",
      "wait",
      "waitTimeout",
      "start",
      "rm",
    ],
  },
  // resource_docker_network.go / resource_docker_volume.go: all attributes ForceNew.
  "docker:index/network:Network": { replaceAllExcept: [] },
  "docker:index/volume:Volume": { replaceAllExcept: [] },
  // resource_docker_image.go: name, build and triggers force a new image; keepLocally is local.
  "docker:index/remoteImage:RemoteImage": { replaceOn: ["name", "build", "triggers", "platform"] },

  // pulumi-kubernetes forceNewProperties (provider/pkg/provider/diff.go), apps/v1.
  "kubernetes:apps/v1:Deployment": { replaceOn: [...K8S_IDENTITY, "spec.selector"] },
  "kubernetes:apps/v1:DaemonSet": { replaceOn: [...K8S_IDENTITY, "spec.selector"] },
  "kubernetes:apps/v1:StatefulSet": {
    replaceOn: [
      ...K8S_IDENTITY,
      "spec.selector",
      "spec.podManagementPolicy",
      "spec.serviceName",
      "spec.volumeClaimTemplates",
    ],
  },
  // core/v1: a claim's storage class, access modes, selector and volume are immutable.
  "kubernetes:core/v1:PersistentVolumeClaim": {
    replaceOn: [
      ...K8S_IDENTITY,
      "spec.accessModes",
      "spec.selector",
      "spec.storageClassName",
      "spec.volumeMode",
      "spec.volumeName",
      "spec.dataSource",
    ],
  },
  "kubernetes:core/v1:PersistentVolume": { replaceOn: [...K8S_IDENTITY, "spec"] },
  "kubernetes:core/v1:Service": { replaceOn: [...K8S_IDENTITY, "spec.clusterIP", "spec.type"] },
  "kubernetes:core/v1:Secret": { replaceOn: [...K8S_IDENTITY, "type"] },
  "kubernetes:core/v1:ConfigMap": { replaceOn: [...K8S_IDENTITY] },
  "kubernetes:core/v1:Namespace": { replaceOn: ["metadata.name"] },
  "kubernetes:batch/v1:Job": { replaceOn: [...K8S_IDENTITY, "spec.selector", "spec.template"] },
  // Custom resources (Traefik IngressRoute, TraefikService): only identity is known.
  "kubernetes:traefik.io/v1alpha1:IngressRoute": { replaceOn: [...K8S_IDENTITY] },
  "kubernetes:traefik.io/v1alpha1:TraefikService": { replaceOn: [...K8S_IDENTITY] },

  // terraform-provider-postgresql: postgresql_database renames in place but template,
  // encoding and collation are ForceNew; postgresql_extension's name and schema likewise.
  "postgresql:index/database:Database": {
    replaceOn: ["template", "encoding", "lcCollate", "lcCtype"],
  },
  "postgresql:index/extension:Extension": { replaceOn: ["name", "database"] },
  "postgresql:index/schema:Schema": { replaceOn: ["database"] },
};

export function replaceRuleFor(type: string): ReplaceRule | undefined {
  return REPLACE_RULES[type];
}
