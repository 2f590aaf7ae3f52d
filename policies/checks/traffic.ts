/**
 * Traffic as the weight rule sees it: for each route (what clients call), which implementation
 * serves what share of its requests, before and after an update. An implementation is a
 * workload and the image repository it runs: a new tag or digest of the same repository is an
 * ordinary update of that implementation; another repository is another implementation, which
 * gains traffic only in weighted steps, like the api canary's new one.
 */
import { dockerImageResourceName } from "../../components/platform/compose-names";
import { CONSOLIDATION_PATH } from "../../migrations/paths";
import { LABELS, MONOLITH_SERVICE, NEXT_SUFFIX } from "../../migrations/program/topology";
import type { Plan } from "../../tools/plan/plan";
import { hasRole, serviceOfWorkload, type ResourceView } from "../classify";
import type { Finding, PathMove } from "./phases";
import { resourcesAfter, resourcesBefore } from "./plan-view";

/** One implementation's part of a route: its share (percent) and image repository. */
interface Serving {
  readonly share: number;
  readonly repository: string | undefined;
}

/** Who serves each route on one side of a plan. */
interface SideTraffic {
  /** Routes the program weighs (api) or hands over (consolidation), by route. */
  readonly routed: ReadonlyMap<string, { serving: Map<string, Serving>; urn: string }>;
  /** Every other service's workload: it serves all of its own traffic. */
  readonly plain: ReadonlyMap<string, Serving>;
}

const DOCKER_IMAGE_TYPE = "docker:index/remoteImage:RemoteImage";
/** What serves the modules' traffic until the monolith does: the services, together. */
const SERVICES = CONSOLIDATION_PATH.oldSystem;

/** A workload's labels: Compose container labels, or Kubernetes object and pod template labels. */
export function workloadLabels(resource: ResourceView): Record<string, string> {
  const labels: Record<string, string> = {};
  const props = resource.props;
  if (Array.isArray(props.labels)) {
    for (const entry of props.labels as { label?: unknown; value?: unknown }[]) {
      if (typeof entry.label === "string" && typeof entry.value === "string") {
        labels[entry.label] = entry.value;
      }
    }
  }
  const metadata = props.metadata as { labels?: Record<string, unknown> } | undefined;
  const spec = props.spec as { template?: { metadata?: { labels?: Record<string, unknown> } } };
  for (const source of [metadata?.labels, spec?.template?.metadata?.labels]) {
    for (const [key, value] of Object.entries(source ?? {})) {
      if (typeof value === "string") labels[key] = value;
    }
  }
  return labels;
}

/** The repository an image reference names, without its tag or digest. */
export function imageRepository(image: string): string {
  const undigested = image.split("@")[0] ?? image;
  const colon = undigested.lastIndexOf(":");
  return colon > undigested.lastIndexOf("/") ? undigested.slice(0, colon) : undigested;
}

/**
 * The image a workload runs: its Kubernetes container's (the one named after the service), or
 * the RemoteImage of its Compose container (whose own `image` is only an image ID).
 */
function imageOf(
  resource: ResourceView,
  service: string,
  remoteImages: ReadonlyMap<string, string>,
): string | undefined {
  const spec = resource.props.spec as
    { template?: { spec?: { containers?: { name?: unknown; image?: unknown }[] } } } | undefined;
  const containers = spec?.template?.spec?.containers ?? [];
  const container = containers.find((c) => c.name === service) ?? containers[0];
  if (typeof container?.image === "string") return container.image;
  return remoteImages.get(dockerImageResourceName(resource.name));
}

function sideTraffic(resources: readonly ResourceView[]): SideTraffic {
  const remoteImages = new Map<string, string>();
  for (const r of resources) {
    if (r.type === DOCKER_IMAGE_TYPE && typeof r.props.name === "string") {
      remoteImages.set(r.name, r.props.name);
    }
  }
  const routed = new Map<string, { serving: Map<string, Serving>; urn: string }>();
  const plain = new Map<string, Serving>();
  const serve = (route: string, urn: string, who: string, serving: Serving) => {
    const entry = routed.get(route) ?? { serving: new Map<string, Serving>(), urn };
    entry.serving.set(who, serving); // a service on two platforms at once counts once
    routed.set(route, entry);
  };
  for (const resource of resources) {
    const service = hasRole(resource, "workload") ? serviceOfWorkload(resource) : undefined;
    if (service === undefined) continue;
    const labels = workloadLabels(resource);
    const image = imageOf(resource, service, remoteImages);
    const repository = image === undefined ? undefined : imageRepository(image);
    const weight = labels[LABELS.trafficWeight];
    if (weight !== undefined || labels[LABELS.implementation] !== undefined) {
      // api: the old implementation S and the new one S-next share the route S by weight.
      const route = service.endsWith(NEXT_SUFFIX) ? service.slice(0, -NEXT_SUFFIX.length) : service;
      const share = Number(weight ?? 100);
      serve(route, resource.urn, service, {
        share: Number.isFinite(share) ? share : 100,
        repository,
      });
    } else if (service === MONOLITH_SERVICE && labels[LABELS.servedBy] !== undefined) {
      // consolidation: the modules' traffic goes to the services or, all of it, to the monolith.
      const toMonolith = labels[LABELS.servedBy] === MONOLITH_SERVICE;
      serve(service, resource.urn, SERVICES, {
        share: toMonolith ? 0 : 100,
        repository: undefined,
      });
      serve(service, resource.urn, service, { share: toMonolith ? 100 : 0, repository });
    } else if (!plain.has(service)) {
      plain.set(service, { share: 100, repository });
    }
  }
  return { routed, plain };
}

