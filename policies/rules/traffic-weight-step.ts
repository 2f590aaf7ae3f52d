/**
 * `traffic-weight-step`: each implementation's share of a service's traffic moves by a bounded
 * step per update, judged on the routers' own weights (checks/traffic.ts reads who serves what).
 */
import { routeOfServiceName, routeShares } from "../../components/routing/route";
import { weightedEntries } from "../../components/routing/traefik-crds";
import type { Plan } from "../../migrations/plan-model";
import { CONSOLIDATION_PATH } from "../../migrations/paths";
import { MONOLITH_SERVICE, NEXT_SUFFIX } from "../../migrations/service-names";
import { hasRole, type ResourceView } from "../classify";
import { DEFAULT_WEIGHT_STEP } from "../defaults";
import { configKey, defineRule, policySetting, STRICT } from "../rule-definition";
import { thisUpdatesMoves } from "../checks/ledger-moves";
import type { Finding, PathMove } from "../checks/phases";
import { afterOf, beforeOf, resourcesAfter, resourcesBefore } from "../checks/plan-view";
import { servingOn, sideTraffic, type Serving } from "../checks/traffic";

export const trafficWeightStep = defineRule({
  id: "traffic-weight-step",
  scope: "resource",
  title: "Traffic weight moves by a bounded step",
  prevents:
    "Shifting most traffic to a new implementation in one go: a canary weight jump, the consolidation cutover, or another image for the implementation that serves; judged on the routers' own weights.",
  satisfy: `Move each implementation's share of a service's traffic by at most ${policySetting("weightStep")} points (default ${DEFAULT_WEIGHT_STEP}) per update; another image repository is another implementation and starts from 0 (a new tag of the same repository is an ordinary update); release a serving implementation's new image in an update of its own, without a weight change.`,
  levels: STRICT,
  transition: (t) => weightStepFindings(t.plan, t.settings.weightStep),
  pack: {
    // The pack sees no old weights, but it sees this update's phase steps, the share of traffic
    // each phase fixes and, in a weighted phase being entered, the shares the workloads carry.
    stack: (ledger, resources, c) =>
      thisUpdatesMoves(ledger).flatMap((m) =>
        phaseTrafficFindings(m, c.settings.weightStep, resources),
      ),
  },
});

/** Share of traffic (percent) each backend of a Traefik weighted service gets. */
export function weightShares(resource: ResourceView): Map<string, number> {
  return routeShares(weightedEntries(resource.props));
}

/** A TraefikService of stepwise's own routers: trafficStepFindings judges it per route, by implementation. */
function isStepwiseRoute(resource: ResourceView): boolean {
  const name = (resource.props.metadata as { name?: unknown } | undefined)?.name;
  return typeof name === "string" && routeOfServiceName(name) !== undefined;
}

/**
 * Traffic moves by at most `step` points per update: per route of stepwise's routers, by
 * implementation (trafficStepFindings), and per backend of any other Traefik weighted route. A new
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

/** Another image repository: another implementation took the workload's place. */
function swapped(before: Serving | undefined, after: Serving | undefined): boolean {
  return (
    before?.repository !== undefined &&
    after?.repository !== undefined &&
    before.repository !== after.repository
  );
}

/**
 * Points of a route's traffic that change hands: what the gainers gain (or the losers lose, if
 * more). An implementation whose image repository changes is another one: all its share moves.
 */
function movedPoints(was: ReadonlyMap<string, Serving>, is: ReadonlyMap<string, Serving>): number {
  let gained = 0;
  let lost = 0;
  for (const who of new Set([...was.keys(), ...is.keys()])) {
    const before = was.get(who);
    const after = is.get(who);
    if (swapped(before, after)) {
      gained += after?.share ?? 0;
      lost += before?.share ?? 0;
      continue;
    }
    const delta = (after?.share ?? 0) - (before?.share ?? 0);
    if (delta > 0) gained += delta;
    else lost -= delta;
  }
  return Math.max(gained, lost);
}

/**
 * The implementations whose part changes, the route's own service first, e.g.
 * `S 75% → 25%, S-next 25% → 75%` or `S-next a/x 100% → a/y 100%`.
 */
function describeMove(
  route: string,
  was: ReadonlyMap<string, Serving>,
  is: ReadonlyMap<string, Serving>,
): string {
  const parts: string[] = [];
  const first = (a: string, b: string) => (a === route ? -1 : b === route ? 1 : a.localeCompare(b));
  for (const who of [...new Set([...was.keys(), ...is.keys()])].sort(first)) {
    const before = was.get(who);
    const after = is.get(who);
    if (swapped(before, after)) {
      parts.push(
        `${who} ${before?.repository} ${before?.share}% → ${after?.repository} ${after?.share}%`,
      );
    } else if ((before?.share ?? 0) !== (after?.share ?? 0)) {
      parts.push(`${who} ${before?.share ?? 0}% → ${after?.share ?? 0}%`);
    }
  }
  return parts.join(", ");
}

/** How a service's traffic moves to the monolith and back, for a refused move on its route. */
function consolidationSteps(route: string, step: number): string {
  const weight = configKey("monolithWeights", route);
  return `The modular monolith takes a service's traffic in weighted steps: at consolidation phase "monolith-parallel" move ${weight} by at most ${step} per update, up to at least ${100 - step} before the cutover to "modular-monolith" and down to at most ${step} before the rollback to "microservices" (the rollback from "modular-monolith" sets the weights to 100)`;
}

