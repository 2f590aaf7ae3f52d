import { evaluateProgram, type RegisteredResource } from "../evaluate";
import { diffResources } from "./diff-resources";
import type { Plan } from "../../migrations/plan-model";
import { displayConfig, type StackEvaluationConfig } from "./evaluation-config";

/** A Pulumi program as a function, so that it can be evaluated once per configuration. */
export type ProgramFunction = () => unknown;

export interface OfflinePlanRequest {
  readonly program: ProgramFunction;
  readonly stack: string;
  readonly project?: string;
  /** The configuration deployed now; undefined for a stack's first deployment (nothing yet). */
  readonly before: StackEvaluationConfig | undefined;
  readonly after: StackEvaluationConfig;
}

export interface OfflinePlanResult {
  readonly plan: Plan;
  readonly before: readonly RegisteredResource[];
  readonly after: readonly RegisteredResource[];
  /** Milliseconds: each evaluation and the diff, for the benchmark. */
  readonly timings: {
    readonly evaluateBefore: number;
    readonly evaluateAfter: number;
    readonly diff: number;
  };
}

/** A program evaluation failed: almost always invalid stack config, named by the program. */
export class ProgramEvaluationError extends Error {}

/**
 * Evaluates the program under mocks for the configuration before and after a transition (one
 * after the other: mocks and config are process-global, and evaluateProgram replaces both) and
 * diffs what each registered.
 */
export async function planOffline(request: OfflinePlanRequest): Promise<OfflinePlanResult> {
  const t0 = performance.now();
  const before = request.before ? await evaluate(request, request.before, "before") : [];
  const t1 = performance.now();
  const after = await evaluate(request, request.after, "after");
  const t2 = performance.now();
  const plan = diffResources(before, after, {
    stack: request.stack,
    config: displayConfig(request.after),
    ...(request.before ? {} : { firstDeployment: true }),
  });
  const t3 = performance.now();
  return {
    plan: { ...plan, duration: Math.round((t3 - t0) * 1e6) },
    before,
    after,
    timings: { evaluateBefore: t1 - t0, evaluateAfter: t2 - t1, diff: t3 - t2 },
  };
}

async function evaluate(
  request: OfflinePlanRequest,
  input: StackEvaluationConfig,
  side: "before" | "after",
): Promise<RegisteredResource[]> {
  try {
    const { resources } = await evaluateProgram(request.program, {
      project: request.project ?? "stepwise",
      stack: request.stack,
      config: input.config,
      secretConfigKeys: input.secretKeys,
    });
    return resources;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ProgramEvaluationError(`stack ${request.stack} (${side}): ${message}`);
  }
}
