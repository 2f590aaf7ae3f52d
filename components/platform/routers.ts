import type * as pulumi from "@pulumi/pulumi";
import type { MetricsEndpoint } from "../monitoring/metrics-endpoint";
import { ComposeRouter } from "../routing/ComposeRouter";
import { K3sRouter, type K3sTraefikSettings } from "../routing/K3sRouter";
import {
  DEFAULT_FEATURE_FLAGS,
  ROUTER_SYSTEM,
  type FeatureFlags,
  type RouteSpec,
} from "../routing/route";
import type { PlatformKind } from "../spec";
import type { ResolvedService } from "../spec/resolve";
import {
  firstPublished,
  platformOf,
  type DiscoveryClient,
  type Placement,
  type PlatformAddresses,
} from "./discovery";
import type { ComposePlatformRef, K3sPlatformRef } from "./platform-ref";
import type { IngressRule } from "./traefik";

/** How the routers of PlatformServices run. */
export interface RoutingSettings {
  /** @default DEFAULT_FEATURE_FLAGS (X-Stepwise-Implementation, stepwise-implementation) */
  readonly featureFlags?: FeatureFlags;
  /** The Traefik container on Compose: published request and metrics ports, image. */
  readonly compose?: {
    readonly port?: number;
    readonly metricsPort?: number;
    readonly image?: string;
  };
  /**
   * K3s's own Traefik: the entry points routes answer on, and where it runs and serves its
   * metrics. @default ["web"], DEFAULT_K3S_TRAEFIK
   */
  readonly k3s?: {
    readonly entryPoints?: readonly string[];
    readonly traefik?: Omit<K3sTraefikSettings, "exposeMetrics">;
  };
}

/**
 * The platform a route's router runs on: its own service's (where clients reached it before the
 * route existed), else its first backend's (the monolith, once the services are retired).
 */
export function routePlatform(
  route: RouteSpec,
  placement: Placement,
  services: readonly ResolvedService[],
): PlatformKind {
  const own = services.some((s) => s.name === route.name) ? route.name : route.backends[0]?.service;
  return platformOf(placement, own ?? route.name);
}

/**
 * Ingress rules of routed services on K3s become their routes' host, path and entry points: a
 * public service's requests then follow the weights and flags too, and its IngressRoute is the
 * router's. The other rules stay K3sPlatform's.
 */
export function withIngressRules(
  routes: readonly RouteSpec[],
  rules: readonly IngressRule[],
  placement: Placement,
  services: readonly ResolvedService[],
): { routes: RouteSpec[]; rules: IngressRule[] } {
  const onK3s = new Set(
    routes.filter((r) => routePlatform(r, placement, services) === "k3s").map((r) => r.name),
  );
  const taken = new Map(rules.filter((r) => onK3s.has(r.service)).map((r) => [r.service, r]));
  return {
    routes: routes.map((route) => {
      const rule = taken.get(route.name);
      if (!rule) return route;
      return {
        ...route,
        host: rule.host,
        ...(rule.pathPrefix ? { pathPrefix: rule.pathPrefix } : {}),
        ...(rule.entryPoints ? { entryPoints: rule.entryPoints } : {}),
      };
    }),
    rules: rules.filter((r) => !taken.has(r.service)),
  };
}

/** Per platform, the backends its router reaches (discovery bridges the ones on the other). */
export function routerClients(
  routes: readonly RouteSpec[],
  placement: Placement,
  services: readonly ResolvedService[],
): DiscoveryClient[] {
  return routes.map((route) => ({
    platform: routePlatform(route, placement, services),
    dependsOn: route.backends.map((b) => b.service),
  }));
}

export interface RouterWiring {
  readonly routes: readonly RouteSpec[];
  readonly settings: RoutingSettings;
  readonly services: readonly ResolvedService[];
  readonly placement: Placement;
  readonly addresses: PlatformAddresses;
  readonly compose: ComposePlatformRef | undefined;
  readonly k3s:
    { readonly ref: K3sPlatformRef; readonly services: readonly pulumi.Resource[] } | undefined;
  /** Where Prometheus runs, to address the routers' metrics from there. */
  readonly monitoringOn: PlatformKind | undefined;
}

export interface Routers {
  readonly compose: ComposeRouter | undefined;
  readonly k3s: K3sRouter | undefined;
  /** The routers' Prometheus endpoints (system "router"), addressed from `monitoringOn`. */
  readonly metrics: MetricsEndpoint[];
}

/** The routers of both platforms, each with the routes that run there. */
export function declareRouters(
  name: string,
  wiring: RouterWiring,
  parent: pulumi.Resource,
): Routers {
  const { routes, settings, services, placement, addresses } = wiring;
  const flags = settings.featureFlags ?? DEFAULT_FEATURE_FLAGS;
  const byName = new Map(services.map((s) => [s.name, s]));
  const service = (n: string): ResolvedService => {
    const found = byName.get(n);
    if (!found) throw new Error(`route backend "${n}": no such service runs in this stack`);
    return found;
  };
  const on = (kind: PlatformKind) =>
    routes.filter((r) => routePlatform(r, placement, services) === kind);
  const metrics: MetricsEndpoint[] = [];

  let compose: ComposeRouter | undefined;
  if (on("compose").length > 0 && wiring.compose) {
    compose = new ComposeRouter(
      `${name}-router`,
      {
        platform: wiring.compose,
        routes: on("compose"),
        featureFlags: flags,
        ...settings.compose,
        urlOf: (backend) => {
          const target = service(backend);
          return platformOf(placement, backend) === "compose"
            ? `http://${backend}:${target.ports[0]?.port}`
            : `http://${addresses.k3sAddress}:${firstPublished(target)}`;
        },
        healthPathOf: (backend) => service(backend).healthCheck?.http?.path,
        healthPortOf: (backend) => {
          // Given only where the check's port is not the one requests go to: the first container
          // port on Compose, the matching published port for a backend on K3s.
          const target = service(backend);
          const checked = target.healthCheck?.http?.port;
          if (checked === undefined || checked === target.ports[0]?.port) return undefined;
          if (platformOf(placement, backend) === "compose") return checked;
          return target.ports.find((p) => p.port === checked)?.published;
        },
      },
      { parent },
    );
    // The metrics port is published under the same number, for a Prometheus on K3s.
    const fromCompose = (wiring.monitoringOn ?? "compose") === "compose";
    metrics.push({
      ...compose.metrics,
      address: fromCompose
        ? compose.metrics.address
        : `${addresses.composeHost}:${compose.metricsPort}`,
    });
  }
  let k3s: K3sRouter | undefined;
  const fromK3s = (wiring.monitoringOn ?? "k3s") === "k3s";
  if (on("k3s").length > 0 && wiring.k3s) {
    k3s = new K3sRouter(
      `${name}-router`,
      {
        platform: wiring.k3s.ref,
        routes: on("k3s"),
        featureFlags: flags,
        portOf: (backend) => firstPublished(service(backend)),
        backends: wiring.k3s.services,
        ...(settings.k3s?.entryPoints ? { entryPoints: settings.k3s.entryPoints } : {}),
        // A Prometheus on Compose reaches the metrics on the node address.
        traefik: { ...settings.k3s?.traefik, exposeMetrics: !fromK3s },
      },
      { parent },
    );
    metrics.push({
      job: `${name}-router-k3s`,
      system: ROUTER_SYSTEM,
      address: fromK3s ? k3s.metricsAddress : `${addresses.k3sAddress}:${k3s.metricsServicePort}`,
    });
  }
  return { compose, k3s, metrics };
}
