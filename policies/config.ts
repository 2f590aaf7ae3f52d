/**
 * Policy settings: the `stepwise:policy` object of a stack's config. One schema serves the
 * transition checks, the CrossGuard pack (through its generated --policy-pack-config) and the
 * stack config validation of the program.
 */
import { z } from "zod";
import { MAX_SETTING_DAYS, parseDuration } from "../migrations/duration";
import {
  ENVIRONMENTS,
  LEVELS,
  RULES,
  RULE_IDS,
  type Environment,
  type Level,
  type RuleId,
} from "./rules";
import { floorProblems } from "./floor";
import {
  DEFAULT_MINIMUM_PHASE_TIME,
  DEFAULT_ROLLBACK_DRILL_MAX_AGE_DAYS,
  DEFAULT_ROLLBACK_WINDOW_DAYS,
  DEFAULT_WEIGHT_STEP,
} from "./defaults";

/** Settings after defaults: what every check reads. */
export interface PolicySettings {
  readonly environment: Environment;
  readonly levels: Readonly<Record<RuleId, Level>>;
  /** Largest move of a traffic weight per update, in percentage points. */
  readonly weightStep: number;
  readonly rollbackWindowDays: number;
  readonly rollbackDrillMaxAgeDays: number;
  readonly minimumPhaseTimeMs: number;
  readonly allowMultiplePaths: boolean;
  /** Provider types the stack adds to the data holders (policies/stateful-types.ts). */
  readonly statefulTypes: readonly string[];
  /** Provider types the name pattern takes for data holders that are not. */
  readonly statelessTypes: readonly string[];
}

const durationText = z.string().refine((text) => parseDuration(text) !== undefined, {
  error: (issue) =>
    `bad duration ${JSON.stringify(issue.input)}; write a number and a unit (ms, s, m, h, d), e.g. "24h", "30m", "7d" or "0", at most ${MAX_SETTING_DAYS}d`,
});

const levelText = z.string().refine((text) => (LEVELS as readonly string[]).includes(text), {
  error: (issue) => `bad level ${JSON.stringify(issue.input)}; valid levels: ${LEVELS.join(", ")}`,
});

const typeToken = z.string().regex(/^[\w.-]+:[\w./-]*:[\w.-]+$/, {
  error: (issue) =>
    `bad type token ${JSON.stringify(issue.input)}; write it as the engine prints it, e.g. "aws:rds/instance:Instance"`,
});

/**
 * `stepwise:policy`. Each key's description is what docs/policies.md says it means (its default
 * comes from resolving the defaults, defaults.ts).
 */
export const policySettingsSchema = z.strictObject({
  environment: z
    .enum(ENVIRONMENTS, {
      error: (issue) =>
        `bad environment ${JSON.stringify(issue.input)}; valid environments: ${ENVIRONMENTS.join(", ")}`,
    })
    .describe("which defaults apply"),
  levels: z
    .record(z.string(), levelText)
    .superRefine((levels, ctx) => {
      for (const id of Object.keys(levels)) {
        if (!(RULE_IDS as readonly string[]).includes(id)) {
          ctx.addIssue({
            code: "custom",
            path: [id],
            message: `unknown rule id ${JSON.stringify(id)}; valid ids: ${RULE_IDS.join(", ")}`,
          });
        }
      }
    })
    .optional()
    .describe(`\`{ <rule id>: ${LEVELS.join(" | ")} }\``),
  weightStep: z
    .number()
    .int()
    .min(1)
    .max(100)
    .optional()
    .describe("largest move of a traffic weight per update, in points"),
  rollbackWindowDays: z
    .number()
    .min(0)
    .max(MAX_SETTING_DAYS)
    .optional()
    .describe("days after entering the cutover phase before retirement"),
  rollbackDrillMaxAgeDays: z
    .number()
    .min(0)
    .max(MAX_SETTING_DAYS)
    .optional()
    .describe("age limit of the rollback drill before a forward step in prod"),
  minimumPhaseTime: z
    .union([
      durationText,
      z.strictObject({ dev: durationText, staging: durationText, prod: durationText }).partial(),
    ])
    .optional()
    .describe(
      'a duration ("24h", "7d") or one per environment; the ledger\'s own `minimumTime` applies too, the stricter wins',
    ),
  allowMultiplePaths: z.boolean().optional().describe("let several paths move in one update"),
  statefulTypes: z
    .array(typeToken)
    .optional()
    .describe(
      'provider type tokens to treat as data holders (replacing or deleting one is called out and judged by the stateful rules), e.g. `["myco:index:Ledger"]`',
    ),
  statelessTypes: z
    .array(typeToken)
    .optional()
    .describe(
      "type tokens the name pattern takes for data holders that hold no data; they silence the pattern only, never the table",
    ),
});
/** `stepwise:policy` as written; `environment` may be left to the stack's name. */
export type PolicySettingsInput = Omit<z.input<typeof policySettingsSchema>, "environment"> & {
  readonly environment?: Environment;
};