/** What to do instead, when the rule's own advice (smaller weight steps) is not enough. */
function howToStep(
  route: string,
  was: ReadonlyMap<string, Serving>,
  is: ReadonlyMap<string, Serving>,
  step: number,
): string {
  const replaced = [...is.keys()].find(
    (who) => (is.get(who)?.share ?? 0) > 0 && swapped(was.get(who), is.get(who)),
  );
  if (replaced === MONOLITH_SERVICE) {
    return `. ${MONOLITH_SERVICE} would run another implementation, which gets traffic only in weighted steps: at consolidation phase "monolith-parallel" step every ${configKey("monolithWeights")} entry to 0, change ${configKey("monolithImage")}, then raise the weights step by step (a new tag of the same repository is an ordinary update)`;
  }
  if (replaced !== undefined) {
    return `. ${replaced} would run another implementation, which gets traffic only through the canary: at api phase "canary" set ${configKey("apiWeights", route)} to 0, change the image, then raise the weight step by step (a new tag of the same repository is an ordinary update)`;
  }
  if (was.has(MONOLITH_SERVICE) || is.has(MONOLITH_SERVICE)) {
    return `. ${consolidationSteps(route, step)}`;
  }
  return "";
}

/**
 * A serving implementation's new image riding with a weight move: the implementation that takes
 * more traffic must be the one the earlier steps saw, so each is a reviewed update of its own.
 */
function imageWithWeights(
  route: string,
  was: ReadonlyMap<string, Serving>,
  is: ReadonlyMap<string, Serving>,
): string | undefined {
  const weightsMove = [...new Set([...was.keys(), ...is.keys()])].some(
    (who) => (was.get(who)?.share ?? 0) !== (is.get(who)?.share ?? 0),
  );
  if (!weightsMove) return undefined;
  for (const [who, after] of is) {
    const before = was.get(who);
    if (before === undefined || before.image === undefined || after.image === undefined) continue;
    if (before.image === after.image || (before.share === 0 && after.share === 0)) continue;
    return `service "${route}": its weights change (${describeMove(route, was, is)}) in the same update as the image of ${who}, which serves its traffic (${before.image} → ${after.image}); change the image and the weights in separate updates, so each is reviewed on its own`;
  }
  return undefined;
}

/**
 * Per route, at most `step` points of its traffic may change hands in one update, and a serving
 * implementation's new image is not one of them.
 */
export function trafficStepFindings(plan: Plan, step: number): Finding[] {
  const before = sideTraffic(resourcesBefore(plan));
  const after = sideTraffic(resourcesAfter(plan));
  const findings: Finding[] = [...after.unreadable].map(([urn, why]) => ({
    message: `the router's routes do not parse (${why.split("\n")[0]}): the traffic they send cannot be judged; render them with stepwise's router components`,
    urn,
  }));
  for (const route of [...new Set([...before.routed.keys(), ...after.routed.keys()])].sort()) {
    const is = servingOn(after, route);
    if (!is) continue; // the route goes away: the phase rules judge what is removed
    const was = servingOn(before, route) ?? new Map<string, Serving>();
    const urn = after.routed.get(route)?.urn ?? before.routed.get(route)?.urn;
    const riding = imageWithWeights(route, was, is);
    if (riding !== undefined)
      findings.push({ message: riding, ...(urn === undefined ? {} : { urn }) });
    const moved = movedPoints(was, is);
    if (moved <= step + 1e-9) continue;
    findings.push({
      message: `service "${route}": ${moved} points of its traffic change hands in one update (${describeMove(route, was, is)}); the limit is ${step}${howToStep(route, was, is, step)}`,
      ...(urn === undefined ? {} : { urn }),
    });
  }
  return findings;
}

/** The workload that is a path's new system on a route: the monolith, or the api's `S-next`. */
function newSystemOn(path: PathMove["path"], route: string): string {
  return path.id === CONSOLIDATION_PATH.id ? MONOLITH_SERVICE : `${route}${NEXT_SUFFIX}`;
}

/**
 * A phase step that moves a share of traffic by more than `step` points, as far as the pack
 * sees it (new inputs only): between the shares two phases fix (api `old` → `new`), or from a
 * fixed share into a weighted phase (api `canary`, consolidation `monolith-parallel`) whose
 * per-service shares the workloads' labels carry. A step out of a weighted phase starts from
 * weights only the old inputs hold: plans judge it, as they judge weight changes.
 */
export function phaseTrafficFindings(
  move: PathMove,
  step: number,
  resources: readonly ResourceView[],
): Finding[] {
  const share = (phase: string) =>
    move.path.phases.find((p) => p.id === phase)?.wiring.newTrafficPercent;
  const from = share(move.from);
  const to = share(move.to);
  if (typeof from !== "number" || to === undefined) return [];
  const shares =
    to === "per-service"
      ? [...sideTraffic(resources).routed].map(([route, { serving, urn }]) => ({
          what: `service "${route}"'s traffic`,
          share: serving.get(newSystemOn(move.path, route))?.share,
          urn,
        }))
      : [{ what: "traffic", share: to, urn: undefined }];
  return shares.flatMap(({ what, share: is, urn }) => {
    if (is === undefined || Math.abs(is - from) <= step) return [];
    return [
      {
        message: `path "${move.path.id}": ${move.from} → ${move.to} moves ${Math.abs(is - from)} points of ${what} ${is > from ? "to" : "away from"} ${move.path.newSystem} in one update (${from}% → ${is}%); the limit is ${step}`,
        ...(urn === undefined ? {} : { urn }),
      },
    ];
  });
}
