import { MIGRATION_PATHS } from "../../migrations/paths";
import { terminalLine } from "./escape";
import { buildReview, type ReviewInput, type ReviewModel } from "./review-model";
import { OP_SYMBOL } from "./values";
import { describeShares } from "./review-traffic";

export interface TextOptions {
  /** At most this many changed resources are listed. @default 200 */
  readonly maxSteps?: number;
  /** Told to the reader when resources are left out: how to see them. @default --json */
  readonly fullPlanHint?: string;
}

/**
 * The plan for a terminal: the same sections as the Markdown, in plain text. Each line goes
 * through `terminalLine` (./escape), so text from the plan cannot carry escape sequences or
 * start a line of its own.
 */
export function renderText(input: ReviewInput, options: TextOptions = {}): string {
  const review = buildReview(input);
  const lines = [
    ...summary(review),
    ...failures(review),
    ...policyChanges(review),
    ...destructive(review),
    ...traffic(review),
    ...verdicts(review),
    ...moves(review),
    // Errors are shown whole among the failures above.
    ...review.diagnostics
      .filter((d) => d.severity !== "error")
      .map((d) => `${d.severity}: ${d.message.trim()}`),
    ...changes(
      review,
      options.maxSteps ?? 200,
      options.fullPlanHint ?? "`stepwise review --json <file>` lists every one",
    ),
    ...(review.note ? ["", `Note: ${review.note}`] : []),
  ];
  return lines.map(terminalLine).join("\n") + "\n";
}

function summary(review: ReviewModel): string[] {
  const counts = review.counts.map(([op, n]) => `${op} ${n}`).join(", ") || "no resources";
  const verdicts: Record<ReviewModel["verdict"], string> = {
    failed: "PREVIEW FAILED: this change cannot be applied as it stands",
    blocked: "BLOCKED by a mandatory rule",
    warnings: "allowed, with advisory findings",
    allowed:
      review.rules?.note === undefined
        ? "allowed: every rule passed"
        : "allowed: every rule applied passed (see Rules)",
    "no-verdicts": "no policy verdicts",
  };
  const rules = review.rules;
  const rulesLine =
    rules === undefined
      ? []
      : [
          `Rules: ${rules.environment === undefined ? "environment unknown" : `environment ${rules.environment} (from ${rules.environmentSource ?? "?"})`}; ${rules.ran.length} rule(s) applied`,
          ...(rules.note ? [`  ${rules.note}`] : []),
        ];
  return [
    `stepwise: ${review.title} (${review.source === "offline" ? "offline plan" : "engine preview"})`,
    `Resources: ${counts}`,
    ...review.countNotes.map((note) => `  ${note}`),
    `Verdict: ${verdicts[review.verdict]}`,
    ...rulesLine,
  ];
}

function failures(review: ReviewModel): string[] {
  if (review.failures.length === 0) return [];
  return [
    "",
    `!!! THE PREVIEW FAILED (${review.failures.length} problem(s) reported by the engine) !!!`,
    ...review.failures.map((f) => `  ${f.kind}: ${f.message}`),
  ];
}

function policyChanges(review: ReviewModel): string[] {
  if (review.policyChanges.length === 0) return [];
  return [
    "",
    "POLICY CHANGES (judged by the policy in force; they apply from the next update):",
    ...review.policyChanges.map((c) => `  ${c.field}: ${c.from} → ${c.to}`),
  ];
}

function destructive(review: ReviewModel): string[] {
  if (review.destructive.length === 0) return [];
  return [
    "",
    `!!! ${review.destructive.length} DESTRUCTIVE STEP(S) ON STATEFUL RESOURCES !!!`,
    ...review.destructive.map(
      (s) =>
        `  ${s.op.toUpperCase()} ${s.name} (${s.type})${s.replaceReasons.length > 0 ? ` because ${s.replaceReasons.join(", ")} changed` : ""}`,
    ),
  ];
}

function verdicts(review: ReviewModel): string[] {
  if (review.failed.length === 0) return [];
  return [
    "",
    "Policy findings:",
    ...review.failed.map(
      (v) => `  [${v.level}] ${v.ruleId}: ${v.message}${v.urn ? ` (${v.urn})` : ""}`,
    ),
  ];
}

function traffic(review: ReviewModel): string[] {
  if (review.traffic.length === 0) return [];
  return [
    "",
    "  Traffic (the routers' weights):",
    ...review.traffic.map(
      (t) => `    ${t.route}: ${describeShares(t)}${t.changed ? "" : " (unchanged)"}`,
    ),
  ];
}

function moves(review: ReviewModel): string[] {
  return review.moves.flatMap((move) => {
    const phases = MIGRATION_PATHS[move.path].phases.map((p) =>
      p.id === move.from ? `[${p.id}]` : p.id === move.to ? `>${p.id}<` : p.id,
    );
    return ["", `Path ${move.path}: ${move.from} -> ${move.to}`, `  ${phases.join(" - ")}`];
  });
}

function changes(review: ReviewModel, max: number, hint: string): string[] {
  if (review.changes.length === 0) return ["", "No changes."];
  const lines = ["", "Changes:"];
  for (const step of review.changes.slice(0, max)) {
    lines.push(
      `  ${(OP_SYMBOL[step.op] ?? "").padEnd(3)}${step.op.padEnd(8)} ${step.type} ${step.name}${step.stateful ? " [stateful]" : ""}${step.retained ? " (retained: only forgotten, data kept)" : ""}`,
    );
    if (step.replaceReasons.length > 0) {
      lines.push(`        replaced because: ${step.replaceReasons.join(", ")}`);
    }
    if ((step.op === "update" || step.op === "replace") && step.values.length === 0) {
      lines.push("        the preview names no changed property");
    }
    for (const change of step.values) {
      const from = change.inputDiff === false ? " (deployed state)" : "";
      const replaces = change.diffKind?.endsWith("-replace") ? " [forces replacement]" : "";
      lines.push(
        change.kind === "items"
          ? `        ${change.key}: removed ${change.before}, added ${change.after}${replaces}`
          : `        ${change.key}: ${change.before}${from} => ${change.after}${replaces}`,
      );
    }
  }
  if (review.changes.length > max) {
    lines.push(
      `  … ${review.changes.length - max} more changed resource(s) not listed here (${max} shown); ${hint}`,
    );
  }
  return lines;
}
