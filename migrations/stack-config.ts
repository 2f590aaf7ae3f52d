import { z } from "zod";
import {
  PlanError,
  validateDistributionPlan,
  type DistributionPlan,
} from "../components/database/distribution-plan";
import { isPinnedImage, PINNING_HINT } from "../components/spec/pinned-image";
import { containsPlaintextSecret } from "../components/spec/plaintext-secret";
import { DEFAULT_FEATURE_FLAGS } from "../components/routing/route";
import { isDuration } from "./duration";
import {
  EXTERNAL,
  EXTERNAL_CAPABLE_ENGINES,
  externalEnginesSchema,
  isSecretField,
  type ExternalEngines,
} from "./external-engines";
import type { GateRecord } from "./ledger";
import { GATE_IDS, type GateId, type PathId } from "./path";
import { PATH_IDS, pathById, phaseDefinition, phaseIds } from "./phases";

/** Config namespace of every stepwise key (`stepwise:phases`, …): the Pulumi project name. */
export const CONFIG_NAMESPACE = "stepwise";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const PLATFORM_KINDS = ["compose", "k3s"] as const;
export type PlatformKind = (typeof PLATFORM_KINDS)[number];

/** Stateful engines the program runs on a platform; each stays where the stack puts it. */
export const ENGINES = ["redpanda", "kafka", "postgres", "citus", "prometheus"] as const;
export type Engine = (typeof ENGINES)[number];
/** Where an engine runs: on a platform of the stack, or outside it (see external-engines.ts). */
export type EnginePlacement = PlatformKind | typeof EXTERNAL;

export { GATE_IDS };

/** Keys whose values are secrets: never shown in an error, read with `requireSecret`. */
export const SECRET_CONFIG_KEYS = ["databasePassword", "kubeconfig"] as const;

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
  externalAddress: "127.0.0.1",
  namespace: "stepwise",
};

/** Every config key the program reads; anything else under `stepwise:` is an error. */
export const CONFIG_KEYS = [
  "environment",
  "phases",
  "enteredAt",
  "previousPhases",
  "gates",
  "placement",
  "enginePlacement",
  "externalEngines",
  "k3s",
  "apiImages",
  "apiWeights",
  "monolithImage",
  "monolithWeights",
  "minimumTime",
  "policy",
  "distribution",
  "routing",
  ...SECRET_CONFIG_KEYS,
] as const;

/** Keys whose value is a string as written; every other key holds a YAML map. */
const TEXT_CONFIG_KEYS: readonly string[] = ["environment", "monolithImage", ...SECRET_CONFIG_KEYS];

/** Keys whose value is a structured (YAML map) value, stored by Pulumi as JSON text. */
export const OBJECT_CONFIG_KEYS: readonly string[] = CONFIG_KEYS.filter(
  (key) => !TEXT_CONFIG_KEYS.includes(key),
);

/** A stack config that cannot be used: every problem, one per line, each naming its key. */
export class StackConfigError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`invalid stack config:\n  ${problems.join("\n  ")}`);
    this.name = "StackConfigError";
  }
}

const list = (values: readonly string[]): string => values.join(", ");
const oneOf = (values: readonly string[]) => `must be one of ${list(values)}`;

