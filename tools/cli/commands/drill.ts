import { Command } from "commander";
import { writeFileSync } from "node:fs";
import { GATE_RECORDERS, sealGate } from "../../../migrations/gate-evidence";
import { MIGRATION_PATHS } from "../../../migrations/paths";
import { PATH_IDS } from "../../../migrations/path-queries";
import { policyInForce, type CheckedTransition } from "../../plan/plan-and-check";
import {
  code,
  gfm,
  joinMarkdown,
  renderMarkdown,
  tableRow,
  terminalLine,
  type Markdown,
} from "../../review";
import { EXIT } from "../exit";
import { createProgress } from "../progress";
import { walkBack, type DrillGate, type DrillResult } from "./drill-walk";
import {
  addStackOptions,
  asUsage,
  evaluationConfig,
  nowOf,
  readStack,
  type StackOptions,
} from "./stack-context";

export type { DrillGate, DrillResult } from "./drill-walk";

interface DrillOptions extends StackOptions {
  markdown?: boolean;
  record?: string;
}

/** Each step back that waits for a gate, the gate, and the command that records it. */
const gateList = Object.values(MIGRATION_PATHS)
  .flatMap((path) =>
    path.phases.flatMap((phase) =>
      (phase.rollbackGates ?? []).map(
        (gate) =>
          `  ${path.id} ${phase.id} -> ${phase.rollbackTo ?? ""}: ${gate}\n    ${GATE_RECORDERS[gate]}`,
      ),
    ),
  )
  .join("\n");

const HELP = `Rollback drill: walks every path of a stack back from its current phase to
its baseline, one update at a time, each planned offline against the stack the
update before it left. The stack file is never changed. Where a phase leaves
something to the stack per service, the walk first takes the steps a user would
take inside it: services moved back one per update (services-moving), traffic
weights stepped down by the policy's weightStep (canary, monolith-parallel),
Prometheus moved back before the platform it runs on goes; settings a phase does
not use are set first to what it will (placement, apiWeights).

Each step fails (exit 1) when it would
  - delete or replace a stateful resource, except a rollback deleting the
    path's new system that never received writes (e.g. Kafka out of parallel);
  - break a mandatory rule of the policy in force;
  - point clients back at a system that missed what happened in the phase it
    leaves (reads switching to it, writes resuming to it) with no rollback gate
    to make sure it was brought back in step;
  - leave the stack config invalid, or need an engine in use moved off a
    platform (the walk of that path stops there).
A step whose phase has rollback gates passes when all else holds and names each
gate, whether it is recorded now, and the command that records it; take it only
once they are recorded (phase-gates refuses it until then). Steps with gates:
${gateList}`;

export function drillCommand(): Command {
  const command = new Command("drill")
    .summary(
      "Rollback drill: walks every path back to its baseline; exit 1 where a step would lose or hide data",
    )
    .description(HELP)
    .argument("<stack>", "stack name (stacks/Pulumi.<stack>.yaml)")
    .option("--markdown", "print the report and each planned update as Markdown")
    .option(
      "--record <file>",
      "write the result as the rollback-drill gate record (JSON, sealed) for the stack's stepwise:gates",
    );
  return addStackOptions(command).action(async (stack: string, options: DrillOptions) => {
    process.exitCode = await runDrill(stack, options);
  });
}

async function runDrill(stack: string, options: DrillOptions): Promise<number> {
  const { file, text } = readStack(stack, options);
  const config = evaluationConfig(text, file);
  const { settings } = asUsage(() => policyInForce({ stack, before: config, after: config }));
  const markdown: string[] = [];
  const progress = createProgress(`drill ${stack}: updates planned`);
  let planned = 0;
  const context = {
    stack,
    file,
    options,
    now: nowOf(options),
    weightStep: settings.weightStep,
    planned: (title: string, transition: CheckedTransition) => {
      progress.update(++planned);
      if (!options.markdown) return;
      markdown.push(
        renderMarkdown({ ...transition, title: `${stack}: drill — ${title}` }, { limit: 20_000 }),
      );
    },
  };
  const results: DrillResult[] = [];
  // Each update is two evaluations of the program: seconds each on a big stack.
  for (const path of PATH_IDS) results.push(...(await walkBack(path, text, context)));
  progress.finish(`${failedPaths(results).length} path(s) failed`);
  console.log(
    options.markdown ? drillMarkdown(stack, results, markdown) : drillText(stack, results),
  );
  if (options.record !== undefined) {
    const record = { "rollback-drill": drillGateRecord(stack, results, context.now) };
    asUsage(() => writeFileSync(options.record ?? "", `${JSON.stringify(record, null, 2)}\n`));
  }
  return failedPaths(results).length > 0 ? EXIT.blocked : EXIT.ok;
}

