/**
 * Traefik's Kubernetes objects for a route (K3s ships Traefik v3, CRD group traefik.io): a
 * TraefikService splitting requests by weight, an optional mirroring TraefikService in front of
 * it, and an IngressRoute with the route's rule and one rule per feature-flagged implementation.
 */
import { configuredBackends, type ConfiguredBackend } from "./traefik-file";
import {
  flagMatch,
  mirroredBackend,
  mirroredServiceName,
  ROUTE_PRIORITY,
  routeMatch,
  routeServiceName,
  stickySetting,
  weightedBackends,
  type FeatureFlags,
  type RouteSpec,
} from "./route";

export const TRAEFIK_API_VERSION = "traefik.io/v1alpha1";

/** A Traefik object as the CustomResource's inputs: kind, name and spec. */
export interface TraefikObject {
  readonly kind: "TraefikService" | "IngressRoute";
  readonly name: string;
  readonly spec: Record<string, unknown>;
}

/** Kubernetes Service port of a backend, as the cluster serves it. */
export type BackendPort = (service: string) => number;

/** The route's objects, in the order they depend on each other. */
export function traefikObjects(
  route: RouteSpec,
  flags: FeatureFlags,
  portOf: BackendPort,
  entryPoints: readonly string[] = ["web"],
): TraefikObject[] {
  const weighted = routeServiceName(route.name);
  const objects: TraefikObject[] = [
    {
      kind: "TraefikService",
      name: weighted,
      spec: {
        weighted: {
          services: weightedBackends(route).map((b) => ({
            name: b.service,
            port: portOf(b.service),
            weight: b.weight,
          })),
          ...stickySetting(route),
        },
      },
    },
  ];
  let entry = weighted;
  if (route.mirror) {
    const mirrored = mirroredBackend(route);
    entry = mirroredServiceName(route.name);
    objects.push({
      kind: "TraefikService",
      name: entry,
      spec: {
        mirroring: {
          name: weighted,
          kind: "TraefikService",
          mirrors: mirrored
            ? [
                {
                  name: mirrored.service,
                  port: portOf(mirrored.service),
                  percent: route.mirror.percent,
                },
              ]
            : [],
        },
      },
    });
  }
  objects.push({
    kind: "IngressRoute",
    // Not the service's own name, which an ingress rule of K3sPlatform may hold.
    name: weighted,
    spec: {
      entryPoints: [...(route.entryPoints ?? entryPoints)],
      routes: [
        {
          kind: "Rule",
          match: routeMatch(route),
          priority: ROUTE_PRIORITY.weighted,
          services: [{ name: entry, kind: "TraefikService" }],
        },
        ...route.backends.map((b) => ({
          kind: "Rule",
          match: flagMatch(route, b.implementation, flags),
          priority: ROUTE_PRIORITY.flagged,
          services: [{ name: b.service, port: portOf(b.service) }],
        })),
      ],
    },
  });
  return objects;
}

/** The backends of a weighted TraefikService as its inputs hold them (empty when not weighted). */
export function weightedEntries(props: Readonly<Record<string, unknown>>): ConfiguredBackend[] {
  const spec = props.spec as { weighted?: { services?: unknown } } | undefined;
  const entries = spec?.weighted?.services;
  return Array.isArray(entries) ? configuredBackends(entries) : [];
}
