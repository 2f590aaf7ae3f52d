import { withholdPlaintextSecrets } from "../../../policies/checks/secrets";
import { blockingVerdicts } from "../../../policies/transition";
import { EngineMissingError, locateEngine } from "../../engine/locate";
import { checkPlan, renderMarkdown, renderText } from "../../review";
import { EXIT, UsageError } from "../exit";
import type { Plan } from "../../../migrations/plan-model";
import { projectDirOf } from "./deployed-status";
import { STEPWISE_ROOT } from "../../project/package-root";
import { asUsage, nowOf, readStack, type StackOptions } from "./stack-context";

interface EnginePlanOptions extends StackOptions {
  advance?: string;
  rollback?: string;
  initial?: boolean;
  markdown?: boolean;
  json?: boolean;
}

/**
 * `plan --engine`: the real `pulumi preview --json` of the stack's working-tree config against
 * its deployed state, in the backend the environment names (PULUMI_BACKEND_URL or `pulumi
 * login`), rendered and checked like an offline plan. With --initial, the stack's first
 * deployment on a throwaway local backend instead. Without an engine this is a usage error
 * saying how to get one.
 */
export async function runEnginePlan(stack: string, options: EnginePlanOptions): Promise<number> {
  try {
    locateEngine({ env: process.env, repoRoot: STEPWISE_ROOT });
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
  const projectDir = projectDirOf(options);
  const plan = await enginePreview(stack, projectDir, options.initial ?? false);
  const { verdicts, policyChanges, rules, statefulTypes } = asUsage(() =>
    checkPlan(plan, { stack, now: nowOf(options) }),
  );
  const title = options.initial ? `${stack}: first deployment` : `${stack}: deployed → stack file`;
  // The engine prints plain config as it is; stepwise withholds what the rule found.
  const shown = withholdPlaintextSecrets(plan);
  const input = { plan: shown, title, verdicts, policyChanges, rules, statefulTypes };
  if (options.json) console.log(JSON.stringify(shown, null, 2));
  else {
    const hint = { fullPlanHint: "the same command with --json prints the whole plan" };
    console.log(options.markdown ? renderMarkdown(input, hint) : renderText(input, hint));
  }
  return blockingVerdicts(verdicts).length > 0 ? EXIT.blocked : EXIT.ok;
}

async function enginePreview(stack: string, projectDir: string, initial: boolean): Promise<Plan> {
  const { EngineStack, previewJson } = await import("../../engine/engine-stack");
  try {
    if (initial) return await previewJson(projectDir, stack);
    const engine = await EngineStack.open({ projectDir, stack, backend: "ambient" });
    try {
      const preview = await engine.previewJson();
      if (preview.exitCode !== 0) {
        const errors = (preview.plan.diagnostics ?? [])
          .filter((d) => d.severity === "error")
          .map((d) => d.message.trim());
        throw new Error(
          `pulumi preview failed (exit ${preview.exitCode}):\n${errors.join("\n") || preview.stderr}`,
        );
      }
      return preview.plan;
    } finally {
      engine.dispose();
    }
  } catch (error) {
    // The engine's own message says what failed (passphrase, plugins, program errors).
    const message = (error as Error).message;
    const hint = /no stack named|could not select stack/i.test(message)
      ? " Deploy it first (`pulumi up`), or preview its first deployment with --initial."
      : "";
    throw new UsageError(`--engine: ${message}${hint}`);
  }
}
