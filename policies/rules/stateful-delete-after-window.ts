/**
 * `stateful-delete-after-window`: the old system's data is deleted only when a path enters
 * retirement, after the rollback window counted from the cutover.
 */
import { DEFAULT_ROLLBACK_WINDOW_DAYS } from "../defaults";
import type { PolicySettings } from "../config";
import { defineRule, moving, policySetting, STRICT } from "../rule-definition";
import { ledgerMoves } from "../checks/ledger-moves";
import { DAY_MS, phaseOf, stepsOf, type Finding, type PathMove } from "../checks/phases";
import { deletedStateful } from "../checks/stateful-deletes";

export const statefulDeleteAfterWindow = defineRule({
  id: "stateful-delete-after-window",
  scope: "path",
  title: "Stateful resources are deleted only in retirement, after the rollback window",
  prevents: "Deleting the old system's data while a rollback to it may still be needed.",
  satisfy: `Delete stateful resources only when entering a retirement phase, at least ${policySetting("rollbackWindowDays")} (default ${DEFAULT_ROLLBACK_WINDOW_DAYS}) after the cutover phase was entered. (A rollback out of a phase whose new system never received writes, e.g. parallel → redpanda, may delete that system's own resources: they hold no data; any other delete in that update counts. A resource with retainOnDelete, such as a moved service's volume, is only forgotten by Pulumi and does not count.)`,
  levels: STRICT,
  transition: (t) => {
    const retiring = moving(t).filter(
      (m) => m.path.phases.find((p) => p.id === m.to)?.retirement && m.to !== m.from,
    );
    const windowFindings = retiring.flatMap((m) =>
      rollbackWindowFindings(m, t.before.phases[m.path.id]?.enteredAt, t.settings, t.now),
    );
    if (retiring.length > 0) return windowFindings;
    return deletedStateful(t.plan, moving(t), t.settings).map((r) => ({
      message: `${r.name} (${r.type}) is deleted but no path enters a retirement phase in this update`,
      urn: r.urn,
    }));
  },
  pack: {
    // The pack never sees a delete, but it sees a path enter retirement: the window counts from
    // when the cutover phase was entered by the deployed ledger (previousEnteredAt, recorded by
    // the PhaseLedger's check), judged at the time retirement was entered. With nothing deployed
    // before (a first deployment) nothing is deleted, so there is nothing to judge.
    stack: (ledger, _resources, c) =>
      ledgerMoves(ledger).flatMap((m) => {
        const record = ledger.phases[m.path.id];
        if (record?.previousEnteredAt === undefined || m.from === m.to) return [];
        const entered = Date.parse(record.enteredAt);
        return rollbackWindowFindings(
          m,
          record.previousEnteredAt,
          c.settings,
          Number.isNaN(entered) ? c.now : new Date(entered),
        );
      }),
  },
});

/**
 * Retirement deletes the old system: allowed only after the rollback window, counted from
 * when the cutover phase (the one retirement follows) was entered.
 */
function rollbackWindowFindings(
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
