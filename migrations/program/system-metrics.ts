import type { MetricsEndpoint } from "../../components/monitoring/metrics-endpoint";
import { PLATFORM_KINDS, type PlatformKind } from "../config/keys";
import type { StackConfig } from "../config/stack-config";
import { engineMetricJobs } from "./engines";
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
      if (spec.name === topology.coordinationService || spec.name === MONOLITH_SERVICE) continue;
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

/** A platform labelled through one of the engines it runs, sharing that engine's address. */
export interface PlatformEngineTarget {
  readonly job: string;
  readonly platform: PlatformKind;
  /** The engine scrape job (engineMetricJobs) whose address this reuses. */
  readonly engineJob: string;
}

/**
 * A platform is monitored through the services it runs. Once the last service has left it (the
 * platform path's later phases keep Compose as the fallback), it may still run engines: those
 * are scraped once more under the platform's name, so the platform still counts as monitored.
 */
export function platformEngineTargets(topology: Topology): PlatformEngineTarget[] {
  const withServices = new Set(
    topology.services.filter((s) => s.metrics).map((s) => topology.placement[s.name]),
  );
  const targets: PlatformEngineTarget[] = [];
  for (const platform of PLATFORM_KINDS) {
    if (withServices.has(platform)) continue;
    const engine = METERED_ENGINES.find((e) => topology.engines[e] === platform);
    if (engine === undefined) continue;
    const [engineJob] = engineMetricJobs(engine)[0];
    targets.push({ job: `platform-${platform}-${engine}`, platform, engineJob });
  }
  return targets;
}

/** Engines with a scrape target of their own, in the order a platform's stand-in is chosen. */
const METERED_ENGINES = ["postgres", "kafka", "redpanda", "citus"] as const;
