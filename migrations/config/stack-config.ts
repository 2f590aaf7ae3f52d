import type { DistributionPlan } from "../../components/database/distribution-plan";
import { DEFAULT_K3S_EXTERNAL_ADDRESS } from "../../components/platform/platform-ref";
import { DEFAULT_FEATURE_FLAGS } from "../../components/routing/route";
import type { ExternalEngines } from "../external-engines";
import type { GateRecord } from "../ledger";
import type { GateId, PathId } from "../path";
import type { Engine, EnginePlacement, Environment, PlatformKind } from "./keys";

/** The validated stack config: what the program builds and what the ledger records. */
export interface StackConfig {
  readonly environment: Environment;
  /** Current phase of every path. */
  readonly phases: Readonly<Record<PathId, string>>;
  /** ISO 8601 time each path entered its current phase. */
  readonly enteredAt: Readonly<Record<PathId, string>>;
  /** The phase each path was at before its current one (left out at a path's first phase). */
  readonly previousPhases: Readonly<Partial<Record<PathId, string>>>;
  /** Recorded gate checks. */
  readonly gates: Readonly<Partial<Record<GateId, GateRecord>>>;
  /**
   * Where each service runs while the platform path moves services one at a time
   * (`services-moving`); in the other platform phases the phase decides and this is kept, unused,
   * so that advancing or rolling back the phase needs no other edit.
   */
  readonly placement: Readonly<Record<string, PlatformKind>>;
  /** Where each stateful engine runs. Left out: compose. */
  readonly enginePlacement: Readonly<Record<Engine, EnginePlacement>>;
  /** Endpoints of the engines placed `external`. */
  readonly externalEngines: ExternalEngines;
  /** How the stack's K3s cluster is reached and treated. */
  readonly k3s: K3sSettings;
  /** Image of the new implementation of each service under the api migration. */
  readonly apiImages: Readonly<Record<string, string>>;
  /** Percent of each service's requests the new implementation serves during `canary`. */
  readonly apiWeights: Readonly<Record<string, number>>;
  /** Image of the modular monolith (consolidation path). */
  readonly monolithImage: string | undefined;
  /**
   * Percent of each absorbed service's requests the monolith serves during `monolith-parallel`
   * (only there); a service left out gets 0.
   */
  readonly monolithWeights: Readonly<Record<string, number>>;
  /** Minimum time in a phase: keys "default", a path id, or "<path>.<phase>"; most specific wins. */
  readonly minimumTime: Readonly<Record<string, string>>;
  /** Policy settings, validated by the policy pack's own schema (policies/config.ts). */
  readonly policy: Readonly<Record<string, unknown>>;
  /**
   * The Citus distribution plan (the readiness check's plan, tables in distribution order): the
   * distributed and reference tables the database phases declare on Citus once
   * `data-model-reviewed` is recorded. Left out: no table is distributed by the stack.
   */
  readonly distribution: StackDistribution | undefined;
  /** How requests reach the api and consolidation paths' implementations (the routers). */
  readonly routing: StackRouting;
}

/** The routers' settings (`stepwise:routing`); weights come from the phases and the *Weights keys. */
export interface StackRouting {
  /** Header whose value (`old`/`new`) forces an implementation. @default DEFAULT_FEATURE_FLAGS.header */
  readonly flagHeader: string;
  /** Cookie whose value forces an implementation. @default DEFAULT_FEATURE_FLAGS.cookie */
  readonly flagCookie: string;
  /** Routes answer `<service>.<domain>`. @default none: each route answers its service's name */
  readonly domain: string | undefined;
  /** Services whose clients stay on the implementation they first reached. @default none */
  readonly sticky: readonly string[];
  /**
   * Percent of a service's requests copied to its new implementation while that one still has
   * weight 0 (shadow traffic). @default none
   */
  readonly mirror: Readonly<Record<string, number>>;
}

export const DEFAULT_ROUTING: StackRouting = {
  flagHeader: DEFAULT_FEATURE_FLAGS.header,
  flagCookie: DEFAULT_FEATURE_FLAGS.cookie,
  domain: undefined,
  sticky: [],
  mirror: {},
};

/** The distribution plan as the stack holds it, with its default schema (the grants' schema). */
export interface StackDistribution extends DistributionPlan {
  /** The plan's `schema` (the one unqualified table names are in). @default "public" */
  readonly schema: string;
}

export interface K3sSettings {
  /**
   * An API server without nodes (a test control plane): Pulumi does not wait for workloads,
   * Services and volume claims to become ready, since no Pod is ever scheduled there.
   * @default false (wait, as on a real cluster)
   */
  readonly skipAwait: boolean;
  /**
   * Address of a node (or load balancer) at which other platforms, and Pulumi itself, reach
   * NodePorts and ServiceLB ports of the cluster.
   * @default "127.0.0.1" (only right where they run on the node itself)
   */
  readonly externalAddress: string;
  /** Namespace of every workload the stack runs on the cluster. @default "stepwise" */
  readonly namespace: string;
}

export const DEFAULT_K3S_SETTINGS: K3sSettings = {
  skipAwait: false,
  externalAddress: DEFAULT_K3S_EXTERNAL_ADDRESS,
  namespace: "stepwise",
};

/** A stack config that cannot be used: every problem, one per line, each naming its key. */
export class StackConfigError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`invalid stack config:\n  ${problems.join("\n  ")}`);
    this.name = "StackConfigError";
  }
}
