/**
 * What one update of a rollback drill would lose or hide, from its plan: stateful deletes and
 * replacements (but the dataless rollback the path promises), blocking rules, and clients sent
 * back to a system that missed writes; and the gates it needs when it is taken.
 */
import { GATE_RECORDERS } from "../../../migrations/gate-evidence";
import type { GateId, PathId } from "../../../migrations/path";
import {
  gatesToLeaveBack,
  pathById,
  systemsBehindOnRollback,
} from "../../../migrations/path-queries";
import type { Finding } from "../../../policies/checks/phases";
import { datalessRollbackDeletes } from "../../../policies/checks/stateful-deletes";
import { gateFindings } from "../../../policies/rules/phase-gates";
import { blockingVerdicts } from "../../../policies/transition";
import type { CheckedTransition } from "../../plan/plan-and-check";
import { buildReview } from "../../review";

/** A gate a step of the walk needs recorded when it is taken. */
export interface DrillGate {
  readonly gate: GateId;
  /** The command that performs the check and records it. */
  readonly recordedBy: string;
  /** Recorded, passed, and after the path entered the phase it leaves. */
  readonly recorded: boolean;
}

/** One update of a drill, or a path already at its baseline (`to` undefined). */
export interface DrillResult {
  readonly path: string;
  readonly from: string;
  readonly to: string | undefined;
  readonly problems: readonly string[];
  /** A step inside phase `from` (then `to` equals it): the stack edit it makes. */
  readonly edit?: string;
  /** Edits made first that change nothing in phase `from` (kept, unused, there). */
  readonly prepared?: readonly string[];
  /** The gates this step needs recorded when it is taken. */
  readonly gates?: readonly DrillGate[];
}

/** What a step would lose or hide, and the gates it needs when it is taken. */
export function judge(
  path: PathId,
  from: string,
  to: string,
  transition: CheckedTransition,
): Pick<DrillResult, "problems" | "gates"> {
  const definition = pathById(path);
  const move = { path: definition, from, to };
  const phaseMoves = from === to ? [] : [move];
  // Deleting a new system that never received writes is the rollback the path promises:
  // that system's own resources, the same ones the delete rules exempt, and nothing else.
  const promised = new Set(datalessRollbackDeletes(transition.plan, phaseMoves).map((r) => r.urn));
  const review = buildReview({ plan: transition.plan, verdicts: transition.verdicts });
  // The gates of a rollback are to be recorded when it is taken; the rule holding the step
  // until then is the guard the drill expects, not a problem.
  const guard: Finding[] =
    from === to
      ? []
      : gateFindings(move, transition.after, transition.before.phases[path]?.enteredAt);
  const guarded = (message: string) => guard.some((f) => message.startsWith(f.message));
  const problems = [
    ...review.destructive
      .filter((s) => !(s.op === "delete" && promised.has(s.urn)))
      .map((s) => `${s.op} of stateful ${s.name} (${s.type})`),
    ...blockingVerdicts(transition.verdicts)
      .filter((v) => !(v.ruleId === "phase-gates" && guarded(v.message)))
      .map((v) => `rule ${v.ruleId}: ${v.message}`),
  ];
  if (from === to) return { problems };
  const behind = systemsBehindOnRollback(definition, from, to);
  const needed = gatesToLeaveBack(definition, from);
  if (behind.length > 0 && needed.length === 0) {
    problems.push(
      `clients go back to ${behind.join(" and ")}, which missed what happened in "${from}", and no rollback gate makes sure it was brought back in step`,
    );
  }
  const gates = needed.map((gate) => ({
    gate,
    recordedBy: GATE_RECORDERS[gate],
    recorded: !guard.some((f) => f.message.includes(`gate "${gate}"`)),
  }));
  return gates.length > 0 ? { problems, gates } : { problems };
}
