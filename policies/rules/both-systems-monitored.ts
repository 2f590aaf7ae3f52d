/**
 * `both-systems-monitored`: during a phase where both systems of a path run, both have metrics
 * scraped (checks/monitoring.ts reads which systems are); where a router splits a path's traffic
 * (api, consolidation), the router's own metrics are scraped as well.
 */
import { ROUTER_SYSTEM } from "../../components/routing/route";
import type { Ledger, PhaseRecord } from "../../migrations/ledger";
import type { MigrationPath, PathId } from "../../migrations/path";
import { MIGRATION_PATHS } from "../../migrations/paths";
import { classify, type ResourceView } from "../classify";
import { defineRule, STRICT } from "../rule-definition";
import { scrapedSystems } from "../checks/monitoring";
import type { Finding } from "../checks/phases";
import { resourcesAfter } from "../checks/plan-view";

export const bothSystemsMonitored = defineRule({
  id: "both-systems-monitored",
  scope: "path",
  title: "Both systems are monitored during a transition",
  prevents: "Migrating without metrics: comparing old and new blind.",
  satisfy:
    "While a path is in a phase where both systems run, give Monitoring a MetricsEndpoint for each system (its `system` field names it), and where a router splits the path's traffic (api, consolidation) one for the router (`system: router`; the routers stepwise declares have it). A platform a rollback out of retirement brought back needs one once a service or engine runs on it again.",
  levels: STRICT,
  transition: (t) => monitoringFindings(resourcesAfter(t.plan), t.after),
  pack: { stack: (ledger, resources) => monitoringFindings(resources, ledger) },
});

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

function monitoringFindings(resources: readonly ResourceView[], ledger: Ledger): Finding[] {
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
