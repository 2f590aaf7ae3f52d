import type * as pulumi from "@pulumi/pulumi";
import type { ServiceSpec } from "../../components/spec";
import type { RouteSpec } from "../../components/routing/route";
import type { Engine, EnginePlacement, PlatformKind } from "../config/keys";
import { absorbedServices, fixedPlacement } from "../config/placement";
import type { StackConfig } from "../config/stack-config";

import { MONOLITH_PORT, MONOLITH_SERVICE, NEXT_PORT_OFFSET, NEXT_SUFFIX, wiringOf } from "./names";
import { routesFor } from "./routes";

export { MONOLITH_PORT, MONOLITH_SERVICE, NEXT_PORT_OFFSET, NEXT_SUFFIX, wiringOf };

/**
 * Label keys that say which implementation a workload is (api path). Who serves what share of
 * a service's requests is the routers' business (Topology.routes), not a label's.
 */
export const LABELS = {
  implementation: "stepwise.dev/implementation",
} as const;

/** One value per platform a client may run on (an engine is reached differently from each). */
export type ByClientPlatform<T> = Readonly<Record<PlatformKind, T>>;

/** Bootstrap addresses of the event clusters that exist, by system and client platform. */
export type EngineAddresses = Readonly<
  Partial<Record<"redpanda" | "kafka", ByClientPlatform<string>>>
>;

/** Connection strings (secrets) of the databases that exist, by system and client platform. */
export type DatabaseUrls = Readonly<
  Partial<Record<"postgres" | "citus", ByClientPlatform<pulumi.Input<string>>>>
>;

/** Everything the phases of all five paths decide, before any resource is declared. */
export interface Topology {
  /** The services to run, with the phases' wiring in their env and labels. */
  readonly services: readonly ServiceSpec[];
  /** Platform of every service in `services`. */
  readonly placement: Readonly<Record<string, PlatformKind>>;
  /** The service the platform path moves to K3s first, if the program names one. */
  readonly coordinationService: string | undefined;
  /** Engines that exist in these phases, and where each runs (a platform, or external). */
  readonly engines: Readonly<Partial<Record<Engine, EnginePlacement>>>;
  readonly events: { readonly publishTo: readonly string[]; readonly consumeFrom: string };
  readonly database: { readonly writeTo: readonly string[]; readonly readFrom: string };
  /** Percent of requests the new implementation serves, per service under the api path. */
  readonly apiWeights: Readonly<Record<string, number>>;
  /** Percent of requests the modular monolith serves, per service it absorbs (when it runs). */
  readonly monolithWeights: Readonly<Record<string, number>>;
  /** The routers' routes: per service with several implementations, who answers by what weight. */
  readonly routes: readonly RouteSpec[];
}

/** Which engines the events and database phases use, and where each runs. */
export function enginesFor(config: StackConfig): Partial<Record<Engine, EnginePlacement>> {
  const engines: Partial<Record<Engine, EnginePlacement>> = {};
  const deployed = [
    ...wiringOf(config, "events").deployed,
    ...wiringOf(config, "database").deployed,
  ];
  for (const engine of ["redpanda", "kafka", "postgres", "citus"] as const) {
    if (deployed.includes(engine)) engines[engine] = config.enginePlacement[engine];
  }
  engines.prometheus = config.enginePlacement.prometheus;
  return engines;
}

/**
 * The desired platform for a stack config: a pure function of the phases, so each phase's
 * effect on the services is table-testable without declaring a resource.
 * `baseServices` are the microservices at their baseline (e.g. seedServices(url)).
 */