/** A map whose keys must come from `valid`; an unknown key is reported with the valid ones. */
function mapOf<V extends z.ZodType>(valid: readonly string[], what: string, value: V) {
  return z.strictObject(Object.fromEntries(valid.map((key) => [key, value.optional()])), {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown ${what}; valid ${what}s are ${list(valid)}`
        : "must be a map",
  });
}

/** A map with exactly one entry per path, each a phase of that path. */
function phasesOfEveryPath() {
  return z.strictObject(
    Object.fromEntries(
      PATH_IDS.map((path) => {
        const valid = phaseIds(path);
        return [path, z.enum(valid as [string, ...string[]], { error: oneOf(valid) })];
      }),
    ),
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `unknown path; valid paths are ${list(PATH_IDS)}`
          : "must be a map of path to phase",
    },
  );
}

const isoTime = z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 time such as "2026-11-20T09:00:00Z"',
});

const gateRecord = z.strictObject(
  {
    passed: z.boolean({ error: "must be true or false" }),
    recordedAt: isoTime,
    detail: z.string({ error: "must be text saying what ran and what it found" }),
    // Written by the check command (migrations/gate-evidence.ts); the rules verify them.
    check: z.string().optional(),
    endpoints: z.array(z.string()).optional(),
    evidence: z.string().optional(),
    digest: z.string().optional(),
  },
  { error: "must be a map with passed, recordedAt and detail (as a check command records it)" },
);

const minimumTimeKeys = [
  "default",
  ...PATH_IDS,
  ...PATH_IDS.flatMap((path) => phaseIds(path).map((phase) => `${path}.${phase}`)),
];

function schemaFor(services: readonly string[]) {
  const platform = z.enum(PLATFORM_KINDS, { error: oneOf(PLATFORM_KINDS) });
  const placements = [...PLATFORM_KINDS, EXTERNAL] as const;
  const enginePlacement = z.enum(placements, { error: oneOf(placements) });
  const image = z
    .string({ error: 'must be an image reference such as "repo/app:1.2.3"' })
    .refine(isPinnedImage, {
      error: `must be pinned: ${PINNING_HINT}; "latest", "edge", "stable" and other tags without a version number move`,
    });
  const weight = z
    .number({ error: "must be a number from 0 to 100" })
    .int({ error: "must be a whole number from 0 to 100" })
    .min(0, { error: "must be a whole number from 0 to 100" })
    .max(100, { error: "must be a whole number from 0 to 100" });
  const duration = z
    .string({ error: 'must be a duration such as "0", "45m", "24h" or "7d"' })
    .refine(isDuration, { error: 'must be a duration such as "0", "45m", "24h" or "7d"' });

  return z.strictObject(
    {
      environment: z.enum(ENVIRONMENTS, { error: oneOf(ENVIRONMENTS) }),
      phases: phasesOfEveryPath(),
      enteredAt: z.strictObject(Object.fromEntries(PATH_IDS.map((p) => [p, isoTime])), {
        error: (issue) =>
          issue.code === "unrecognized_keys"
            ? `unknown path; valid paths are ${list(PATH_IDS)}`
            : "must be a map of path to ISO 8601 time",
      }),
      previousPhases: z
        .strictObject(
          Object.fromEntries(
            PATH_IDS.map((path) => {
              const valid = phaseIds(path);
              return [
                path,
                z.enum(valid as [string, ...string[]], { error: oneOf(valid) }).optional(),
              ];
            }),
          ),
          {
            error: (issue) =>
              issue.code === "unrecognized_keys"
                ? `unknown path; valid paths are ${list(PATH_IDS)}`
                : "must be a map of path to phase",
          },
        )
        .optional(),
      gates: mapOf(GATE_IDS, "gate", gateRecord).optional(),
      placement: mapOf(services, "service", platform).optional(),
      enginePlacement: mapOf(ENGINES, "engine", enginePlacement).optional(),
      externalEngines: externalEnginesSchema.optional(),
      k3s: z
        .strictObject(
          {
            skipAwait: z.boolean({ error: "must be true or false" }).optional(),
            externalAddress: z
              .string({ error: "must be a host name or IP address" })
              .regex(/^[^\s:/,]+$/, { error: "must be a host name or IP address, without a port" })
              .optional(),
            namespace: z
              .string({ error: "must be a Kubernetes namespace name" })
              .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
                error:
                  "must be a Kubernetes namespace name: lowercase letters, digits and '-', at most 63",
              })
              .optional(),
          },
          {
            error: (issue) =>
              issue.code === "unrecognized_keys"
                ? "unknown setting; valid settings are skipAwait, externalAddress, namespace"
                : "must be a map of K3s settings",
          },
        )
        .optional(),
      apiImages: mapOf(services, "service", image).optional(),
      apiWeights: mapOf(services, "service", weight).optional(),
      monolithImage: image.optional(),
      monolithWeights: z
        .record(z.string(), weight, { error: "must be a map of service to weight" })
        .optional(),
      minimumTime: z
        .record(z.string(), duration, { error: "must be a map of phase to duration" })
        .superRefine((map, ctx) => {
          for (const key of Object.keys(map)) {
            if (!minimumTimeKeys.includes(key)) {
              ctx.addIssue({
                code: "custom",
                path: [key],
                input: key,
                message: `unknown key; use "default", a path (${list(PATH_IDS)}) or "<path>.<phase>" such as "events.parallel"`,
              });
            }
          }
        })
        .optional(),
      policy: z
        .record(z.string(), z.unknown(), { error: "must be a map of policy settings" })
        .optional(),
      // Checked by the plan's own parser (the one `stepwise database readiness --plan` uses).
      distribution: z.unknown().optional(),
      routing: z
        .strictObject(
          {
            flagHeader: z
              .string({ error: "must be a header name" })
              .regex(/^[A-Za-z0-9-]+$/, { error: "must be a header name: letters, digits and '-'" })
              .optional(),
            flagCookie: z
              .string({ error: "must be a cookie name" })
              .regex(/^[A-Za-z0-9_-]+$/, {
                error: "must be a cookie name: letters, digits, '_' and '-'",
              })
              .optional(),
            domain: z
              .string({ error: 'must be a DNS domain such as "shop.example.com"' })
              .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
                error: 'must be a DNS domain such as "shop.example.com"',
              })
              .optional(),
            sticky: z
              .array(z.enum(services as [string, ...string[]], { error: oneOf(services) }), {
                error: "must be a list of services",
              })
              .optional(),
            mirror: mapOf(
              services,
              "service",
              z
                .number({ error: "must be a whole percent from 1 to 100" })
                .int({ error: "must be a whole percent from 1 to 100" })
                .min(1, { error: "must be a whole percent from 1 to 100" })
                .max(100, { error: "must be a whole percent from 1 to 100" }),
            ).optional(),
          },
          {
            error: (issue) =>
              issue.code === "unrecognized_keys"
                ? "unknown setting; valid settings are flagHeader, flagCookie, domain, sticky, mirror"
                : "must be a map of routing settings",
          },
        )
        .optional(),
      databasePassword: z.string({ error: "must be a (secure) string" }).optional(),
      kubeconfig: z.string({ error: "must be a (secure) string" }).optional(),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `unknown key; valid keys are ${list(CONFIG_KEYS)}`
          : "must be a map",
    },
  );
}

export interface ParseOptions {
  /** Names of the services the stack runs (placement and api keys must be among them). */
  readonly services: readonly string[];
  /**
   * The policy pack's check of `stepwise:policy` (policies/config.ts `policySettingsProblems`).
   * The policy settings schema is built from the rule catalogue and the policy floor, so the
   * policies own it; this module sits below them and takes the check from its caller (the
   * program's config reader). Left out, `stepwise:policy` is only checked to be a map.
   */
  readonly policyProblems?: (config: StackConfig) => readonly string[];
}

/**
 * Validates raw stack config (keys without the `stepwise:` prefix, structured values already
 * parsed) and returns it with defaults filled in. Every problem is reported at once, each as
 * `stepwise:<key>[.<field>] = <value>: <what is allowed>`; secret values are never shown.
 */
export function parseStackConfig(
  raw: Readonly<Record<string, unknown>>,
  options: ParseOptions,
): StackConfig {
  const result = schemaFor(options.services).safeParse(raw, { reportInput: true });
  if (!result.success) throw new StackConfigError(result.error.issues.flatMap(describeIssue));
  const parsed = result.data;
  const passwordProblems = parsed.databasePassword === undefined ? databasesRunHere(parsed) : [];
  const distribution = distributionOf(parsed.distribution);
  const config: StackConfig = {
    environment: parsed.environment,
    phases: parsed.phases as Record<PathId, string>,
    enteredAt: parsed.enteredAt as Record<PathId, string>,
    previousPhases: defined(parsed.previousPhases ?? {}),
    gates: defined(parsed.gates ?? {}),
    placement: defined<PlatformKind>(parsed.placement ?? {}),
    enginePlacement: {
      ...(Object.fromEntries(ENGINES.map((e) => [e, "compose"])) as Record<Engine, PlatformKind>),
      ...defined<EnginePlacement>(parsed.enginePlacement ?? {}),
    },
    externalEngines: defined(parsed.externalEngines ?? {}),
    k3s: { ...DEFAULT_K3S_SETTINGS, ...defined(parsed.k3s ?? {}) },
    apiImages: defined<string>(parsed.apiImages ?? {}),
    apiWeights: defined<number>(parsed.apiWeights ?? {}),
    monolithImage: parsed.monolithImage,
    monolithWeights: parsed.monolithWeights ?? {},
    minimumTime: parsed.minimumTime ?? {},
    policy: parsed.policy ?? {},
    distribution: distribution.plan,
    routing: {
      flagHeader: parsed.routing?.flagHeader ?? DEFAULT_ROUTING.flagHeader,
      flagCookie: parsed.routing?.flagCookie ?? DEFAULT_ROUTING.flagCookie,
      domain: parsed.routing?.domain,
      sticky: parsed.routing?.sticky ?? DEFAULT_ROUTING.sticky,
      mirror: defined<number>(parsed.routing?.mirror ?? {}),
    },
  };
  const problems = [
    ...passwordProblems,
    ...distribution.problems,
    ...crossCheck(config, options.services),
    ...monolithWeightProblems(config, options.services),
    ...(options.policyProblems?.(config) ?? []),
  ];
  if (problems.length > 0) throw new StackConfigError(problems);
  return config;
}

function defined<T>(map: Readonly<Record<string, T | undefined>>): Record<string, T> {
  return Object.fromEntries(Object.entries(map).filter(([, v]) => v !== undefined)) as Record<
    string,
    T
  >;
}

function keyName(path: readonly PropertyKey[]): string {
  return `${CONFIG_NAMESPACE}:${path.map(String).join(".")}`;
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const secret =
    (SECRET_CONFIG_KEYS as readonly PropertyKey[]).includes(issue.path[0] ?? "") ||
    isSecretField(issue.path);
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => `${keyName([...issue.path, key])}: ${issue.message}`);
  }
  if (issue.input === undefined) {
    return [`${keyName(issue.path)} is missing: ${issue.message}`];
  }
  if (issue.code === "custom" && issue.path.length > 0 && issue.input === issue.path.at(-1)) {
    return [`${keyName(issue.path)}: ${issue.message}`];
  }
  const shown =
    secret || containsPlaintextSecret(issue.input) ? "[secret]" : JSON.stringify(issue.input);
  return [`${keyName(issue.path)} = ${shown}: ${issue.message}`];
}

/** `stepwise:distribution` through the distribution plan's parser; its message names the field. */
function distributionOf(raw: unknown): { plan?: StackDistribution; problems: string[] } {
  if (raw === undefined) return { problems: [] };
  const key = keyName(["distribution"]);
  try {
    const plan = validateDistributionPlan(raw, key);
    const { schema } = raw as { schema?: string }; // the parser accepted it: a string or absent
    return { plan: { ...plan, schema: schema ?? "public" }, problems: [] };
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    return {
      problems: [
        `${error.message} Write it as the readiness check's plan (docs/database.md), under ${key}.`,
      ],
    };
  }
}

