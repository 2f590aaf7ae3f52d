import { loadStackConfig, parseStackConfig, type StackConfig } from "../../../migrations";
import {
  MONOLITH_SERVICE,
  stepwiseProgram,
  type ProgramOptions,
  type ProgramOutputs,
} from "../../../migrations/program";
import { policySettingsProblems } from "../../../policies/config";
import { evaluateProgram, type Evaluation, type EvaluateOptions } from "../../../tools/evaluate";
import {
  SEED_COORDINATION,
  SEED_PLATFORM,
  SEED_SERVICES,
  seedStackFile,
} from "../../support/seed-platform";

/**
 * Evaluates the real program under mocks for a bundled stack file, with `change` merged over
 * its config (keys without the `stepwise:` prefix replace whole values; undefined removes one).
 */
export async function evaluateStack(
  stack: "dev" | "staging" | "prod",
  change: Record<string, unknown> = {},
  options: Partial<ProgramOptions> & Pick<EvaluateOptions, "outputsFor"> = {},
): Promise<Evaluation<ProgramOutputs>> {
  const { config, secretKeys } = loadStackConfig(seedStackFile(stack));
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) delete config[`stepwise:${key}`];
    else config[`stepwise:${key}`] = value;
  }
  return evaluateProgram(
    () => stepwiseProgram({ ...SEED_PLATFORM, policyProblems: policySettingsProblems, ...options }),
    {
      config,
      secretConfigKeys: secretKeys,
      stack,
      ...(options.outputsFor ? { outputsFor: options.outputsFor } : {}),
    },
  );
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

/** Every path at its baseline phase. */
export const BASELINE = {
  events: "redpanda",
  platform: "compose",
  database: "postgres",
  api: "old",
  consolidation: "microservices",
};
const ENTERED_AT = "2026-11-20T09:00:00Z";

/**
 * A validated dev stack config for the bundled services: every path at its baseline unless
 * `phases` moves it, with `change` (keys without the `stepwise:` prefix) merged over it.
 */
export function configWith(
  change: Record<string, unknown>,
  phases: Partial<typeof BASELINE> = {},
): StackConfig {
  return parseStackConfig(
    {
      environment: "dev",
      phases: { ...BASELINE, ...phases },
      enteredAt: Object.fromEntries(Object.keys(BASELINE).map((p) => [p, ENTERED_AT])),
      databasePassword: "pw",
      ...change,
    },
    {
      services: [...SEED_SERVICES.map((s) => s.name), MONOLITH_SERVICE],
      coordinationService: SEED_COORDINATION,
    },
  );
}
