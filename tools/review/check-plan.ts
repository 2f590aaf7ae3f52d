/**
 * Which rules a plan is judged by, and the verdicts. A preview of any program can be reviewed:
 * path rules run only where the plan carries stepwise's migration state (the PhaseLedger step),
 * and a rule whose level depends on the environment runs only once the environment is known.
 */
import { containsPlaintextSecret } from "../../components/spec/plaintext-secret";
import { asLedger, ledgerStepOf, type Ledger } from "../../migrations/ledger";
import {
  PolicyConfigError,
  resolvePolicySettings,
  stackPolicyInput,
  environmentOfStack,
  type PolicySettings,
} from "../../policies/config";
import { policySettingChanges, type PolicySettingChange } from "../../policies/policy-change";
import {
  ENVIRONMENTS,
  levelInEveryEnvironment,
  RULES,
  type Environment,
  type Level,
  type RuleId,
} from "../../policies/rules";
import type { StatefulTypeOverrides } from "../../policies/stateful-types";
import { checkTransition, type Verdict } from "../../policies/transition";
import type { Plan } from "../../migrations/plan-model";

/** What the review says about the rules it applied: which environment, which rules, and why. */
export interface RulesApplied {
  readonly environment: Environment | undefined;
  /** Where the environment came from, e.g. "--environment", "the stack name". */
  readonly environmentSource: string | undefined;
  readonly pathRules: "applied" | "no-migration-state" | "ledger-not-in-preview";
  /** Rules that ran. */
  readonly ran: readonly RuleId[];
  /** One sentence for the reader on what was not applied and why; undefined when all ran. */
  readonly note: string | undefined;
}

export interface PlanCheck {
  readonly verdicts: Verdict[];
  readonly policyChanges: PolicySettingChange[];
  readonly rules: RulesApplied;
  /** The stack's additions to the stateful table, for the review's call-outs. */
  readonly statefulTypes: StatefulTypeOverrides;
}

/** A plan or its policy that cannot be judged as given; the message says what to change. */
export class PlanCheckError extends Error {
  override readonly name = "PlanCheckError";
}

export interface CheckPlanOptions {
  readonly stack: string | undefined;
  readonly now: Date;
  /** The environment the caller names (`--environment`). */
  readonly environment?: Environment;
}

/**
 * Transition checks on a plan of either source: the ledgers are the PhaseLedger step's old and
 * new inputs (the engine's oldState is what is deployed). The policy in force is the one the
 * deployed ledger recorded; only without one (a first deployment, an older ledger) the plan's
 * config gives it.
 */
export function checkPlan(plan: Plan, options: CheckPlanOptions): PlanCheck {
  const ledgerStep = ledgerStepOf(plan);
  const before = ledgerOf(ledgerStep?.oldState?.inputs, "oldState") ?? EMPTY;
  const after = ledgerOf(ledgerStep?.newState?.inputs, "newState") ?? EMPTY;
  const proposed = after.policy ?? stackPolicyInput(plan.config ?? {});
  const inForce = before.policy ?? proposed;
  const environment = environmentOf(inForce, options);
  const pathRules =
    ledgerStep !== undefined
      ? "applied"
      : Object.keys(plan.config ?? {}).some((key) => key.startsWith("stepwise:phases"))
        ? "ledger-not-in-preview"
        : "no-migration-state";
  const known = environment.value;
  if (known === undefined) return unknownEnvironment(plan, inForce, pathRules, options);
  const resolve = (raw: unknown, alsoFloorOf?: Environment): PolicySettings =>
    settingsOf(raw, known, options.stack, alsoFloorOf);
  const settings = resolve(inForce);
  const policyChanges =
    before.policy === undefined
      ? []
      : policySettingChanges(settings, resolve(proposed, settings.environment));
  const ran = RULES.filter((r) => pathRules === "applied" || r.scope === "resource").map(
    (r) => r.id,
  );
  return {
    verdicts: checkTransition({
      plan,
      before,
      after,
      settings,
      policyChanges,
      now: options.now,
      rules: ran,
    }),
    policyChanges,
    statefulTypes: typeOverrides(settings),
    rules: {
      environment: known,
      environmentSource: environment.source,
      pathRules,
      ran,
      note: pathRulesNote(pathRules),
    },
  };
}

