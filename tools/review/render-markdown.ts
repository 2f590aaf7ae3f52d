import { MIGRATION_PATHS } from "../../migrations/paths";
import { pathDiagram } from "../../migrations/diagram";
import { buildReview, type ReviewInput, type ReviewModel, type ReviewStep } from "./review-model";
import { changedValues } from "./values";

// Emoji rather than +/- so that a list item never starts like a nested Markdown list.
const OP_MARK: Readonly<Record<string, string>> = {
  create: "🟢 ",
  update: "🟡 ",
  replace: "🔁 ",
  delete: "🔴 ",
  same: "⚪ ",
};

/** GitHub refuses issue and PR comments longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface MarkdownOptions {
  /** Hard limit of the whole comment. @default GITHUB_COMMENT_LIMIT */
  readonly limit?: number;
  /** Told to the reader when details are cut: how to see everything. */
  readonly fullPlanHint?: string;
}

/**
 * The plan as a GitHub pull-request comment: verdict and counts first, destructive steps as a
 * CAUTION alert, failed rules, each path's phase change on its diagram, then every changed
 * resource collapsed in <details>. Details are cut (with a note) to stay under `limit`.
 */
export function renderMarkdown(input: ReviewInput, options: MarkdownOptions = {}): string {
  const review = buildReview(input);
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  const head =
    [
      ...header(review),
      ...destructiveSection(review),
      ...verdictSection(review),
      ...movesSection(review),
      ...diagnosticsSection(review),
    ].join("\n") + "\n";
  const tail = review.note ? `\n\n> [!NOTE]\n> ${review.note}\n` : "\n";
  const hint = options.fullPlanHint ?? "run the same command with --json for the whole plan";
  const details = detailsSection(review, limit - head.length - tail.length, hint);
  const body = `${head}${details}${tail}`;
  // The fixed sections alone could only exceed the limit with thousands of failed rules.
  return body.length <= limit
    ? body
    : `${body.slice(0, limit - 80)}\n\n…cut at ${limit} characters\n`;
}

function header(review: ReviewModel): string[] {
  const verdict = review.blocked
    ? `⛔ **Blocked** by ${review.failed.filter((v) => v.level === "mandatory").length} mandatory rule(s)`
    : review.failed.length > 0
      ? `⚠️ **Allowed with warnings** (${review.failed.length} advisory finding(s))`
      : review.passed.length > 0
        ? "✅ **Allowed**: every rule passed"
        : "ℹ️ No policy verdicts were given";
  const source =
    review.source === "offline" ? "offline plan (desired-state diff)" : "engine preview";
  const counts = review.counts.map(([op, n]) => `${OP_MARK[op] ?? ""}${op} **${n}**`).join(" · ");
  return [
    `## stepwise: ${review.title}`,
    "",
    `${verdict} — ${source}`,
    "",
    counts === "" ? "No resources." : counts,
    "",
  ];
}

function destructiveSection(review: ReviewModel): string[] {
  if (review.destructive.length === 0) return [];
  return [
    "> [!CAUTION]",
    `> **${review.destructive.length} destructive step(s) on stateful resources** — data is lost unless it was moved first:`,
    ...review.destructive.map(
      (s) =>
        `> - **${s.op.toUpperCase()}** \`${s.name}\` (\`${s.type}\`)${s.replaceReasons.length > 0 ? ` — replaced because ${s.replaceReasons.map((r) => `\`${r}\``).join(", ")} changed` : ""}`,
    ),
    "",
  ];
}

function verdictSection(review: ReviewModel): string[] {
  if (review.failed.length === 0 && review.passed.length === 0) return [];
  const lines = ["### Policy verdicts", ""];
  if (review.failed.length > 0) {
    lines.push("| | rule | level | finding |", "|---|---|---|---|");
    for (const v of review.failed) {
      const icon = v.level === "mandatory" ? "⛔" : v.level === "advisory" ? "⚠️" : "➖";
      const where = v.urn ? ` (\`${nameOf(v.urn)}\`)` : "";
      lines.push(`| ${icon} | \`${v.ruleId}\` | ${v.level} | ${cell(v.message)}${where} |`);
    }
    lines.push("");
  }
  if (review.passed.length > 0) {
    lines.push(
      `<details><summary>${review.passed.length} rule(s) passed</summary>`,
      "",
      ...review.passed.map((v) => `- ✅ \`${v.ruleId}\` (${v.level})`),
      "",
      "</details>",
      "",
    );
  }
  return lines;
}

function diagnosticsSection(review: ReviewModel): string[] {
  if (review.diagnostics.length === 0) return [];
  return [
    "### Diagnostics",
    "",
    ...review.diagnostics.map((d) => `- **${d.severity}**: ${cell(d.message.trim())}`),
    "",
  ];
}

function movesSection(review: ReviewModel): string[] {
  const lines: string[] = [];
  for (const move of review.moves) {
    const path = MIGRATION_PATHS[move.path];
    lines.push(
      `### Path \`${move.path}\`: \`${move.from}\` → \`${move.to}\``,
      "",
      "```mermaid",
      pathDiagram(path, { current: move.from, next: move.to }).trimEnd(),
      "```",
      "",
    );
  }
  return lines;
}

function detailsSection(review: ReviewModel, budget: number, hint: string): string {
  if (review.changes.length === 0) return "";
  const open = `<details><summary>${review.changes.length} changed resource(s)</summary>\n\n`;
  const close = "\n</details>\n";
  let text = open;
  let shown = 0;
  for (const step of review.changes) {
    const entry = stepMarkdown(step);
    const cutNote = `\n_…${review.changes.length - shown} more not shown to stay under GitHub's comment limit; ${hint}._\n`;
    if (text.length + entry.length + close.length + cutNote.length > budget) {
      return text + cutNote + close;
    }
    text += entry;
    shown += 1;
  }
  return text + close;
}

function stepMarkdown(step: ReviewStep): string {
  const flag =
    (step.stateful ? " 🗄️ stateful" : "") +
    (step.retained ? " — retained: only forgotten by Pulumi, data kept" : "");
  const lines = [
    `- ${OP_MARK[step.op] ?? ""}**${step.op}** \`${step.name}\` \`${step.type}\`${flag}`,
  ];
  if (step.replaceReasons.length > 0) {
    lines.push(`  - replaced because: ${step.replaceReasons.map((r) => `\`${r}\``).join(", ")}`);
  }
  for (const change of changedValues(step)) {
    lines.push(
      change.kind === "items"
        ? `  - \`${change.key}\`: removed \`${inline(change.before)}\`, added \`${inline(change.after)}\``
        : `  - \`${change.key}\`: \`${inline(change.before)}\` → \`${inline(change.after)}\``,
    );
  }
  return lines.join("\n") + "\n";
}

function nameOf(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function inline(text: string): string {
  return text.replaceAll("`", "'");
}
