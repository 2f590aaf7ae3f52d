import type * as pulumi from "@pulumi/pulumi";
import { PostgresServer } from "../../components/database/PostgresServer";
import type { MetricsEndpoint } from "../../components/monitoring/metrics-endpoint";
import type { PlatformRef } from "../../components/platform/platform-ref";
import type { Engine, PlatformKind } from "../stack-config";
import type { ByClientPlatform } from "./topology";

/** The database every service's DATABASE_URL names. */
export const APP_DATABASE = "catalog";

export interface EngineInputs {
  /** Where each engine of the current phases runs. */
  readonly engines: Readonly<Partial<Record<Engine, PlatformKind>>>;
  /** The platforms PlatformServices built. */
  readonly refs: Readonly<Partial<Record<PlatformKind, PlatformRef>>>;
  readonly databasePassword: pulumi.Output<string>;
}

export interface BuiltEngines {
  readonly databaseUrls: Partial<
    Record<"postgres" | "citus", ByClientPlatform<pulumi.Output<string>>>
  >;
  readonly bootstrap: Partial<
    Record<"redpanda" | "kafka", ByClientPlatform<pulumi.Output<string>>>
  >;
  /** Scrape targets of every engine, for the platform's Prometheus. */
  readonly metrics: MetricsEndpoint[];
}

/**
 * The stateful engines the events and database phases deploy, each on its platform. Names are
 * fixed ("postgres", "citus", "redpanda", "kafka"), so an engine keeps its identity while it
 * exists and a phase change never replaces it.
 */
export function buildEngines(inputs: EngineInputs): BuiltEngines {
  const built: BuiltEngines = { databaseUrls: {}, bootstrap: {}, metrics: [] };
  const refOf = (engine: Engine): { kind: PlatformKind; ref: PlatformRef } | undefined => {
    const kind = inputs.engines[engine];
    if (kind === undefined) return undefined;
    const ref = inputs.refs[kind];
    if (!ref) {
      throw new Error(
        `stepwise:enginePlacement.${engine} = "${kind}": no service runs on ${kind} in these phases, so the platform is not built; place ${engine} where services run`,
      );
    }
    return { kind, ref };
  };

  const postgres = refOf("postgres");
  if (postgres) {
    const server = new PostgresServer("postgres", {
      platform: postgres.ref,
      superuserPassword: inputs.databasePassword,
      database: APP_DATABASE,
      system: "postgres",
    });
    built.databaseUrls.postgres = byClient(
      postgres.kind,
      server.connectionUrl,
      server.externalConnectionUrl,
    );
    built.metrics.push(server.metrics);
  }
  // TODO(issue 5): CitusCluster (coordinator + workers, one image line) once it is committed.
  // TODO(issue 4): RedpandaCluster / KafkaCluster + the shared TopicSet once they are committed.
  return built;
}

/** Same-platform clients get the internal address, the others the external one. */
function byClient<T>(engineOn: PlatformKind, internal: T, external: T): ByClientPlatform<T> {
  return engineOn === "compose"
    ? { compose: internal, k3s: external }
    : { compose: external, k3s: internal };
}
