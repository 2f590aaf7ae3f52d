/** `rollback-drill-recent`: in prod, every forward step needs a recent passed rollback drill. */
import type { Ledger } from "../../migrations/ledger";
import type { PolicySettings } from "../config";
import { DEFAULT_ROLLBACK_DRILL_MAX_AGE_DAYS } from "../defaults";
import { defineRule, moving, policySetting, PROD_ONLY } from "../rule-definition";
import { ledgerMoves } from "../checks/ledger-moves";
import { DAY_MS, stepsOf, type Finding, type PathMove } from "../checks/phases";

export const rollbackDrillRecent = defineRule({
  id: "rollback-drill-recent",
  scope: "path",
  title: "A recent rollback drill before any forward step in prod",
  prevents: "Moving forward in prod without having proven that the step back works.",
  satisfy: `Run \`stepwise drill\` and record a passed rollback-drill gate no older than ${policySetting("rollbackDrillMaxAgeDays")} (default ${DEFAULT_ROLLBACK_DRILL_MAX_AGE_DAYS}).`,
  levels: PROD_ONLY,
  transition: (t) => moving(t).flatMap((m) => drillFindings(m, t.after, t.settings, t.now)),
  pack: {
    // The pack cannot tell this update's step from an earlier one, so the drill is judged at the
    // time the phase was entered: the verdict stays the same on every later update.
    stack: (ledger, _resources, c) =>
      ledgerMoves(ledger).flatMap((m) => {
        const entered = Date.parse(ledger.phases[m.path.id]?.enteredAt ?? "");
        return drillFindings(
          m,
          ledger,
          c.settings,
          Number.isNaN(entered) ? c.now : new Date(entered),
        );
      }),
  },
});

/** In prod every forward step needs a passed rollback drill no older than the limit. */
function drillFindings(
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
