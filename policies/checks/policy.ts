/**
 * `policy-change-alone`: a change to the policy settings rides with nothing else, so the
 * relaxed (or tightened) rules never judge the update that introduced them.
 */
import { hasRole } from "../classify";
import { describePolicyChanges, type PolicySettingChange } from "../policy-change";
import type { Plan } from "../../migrations/plan-model";
import { subjectOf } from "./plan-view";
import type { Finding, PathMove } from "./phases";

/** Resources a plan creates, changes or deletes, besides the ledger (which records the policy). */
export function changedResources(plan: Plan): string[] {
  return plan.steps
    .filter((s) => s.op !== "same" && s.op !== "read")
    .filter((s) => {
      const subject = subjectOf(s);
      return subject !== undefined && !hasRole(subject, "ledger");
    })
    .map((s) => `${s.op} ${subjectOf(s)?.name ?? s.urn}`);
}

export function policyChangeFindings(
  changes: readonly PolicySettingChange[],
  moved: readonly PathMove[],
  otherChanges: readonly string[],
): Finding[] {
  if (changes.length === 0) return [];
  const alongside = [
    ...moved.map((m) => `path "${m.path.id}" moves ${m.from} → ${m.to}`),
    ...otherChanges,
  ];
  if (alongside.length === 0) return [];
  const shown = alongside.slice(0, 5).join("; ");
  const more = alongside.length > 5 ? ` and ${alongside.length - 5} more` : "";
  return [
    {
      message: `the policy changes (${describePolicyChanges(changes)}) in the same update as: ${shown}${more}`,
    },
  ];
}
