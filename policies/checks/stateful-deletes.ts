/**
 * The stateful deletes of a plan, as the delete rules and `stepwise drill` count them: retained
 * resources are only forgotten, and a dataless rollback may delete its own system's resources.
 */
import { datalessRollbackSystem } from "../../migrations/path-queries";
import type { Plan } from "../../migrations/plan-model";
import { hasRole, systemOfResource, type ResourceView } from "../classify";
import type { StatefulTypeOverrides } from "../stateful-types";
import type { PathMove } from "./phases";
import { isDelete, isRetainedDelete, subjectOf } from "./plan-view";

/** Stateful resources whose data this update destroys; retained ones are only forgotten. */
export function destroyedStateful(plan: Plan, overrides?: StatefulTypeOverrides): ResourceView[] {
  return plan.steps
    .filter((s) => isDelete(s) && !isRetainedDelete(s))
    .map((s) => subjectOf(s))
    .filter((r): r is ResourceView => r !== undefined && hasRole(r, "stateful", overrides));
}

/**
 * The stateful deletes a dataless rollback among `moves` makes: those of the system it removes
 * (datalessRollbackSystem), e.g. Kafka's brokers, volumes and topics when `events` rolls back
 * from `parallel`. Only these; any other delete in the same update is judged as usual.
 */
export function datalessRollbackDeletes(
  plan: Plan,
  moves: readonly PathMove[],
  overrides?: StatefulTypeOverrides,
): ResourceView[] {
  const removed = moves.flatMap((m) => {
    const name = datalessRollbackSystem(m.path, m.from, m.to);
    return name === undefined ? [] : [{ path: m.path.id, name }];
  });
  return destroyedStateful(plan, overrides).filter((r) => {
    const system = systemOfResource(r);
    return removed.some((s) => s.path === system?.path && s.name === system.name);
  });
}

/** Stateful deletes the delete rules judge: all but those of a dataless rollback in `moves`. */
export function deletedStateful(
  plan: Plan,
  moves: readonly PathMove[],
  overrides?: StatefulTypeOverrides,
): ResourceView[] {
  const exempt = new Set(datalessRollbackDeletes(plan, moves, overrides).map((r) => r.urn));
  return destroyedStateful(plan, overrides).filter((r) => !exempt.has(r.urn));
}
