/**
 * What a change does to a stack's policy settings, field by field (old value → new value), so
 * a review can show it first and `policy-change-alone` can keep it an update of its own.
 */
import type { PolicySettings, PolicySettingsInput } from "./config";
import { RULES } from "./rules";

export interface PolicySettingChange {
  /** The setting as written in `stepwise:policy`, e.g. "weightStep", "levels.one-phase-step". */
  readonly field: string;
  readonly from: string;
  readonly to: string;
}

const hours = (ms: number): string => `${ms / 3_600_000}h`;

/**
 * Every resolved setting as text, keyed by its field name. The compiler holds the keys to the
 * schema's (`levels` goes rule by rule), so a new setting cannot change unseen.
 */
function settingTexts(settings: PolicySettings): Record<string, string> {
  const plain = {
    environment: settings.environment,
    weightStep: String(settings.weightStep),
    rollbackWindowDays: String(settings.rollbackWindowDays),
    rollbackDrillMaxAgeDays: String(settings.rollbackDrillMaxAgeDays),
    minimumPhaseTime: hours(settings.minimumPhaseTimeMs),
    allowMultiplePaths: String(settings.allowMultiplePaths),
    statefulTypes: [...settings.statefulTypes].sort().join(", "),
    statelessTypes: [...settings.statelessTypes].sort().join(", "),
  } satisfies Record<Exclude<keyof PolicySettingsInput, "levels">, string>;
  const levels = RULES.map((rule): [string, string] => [
    `levels.${rule.id}`,
    settings.levels[rule.id],
  ]);
  const { environment, ...rest } = plain;
  return { environment, ...Object.fromEntries(levels), ...rest };
}

/** The settings that differ once defaults are filled in; writing a default out is no change. */
export function policySettingChanges(
  before: PolicySettings,
  after: PolicySettings,
): PolicySettingChange[] {
  const old = settingTexts(before);
  return Object.entries(settingTexts(after))
    .filter(([field, to]) => old[field] !== to)
    .map(([field, to]) => ({ field, from: old[field] ?? "", to }));
}
