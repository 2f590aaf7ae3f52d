import type { ReviewStep } from "./review-model";

export const OP_SYMBOL: Readonly<Record<string, string>> = {
  create: "+ ",
  update: "~ ",
  replace: "+- ",
  delete: "- ",
  same: "",
};

const MAX_VALUE = 240;

export interface ValueChange {
  readonly key: string;
  readonly before: string;
  readonly after: string;
}

/**
 * The changed top-level inputs of a step, each value as compact JSON cut to a readable length.
 * Creates and deletes list nothing: the resource as a whole is the change.
 */
export function changedValues(step: ReviewStep): ValueChange[] {
  if (step.op !== "update" && step.op !== "replace") return [];
  return step.diffReasons.map((key) => ({
    key,
    before: show(step.oldInputs?.[key]),
    after: show(step.newInputs?.[key]),
  }));
}

export function show(value: unknown): string {
  if (value === undefined) return "(none)";
  const text = JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
}
