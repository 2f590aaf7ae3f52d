/** `one-path-per-update`: one migration path moves per update, unless the stack allows more. */
import type { PolicySettings } from "../config";
import { defineRule, moving, policySetting, STRICT } from "../rule-definition";
import { thisUpdatesMoves } from "../checks/ledger-moves";
import type { Finding, PathMove } from "../checks/phases";

export const onePathPerUpdate = defineRule({
  id: "one-path-per-update",
  scope: "path",
  title: "One migration path moves per update",
  prevents: "Two migrations changing at once, so a failure cannot be traced to one step.",
  satisfy: `Move one path per update, or set ${policySetting("allowMultiplePaths")}: true for this stack.`,
  levels: STRICT,
  transition: (t) => onePathFindings(moving(t), t.settings),
  pack: {
    stack: (ledger, _resources, c) => onePathFindings(thisUpdatesMoves(ledger), c.settings),
  },
});

function onePathFindings(
  moved: readonly PathMove[],
  settings: Pick<PolicySettings, "allowMultiplePaths">,
): Finding[] {
  if (settings.allowMultiplePaths || moved.length <= 1) return [];
  const list = moved.map((m) => `${m.path.id} (${m.from} → ${m.to})`).join(", ");
  return [{ message: `${moved.length} paths move in one update: ${list}` }];
}
