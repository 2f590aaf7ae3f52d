import * as pulumi from "@pulumi/pulumi";
import { CitusCluster } from "../../components/database/CitusCluster";
import { CitusNodeRegistration } from "../../components/database/CitusNodeRegistration";
import { PostgresServer } from "../../components/database/PostgresServer";
import {
  resolveBrokerCluster,
  type BrokerClusterArgs,
} from "../../components/events/broker-cluster-args";
import { kafkaEngine, redpandaEngine } from "../../components/events/broker-engines";
import {
  composeHost,
  externalBootstrap,
  internalBootstrap,
  k3sHost,
} from "../../components/events/broker-network";
import { KafkaCluster } from "../../components/events/KafkaCluster";
import { DEFAULT_COMPOSE_HOST_ADDRESS } from "../../components/platform/platform-ref";
import { RedpandaCluster } from "../../components/events/RedpandaCluster";
import type { TopicDeclaration } from "../../components/events/topic-set-plan";
import { TopicSet, type TopicSetClusterArgs } from "../../components/events/TopicSet";
import type { MetricsEndpoint } from "../../components/monitoring/metrics-endpoint";
import type {
  ComposePlatformRef,
  K3sPlatformRef,
  PlatformRef,
} from "../../components/platform/platform-ref";
import {
  EXTERNAL,
  externalDatabaseUrl,
  type ExternalBroker,
  type ExternalEngines,
} from "../external-engines";
import type { Engine, EnginePlacement, PlatformKind } from "../config/keys";
import { DEFAULT_K3S_SETTINGS, type K3sSettings } from "../config/stack-config";
import type { CitusAccess } from "./citus-database";
import type { ByClientPlatform } from "./topology";

/** The database every service's DATABASE_URL names. */
export const APP_DATABASE = "catalog";
/** Pinned engine versions: never an implicit "latest" (components/spec/pinned-image.ts). */
export const ENGINE_VERSIONS = { redpanda: "v24.2.7", kafka: "4.1.1" } as const;

/**
 * External listener ports per event cluster and platform. Both clusters run side by side for
 * most of the events path, often on the same Docker host or K3s node, so they must not share
 * the components' default ports.
 */
export const ENGINE_EXTERNAL_PORTS = {
  redpanda: { compose: 19092, k3s: 31092 },
  kafka: { compose: 29092, k3s: 32092 },
} as const;

export function brokerArgs(
  system: "redpanda" | "kafka",
  platform: ComposePlatformRef | K3sPlatformRef,
): BrokerClusterArgs {
  return {
    platform,
    version: ENGINE_VERSIONS[system],
    listeners: { external: ENGINE_EXTERNAL_PORTS[system][platform.kind] },
  };
}
export const CITUS_WORKERS = 2;

/** How the platforms PlatformServices builds are reachable; the program passes the same values. */
export const PLATFORM_SETTINGS = {
  compose: { name: "platform-compose", hostAddress: DEFAULT_COMPOSE_HOST_ADDRESS },
  k3s: { name: "platform-k3s" },
} as const;

export interface EngineInputs {
  /** Where each engine of the current phases runs. */
  readonly engines: Readonly<Partial<Record<Engine, EnginePlacement>>>;
  /** Endpoints of the engines placed `external`. */
  readonly external: ExternalEngines;
  /** The platforms PlatformServices built. */
  readonly refs: Readonly<Partial<Record<PlatformKind, PlatformRef>>>;
  /** Superuser password of the databases the stack runs itself. @default none (all external) */
  readonly databasePassword?: pulumi.Output<string>;
  /** The topics every event cluster carries. @default none */
  readonly topics?: readonly TopicDeclaration[];
}

export interface BuiltEngines {
  readonly databaseUrls: Partial<
    Record<"postgres" | "citus", ByClientPlatform<pulumi.Output<string>>>
  >;
  /** Bootstrap outputs by cluster and client platform (checked against the planned strings). */
  readonly bootstrap: Partial<
    Record<"redpanda" | "kafka", ByClientPlatform<pulumi.Output<string>>>
  >;
  /** Scrape targets of every engine, for the platform's Prometheus. */
  readonly metrics: MetricsEndpoint[];
  /** Every top-level resource made here (engines, topic set, registrations). */
  readonly resources: pulumi.Resource[];
  /** How to manage what lives on the Citus coordinator, when the phase uses Citus. */
  citus?: CitusAccess;
}

