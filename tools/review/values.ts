import type { ReviewStep } from "./review-model";

export const OP_SYMBOL: Readonly<Record<string, string>> = {
  create: "+ ",
  update: "~ ",
  replace: "+- ",
  delete: "- ",
  same: "",
};

const MAX_VALUE = 160;
/** Changed leaves listed per resource; the rest is summarized as a count. */
const MAX_CHANGES = 12;

export interface ValueChange {
  /** Dotted path of the changed value, e.g. "spec.template.metadata.annotations". */
  readonly key: string;
  readonly before: string;
  readonly after: string;
  /** "items": a list whose `before` holds the items removed and `after` those added. */
  readonly kind: "value" | "items";
}

/**
 * The changed values of an update or replacement, down to the leaves that differ (a list of
 * plain values is shown as the items removed and added), each cut to a readable length.
 * Creates and deletes list nothing: the resource as a whole is the change.
 */
export function changedValues(step: ReviewStep): ValueChange[] {
  if (step.op !== "update" && step.op !== "replace") return [];
  const changes: ValueChange[] = [];
  for (const key of step.diffReasons) {
    collect(keyPath(undefined, key), step.oldInputs?.[key], step.newInputs?.[key], changes);
  }
  if (changes.length <= MAX_CHANGES) return changes;
  return [
    ...changes.slice(0, MAX_CHANGES),
    {
      key: "…",
      before: "",
      after: `${changes.length - MAX_CHANGES} more changed values`,
      kind: "value",
    },
  ];
}

function collect(path: string, a: unknown, b: unknown, into: ValueChange[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (isPlainList(a) && isPlainList(b)) {
    const removed = a.filter((item) => !b.includes(item));
    const added = b.filter((item) => !a.includes(item));
    if (removed.length + added.length > 0) {
      into.push({ key: path, before: show(removed), after: show(added), kind: "items" });
    } else {
      into.push({ key: `${path} (order)`, before: show(a), after: show(b), kind: "value" });
    }
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      collect(keyPath(path, key), a[key], b[key], into);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((item, i) => collect(`${path}[${i}]`, item, b[i], into));
    return;
  }
  into.push({ key: path, before: show(a), after: show(b), kind: "value" });
}

// Keys come from the plan: one that is not a plain name is shown quoted, so that a dot, a space
// or a line break in it cannot pass for the structure around it.
const PLAIN_KEY = /^[\w$@/:-]+$/;

function keyPath(parent: string | undefined, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${parent ?? ""}[${JSON.stringify(key)}]`;
  return parent === undefined ? key : `${parent}.${key}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPlainList(value: unknown): value is (string | number | boolean)[] {
  return Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null);
}

export function show(value: unknown): string {
  if (value === undefined) return "(none)";
  const text = JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
}
