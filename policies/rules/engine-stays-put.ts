/**
 * `engine-stays-put`: a broker or database that the phases use keeps its place (compose, k3s,
 * external) for as long as they use it. Moving it would put a new, empty one under the same
 * name and point every client at it.
 */
import type { EngineMove, Ledger } from "../../migrations/ledger";
import { configKey, defineRule, STRICT } from "../rule-definition";
import type { Finding } from "../checks/phases";

export const engineStaysPut = defineRule({
  id: "engine-stays-put",
  scope: "path",
  title: "An engine in use stays where it runs",
  prevents:
    "Moving a broker or database that a phase uses between Compose, K3s and external: a new, empty one takes its place and every client is pointed at it.",
  satisfy: `Change ${configKey("enginePlacement")} of an engine only while no phase uses it (before the path deploys it, or after a rollback past it); to move data, migrate it through a path.`,
  levels: STRICT,
  transition: (t) => engineMoveFindings(enginesMoved(t.before, t.after)),
  // The moves the PhaseLedger's check records against the deployed ledger.
  pack: { stack: (ledger) => engineMoveFindings(ledger.engineMoves ?? []) },
});

/** Engines in use on both sides whose place differs. */
function enginesMoved(before: Ledger, after: Ledger): EngineMove[] {
  return Object.entries(after.engines ?? {}).flatMap(([engine, to]) => {
    const from = before.engines?.[engine];
    return from !== undefined && from !== to ? [{ engine, from, to }] : [];
  });
}

function engineMoveFindings(moves: readonly EngineMove[]): Finding[] {
  return moves.map((move) => ({
    message: `${move.engine} is in use and moves from "${move.from}" to "${move.to}" (${configKey("enginePlacement", move.engine)}); a new, empty ${move.engine} would replace it`,
  }));
}