/** Before the environment is known only the rules at one level everywhere can be applied. */
function unknownEnvironment(
  plan: Plan,
  inForce: unknown,
  pathRules: RulesApplied["pathRules"],
  options: CheckPlanOptions,
): PlanCheck {
  const uniform = RULES.flatMap((r) => {
    const level = levelInEveryEnvironment(r);
    return level !== undefined && (pathRules === "applied" || r.scope === "resource")
      ? [[r.id, level] as const]
      : [];
  });
  const base = resolvePolicySettings({ environment: "prod", ...typeLists(inForce) });
  const settings: PolicySettings = {
    ...base,
    levels: { ...base.levels, ...Object.fromEntries<Level>(uniform) },
  };
  const ran = uniform.map(([id]) => id);
  const stackText = options.stack === undefined ? "the stack" : `stack "${options.stack}"`;
  const notes = [
    `environment unknown (${stackText} is not named ${ENVIRONMENTS.join(", ")} and sets no stepwise:policy.environment): only the rules at one level in every environment were applied; pass --environment to apply the rest`,
    pathRulesNote(pathRules),
  ].filter((n): n is string => n !== undefined);
  return {
    verdicts: checkTransition({
      plan,
      before: EMPTY,
      after: EMPTY,
      settings,
      now: options.now,
      rules: ran,
    }),
    policyChanges: [],
    statefulTypes: typeOverrides(settings),
    rules: {
      environment: undefined,
      environmentSource: undefined,
      pathRules,
      ran,
      note: notes.join("; "),
    },
  };
}

function pathRulesNote(pathRules: RulesApplied["pathRules"]): string | undefined {
  if (pathRules === "no-migration-state") {
    return "no stepwise migration state in this preview: path rules not applicable";
  }
  if (pathRules === "ledger-not-in-preview") {
    return "the stack has stepwise phases but the phase-ledger step is not in this preview (unchanged resources are left out unless `pulumi preview --json --show-sames`): path rules not checked";
  }
  return undefined;
}

/** The environment to judge by, and where it came from. */
function environmentOf(
  inForce: unknown,
  options: CheckPlanOptions,
): { value: Environment | undefined; source: string | undefined } {
  const written = isMap(inForce) ? inForce.environment : undefined;
  if (options.environment !== undefined) {
    if (typeof written === "string" && written !== options.environment) {
      throw new PlanCheckError(
        `--environment ${options.environment} contradicts stepwise:policy.environment ${JSON.stringify(written)} of the stack; leave --environment out or give ${written}`,
      );
    }
    return { value: options.environment, source: "--environment" };
  }
  if (typeof written === "string") {
    return { value: written as Environment, source: "stepwise:policy.environment" };
  }
  const fromName = options.stack === undefined ? undefined : environmentOfStack(options.stack);
  return fromName === undefined
    ? { value: undefined, source: undefined }
    : { value: fromName, source: `the stack name "${options.stack}"` };
}

function settingsOf(
  raw: unknown,
  environment: Environment,
  stack: string | undefined,
  alsoFloorOf?: Environment,
): PolicySettings {
  const input = isMap(raw) ? { environment, ...raw } : raw;
  try {
    return resolvePolicySettings(input, {
      ...(stack === undefined ? {} : { stack }),
      ...(alsoFloorOf ? { alsoFloorOf } : {}),
    });
  } catch (error) {
    if (error instanceof PolicyConfigError) throw new PlanCheckError(error.message);
    throw error;
  }
}

/** The stateful type lists of a policy whose environment is unknown (the rest needs it). */
function typeLists(raw: unknown): Record<string, unknown> {
  if (!isMap(raw)) return {};
  const lists: Record<string, unknown> = {};
  for (const key of ["statefulTypes", "statelessTypes"] as const) {
    if (raw[key] !== undefined) lists[key] = raw[key];
  }
  return lists;
}

function typeOverrides(settings: PolicySettings): StatefulTypeOverrides {
  return { statefulTypes: settings.statefulTypes, statelessTypes: settings.statelessTypes };
}

const EMPTY: Ledger = { phases: {}, gates: {} };

/**
 * The ledger of a plan the user gives: checked first, so a malformed one is an error naming its
 * field rather than a crash in a rule, then read by asLedger like every other ledger.
 */
function ledgerOf(
  inputs: Record<string, unknown> | undefined,
  side: "oldState" | "newState",
): Ledger | undefined {
  const ledger = inputs?.ledger;
  if (!isMap(ledger) || !("phases" in ledger)) return undefined;
  const problem = ledgerProblem(ledger);
  if (problem !== undefined) {
    throw new PlanCheckError(
      `the phase-ledger step's ${side}.inputs.ledger.${problem}; give the plan as \`stepwise plan --json\` or \`pulumi preview --json\` printed it`,
    );
  }
  return asLedger(ledger);
}

/** What the checks would trip over: they read phase records and gate records. */
function ledgerProblem(ledger: Record<string, unknown>): string | undefined {
  const { phases, gates = {} } = ledger;
  if (!isMap(phases)) return `phases is ${shown(phases)}, not a map of path to phase record`;
  for (const [path, record] of Object.entries(phases)) {
    if (!isMap(record) || typeof record.phase !== "string")
      return `phases[${shown(path)}] is ${shown(record)}, not a phase record {phase, enteredAt}`;
  }
  if (!isMap(gates)) return `gates is ${shown(gates)}, not a map of gate to record`;
  for (const [gate, record] of Object.entries(gates)) {
    if (!isMap(record)) return `gates[${shown(gate)}] is ${shown(record)}, not a gate record`;
  }
  return undefined;
}

function shown(value: unknown): string {
  if (containsPlaintextSecret(value)) return "[a value holding a secret, withheld]";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
