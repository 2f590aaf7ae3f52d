import { MIGRATION_PATHS } from "../../migrations/paths";
import { terminalLine } from "./escape";
import { buildReview, type ReviewInput, type ReviewModel } from "./review-model";
import { changedValues, OP_SYMBOL } from "./values";

export interface TextOptions {
  /** At most this many changed resources are listed. @default 200 */
  readonly maxSteps?: number;
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
    ...policyChanges(review),
    ...destructive(review),
    ...verdicts(review),
    ...moves(review),
    ...review.diagnostics.map((d) => `${d.severity}: ${d.message.trim()}`),
    ...changes(review, options.maxSteps ?? 200),
    ...(review.note ? ["", `Note: ${review.note}`] : []),
  ];
  return lines.map(terminalLine).join("\n") + "\n";
}

function summary(review: ReviewModel): string[] {
  const counts = review.counts.map(([op, n]) => `${op} ${n}`).join(", ") || "no resources";
  const verdict = review.blocked
    ? "BLOCKED by a mandatory rule"
    : review.failed.length > 0
      ? "allowed, with advisory findings"
      : review.passed.length > 0
        ? "allowed: every rule passed"
        : "no policy verdicts";
  return [
    `stepwise: ${review.title} (${review.source === "offline" ? "offline plan" : "engine preview"})`,
    `Resources: ${counts}`,
    `Verdict: ${verdict}`,
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

function moves(review: ReviewModel): string[] {
  return review.moves.flatMap((move) => {
    const phases = MIGRATION_PATHS[move.path].phases.map((p) =>
      p.id === move.from ? `[${p.id}]` : p.id === move.to ? `>${p.id}<` : p.id,
    );
    return ["", `Path ${move.path}: ${move.from} -> ${move.to}`, `  ${phases.join(" - ")}`];
  });
}

function changes(review: ReviewModel, max: number): string[] {
  if (review.changes.length === 0) return ["", "No changes."];
  const lines = ["", "Changes:"];
  for (const step of review.changes.slice(0, max)) {
    lines.push(
      `  ${(OP_SYMBOL[step.op] ?? "").padEnd(3)}${step.op.padEnd(8)} ${step.type} ${step.name}${step.stateful ? " [stateful]" : ""}${step.retained ? " (retained: only forgotten, data kept)" : ""}`,
    );
    if (step.replaceReasons.length > 0) {
      lines.push(`        replaced because: ${step.replaceReasons.join(", ")}`);
    }
    for (const change of changedValues(step)) {
      lines.push(
        change.kind === "items"
          ? `        ${change.key}: removed ${change.before}, added ${change.after}`
          : `        ${change.key}: ${change.before} => ${change.after}`,
      );
    }
  }
  if (review.changes.length > max) {
    lines.push(`  … ${review.changes.length - max} more (use --json for all)`);
  }
  return lines;
}
