import * as pulumi from "@pulumi/pulumi";
import { PlatformServices } from "../../components/platform";
import { type ServiceSpec } from "../../components/spec";
import { EXTERNAL } from "../external-engines";
import type { Ledger } from "../ledger";
import { ledgerFromConfig } from "../ledger-record";
import type { PathId } from "../path";
import { PhaseLedger } from "../phase-ledger";
import { CONFIG_NAMESPACE } from "../config/keys";
import type { StackConfig } from "../config/stack-config";
import { absorbedServices } from "../config/placement";
import { readStackConfig } from "./read-config";
import type { TopicDeclaration } from "../../components/events";
import type { MetricsEndpoint } from "../../components/monitoring/metrics-endpoint";
import type { PlatformKind } from "../config/keys";
import { citusDatabasePlan, declareCitusDatabase } from "./citus-database";
import { deferred, type Deferred } from "./deferred";
import {
  addressFor,
  platformEngineTargets,
  systemTargets,
  type SystemTarget,
} from "./system-metrics";
import {
  buildEngines,
  engineMetricJobs,
  externalClusterBootstrap,
  externalMetricJobs,
  PLATFORM_SETTINGS,
  plannedBootstrap,
  type BuiltEngines,
} from "./engines";
import {
  enginesFor,
  MONOLITH_SERVICE,
  NEXT_SUFFIX,
  planTopology,
  type DatabaseUrls,
  type EngineAddresses,
  type Topology,
} from "./topology";

export interface ProgramOptions {
  /**
   * The microservices at their baseline, given the connection string (a secret) the database
   * phase points them at. Required: they are the platform.
   */
  readonly services: (databaseUrl: pulumi.Input<string>) => readonly ServiceSpec[];
  /**
   * The topics every event cluster of the events path carries, with the same partition counts
   * on each so that a key lands in the same partition on both.
   * @default none: the event clusters carry no topics of the program's
   */
  readonly topics?: readonly TopicDeclaration[];
  /**
   * The service the platform path's `coordination-on-k3s` phase moves to K3s first (the one the
   * others depend on), and the one the modular monolith does not absorb; one of `services`.
   * @default none: nothing moves in `coordination-on-k3s` (from `services-moving` on the stack's
   * `stepwise:placement` decides), and the monolith absorbs every service
   */
  readonly coordinationService?: string;
  /**
   * Problems of the stack's `stepwise:policy`, refused before anything is declared. The policies
   * own that schema and the program does not import them, so the entry points pass it in:
   * `stepwise-iac`'s stepwiseProgram (api/program.ts) always does.
   * @default `stepwise:policy` is not checked here (the transition checks still refuse it)
   */
  readonly policyProblems?: (config: StackConfig) => readonly string[];
}

export interface ProgramOutputs {
  readonly environment: string;
  readonly phases: Readonly<Record<PathId, string>>;
  /**
   * The ledger this update records (the PhaseLedger's output: where the engine runs, `previous`
   * comes from the deployed ledger). Becomes the stack output `ledger`.
   */
  readonly ledger: pulumi.Output<Ledger>;
  readonly placement: Readonly<Record<string, string>>;
  /**
   * The services the modular monolith absorbs as its modules (every service but the coordination
   * service): the keys of the consolidation path's `monolithWeights`, which `stepwise advance`
   * and `rollback` write from this output.
   */
  readonly absorbedServices: readonly string[];
}

/** Name of the stack output that carries the deployed ledger. */
export const LEDGER_OUTPUT = "ledger";

/**
 * The whole platform from validated stack config: the services on their platforms with the
 * phases' wiring, the engines each phase deploys, monitoring, and the phase ledger.
 */
