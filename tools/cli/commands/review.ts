import { readFileSync } from "node:fs";
import { Command } from "commander";
import type { Ledger } from "../../../migrations/ledger";
import { nameFromUrn, stackFromUrn } from "../../../policies/classify";
import { resolvePolicySettings, stackPolicyInput } from "../../../policies/config";
import { withholdPlaintextSecrets } from "../../../policies/checks/secrets";
import { blockingVerdicts, checkTransition, type Verdict } from "../../../policies/transition";
import { parsePreviewDocument } from "../../engine/preview-document";
import type { Plan } from "../../plan/plan";
import { renderMarkdown, renderText } from "../../review";
import { EXIT, UsageError } from "../main";
import { asUsage, nowOf } from "./stack-context";

interface ReviewOptions {
  markdown?: boolean;
  stack?: string;
  at?: string;
}

export function reviewCommand(): Command {
  return new Command("review")
    .description(
      "Render a plan for review: a `pulumi preview --json` document or a `stepwise plan --json` file.\n" +
        "Runs the transition checks on it (ledger before/after from the PhaseLedger step).\n" +
        "Exit 1 when a mandatory rule blocks it.",
    )
    .argument("<preview.json>", "the plan document")
    .option("--markdown", "print GitHub-flavoured Markdown (for a pull-request comment)")
    .option("--stack <name>", "stack the plan is for (default: read from the URNs)")
    .option("--at <iso-time>", "check as of this time instead of now")
    .action((file: string, options: ReviewOptions) => {
      process.exitCode = runReview(file, options);
    });
}

function runReview(file: string, options: ReviewOptions): number {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const plan = asUsage(() => parsePreviewDocument(text, file));
  const stack = options.stack ?? plan.stepwise?.stack ?? stackOfPlan(plan);
  const verdicts = checkPlan(plan, stack, nowOf(options));
  const input = {
    plan: withholdPlaintextSecrets(plan),
    title: `${stack ?? "stack"}: ${file}`,
    verdicts,
  };
  console.log(options.markdown ? renderMarkdown(input) : renderText(input));
  return blockingVerdicts(verdicts).length > 0 ? EXIT.blocked : EXIT.ok;
}

function stackOfPlan(plan: Plan): string | undefined {
  const urn = plan.steps[0]?.urn;
  return urn === undefined ? undefined : stackFromUrn(urn);
}

/**
 * Transition checks on a plan of either source: the ledgers are the PhaseLedger step's old and
 * new inputs (the engine's oldState is what is deployed); settings from the plan's config.
 */
export function checkPlan(plan: Plan, stack: string | undefined, now: Date): Verdict[] {
  const ledgerStep = plan.steps.find((s) => nameFromUrn(s.urn) === "phase-ledger");
  const before = ledgerOf(ledgerStep?.oldState?.inputs) ?? EMPTY;
  const after = ledgerOf(ledgerStep?.newState?.inputs) ?? EMPTY;
  const settings = asUsage(() =>
    resolvePolicySettings(stackPolicyInput(plan.config ?? {}), {
      ...(stack === undefined ? {} : { stack }),
    }),
  );
  return checkTransition({ plan, before, after, settings, now });
}

const EMPTY: Ledger = { phases: {}, gates: {} };

function ledgerOf(inputs: Record<string, unknown> | undefined): Ledger | undefined {
  const ledger = inputs?.ledger;
  return typeof ledger === "object" && ledger !== null && "phases" in ledger
    ? (ledger as Ledger)
    : undefined;
}
