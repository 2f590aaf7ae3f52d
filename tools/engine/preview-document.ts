/**
 * Reading the document `pulumi preview --json` prints into stepwise's Plan type. Only the fields
 * stepwise relies on are checked; everything else the engine prints is kept as it came.
 */
import type { Plan, StepOp } from "../../migrations/plan-model";

const STEP_OPS: ReadonlySet<string> = new Set<StepOp>([
  "same",
  "create",
  "update",
  "delete",
  "replace",
  "read",
  "refresh",
  "create-replacement",
  "delete-replaced",
  "read-replacement",
  "discard",
  "discard-replaced",
  "remove-pending-replace",
  "import",
  "import-replacement",
  "diff",
]);

/** The engine printed something that is not a preview document. */
export class PreviewDocumentError extends Error {
  override readonly name = "PreviewDocumentError";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Deeper than any preview document gets (a Kubernetes Deployment's inputs are ~15 levels). */
const MAX_NESTING = 100;

/** Whether `value` nests deeper than `limit`; without recursion, so depth cannot overflow it. */
function deeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    if (typeof item !== "object" || item === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return false;
}

/** What is wrong with a step's oldState or newState (a suffix to its path), if anything. */
function stateProblem(state: unknown): string | undefined {
  if (state === undefined) return undefined;
  if (!isObject(state)) return ` is ${show(state)}, not an object`;
  if (typeof state.type !== "string") return `.type is ${show(state.type)}, not a type token`;
  for (const field of ["inputs", "outputs"] as const) {
    if (state[field] !== undefined && !isObject(state[field])) {
      return `.${field} is ${show(state[field])}, not an object`;
    }
  }
  return undefined;
}

function isTextList(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/**
 * Parses a preview document. `origin` names where it came from (a file, "pulumi preview") in
 * error messages.
 */
export function parsePreviewDocument(text: string, origin: string): Plan {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new PreviewDocumentError(
      `${origin}: not JSON (${(error as Error).message}); expected the output of ` +
        `\`pulumi preview --json\`, got ${show(text.slice(0, 60))}`,
    );
  }
  if (deeperThan(document, MAX_NESTING)) {
    throw new PreviewDocumentError(
      `${origin}: nested more than ${MAX_NESTING} levels deep, which no preview document is; give the output of \`pulumi preview --json\``,
    );
  }
  if (!isObject(document)) {
    throw new PreviewDocumentError(`${origin}: expected a JSON object, got ${show(document)}`);
  }
  const steps = document.steps ?? [];
  if (!Array.isArray(steps)) {
    throw new PreviewDocumentError(`${origin}: "steps" must be an array, got ${show(steps)}`);
  }
  steps.forEach((step: unknown, index) => {
    if (!isObject(step)) {
      throw new PreviewDocumentError(`${origin}: steps[${index}] is not an object: ${show(step)}`);
    }
    if (typeof step.op !== "string" || !STEP_OPS.has(step.op)) {
      throw new PreviewDocumentError(
        `${origin}: steps[${index}].op is ${show(step.op)}, not one of the engine's step ops ` +
          `(${[...STEP_OPS].join(", ")})`,
      );
    }
    if (typeof step.urn !== "string" || !step.urn.startsWith("urn:pulumi:")) {
      throw new PreviewDocumentError(
        `${origin}: steps[${index}].urn is ${show(step.urn)}, expected a "urn:pulumi:..." string`,
      );
    }
    for (const side of ["oldState", "newState"] as const) {
      const problem = stateProblem(step[side]);
      if (problem !== undefined) {
        throw new PreviewDocumentError(
          `${origin}: steps[${index}].${side}${problem}; leave it out or give the resource's state as the engine prints it`,
        );
      }
    }
    for (const list of ["diffReasons", "replaceReasons"] as const) {
      const value = step[list];
      if (value !== undefined && value !== null && !isTextList(value)) {
        throw new PreviewDocumentError(
          `${origin}: steps[${index}].${list} is ${show(value)}, expected a list of property names`,
        );
      }
    }
  });
  const changeSummary = document.changeSummary ?? {};
  if (!isObject(changeSummary)) {
    throw new PreviewDocumentError(
      `${origin}: "changeSummary" must be an object of op -> count, got ${show(changeSummary)}`,
    );
  }
  return { ...document, steps, changeSummary } as unknown as Plan;
}
