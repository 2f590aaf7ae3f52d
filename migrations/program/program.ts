import * as pulumi from "@pulumi/pulumi";
import { PlatformServices } from "../../components/platform";
import { platformServices, type ServiceSpec } from "../../components/spec";
import type { Ledger } from "../ledger";
import { asLedger, ledgerFromConfig, reconcileLedger } from "../ledger-record";
import type { PathId } from "../path";
import { PhaseLedger } from "../phase-ledger";
import { CONFIG_NAMESPACE, type StackConfig } from "../stack-config";
import { readStackConfig } from "./read-config";
import type { MetricsEndpoint } from "../../components/monitoring/metrics-endpoint";
import type { PlatformKind } from "../stack-config";
import { deferred, type Deferred } from "./deferred";
import { buildEngines, type BuiltEngines } from "./engines";
import { MONOLITH_SERVICE, NEXT_SUFFIX, planTopology, type Topology } from "./topology";

export interface ProgramOptions {
  /**
   * The microservices at their baseline, given the connection string (a secret) the database
   * phase points them at.
   * @default platformServices, the four services of migration-paths.md
   */
  readonly services?: (databaseUrl: pulumi.Input<string>) => readonly ServiceSpec[];
  /**
   * Read the last deployed ledger from this stack's own state through a StackReference, so the
   * ledger's `previous` is what is really deployed. Only meaningful where the engine runs (the
   * project's index.ts sets it); offline evaluation under mocks uses the config alone.
   * @default false
   */
  readonly readDeployedLedger?: boolean;
}

export interface ProgramOutputs {
  readonly environment: string;
  readonly phases: Readonly<Record<PathId, string>>;
  /** Becomes the stack output `ledger`, which the next update reads back. */
  readonly ledger: pulumi.Output<Ledger>;
  readonly placement: Readonly<Record<string, string>>;
}

/** Name of the stack output that carries the deployed ledger. */
export const LEDGER_OUTPUT = "ledger";

/**
 * The whole platform from validated stack config: the services on their platforms with the
 * phases' wiring, the engines each phase deploys, monitoring, and the phase ledger.
 */
export function stepwiseProgram(options: ProgramOptions = {}): ProgramOutputs {
  const makeServices = options.services ?? platformServices;
  const serviceNames = knownServiceNames(makeServices("postgresql://placeholder"));
  const config = readStackConfig(serviceNames);
  const secrets = new pulumi.Config(CONFIG_NAMESPACE);
  const databasePassword = secrets.requireSecret("databasePassword");
  const kubeconfig = secrets.getSecret("kubeconfig");

  // Services are declared before the engines (which run on the platforms the services get), so
  // the engines' connection strings and scrape addresses are filled in once the engines exist.
  const urls = {
    postgres: { compose: deferred<string>(), k3s: deferred<string>() },
    citus: { compose: deferred<string>(), k3s: deferred<string>() },
  };
  const databaseUrls = {
    postgres: { compose: urls.postgres.compose.output, k3s: urls.postgres.k3s.output },
    citus: { compose: urls.citus.compose.output, k3s: urls.citus.k3s.output },
  };
  // TODO(issue 4): the clusters' bootstrap strings once RedpandaCluster/KafkaCluster land.
  const addresses = {
    redpanda: { compose: "redpanda:9092", k3s: "redpanda:9092" },
    kafka: { compose: "kafka:9092", k3s: "kafka:9092" },
  };
  const topology = planTopology(config, makeServices(databaseUrls.postgres.compose), {
    addresses,
    databaseUrls,
  });
  const engineMetrics = plannedEngineMetrics(topology);

  const platform = new PlatformServices("platform", {
    services: topology.services,
    placement: topology.placement,
    monitoringOn: topology.engines.prometheus,
    additionalMetricsEndpoints: engineMetrics.map((m) => m.endpoint),
    ...(usesK3s(topology)
      ? { k3s: { namespace: "stepwise", ...(kubeconfig ? { kubeconfig } : {}) } }
      : {}),
  });
  const engines = buildEngines({
    engines: topology.engines,
    refs: { compose: platform.compose?.ref, k3s: platform.k3s?.ref },
    databasePassword,
  });
  settleUrls(urls, engines, databasePassword);
  settleMetrics(engineMetrics, engines.metrics);

  const ledger = deployedAwareLedger(config, options.readDeployedLedger ?? false);
  new PhaseLedger("phase-ledger", { ledger, environment: config.environment });
  return {
    environment: config.environment,
    phases: config.phases,
    ledger,
    placement: topology.placement,
  };
}

function usesK3s(topology: Topology): boolean {
  return (
    Object.values(topology.placement).includes("k3s") ||
    Object.values(topology.engines).includes("k3s")
  );
}

type UrlDeferreds = Record<"postgres" | "citus", Record<PlatformKind, Deferred<string>>>;

function settleUrls(
  urls: UrlDeferreds,
  engines: BuiltEngines,
  password: pulumi.Output<string>,
): void {
  for (const system of ["postgres", "citus"] as const) {
    for (const platform of ["compose", "k3s"] as const) {
      const built = engines.databaseUrls[system]?.[platform];
      if (built) urls[system][platform].resolve(built);
      else if (system === "citus") {
        // TODO(issue 5): CitusCluster's connection URL once it is committed.
        urls.citus[platform].resolve(
          pulumi.secret(
            pulumi.interpolate`postgresql://postgres:${password}@citus-coordinator:5432/catalog`,
          ),
        );
      } else urls[system][platform].reject(`${system} does not run in these phases`);
    }
  }
}

interface PlannedMetrics {
  readonly endpoint: MetricsEndpoint;
  readonly address: Deferred<string>;
}

/** Scrape targets of the engines the phases deploy; addresses follow once they exist. */
function plannedEngineMetrics(topology: Topology): PlannedMetrics[] {
  const planned: PlannedMetrics[] = [];
  for (const engine of ["postgres"] as const) {
    if (topology.engines[engine] === undefined) continue;
    const address = deferred<string>();
    planned.push({ endpoint: { job: engine, system: engine, address: address.output }, address });
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

/** Service names the config may refer to: the microservices, their `-next`, the monolith. */
function knownServiceNames(services: readonly ServiceSpec[]): string[] {
  return [...services.map((s) => s.name), MONOLITH_SERVICE].filter((n) => !n.endsWith(NEXT_SUFFIX));
}

function deployedAwareLedger(config: StackConfig, readDeployed: boolean): pulumi.Output<Ledger> {
  const configured = ledgerFromConfig(config);
  if (!readDeployed) return pulumi.output(configured);
  const self = new pulumi.StackReference("deployed-ledger", {
    name: `${organization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
  });
  return self
    .getOutput(LEDGER_OUTPUT)
    .apply((deployed: unknown) => reconcileLedger(configured, asLedger(deployed)));
}

/** The stack's organization; "organization" is what local (file) backends use. */
function organization(): string {
  try {
    return pulumi.getOrganization();
  } catch {
    return "organization";
  }
}
