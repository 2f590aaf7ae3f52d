import { isSecretValue, type RegisteredResource } from "../evaluate/registered-resource";
import type { Plan, PlanResourceState, PlanStep } from "../../migrations/plan-model";
import { replaceRuleFor } from "./replace-properties";

/** Printed with every offline plan: what it is and what it cannot know. */
export const OFFLINE_PLAN_NOTE =
  "Offline plan: a desired-state diff of the program evaluated under Pulumi's mocks for both " +
  "configurations, not a provider diff. Provider defaults, computed outputs and drift are not " +
  "seen; replacement is decided from stepwise's table of replace-on-change properties and each " +
  "resource's replaceOnChanges option. Run `pulumi preview` for the provider's verdict.";

export interface DiffOptions {
  readonly stack?: string;
  /** Shown in the plan's config field, as the engine does. */
  readonly config?: Record<string, string>;
  /** Nothing is deployed yet: the plan is the stack's first deployment. @default false */
  readonly firstDeployment?: boolean;
}

/** Added to the note of a plan that starts from nothing. */
export const FIRST_DEPLOYMENT_NOTE =
  "First deployment: nothing is deployed yet, so every resource is created; each path is taken " +
  "to move from the phase the stack file names as its previous one (if any) to its phase.";

/**
 * Diffs two sets of registered resources by URN into a plan in the shape of
 * `pulumi preview --json`. Pure: the same two inputs always give the same plan.
 * Steps follow the new program's registration order; deletes come last, in reverse of the old
 * order, as the engine deletes dependents before what they depend on.
 */
export function diffResources(
  before: readonly RegisteredResource[],
  after: readonly RegisteredResource[],
  options: DiffOptions = {},
): Plan {
  const oldByUrn = indexByUrn(before, "before");
  const newUrns = indexByUrn(after, "after");
  const steps: PlanStep[] = [];
  for (const resource of after) {
    const old = oldByUrn.get(resource.urn);
    steps.push(old ? changeStep(old, resource) : createStep(resource));
  }
  for (const resource of [...before].reverse()) {
    if (!newUrns.has(resource.urn)) steps.push(deleteStep(resource));
  }
  return {
    ...(options.config ? { config: options.config } : {}),
    steps,
    diagnostics: [],
    changeSummary: summarize(steps),
    stepwise: {
      source: "offline",
      stack: options.stack,
      note: options.firstDeployment
        ? `${OFFLINE_PLAN_NOTE} ${FIRST_DEPLOYMENT_NOTE}`
        : OFFLINE_PLAN_NOTE,
    },
  };
}

function indexByUrn(
  resources: readonly RegisteredResource[],
  side: string,
): Map<string, RegisteredResource> {
  const map = new Map<string, RegisteredResource>();
  for (const resource of resources) {
    if (map.has(resource.urn)) {
      throw new Error(`${side}: the program registered ${resource.urn} twice`);
    }
    map.set(resource.urn, resource);
  }
  return map;
}

function createStep(resource: RegisteredResource): PlanStep {
  return { op: "create", urn: resource.urn, newState: stateOf(resource) };
}

function deleteStep(resource: RegisteredResource): PlanStep {
  return { op: "delete", urn: resource.urn, oldState: stateOf(resource) };
}

function changeStep(old: RegisteredResource, next: RegisteredResource): PlanStep {
  const diffReasons = changedTopLevelKeys(old.inputs, next.inputs);
  const base = { urn: next.urn, oldState: stateOf(old), newState: stateOf(next) };
  if (diffReasons.length === 0) return { op: "same", ...base };
  const replaceReasons = next.custom ? replaceReasonsFor(old, next, diffReasons) : [];
  const detailedDiff = Object.fromEntries(
    diffReasons.map((key) => [
      key,
      {
        kind: replaceReasons.some((r) => topKey(r) === key) ? "update-replace" : "update",
        inputDiff: true,
      },
    ]),
  );
  return replaceReasons.length > 0
    ? { op: "replace", ...base, diffReasons, replaceReasons, detailedDiff }
    : { op: "update", ...base, diffReasons, detailedDiff };
}

/** Property paths (as the engine names them, e.g. "spec.selector") whose change forces replacement. */
export function replaceReasonsFor(
  old: Pick<RegisteredResource, "type" | "inputs">,
  next: Pick<RegisteredResource, "type" | "inputs" | "replaceOnChanges">,
  diffReasons: readonly string[],
): string[] {
  const reasons = new Set<string>();
  const rule = replaceRuleFor(next.type);
  if (rule && "replaceAllExcept" in rule) {
    for (const key of diffReasons) if (!rule.replaceAllExcept.includes(key)) reasons.add(key);
  } else if (rule) {
    for (const path of rule.replaceOn)
      if (changedAt(old.inputs, next.inputs, path)) reasons.add(path);
  }
  for (const path of next.replaceOnChanges) {
    if (path === "*") diffReasons.forEach((key) => reasons.add(key));
    else if (changedAt(old.inputs, next.inputs, path)) reasons.add(path);
  }
  return [...reasons].sort();
}

function topKey(path: string): string {
  return path.split(".")[0] ?? path;
}

function changedAt(a: unknown, b: unknown, path: string): boolean {
  return !deepEqual(valueAt(a, path), valueAt(b, path));
}

function valueAt(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split(".")) {
    current = unwrapSecret(current);
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return unwrapSecret(current);
}

export function changedTopLevelKeys(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((key) => !deepEqual(a[key], b[key])).sort();
}

/** Structural equality; a secret equals the same value marked secret (the engine compares plaintext). */
export function deepEqual(a: unknown, b: unknown): boolean {
  const x = unwrapSecret(a);
  const y = unwrapSecret(b);
  if (x === y) return true;
  if (typeof x !== "object" || typeof y !== "object" || x === null || y === null) return false;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  if (Array.isArray(x) && Array.isArray(y)) {
    return x.length === y.length && x.every((item, i) => deepEqual(item, y[i]));
  }
  const xo = x as Record<string, unknown>;
  const yo = y as Record<string, unknown>;
  const keys = new Set([...Object.keys(xo), ...Object.keys(yo)]);
  return [...keys].every((key) => deepEqual(xo[key], yo[key]));
}

function unwrapSecret(value: unknown): unknown {
  return isSecretValue(value) ? unwrapSecret(value.secret) : value;
}

/** The engine's serialized resource, secrets shown as "[secret]" exactly as `--json` does. */
function stateOf(resource: RegisteredResource): PlanResourceState {
  return {
    type: resource.type,
    urn: resource.urn,
    custom: resource.custom,
    ...(resource.parent ? { parent: resource.parent } : {}),
    protect: resource.protect,
    ...(resource.retainOnDelete ? { retainOnDelete: true } : {}),
    inputs: maskSecrets(resource.inputs) as Record<string, unknown>,
  };
}

export function maskSecrets(value: unknown): unknown {
  if (isSecretValue(value)) return "[secret]";
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v)]));
  }
  return value;
}

function summarize(steps: readonly PlanStep[]): Partial<Record<string, number>> {
  const summary: Partial<Record<string, number>> = {};
  for (const step of steps) summary[step.op] = (summary[step.op] ?? 0) + 1;
  return summary;
}
