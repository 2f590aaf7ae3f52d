/**
 * Traefik's file-provider configuration for a set of routes: the router Compose runs reads it
 * (and the routing tests feed it to a real Traefik). Static settings are command-line flags,
 * the routes a dynamic file Traefik reloads on change, so a weight step needs no restart.
 */
import { parse, stringify } from "yaml";
import {
  flagMatch,
  mirroredBackend,
  mirroredServiceName,
  ROUTE_PRIORITY,
  routeMatch,
  routeOfServiceName,
  routeServiceName,
  stickySetting,
  weightedBackends,
  type FeatureFlags,
  type RouteSpec,
} from "./route";

/** Where a backend answers, from the router: e.g. "http://product-catalog:8082". */
export type BackendUrl = (service: string) => string;

/** How often the router checks a backend's health path. */
export interface HealthCheckSettings {
  /** Health path of a backend's service, or undefined for none. */
  readonly pathOf: (service: string) => string | undefined;
  /** Port the health path answers on, when it is not the traffic port. @default the traffic port */
  readonly portOf?: (service: string) => number | undefined;
  /** @default "5s" */
  readonly interval?: string;
  /** @default "3s" */
  readonly timeout?: string;
}

export interface RouterStaticSettings {
  /** Port requests come in on. */
  readonly port: number;
  /** Port of the metrics (Prometheus) and ping endpoints. */
  readonly metricsPort: number;
  /** Port of Traefik's read-only API (router and service health); left out: no API. */
  readonly apiPort?: number;
  /** Folder the dynamic configuration is read from. */
  readonly configDirectory: string;
  /** Address the entry points bind, e.g. "127.0.0.1" in tests. @default all interfaces */
  readonly bindAddress?: string;
}

/** Entry point names in the static settings and the routers. */
export const ENTRY_POINTS = { web: "web", metrics: "metrics", api: "traefik" } as const;

/** Traefik's static configuration as command-line flags. */
export function traefikStaticArgs(settings: RouterStaticSettings): string[] {
  const bind = settings.bindAddress ?? "";
  const args = [
    `--entryPoints.${ENTRY_POINTS.web}.address=${bind}:${settings.port}`,
    `--entryPoints.${ENTRY_POINTS.metrics}.address=${bind}:${settings.metricsPort}`,
    `--providers.file.directory=${settings.configDirectory}`,
    "--providers.file.watch=true",
    "--metrics.prometheus=true",
    `--metrics.prometheus.entryPoint=${ENTRY_POINTS.metrics}`,
    "--metrics.prometheus.addServicesLabels=true",
    "--ping=true",
    `--ping.entryPoint=${ENTRY_POINTS.metrics}`,
    // A router makes no calls of its own to the outside.
    "--global.checkNewVersion=false",
    "--global.sendAnonymousUsage=false",
  ];
  if (settings.apiPort !== undefined) {
    args.push(
      `--entryPoints.${ENTRY_POINTS.api}.address=${bind}:${settings.apiPort}`,
      "--api=true",
      "--api.insecure=true",
      "--api.dashboard=false",
    );
  }
  return args;
}

/** The file name the routes are written to inside the configuration folder. */
export const ROUTES_FILE = "routes.yml";

/**
 * The dynamic configuration: per route a weighted service over its implementations (each a load
 * balancer with the backend's health check), the route's router, and one router per
 * implementation for requests whose feature flag names it.
 */
export function traefikFileConfig(
  routes: readonly RouteSpec[],
  flags: FeatureFlags,
  urlOf: BackendUrl,
  health?: HealthCheckSettings,
): Record<string, unknown> {
  const routers: Record<string, unknown> = {};
  const services: Record<string, unknown> = {};
  for (const route of routes) {
    for (const backend of route.backends) {
      const path = health?.pathOf(backend.service);
      const port = health?.portOf?.(backend.service);
      services[backend.service] = {
        loadBalancer: {
          servers: [{ url: urlOf(backend.service) }],
          ...(path
            ? {
                healthCheck: {
                  path,
                  ...(port === undefined ? {} : { port }),
                  interval: health?.interval ?? "5s",
                  timeout: health?.timeout ?? "3s",
                },
              }
            : {}),
        },
      };
      // A dot cannot occur in a route's name (a DNS label): no flag router takes another's name.
      routers[`${route.name}.${backend.implementation}`] = {
        entryPoints: [ENTRY_POINTS.web],
        rule: flagMatch(route, backend.implementation, flags),
        priority: ROUTE_PRIORITY.flagged,
        service: backend.service,
      };
    }
    const weighted = routeServiceName(route.name);
    const splits = weightedBackends(route);
    // Only with healthCheck set does a weighted service skip a child its health check marks
    // down; Traefik refuses it unless every child checks its health.
    const allChecked = splits.every((b) => Boolean(health?.pathOf(b.service)));
    services[weighted] = {
      weighted: {
        services: splits.map((b) => ({ name: b.service, weight: b.weight })),
        ...(allChecked ? { healthCheck: {} } : {}),
        ...stickySetting(route),
      },
    };
    let entry = weighted;
    if (route.mirror) {
      const mirrored = mirroredBackend(route);
      entry = mirroredServiceName(route.name);
      services[entry] = {
        mirroring: {
          service: weighted,
          mirrors: [{ name: mirrored?.service, percent: route.mirror.percent }],
        },
      };
    }
    routers[route.name] = {
      entryPoints: [ENTRY_POINTS.web],
      rule: routeMatch(route),
      priority: ROUTE_PRIORITY.weighted,
      service: entry,
    };
  }
  return { http: { routers, services } };
}

/** The dynamic configuration as the YAML file Traefik reads. */
export function renderTraefikFile(config: Record<string, unknown>): string {
  return `# Written by stepwise: the routes and their weights. Edit the stack, not this file.\n${stringify(config)}`;
}

/** The environment variable the Compose router's configuration writer takes the routes from. */
export const ROUTES_ENV = "STEPWISE_ROUTES";

/** One backend of a route as a router's configuration holds it. */
export interface ConfiguredBackend {
  readonly service: string;
  readonly weight: number;
}

/**
 * The weighted routes a rendered file configuration holds, by route name: what the router will
 * really do, read back from the text it reads. Throws when the text is not YAML.
 */
export function routesInFileConfig(text: string): Map<string, ConfiguredBackend[]> {
  const config = parse(text) as { http?: { services?: Record<string, unknown> } } | null;
  const routes = new Map<string, ConfiguredBackend[]>();
  for (const [name, service] of Object.entries(config?.http?.services ?? {})) {
    const route = routeOfServiceName(name);
    const weighted = (service as { weighted?: { services?: unknown } } | null)?.weighted;
    if (route === undefined || !Array.isArray(weighted?.services)) continue;
    routes.set(route, configuredBackends(weighted.services));
  }
  return routes;
}

/** `[{ name, weight }]` entries of a weighted service (Traefik's default weight is 1). */
export function configuredBackends(entries: readonly unknown[]): ConfiguredBackend[] {
  return entries.flatMap((entry) => {
    const { name, weight } = (entry ?? {}) as { name?: unknown; weight?: unknown };
    if (typeof name !== "string") return [];
    return [{ service: name, weight: typeof weight === "number" ? weight : 1 }];
  });
}
