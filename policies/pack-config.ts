/**
 * The CrossGuard `--policy-pack-config` for one stack, from its `stepwise:policy` settings: the
 * stack's level for each pack rule, and the settings themselves for the checks to read.
 */
import type { PolicySettings } from "./config";
import { RULES } from "./rules";

export interface PackConfigEntry {
  readonly enforcementLevel: "mandatory" | "advisory" | "disabled";
  readonly settings: Record<string, unknown>;
}

export function packConfigFor(
  settings: PolicySettings,
  raw: Readonly<Record<string, unknown>>,
): Record<string, PackConfigEntry> {
  const withEnvironment = { ...raw, environment: settings.environment };
  return Object.fromEntries(
    RULES.filter((r) => r.coverage.pack).map((r) => [
      r.id,
      { enforcementLevel: settings.levels[r.id], settings: withEnvironment },
    ]),
  );
}