/** A policy settings error the user can fix: every problem on its own line, named by field. */
export class PolicyConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid policy settings:\n  ${problems.join("\n  ")}`);
    this.name = "PolicyConfigError";
  }
}

/** Stack names that are environments; any other stack must say `environment` itself. */
export function environmentOfStack(stack: string): Environment | undefined {
  const last = stack.split("/").pop() ?? stack;
  return (ENVIRONMENTS as readonly string[]).includes(last) ? (last as Environment) : undefined;
}

/**
 * Validates `stepwise:policy` and fills in defaults. `stack` supplies the environment when the
 * settings leave it out. `field` prefixes error paths so they match where the user wrote them.
 */
export function resolvePolicySettings(
  raw: unknown,
  options: {
    stack?: string;
    field?: string;
    /** An environment whose floor applies too: the deployed side's, when a change relabels it. */
    alsoFloorOf?: Environment;
  } = {},
): PolicySettings {
  const field = options.field ?? "stepwise:policy";
  const input = raw ?? {};
  if (typeof input !== "object" || Array.isArray(input)) {
    throw new PolicyConfigError([
      `${field}: expected an object, got ${JSON.stringify(raw)}; write e.g. { environment: prod, weightStep: 25 }`,
    ]);
  }
  const fromStack = options.stack === undefined ? undefined : environmentOfStack(options.stack);
  const withEnvironment = { environment: fromStack, ...(input as Record<string, unknown>) };
  // A missing environment is reported together with every other problem, not alone.
  const environmentProblems =
    withEnvironment.environment === undefined
      ? [
          `${field}.environment: missing, and stack ${JSON.stringify(options.stack)} is not named after one; set it to one of ${ENVIRONMENTS.join(", ")}`,
        ]
      : [];
  // A stack named after an environment is that environment: its file cannot relabel it.
  const claimed = withEnvironment.environment;
  const isEnvironment = (ENVIRONMENTS as readonly unknown[]).includes(claimed);
  if (fromStack !== undefined && isEnvironment && claimed !== fromStack) {
    environmentProblems.push(
      `${field}.environment: ${JSON.stringify(claimed)} contradicts stack ${JSON.stringify(options.stack)}, which is named after ${fromStack}; remove it or set it to ${fromStack}`,
    );
  }
  const parsed = policySettingsSchema.safeParse({
    ...withEnvironment,
    environment: withEnvironment.environment ?? "prod",
  });
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const where = [field, ...issue.path.map(String)].join(".");
        if (issue.code === "unrecognized_keys") {
          return `${where}: ${issue.message}; valid keys: ${Object.keys(policySettingsSchema.shape).join(", ")}`;
        }
        // Custom messages already quote the value; zod's own ones do not.
        if (issue.code === "custom") return `${where}: ${issue.message}`;
        const got = JSON.stringify(valueAt(withEnvironment, issue.path)) ?? "nothing";
        return issue.message.includes(got)
          ? `${where}: ${issue.message}`
          : `${where}: ${issue.message} (got ${got})`;
      });
  if (environmentProblems.length > 0 || !parsed.success) {
    throw new PolicyConfigError([...environmentProblems, ...problems]);
  }
  const settings = parsed.data;
  const environment = settings.environment;
  const minimum =
    typeof settings.minimumPhaseTime === "string"
      ? settings.minimumPhaseTime
      : (settings.minimumPhaseTime?.[environment] ?? DEFAULT_MINIMUM_PHASE_TIME[environment]);
  const resolved: PolicySettings = {
    environment,
    levels: Object.fromEntries(
      RULES.map((rule) => [
        rule.id,
        (settings.levels?.[rule.id] as Level | undefined) ?? rule.levels[environment],
      ]),
    ) as Record<RuleId, Level>,
    weightStep: settings.weightStep ?? DEFAULT_WEIGHT_STEP,
    rollbackWindowDays: settings.rollbackWindowDays ?? DEFAULT_ROLLBACK_WINDOW_DAYS,
    rollbackDrillMaxAgeDays:
      settings.rollbackDrillMaxAgeDays ?? DEFAULT_ROLLBACK_DRILL_MAX_AGE_DAYS,
    minimumPhaseTimeMs: parseDuration(minimum) ?? 0,
    allowMultiplePaths: settings.allowMultiplePaths ?? false,
    statefulTypes: settings.statefulTypes ?? [],
    statelessTypes: settings.statelessTypes ?? [],
  };
  const floors = new Set([environment, options.alsoFloorOf ?? environment]);
  const belowFloor = [...floors].flatMap((floor) => floorProblems(resolved, floor, field));
  if (belowFloor.length > 0) throw new PolicyConfigError([...new Set(belowFloor)]);
  return resolved;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    value =
      typeof value === "object" && value !== null
        ? (value as Record<PropertyKey, unknown>)[key]
        : undefined;
  }
  return value;
}

/**
 * The raw policy settings a stack's config gives: `stepwise:policy`, its environment defaulting
 * to the stack's `stepwise:environment`. Values may be parsed (stack files) or JSON text (the
 * `config` of a plan). A `stepwise:policy` that is not a map is passed on for the schema to refuse.
 */
export function stackPolicyInput(config: Readonly<Record<string, unknown>>): unknown {
  const parse = (value: unknown): unknown => {
    if (typeof value !== "string" || !value.startsWith("{")) return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  };
  const policy = parse(config["stepwise:policy"]) ?? {};
  const environment = config["stepwise:environment"];
  if (typeof policy !== "object" || policy === null || Array.isArray(policy)) return policy;
  return { ...(typeof environment === "string" ? { environment } : {}), ...policy };
}

/**
 * Problems of a stack config's `stepwise:policy` under the stack's environment, for the stack
 * config validation (migrations/config/schema.ts takes it as `policyProblems`); none when valid.
 */
export function policySettingsProblems(config: {
  readonly environment: Environment;
  readonly policy: Readonly<Record<string, unknown>>;
}): string[] {
  try {
    resolvePolicySettings({ environment: config.environment, ...config.policy });
    return [];
  } catch (error) {
    if (error instanceof PolicyConfigError) return [...error.problems];
    throw error;
  }
}

/** Default settings of an environment (what a stack gets with no `stepwise:policy`). */
export function defaultPolicySettings(environment: Environment): PolicySettings {
  return resolvePolicySettings({ environment });
}
