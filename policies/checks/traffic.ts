/**
 * Traffic as the weight rule (rules/traffic-weight-step.ts) and the review see it: for each
 * route (what clients call), which implementation serves what share of its requests on one side
 * of an update, read from the routers' configuration itself (K3s: the weighted TraefikService;
 * Compose: the file the Traefik container reads). An implementation is a workload and the image
 * repository it runs: a new tag or digest of the same repository is an ordinary update of that
 * implementation; another repository is another implementation, which gains traffic only in
 * weighted steps, like the api canary's new one.
 */
import { dockerImageResourceName } from "../../components/platform/compose-names";
import { routeOfServiceName, routeShares } from "../../components/routing/route";
import { weightedEntries } from "../../components/routing/traefik-crds";
import {
  routesInFileConfig,
  ROUTES_ENV,
  type ConfiguredBackend,
} from "../../components/routing/traefik-file";
import { hasRole, serviceOfWorkload, type ResourceView } from "../classify";

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
