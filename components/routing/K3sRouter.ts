import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { awaitedMetadata } from "../platform/annotations";
import type { K3sPlatformRef } from "../platform/platform-ref";
import { validateRoutes, type FeatureFlags, type RouteSpec } from "./route";
import { traefikObjects, TRAEFIK_API_VERSION, type BackendPort } from "./traefik-crds";

export const K3S_ROUTER_TYPE = "stepwise:routing:K3sRouter";

export interface K3sRouterArgs {
  readonly platform: K3sPlatformRef;
  readonly routes: readonly RouteSpec[];
  readonly featureFlags: FeatureFlags;
  /** Service port of each backend in the platform's namespace (bridged ones included). */
  readonly portOf: BackendPort;
  /** Traefik entry points the routes answer on. @default ["web"] (K3s's Traefik on port 80) */
  readonly entryPoints?: readonly string[];
  /** Objects the routes point at (the backends' Services), created first. */
  readonly backends?: readonly pulumi.Resource[];
  /** Where K3s's Traefik runs and serves its metrics, and how stepwise publishes them. */
  readonly traefik?: K3sTraefikSettings;
}

/** K3s's own Traefik, as its bundled chart deploys it. */
export interface K3sTraefikSettings {
  /** @default "kube-system" */
  readonly namespace?: string;
  /** Labels of Traefik's pods. @default { "app.kubernetes.io/name": "traefik" } */
  readonly selector?: Readonly<Record<string, string>>;
  /** Port of Traefik's metrics entry point in its pods. @default 9100 */
  readonly metricsPort?: number;
  /** Port the metrics Service serves them on (and publishes on the node). @default 9190 */
  readonly servicePort?: number;
  /** Publish the metrics on the node address (ServiceLB), for a Prometheus off the cluster. @default false */
  readonly exposeMetrics?: boolean;
}

export const DEFAULT_K3S_TRAEFIK = {
  namespace: "kube-system",
  selector: { "app.kubernetes.io/name": "traefik" },
  metricsPort: 9100,
  servicePort: 9190,
} as const;

/**
 * Routes on K3s, served by the Traefik K3s ships: per route a weighted TraefikService, an
 * optional mirroring one, and an IngressRoute with the feature-flag rules. Traefik picks up a
 * weight change from the object itself, without a restart.
 */
export class K3sRouter extends pulumi.ComponentResource {
  /** The TraefikService that splits each route's requests, by route name. */
  public readonly weightedServices: Readonly<Record<string, k8s.apiextensions.CustomResource>>;
  /** `host:port` of Traefik's metrics inside the cluster (the metrics Service's DNS name). */
  public readonly metricsAddress: string;
  /** Port the metrics are published on the node when exposed. */
  public readonly metricsServicePort: number;

  constructor(name: string, args: K3sRouterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(K3S_ROUTER_TYPE, name, {}, opts);
    validateRoutes(args.routes, args.featureFlags);
    const childOpts = pulumi.mergeOptions(args.platform.resourceOptions, { parent: this });
    const weighted: Record<string, k8s.apiextensions.CustomResource> = {};
    for (const route of args.routes) {
      let after: pulumi.Resource[] = [...(args.backends ?? [])];
      for (const object of traefikObjects(
        route,
        args.featureFlags,
        args.portOf,
        args.entryPoints,
      )) {
        const resource = new k8s.apiextensions.CustomResource(
          `${name}-${object.name}-${object.kind === "IngressRoute" ? "route" : "service"}`,
          {
            apiVersion: TRAEFIK_API_VERSION,
            kind: object.kind,
            metadata: { name: object.name, namespace: args.platform.namespace },
            spec: object.spec,
          },
          pulumi.mergeOptions(childOpts, { dependsOn: after }),
        );
        if (object.kind === "TraefikService" && weighted[route.name] === undefined) {
          weighted[route.name] = resource;
        }
        after = [resource];
      }
    }
    this.weightedServices = weighted;
    // K3s's chart does not publish Traefik's metrics entry point; this Service does, so the
    // routes' per-implementation request rates can be scraped (from off the cluster too).
    const traefik = { ...DEFAULT_K3S_TRAEFIK, ...args.traefik };
    const metricsName = `${name}-metrics`;
    new k8s.core.v1.Service(
      metricsName,
      {
        metadata: awaitedMetadata(
          { name: metricsName, namespace: traefik.namespace },
          args.platform.skipAwait,
        ),
        spec: {
          type: traefik.exposeMetrics ? "LoadBalancer" : "ClusterIP",
          selector: { ...traefik.selector },
          ports: [{ name: "metrics", port: traefik.servicePort, targetPort: traefik.metricsPort }],
        },
      },
      childOpts,
    );
    this.metricsAddress = `${metricsName}.${traefik.namespace}.svc.cluster.local:${traefik.servicePort}`;
    this.metricsServicePort = traefik.servicePort;
    this.registerOutputs({});
  }
}