/** The drill's result as the ledger's `rollback-drill` gate: passed only when every path went back. */
export function drillGateRecord(stack: string, results: readonly DrillResult[], now: Date) {
  const failed = failedPaths(results);
  const steps = results.filter((r) => r.to !== undefined).length;
  return sealGate(
    "rollback-drill",
    {
      passed: failed.length === 0,
      recordedAt: now.toISOString(),
      detail:
        `drill ${stack}: ${steps} step(s) back planned on ${PATH_IDS.length} paths, ` +
        (failed.length === 0 ? "every path back to its baseline" : `failed: ${failed.join(", ")}`),
      check: "drill",
      endpoints: [stack],
    },
    results,
  );
}

function failedPaths(results: readonly DrillResult[]): string[] {
  return [...new Set(results.filter((r) => r.problems.length > 0).map((r) => r.path))];
}

/** What a step does: the phase change, or the edit inside a phase; and what it sets first. */
function stepText(r: DrillResult): string {
  const what = r.edit === undefined ? `${r.from} -> ${r.to ?? ""}` : `in ${r.from}, ${r.edit}`;
  return r.prepared?.length
    ? `${what} (first, unused in ${r.from}: ${r.prepared.join(", ")})`
    : what;
}

function gateText(g: DrillGate): string {
  return g.recorded
    ? `gate ${g.gate}: recorded, and covers the phase it leaves`
    : `gate ${g.gate}: not recorded yet; record it with \`${g.recordedBy}\` before taking this step`;
}

export function drillText(stack: string, results: readonly DrillResult[]): string {
  const failed = failedPaths(results).length;
  const lines = [
    `stepwise drill ${stack}: ${failed === 0 ? "PASSED" : `FAILED (${failed} path(s))`}`,
  ];
  for (const r of results) {
    if (r.to === undefined) {
      lines.push(`  ${r.path}: at baseline ${r.from}, nothing to roll back`);
      continue;
    }
    const verdict = r.problems.length === 0 ? "ok" : "FAIL";
    lines.push(`  ${r.path}: ${stepText(r)}: ${verdict}`);
    for (const problem of r.problems) lines.push(`    - ${problem}`);
    for (const gate of r.gates ?? []) lines.push(`    ${gateText(gate)}`);
  }
  return lines.map(terminalLine).join("\n");
}

/** Where the step goes: the phase (and what is set first), or the edit inside the phase. */
function toCell(r: DrillResult): Markdown {
  if (r.to === undefined) return gfm`—`;
  if (r.edit !== undefined) return gfm`${r.edit}`;
  if (!r.prepared?.length) return code(r.to);
  return gfm`${code(r.to)} (first, unused in ${code(r.from)}: ${r.prepared.join(", ")})`;
}

function resultCell(result: DrillResult): Markdown {
  if (result.to === undefined) return gfm`at baseline`;
  const gates = (result.gates ?? []).map((g) => gfm`${gateText(g)}`);
  if (result.problems.length === 0) {
    return joinMarkdown([gfm`✅ ok`, ...gates], gfm`<br>`);
  }
  return gfm`⛔ ${joinMarkdown(
    [...result.problems.map((problem) => gfm`${problem}`), ...gates],
    gfm`<br>`,
  )}`;
}

export function drillMarkdown(
  stack: string,
  results: readonly DrillResult[],
  plans: readonly string[],
): string {
  // Problems carry the stack file's own text (config errors, gate details): escaped (tools/review).
  const rows = results.map((r) => tableRow([code(r.path), code(r.from), toCell(r), resultCell(r)]));
  const failed = failedPaths(results).length > 0;
  return [
    gfm`# Rollback drill: ${stack} ${failed ? "⛔ failed" : "✅ passed"}`.source,
    "",
    "| path | from | to (or the edit inside the phase) | result |",
    "|---|---|---|---|",
    ...rows.map((row) => row.source),
    "",
    ...plans.map(
      (p) =>
        `<details><summary>${p.split("\n")[0]?.replace(/^## /, "") ?? ""}</summary>\n\n${p}\n</details>\n`,
    ),
  ].join("\n");
}
