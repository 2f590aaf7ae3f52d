import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
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
}

/**
 * Routes on K3s, served by the Traefik K3s ships: per route a weighted TraefikService, an
 * optional mirroring one, and an IngressRoute with the feature-flag rules. Traefik picks up a
 * weight change from the object itself, without a restart.
 */
export class K3sRouter extends pulumi.ComponentResource {
  /** The TraefikService that splits each route's requests, by route name. */
  public readonly weightedServices: Readonly<Record<string, k8s.apiextensions.CustomResource>>;

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
    this.registerOutputs({});
  }
}
