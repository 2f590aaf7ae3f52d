/** `stateful-never-replaced`: a data holder is updated in place, never deleted and recreated. */
import type { Plan } from "../../migrations/plan-model";
import { hasRole } from "../classify";
import type { StatefulTypeOverrides } from "../stateful-types";
import { defineRule, EVERYWHERE } from "../rule-definition";
import type { Finding } from "../checks/phases";
import { REPLACES, subjectOf } from "../checks/plan-view";

export const statefulNeverReplaced = defineRule({
  id: "stateful-never-replaced",
  scope: "resource",
  title: "Stateful resources are never replaced",
  prevents:
    "Losing data when a broker, database, volume, PVC, StatefulSet or topic is deleted and recreated.",
  satisfy:
    "Change only inputs that update in place, or migrate the data to a new resource through a path.",
  levels: EVERYWHERE,
  // No pack check: a policy never sees the operation, so never a replacement.
  transition: (t) => replacedStatefulFindings(t.plan, t.settings),
});

export function replacedStatefulFindings(plan: Plan, overrides?: StatefulTypeOverrides): Finding[] {
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const step of plan.steps) {
    const subject = subjectOf(step);
    if (
      !REPLACES.has(step.op) ||
      !subject ||
      !hasRole(subject, "stateful", overrides) ||
      seen.has(step.urn)
    ) {
      continue;
    }
    seen.add(step.urn);
    const why = step.replaceReasons?.length ? ` (changed: ${step.replaceReasons.join(", ")})` : "";
    findings.push({
      message: `${subject.name} (${subject.type}) would be replaced${why}, losing its data`,
      urn: step.urn,
    });
  }
  return findings;
}