/** The databases the stack runs itself need the superuser password (external ones bring theirs). */
function databasesRunHere(parsed: { enginePlacement?: Partial<Record<Engine, string>> }): string[] {
  const own = (["postgres", "citus"] as const).filter(
    (engine) => parsed.enginePlacement?.[engine] !== EXTERNAL,
  );
  return own.length === 0
    ? []
    : [
        `${keyName(["databasePassword"])} is missing: the stack runs ${own.join(" and ")} itself (enginePlacement is not "external"), which needs a superuser password; set it with \`pulumi config set --secret stepwise:databasePassword <password>\``,
      ];
}

/** Rules that span keys: each platform phase fixes where services and engines may run. */
function crossCheck(config: StackConfig, services: readonly string[]): string[] {
  const problems: string[] = [];
  const platformPhase = config.phases.platform;
  const platformWiring = phaseDefinition("platform", platformPhase).wiring;
  const deployedPlatforms = platformWiring.deployed;

  for (const [path, previous] of Object.entries(config.previousPhases)) {
    if (previous === config.phases[path as PathId]) {
      problems.push(
        `${keyName(["previousPhases", path])} = "${previous}": equals the current phase; give the phase before it or remove the entry`,
      );
    }
  }

  for (const engine of ENGINES) {
    const kind = config.enginePlacement[engine];
    if (kind === EXTERNAL) continue;
    if (!deployedPlatforms.includes(kind)) {
      problems.push(
        `${keyName(["enginePlacement", engine])} = "${kind}": platform phase "${platformPhase}" deploys only ${list(deployedPlatforms)}; place ${engine} on one of those`,
      );
    }
  }

  problems.push(...externalProblems(config));

  const apiPhase = config.phases.api;
  const apiServices = Object.keys(config.apiImages);
  if (apiPhase !== "old" && apiServices.length === 0) {
    problems.push(
      `${keyName(["apiImages"])} is missing: api phase "${apiPhase}" needs the new image of at least one service (one of ${list(services)})`,
    );
  }
  for (const service of Object.keys(config.apiWeights)) {
    if (!apiServices.includes(service)) {
      problems.push(
        `${keyName(["apiWeights", service])}: ${service} has no entry in ${keyName(["apiImages"])}; add its new image or remove the weight`,
      );
    }
  }
  if (apiPhase === "canary") {
    for (const service of apiServices) {
      if (config.apiWeights[service] === undefined) {
        problems.push(
          `${keyName(["apiWeights", service])} is missing: api phase "canary" needs a weight from 0 to 100 for ${service}`,
        );
      }
    }
  }

  if (apiPhase !== "old" && config.phases.consolidation !== "microservices") {
    problems.push(
      `${keyName(["phases", "api"])} = "${apiPhase}": the api and consolidation paths both change the same services, so only one may leave its baseline; roll one back to it (api "old", consolidation "microservices"; consolidation is at "${config.phases.consolidation}") before moving the other`,
    );
  }
  if (config.phases.consolidation !== "microservices" && config.monolithImage === undefined) {
    problems.push(
      `${keyName(["monolithImage"])} is missing: consolidation phase "${config.phases.consolidation}" runs the modular monolith; give its image, e.g. "firstviscount/modular-monolith:1.0.0"`,
    );
  }
  return problems;
}

