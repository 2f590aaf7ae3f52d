/**
 * `phase-gates`: entering a phase needs its gates recorded and passed; moving back out of a
 * phase with rollback gates needs the old system brought back in step, recorded after the path
 * entered the phase it leaves.
 */
import { GATE_RECORDERS } from "../../migrations/gate-evidence";
import type { Ledger } from "../../migrations/ledger";
import { systemsBehindOnRollback } from "../../migrations/path-queries";
import { MIGRATION_PATHS } from "../../migrations/paths";
import type { PhaseDefinition } from "../../migrations/path";
import { defineRule, moving, STRICT } from "../rule-definition";
import { ledgerMoves } from "../checks/ledger-moves";
import { phaseOf, stepsOf, type Finding, type PathMove } from "../checks/phases";

/** The phases of every path that `has` selects, for the rule's prose. */
function phasesWhere(has: (phase: PhaseDefinition) => boolean): string {
  const ids = Object.values(MIGRATION_PATHS).flatMap((path) => path.phases.filter(has));
  return [...new Set(ids.map((p) => p.id))].join(", ");
}

export const phaseGates = defineRule({
  id: "phase-gates",
  scope: "path",
  title: "Gates hold before a phase is entered",
  prevents: `Entering ${phasesWhere((p) => p.gates.length > 0)} without the recorded check they need; moving back out of ${phasesWhere((p) => (p.rollbackGates ?? []).length > 0)} to a system that missed what happened there (reads of stale data).`,
  satisfy:
    "Run the check the phase needs (compatibility, offset migration, data verification, data-model review) and record it in the ledger as passed. Before moving back out of a phase with rollback gates, bring the old system back in step (its records, offsets or rows) and record the check that shows it (messages-synced-back, offsets-migrated-back, data-synced-back) after the path entered that phase.",
  levels: STRICT,
  transition: (t) =>
    moving(t).flatMap((m) => gateFindings(m, t.after, t.before.phases[m.path.id]?.enteredAt)),
  pack: { stack: (ledger) => ledgerMoves(ledger).flatMap((m) => gateFindings(m, ledger)) },
});

/**
 * Gates of the phase entered going forward: each must be recorded and passed. Going back, the
 * gates the phase being left asks for (rollbackGateFindings).
 */
export function gateFindings(move: PathMove, ledger: Ledger, leftEnteredAt?: string): Finding[] {
  if ((stepsOf(move) ?? 0) < 0) return rollbackGateFindings(move, ledger, leftEnteredAt);
  if ((stepsOf(move) ?? 0) === 0) return [];
  const target = phaseOf(move, move.to);
  if (!target) return [];
  const findings: Finding[] = [];
  for (const gate of target.gates) {
    const record = ledger.gates[gate];
    if (!record) {
      findings.push({
        message: `path "${move.path.id}" enters "${move.to}" but gate "${gate}" is not recorded`,
      });
    } else if (!record.passed) {
      findings.push({
        message: `path "${move.path.id}" enters "${move.to}" but gate "${gate}" failed at ${record.recordedAt} (${record.detail})`,
      });
    }
  }
  return findings;
}

/**
 * Moving back out of a phase with `rollbackGates` points clients at a system that missed what
 * happened there: each gate must be recorded, passed, and recorded after the path entered the
 * phase it leaves, so that it covers that time. When that phase was entered comes from
 * `leftEnteredAt` (a plan's base side) or the ledger's `previousEnteredAt` (the deployed ledger,
 * where the engine runs); without either, the time is not compared.
 */
export function rollbackGateFindings(
  move: PathMove,
  ledger: Ledger,
  leftEnteredAt?: string,
): Finding[] {
  const gates = phaseOf(move, move.from)?.rollbackGates ?? [];
  if ((stepsOf(move) ?? 0) >= 0 || gates.length === 0) return [];
  const record = ledger.phases[move.path.id];
  const entered =
    leftEnteredAt ?? (record?.previous === move.from ? record.previousEnteredAt : undefined);
  const behind = systemsBehindOnRollback(move.path, move.from, move.to);
  const where =
    `path "${move.path.id}" moves back from "${move.from}" to "${move.to}", pointing clients at ` +
    `${behind.join(" and ") || "a system"} that missed what happened in "${move.from}"`;
  return gates.flatMap((gate): Finding[] => {
    const recorded = ledger.gates[gate];
    const how = `bring it back in step, then record it with \`${GATE_RECORDERS[gate]}\``;
    if (!recorded) return [{ message: `${where}, but gate "${gate}" is not recorded; ${how}` }];
    if (!recorded.passed) {
      return [
        {
          message: `${where}, but gate "${gate}" failed at ${recorded.recordedAt} (${recorded.detail}); ${how}`,
        },
      ];
    }
    if (entered !== undefined && Date.parse(recorded.recordedAt) < Date.parse(entered)) {
      return [
        {
          message: `${where}, but gate "${gate}" was recorded at ${recorded.recordedAt}, before the path entered "${move.from}" (${entered}), so it does not cover that time; ${how}`,
        },
      ];
    }
    return [];
  });
}
