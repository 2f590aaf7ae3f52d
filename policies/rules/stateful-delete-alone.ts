/** `stateful-delete-alone`: a data deletion is an update of its own, reviewed on its own. */
import { datalessRollbackSystem } from "../../migrations/path-queries";
import type { Plan } from "../../migrations/plan-model";
import { hasRole, isMonitoringResource, type ResourceView } from "../classify";
import type { StatefulTypeOverrides } from "../stateful-types";
import { defineRule, moving, STRICT } from "../rule-definition";
import type { Finding, PathMove } from "../checks/phases";
import { REPLACES, subjectOf } from "../checks/plan-view";
import { deletedStateful, destroyedStateful } from "../checks/stateful-deletes";

export const statefulDeleteAlone = defineRule({
  id: "stateful-delete-alone",
  scope: "path",
  title: "Deleting stateful resources is an update of its own",
  prevents: "Hiding a data deletion among other changes in one review.",
  satisfy: "Make the retirement update delete only; do every other change in its own update.",
  levels: STRICT,
  // No pack check: a policy never sees a delete.
  transition: (t) => deleteAloneFindings(t.plan, moving(t), t.settings),
});

/**
 * A data deletion rides alone: besides the stateful deletes, nothing is created, replaced or
 * changed in a workload, and no path moves but one entering retirement or the dataless
 * rollback whose system is all that is deleted.
 */
function deleteAloneFindings(
  plan: Plan,
  moves: readonly PathMove[],
  overrides?: StatefulTypeOverrides,
): Finding[] {
  const deleted = destroyedStateful(plan, overrides);
  if (deleted.length === 0) return [];
  const foreign = deletedStateful(plan, moves, overrides);
  const explains = (m: PathMove): boolean =>
    m.path.phases.find((p) => p.id === m.to)?.retirement === true ||
    (foreign.length === 0 && datalessRollbackSystem(m.path, m.from, m.to) !== undefined);
  const problems = [
    ...otherChanges(plan).map((r) => `${r.name} changes`),
    ...moves.filter((m) => !explains(m)).map((m) => `path "${m.path.id}" moves`),
  ];
  if (problems.length === 0) return [];
  return [
    {
      message: `this update deletes ${deleted.map((r) => r.name).join(", ")} and also: ${problems.join("; ")}`,
    },
  ];
}

/**
 * Changes that must not ride along with a data deletion: creates, replacements and workload
 * updates. The ledger and Monitoring (which stops scraping what is deleted) are exempt.
 */
function otherChanges(plan: Plan): ResourceView[] {
  return plan.steps
    .filter((s) => {
      const subject = subjectOf(s);
      if (!subject || hasRole(subject, "ledger") || isMonitoringResource(s.urn)) return false;
      if (s.op === "create" || REPLACES.has(s.op)) return true;
      return s.op === "update" && hasRole(subject, "workload");
    })
    .map((s) => subjectOf(s))
    .filter((r): r is ResourceView => r !== undefined);
}
