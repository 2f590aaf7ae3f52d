import type { GateId, MigrationPath, PathId, PhaseDefinition } from "./path";
import { MIGRATION_PATHS } from "./paths";

/** A path given by its definition or by its id. */
export type PathRef = MigrationPath | PathId;

export const PATH_IDS: readonly PathId[] = Object.keys(MIGRATION_PATHS) as PathId[];

export function isPathId(value: unknown): value is PathId {
  return typeof value === "string" && (PATH_IDS as readonly string[]).includes(value);
}

/** The definition of a path; an unknown id is an error that lists the valid ones. */
export function pathById(id: string): MigrationPath {
  if (!isPathId(id)) {
    throw new Error(`unknown migration path "${id}"; valid paths are ${PATH_IDS.join(", ")}`);
  }
  return MIGRATION_PATHS[id];
}

function resolve(path: PathRef): MigrationPath {
  return typeof path === "string" ? pathById(path) : path;
}

export function phaseIds(path: PathRef): readonly string[] {
  return resolve(path).phases.map((p) => p.id);
}

export function hasPhase(path: PathRef, phase: string): boolean {
  return phaseIds(path).includes(phase);
}

/** Position of a phase from 0 (the baseline); an unknown phase is an error listing valid ones. */
export function phaseIndex(path: PathRef, phase: string): number {
  const definition = resolve(path);
  const index = definition.phases.findIndex((p) => p.id === phase);
  if (index < 0) {
    throw new Error(
      `path "${definition.id}" has no phase "${phase}"; valid phases are ${phaseIds(definition).join(", ")}`,
    );
  }
  return index;
}

export function phaseDefinition(path: PathRef, phase: string): PhaseDefinition {
  const definition = resolve(path);
  return definition.phases[phaseIndex(definition, phase)];
}

/** The phase every path starts at (only the old system exists). */
export function baselinePhase(path: PathRef): string {
  return resolve(path).phases[0].id;
}

/** The phase one step forward, or undefined at the last phase. */
export function nextPhase(path: PathRef, phase: string): string | undefined {
  return resolve(path).phases[phaseIndex(path, phase) + 1]?.id;
}

/** The phase one step back in order, or undefined at the baseline. */
export function previousPhase(path: PathRef, phase: string): string | undefined {
  const index = phaseIndex(path, phase);
  return index === 0 ? undefined : resolve(path).phases[index - 1]?.id;
}

/** Where a rollback from `phase` goes, or undefined at the baseline. */
export function rollbackTarget(path: PathRef, phase: string): string | undefined {
  return phaseDefinition(path, phase).rollbackTo;
}

/** Signed number of steps from `from` to `to`: +1 is one step forward, -1 one step back. */
export function stepsBetween(path: PathRef, from: string, to: string): number {
  return phaseIndex(path, to) - phaseIndex(path, from);
}

export function isForward(path: PathRef, from: string, to: string): boolean {
  return stepsBetween(path, from, to) > 0;
}

/** Gates that must be recorded before `phase` may be entered going forward. */
export function gatesToEnter(path: PathRef, phase: string): readonly GateId[] {
  return phaseDefinition(path, phase).gates;
}

/** The cutover phase, from whose entry the rollback window counts. */
export function cutoverPhase(path: PathRef): string {
  const cutover = resolve(path).phases.find((p) => p.cutover === true);
  if (!cutover) throw new Error(`path "${resolve(path).id}" defines no cutover phase`);
  return cutover.id;
}

/**
 * Whether `system` has received writes (producers publishing, database writes) by the time the
 * path is at `phase`, counting every phase up to it. A rollback that deletes a system which
 * never received writes (e.g. Kafka when rolling `parallel` back to `redpanda`) loses no data;
 * checks can use this to tell that from deleting a system that holds data.
 */
export function systemReceivedWrites(path: PathRef, phase: string, system: string): boolean {
  const definition = resolve(path);
  return definition.phases
    .slice(0, phaseIndex(definition, phase) + 1)
    .some((p) => (p.wiring.writeTo ?? []).includes(system));
}

/**
 * The system a rollback may delete with its data: the path's new system, when the rollback's
 * target phase no longer deploys it and it never received writes (e.g. Kafka when rolling
 * `events` back from `parallel` to `redpanda`, Citus from `citus-provisioned` to `postgres`).
 * That deletion loses nothing: it is the rollback the path promises. Undefined for every other
 * move, and the exemption covers that system's own resources only, nothing else in the update.
 */
export function datalessRollbackSystem(
  path: PathRef,
  from: string,
  to: string,
): string | undefined {
  const definition = resolve(path);
  const known = (phase: string): boolean => definition.phases.some((p) => p.id === phase);
  if (!known(from) || !known(to)) return undefined; // other rules report unknown phases
  const system = definition.newSystem;
  const dropped =
    phaseDefinition(definition, from).wiring.deployed.includes(system) &&
    !phaseDefinition(definition, to).wiring.deployed.includes(system);
  const back = stepsBetween(definition, from, to) < 0;
  return back && dropped && !systemReceivedWrites(definition, from, system) ? system : undefined;
}

/** The phases a rollback passes through from `phase` back to the baseline, `phase` first. */
export function rollbackRoute(path: PathRef, phase: string): string[] {
  const route = [phase];
  for (let at = rollbackTarget(path, phase); at !== undefined; at = rollbackTarget(path, at)) {
    if (route.includes(at)) throw new Error(`path "${resolve(path).id}" rolls back in a circle`);
    route.push(at);
  }
  return route;
}

/** Gates that must be recorded before the path moves back out of `phase`. */
export function gatesToLeaveBack(path: PathRef, phase: string): readonly GateId[] {
  return phaseDefinition(path, phase).rollbackGates ?? [];
}

/**
 * Systems a move back from `from` to `to` points clients at although they missed what happened
 * in `from`: the system reads switch to (consumer positions, and rows or records it was not
 * written), and every system writes resume to that `from` did not write to. Such a step reads
 * stale data unless that system is brought back in step first (the phase's `rollbackGates`).
 * Writes resuming to a system `from` does not run at all are not stale: the step recreates it
 * empty (a rollback out of retirement, e.g. PostgreSQL under `citus-primary`'s dual writer), and
 * the phase it lands in asks for it restored before reads move back to it.
 */
export function systemsBehindOnRollback(path: PathRef, from: string, to: string): string[] {
  const left = phaseDefinition(path, from).wiring;
  const entered = phaseDefinition(path, to).wiring;
  const behind = new Set<string>();
  if (entered.readFrom !== undefined && entered.readFrom !== left.readFrom) {
    behind.add(entered.readFrom);
  }
  for (const system of entered.writeTo ?? []) {
    const recreated = !left.deployed.includes(system);
    if (!(left.writeTo ?? []).includes(system) && !recreated) behind.add(system);
  }
  return [...behind];
}
