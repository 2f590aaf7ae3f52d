/**
 * What a rule is: its definition (what it prevents, how to satisfy it, its level in each
 * environment) and its checks, the transition check every rule has and the pack check a rule
 * has when the CrossGuard pack can see what it judges. Each rule is one file under rules/; the
 * runners (transition.ts, pack/pack-policies.ts) and the generated docs read them from there.
 */
import type { Ledger } from "../migrations/ledger";
import type { Plan } from "../migrations/plan-model";
import {
  configKeyName,
  ENVIRONMENTS,
  type CONFIG_KEYS,
  type Environment,
} from "../migrations/config/keys";
import type { ResourceView } from "./classify";
import type { PolicySettings, PolicySettingsInput } from "./config";
import type { PolicySettingChange } from "./policy-change";
import type { RuleId } from "./rules";
import type { Finding, PathMove } from "./checks/phases";

// The environments are stack config vocabulary, defined once there; the rules' levels use them.
export { ENVIRONMENTS, type Environment };

/**
 * A stack config key as a user writes it, `stepwise:<key>[.<field>…]`, for rule prose and
 * messages: the compiler holds `key` to the keys the program reads (migrations/config/keys.ts).
 */
export const configKey = (key: (typeof CONFIG_KEYS)[number], ...fields: string[]): string =>
  configKeyName([key, ...fields]);

/** `stepwise:policy.<setting>`: the compiler holds `setting` to the schema's keys (config.ts). */
export const policySetting = (setting: keyof PolicySettingsInput): string =>
  configKey("policy", setting);

/** A rule's enforcement: mandatory blocks the update, advisory warns, disabled skips. */
export type Level = "mandatory" | "advisory" | "disabled";
export const LEVELS: readonly Level[] = ["mandatory", "advisory", "disabled"];

/**
 * Where a rule can be checked besides the transition checks, which check every rule: the pack
 * sees only new inputs and the ledger.
 */
export interface RuleCoverage {
  /** Checked by the CrossGuard pack; false when it needs what the engine never shows a policy. */
  readonly pack: boolean;
}

/**
 * What a rule judges: "path" rules judge a migration (phases, gates, systems, the policy the
 * ledger records) and apply only where the plan carries a phase ledger; "resource" rules judge
 * the resources themselves and apply to any program's preview.
 */
export type RuleScope = "path" | "resource";

export interface RuleDefinition<Id extends string = string> {
  readonly id: Id;
  readonly scope: RuleScope;
  readonly title: string;
  /** What goes wrong without the rule. */
  readonly prevents: string;
  /** What to do so the rule passes (the violation messages end with this). */
  readonly satisfy: string;
  readonly levels: Readonly<Record<Environment, Level>>;
  /** Derived from the checks the rule has (defineRule). */
  readonly coverage: RuleCoverage;
}

/** Blocks in staging and prod, warns in dev. */
export const STRICT: Readonly<Record<Environment, Level>> = {
  dev: "advisory",
  staging: "mandatory",
  prod: "mandatory",
};
/** Blocks in prod, warns in staging, off in dev. */
export const PROD_ONLY: Readonly<Record<Environment, Level>> = {
  dev: "disabled",
  staging: "advisory",
  prod: "mandatory",
};
/** Blocks everywhere. */
export const EVERYWHERE: Readonly<Record<Environment, Level>> = {
  dev: "mandatory",
  staging: "mandatory",
  prod: "mandatory",
};

/** What a transition check reads: a plan (before and after) and the ledgers on either side. */
export interface TransitionInput {
  readonly plan: Plan;
  readonly before: Ledger;
  readonly after: Ledger;
  /** The policy in force: the before side's (base or deployed), never the change's own. */
  readonly settings: PolicySettings;
  /** What the change does to the policy settings; it takes effect from the next update. */
  readonly policyChanges?: readonly PolicySettingChange[];
  readonly now: Date;
  /** The rules to run. @default every rule */
  readonly rules?: readonly RuleId[];
}

/** Everything the transition checks read, worked out once. */
export interface Transition extends TransitionInput {
  /** Every path present in either ledger; a path missing on one side is at its baseline. */
  readonly moves: readonly PathMove[];
}

/** The paths the transition moves to another phase. */
export const moving = (t: Transition): PathMove[] => t.moves.filter((m) => m.from !== m.to);

/** What a pack check needs besides the resources. */
export interface PackContext {
  readonly settings: PolicySettings;
  readonly now: Date;
  /**
   * The policy the ledger records beside the one in force (an update that changes it): what it
   * changes, or why it cannot apply. The pack works it out; undefined when nothing changes it.
   */
  readonly policyChange?:
    { readonly changes: readonly PolicySettingChange[] } | { readonly invalid: string };
}

/** A pack check on the whole stack: it needs the ledger. */
export type StackCheck = (
  ledger: Ledger,
  resources: readonly ResourceView[],
  context: PackContext,
) => Finding[];
/** A pack check on one resource at a time. */
export type ResourceCheck = (resource: ResourceView, context: PackContext) => Finding[];

export type PackCheck = { readonly stack: StackCheck } | { readonly resource: ResourceCheck };

/** A rule with its checks, each returning what it found wrong. */
export interface Rule<Id extends string = string> extends RuleDefinition<Id> {
  /** The check on a plan and the ledgers on either side; every rule has one. */
  readonly transition: (t: Transition) => Finding[];
  /** The CrossGuard pack's check, for a rule the pack can see (coverage.pack). */
  readonly pack?: PackCheck;
}

/** A rule as its file writes it: coverage follows from the checks it has. */
export function defineRule<const Id extends string>(rule: Omit<Rule<Id>, "coverage">): Rule<Id> {
  return { ...rule, coverage: { pack: rule.pack !== undefined } };
}

/** A rule whose level is the same in every environment applies before the environment is known. */
export function levelInEveryEnvironment(rule: RuleDefinition): Level | undefined {
  const levels = new Set(ENVIRONMENTS.map((e) => rule.levels[e]));
  return levels.size === 1 ? [...levels][0] : undefined;
}
