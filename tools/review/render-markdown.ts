import { MIGRATION_PATHS } from "../../migrations/paths";
import { pathDiagram } from "../../migrations/diagram";
import { hasPhase } from "../../migrations/path-queries";
import { nameFromUrn } from "../../policies/classify";
import { code, fenced, gfm, joinMarkdown, tableRow, type Markdown } from "./escape";
import { buildReview, type ReviewInput, type ReviewModel, type ReviewStep } from "./review-model";
import { cutText, type ValueChange } from "./values";
import { describeShares } from "./review-traffic";

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

/** Changed values listed per resource in a comment; the rest are counted, --json has them all. */
export const MAX_VALUES_PER_RESOURCE = 40;
/** Diagnostics longer than this are shown folded; every one is escaped text. */
const LONG_DIAGNOSTIC = 200;

export interface MarkdownOptions {
  /** Hard limit of the whole comment. @default GITHUB_COMMENT_LIMIT */
  readonly limit?: number;
  /** Told to the reader when details are cut: how to see everything. */
  readonly fullPlanHint?: string;
}

const BLANK = gfm``;

/**
 * The plan as a GitHub pull-request comment: verdict and counts first, destructive steps as a
 * CAUTION alert, failed rules, each path's phase change on its diagram, then every changed
 * resource collapsed in <details>. Details are cut (with a note) to stay under `limit`.
 * Every piece of text from the plan goes through `gfm` or `code` (./escape): it reads as text
 * and cannot add a heading, a verdict, HTML or a mention of its own.
 */
export function renderMarkdown(input: ReviewInput, options: MarkdownOptions = {}): string {
  const review = buildReview(input);
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  const head =
    block([
      ...header(review),
      ...failureSection(review),
      ...policySection(review),
      ...destructiveSection(review),
      ...trafficSection(review),
      ...rulesLine(review),
      ...verdictSection(review),
      ...movesSection(review),
      ...diagnosticsSection(review),
    ]).source + "\n";
  const tail = review.note ? gfm`\n\n> [!NOTE]\n> ${review.note}\n`.source : "\n";
  const hint = options.fullPlanHint ?? "stepwise review --json prints the whole review";
  const details = detailsSection(review, limit - head.length - tail.length, hint);
  const body = `${head}${details}${tail}`;
  // The fixed sections alone could only exceed the limit with thousands of failed rules.
  return body.length <= limit
    ? body
    : `${body.slice(0, limit - 80)}\n\n…cut at ${limit} characters\n`;
}

function block(lines: readonly Markdown[]): Markdown {
  return joinMarkdown(lines, gfm`\n`);
}

function header(review: ReviewModel): Markdown[] {
  const mandatory = review.failed.filter((v) => v.level === "mandatory").length;
  const verdicts: Record<ReviewModel["verdict"], Markdown> = {
    failed: gfm`❌ **Preview failed**: this change cannot be applied as it stands`,
    blocked: gfm`⛔ **Blocked** by ${mandatory} mandatory rule(s)`,
    warnings: gfm`⚠️ **Allowed with warnings** (${review.failed.length} advisory finding(s))`,
    allowed:
      review.rules?.note === undefined
        ? gfm`✅ **Allowed**: every rule passed`
        : gfm`✅ **Allowed**: every rule applied passed (see Rules)`,
    "no-verdicts": gfm`ℹ️ No policy verdicts were given`,
  };
  const source =
    review.source === "offline" ? "offline plan (desired-state diff)" : "engine preview";
  const counts = review.counts.map(([op, n]) => gfm`${OP_MARK[op] ?? ""}${op} **${n}**`);
  return [
    gfm`## stepwise: ${review.title}`,
    BLANK,
    gfm`${verdicts[review.verdict]} — ${source}`,
    BLANK,
    counts.length === 0 ? gfm`No resources.` : joinMarkdown(counts, gfm` · `),
    BLANK,
    ...review.countNotes.map((note) => gfm`<sub>${note}</sub><br>`),
    ...(review.countNotes.length > 0 ? [BLANK] : []),
  ];
}

