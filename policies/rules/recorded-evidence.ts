/**
 * `recorded-evidence`: gates and phase-entry times are records, not text a change may write.
 * A gate a change writes must be a sealed record of a check (migrations/gate-evidence.ts), not
 * dated in the future, and must not arrive with the step it unlocks; an entry time changes only
 * with its phase, is never in the future, and a step is stamped when it is taken.
 */
import { isInFuture } from "../../migrations/duration";
import { GATE_MAX_AGE_DAYS, gateChanged, gateRecordProblems } from "../../migrations/gate-evidence";
import type { Ledger, PhaseRecord } from "../../migrations/ledger";
import type { GateId } from "../../migrations/path";
import { defineRule, moving, STRICT } from "../rule-definition";
import { thisUpdatesMoves } from "../checks/ledger-moves";
import { DAY_MS, stepsOf, type Finding, type PathMove } from "../checks/phases";

export const recordedEvidence = defineRule({
  id: "recorded-evidence",
  scope: "path",
  title: "Gates and entry times are records, not text",
  prevents:
    "Unlocking a step with a gate typed by hand or dated in the future, a gate written in the same change as the step it unlocks, or a phase-entry time backdated to cut a minimum time or a rollback window short.",
  satisfy:
    "Record each gate with the command that performs its check (events compat, events migrate-offsets, database readiness, db verify, db cutover, db rollback, drill --record), in a change of its own before the step it unlocks; let stepwise advance and rollback write entry times.",
  levels: STRICT,
  transition: (t) => [
    ...gateEvidenceFindings(gatesWritten(t.before, t.after), t.after, moving(t), t.now),
    ...entryTimeFindings(t.before, t.after, moving(t), t.now),
  ],
  pack: {
    // Clock-free, like the other stack checks: the gates and moves this update brings against
    // the deployed ledger, and entry times against the deployed ones.
    stack: (ledger) => {
      const moved = thisUpdatesMoves(ledger);
      const written = (ledger.gatesChanged ?? []) as GateId[];
      return [
        ...gateEvidenceFindings(written, ledger, moved),
        ...moved.flatMap((m) => {
          const record = ledger.phases[m.path.id];
          return record
            ? enteredBeforeLeftFindings(m.path.id, record.enteredAt, record.previousEnteredAt)
            : [];
        }),
      ];
    },
  },
});

/** Gates whose record the change writes or edits. */
const gatesWritten = (before: Ledger, after: Ledger): GateId[] =>
  (Object.keys(after.gates) as GateId[]).filter((gate) =>
    gateChanged(before.gates[gate], after.gates[gate]),
  );

/** How long after `stepwise advance` stamped a step it may still be planned and deployed. */
export const STEP_STAMP_MAX_AGE_MS = DAY_MS;

/** The gates a forward move needs (those of the phase it enters). */
function gatesUnlockedBy(move: PathMove): readonly GateId[] {
  if ((stepsOf(move) ?? 0) <= 0) return [];
  return move.path.phases.find((p) => p.id === move.to)?.gates ?? [];
}

/**
 * Problems with gates this change writes, and with gates arriving with the step they unlock.
 * Without `now` (the pack, which judges without a clock) times are not compared with it.
 */
function gateEvidenceFindings(
  written: readonly GateId[],
  after: Ledger,
  moved: readonly PathMove[],
  now?: Date,
): Finding[] {
  const findings: Finding[] = written.flatMap((gate) => {
    const record = after.gates[gate];
    return record ? gateRecordProblems(gate, record, now).map((message) => ({ message })) : [];
  });
  for (const move of moved) {
    for (const gate of gatesUnlockedBy(move)) {
      if (written.includes(gate)) {
        findings.push({
          message: `gate "${gate}" is recorded in the same update as the step it unlocks (path "${move.path.id}" → "${move.to}"); record it in a change of its own first`,
        });
        continue;
      }
      const recordedAt = Date.parse(after.gates[gate]?.recordedAt ?? "");
      if (
        now &&
        !Number.isNaN(recordedAt) &&
        now.getTime() - recordedAt > GATE_MAX_AGE_DAYS * DAY_MS
      ) {
        findings.push({
          message: `gate "${gate}" unlocks path "${move.path.id}" → "${move.to}" but was recorded ${((now.getTime() - recordedAt) / DAY_MS).toFixed(0)} days ago (limit ${GATE_MAX_AGE_DAYS}); run its check again`,
        });
      }
    }
  }
  return findings;
}

/** A step's entry time earlier than the entry of the phase it leaves: a backdated step. */
function enteredBeforeLeftFindings(
  path: string,
  enteredAt: string,
  leftEnteredAt: string | undefined,
): Finding[] {
  if (leftEnteredAt === undefined || !(Date.parse(enteredAt) < Date.parse(leftEnteredAt))) {
    return [];
  }
  return [
    {
      message: `path "${path}": enteredAt ${enteredAt} is before the phase it leaves was entered (${leftEnteredAt})`,
    },
  ];
}

/** Problems with phase-entry times: edited without a move, in the future, or backdated. */
function entryTimeFindings(
  before: Ledger,
  after: Ledger,
  moved: readonly PathMove[],
  now: Date,
): Finding[] {
  const findings: Finding[] = [];
  for (const [path, record] of Object.entries<PhaseRecord>(after.phases)) {
    const old = before.phases[path as keyof Ledger["phases"]];
    const where = `path "${path}": enteredAt ${record.enteredAt}`;
    if (isInFuture(record.enteredAt, now)) {
      findings.push({ message: `${where} is in the future` });
      continue;
    }
    const move = moved.find((m) => m.path.id === path);
    if (!move) {
      if (old && old.phase === record.phase && old.enteredAt !== record.enteredAt) {
        findings.push({
          message: `${where} was ${old.enteredAt} and the phase "${record.phase}" did not change; entry times are written only by \`stepwise advance\` and \`rollback\``,
        });
      }
      continue;
    }
    const entered = Date.parse(record.enteredAt);
    if (Number.isNaN(entered)) continue; // the stack config schema reports it
    const backdated = enteredBeforeLeftFindings(path, record.enteredAt, old?.enteredAt);
    if (backdated.length > 0) {
      findings.push(...backdated);
    } else if (now.getTime() - entered > STEP_STAMP_MAX_AGE_MS) {
      findings.push({
        message: `${where} is ${((now.getTime() - entered) / 3_600_000).toFixed(0)}h old for a step taken now; run \`stepwise ${(stepsOf(move) ?? 0) > 0 ? "advance" : "rollback"}\` again so the step is stamped when it is taken`,
      });
    }
  }
  return findings;
}
