/**
 * A route: what clients call (a service's name) and which implementations answer it, by weight.
 * One spec decides both platforms' routers (Traefik's CRDs on K3s, its file provider on
 * Compose), so a route means the same wherever it runs. Kept free of Pulumi, so plans and
 * policies can read it.
 */

/** One implementation behind a route. */
export interface RouteBackend {
  /**
   * What the implementation is called in the route: the value of the feature-flag header and
   * cookie that force it, e.g. "old" or "new". Unique within the route.
   */
  readonly implementation: string;
  /** The service (workload) that runs it, e.g. "product-catalog-next". */
  readonly service: string;
  /** Its share of the route's requests, relative to the other backends' weights (≥ 0). */
  readonly weight: number;
}

export interface RouteSpec {
  /** The route's name: the service clients call, e.g. "product-catalog". */
  readonly name: string;
  /** Host the route answers. @default the route's name */
  readonly host?: string;
  /** @default "/" */
  readonly pathPrefix?: string;
  /** Traefik entry points the route answers on (K3s). @default the router's */
  readonly entryPoints?: readonly string[];
  readonly backends: readonly RouteBackend[];
  /** Keep a client on the implementation it first reached (a cookie). @default false */
  readonly sticky?: boolean;
  /**
   * Shadow traffic: copies of this percent of requests go to `implementation` too, whose answers
   * are discarded (for a new implementation still at weight 0). @default none
   */
  readonly mirror?: { readonly implementation: string; readonly percent: number };
}

/** How requests choose an implementation regardless of weights, for a whole stack. */
export interface FeatureFlags {
  /** Header whose value names the implementation, e.g. `X-Stepwise-Implementation: new`. */
  readonly header: string;
  /** Cookie whose value names the implementation. */
  readonly cookie: string;
}

export const DEFAULT_FEATURE_FLAGS: FeatureFlags = {
  header: "X-Stepwise-Implementation",
  cookie: "stepwise-implementation",
};

/** The `system` label of the routers' scrape targets (their per-implementation request rates). */
export const ROUTER_SYSTEM = "router";

/** Name of a route's weighted service (a TraefikService on K3s, a file-provider service). */
export const ROUTE_SERVICE_PREFIX = "route-";

export function routeServiceName(route: string): string {
  return `${ROUTE_SERVICE_PREFIX}${route}`;
}

/** The route a weighted service name belongs to, or undefined when it is not a route's. */
export function routeOfServiceName(name: string): string | undefined {
  return name.startsWith(ROUTE_SERVICE_PREFIX)
    ? name.slice(ROUTE_SERVICE_PREFIX.length)
    : undefined;
}

/** Name of a route's mirroring service (wraps the weighted one when the route mirrors). */
export function mirroredServiceName(route: string): string {
  return `mirror-${route}`;
}

/** Percent of the route's requests each backend serves, by service (weights are relative). */
export function routeShares(
  backends: readonly Pick<RouteBackend, "service" | "weight">[],
): Map<string, number> {
  const total = backends.reduce((sum, b) => sum + b.weight, 0);
  return new Map(
    backends.map((b) => [b.service, total > 0 ? Math.round((b.weight / total) * 10_000) / 100 : 0]),
  );
}

const NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const HEADER = /^[A-Za-z0-9-]+$/;
const COOKIE = /^[A-Za-z0-9_-]+$/;
const HOST = /^[A-Za-z0-9.-]+$/;

/**
 * Every problem of a set of routes, each naming the route, field and value and saying what is
 * allowed; empty when they can be rendered. Values end up in Traefik rules, so only characters
 * that need no quoting there are accepted.
 */
