/**
 * Reading and setting one entry of a `stepwise:<map>` in a stack file's text, comments and
 * order kept: what the drill edits when it walks a path back the way a user would (a service's
 * placement, an api weight), without touching the file itself.
 */
import { isMap, parseDocument } from "yaml";
import { configKeyName } from "../../migrations/config/keys";
import { textWithQuotedTimes } from "../../migrations/config/stack-file-reader";
import { StackFileError } from "./phase-edit";

const key = (map: string) => configKeyName([map]);

/** The entries of `stepwise:<map>` (empty when it is not set). */
export function configMap(text: string, map: string): Record<string, unknown> {
  const document = parseDocument(text).toJS() as { config?: Record<string, unknown> } | null;
  const value = document?.config?.[key(map)];
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

/** The text with `stepwise:<map>.<entry>` set to `value`; everything else as it was. */
export function setConfigEntry(text: string, map: string, entry: string, value: unknown): string {
  const document = parseDocument(text);
  const existing = document.getIn(["config", key(map)]);
  if (existing !== undefined && !isMap(existing)) {
    throw new StackFileError(`${key(map)} must be a map, found ${JSON.stringify(existing)}`);
  }
  document.setIn(["config", key(map), entry], value);
  return textWithQuotedTimes(document);
}
