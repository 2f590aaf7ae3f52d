import { type PlatformKind } from "../spec";
import { PLATFORM_KINDS } from "../spec/service-spec";
import { addressEnvName, type ResolvedService } from "../spec/resolve";

/** Which platform each service runs on; services left out stay on Compose. */
export type Placement = Readonly<Record<string, PlatformKind>>;

/** A service outside the cluster that K3s workloads reach under its own name. */
export interface ExternalService {
  readonly name: string;
  /** Host (DNS name or IPv4) the ports are published on. */
  readonly host: string;
  readonly ports: readonly number[];
}

/** What each platform needs to reach the other's services. */
export interface DiscoveryPlan {
  /** For Compose: `host:port` of K3s services that Compose services depend on. */
  readonly composeRemotes: Readonly<Record<string, string>>;
  /** For K3s: Compose services that K3s services depend on, bridged in as Services. */
  readonly k3sExternal: readonly ExternalService[];
  /** For K3s: services Compose depends on, exposed on the node address (ServiceLB). */
  readonly k3sExposed: readonly string[];
}

export interface PlatformAddresses {
  /** Docker host address where Compose publishes ports, as K3s nodes see it. */
  readonly composeHost: string;
  /** K3s node / load-balancer address, as the Docker host sees it. */
  readonly k3sAddress: string;
}

export function platformOf(placement: Placement, service: string): PlatformKind {
  return placement[service] ?? "compose";
}

/** Unknown names in a placement are an error: a typo would otherwise leave a service behind. */
export function checkPlacement(placement: Placement, services: readonly { name: string }[]): void {
  const [first] = placementProblems(placement, services);
  if (first !== undefined) throw new Error(first);
}

/** Every entry of a placement that names no service or no platform, one line each. */
export function placementProblems(
  placement: Placement,
  services: readonly { name: string }[],
): string[] {
  const known = services.map((s) => s.name);
  return Object.entries(placement).flatMap(([name, kind]) => {
    if (!known.includes(name)) {
      return [
        `placement.${name} = "${kind}": no such service; known services are ${JSON.stringify(known)}`,
      ];
    }
    if (!(PLATFORM_KINDS as readonly string[]).includes(kind)) {
      const kinds = PLATFORM_KINDS.map((k) => JSON.stringify(k)).join(" or ");
      return [`placement.${name} = ${JSON.stringify(kind)}: must be ${kinds}`];
    }
    return [];
  });
}

/** Something on a platform that reaches services, besides the services themselves (a router). */
export interface DiscoveryClient {
  readonly platform: PlatformKind;
  readonly dependsOn: readonly string[];
}

/**
 * Cross-platform wiring for one placement. Only edges that cross platforms produce anything,
 * so moving a service touches its own resources and the wiring of its direct neighbours.
 * `clients` reach services the way dependents do (a router on K3s reaches a backend still on
 * Compose through the same bridge a K3s service would).
 */
export function planDiscovery(
  services: readonly ResolvedService[],
  placement: Placement,
  addresses: PlatformAddresses,
  clients: readonly DiscoveryClient[] = [],
): DiscoveryPlan {
  const byName = new Map(services.map((s) => [s.name, s]));
  const composeRemotes: Record<string, string> = {};
  const external = new Map<string, ExternalService>();
  const exposed = new Set<string>();
  const edges: DiscoveryClient[] = [
    ...services.map((s) => ({ platform: platformOf(placement, s.name), dependsOn: s.dependsOn })),
    ...clients,
  ];
  for (const { platform: from, dependsOn } of edges) {
    for (const depName of dependsOn) {
      const dep = byName.get(depName);
      if (!dep || platformOf(placement, depName) === from) continue;
      if (from === "compose") {
        composeRemotes[depName] = `${addresses.k3sAddress}:${firstPublished(dep)}`;
        exposed.add(depName);
      } else {
        external.set(depName, {
          name: depName,
          host: addresses.composeHost,
          ports: dep.ports.map((p) => p.published),
        });
      }
    }
  }
  const order = services.map((s) => s.name);
  return {
    composeRemotes: sortKeys(composeRemotes),
    k3sExternal: order.flatMap((n) => external.get(n) ?? []),
    k3sExposed: order.filter((n) => exposed.has(n)),
  };
}

/**
 * `<DEP>_ADDRESS=host:port` for every dependency: on the same platform its service name,
 * on the other one the address discovery gives. Discovery variables override same-named
 * plain env, because a stale address is worse than a surprising one.
 */
export function dependencyEnv(
  service: ResolvedService,
  addressOf: (dependency: string) => string,
): Record<string, string> {
  return Object.fromEntries(service.dependsOn.map((dep) => [addressEnvName(dep), addressOf(dep)]));
}

export function firstPublished(service: ResolvedService): number {
  const port = service.ports[0];
  if (!port) {
    throw new Error(
      `service "${service.name}": ports = []: others depend on it, so it needs at least one port`,
    );
  }
  return port.published;
}

/** IPv4 literal? ExternalName needs a DNS name, so an IP gets a selector-less Service + Endpoints. */
export function isIPv4(host: string): boolean {
  return /^(\d{1,3})(\.\d{1,3}){3}$/.test(host);
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
