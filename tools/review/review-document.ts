/**
 * One preview document reviewed end to end: parsed, judged by the rules that apply, secrets
 * withheld, and the exit status `stepwise review` gives it. The CLI prints what this returns;
 * the corpus tests call it directly.
 */
import { basename } from "node:path";
import { stackFromUrn } from "../../policies/classify";
import { withholdPlaintextSecrets } from "../../policies/checks/secrets";
import type { Environment } from "../../policies/rules";
import { blockingVerdicts } from "../../policies/transition";
import { parsePreviewDocument } from "../engine/preview-document";
import type { Plan } from "../../migrations/plan-model";
import { checkPlan } from "./check-plan";
import { buildReview, type ReviewInput, type ReviewModel } from "./review-model";

export interface ReviewDocumentOptions {
  /** The stack; @default the plan's own (stepwise plans) or the first URN's */
  readonly stack?: string;
  readonly environment?: Environment;
  readonly now: Date;
}

export interface ReviewedDocument {
  /** What the renderers take (renderMarkdown, renderText). */
  readonly input: ReviewInput;
  readonly review: ReviewModel;
  /** 1 when the preview failed or a mandatory rule blocks it, else 0. */
  readonly exitCode: 0 | 1;
}

/**
 * Reviews the text of a `pulumi preview --json` or `stepwise plan --json` document. `file` is
 * where it came from; only its base name is shown. Throws PreviewDocumentError or
 * PlanCheckError (with the field, the value and what to do) when it cannot be judged.
 */
export function reviewDocument(
  text: string,
  file: string,
  options: ReviewDocumentOptions,
): ReviewedDocument {
  const name = basename(file);
  const plan = parsePreviewDocument(text, name);
  const stack = options.stack ?? plan.stepwise?.stack ?? stackOfPlan(plan);
  const checked = checkPlan(plan, {
    stack,
    now: options.now,
    ...(options.environment ? { environment: options.environment } : {}),
  });
  const input: ReviewInput = {
    plan: withholdPlaintextSecrets(plan),
    // The file's name only: a local path says nothing to the reader and leaks the machine's.
    title: `${stack ?? "stack"}: ${name}`,
    verdicts: checked.verdicts,
    policyChanges: checked.policyChanges,
    rules: checked.rules,
    statefulTypes: checked.statefulTypes,
  };
  const review = buildReview(input);
  const failed = review.failures.length > 0 || blockingVerdicts(checked.verdicts).length > 0;
  return { input, review, exitCode: failed ? 1 : 0 };
}

/** The stack of the first URN that names one (the root stack's, normally). */
function stackOfPlan(plan: Plan): string | undefined {
  for (const step of plan.steps) {
    const stack = stackFromUrn(step.urn);
    if (stack !== undefined) return stack;
  }
  return undefined;
}
