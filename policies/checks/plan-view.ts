/**
 * A plan seen as resources before and after, for the rules that need what CrossGuard never
 * shows a policy: deletions, replacements and old values.
 */
import type { Plan, PlanResourceState, PlanStep, StepOp } from "../../migrations/plan-model";
import { ledgerOfInputs, ledgerStepOf, type Ledger } from "../../migrations/ledger";
import { nameFromUrn, type ResourceView } from "../classify";

const CREATES: ReadonlySet<StepOp> = new Set(["create", "create-replacement", "import"]);
const GONE_AFTER: ReadonlySet<StepOp> = new Set([
  "delete",
  "delete-replaced",
  "discard",
  "discard-replaced",
  "remove-pending-replace",
]);
export const REPLACES: ReadonlySet<StepOp> = new Set([
  "replace",
  "create-replacement",
  "delete-replaced",
  "import-replacement",
]);

function view(state: PlanResourceState | undefined, urn: string): ResourceView | undefined {
  if (!state) return undefined;
  return { type: state.type, urn, name: nameFromUrn(urn), props: state.inputs ?? {} };
}

/** The resource as it was before the update; undefined for creations. */
export function beforeOf(step: PlanStep): ResourceView | undefined {
  if (CREATES.has(step.op)) return undefined;
  return view(step.oldState ?? step.newState, step.urn);
}

/** The resource as it is after the update; undefined for deletions. */
export function afterOf(step: PlanStep): ResourceView | undefined {
  if (GONE_AFTER.has(step.op)) return undefined;
  return view(step.newState ?? step.oldState, step.urn);
}

/** The resource a step is about, whichever state it has. */
export function subjectOf(step: PlanStep): ResourceView | undefined {
  return view(step.newState ?? step.oldState, step.urn);
}

/** Each URN once (a replacement may show as several steps). */
export function resourcesAfter(plan: Plan): ResourceView[] {
  const byUrn = new Map<string, ResourceView>();
  for (const step of plan.steps) {
    const after = afterOf(step);
    if (after) byUrn.set(step.urn, after);
  }
  return [...byUrn.values()];
}

export function resourcesBefore(plan: Plan): ResourceView[] {
  const byUrn = new Map<string, ResourceView>();
  for (const step of plan.steps) {
    const before = beforeOf(step);
    if (before) byUrn.set(step.urn, before);
  }
  return [...byUrn.values()];
}

export function isCreate(step: PlanStep): boolean {
  return step.op === "create";
}

export function isDelete(step: PlanStep): boolean {
  return step.op === "delete";
}

/** A delete that only drops the resource from state (retainOnDelete): its data stays. */
export function isRetainedDelete(step: PlanStep): boolean {
  return isDelete(step) && step.oldState?.retainOnDelete === true;
}

/**
 * The ledgers before and after, from the PhaseLedger step of a plan (its old and new `ledger`
 * input), so a plan from `pulumi preview --json` is checkable on its own. A stack without a
 * ledger yet (first update) has an empty one before.
 */
export function ledgersFromPlan(plan: Plan): { before: Ledger; after: Ledger } | undefined {
  const step = ledgerStepOf(plan);
  if (!step) return undefined;
  const empty: Ledger = { phases: {}, gates: {} };
  const before = beforeOf(step) ? ledgerOfInputs(step.oldState?.inputs) : empty;
  const after = afterOf(step) ? ledgerOfInputs(step.newState?.inputs) : empty;
  if (!before || !after) return undefined;
  return { before, after };
}
