import { isLabelValue, isQualifiedName } from "../k8s-names";
import { isRecord, shown, text, type ImportContext } from "./context";

/**
 * `labels:` (map or list). A key and value Kubernetes accepts as a label stays a label; a value it
 * does not (a router rule, a sentence, more than 63 characters) becomes an annotation, which K3s
 * puts on the pod and Compose keeps as a container label. A key neither accepts is warned.
 */
export function labels(
  value: unknown,
  at: string,
  ctx: ImportContext,
): { labels?: Record<string, string>; annotations?: Record<string, string> } {
  if (value === undefined || value === null) return {};
  let entries: [string, string][];
  if (Array.isArray(value)) {
    entries = value.map((entry) => {
      const line = text(entry);
      const eq = line.indexOf("=");
      return eq < 0 ? [line, ""] : [line.slice(0, eq), line.slice(eq + 1)];
    });
  } else if (isRecord(value)) {
    entries = Object.entries(value).map(([k, v]) => [k, v === null ? "" : text(v)]);
  } else {
    ctx.fail(at, `${shown(value)}: expected a map or a list of key=value`);
    return {};
  }
  const result: Record<string, string> = {};
  const notes: Record<string, string> = {};
  for (const [key, val] of entries) {
    if (!isQualifiedName(key)) {
      ctx.warn(
        `${at}.${key}`,
        "not carried over: not a Kubernetes label or annotation key (at most 63 letters, digits, '-', '_', '.', after an optional DNS prefix and '/')",
      );
    } else if (isLabelValue(val)) result[key] = val;
    else {
      notes[key] = val;
      ctx.warn(
        `${at}.${key}`,
        "its value is not a Kubernetes label value; carried as an annotation (a container label on Compose)",
      );
    }
  }
  return {
    labels: Object.keys(result).length > 0 ? result : undefined,
    annotations: Object.keys(notes).length > 0 ? notes : undefined,
  };
}
