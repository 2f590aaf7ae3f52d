/**
 * Transition checks: every rule applied to a plan (before and after) and the ledgers on either
 * side. `stepwise plan`, `review` and `drill` call checkTransition; a failed mandatory verdict
 * blocks the update. Each rule's check is in its own file under rules/.
 */
import type { Ledger } from "../migrations/ledger";
import type { MigrationPath } from "../migrations/path";
import { MIGRATION_PATHS } from "../migrations/paths";
import type { Level, RuleDefinition, Transition, TransitionInput } from "./rule-definition";
import { RULES, type RuleId } from "./rules";
import type { Finding, PathMove } from "./checks/phases";

export type { TransitionInput };

export interface Verdict {
  readonly ruleId: RuleId;
  readonly level: Level;
  readonly passed: boolean;
  /** What was found and what to do instead (or, when passed, what was checked). */
  readonly message: string;
  readonly urn?: string;
}

const PATHS: MigrationPath[] = Object.values(MIGRATION_PATHS);

export function pathMoves(before: Ledger, after: Ledger): PathMove[] {
  return PATHS.filter((p) => before.phases[p.id] ?? after.phases[p.id]).map((path) => {
    const baseline = path.phases[0]?.id ?? "";
    return {
      path,
      from: before.phases[path.id]?.phase ?? baseline,
      to: after.phases[path.id]?.phase ?? baseline,
    };
  });
}

/** Turns a rule's findings into verdicts: one passed verdict, or one failed per finding. */
function verdictsFor(
  rule: RuleDefinition<RuleId>,
  level: Level,
  findings: readonly Finding[],
): Verdict[] {
  const ruleId = rule.id;
  if (findings.length === 0) {
    return [{ ruleId, level, passed: true, message: `${rule.title}: passed` }];
  }
  return findings.map((f) => ({
    ruleId,
    level,
    passed: false,
    message: `${f.message}. To pass: ${rule.satisfy}`,
    ...(f.urn === undefined ? {} : { urn: f.urn }),
  }));
}

/**
 * Every rule on one transition, in rule order. Disabled rules still run and report what they
 * found, with level "disabled", so a review shows what was waived.
 */
export function checkTransition(input: TransitionInput): Verdict[] {
  const transition: Transition = { ...input, moves: pathMoves(input.before, input.after) };
  const selected = RULES.filter((rule) => input.rules?.includes(rule.id) ?? true);
  return selected.flatMap((rule) =>
    verdictsFor(rule, input.settings.levels[rule.id], rule.transition(transition)),
  );
}

/** Verdicts that stop the update: failed and mandatory. */
export function blockingVerdicts(verdicts: readonly Verdict[]): Verdict[] {
  return verdicts.filter((v) => !v.passed && v.level === "mandatory");
}
