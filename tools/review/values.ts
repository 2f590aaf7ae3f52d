import { isMaskedSecret } from "../../components/spec/plaintext-secret";
import type { PlanStep } from "../../migrations/plan-model";

export const OP_SYMBOL: Readonly<Record<string, string>> = {
  create: "+ ",
  update: "~ ",
  replace: "+- ",
  delete: "- ",
  same: "",
};

/** Longest value shown, in UTF-16 units; cut on a grapheme boundary, never inside an emoji. */
export const MAX_VALUE = 160;
/** The engine's stand-in for a value only known after the update (sdk `UnknownStringValue`). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface ValueChange {
  /** Property path of the changed value, as the engine writes it: `spec.containers[0].image`. */
  readonly key: string;
  readonly before: string;
  readonly after: string;
  /** "items": a list whose `before` holds the items removed and `after` those added. */
  readonly kind: "value" | "items";
  /** The engine's kind (`update`, `add`, `delete`, `update-replace`, ...), when it gave one. */
  readonly diffKind?: string;
  /** False: the old value is the deployed state (outputs), e.g. drift; true or absent: inputs. */
  readonly inputDiff?: boolean;
}

/**
 * Every changed value of an update or replacement. The engine's `detailedDiff` is the source of
 * truth: each path it names is shown (adds, deletes, updates, replacements, differences from
 * the deployed state), down to the leaves that differ. Without one, `diffReasons` and then the
 * inputs themselves are compared. Creates and deletes list nothing: the resource is the change.
 * Linear in the size of the values (no value is serialized twice).
 */
export function changedValues(step: PlanStep, op: string): ValueChange[] {
  if (op !== "update" && op !== "replace") return [];
  const oldInputs = step.oldState?.inputs;
  const newInputs = step.newState?.inputs;
  const changes: ValueChange[] = [];
  const detailed = step.detailedDiff;
  if (detailed && Object.keys(detailed).length > 0) {
    for (const [path, diff] of Object.entries(detailed)) {
      const segments = parsePropertyPath(path);
      const oldSide = diff.inputDiff === false ? (step.oldState?.outputs ?? oldInputs) : oldInputs;
      const before = /^add/.test(diff.kind) ? undefined : valueAt(oldSide, segments);
      const after = /^delete/.test(diff.kind) ? undefined : valueAt(newInputs, segments);
      const leaves: ValueChange[] = [];
      collect(path, before, after, leaves);
      // The engine saw a difference the values here do not show (a secret, a computed value).
      if (leaves.length === 0) {
        const missing = before === undefined && after === undefined;
        leaves.push({
          key: path,
          before: missing ? "(not in the preview)" : show(before),
          after: missing ? "(not in the preview)" : show(after),
          kind: "value",
        });
      }
      const inputDiff = diff.inputDiff !== false;
      changes.push(...leaves.map((leaf) => ({ ...leaf, diffKind: diff.kind, inputDiff })));
    }
    return changes;
  }
  const keys =
    step.diffReasons && step.diffReasons.length > 0
      ? step.diffReasons
      : [...new Set([...Object.keys(oldInputs ?? {}), ...Object.keys(newInputs ?? {})])].sort();
  for (const key of keys) {
    if (key.startsWith("__")) continue; // a dynamic provider's serialized code
    collect(keyPath(undefined, key), oldInputs?.[key], newInputs?.[key], changes);
  }
  return changes;
}

/**
 * `a.b[0]["c.d"]` → ["a", "b", 0, "c.d"]: the engine's property paths
 * (sdk/go/common/resource PropertyPath).
 */
export function parsePropertyPath(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === ".") {
      i++;
    } else if (path[i] === "[") {
      const close = path.indexOf("]", i);
      if (path[i + 1] === '"') {
        let j = i + 2;
        let text = "";
        while (j < path.length && path[j] !== '"') {
          if (path[j] === "\\") {
            j++;
            text += ESCAPES[path[j] ?? ""] ?? path[j] ?? "";
          } else {
            text += path[j];
          }
          j++;
        }
        segments.push(text);
        i = path.indexOf("]", j) + 1 || path.length;
      } else {
        const inner = path.slice(i + 1, close < 0 ? path.length : close);
        segments.push(/^\d+$/.test(inner) ? Number(inner) : inner);
        i = close < 0 ? path.length : close + 1;
      }
    } else {
      let j = i;
      while (j < path.length && path[j] !== "." && path[j] !== "[") j++;
      segments.push(path.slice(i, j));
      i = j;
    }
  }
  return segments;
}

const ESCAPES: Readonly<Record<string, string>> = { n: "\n", t: "\t", r: "\r" };

function valueAt(root: unknown, segments: readonly (string | number)[]): unknown {
  let value = root;
  for (const segment of segments) {
    if (Array.isArray(value) && typeof segment === "number") value = value[segment];
    else if (isRecord(value) && !isMaskedSecret(value)) value = value[String(segment)];
    else return undefined;
  }
  return value;
}

/** Appends the leaves where `a` and `b` differ; visits each node once. */
function collect(path: string, a: unknown, b: unknown, into: ValueChange[]): void {
  if (a === b) return;
  if (isPlainList(a) && isPlainList(b)) {
    const inB = new Set<unknown>(b);
    const inA = new Set<unknown>(a);
    const removed = a.filter((item) => !inB.has(item));
    const added = b.filter((item) => !inA.has(item));
    if (removed.length + added.length > 0) {
      into.push({ key: path, before: show(removed), after: show(added), kind: "items" });
    } else if (a.length !== b.length || a.some((item, i) => item !== b[i])) {
      into.push({ key: `${path} (order)`, before: show(a), after: show(b), kind: "value" });
    }
    return;
  }
  if (isRecord(a) && isRecord(b) && !isMaskedSecret(a) && !isMaskedSecret(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      collect(keyPath(path, key), a[key], b[key], into);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((item, i) => collect(`${path}[${i}]`, item, b[i], into));
    return;
  }
  if (isMaskedSecret(a) && isMaskedSecret(b)) {
    into.push({ key: path, before: "[secret]", after: "[secret]", kind: "value" });
    return;
  }
  into.push({ key: path, before: show(a), after: show(b), kind: "value" });
}

// Keys come from the plan: one that is not a plain name is quoted the way the engine writes it,
// so that a dot, a space or a line break in it cannot pass for the structure around it.
const PLAIN_KEY = /^[\w$@/:-]+$/;

function keyPath(parent: string | undefined, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${parent ?? ""}[${JSON.stringify(key)}]`;
  return parent === undefined ? key : `${parent}.${key}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPlainList(value: unknown): value is (string | number | boolean | null)[] {
  return Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null);
}

/**
 * A value as the review prints it: JSON, a secret envelope as `[secret]` (its plaintext is never
 * printed), the engine's unknown marker as `(known after the update)`, cut to MAX_VALUE.
 */
export function show(value: unknown): string {
  if (value === undefined) return "(none)";
  if (value === UNKNOWN) return "(known after the update)";
  if (isMaskedSecret(value)) return "[secret]";
  const text = JSON.stringify(value, (_key, v: unknown) =>
    isMaskedSecret(v) && typeof v !== "string" ? "[secret]" : v,
  );
  return cutText(text, MAX_VALUE);
}

const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** `text` cut to at most `max` UTF-16 units on a grapheme boundary, with "…" when cut. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = 0;
  for (const { segment } of GRAPHEMES.segment(text.slice(0, max + 64))) {
    if (end + segment.length > max) break;
    end += segment.length;
  }
  return `${text.slice(0, end)}…`;
}
