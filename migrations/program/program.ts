import * as pulumi from "@pulumi/pulumi";
import { PlatformServices } from "../../components/platform";
import { platformServices, type ServiceSpec } from "../../components/spec";
import type { Ledger } from "../ledger";
import { asLedger, ledgerFromConfig, reconcileLedger } from "../ledger-record";
import type { PathId } from "../path";
import { PhaseLedger } from "../phase-ledger";
import { CONFIG_NAMESPACE, type StackConfig } from "../stack-config";
import { readStackConfig } from "./read-config";
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

  // TODO(issue 5): PostgresServer / CitusCluster from components/database once they land;
  // until then the URLs name the engines' service hosts.
  const databaseUrls = {
    postgres: pulumi.secret(
      pulumi.interpolate`postgresql://catalog:${databasePassword}@postgres:5432/catalog`,
    ),
    citus: pulumi.secret(
      pulumi.interpolate`postgresql://catalog:${databasePassword}@citus-coordinator:5432/catalog`,
    ),
  };
  // TODO(issue 4): RedpandaCluster / KafkaCluster + TopicSet from components/events once they
  // land; until then clients are pointed at the engines' service hosts.
  const addresses = { redpanda: "redpanda:9092", kafka: "kafka:9092" };

  const topology = planTopology(config, makeServices(databaseUrls.postgres), {
    addresses,
    databaseUrls,
  });
  const platform = buildPlatform(topology, kubeconfig);
  void platform;

  const ledger = deployedAwareLedger(config, options.readDeployedLedger ?? false);
  new PhaseLedger("phase-ledger", { ledger, environment: config.environment });
  return {
    environment: config.environment,
    phases: config.phases,
    ledger,
    placement: topology.placement,
  };
}

function buildPlatform(
  topology: Topology,
  kubeconfig: pulumi.Output<string> | undefined,
): PlatformServices {
  const usesK3s =
    Object.values(topology.placement).includes("k3s") || topology.engines.prometheus === "k3s";
  return new PlatformServices("platform", {
    services: topology.services,
    placement: topology.placement,
    monitoringOn: topology.engines.prometheus,
    ...(usesK3s ? { k3s: { namespace: "stepwise", ...(kubeconfig ? { kubeconfig } : {}) } } : {}),
  });
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