export function planTopology(
  config: StackConfig,
  baseServices: readonly ServiceSpec[],
  engines: {
    readonly addresses: EngineAddresses;
    readonly databaseUrls: DatabaseUrls;
    /** The service the platform path moves to K3s first. @default none */
    readonly coordinationService?: string;
  },
): Topology {
  const coordination = engines.coordinationService;
  const events = wiringOf(config, "events");
  const database = wiringOf(config, "database");
  const publishTo = events.writeTo ?? [];
  const consumeFrom = events.readFrom ?? "";
  const writeTo = database.writeTo ?? [];
  const readFrom = database.readFrom ?? "";

  const apiWeights = apiWeightsFor(config);
  let services = withApiImplementations(baseServices, config);
  const monolithWeights = monolithWeightsFor(config, baseServices, coordination);
  services = withConsolidation(services, config, monolithWeights, coordination);
  const placement = placementFor(config, services, coordination);
  const wiring = { publishTo, consumeFrom, writeTo, readFrom };
  services = services.map((spec) =>
    withDataWiring(spec, wiring, engines, placement[spec.name] ?? "compose"),
  );

  return {
    services,
    placement,
    coordinationService: coordination,
    engines: enginesFor(config),
    events: { publishTo, consumeFrom },
    database: { writeTo, readFrom },
    apiWeights,
    monolithWeights,
    routes: routesFor(config, services, apiWeights, monolithWeights),
  };
}

/** Percent served by the new implementation, per service in `apiImages`. */
export function apiWeightsFor(config: StackConfig): Record<string, number> {
  const traffic = wiringOf(config, "api").newTrafficPercent ?? 0;
  return Object.fromEntries(
    Object.keys(config.apiImages).map((service) => [
      service,
      traffic === "per-service" ? (config.apiWeights[service] ?? 0) : traffic,
    ]),
  );
}

/**
 * Percent served by the monolith, per service it absorbs: what the phase fixes, or at
 * `monolith-parallel` the stack's `monolithWeights` (0 for a service left out). Empty while the
 * monolith does not run.
 */
export function monolithWeightsFor(
  config: StackConfig,
  services: readonly ServiceSpec[],
  coordinationService?: string,
): Record<string, number> {
  const wiring = wiringOf(config, "consolidation");
  if (!wiring.deployed.includes(MONOLITH_SERVICE)) return {};
  const traffic = wiring.newTrafficPercent ?? 0;
  return Object.fromEntries(
    absorbedServices(
      services.map((s) => s.name),
      coordinationService,
    ).map((service) => [
      service,
      traffic === "per-service" ? (config.monolithWeights[service] ?? 0) : traffic,
    ]),
  );
}

function withApiImplementations(
  services: readonly ServiceSpec[],
  config: StackConfig,
): ServiceSpec[] {
  const deployed = wiringOf(config, "api").deployed;
  const keepOld = deployed.includes("old");
  const runNew = deployed.includes("new");
  const moving = new Set(Object.keys(config.apiImages));
  const renamed = (name: string) => (!keepOld && moving.has(name) ? `${name}${NEXT_SUFFIX}` : name);
  const result: ServiceSpec[] = [];
  for (const spec of services) {
    const image = config.apiImages[spec.name];
    if (image === undefined || !runNew) {
      result.push({ ...spec, dependsOn: spec.dependsOn?.map(renamed) });
      continue;
    }
    if (keepOld) result.push(labelled(spec, { [LABELS.implementation]: "old" }));
    result.push(
      labelled(
        {
          ...spec,
          name: `${spec.name}${NEXT_SUFFIX}`,
          image,
          dependsOn: spec.dependsOn?.map(renamed),
          ports: spec.ports?.map((p) => ({
            ...p,
            published: (p.published ?? p.port) + NEXT_PORT_OFFSET,
          })),
        },
        { [LABELS.implementation]: "new" },
      ),
    );
  }
  return result;
}

/**
 * The monolith beside (or instead of) the services it absorbs (`weights`' keys); the routes
 * give each its share of a service's requests.
 */