/** Which environment judged the change and which rules ran, so no rule passes unseen. */
function rulesLine(review: ReviewModel): Markdown[] {
  const rules = review.rules;
  if (!rules) return [];
  const environment =
    rules.environment === undefined
      ? gfm`environment unknown`
      : gfm`environment ${code(rules.environment)} (from ${rules.environmentSource ?? "?"})`;
  const lines = [gfm`Rules: ${environment}; ${rules.ran.length} rule(s) applied.`];
  if (rules.note) lines.push(gfm``, gfm`> [!NOTE]`, gfm`> ${rules.note}.`);
  return [...lines, BLANK];
}

/** A failed preview, above everything else: the engine's errors and a possibly corrupt state. */
function failureSection(review: ReviewModel): Markdown[] {
  if (review.failures.length === 0) return [];
  const label: Record<string, string> = {
    "engine-error": "engine error",
    "policy-violation": "policy violation",
    "maybe-corrupt": "state may be corrupt",
  };
  return [
    gfm`> [!CAUTION]`,
    gfm`> **The preview failed** (${review.failures.length} problem(s) reported by the engine):`,
    ...review.failures.map(
      (f) =>
        gfm`> - **${label[f.kind] ?? f.kind}**: ${isLong(f.message) ? `${cutText(f.message.trim(), LONG_DIAGNOSTIC)} (whole under Diagnostics)` : f.message.trim()}`,
    ),
    BLANK,
  ];
}

function isLong(text: string): boolean {
  return text.trim().length > LONG_DIAGNOSTIC;
}

function policySection(review: ReviewModel): Markdown[] {
  if (review.policyChanges.length === 0) return [];
  return [
    gfm`> [!IMPORTANT]`,
    gfm`> **This change alters the policy.** It is judged by the policy in force; the new settings apply from the next update:`,
    ...review.policyChanges.map((c) => gfm`> - ${code(c.field)}: ${code(c.from)} → ${code(c.to)}`),
    BLANK,
  ];
}

/** Each routed service's shares before → after: what a user's request will hit. */
function trafficSection(review: ReviewModel): Markdown[] {
  if (review.traffic.length === 0) return [];
  return [
    gfm`**Traffic** (the routers' weights):`,
    BLANK,
    ...review.traffic.map((t) =>
      t.changed
        ? gfm`- ${code(t.route)}: **${describeShares(t)}**`
        : gfm`- ${code(t.route)}: ${describeShares(t)} (unchanged)`,
    ),
    BLANK,
  ];
}

function destructiveSection(review: ReviewModel): Markdown[] {
  if (review.destructive.length === 0) return [];
  return [
    gfm`> [!CAUTION]`,
    gfm`> **${review.destructive.length} destructive step(s) on stateful resources** — data is lost unless it was moved first:`,
    ...review.destructive.map((s) => {
      const reasons =
        s.replaceReasons.length > 0
          ? gfm` — replaced because ${codeList(s.replaceReasons)} changed`
          : BLANK;
      return gfm`> - **${s.op.toUpperCase()}** ${code(s.name)} (${code(s.type)})${reasons}`;
    }),
    BLANK,
  ];
}

function verdictSection(review: ReviewModel): Markdown[] {
  if (review.failed.length === 0 && review.passed.length === 0) return [];
  const lines = [gfm`### Policy verdicts`, BLANK];
  if (review.failed.length > 0) {
    lines.push(gfm`| | rule | level | finding |`, gfm`|---|---|---|---|`);
    for (const v of review.failed) {
      const icon = v.level === "mandatory" ? "⛔" : v.level === "advisory" ? "⚠️" : "➖";
      const where = v.urn ? gfm` (${code(nameFromUrn(v.urn))})` : BLANK;
      lines.push(
        tableRow([gfm`${icon}`, code(v.ruleId), gfm`${v.level}`, gfm`${v.message}${where}`]),
      );
    }
    lines.push(BLANK);
  }
  if (review.passed.length > 0) {
    lines.push(
      gfm`<details><summary>${review.passed.length} rule(s) passed</summary>`,
      BLANK,
      ...review.passed.map((v) => gfm`- ✅ ${code(v.ruleId)} (${v.level})`),
      BLANK,
      gfm`</details>`,
      BLANK,
    );
  }
  return lines;
}

