import { join } from "node:path";
import { loadStackConfig } from "../../../migrations";
import {
  stepwiseProgram,
  type ProgramOptions,
  type ProgramOutputs,
} from "../../../migrations/program";
import { evaluateProgram, type Evaluation, type EvaluateOptions } from "../../../tools/evaluate";

/**
 * Evaluates the real program under mocks for a bundled stack file, with `change` merged over
 * its config (keys without the `stepwise:` prefix replace whole values; undefined removes one).
 */
export async function evaluateStack(
  stack: "dev" | "staging" | "prod",
  change: Record<string, unknown> = {},
  options: ProgramOptions & Pick<EvaluateOptions, "outputsFor"> = {},
): Promise<Evaluation<ProgramOutputs>> {
  const { config, secretKeys } = loadStackConfig(join("stacks", `Pulumi.${stack}.yaml`));
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) delete config[`stepwise:${key}`];
    else config[`stepwise:${key}`] = value;
  }
  return evaluateProgram(() => stepwiseProgram(options), {
    config,
    secretConfigKeys: secretKeys,
    stack,
    ...(options.outputsFor ? { outputsFor: options.outputsFor } : {}),
  });
}

/** `type name` of every resource, sorted, so registration order does not matter. */
export function inventory(evaluation: Evaluation<unknown>): string[] {
  return evaluation.resources.map((r) => `${r.type} ${r.name}`).sort();
}

export function countsByType(evaluation: Evaluation<unknown>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of evaluation.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}
