import { blockingVerdicts } from "../../../policies/transition";
import type { CheckedTransition } from "../../plan/plan-and-check";
import { renderMarkdown, renderText } from "../../review";
import { EXIT } from "../exit";

export interface OutputOptions {
  markdown?: boolean;
  json?: boolean;
}

/** Prints a checked transition in the chosen format and returns the exit code it earns. */
export function printTransition(
  transition: CheckedTransition,
  title: string,
  options: OutputOptions,
): number {
  const input = {
    plan: transition.plan,
    title,
    verdicts: transition.verdicts,
    moves: transition.moves,
    policyChanges: transition.policyChanges,
  };
  if (options.json) {
    console.log(
      JSON.stringify(
        {
          ...transition.plan,
          stepwise: {
            ...transition.plan.stepwise,
            verdicts: transition.verdicts,
            moves: transition.moves,
            policyChanges: transition.policyChanges,
          },
        },
        null,
        2,
      ),
    );
  } else if (options.markdown) {
    console.log(renderMarkdown(input, { fullPlanHint: PLAN_HINT }));
  } else {
    console.log(renderText(input, { fullPlanHint: PLAN_HINT }));
  }
  return exitCodeOf(transition);
}

/** Where the whole plan is, when a review leaves resources or values out. */
const PLAN_HINT = "the same command with --json prints the whole plan";

export function exitCodeOf(transition: CheckedTransition): number {
  return blockingVerdicts(transition.verdicts).length > 0 ? EXIT.blocked : EXIT.ok;
}