export function stepwiseProgram(options: ProgramOptions): ProgramOutputs {
  const baseServices = options.services(BASE_DATABASE_URL);
  const serviceNames = knownServiceNames(baseServices);
  const coordinationService = checkedCoordinationService(options, baseServices);
  const config = readStackConfig({
    services: serviceNames,
    ...(coordinationService !== undefined ? { coordinationService } : {}),
    ...(options.policyProblems ? { policyProblems: options.policyProblems } : {}),
  });
  const secrets = new pulumi.Config(CONFIG_NAMESPACE);
  const databasePassword = secrets.getSecret("databasePassword");
  const kubeconfig = secrets.getSecret("kubeconfig");

  // Services are declared before the engines (which run on the platforms the services get), so
  // the engines' connection strings and scrape addresses are filled in once the engines exist.
  const deployed = enginesFor(config);
  const urls: UrlDeferreds = {};
  const databaseUrls: { -readonly [K in keyof DatabaseUrls]: DatabaseUrls[K] } = {};
  for (const system of ["postgres", "citus"] as const) {
    if (deployed[system] === undefined) continue;
    const pending = { compose: deferred<string>(), k3s: deferred<string>() };
    urls[system] = pending;
    databaseUrls[system] = { compose: pending.compose.output, k3s: pending.k3s.output };
  }
  const addresses = {
    ...(topologyEngine(config, "redpanda") ?? {}),
    ...(topologyEngine(config, "kafka") ?? {}),
  };
  // The database phase replaces every DATABASE_URL with the URL of the database reads go to.
  const topology = planTopology(config, baseServices, {
    addresses,
    databaseUrls,
    ...(coordinationService !== undefined ? { coordinationService } : {}),
  });
  const engineMetrics = plannedEngineMetrics(topology, config);
  const platformMetrics = platformEngineTargets(topology).flatMap((target) => {
    const engine = engineMetrics.find((m) => m.endpoint.job === target.engineJob);
    return engine
      ? [{ job: target.job, system: target.platform, address: engine.endpoint.address }]
      : [];
  });
  const systemMetrics = systemTargets(config, topology).map((target) => {
    const address = deferred<string>();
    const endpoint = { job: target.job, system: target.system, address: address.output };
    return { target, endpoint, address };
  });

  const platform = new PlatformServices("platform", {
    services: topology.services,
    placement: topology.placement,
    // Prometheus always runs on a platform of the stack (stack-config refuses "external").
    monitoringOn:
      topology.engines.prometheus === EXTERNAL ? undefined : topology.engines.prometheus,
    additionalMetricsEndpoints: [
      ...engineMetrics.map((m) => m.endpoint),
      ...systemMetrics.map((m) => m.endpoint),
      ...platformMetrics,
    ],
    compose: { hostAddress: PLATFORM_SETTINGS.compose.hostAddress },
    routes: topology.routes,
    routing: {
      featureFlags: { header: config.routing.flagHeader, cookie: config.routing.flagCookie },
    },
    ...(usesK3s(topology)
      ? {
          k3s: {
            namespace: config.k3s.namespace,
            externalAddress: config.k3s.externalAddress,
            skipAwait: config.k3s.skipAwait,
            ...(kubeconfig ? { kubeconfig } : {}),
          },
        }
      : {}),
  });
  const engines = buildEngines({
    engines: topology.engines,
    external: config.externalEngines,
    refs: { compose: platform.compose?.ref, k3s: platform.k3s?.ref },
    ...(databasePassword ? { databasePassword } : {}),
    ...(options.topics ? { topics: options.topics } : {}),
  });
  settleUrls(urls, engines);
  checkBootstrap(addresses, engines);
  settleMetrics(engineMetrics, engines.metrics);
  settleSystemMetrics(systemMetrics, platform.metricsEndpoints);
  // On Citus: the application database's roles, grants and extension, and once the readiness
  // check's gate passed, the planned tables (rolled back with Citus itself: undistributed).
  const citusDatabase = engines.citus
    ? [declareCitusDatabase(engines.citus, citusDatabasePlan(config, baseServices))]
    : [];

  // Recorded last: the ledger says a phase is deployed only once everything of it is, so a
  // failed update leaves the phase deployed before on record (stepwise status reads it).
  const phaseLedger = new PhaseLedger(
    "phase-ledger",
    { ledger: ledgerFromConfig(config), environment: config.environment },
    { dependsOn: [platform, ...engines.resources, ...citusDatabase] },
  );
  return {
    environment: config.environment,
    phases: config.phases,
    ledger: phaseLedger.ledger,
    placement: topology.placement,
    absorbedServices: absorbedServices(serviceNames, coordinationService),
  };
}

function usesK3s(topology: Topology): boolean {
  return (
    Object.values(topology.placement).includes("k3s") ||
    Object.values(topology.engines).includes("k3s")
  );
}