/** The scrape jobs each engine exposes, known before it exists: `[job, system]`. */
export function engineMetricJobs(engine: Engine): [string, string][] {
  switch (engine) {
    case "postgres":
      return [["postgres", "postgres"]];
    case "citus":
      return [
        ["citus-coordinator", "citus"],
        ...Array.from({ length: CITUS_WORKERS }, (_, i): [string, string] => [
          `citus-worker-${i}`,
          "citus",
        ]),
      ];
    case "redpanda":
      return [["redpanda", "redpanda"]];
    case "kafka":
      return [["kafka", "kafka"]];
    default:
      return [];
  }
}

/** The scrape job of an external engine, when its endpoints name a metrics address. */
export function externalMetricJobs(engine: Engine, external: ExternalEngines): [string, string][] {
  const endpoints = external[engine as keyof ExternalEngines];
  return endpoints?.metrics === undefined ? [] : [[engine, engine]];
}

/**
 * Bootstrap strings of an event cluster for clients on each platform, computed from the same
 * naming rules the cluster components use, because service env is plain text decided before the
 * clusters exist. buildEngines checks them against the clusters' own outputs.
 */
export function plannedBootstrap(
  system: "redpanda" | "kafka",
  clusterOn: PlatformKind,
  k3s: Pick<K3sSettings, "externalAddress" | "namespace"> = DEFAULT_K3S_SETTINGS,
): ByClientPlatform<string> {
  const ref = plannedRef(clusterOn, k3s);
  const engine = system === "redpanda" ? redpandaEngine : kafkaEngine;
  const cluster = resolveBrokerCluster(system, brokerArgs(system, ref), engine.defaultImage);
  const internal =
    ref.kind === "compose"
      ? internalBootstrap(cluster, (i) => composeHost(system, i))
      : internalBootstrap(cluster, (i) => k3sHost(system, i, k3s.namespace));
  const external = externalBootstrap(
    cluster,
    ref.kind === "compose" ? ref.hostAddress : ref.externalAddress,
  );
  return byClient(clusterOn, internal, external);
}

function plannedRef(
  kind: PlatformKind,
  k3s: Pick<K3sSettings, "externalAddress" | "namespace">,
): ComposePlatformRef | K3sPlatformRef {
  return kind === "compose"
    ? {
        kind,
        ...PLATFORM_SETTINGS.compose,
        networkName: PLATFORM_SETTINGS.compose.name,
        resourceOptions: {},
      }
    : {
        kind,
        ...PLATFORM_SETTINGS.k3s,
        namespace: k3s.namespace,
        externalAddress: k3s.externalAddress,
        resourceOptions: {},
      };
}

/** An external cluster is reached at the same address from every platform. */
export function externalClusterBootstrap(external: ExternalBroker): ByClientPlatform<string> {
  return { compose: external.bootstrap, k3s: external.bootstrap };
}

/**
 * The stateful engines the events and database phases deploy, each on its platform, and what
 * lives on the external ones. Names are fixed ("postgres", "citus", "redpanda", "kafka"), so an
 * engine keeps its identity while it exists and a phase change never replaces it.
 */
