/**
 * A path's move from one phase to another, as the rules judge it: the pack reads it from the
 * ledger's `previous` → `phase` (checks/ledger-moves.ts), the transition checks from the ledger
 * before → after.
 */
import type { MigrationPath, PhaseDefinition } from "../../migrations/path";
import { hasPhase, phaseIndex } from "../../migrations/path-queries";

/** A problem found by a rule; the rule's "how to satisfy" is appended when it is reported. */
export interface Finding {
  readonly message: string;
  readonly urn?: string;
}

export const DAY_MS = 86_400_000;

/** The move of one path in one update; `from` and `to` are phase ids. */
export interface PathMove {
  readonly path: MigrationPath;
  readonly from: string;
  readonly to: string;
}

/** +1 forward, -1 back, 0 none; undefined when a phase id is unknown. */
export function stepsOf(move: PathMove): number | undefined {
  if (!hasPhase(move.path, move.from) || !hasPhase(move.path, move.to)) return undefined;
  return phaseIndex(move.path, move.to) - phaseIndex(move.path, move.from);
}

export function phaseOf(move: PathMove, id: string): PhaseDefinition | undefined {
  return move.path.phases.find((p) => p.id === id);
}
