/** `one-service-platform-move`: at most one service moves between Compose and K3s per update. */
import type { Plan } from "../../migrations/plan-model";
import { classify, serviceOfWorkload, type ResourceView } from "../classify";
import { defineRule, STRICT } from "../rule-definition";
import type { Finding } from "../checks/phases";
import { afterOf, beforeOf } from "../checks/plan-view";

export const oneServicePlatformMove = defineRule({
  id: "one-service-platform-move",
  scope: "path",
  title: "At most one service changes platform per update",
  prevents: "Moving several services between Compose and K3s in one update.",
  satisfy: "Change the placement of one service per update.",
  levels: STRICT,
  // No pack check: a policy never sees where a service ran before.
  transition: (t) => platformMoveFindings(t.plan),
});

/** Which platforms each service runs on, over a set of resources. */
function placements(resources: readonly ResourceView[]): Map<string, Set<string>> {
  const byService = new Map<string, Set<string>>();
  for (const resource of resources) {
    const platform = classify(resource).platform;
    const service = platform && serviceOfWorkload(resource);
    if (!platform || !service) continue;
    const set = byService.get(service) ?? new Set<string>();
    set.add(platform);
    byService.set(service, set);
  }
  return byService;
}

const describe = (set: Set<string> | undefined): string => [...(set ?? [])].sort().join("+");

/** A service changes platform when it ran before and after, on different platforms. */
function platformMoveFindings(plan: Plan): Finding[] {
  const before = placements(plan.steps.flatMap((s) => beforeOf(s) ?? []));
  const after = placements(plan.steps.flatMap((s) => afterOf(s) ?? []));
  const moved = [...before.keys()]
    .filter(
      (service) =>
        after.has(service) && describe(before.get(service)) !== describe(after.get(service)),
    )
    .sort();
  if (moved.length <= 1) return [];
  const moves = moved.map((s) => `${s} (${describe(before.get(s))} → ${describe(after.get(s))})`);
  return [
    { message: `${moved.length} services change platform in one update: ${moves.join(", ")}` },
  ];
}
