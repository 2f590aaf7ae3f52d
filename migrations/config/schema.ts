import { z } from "zod";
import { PlanError, validateDistributionPlan } from "../../components/database/distribution-plan";
import { isPinnedImage, PINNING_HINT } from "../../components/spec/pinned-image";
import { isHostAddress } from "../../components/platform/platform-args";
import { isDnsLabel } from "../../components/spec/k8s-names";
import { containsPlaintextSecret } from "../../components/spec/plaintext-secret";
import { isDuration } from "../duration";
import { EXTERNAL, externalEnginesSchema, isSecretField } from "../external-engines";
import { GATE_IDS, type PathId } from "../path";
import { PATH_IDS, phaseIds } from "../path-queries";
import { crossCheckProblems, databasePasswordProblems } from "./cross-checks";
import {
  CONFIG_KEYS,
  configKeyName,
  ENGINES,
  ENVIRONMENTS,
  PLATFORM_KINDS,
  SECRET_CONFIG_KEYS,
  type Engine,
  type EnginePlacement,
  type PlatformKind,
} from "./keys";
import {
  DEFAULT_K3S_SETTINGS,
  DEFAULT_ROUTING,
  StackConfigError,
  type StackConfig,
  type StackDistribution,
} from "./stack-config";

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
              .refine(isHostAddress, { error: "must be a host name or IP address, without a port" })
              .optional(),
            namespace: z
              .string({ error: "must be a Kubernetes namespace name" })
              .refine(isDnsLabel, {
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
   * The service the platform path moves to K3s first, which the monolith does not absorb.
   * @default none
   */
  readonly coordinationService?: string;
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
  const passwordProblems =
    parsed.databasePassword === undefined ? databasePasswordProblems(parsed.enginePlacement) : [];
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
    ...crossCheckProblems(config, options.services, options.coordinationService),
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

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const secret =
    (SECRET_CONFIG_KEYS as readonly PropertyKey[]).includes(issue.path[0] ?? "") ||
    isSecretField(issue.path);
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => `${configKeyName([...issue.path, key])}: ${issue.message}`);
  }
  if (issue.input === undefined) {
    return [`${configKeyName(issue.path)} is missing: ${issue.message}`];
  }
  if (issue.code === "custom" && issue.path.length > 0 && issue.input === issue.path.at(-1)) {
    return [`${configKeyName(issue.path)}: ${issue.message}`];
  }
  const shown =
    secret || containsPlaintextSecret(issue.input) ? "[secret]" : JSON.stringify(issue.input);
  return [`${configKeyName(issue.path)} = ${shown}: ${issue.message}`];
}

/** `stepwise:distribution` through the distribution plan's parser; its message names the field. */
function distributionOf(raw: unknown): { plan?: StackDistribution; problems: string[] } {
  if (raw === undefined) return { problems: [] };
  const key = configKeyName(["distribution"]);
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
