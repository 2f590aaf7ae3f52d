/**
 * The moves the pack sees in a deployed ledger: the pack has no before side, only the
 * PhaseLedger's record of each path's `previous` phase and the moves its check records against
 * the deployed ledger.
 */
import type { Ledger } from "../../migrations/ledger";
import type { MigrationPath } from "../../migrations/path";
import { MIGRATION_PATHS } from "../../migrations/paths";
import type { PathMove } from "./phases";

/** The paths this update moves against the deployed ledger (the PhaseLedger's check records them). */
export function thisUpdatesMoves(ledger: Ledger): PathMove[] {
  return (ledger.moves ?? []).flatMap((m) => {
    const path = (MIGRATION_PATHS as Record<string, MigrationPath | undefined>)[m.path];
    return path ? [{ path, from: m.from, to: m.to }] : [];
  });
}

/** Each path's move as the ledger records it: from `previous` to the current phase. */
export function ledgerMoves(ledger: Ledger): PathMove[] {
  const paths: MigrationPath[] = Object.values(MIGRATION_PATHS);
  return paths.flatMap((path) => {
    const record = ledger.phases[path.id];
    if (!record) return [];
    return [{ path, from: record.previous ?? record.phase, to: record.phase }];
  });
}
