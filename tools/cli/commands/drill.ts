import { Command } from "commander";
import { baselinePhase, pathById, PATH_IDS } from "../../../migrations/phases";
import { datalessRollbackDeletes } from "../../../policies/checks/plan-rules";
import { blockingVerdicts } from "../../../policies/transition";
import {
  buildReview,
  code,
  gfm,
  joinMarkdown,
  renderMarkdown,
  tableRow,
  terminalLine,
  type Markdown,
} from "../../review";
import { applyPhaseStep, currentPhase } from "../../stackfile";
import { EXIT, UsageError } from "../main";
import { createProgress } from "../progress";
import {
  addStackOptions,
  asUsage,
  nowOf,
  planStackTransition,
  readStack,
  type StackOptions,
} from "./stack-context";

interface DrillOptions extends StackOptions {
  markdown?: boolean;
}

/** One path's rollback in a drill and what is wrong with it. */
export interface DrillResult {
  readonly path: string;
  readonly from: string;
  readonly to: string | undefined;
  readonly problems: readonly string[];
}

export function drillCommand(): Command {
  const command = new Command("drill")
    .description(
      "Rollback drill: plan the rollback of every path of a stack (one phase each, from its current\n" +
        "phase) and fail (exit 1) if any would delete or replace a stateful resource or break a\n" +
        "mandatory rule. The stack file is never changed.",
    )
    .argument("<stack>", "stack name (stacks/Pulumi.<stack>.yaml)")
    .option("--markdown", "print the report and each rollback plan as Markdown");
  return addStackOptions(command).action(async (stack: string, options: DrillOptions) => {
    process.exitCode = await runDrill(stack, options);
  });
}

async function runDrill(stack: string, options: DrillOptions): Promise<number> {
  const { file, text } = readStack(stack, options);
  const results: DrillResult[] = [];
  const markdown: string[] = [];
  // Each rollback is two evaluations of the program: seconds each on a big stack.
  const progress = createProgress(`drill ${stack}: paths planned`);
  for (const [index, path] of PATH_IDS.entries()) {
    progress.update(index, PATH_IDS.length);
    const from = asUsage(() => currentPhase(text, path, file));
    if (from === baselinePhase(path)) {
      results.push({ path, from, to: undefined, problems: [] });
      continue;
    }
    const { text: after, change } = asUsage(() =>
      applyPhaseStep(text, path, "rollback", nowOf(options), file),
    );
    let transition;
    try {
      transition = await planStackTransition(stack, text, after, options, {
        before: file,
        after: `${file} (rollback ${path})`,
      });
    } catch (error) {
      // A rollback that leaves the stack config invalid cannot be done in one step: a finding.
      if (!(error instanceof UsageError)) throw error;
      const problem = `the stack config after this rollback is invalid: ${error.message}`;
      results.push({ path, from: change.from, to: change.to, problems: [problem] });
      continue;
    }
    const review = buildReview({ plan: transition.plan, verdicts: transition.verdicts });
    // Deleting a new system that never received writes is the rollback the path promises:
    // that system's own resources, the same ones the delete rules exempt, and nothing else.
    const move = { path: pathById(path), from: change.from, to: change.to };
    const promised = new Set(datalessRollbackDeletes(transition.plan, [move]).map((r) => r.urn));
    const problems = [
      ...review.destructive
        .filter((s) => !(s.op === "delete" && promised.has(s.urn)))
        .map((s) => `${s.op} of stateful ${s.name} (${s.type})`),
      ...blockingVerdicts(transition.verdicts).map((v) => `rule ${v.ruleId}: ${v.message}`),
    ];
    results.push({ path, from: change.from, to: change.to, problems });
    if (options.markdown) {
      markdown.push(
        renderMarkdown(
          {
            plan: transition.plan,
            title: `${stack}: drill — rollback ${path} (${change.from} → ${change.to})`,
            verdicts: transition.verdicts,
            moves: transition.moves,
          },
          { limit: 20_000 },
        ),
      );
    }
  }
  progress.finish(`${results.filter((r) => r.problems.length > 0).length} failed`);
  console.log(
    options.markdown ? drillMarkdown(stack, results, markdown) : drillText(stack, results),
  );
  return results.some((r) => r.problems.length > 0) ? EXIT.blocked : EXIT.ok;
}

export function drillText(stack: string, results: readonly DrillResult[]): string {
  const failed = results.filter((r) => r.problems.length > 0).length;
  const lines = [
    `stepwise drill ${stack}: ${failed === 0 ? "PASSED" : `FAILED (${failed} path(s))`}`,
  ];
  for (const r of results) {
    if (r.to === undefined) {
      lines.push(`  ${r.path}: at baseline ${r.from}, nothing to roll back`);
      continue;
    }
    const verdict = r.problems.length === 0 ? "ok" : "FAIL";
    lines.push(`  ${r.path}: ${r.from} -> ${r.to}: ${verdict}`);
    for (const problem of r.problems) lines.push(`    - ${problem}`);
  }
  return lines.map(terminalLine).join("\n");
}

function resultCell(result: DrillResult): Markdown {
  if (result.to === undefined) return gfm`at baseline`;
  if (result.problems.length === 0) return gfm`✅ ok`;
  return gfm`⛔ ${joinMarkdown(
    result.problems.map((problem) => gfm`${problem}`),
    gfm`<br>`,
  )}`;
}

export function drillMarkdown(
  stack: string,
  results: readonly DrillResult[],
  plans: readonly string[],
): string {
  // Problems carry the stack file's own text (config errors, gate details): escaped (tools/review).
  const rows = results.map((r) =>
    tableRow([code(r.path), code(r.from), r.to === undefined ? gfm`—` : code(r.to), resultCell(r)]),
  );
  const failed = results.some((r) => r.problems.length > 0);
  return [
    gfm`# Rollback drill: ${stack} ${failed ? "⛔ failed" : "✅ passed"}`.source,
    "",
    "| path | from | rollback to | result |",
    "|---|---|---|---|",
    ...rows.map((row) => row.source),
    "",
    ...plans.map(
      (p) =>
        `<details><summary>${p.split("\n")[0]?.replace(/^## /, "") ?? ""}</summary>\n\n${p}\n</details>\n`,
    ),
  ].join("\n");
}
