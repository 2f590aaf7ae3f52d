/** Rules only a plan can check: they compare before with after, or look at deletions. */
import type { MigrationPath } from "../../migrations/path";
import { datalessRollbackSystem } from "../../migrations/path-queries";
import type { Plan, PlanStep } from "../../migrations/plan-model";
import {
  classify,
  hasRole,
  isMonitoringResource,
  serviceOfWorkload,
  systemOfResource,
  type ResourceView,
} from "../classify";
import type { StatefulTypeOverrides } from "../stateful-types";
import type { Finding, PathMove } from "./phases";
import { trafficStepFindings } from "./traffic";
import { routeOfServiceName, routeShares } from "../../components/routing/route";
import { weightedEntries } from "../../components/routing/traefik-crds";
import {
  beforeOf,
  afterOf,
  isCreate,
  isDelete,
  isRetainedDelete,
  REPLACES,
  subjectOf,
} from "./plan-view";

/** Which platforms each service runs on, over a set of resources. */
function placements(resources: readonly ResourceView[]): Map<string, Set<string>> {
  const byService = new Map<string, Set<string>>();
  for (const resource of resources) {
    const platform = classify(resource).platform;
    const service = platform && serviceOfWorkload(resource);
    if (!platform || !service) continue;
    const set = byService.get(service) ?? new Set<string>();
    set.add(platform);
    byService.set(service, set);
  }
  return byService;
}

const describe = (set: Set<string> | undefined): string => [...(set ?? [])].sort().join("+");

/** A service changes platform when it ran before and after, on different platforms. */
export function platformMoveFindings(plan: Plan): Finding[] {
  const before = placements(plan.steps.flatMap((s) => beforeOf(s) ?? []));
  const after = placements(plan.steps.flatMap((s) => afterOf(s) ?? []));
  const moved = [...before.keys()]
    .filter(
      (service) =>
        after.has(service) && describe(before.get(service)) !== describe(after.get(service)),
    )
    .sort();
  if (moved.length <= 1) return [];
  const moves = moved.map((s) => `${s} (${describe(before.get(s))} → ${describe(after.get(s))})`);
  return [
    { message: `${moved.length} services change platform in one update: ${moves.join(", ")}` },
  ];
}

/** Share of traffic (percent) each backend of a Traefik weighted service gets. */
export function weightShares(resource: ResourceView): Map<string, number> {
  return routeShares(weightedEntries(resource.props));
}

/** A TraefikService of stepwise's own routers: traffic.ts judges it per route, by implementation. */
function isStepwiseRoute(resource: ResourceView): boolean {
  const name = (resource.props.metadata as { name?: unknown } | undefined)?.name;
  return typeof name === "string" && routeOfServiceName(name) !== undefined;
}

/**
 * Traffic moves by at most `step` points per update: per route of stepwise's routers, by
 * implementation (traffic.ts), and per backend of any other Traefik weighted route. A new
 * weighted route is judged against all traffic on one backend (the one it had before the
 * route existed).
 */
export function weightStepFindings(plan: Plan, step: number): Finding[] {
  const findings: Finding[] = trafficStepFindings(plan, step);
  for (const planStep of plan.steps) {
    const after = afterOf(planStep);
    if (!after || !hasRole(after, "weighted-route") || isStepwiseRoute(after)) continue;
    const newShares = weightShares(after);
    const before = beforeOf(planStep);
    if (before) {
      const oldShares = weightShares(before);
      for (const name of new Set([...oldShares.keys(), ...newShares.keys()])) {
        const moved = Math.abs((newShares.get(name) ?? 0) - (oldShares.get(name) ?? 0));
        if (moved > step + 1e-9) {
          findings.push({
            message: `${after.name}: weight of "${name}" moves ${moved.toFixed(0)} points (${(oldShares.get(name) ?? 0).toFixed(0)}% → ${(newShares.get(name) ?? 0).toFixed(0)}%); the limit is ${step}`,
            urn: after.urn,
          });
        }
      }
    } else {
      const largest = Math.max(0, ...newShares.values());
      if (100 - largest > step + 1e-9) {
        findings.push({
          message: `${after.name}: a new weighted route sends ${(100 - largest).toFixed(0)}% away from its main backend at once; the limit is ${step}`,
          urn: after.urn,
        });
      }
    }
  }
  return findings;
}

/**
 * No update creates a path's new system and deletes its old one: by the systems' own components
 * in the plan, and by what the phases say is deployed.
 */
