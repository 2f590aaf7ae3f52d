/**
 * engine-stays-put: a broker or database that the phases use keeps its place (compose, k3s,
 * external) for as long as they use it. Moving it would put a new, empty one under the same
 * name and point every client at it. Checked on a plan (the ledgers on both sides) and by the
 * pack (the moves the PhaseLedger's check records against the deployed ledger).
 */
import type { EngineMove, Ledger } from "../../migrations/ledger";
import type { Finding } from "./phases";

/** Engines in use on both sides whose place differs. */
export function enginesMoved(before: Ledger, after: Ledger): EngineMove[] {
  return Object.entries(after.engines ?? {}).flatMap(([engine, to]) => {
    const from = before.engines?.[engine];
    return from !== undefined && from !== to ? [{ engine, from, to }] : [];
  });
}

export function engineMoveFindings(moves: readonly EngineMove[]): Finding[] {
  return moves.map((move) => ({
    message: `${move.engine} is in use and moves from "${move.from}" to "${move.to}" (stepwise:enginePlacement.${move.engine}); a new, empty ${move.engine} would replace it`,
  }));
}
