/**
 * Traffic as the weight rule sees it: for each route (what clients call), which implementation
 * serves what share of its requests, before and after an update, read from the routers'
 * configuration itself (K3s: the weighted TraefikService; Compose: the file the Traefik
 * container reads). An implementation is a workload and the image repository it runs: a new tag
 * or digest of the same repository is an ordinary update of that implementation; another
 * repository is another implementation, which gains traffic only in weighted steps, like the api
 * canary's new one.
 */
import { dockerImageResourceName } from "../../components/platform/compose-names";
import { routeOfServiceName, routeShares } from "../../components/routing/route";
import { weightedEntries } from "../../components/routing/traefik-crds";
import {
  routesInFileConfig,
  ROUTES_ENV,
  type ConfiguredBackend,
} from "../../components/routing/traefik-file";
import { CONSOLIDATION_PATH } from "../../migrations/paths";
import { MONOLITH_SERVICE, NEXT_SUFFIX } from "../../migrations/service-names";
import type { Plan } from "../../migrations/plan-model";
import { hasRole, serviceOfWorkload, type ResourceView } from "../classify";
import type { Finding, PathMove } from "./phases";
import { resourcesAfter, resourcesBefore } from "./plan-view";

/** One implementation's part of a route: its share (percent), image and image repository. */
export interface Serving {
  readonly share: number;
  readonly image?: string;
  readonly repository: string | undefined;
}

/** Who serves each route on one side of a plan. */
export interface SideTraffic {
  /** Routes a router splits (api canary, consolidation), by route. */
  readonly routed: ReadonlyMap<string, { serving: Map<string, Serving>; urn: string }>;
  /** Every service's workload: without a route, it serves all of its own traffic. */
  readonly plain: ReadonlyMap<string, Serving>;
  /** Router configurations that could not be read, with why, by resource URN. */
  readonly unreadable: ReadonlyMap<string, string>;
}

const DOCKER_IMAGE_TYPE = "docker:index/remoteImage:RemoteImage";
const DOCKER_CONTAINER_TYPE = "docker:index/container:Container";
const TRAEFIK_SERVICE_TYPE = "kubernetes:traefik.io/v1alpha1:TraefikService";

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

/** The weighted routes a router resource configures: a TraefikService or the Compose writer's file. */
function configuredRoutes(resource: ResourceView): Map<string, ConfiguredBackend[]> {
  if (resource.type === TRAEFIK_SERVICE_TYPE) {
    const name = (resource.props.metadata as { name?: unknown } | undefined)?.name;
    const route = typeof name === "string" ? routeOfServiceName(name) : undefined;
    const entries = weightedEntries(resource.props);
    return route !== undefined && entries.length > 0
      ? new Map([[route, entries]])
      : new Map<string, ConfiguredBackend[]>();
  }
  if (resource.type === DOCKER_CONTAINER_TYPE && Array.isArray(resource.props.envs)) {
    const prefix = `${ROUTES_ENV}=`;
    const entry = (resource.props.envs as unknown[]).find(
      (e): e is string => typeof e === "string" && e.startsWith(prefix),
    );
    if (entry !== undefined) return routesInFileConfig(entry.slice(prefix.length));
  }
  return new Map<string, ConfiguredBackend[]>();
}

/** Who serves each route on one side: the routers' weights, the workloads' images. */
export function sideTraffic(resources: readonly ResourceView[]): SideTraffic {
  const remoteImages = new Map<string, string>();
  for (const r of resources) {
    if (r.type === DOCKER_IMAGE_TYPE && typeof r.props.name === "string") {
      remoteImages.set(r.name, r.props.name);
    }
  }
  const plain = new Map<string, Serving>();
  const workloadUrn = new Map<string, string>();
  for (const resource of resources) {
    const service = hasRole(resource, "workload") ? serviceOfWorkload(resource) : undefined;
    if (service === undefined || plain.has(service)) continue; // on two platforms: counts once
    const image = imageOf(resource, service, remoteImages);
    const repository = image === undefined ? undefined : imageRepository(image);
    plain.set(service, { share: 100, ...(image === undefined ? {} : { image }), repository });
    workloadUrn.set(service, resource.urn);
  }
  const routed = new Map<string, { serving: Map<string, Serving>; urn: string }>();
  const unreadable = new Map<string, string>();
  for (const resource of resources) {
    let configured: Map<string, ConfiguredBackend[]>;
    try {
      configured = configuredRoutes(resource);
    } catch (error) {
      unreadable.set(resource.urn, error instanceof Error ? error.message : String(error));
      continue;
    }
    for (const [route, backends] of configured) {
      const shares = routeShares(backends);
      const serving = new Map<string, Serving>();
      for (const { service } of backends) {
        const workload = plain.get(service) ?? { share: 0, repository: undefined };
        serving.set(service, { ...workload, share: shares.get(service) ?? 0 });
      }
      // Findings point at the route's own service's workload, else at the router.
      routed.set(route, { serving, urn: workloadUrn.get(route) ?? resource.urn });
    }
  }
  return { routed, plain, unreadable };
}

/**
 * Who serves a route on one side: as routed, else what served it before routing began (the
 * service's own workload alone), else nobody.
 */
export function servingOn(side: SideTraffic, route: string): Map<string, Serving> | undefined {
  const routed = side.routed.get(route);
  if (routed) return routed.serving;
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
  const weight = `stepwise:monolithWeights.${route}`;
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
    return `. ${MONOLITH_SERVICE} would run another implementation, which gets traffic only in weighted steps: at consolidation phase "monolith-parallel" step every stepwise:monolithWeights entry to 0, change stepwise:monolithImage, then raise the weights step by step (a new tag of the same repository is an ordinary update)`;
  }
  if (replaced !== undefined) {
    return `. ${replaced} would run another implementation, which gets traffic only through the canary: at api phase "canary" set stepwise:apiWeights.${route} to 0, change the image, then raise the weight step by step (a new tag of the same repository is an ordinary update)`;
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
