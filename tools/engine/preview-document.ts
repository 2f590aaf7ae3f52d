/**
 * Reading the document `pulumi preview --json` prints into stepwise's Plan type. Only the fields
 * stepwise relies on are checked; everything else the engine prints is kept as it came.
 */
import type { Plan, StepOp } from "../plan/plan";

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
  });
  const changeSummary = document.changeSummary ?? {};
  if (!isObject(changeSummary)) {
    throw new PreviewDocumentError(
      `${origin}: "changeSummary" must be an object of op -> count, got ${show(changeSummary)}`,
    );
  }
  return { ...document, steps, changeSummary } as unknown as Plan;
}