type UrlDeferreds = Partial<Record<"postgres" | "citus", Record<PlatformKind, Deferred<string>>>>;

/** Marks a service as a database client; never reaches a resource (see withDataWiring). */
const BASE_DATABASE_URL = "postgresql://set-by-the-database-phase";

function settleUrls(urls: UrlDeferreds, engines: BuiltEngines): void {
  for (const system of ["postgres", "citus"] as const) {
    for (const platform of ["compose", "k3s"] as const) {
      const pending = urls[system]?.[platform];
      if (!pending) continue;
      const built = engines.databaseUrls[system]?.[platform];
      if (built) pending.resolve(built);
      else pending.reject(`${system} was planned but not built`);
    }
  }
}

/** The planned bootstrap strings in service env must be what the clusters really serve. */
function checkBootstrap(planned: EngineAddresses, engines: BuiltEngines): void {
  for (const system of ["redpanda", "kafka"] as const) {
    for (const platform of ["compose", "k3s"] as const) {
      const want = planned[system]?.[platform];
      engines.bootstrap[system]?.[platform].apply((actual) => {
        if (want !== undefined && actual !== want) {
          throw new Error(
            `${system} serves clients on ${platform} at "${actual}" but services were given "${want}"; plannedBootstrap is out of step with the cluster component`,
          );
        }
      });
    }
  }
}

/** Bootstrap strings of one event cluster, when the events phase uses it. */
function topologyEngine(
  config: StackConfig,
  system: "redpanda" | "kafka",
): EngineAddresses | undefined {
  const on = enginesFor(config)[system];
  if (on === undefined) return undefined;
  if (on === EXTERNAL) {
    const external = config.externalEngines[system];
    return external ? { [system]: externalClusterBootstrap(external) } : undefined;
  }
  return { [system]: plannedBootstrap(system, on, config.k3s) };
}

function settleSystemMetrics(
  planned: readonly { target: SystemTarget; address: Deferred<string> }[],
  endpoints: readonly MetricsEndpoint[],
): void {
  for (const { target, address } of planned) {
    const found = addressFor(target, endpoints);
    if (found !== undefined) address.resolve(found);
    else address.reject(`service ${target.service} has no scrape target for job ${target.job}`);
  }
}

interface PlannedMetrics {
  readonly endpoint: MetricsEndpoint;
  readonly address: Deferred<string>;
}

/** Scrape targets of the engines the phases use; addresses follow once they exist. */
function plannedEngineMetrics(topology: Topology, config: StackConfig): PlannedMetrics[] {
  const planned: PlannedMetrics[] = [];
  for (const engine of ["redpanda", "kafka", "postgres", "citus"] as const) {
    const on = topology.engines[engine];
    if (on === undefined) continue;
    const jobs =
      on === EXTERNAL
        ? externalMetricJobs(engine, config.externalEngines)
        : engineMetricJobs(engine);
    for (const [job, system] of jobs) {
      const address = deferred<string>();
      planned.push({ endpoint: { job, system, address: address.output }, address });
    }
  }
  return planned;
}

function settleMetrics(
  planned: readonly PlannedMetrics[],
  built: readonly MetricsEndpoint[],
): void {
  for (const { endpoint, address } of planned) {
    const match = built.find((m) => m.job === endpoint.job && m.system === endpoint.system);
    if (match) address.resolve(match.address);
    else address.reject(`engine ${endpoint.job} exposes no metrics endpoint`);
  }
}

/** The program's coordinationService, which must name one of its services. */
function checkedCoordinationService(
  options: ProgramOptions,
  services: readonly ServiceSpec[],
): string | undefined {
  const name = options.coordinationService;
  if (name === undefined || services.some((s) => s.name === name)) return name;
  throw new Error(
    `coordinationService = ${JSON.stringify(name)}: not one of the program's services (${services.map((s) => s.name).join(", ")}); name the service the platform path moves to K3s first, or leave it out`,
  );
}

/** Service names the config may refer to: the microservices, their `-next`, the monolith. */
function knownServiceNames(services: readonly ServiceSpec[]): string[] {
  return [...services.map((s) => s.name), MONOLITH_SERVICE].filter((n) => !n.endsWith(NEXT_SUFFIX));
}
