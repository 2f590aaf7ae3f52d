/**
 * Comparing two plans for the same transition — typically the engine's `pulumi preview --json`
 * and the offline planner's — on what both can state. The engine's JSON lists "same" only for
 * the root stack and orders independent steps by registration, which varies run to run; so a
 * plan is compared as the set of its changing steps.
 */
import type { Plan } from "../../migrations/plan-model";

/** The changing steps of a plan as sorted "op urn" lines (every step but "same"). */
export function changedSteps(plan: Plan): string[] {
  return plan.steps
    .filter((step) => step.op !== "same")
    .map((step) => `${step.op} ${step.urn}`)
    .sort();
}

export interface PlanDifference {
  /** Changing steps only the first plan has. */
  readonly onlyInFirst: string[];
  /** Changing steps only the second plan has. */
  readonly onlyInSecond: string[];
}

/** What differs between two plans' changing steps; both lists empty when they agree. */
export function compareChangedSteps(first: Plan, second: Plan): PlanDifference {
  const firstSteps = changedSteps(first);
  const secondSteps = changedSteps(second);
  return {
    onlyInFirst: firstSteps.filter((line) => !secondSteps.includes(line)),
    onlyInSecond: secondSteps.filter((line) => !firstSteps.includes(line)),
  };
}
