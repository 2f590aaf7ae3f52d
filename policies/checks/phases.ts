/**
 * Phase-level rules on one path's move from one phase to another. Shared by the pack (which
 * reads the move from the ledger's `previous` → `phase`) and the transition checks (ledger
 * before → after).
 */
import type { MigrationPath, PhaseDefinition } from "../../migrations/path";
import type { Ledger, PhaseRecord } from "../../migrations/ledger";
import { GATE_RECORDERS } from "../../migrations/gate-evidence";
import { hasPhase, phaseIndex, systemsBehindOnRollback } from "../../migrations/path-queries";
import { parseDuration } from "../../migrations/duration";
import type { PolicySettings } from "../config";

/** A problem found by a rule; the rule's "how to satisfy" is appended when it is reported. */
export interface Finding {
  readonly message: string;
  readonly urn?: string;
}

const DAY_MS = 86_400_000;

function unknownPhase(path: MigrationPath, phaseId: string): Finding {
  return {
    message: `path "${path.id}": phase "${phaseId}" is not one of ${path.phases.map((p) => p.id).join(" → ")}`,
  };
}

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

export function phaseStepFindings(move: PathMove): Finding[] {
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

function phaseOf(move: PathMove, id: string): PhaseDefinition | undefined {
  return move.path.phases.find((p) => p.id === id);
}

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

/** In prod every forward step needs a passed rollback drill no older than the limit. */
export function drillFindings(
  move: PathMove,
  ledger: Ledger,
  settings: PolicySettings,
  now: Date,
): Finding[] {
  if ((stepsOf(move) ?? 0) <= 0 || settings.environment !== "prod") return [];
  const drill = ledger.gates["rollback-drill"];
  const limitMs = settings.rollbackDrillMaxAgeDays * DAY_MS;
  const where = `path "${move.path.id}" steps forward to "${move.to}" in prod`;
  if (!drill) return [{ message: `${where} with no rollback drill recorded` }];
  if (!drill.passed)
    return [{ message: `${where} but the last rollback drill failed (${drill.detail})` }];
  const age = now.getTime() - Date.parse(drill.recordedAt);
  if (Number.isNaN(age)) {
    return [
      {
        message: `${where} but the rollback drill's recordedAt "${drill.recordedAt}" is not an ISO time`,
      },
    ];
  }
  if (age > limitMs) {
    return [
      {
        message: `${where} but the last passed rollback drill is ${(age / DAY_MS).toFixed(1)} days old (limit ${settings.rollbackDrillMaxAgeDays})`,
      },
    ];
  }
  return [];
}

function formatHours(ms: number): string {
  return `${(ms / 3_600_000).toFixed(1)}h`;
}

/**
 * Going forward, the phase being left must have lasted its minimum time: the stricter of the
 * ledger record's own `minimumTime` (from the stack's `stepwise:minimumTime`) and the policy
 * setting. Rolling back is never held up.
 */
export function minimumTimeFindings(
  move: PathMove,
  left: PhaseRecord | undefined,
  settings: PolicySettings,
  now: Date,
): Finding[] {
  if ((stepsOf(move) ?? 0) <= 0 || left === undefined) return [];
  const fromLedger = left.minimumTime === undefined ? 0 : parseDuration(left.minimumTime);
  if (fromLedger === undefined) {
    return [
      { message: `path "${move.path.id}": minimumTime "${left.minimumTime}" is not a duration` },
    ];
  }
  const minimum = Math.max(fromLedger, settings.minimumPhaseTimeMs);
  if (minimum === 0) return [];
  const entered = Date.parse(left.enteredAt);
  if (Number.isNaN(entered)) {
    return [
      { message: `path "${move.path.id}": enteredAt "${left.enteredAt}" is not an ISO time` },
    ];
  }
  const lasted = now.getTime() - entered;
  if (lasted >= minimum) return [];
  return [
    {
      message: `path "${move.path.id}" leaves "${move.from}" after ${formatHours(lasted)}; the minimum is ${formatHours(minimum)} (wait until ${new Date(entered + minimum).toISOString()})`,
    },
  ];
}

/**
 * Retirement deletes the old system: allowed only after the rollback window, counted from
 * when the cutover phase (the one retirement follows) was entered.
 */
export function rollbackWindowFindings(
  move: PathMove,
  cutoverEnteredAt: string | undefined,
  settings: PolicySettings,
  now: Date,
): Finding[] {
  const target = phaseOf(move, move.to);
  if (!target?.retirement || (stepsOf(move) ?? 0) <= 0) return [];
  const cutover = phaseOf(move, move.from);
  if (!cutover?.cutover || cutoverEnteredAt === undefined) {
    return [
      {
        message: `path "${move.path.id}" retires from "${move.from}", which is not a cutover phase with a known entry time`,
      },
    ];
  }
  const windowMs = settings.rollbackWindowDays * DAY_MS;
  const lasted = now.getTime() - Date.parse(cutoverEnteredAt);
  if (lasted >= windowMs) return [];
  return [
    {
      message: `path "${move.path.id}" enters "${move.to}" ${(lasted / DAY_MS).toFixed(1)} days after cutover "${move.from}"; the rollback window is ${settings.rollbackWindowDays} days (until ${new Date(Date.parse(cutoverEnteredAt) + windowMs).toISOString()})`,
    },
  ];
}
