import { blockingVerdicts } from "../../../policies/transition";
import { EngineMissingError, locateEngine } from "../../engine/locate";
import { renderMarkdown, renderText } from "../../review";
import { EXIT, UsageError } from "../main";
import { checkPlan } from "./review";
import { nowOf, readStack, REPO_ROOT, type StackOptions } from "./stack-context";

interface EnginePlanOptions extends StackOptions {
  advance?: string;
  rollback?: string;
  markdown?: boolean;
  json?: boolean;
}

/**
 * `plan --engine`: the real `pulumi preview --json` of the stack's working-tree config on a
 * fresh local backend (tools/engine). Without an engine this is a usage error saying how to
 * get one.
 */
export async function runEnginePlan(stack: string, options: EnginePlanOptions): Promise<number> {
  try {
    locateEngine({ env: process.env, repoRoot: REPO_ROOT });
  } catch (error) {
    if (error instanceof EngineMissingError) {
      throw new UsageError(
        `--engine: ${error.message} Without it, leave out --engine for an offline plan.`,
      );
    }
    throw error;
  }
  if (
    options.advance !== undefined ||
    options.rollback !== undefined ||
    options.program !== undefined
  ) {
    throw new UsageError(
      "--engine previews the stack file as it is; edit it with `stepwise advance` first, or plan offline without --engine",
    );
  }
  readStack(stack, options);
  const { previewJson } = await import("../../engine/engine-stack");
  const passphrase = process.env.PULUMI_CONFIG_PASSPHRASE;
  let plan;
  try {
    plan = await previewJson(REPO_ROOT, stack, passphrase === undefined ? {} : { passphrase });
  } catch (error) {
    // The engine's own message says what failed (passphrase, plugins, program errors).
    throw new UsageError(`--engine: ${(error as Error).message}`);
  }
  const verdicts = checkPlan(plan, stack, nowOf(options));
  const input = { plan, title: `${stack}: engine preview`, verdicts };
  if (options.json) console.log(JSON.stringify(plan, null, 2));
  else console.log(options.markdown ? renderMarkdown(input) : renderText(input));
  return blockingVerdicts(verdicts).length > 0 ? EXIT.blocked : EXIT.ok;
}