function withConsolidation(
  services: readonly ServiceSpec[],
  config: StackConfig,
  weights: Readonly<Record<string, number>>,
  coordinationService: string | undefined,
): ServiceSpec[] {
  const wiring = wiringOf(config, "consolidation");
  const keepServices = wiring.deployed.includes("microservices");
  const runMonolith = wiring.deployed.includes(MONOLITH_SERVICE);
  const absorbed = (spec: ServiceSpec) => weights[spec.name] !== undefined;
  const modules = services.filter(absorbed);
  const result: ServiceSpec[] = services.filter((s) => keepServices || !absorbed(s));
  if (keepServices && runMonolith && wiring.oldReplicas === 0) {
    for (let i = 0; i < result.length; i++) {
      const spec = result[i];
      if (absorbed(spec)) result[i] = { ...spec, replicas: 0 };
    }
  }
  if (runMonolith) {
    const secretEnv = Object.assign({}, ...modules.map((m) => m.secretEnv ?? {})) as Record<
      string,
      pulumi.Input<string>
    >;
    result.push({
      name: MONOLITH_SERVICE,
      image: config.monolithImage ?? "",
      ports: [{ port: MONOLITH_PORT, name: "http" }],
      env: { LOG_LEVEL: "info", MODULES: modules.map((m) => m.name).join(",") },
      ...(Object.keys(secretEnv).length > 0 ? { secretEnv } : {}),
      healthCheck: { http: { path: "/health", port: MONOLITH_PORT } },
      resources: { cpu: 1, memoryMiB: 1024 },
      dependsOn:
        coordinationService !== undefined && services.some((s) => s.name === coordinationService)
          ? [coordinationService]
          : [],
      metrics: { port: MONOLITH_PORT },
    });
  }
  return result;
}

interface DataWiring {
  readonly publishTo: readonly string[];
  readonly consumeFrom: string;
  readonly writeTo: readonly string[];
  readonly readFrom: string;
}

/**
 * Points a service's clients where the phases say: every service publishes and consumes
 * events; services with a DATABASE_URL read and write the database. The URLs stay secret.
 */
function withDataWiring(
  spec: ServiceSpec,
  wiring: DataWiring,
  engines: { readonly addresses: EngineAddresses; readonly databaseUrls: DatabaseUrls },
  from: PlatformKind,
): ServiceSpec {
  const bootstrap = (systems: readonly string[]) =>
    systems.map((s) => engines.addresses[s as "redpanda" | "kafka"]?.[from] ?? s).join(",");
  const env: Record<string, string> = {
    ...spec.env,
    EVENTS_PUBLISH_TO: wiring.publishTo.join(","),
    EVENTS_PUBLISH_BOOTSTRAP: bootstrap(wiring.publishTo),
    EVENTS_CONSUME_FROM: wiring.consumeFrom,
    EVENTS_CONSUME_BOOTSTRAP: bootstrap([wiring.consumeFrom]),
  };
  let secretEnv = spec.secretEnv;
  if (spec.secretEnv?.DATABASE_URL !== undefined) {
    env.DATABASE_WRITE_TO = wiring.writeTo.join(",");
    env.DATABASE_READ_FROM = wiring.readFrom;
    const primary = engines.databaseUrls[wiring.readFrom as "postgres" | "citus"]?.[from];
    const secondary = wiring.writeTo.find((system) => system !== wiring.readFrom);
    const secondaryUrl =
      secondary && engines.databaseUrls[secondary as "postgres" | "citus"]?.[from];
    secretEnv = {
      ...spec.secretEnv,
      ...(primary !== undefined ? { DATABASE_URL: primary } : {}),
      ...(secondaryUrl !== undefined ? { DATABASE_DUAL_WRITE_URL: secondaryUrl } : {}),
    };
  }
  return { ...spec, env, ...(secretEnv ? { secretEnv } : {}) };
}

/** Platform of every service: fixed by the platform phase, else the stack's placement. */
export function placementFor(
  config: StackConfig,
  services: readonly ServiceSpec[],
  coordinationService?: string,
): Record<string, PlatformKind> {
  const rule = wiringOf(config, "platform").placement;
  const base = (name: string): string =>
    name.endsWith(NEXT_SUFFIX) ? name.slice(0, -NEXT_SUFFIX.length) : name;
  return Object.fromEntries(
    services.map((s) => {
      const owner = base(s.name);
      const platform =
        fixedPlacement(rule, owner, coordinationService) ??
        config.placement[owner] ??
        (owner === coordinationService ? "k3s" : "compose");
      return [s.name, platform];
    }),
  );
}

function labelled(spec: ServiceSpec, labels: Record<string, string>): ServiceSpec {
  return { ...spec, labels: { ...spec.labels, ...labels } };
}