/**
 * Who serves a route on one side: as routed, else what served it before routing began (the api
 * path's old implementation alone; the services, for the monolith), else nobody.
 */
function servingOn(side: SideTraffic, route: string): Map<string, Serving> | undefined {
  const routed = side.routed.get(route);
  if (routed) return routed.serving;
  if (route === MONOLITH_SERVICE)
    return new Map([[SERVICES, { share: 100, repository: undefined }]]);
  const plain = side.plain.get(route);
  return plain ? new Map([[route, plain]]) : undefined;
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

/** The implementations whose part changes, e.g. `S 75% → 25%` or `S-next a/x 100% → a/y 100%`. */
function describeMove(was: ReadonlyMap<string, Serving>, is: ReadonlyMap<string, Serving>): string {
  const parts: string[] = [];
  for (const who of new Set([...was.keys(), ...is.keys()])) {
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

const NO_WEIGHTED_PHASE =
  "The consolidation path has no weighted phase: its cutover, and the rollback of it, hands all of the services' traffic over at once, so it passes only where traffic-weight-step is not mandatory (dev) or stepwise:policy.weightStep is 100, set in an update of its own";

/** What to do instead, when the rule's own advice (smaller weight steps) is not enough. */
function howToStep(
  route: string,
  was: ReadonlyMap<string, Serving>,
  is: ReadonlyMap<string, Serving>,
): string {
  if (route === MONOLITH_SERVICE) return `. ${NO_WEIGHTED_PHASE}`;
  const replaced = [...is.keys()].find(
    (who) => (is.get(who)?.share ?? 0) > 0 && swapped(was.get(who), is.get(who)),
  );
  if (replaced === undefined) return "";
  return `. ${replaced} would run another implementation, which gets traffic only through the canary: at api phase "canary" set stepwise:apiWeights.${route} to 0, change the image, then raise the weight step by step (a new tag of the same repository is an ordinary update)`;
}

const whose = (route: string, points: number): string =>
  route === MONOLITH_SERVICE
    ? `consolidation: ${points} points of the services'`
    : `service "${route}": ${points} points of its`;

/** Per route, at most `step` points of its traffic may change hands in one update. */
export function trafficStepFindings(plan: Plan, step: number): Finding[] {
  const before = sideTraffic(resourcesBefore(plan));
  const after = sideTraffic(resourcesAfter(plan));
  const findings: Finding[] = [];
  for (const route of [...new Set([...before.routed.keys(), ...after.routed.keys()])].sort()) {
    const is = servingOn(after, route);
    if (!is) continue; // the route goes away: the phase rules judge what is removed
    const was = servingOn(before, route) ?? new Map<string, Serving>();
    const moved = movedPoints(was, is);
    if (moved <= step + 1e-9) continue;
    const urn = after.routed.get(route)?.urn ?? before.routed.get(route)?.urn;
    findings.push({
      message: `${whose(route, moved)} traffic change hands in one update (${describeMove(was, is)}); the limit is ${step}${howToStep(route, was, is)}`,
      ...(urn === undefined ? {} : { urn }),
    });
  }
  return findings;
}

/**
 * A phase step that moves the share of traffic its phases fix (the consolidation cutover hands
 * 0 → 100 % to the monolith) by more than `step` points. What the pack can see without the old
 * inputs; shares a stack sets per service (the api canary's weights) are judged on plans.
 */
export function phaseTrafficFindings(move: PathMove, step: number): Finding[] {
  const share = (phase: string) =>
    move.path.phases.find((p) => p.id === phase)?.wiring.newTrafficPercent;
  const from = share(move.from);
  const to = share(move.to);
  if (typeof from !== "number" || typeof to !== "number") return [];
  const moved = Math.abs(to - from);
  if (moved <= step) return [];
  const hint = move.path.id === CONSOLIDATION_PATH.id ? `. ${NO_WEIGHTED_PHASE}` : "";
  return [
    {
      message: `path "${move.path.id}": ${move.from} → ${move.to} moves ${moved} points of traffic ${to > from ? "to" : "away from"} ${move.path.newSystem} in one update (${from}% → ${to}%); the limit is ${step}${hint}`,
    },
  ];
}
