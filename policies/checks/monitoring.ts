/**
 * During a phase where both systems of a path run, both must have metrics scraped. Monitoring
 * (components/monitoring) renders prometheus.yml with a `system` label on every static target,
 * and that text is in the inputs of its container (uploads) or ConfigMap (data); MetricsEndpoint
 * objects (`job` + `system`) found in inputs count too. Where a router splits a path's traffic
 * (api, consolidation), the router's own metrics must be scraped as well.
 */
import { parse } from "yaml";
import { MIGRATION_PATHS } from "../../migrations/paths";
import type { Ledger, PhaseRecord } from "../../migrations/ledger";
import type { MigrationPath, PathId } from "../../migrations/path";
import { classify, type ResourceView } from "../classify";
import type { Finding } from "./phases";
import { ROUTER_SYSTEM } from "../../components/routing/route";

interface PrometheusConfig {
  scrape_configs?: { static_configs?: { labels?: { system?: unknown } }[] }[];
}

/** `system` labels of a prometheus.yml text; empty when the text is not one. */
export function systemsInPrometheusConfig(text: string): string[] {
  let config: PrometheusConfig | undefined;
  try {
    config = parse(text) as PrometheusConfig | undefined;
  } catch {
    return [];
  }
  return (config?.scrape_configs ?? []).flatMap((job) =>
    (job.static_configs ?? []).flatMap((c) =>
      typeof c.labels?.system === "string" ? [c.labels.system] : [],
    ),
  );
}

/** Systems with a scrape target, from prometheus.yml texts and MetricsEndpoint objects. */
export function scrapedSystems(resources: readonly ResourceView[]): {
  systems: Set<string>;
  /** The first error reading a resource: in a preview, CrossGuard's unknown-value error. */
  unreadable?: Error;
} {
  const systems = new Set<string>();
  let unreadable: Error | undefined;
  const visit = (value: unknown, depth: number): void => {
    if (typeof value === "string" && value.includes("scrape_configs")) {
      for (const system of systemsInPrometheusConfig(value)) systems.add(system);
      return;
    }
    if (depth > 12 || typeof value !== "object" || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
      return;
    }
    const record = value as Record<string, unknown>;
    if (typeof record.job === "string" && typeof record.system === "string") {
      systems.add(record.system);
    }
    for (const inner of Object.values(record)) visit(inner, depth + 1);
  };
  for (const resource of resources) {
    try {
      visit(resource.props, 0);
    } catch (error) {
      unreadable ??= error instanceof Error ? error : new Error(String(error));
    }
  }
  return unreadable === undefined ? { systems } : { systems, unreadable };
}

/** Platforms at least one workload (a service's or an engine's) runs on. */
function platformsInUse(resources: readonly ResourceView[]): Set<string> {
  return new Set(
    resources.flatMap((r) => {
      const { roles, platform } = classify(r);
      return roles.includes("workload") && platform !== undefined ? [platform] : [];
    }),
  );
}

/**
 * A rollback out of retirement (e.g. `compose-retired` → `k3s`) brings the old platform back
 * empty: nothing runs on it to be compared until a service or engine is placed there again,
 * and from then on it needs its scrape target like any other. Only platforms: a broker or
 * database that a phase deploys runs, and is scraped, whatever came before.
 */
function restoredEmpty(
  path: MigrationPath,
  record: PhaseRecord,
  system: string,
  inUse: ReadonlySet<string>,
): boolean {
  const cameFrom = path.phases.find((p) => p.id === record.previous);
  return (
    cameFrom?.retirement === true &&
    system === path.oldSystem &&
    path.phases.some((p) => p.wiring.placement !== undefined) && // its systems are platforms
    !inUse.has(system)
  );
}

export function monitoringFindings(resources: readonly ResourceView[], ledger: Ledger): Finding[] {
  const { systems: scraped, unreadable } = scrapedSystems(resources);
  const inUse = platformsInUse(resources);
  const findings: Finding[] = [];
  for (const [pathId, record] of Object.entries(ledger.phases)) {
    const path = MIGRATION_PATHS[pathId as PathId];
    const phase = path?.phases.find((p) => p.id === record?.phase);
    if (!path || !record || !phase || phase.systems !== "both") continue;
    // Where a router splits the path's traffic, its metrics give each implementation's
    // request and error rates: the router is watched too.
    const routed = phase.wiring.newTrafficPercent !== undefined ? [ROUTER_SYSTEM] : [];
    const missing = [path.oldSystem, path.newSystem, ...routed].filter(
      (s) => !scraped.has(s) && !restoredEmpty(path, record, s, inUse),
    );
    if (missing.length > 0) {
      findings.push({
        message: `path "${path.id}" is in "${phase.id}" where both systems run, but ${missing.map((s) => `"${s}"`).join(" and ")} ${missing.length > 1 ? "have" : "has"} no metrics scrape target (scraped: ${[...scraped].sort().join(", ") || "none"})`,
      });
    }
  }
  // A missing system may hide in a value the preview does not know yet (a prometheus.yml built
  // from addresses): rethrow so CrossGuard reports "can't run during preview", not a violation.
  if (findings.length > 0 && unreadable !== undefined) throw unreadable;
  return findings;
}
