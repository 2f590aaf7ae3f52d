/**
 * The routes the api and consolidation phases put in front of a service: which implementations
 * answer its requests and by what weights. A pure function of the stack config, like the rest
 * of the topology, so every phase's routes are table-testable.
 */
import type { RouteBackend, RouteSpec } from "../../components/routing/route";
import type { ServiceSpec } from "../../components/spec";
import type { StackConfig } from "../config/stack-config";
import { MONOLITH_SERVICE, NEXT_SUFFIX, wiringOf } from "./names";

type Weighted = Omit<RouteBackend, "implementation">;

/**
 * What a route's backend is called in the route (the feature-flag value that forces it): `old`
 * for the service itself, `new` for its api successor `S-next`, and for the modular monolith
 * `new` too, unless an api successor already is (then `monolith`).
 */
export function implementationOf(
  route: string,
  service: string,
  backends: readonly string[],
): string {
  if (service === route) return "old";
  if (service === `${route}${NEXT_SUFFIX}`) return "new";
  if (service === MONOLITH_SERVICE) {
    return backends.includes(`${route}${NEXT_SUFFIX}`) ? "monolith" : "new";
  }
  return service;
}

/** A service's implementations under the api path, before consolidation takes its share. */
function apiBackends(config: StackConfig, route: string, newWeight: number): Weighted[] {
  const deployed = wiringOf(config, "api").deployed;
  if (config.apiImages[route] === undefined || !deployed.includes("new")) {
    return [{ service: route, weight: 100 }];
  }
  const backends: Weighted[] = [];
  if (deployed.includes("old")) backends.push({ service: route, weight: 100 - newWeight });
  backends.push({ service: `${route}${NEXT_SUFFIX}`, weight: newWeight });
  return backends;
}

/**
 * Per service with more than one possible implementation, its route: the api canary's old and
 * new implementation, and while the monolith runs, the monolith's share of the service (the
 * service's own share split between its api implementations). Services with one implementation
 * get no route: clients reach them directly, as before any migration.
 */
export function routesFor(
  config: StackConfig,
  services: readonly ServiceSpec[],
  apiWeights: Readonly<Record<string, number>>,
  monolithWeights: Readonly<Record<string, number>>,
): RouteSpec[] {
  const running = new Set(services.map((s) => s.name));
  const apiRouted = wiringOf(config, "api").deployed.includes("new");
  const consolidation = wiringOf(config, "consolidation").deployed;
  const keepServices = consolidation.includes("microservices");
  const names = new Set([
    ...(apiRouted ? Object.keys(config.apiImages) : []),
    ...Object.keys(monolithWeights),
  ]);
  const routes: RouteSpec[] = [];
  for (const name of [...names].sort()) {
    let backends = apiBackends(config, name, apiWeights[name] ?? 0);
    const monolithShare = monolithWeights[name];
    if (monolithShare !== undefined) {
      // Traefik's weights are whole numbers: when the api splits the service's own share, the
      // split is kept exact by weighing in ten-thousandths (old 50 % of 75 % = 3750).
      const split = backends.length > 1;
      const own = keepServices
        ? backends.map((b) => ({
            ...b,
            weight: split ? b.weight * (100 - monolithShare) : 100 - monolithShare,
          }))
        : [];
      backends = [
        ...own,
        { service: MONOLITH_SERVICE, weight: split ? monolithShare * 100 : monolithShare },
      ];
    }
    const serving = backends.filter((b) => running.has(b.service)).map((b) => b.service);
    if (serving.length === 0) continue;
    const named: RouteBackend[] = backends
      .filter((b) => running.has(b.service))
      .map((b) => ({ implementation: implementationOf(name, b.service, serving), ...b }));
    const mirrorPercent = config.routing.mirror[name];
    // Shadow traffic only while the new implementation has no weight: once it serves, a copy
    // on top would make it handle some requests twice.
    const mirrored = named.find((b) => b.implementation !== "old" && b.weight === 0);
    routes.push({
      name,
      ...(config.routing.domain ? { host: `${name}.${config.routing.domain}` } : {}),
      backends: named,
      ...(config.routing.sticky.includes(name) ? { sticky: true } : {}),
      ...(mirrorPercent !== undefined && mirrored
        ? { mirror: { implementation: mirrored.implementation, percent: mirrorPercent } }
        : {}),
    });
  }
  return routes;
}
