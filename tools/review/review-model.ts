import { ledgerOfInputs, ledgerStepOf } from "../../migrations/ledger";
import type { PathId } from "../../migrations/path";
import { isPathId } from "../../migrations/path-queries";
import { hasRole, nameFromUrn } from "../../policies/classify";
import { isRetainedDelete } from "../../policies/checks/plan-view";
import type { StatefulTypeOverrides } from "../../policies/stateful-types";
import type { Plan, PlanStep } from "../../migrations/plan-model";
import type { RulesApplied } from "./check-plan";
import { changedValues, type ValueChange } from "./values";
import { routeTraffic, type RouteTraffic } from "./review-traffic";

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
  /** Which rules were applied and why the others were not (./check-plan). */
  readonly rules?: RulesApplied;
  /** The stack's additions to the stateful table (`stepwise:policy.statefulTypes`). */
  readonly statefulTypes?: StatefulTypeOverrides;
}

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
  /** Every changed value (detailedDiff first); empty for creates and deletes. */
  readonly values: readonly ValueChange[];
  readonly oldInputs: Record<string, unknown> | undefined;
  readonly newInputs: Record<string, unknown> | undefined;
}

/** Why the preview itself failed: the change cannot be applied as it stands. */
export interface PreviewFailure {
  readonly kind: "engine-error" | "policy-violation" | "maybe-corrupt";
  readonly message: string;
}

export type ReviewVerdictKind = "failed" | "blocked" | "warnings" | "allowed" | "no-verdicts";

/**
 * Everything both renderers show, worked out once from a plan of either source. Its text comes
 * from the change under review (names, keys, messages, the note): the renderers escape it.
 */
export interface ReviewModel {
  readonly title: string;
  readonly source: "offline" | "engine";
  readonly note: string | undefined;
  /** The verdict above the fold: a failed preview or a mandatory finding stops the change. */
  readonly verdict: ReviewVerdictKind;
  readonly failures: readonly PreviewFailure[];
  /** Operation → number of resources, from the document's changeSummary when it has one. */
  readonly counts: ReadonlyArray<readonly [string, number]>;
  /** Where counts came from, and where the listed steps and the summary disagree. */
  readonly countNotes: readonly string[];
  /** Changed steps (not "same"), one per resource. */
  readonly changes: readonly ReviewStep[];
  /** Deletes and replacements of stateful resources: databases, volumes, buckets, topics. */
  readonly destructive: readonly ReviewStep[];
  readonly failed: readonly ReviewVerdict[];
  readonly passed: readonly ReviewVerdict[];
  readonly blocked: boolean;
  readonly rules: RulesApplied | undefined;
  readonly moves: readonly ReviewMove[];
  readonly policyChanges: readonly ReviewPolicyChange[];
  /** Every routed service: who answers its requests before and after, from the routers. */
  readonly traffic: readonly RouteTraffic[];
  readonly diagnostics: readonly {
    readonly severity: string;
    readonly message: string;
    readonly urn?: string;
  }[];
}

// The halves of a replacement the engine lists beside its `replace` step (with
// --show-replacement-steps); a reviewer needs the replacement once. `discard-replaced` and
// `read-replacement` concern a resource read, not managed: nothing is destroyed.
const REPLACEMENT_HALVES = new Set([
  "create-replacement",
  "delete-replaced",
  "discard-replaced",
  "read-replacement",
  "import-replacement",
]);
/** Steps that only forget a resource read from elsewhere (`pulumi.get`): nothing is deleted. */
const FORGETS = new Set(["discard", "discard-replaced", "read-replacement", "read"]);
// The engine counts logical steps only (pkg/engine update.go: step.Logical()); these are not.
const NOT_COUNTED = new Set([...REPLACEMENT_HALVES, "remove-pending-replace"]);
const COUNT_ORDER = ["create", "update", "replace", "delete", "same", "read", "refresh", "import"];

export function buildReview(input: ReviewInput): ReviewModel {
  const plan = input.plan;
  const steps = collapseReplacements(plan.steps);
  const reviewSteps = steps.map((step) => toReviewStep(step, input.statefulTypes));
  const { counts, notes } = countsOf(plan);
  const verdicts = input.verdicts ?? [];
  const failed = verdicts.filter((v) => v.passed !== true);
  const failures = failuresOf(plan);
  const blocked = failed.some((v) => v.level === "mandatory");
  return {
    title: input.title ?? plan.stepwise?.stack ?? "preview",
    source: plan.stepwise?.source ?? "engine",
    note: plan.stepwise?.note,
    verdict:
      failures.length > 0
        ? "failed"
        : blocked
          ? "blocked"
          : failed.length > 0
            ? "warnings"
            : verdicts.length > 0
              ? "allowed"
              : "no-verdicts",
    failures,
    counts,
    countNotes: notes,
    changes: reviewSteps.filter((s) => s.op !== "same"),
    destructive: reviewSteps.filter(
      (s) => s.stateful && !s.retained && (s.op === "delete" || s.op === "replace"),
    ),
    failed,
    passed: verdicts.filter((v) => v.passed === true),
    blocked,
    rules: input.rules,
    moves: input.moves ?? movesFromLedgerStep(plan),
    policyChanges: input.policyChanges ?? [],
    traffic: routeTraffic(plan),
    diagnostics: (plan.diagnostics ?? [])
      .filter((d) => d.severity === "error" || d.severity === "warning")
      .map((d) => ({ ...d, message: withoutSeverityPrefix(d) })),
  };
}

