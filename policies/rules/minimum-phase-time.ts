/** `minimum-phase-time`: a path stays in each phase at least its minimum time before going on. */
import type { PhaseRecord } from "../../migrations/ledger";
import { ENVIRONMENTS } from "../../migrations/config/keys";
import { parseDuration } from "../../migrations/duration";
import type { PolicySettings } from "../config";
import { DEFAULT_MINIMUM_PHASE_TIME } from "../defaults";
import { defineRule, moving, policySetting, STRICT } from "../rule-definition";
import { stepsOf, type Finding, type PathMove } from "../checks/phases";

/** Each environment's default minimum phase time, for the rule's prose: "none in dev, 12h in …". */
function minimumPhaseTimeDefaults(): string {
  return ENVIRONMENTS.map((environment) => {
    const time = DEFAULT_MINIMUM_PHASE_TIME[environment];
    return `${time === "0" ? "none" : time} in ${environment}`;
  }).join(", ");
}

export const minimumPhaseTime = defineRule({
  id: "minimum-phase-time",
  scope: "path",
  title: "Minimum time in each phase",
  prevents: "Rushing through phases before problems have had time to show.",
  satisfy: `Wait until the current phase has lasted ${policySetting("minimumPhaseTime")} (${minimumPhaseTimeDefaults()} by default).`,
  levels: STRICT,
  // No pack check: the pack judges without a clock.
  transition: (t) =>
    moving(t).flatMap((m) => minimumTimeFindings(m, t.before.phases[m.path.id], t.settings, t.now)),
});

function formatHours(ms: number): string {
  return `${(ms / 3_600_000).toFixed(1)}h`;
}

/**
 * Going forward, the phase being left must have lasted its minimum time: the stricter of the
 * ledger record's own `minimumTime` (from the stack's `stepwise:minimumTime`) and the policy
 * setting. Rolling back is never held up.
 */
function minimumTimeFindings(
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
