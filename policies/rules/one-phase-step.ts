/** `one-phase-step`: a path moves to an adjacent phase only, forward or back. */
import type { MigrationPath } from "../../migrations/path";
import { hasPhase, phaseIndex } from "../../migrations/path-queries";
import { defineRule, STRICT } from "../rule-definition";
import { ledgerMoves } from "../checks/ledger-moves";
import { stepsOf, type Finding, type PathMove } from "../checks/phases";

export const onePhaseStep = defineRule({
  id: "one-phase-step",
  scope: "path",
  title: "One phase step per path per update",
  prevents: "Skipping phases (e.g. Redpanda straight to Kafka-only), forward or back.",
  satisfy: "Move the path to the adjacent phase only; take the next step in a later update.",
  levels: STRICT,
  transition: (t) => t.moves.flatMap(phaseStepFindings),
  pack: { stack: (ledger) => ledgerMoves(ledger).flatMap(phaseStepFindings) },
});

function unknownPhase(path: MigrationPath, phaseId: string): Finding {
  return {
    message: `path "${path.id}": phase "${phaseId}" is not one of ${path.phases.map((p) => p.id).join(" → ")}`,
  };
}

function phaseStepFindings(move: PathMove): Finding[] {
  for (const id of [move.from, move.to]) {
    if (!hasPhase(move.path, id)) return [unknownPhase(move.path, id)];
  }
  const steps = stepsOf(move) ?? 0;
  if (Math.abs(steps) <= 1) return [];
  const phases = move.path.phases.map((p) => p.id);
  const next = phases[phaseIndex(move.path, move.from) + Math.sign(steps)];
  return [
    {
      message: `path "${move.path.id}" moves ${Math.abs(steps)} phases (${move.from} → ${move.to}) in one update; go to "${next}" first`,
    },
  ];
}