/** Monolith weights: for services the monolith absorbs, in the one phase that follows them. */
function monolithWeightProblems(config: StackConfig, services: readonly string[]): string[] {
  const absorbed = absorbedServices(services);
  const phase = config.phases.consolidation;
  const weighted = phaseDefinition("consolidation", phase).wiring.newTrafficPercent;
  return Object.keys(config.monolithWeights).flatMap((service) => {
    const key = `${keyName(["monolithWeights", service])} = ${config.monolithWeights[service]}`;
    if (!absorbed.includes(service)) {
      return [
        `${key}: ${service} is not a service the monolith absorbs; give weights for ${list(absorbed)}`,
      ];
    }
    if (weighted !== "per-service") {
      return [
        `${key}: consolidation phase "${phase}" fixes the monolith's share at ${weighted}%; monolith weights apply only at "monolith-parallel", so remove them (stepwise advance and rollback do)`,
      ];
    }
    return [];
  });
}

/** Every engine placed `external` has endpoints, and only those have them. */
function externalProblems(config: StackConfig): string[] {
  const problems: string[] = [];
  for (const engine of ENGINES) {
    const external = config.enginePlacement[engine] === EXTERNAL;
    const capable = (EXTERNAL_CAPABLE_ENGINES as readonly string[]).includes(engine);
    const given = capable && config.externalEngines[engine as keyof ExternalEngines] !== undefined;
    if (external && !capable) {
      problems.push(
        `${keyName(["enginePlacement", engine])} = "external": ${engine} runs on a platform of the stack; place it on ${list(PLATFORM_KINDS)}`,
      );
    } else if (external && !given) {
      problems.push(
        `${keyName(["externalEngines", engine])} is missing: ${keyName(["enginePlacement", engine])} is "external", so give its endpoints (${engine === "redpanda" || engine === "kafka" ? "bootstrap" : "host, port, database, user, password"})`,
      );
    } else if (!external && given) {
      problems.push(
        `${keyName(["externalEngines", engine])}: ${engine} is placed on "${config.enginePlacement[engine]}", not "external"; remove the endpoints or set ${keyName(["enginePlacement", engine])}: external`,
      );
    }
  }
  return problems;
}

/** The platform a phase fixes for a service, or undefined where the stack's placement decides. */
export function fixedPlacement(
  rule: "compose" | "coordination" | "per-service" | "k3s" | undefined,
  service: string,
): PlatformKind | undefined {
  switch (rule) {
    case "compose":
      return "compose";
    case "k3s":
      return "k3s";
    case "coordination":
      return service === COORDINATION_SERVICE ? "k3s" : "compose";
    default:
      return undefined;
  }
}

/** The service that moves to K3s first: the platform path's `coordination-on-k3s` phase (docs/migrations.md). */
export const COORDINATION_SERVICE = "platform-coordination";

/** The services the modular monolith absorbs as its modules: all but coordination (and itself). */
export function absorbedServices(services: readonly string[]): string[] {
  const monolith = pathById("consolidation").newSystem;
  return services.filter((name) => name !== COORDINATION_SERVICE && name !== monolith);
}