export function buildEngines(inputs: EngineInputs): BuiltEngines {
  const built: BuiltEngines = { databaseUrls: {}, bootstrap: {}, metrics: [], resources: [] };
  const topicClusters: TopicSetClusterArgs[] = [];
  const refOf = (engine: Engine): { kind: PlatformKind; ref: PlatformRef } | undefined => {
    const kind = inputs.engines[engine];
    if (kind === undefined || kind === EXTERNAL) return undefined;
    const ref = inputs.refs[kind];
    if (!ref) {
      throw new Error(
        `stepwise:enginePlacement.${engine} = "${kind}": no service runs on ${kind} in these phases, so the platform is not built; place ${engine} where services run`,
      );
    }
    return { kind, ref };
  };
  const isExternal = (engine: Engine) => inputs.engines[engine] === EXTERNAL;

  const password = (): pulumi.Output<string> => {
    if (inputs.databasePassword === undefined) {
      throw new Error(
        "stepwise:databasePassword is missing: the stack runs a database itself; set it with `pulumi config set --secret stepwise:databasePassword <password>`",
      );
    }
    return inputs.databasePassword;
  };

  const postgres = refOf("postgres");
  if (postgres) {
    const server = new PostgresServer("postgres", {
      platform: postgres.ref,
      superuserPassword: password(),
      database: APP_DATABASE,
      system: "postgres",
    });
    built.databaseUrls.postgres = byClient(
      postgres.kind,
      server.connectionUrl,
      server.externalConnectionUrl,
    );
    built.metrics.push(server.metrics);
    built.resources.push(server);
  } else if (isExternal("postgres") && inputs.external.postgres) {
    built.databaseUrls.postgres = externalDatabase("postgres", inputs.external.postgres, built);
  }

  const citus = refOf("citus");
  if (citus) {
    const cluster = new CitusCluster("citus", {
      platform: citus.ref,
      superuserPassword: password(),
      database: APP_DATABASE,
      workers: CITUS_WORKERS,
    });
    built.databaseUrls.citus = byClient(
      citus.kind,
      cluster.connectionUrl,
      cluster.externalConnectionUrl,
    );
    built.metrics.push(...cluster.metrics);
    built.resources.push(cluster);
    built.citus = {
      server: cluster.adminConnection,
      connectionString: cluster.externalConnectionUrl,
      databaseName: APP_DATABASE,
      ready: cluster.registrations,
    };
  } else if (isExternal("citus") && inputs.external.citus) {
    const external = inputs.external.citus;
    const url = externalDatabase("citus", external, built);
    built.databaseUrls.citus = url;
    // The cluster is someone else's; which workers the coordinator uses is stepwise's to say.
    const registrations = (external.workers ?? []).map((worker, i) => {
      const [host, port] = worker.split(":");
      return new CitusNodeRegistration(`citus-worker-${i}`, {
        connectionString: url.k3s,
        nodeName: host ?? worker,
        nodePort: Number(port),
      });
    });
    built.resources.push(...registrations);
    built.citus = {
      server: {
        host: external.host,
        port: external.port,
        username: external.user,
        password: pulumi.secret(external.password),
      },
      connectionString: url.k3s,
      databaseName: external.database,
      ready: registrations,
    };
  }

  for (const system of ["redpanda", "kafka"] as const) {
    const placed = refOf(system);
    if (placed) {
      const args = brokerArgs(system, placed.ref);
      const cluster =
        system === "redpanda" ? new RedpandaCluster(system, args) : new KafkaCluster(system, args);
      built.bootstrap[system] = byClient(placed.kind, cluster.bootstrap, cluster.externalBootstrap);
      built.metrics.push(cluster.metrics);
      built.resources.push(cluster);
      // Topics are provisioned from where Pulumi runs, outside the platform: the external
      // listener, once the brokers and their external Services exist.
      topicClusters.push({ name: system, bootstrap: cluster.externalBootstrap, runBy: cluster });
    } else if (isExternal(system) && inputs.external[system]) {
      const external = inputs.external[system];
      const addresses = externalClusterBootstrap(external);
      built.bootstrap[system] = {
        compose: pulumi.output(addresses.compose),
        k3s: pulumi.output(addresses.k3s),
      };
      if (external.metrics !== undefined) {
        built.metrics.push({ job: system, system, address: pulumi.output(external.metrics) });
      }
      topicClusters.push({ name: system, bootstrap: external.bootstrap, external: true });
    }
  }
  const topics = inputs.topics ?? [];
  if (topicClusters.length > 0 && topics.length > 0) {
    built.resources.push(new TopicSet("topics", { topics, clusters: topicClusters }));
  }
  return built;
}

/** The secret URL of an external database, the same from every platform, and its metrics. */
function externalDatabase(
  system: "postgres" | "citus",
  external: NonNullable<ExternalEngines["postgres"]>,
  built: BuiltEngines,
): ByClientPlatform<pulumi.Output<string>> {
  const url = pulumi.secret(externalDatabaseUrl(external));
  if (external.metrics !== undefined) {
    built.metrics.push({ job: system, system, address: pulumi.output(external.metrics) });
  }
  return { compose: url, k3s: url };
}

/** Same-platform clients get the internal address, the others the external one. */
function byClient<T>(engineOn: PlatformKind, internal: T, external: T): ByClientPlatform<T> {
  return engineOn === "compose"
    ? { compose: internal, k3s: external }
    : { compose: external, k3s: internal };
}
