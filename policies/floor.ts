/**
 * The policy floor: how far a stack's `stepwise:policy` may relax the rules in each
 * environment. It belongs to the pack, not to the stack file a change edits, so a pull request
 * cannot lower it; every resolution of policy settings (plans, the pack, `policies pack-config`)
 * enforces it. Tightening the floor is a change to this file, reviewed as code.
 */
import type { PolicySettings } from "./config";
import { RULES, type Environment, type Level, type RuleId } from "./rules";

export interface PolicyFloor {
  /** The least strict level each rule may be set to. */
  readonly levels: Readonly<Record<RuleId, Level>>;
  /** Largest `weightStep` a stack may set. */
  readonly maxWeightStep: number;
  /** Shortest `rollbackWindowDays` a stack may set. */
  readonly minRollbackWindowDays: number;
  /** Longest `rollbackDrillMaxAgeDays` a stack may set. */
  readonly maxRollbackDrillMaxAgeDays: number;
  /** Shortest minimum phase time a stack may set, in milliseconds. */
  readonly minMinimumPhaseTimeMs: number;
  /** Whether a stack may set `allowMultiplePaths: true`. */
  readonly multiplePathsAllowed: boolean;
}

const HOUR_MS = 3_600_000;

/** Each rule's own level in an environment, lowered by at most `steps` (mandatory → advisory → disabled). */
function levelsNoLowerThan(environment: Environment, steps: number): Record<RuleId, Level> {
  const order: readonly Level[] = ["disabled", "advisory", "mandatory"];
  return Object.fromEntries(
    RULES.map((rule) => {
      const own = order.indexOf(rule.levels[environment]);
      return [rule.id, order[Math.max(0, own - steps)] ?? "disabled"];
    }),
  ) as Record<RuleId, Level>;
}

export const POLICY_FLOORS: Readonly<Record<Environment, PolicyFloor>> = {
  // Prod keeps every rule at its prod level; the knobs may be tuned within bounds.
  prod: {
    levels: levelsNoLowerThan("prod", 0),
    maxWeightStep: 50,
    minRollbackWindowDays: 7,
    maxRollbackDrillMaxAgeDays: 30,
    minMinimumPhaseTimeMs: 12 * HOUR_MS,
    multiplePathsAllowed: false,
  },
  // Staging may make a rule advisory (it still shows in every review) but not switch it off.
  staging: {
    levels: levelsNoLowerThan("staging", 1),
    maxWeightStep: 100,
    minRollbackWindowDays: 0,
    maxRollbackDrillMaxAgeDays: Number.POSITIVE_INFINITY,
    minMinimumPhaseTimeMs: 0,
    multiplePathsAllowed: true,
  },
  dev: {
    levels: levelsNoLowerThan("dev", 2),
    maxWeightStep: 100,
    minRollbackWindowDays: 0,
    maxRollbackDrillMaxAgeDays: Number.POSITIVE_INFINITY,
    minMinimumPhaseTimeMs: 0,
    multiplePathsAllowed: true,
  },
};

const STRICTNESS: Readonly<Record<Level, number>> = { disabled: 0, advisory: 1, mandatory: 2 };

/** What a stack's settings do below its floor, as "field: value is … ; what to do" lines. */
export function floorProblems(
  settings: Omit<PolicySettings, "environment">,
  environment: Environment,
  field: string,
): string[] {
  const floor = POLICY_FLOORS[environment];
  const where = `${environment}'s floor (policies/floor.ts)`;
  const problems = RULES.filter(
    (rule) => STRICTNESS[settings.levels[rule.id]] < STRICTNESS[floor.levels[rule.id]],
  ).map(
    (rule) =>
      `${field}.levels.${rule.id}: ${settings.levels[rule.id]} is below ${where}, which keeps it ${floor.levels[rule.id]}; remove the override`,
  );
  if (settings.weightStep > floor.maxWeightStep) {
    problems.push(
      `${field}.weightStep: ${settings.weightStep} is above ${where} of ${floor.maxWeightStep}; step traffic by at most ${floor.maxWeightStep} points`,
    );
  }
  if (settings.rollbackWindowDays < floor.minRollbackWindowDays) {
    problems.push(
      `${field}.rollbackWindowDays: ${settings.rollbackWindowDays} is below ${where} of ${floor.minRollbackWindowDays}; keep the old system at least that long`,
    );
  }
  if (settings.rollbackDrillMaxAgeDays > floor.maxRollbackDrillMaxAgeDays) {
    problems.push(
      `${field}.rollbackDrillMaxAgeDays: ${settings.rollbackDrillMaxAgeDays} is above ${where} of ${floor.maxRollbackDrillMaxAgeDays}; drill at least that often`,
    );
  }
  if (settings.minimumPhaseTimeMs < floor.minMinimumPhaseTimeMs) {
    problems.push(
      `${field}.minimumPhaseTime: ${settings.minimumPhaseTimeMs / HOUR_MS}h is below ${where} of ${floor.minMinimumPhaseTimeMs / HOUR_MS}h; stay in each phase at least that long`,
    );
  }
  if (settings.allowMultiplePaths && !floor.multiplePathsAllowed) {
    problems.push(
      `${field}.allowMultiplePaths: true is not allowed by ${where}; move one path per update`,
    );
  }
  return problems;
}