/** The engine prefixes its own messages with their severity ("error: preview failed"). */
function withoutSeverityPrefix(d: { severity: string; message: string }): string {
  const text = d.message.trim();
  return text.toLowerCase().startsWith(`${d.severity}: `)
    ? text.slice(d.severity.length + 2)
    : text;
}

/** Engine errors, policy violations the engine reported, and a possibly corrupt state. */
function failuresOf(plan: Plan): PreviewFailure[] {
  const failures: PreviewFailure[] = (plan.diagnostics ?? [])
    .filter((d) => d.severity === "error")
    .map((d) => {
      const message = withoutSeverityPrefix(d);
      return {
        kind: /polic(?:y|ies)\b.*violat|violat.*\bpolic/i.test(message)
          ? ("policy-violation" as const)
          : ("engine-error" as const),
        message,
      };
    });
  if (plan.maybeCorrupt === true) {
    failures.push({
      kind: "maybe-corrupt",
      message:
        "the engine marked the result maybeCorrupt: one or more resources may be corrupt; run `pulumi refresh` and review again",
    });
  }
  return failures;
}

/**
 * Counts per operation. The engine's changeSummary is the truth: a default `pulumi preview
 * --json` lists only the root stack among unchanged resources, and replacement halves appear
 * only with --show-replacement-steps. Without a summary the listed steps are counted.
 */
function countsOf(plan: Plan): { counts: [string, number][]; notes: string[] } {
  const listed = new Map<string, number>();
  for (const step of plan.steps) {
    if (NOT_COUNTED.has(step.op)) continue;
    listed.set(step.op, (listed.get(step.op) ?? 0) + 1);
  }
  const summary = Object.entries(plan.changeSummary ?? {}).filter(
    (e): e is [string, number] => typeof e[1] === "number" && e[1] > 0,
  );
  const notes: string[] = [];
  const fromSummary = summary.length > 0 || plan.steps.length === 0;
  const counts = fromSummary ? new Map(summary) : listed;
  if (!fromSummary) notes.push("the document has no changeSummary: counted from the steps");
  if (fromSummary) {
    for (const op of new Set([...counts.keys(), ...listed.keys()])) {
      const total = counts.get(op) ?? 0;
      const seen = listed.get(op) ?? 0;
      if (total === seen) continue;
      notes.push(
        op === "same" && seen < total
          ? `${total - seen} unchanged resource(s) are not listed in the preview (\`pulumi preview --json --show-sames\` lists them)`
          : `${op}: the summary counts ${total}, the steps list ${seen}`,
      );
    }
  }
  const ordered = [...counts.entries()].sort(
    (a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]),
  );
  return { counts: ordered, notes };
}

function rank(op: string): number {
  const index = COUNT_ORDER.indexOf(op);
  return index < 0 ? COUNT_ORDER.length : index;
}

/** A replacement once: its halves are dropped where the `replace` step is listed. */
function collapseReplacements(steps: readonly PlanStep[]): PlanStep[] {
  const replaced = new Set(steps.filter((s) => s.op === "replace").map((s) => s.urn));
  const halves = steps.filter((s) => REPLACEMENT_HALVES.has(s.op) && !replaced.has(s.urn));
  // Halves without their replace step (an older engine, a hand-cut document): one per resource.
  const firstHalf = new Map<string, PlanStep>();
  for (const half of halves) if (!firstHalf.has(half.urn)) firstHalf.set(half.urn, half);
  return steps.filter(
    (s) => !REPLACEMENT_HALVES.has(s.op) || (!replaced.has(s.urn) && firstHalf.get(s.urn) === s),
  );
}

function toReviewStep(step: PlanStep, overrides?: StatefulTypeOverrides): ReviewStep {
  const state = step.newState ?? step.oldState;
  const type = state?.type ?? typeFromUrn(step.urn);
  // A standalone half of a managed resource's replacement is a replacement; a read resource's
  // halves keep their own name: it is only forgotten or read again.
  const op = REPLACEMENT_HALVES.has(step.op) && !FORGETS.has(step.op) ? "replace" : step.op;
  const stateful =
    !FORGETS.has(op) &&
    step.oldState?.external !== true &&
    [step.oldState, step.newState].some(
      (s) => s !== undefined && hasRole({ type: s.type }, "stateful", overrides),
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
    values: changedValues(step, op),
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
  const step = ledgerStepOf(plan);
  if (!step) return [];
  // A state without inputs is read from its outputs (the PhaseLedger's outputs repeat its inputs).
  const before = ledgerOfInputs(step.oldState?.inputs ?? step.oldState?.outputs);
  const after = ledgerOfInputs(step.newState?.inputs ?? step.newState?.outputs);
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
