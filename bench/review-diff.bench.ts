/**
 * Review diff (issue 22, item 10): the changed values of a deeply nested update are found in
 * time linear in the value's size. Figure: the time for a value 4,000 levels deep over the
 * time for one 1,000 levels deep, each the fastest of REPEAT runs; linear is ≈ 4×, a diff
 * that serializes the value at every level (quadratic) would be ≈ 16×. Goal ≤ 6× (room for
 * the shared machine's noise). Measured here: 4.17× (1.17 ms and 4.88 ms).
 */
import { buildReview } from "../tools/review";
import type { Plan } from "../migrations/plan-model";
import { against, type Bench } from "./result";

const REPEAT = 5;
const urn = "urn:pulumi:bench::p::aws:ssm/parameter:Parameter::deep";

function planOfDepth(depth: number): Plan {
  let before: unknown = 1;
  let after: unknown = 2;
  for (let i = 0; i < depth; i++) {
    before = { a: before, b: i };
    after = { a: after, b: i };
  }
  const state = (v: unknown) => ({ type: "aws:ssm/parameter:Parameter", urn, inputs: { v } });
  return {
    steps: [{ op: "update", urn, oldState: state(before), newState: state(after) }],
    changeSummary: { update: 1 },
  };
}

function fastest(plan: Plan): number {
  let best = Infinity;
  for (let i = 0; i < REPEAT; i++) {
    const start = performance.now();
    const values = buildReview({ plan }).changes[0]?.values.length;
    const took = performance.now() - start;
    if (values !== 1) throw new Error(`expected one changed value, got ${String(values)}`);
    best = Math.min(best, took);
  }
  return best;
}

export const run: Bench = (log) => {
  const small = fastest(planOfDepth(1000));
  const large = fastest(planOfDepth(4000));
  log(`depth 1,000: ${small.toFixed(2)} ms; depth 4,000: ${large.toFixed(2)} ms`);
  const result = against("diff, 4,000 levels", large, "ms", {
    name: "diff, 1,000 levels",
    value: small,
  });
  const ratio = result.ratio ?? Infinity;
  return Promise.resolve([{ ...result, goal: "≤ 6× (linear ≈ 4×)", met: ratio <= 6 }]);
};