function diagnosticsSection(review: ReviewModel): Markdown[] {
  // A short error is shown whole among the failures above; a long one is shown here in full.
  const shown = review.diagnostics.filter((d) => d.severity !== "error" || isLong(d.message));
  if (shown.length === 0) return [];
  return [
    gfm`### Diagnostics`,
    BLANK,
    ...shown.flatMap((d) => {
      const text = d.message.trim();
      if (!isLong(text)) return [gfm`- **${d.severity}**: ${text}`];
      // A provider's HTML error page, a stack trace: folded, escaped as text like the rest.
      return [
        gfm`<details><summary>${d.severity}: ${cutText(text, 120)}</summary>`,
        BLANK,
        gfm`${text}`,
        BLANK,
        gfm`</details>`,
        BLANK,
      ];
    }),
    BLANK,
  ];
}

function movesSection(review: ReviewModel): Markdown[] {
  return review.moves.flatMap((move) => {
    // A plan document can name any phase; the diagram can only draw the path's own.
    const unknown = [move.from, move.to].filter((phase) => !hasPhase(move.path, phase));
    return [
      gfm`### Path ${code(move.path)}: ${code(move.from)} → ${code(move.to)}`,
      BLANK,
      unknown.length > 0
        ? gfm`No diagram: not a phase of this path: ${codeList(unknown)}`
        : fenced(
            "mermaid",
            pathDiagram(MIGRATION_PATHS[move.path], {
              current: move.from,
              next: move.to,
            }).trimEnd(),
          ),
      BLANK,
    ];
  });
}

function detailsSection(review: ReviewModel, budget: number, hint: string): string {
  if (review.changes.length === 0) return "";
  const open = gfm`<details><summary>${review.changes.length} changed resource(s)</summary>\n\n`;
  const close = "\n</details>\n";
  let text = open.source;
  let shown = 0;
  for (const step of review.changes) {
    const entry = stepMarkdown(step, hint).source;
    const cutNote = gfm`\n_…${review.changes.length - shown} more not shown to stay under GitHub's comment limit; ${hint}._\n`;
    if (text.length + entry.length + close.length + cutNote.source.length > budget) {
      return text + cutNote.source + close;
    }
    text += entry;
    shown += 1;
  }
  return text + close;
}

function stepMarkdown(step: ReviewStep, hint: string): Markdown {
  const flag =
    (step.stateful ? " 🗄️ stateful" : "") +
    (step.retained ? " — retained: only forgotten by Pulumi, data kept" : "");
  const lines = [
    gfm`- ${OP_MARK[step.op] ?? ""}**${step.op}** ${code(step.name)} ${code(step.type)}${flag}`,
  ];
  if (step.replaceReasons.length > 0) {
    lines.push(gfm`  - replaced because: ${codeList(step.replaceReasons)}`);
  }
  if ((step.op === "update" || step.op === "replace") && step.values.length === 0) {
    lines.push(gfm`  - the preview names no changed property`);
  }
  for (const change of step.values.slice(0, MAX_VALUES_PER_RESOURCE)) {
    lines.push(valueLine(change));
  }
  const more = step.values.length - MAX_VALUES_PER_RESOURCE;
  if (more > 0) {
    lines.push(gfm`  - …and ${more} more changed value(s) of this resource; ${hint}`);
  }
  return gfm`${block(lines)}\n`;
}

function valueLine(change: ValueChange): Markdown {
  const from = change.inputDiff === false ? gfm` (deployed state)` : BLANK;
  const replaces = change.diffKind?.endsWith("-replace") ? gfm` — forces replacement` : BLANK;
  if (change.kind === "items") {
    return gfm`  - ${code(change.key)}: removed ${code(change.before)}, added ${code(change.after)}${replaces}`;
  }
  return gfm`  - ${code(change.key)}: ${code(change.before)}${from} → ${code(change.after)}${replaces}`;
}

function codeList(texts: readonly string[]): Markdown {
  return joinMarkdown(texts.map(code), gfm`, `);
}
