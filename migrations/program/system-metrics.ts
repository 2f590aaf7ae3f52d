import type { MetricsEndpoint } from "../../components/monitoring/metrics-endpoint";
import { COORDINATION_SERVICE, type StackConfig } from "../stack-config";
import { MONOLITH_SERVICE, NEXT_SUFFIX, wiringOf, type Topology } from "./topology";

/** A scrape target that labels one service's metrics with the migration system it belongs to. */
export interface SystemTarget {
  /** Job name in prometheus.yml; unique, e.g. "api-new-product-catalog". */
  readonly job: string;
  /** The path's system: "old"/"new" (api), "microservices"/"modular-monolith" (consolidation). */
  readonly system: string;
  /** The service whose own scrape target's address this reuses. */
  readonly service: string;
}

/**
 * Services are scraped labelled with their platform; the api and consolidation paths need
 * their own systems scraped while both run, so the same targets are scraped once more under a
 * job that names the path's system.
 */
export function systemTargets(config: StackConfig, topology: Topology): SystemTarget[] {
  const scraped = new Set(topology.services.filter((s) => s.metrics).map((s) => s.name));
  const targets: SystemTarget[] = [];
  const api = wiringOf(config, "api").deployed;
  if (api.includes("old") && api.includes("new")) {
    for (const service of Object.keys(config.apiImages)) {
      targets.push({ job: `api-old-${service}`, system: "old", service });
      targets.push({
        job: `api-new-${service}`,
        system: "new",
        service: `${service}${NEXT_SUFFIX}`,
      });
    }
  }
  const consolidation = wiringOf(config, "consolidation").deployed;
  if (consolidation.includes("microservices") && consolidation.includes(MONOLITH_SERVICE)) {
    for (const spec of topology.services) {
      if (spec.name === COORDINATION_SERVICE || spec.name === MONOLITH_SERVICE) continue;
      targets.push({
        job: `consolidation-${spec.name}`,
        system: "microservices",
        service: spec.name,
      });
    }
    targets.push({
      job: `consolidation-${MONOLITH_SERVICE}`,
      system: MONOLITH_SERVICE,
      service: MONOLITH_SERVICE,
    });
  }
  return targets.filter((t) => scraped.has(t.service));
}

/** The address a system target reuses, from the platform's own scrape targets. */
export function addressFor(
  target: SystemTarget,
  endpoints: readonly MetricsEndpoint[],
): MetricsEndpoint["address"] | undefined {
  return endpoints.find((e) => e.job === target.service)?.address;
}
