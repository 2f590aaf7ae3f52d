/**
 * Fidelity of the offline planner: at every step of the real lane its plan is compared with
 * the engine's preview, operation by operation (tools/engine/plan-difference.ts). A difference is
 * allowed only where docs/engine.md's fidelity table lists it with its reason, so the table is
 * the one definition of what the offline plan does not show.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { typeChainOf } from "../../../policies/classify";
import { compareChangedSteps } from "../../../tools/engine";
import type { Plan } from "../../../migrations/plan-model";
import { REPO_ROOT } from "./real-lane";

export const FIDELITY_DOC = join(REPO_ROOT, "docs", "engine.md");

/** When a step is taken: a stack's first deployment, the step after a failed update, or any. */
export type StepKind = "first deployment" | "after a failed update" | "any step";
const STEP_KINDS: readonly StepKind[] = ["first deployment", "after a failed update", "any step"];

/** One row of the table: a step only one side shows, for a resource type, when, and why. */
export interface DocumentedDifference {
  readonly when: StepKind;
  readonly side: "engine" | "offline";
  readonly op: string;
  readonly type: string;
  readonly reason: string;
}

/** The rows between `<!-- fidelity:start -->` and `<!-- fidelity:end -->` in docs/engine.md. */
export function documentedDifferences(markdown = readFileSync(FIDELITY_DOC, "utf8")) {
  const start = markdown.indexOf("<!-- fidelity:start -->");
  const end = markdown.indexOf("<!-- fidelity:end -->");
  if (start < 0 || end < start) throw new Error(`${FIDELITY_DOC} has no fidelity table markers`);
  const rows = markdown
    .slice(start, end)
    .split("\n")
    .filter((line) => line.startsWith("|"))
    .slice(2) // header and separator
    .map((line) =>
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/`/g, "")),
    );
  return rows.map(([when, side, op, type, reason]): DocumentedDifference => {
    const kind = STEP_KINDS.find((k) => k === when);
    if (!kind || (side !== "engine only" && side !== "offline only") || !op || !type || !reason) {
      throw new Error(
        `fidelity table row [${[when, side, op, type, reason].join(" | ")}] is incomplete`,
      );
    }
    return { when: kind, side: side === "engine only" ? "engine" : "offline", op, type, reason };
  });
}

export interface StepFidelity {
  readonly step: string;
  readonly kind: StepKind;
  /** Differences a table row explains, with the row's reason. */
  readonly explained: readonly string[];
  /** Differences no row explains: each fails the walk. */
  readonly unexplained: readonly string[];
}

/** Compares one step's plans; `offline` first, `engine` second. */
export function stepFidelity(
  step: string,
  offline: Plan,
  engine: Plan,
  kind: StepKind = "any step",
  table: readonly DocumentedDifference[] = documentedDifferences(),
): StepFidelity {
  const { onlyInFirst, onlyInSecond } = compareChangedSteps(offline, engine);
  const explained: string[] = [];
  const unexplained: string[] = [];
  const sort = (side: "engine" | "offline", line: string) => {
    const [op = "", urn = ""] = line.split(" ");
    const type = typeChainOf(urn).at(-1) ?? "";
    const row = table.find(
      (r) =>
        (r.when === kind || r.when === "any step") &&
        r.side === side &&
        r.op === op &&
        r.type === type,
    );
    if (row) explained.push(`${side} only: ${line} (${row.reason})`);
    else unexplained.push(`${side} only: ${line}`);
  };
  onlyInFirst.forEach((line) => sort("offline", line));
  onlyInSecond.forEach((line) => sort("engine", line));
  return { step, kind, explained, unexplained };
}
