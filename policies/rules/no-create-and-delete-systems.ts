/**
 * `no-create-and-delete-systems`: a path's new system is created in one update and its old one
 * deleted in a later one, so both run for a while and rollback stays possible.
 */
import type { MigrationPath } from "../../migrations/path";
import { MIGRATION_PATHS } from "../../migrations/paths";
import type { Plan, PlanStep } from "../../migrations/plan-model";
import { classify } from "../classify";
import { defineRule, moving, STRICT } from "../rule-definition";
import type { Finding, PathMove } from "../checks/phases";
import { isCreate, isDelete, subjectOf } from "../checks/plan-view";

export const noCreateAndDeleteSystems = defineRule({
  id: "no-create-and-delete-systems",
  scope: "path",
  title: "Never create the new system and delete the old in one update",
  prevents: "Big-bang swaps with no period where both systems run and rollback is possible.",
  satisfy: "Create the new system first; delete the old one in a later retirement update.",
  levels: STRICT,
  // No pack check: a policy never sees a delete.
  transition: (t) => createAndDeleteFindings(t.plan, moving(t), Object.values(MIGRATION_PATHS)),
});

/**
 * No update creates a path's new system and deletes its old one: by the systems' own components
 * in the plan, and by what the phases say is deployed.
 */
function createAndDeleteFindings(
  plan: Plan,
  moves: readonly PathMove[],
  paths: readonly MigrationPath[],
): Finding[] {
  const findings: Finding[] = [];
  for (const path of paths) {
    const created = plan.steps.filter((s) => isCreate(s) && systemOf(s, path) === path.newSystem);
    const deleted = plan.steps.filter((s) => isDelete(s) && systemOf(s, path) === path.oldSystem);
    if (created.length > 0 && deleted.length > 0) {
      findings.push({
        message: `path "${path.id}": this update creates ${path.newSystem} (${created.map((s) => subjectOf(s)?.name).join(", ")}) and deletes ${path.oldSystem} (${deleted.map((s) => subjectOf(s)?.name).join(", ")})`,
      });
    }
  }
  for (const move of moves) {
    const from = move.path.phases.find((p) => p.id === move.from)?.wiring.deployed ?? [];
    const to = move.path.phases.find((p) => p.id === move.to)?.wiring.deployed ?? [];
    const adds = to.filter((s) => !from.includes(s));
    const drops = from.filter((s) => !to.includes(s));
    if (adds.length > 0 && drops.length > 0) {
      findings.push({
        message: `path "${move.path.id}": ${move.from} → ${move.to} adds ${adds.join(", ")} and drops ${drops.join(", ")} in one update`,
      });
    }
  }
  return findings;
}

function systemOf(step: PlanStep, path: MigrationPath): string | undefined {
  const subject = subjectOf(step);
  const system = subject && classify(subject).system;
  return system?.path === path.id ? system.name : undefined;
}
