/**
 * The routes the api and consolidation phases put in front of a service: which implementations
 * answer its requests and by what weights. A pure function of the stack config, like the rest
 * of the topology, so every phase's routes are table-testable.
 */
import type { RouteBackend, RouteSpec } from "../../components/routing/route";
import type { ServiceSpec } from "../../components/spec";
import type { StackConfig } from "../stack-config";
import { MONOLITH_SERVICE, NEXT_SUFFIX, wiringOf } from "./names";

/** A service's implementations under the api path, before consolidation takes its share. */
function apiBackends(config: StackConfig, route: string, newWeight: number): RouteBackend[] {
  const deployed = wiringOf(config, "api").deployed;
  if (config.apiImages[route] === undefined || !deployed.includes("new")) {
    return [{ implementation: "old", service: route, weight: 100 }];
  }
  const backends: RouteBackend[] = [];
  if (deployed.includes("old")) {
    backends.push({ implementation: "old", service: route, weight: 100 - newWeight });
  }
  backends.push({ implementation: "new", service: `${route}${NEXT_SUFFIX}`, weight: newWeight });
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
        {
          implementation: split ? "monolith" : "new",
          service: MONOLITH_SERVICE,
          weight: split ? monolithShare * 100 : monolithShare,
        },
      ];
    }
    backends = backends.filter((b) => running.has(b.service));
    if (backends.length === 0) continue;
    const mirrorPercent = config.routing.mirror[name];
    const mirrored = backends.find((b) => b.implementation !== "old");
    routes.push({
      name,
      ...(config.routing.domain ? { host: `${name}.${config.routing.domain}` } : {}),
      backends,
      ...(config.routing.sticky.includes(name) ? { sticky: true } : {}),
      ...(mirrorPercent !== undefined && mirrored
        ? { mirror: { implementation: mirrored.implementation, percent: mirrorPercent } }
        : {}),
    });
  }
  return routes;
}
