/**
 * `policy-change-alone`: a change to the policy settings rides with nothing else, so the
 * relaxed (or tightened) rules never judge the update that introduced them.
 */
import type { Plan } from "../../migrations/plan-model";
import { hasRole } from "../classify";
import type { PolicySettingChange } from "../policy-change";
import { configKey, defineRule, EVERYWHERE, moving } from "../rule-definition";
import { thisUpdatesMoves } from "../checks/ledger-moves";
import type { Finding, PathMove } from "../checks/phases";
import { subjectOf } from "../checks/plan-view";

export const policyChangeAlone = defineRule({
  id: "policy-change-alone",
  scope: "path",
  title: "A policy change is an update of its own",
  prevents:
    "Relaxing the rules in the same update that uses the relaxation: every change is judged by the policy already in force (the base side, or the deployed ledger), so a new policy applies from the next update.",
  satisfy: `Change ${configKey("policy")} or ${configKey("environment")} in an update that moves no path and changes no resource; take the step in a later update.`,
  levels: EVERYWHERE,
  transition: (t) =>
    policyChangeFindings(t.policyChanges ?? [], moving(t), changedResources(t.plan)),
  pack: {
    // The ledger records the new policy beside the one in force; the pack resolves it.
    stack: (ledger, _resources, c) => {
      if (c.policyChange === undefined) return [];
      if ("invalid" in c.policyChange) {
        return [{ message: `the new policy cannot apply: ${c.policyChange.invalid}` }];
      }
      const engines = (ledger.engineMoves ?? []).map(
        (m) => `engine ${m.engine} moves ${m.from} → ${m.to}`,
      );
      return policyChangeFindings(c.policyChange.changes, thisUpdatesMoves(ledger), engines);
    },
  },
});

/** Resources a plan creates, changes or deletes, besides the ledger (which records the policy). */
function changedResources(plan: Plan): string[] {
  return plan.steps
    .filter((s) => s.op !== "same" && s.op !== "read")
    .filter((s) => {
      const subject = subjectOf(s);
      return subject !== undefined && !hasRole(subject, "ledger");
    })
    .map((s) => `${s.op} ${subjectOf(s)?.name ?? s.urn}`);
}

function describePolicyChanges(changes: readonly PolicySettingChange[]): string {
  return changes.map((c) => `${c.field} ${c.from} → ${c.to}`).join(", ");
}

function policyChangeFindings(
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