export function routeProblems(routes: readonly RouteSpec[], flags: FeatureFlags): string[] {
  const problems: string[] = [];
  if (!HEADER.test(flags.header)) {
    problems.push(
      `feature flag header = ${JSON.stringify(flags.header)}: must be a header name (letters, digits and '-')`,
    );
  }
  if (!COOKIE.test(flags.cookie)) {
    problems.push(
      `feature flag cookie = ${JSON.stringify(flags.cookie)}: must be a cookie name (letters, digits, '_' and '-')`,
    );
  }
  const seen = new Set<string>();
  for (const route of routes) {
    const at = `route "${route.name}"`;
    if (!NAME.test(route.name))
      problems.push(`${at}: name must be a DNS label (lowercase letters, digits and '-')`);
    if (seen.has(route.name)) problems.push(`${at}: declared twice; give each route one spec`);
    seen.add(route.name);
    if (route.host !== undefined && !HOST.test(route.host)) {
      problems.push(
        `${at}: host = ${JSON.stringify(route.host)}: must be a host name (letters, digits, '.' and '-')`,
      );
    }
    if (route.pathPrefix !== undefined && !/^\/[A-Za-z0-9._~/-]*$/.test(route.pathPrefix)) {
      problems.push(
        `${at}: pathPrefix = ${JSON.stringify(route.pathPrefix)}: must start with '/' and hold only URL path characters`,
      );
    }
    if (route.backends.length === 0)
      problems.push(`${at}: backends = []: give at least one implementation`);
    const implementations = new Set<string>();
    for (const backend of route.backends) {
      const field = `${at} backend "${backend.implementation}"`;
      if (!NAME.test(backend.implementation))
        problems.push(`${field}: implementation must be a DNS label, it is a feature-flag value`);
      if (implementations.has(backend.implementation))
        problems.push(`${field}: implementation named twice; each backend needs its own`);
      implementations.add(backend.implementation);
      if (!NAME.test(backend.service))
        problems.push(
          `${field}: service = ${JSON.stringify(backend.service)}: must be a service name`,
        );
      if (!Number.isInteger(backend.weight) || backend.weight < 0) {
        problems.push(
          `${field}: weight = ${backend.weight}: must be a whole number of 0 or more (Traefik's weights are integers)`,
        );
      }
    }
    if (route.backends.length > 0 && route.backends.every((b) => b.weight === 0)) {
      problems.push(`${at}: every backend has weight 0; give at least one a positive weight`);
    }
    if (route.mirror) {
      const { implementation, percent } = route.mirror;
      if (!implementations.has(implementation)) {
        problems.push(
          `${at}: mirror.implementation = ${JSON.stringify(implementation)}: no such backend; use one of ${JSON.stringify([...implementations])}`,
        );
      }
      if (!Number.isInteger(percent) || percent < 1 || percent > 100) {
        problems.push(`${at}: mirror.percent = ${percent}: must be a whole number from 1 to 100`);
      }
    }
  }
  return problems;
}

/** Throws every problem at once (see routeProblems). */
export function validateRoutes(routes: readonly RouteSpec[], flags: FeatureFlags): void {
  const problems = routeProblems(routes, flags);
  if (problems.length > 0) throw new Error(`invalid routes:\n  ${problems.join("\n  ")}`);
}

/** Traefik v3 rule matching a route's requests. */
export function routeMatch(route: RouteSpec): string {
  const host = `Host(\`${route.host ?? route.name}\`)`;
  return route.pathPrefix && route.pathPrefix !== "/"
    ? `${host} && PathPrefix(\`${route.pathPrefix}\`)`
    : host;
}

/**
 * Traefik v3 rule for the requests that force one implementation: the route's match and the
 * flag header or cookie naming it.
 */
export function flagMatch(route: RouteSpec, implementation: string, flags: FeatureFlags): string {
  const header = `Header(\`${flags.header}\`, \`${implementation}\`)`;
  const cookie = `HeaderRegexp(\`Cookie\`, \`(^|;\\s*)${flags.cookie}=${implementation}(;|$)\`)`;
  return `${routeMatch(route)} && (${header} || ${cookie})`;
}

/** Router priorities: a flagged request beats the weighted route whatever the rules' lengths. */
export const ROUTE_PRIORITY = { weighted: 100, flagged: 200 } as const;

/** Backends that take part in the weighted split (weight 0 ones answer only flagged requests). */
export function weightedBackends(route: RouteSpec): RouteBackend[] {
  return route.backends.filter((b) => b.weight > 0);
}

/** Traefik's sticky-session setting of a weighted service: a cookie named after the route. */
export function stickySetting(route: RouteSpec): { sticky?: Record<string, unknown> } {
  return route.sticky
    ? { sticky: { cookie: { name: `stepwise-${route.name}`, httpOnly: true } } }
    : {};
}

/** The backend a route copies requests to, when it mirrors. */
export function mirroredBackend(route: RouteSpec): RouteBackend | undefined {
  return route.backends.find((b) => b.implementation === route.mirror?.implementation);
}