export function createAndDeleteFindings(
  plan: Plan,
  moves: readonly PathMove[],
  paths: readonly MigrationPath[],
): Finding[] {
  const findings: Finding[] = [];
  for (const path of paths) {
    const created = plan.steps.filter((s) => isCreate(s) && systemOf(s, path) === path.newSystem);
    const deleted = plan.steps.filter((s) => isDelete(s) && systemOf(s, path) === path.oldSystem);
    if (created.length > 0 && deleted.length > 0) {
      findings.push({
        message: `path "${path.id}": this update creates ${path.newSystem} (${created.map((s) => subjectOf(s)?.name).join(", ")}) and deletes ${path.oldSystem} (${deleted.map((s) => subjectOf(s)?.name).join(", ")})`,
      });
    }
  }
  for (const move of moves) {
    const from = move.path.phases.find((p) => p.id === move.from)?.wiring.deployed ?? [];
    const to = move.path.phases.find((p) => p.id === move.to)?.wiring.deployed ?? [];
    const adds = to.filter((s) => !from.includes(s));
    const drops = from.filter((s) => !to.includes(s));
    if (adds.length > 0 && drops.length > 0) {
      findings.push({
        message: `path "${move.path.id}": ${move.from} → ${move.to} adds ${adds.join(", ")} and drops ${drops.join(", ")} in one update`,
      });
    }
  }
  return findings;
}

function systemOf(step: PlanStep, path: MigrationPath): string | undefined {
  const subject = subjectOf(step);
  const system = subject && classify(subject).system;
  return system?.path === path.id ? system.name : undefined;
}

export function replacedStatefulFindings(plan: Plan, overrides?: StatefulTypeOverrides): Finding[] {
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const step of plan.steps) {
    const subject = subjectOf(step);
    if (
      !REPLACES.has(step.op) ||
      !subject ||
      !hasRole(subject, "stateful", overrides) ||
      seen.has(step.urn)
    ) {
      continue;
    }
    seen.add(step.urn);
    const why = step.replaceReasons?.length ? ` (changed: ${step.replaceReasons.join(", ")})` : "";
    findings.push({
      message: `${subject.name} (${subject.type}) would be replaced${why}, losing its data`,
      urn: step.urn,
    });
  }
  return findings;
}

/** Stateful resources whose data this update destroys; retained ones are only forgotten. */
function destroyedStateful(plan: Plan, overrides?: StatefulTypeOverrides): ResourceView[] {
  return plan.steps
    .filter((s) => isDelete(s) && !isRetainedDelete(s))
    .map((s) => subjectOf(s))
    .filter((r): r is ResourceView => r !== undefined && hasRole(r, "stateful", overrides));
}

/**
 * The stateful deletes a dataless rollback among `moves` makes: those of the system it removes
 * (datalessRollbackSystem), e.g. Kafka's brokers, volumes and topics when `events` rolls back
 * from `parallel`. Only these; any other delete in the same update is judged as usual.
 */
export function datalessRollbackDeletes(
  plan: Plan,
  moves: readonly PathMove[],
  overrides?: StatefulTypeOverrides,
): ResourceView[] {
  const removed = moves.flatMap((m) => {
    const name = datalessRollbackSystem(m.path, m.from, m.to);
    return name === undefined ? [] : [{ path: m.path.id, name }];
  });
  return destroyedStateful(plan, overrides).filter((r) => {
    const system = systemOfResource(r);
    return removed.some((s) => s.path === system?.path && s.name === system.name);
  });
}

/** Stateful deletes the delete rules judge: all but those of a dataless rollback in `moves`. */
export function deletedStateful(
  plan: Plan,
  moves: readonly PathMove[],
  overrides?: StatefulTypeOverrides,
): ResourceView[] {
  const exempt = new Set(datalessRollbackDeletes(plan, moves, overrides).map((r) => r.urn));
  return destroyedStateful(plan, overrides).filter((r) => !exempt.has(r.urn));
}

/**
 * A data deletion rides alone: besides the stateful deletes, nothing is created, replaced or
 * changed in a workload, and no path moves but one entering retirement or the dataless
 * rollback whose system is all that is deleted.
 */
export function deleteAloneFindings(
  plan: Plan,
  moves: readonly PathMove[],
  overrides?: StatefulTypeOverrides,
): Finding[] {
  const deleted = destroyedStateful(plan, overrides);
  if (deleted.length === 0) return [];
  const foreign = deletedStateful(plan, moves, overrides);
  const explains = (m: PathMove): boolean =>
    m.path.phases.find((p) => p.id === m.to)?.retirement === true ||
    (foreign.length === 0 && datalessRollbackSystem(m.path, m.from, m.to) !== undefined);
  const problems = [
    ...otherChanges(plan).map((r) => `${r.name} changes`),
    ...moves.filter((m) => !explains(m)).map((m) => `path "${m.path.id}" moves`),
  ];
  if (problems.length === 0) return [];
  return [
    {
      message: `this update deletes ${deleted.map((r) => r.name).join(", ")} and also: ${problems.join("; ")}`,
    },
  ];
}

/**
 * Changes that must not ride along with a data deletion: creates, replacements and workload
 * updates. The ledger and Monitoring (which stops scraping what is deleted) are exempt.
 */
function otherChanges(plan: Plan): ResourceView[] {
  return plan.steps
    .filter((s) => {
      const subject = subjectOf(s);
      if (!subject || hasRole(subject, "ledger") || isMonitoringResource(s.urn)) return false;
      if (s.op === "create" || REPLACES.has(s.op)) return true;
      return s.op === "update" && hasRole(subject, "workload");
    })
    .map((s) => subjectOf(s))
    .filter((r): r is ResourceView => r !== undefined);
}
