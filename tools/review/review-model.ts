import type { Ledger } from "../../migrations/ledger";
import type { PathId } from "../../migrations/path";
import { isPathId } from "../../migrations/phases";
import { hasRole, nameFromUrn } from "../../policies/classify";
import { isRetainedDelete } from "../../policies/checks/plan-view";
import type { Plan, PlanStep } from "../plan/plan";

/** A policy verdict as the renderer takes it (policies/transition.ts Verdict, or any source). */
export interface ReviewVerdict {
  readonly ruleId: string;
  readonly level: string;
  /** Left out: a finding, i.e. failed. */
  readonly passed?: boolean;
  readonly message: string;
  readonly urn?: string;
}

export interface ReviewMove {
  readonly path: PathId;
  readonly from: string;
  readonly to: string;
}

/** A policy setting the change alters (policies/policy-change.ts); shown before anything else. */
export interface ReviewPolicyChange {
  readonly field: string;
  readonly from: string;
  readonly to: string;
}

export interface ReviewInput {
  readonly plan: Plan;
  /** e.g. "dev: advance events". @default the plan's stack, or "preview" */
  readonly title?: string;
  readonly verdicts?: readonly ReviewVerdict[];
  /** Phase changes; left out, they are read from the PhaseLedger step of the plan. */
  readonly moves?: readonly ReviewMove[];
  /** Policy settings the change alters; they apply from the next update. */
  readonly policyChanges?: readonly ReviewPolicyChange[];
}

export type DestructiveKind = "delete" | "replace";

export interface ReviewStep {
  readonly op: string;
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly stateful: boolean;
  /** A delete that only drops it from state (retainOnDelete): its data stays where it is. */
  readonly retained: boolean;
  readonly diffReasons: readonly string[];
  readonly replaceReasons: readonly string[];
  readonly oldInputs: Record<string, unknown> | undefined;
  readonly newInputs: Record<string, unknown> | undefined;
}

/**
 * Everything both renderers show, worked out once from a plan of either source. Its text comes
 * from the change under review (names, keys, messages, the note): the renderers escape it.
 */
export interface ReviewModel {
  readonly title: string;
  readonly source: "offline" | "engine";
  readonly note: string | undefined;
  /** Operation → number of resources, replacements counted once. */
  readonly counts: ReadonlyArray<readonly [string, number]>;
  /** Changed steps (not "same"), one per resource. */
  readonly changes: readonly ReviewStep[];
  /** Deletes and replacements of stateful resources: brokers, databases, volumes, topics. */
  readonly destructive: readonly ReviewStep[];
  readonly failed: readonly ReviewVerdict[];
  readonly passed: readonly ReviewVerdict[];
  readonly blocked: boolean;
  readonly moves: readonly ReviewMove[];
  readonly policyChanges: readonly ReviewPolicyChange[];
  readonly diagnostics: readonly { readonly severity: string; readonly message: string }[];
}

// The engine reports a replacement as up to three steps; a reviewer needs it once.
const REPLACEMENT_HALVES = new Set(["create-replacement", "delete-replaced", "discard-replaced"]);
const COUNT_ORDER = ["create", "update", "replace", "delete", "same", "read", "refresh", "import"];

export function buildReview(input: ReviewInput): ReviewModel {
  const plan = input.plan;
  const steps = collapseReplacements(plan.steps);
  const reviewSteps = steps.map(toReviewStep);
  const counts = new Map<string, number>();
  for (const step of reviewSteps) counts.set(step.op, (counts.get(step.op) ?? 0) + 1);
  const ordered = [...counts.entries()].sort(
    (a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]),
  );
  const verdicts = input.verdicts ?? [];
  const failed = verdicts.filter((v) => v.passed !== true);
  return {
    title: input.title ?? plan.stepwise?.stack ?? "preview",
    source: plan.stepwise?.source ?? "engine",
    note: plan.stepwise?.note,
    counts: ordered,
    changes: reviewSteps.filter((s) => s.op !== "same"),
    destructive: reviewSteps.filter(
      (s) => s.stateful && !s.retained && (s.op === "delete" || s.op === "replace"),
    ),
    failed,
    passed: verdicts.filter((v) => v.passed === true),
    blocked: failed.some((v) => v.level === "mandatory"),
    moves: input.moves ?? movesFromLedgerStep(plan),
    policyChanges: input.policyChanges ?? [],
    diagnostics: (plan.diagnostics ?? []).filter(
      (d) => d.severity === "error" || d.severity === "warning",
    ),
  };
}

function rank(op: string): number {
  const index = COUNT_ORDER.indexOf(op);
  return index < 0 ? COUNT_ORDER.length : index;
}

function collapseReplacements(steps: readonly PlanStep[]): PlanStep[] {
  const replaced = new Set(steps.filter((s) => s.op === "replace").map((s) => s.urn));
  return steps.filter((s) => !(REPLACEMENT_HALVES.has(s.op) && replaced.has(s.urn)));
}

function toReviewStep(step: PlanStep): ReviewStep {
  const state = step.newState ?? step.oldState;
  const type = state?.type ?? typeFromUrn(step.urn);
  const op = REPLACEMENT_HALVES.has(step.op) ? "replace" : step.op;
  const stateful = [step.oldState, step.newState].some(
    (s) => s !== undefined && hasRole({ type: s.type }, "stateful"),
  );
  return {
    op,
    urn: step.urn,
    type,
    name: nameFromUrn(step.urn),
    stateful,
    retained: isRetainedDelete(step),
    diffReasons: step.diffReasons ?? [],
    replaceReasons: step.replaceReasons ?? [],
    oldInputs: step.oldState?.inputs,
    newInputs: step.newState?.inputs,
  };
}

/** `urn:pulumi:stack::project::parent$type::name` → type. */
function typeFromUrn(urn: string): string {
  const parts = urn.split("::");
  const qualified = parts[2] ?? "";
  return qualified.split("$").pop() ?? qualified;
}

/** Phase changes read from the PhaseLedger step: the deployed ledger against the new one. */
export function movesFromLedgerStep(plan: Plan): ReviewMove[] {
  const step = plan.steps.find(
    (s) => (s.newState ?? s.oldState)?.type.endsWith(":PhaseLedger") === true,
  );
  if (!step) return [];
  const before = ledgerIn(step.oldState?.inputs ?? step.oldState?.outputs);
  const after = ledgerIn(step.newState?.inputs ?? step.newState?.outputs);
  if (!after) return [];
  const moves: ReviewMove[] = [];
  for (const [path, record] of Object.entries(after.phases)) {
    const from = before?.phases[path as PathId]?.phase;
    if (isPathId(path) && record && from !== undefined && from !== record.phase) {
      moves.push({ path, from, to: record.phase });
    }
  }
  return moves;
}

function ledgerIn(inputs: Record<string, unknown> | undefined): Ledger | undefined {
  const ledger = inputs?.ledger;
  if (typeof ledger !== "object" || ledger === null || !("phases" in ledger)) return undefined;
  return ledger as Ledger;
}
