/** `one-path-per-update`, on a plan's moves or on the moves the deployed ledger shows. */
import type { PolicySettings } from "../config";
import type { Finding, PathMove } from "./phases";

export function onePathFindings(
  moved: readonly PathMove[],
  settings: Pick<PolicySettings, "allowMultiplePaths">,
): Finding[] {
  if (settings.allowMultiplePaths || moved.length <= 1) return [];
  const list = moved.map((m) => `${m.path.id} (${m.from} → ${m.to})`).join(", ");
  return [{ message: `${moved.length} paths move in one update: ${list}` }];
}
