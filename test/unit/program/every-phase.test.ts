import { describe, expect, it } from "vitest";
import { MIGRATION_PATHS, PHASE_LEDGER_TYPE, type Ledger } from "../../../migrations";
import { evaluateStack } from "./support";

const PROD_PHASES = {
  events: "redpanda",
  platform: "compose",
  database: "postgres",
  api: "old",
  consolidation: "microservices",
};

/** What a stack must also say before a path can be at `phase` (images, engine placement). */
function prerequisites(path: string, phase: string): Record<string, unknown> {
  if (path === "api") {
    return {
      apiImages: { "product-catalog": "firstviscount/product-catalog-gin:0.9.0" },
      apiWeights: { "product-catalog": 10 },
    };
  }
  if (path === "consolidation") return { monolithImage: "firstviscount/modular-monolith:1.0.0" };
  if (path === "platform" && phase === "compose-retired") {
    const onK3s = ["redpanda", "kafka", "postgres", "citus", "prometheus"];
    return { enginePlacement: Object.fromEntries(onK3s.map((e) => [e, "k3s"])) };
  }
  return {};
}

const cases = Object.values(MIGRATION_PATHS).flatMap((path) =>
  path.phases.map((phase) => [path.id, phase.id] as const),
);

// Advance and rollback move a stack to any of these; each must evaluate with no cloud.
describe("the program evaluates at every phase of every path", () => {
  it.each(cases)("%s at %s", async (path, phase) => {
    const evaluation = await evaluateStack("prod", {
      phases: { ...PROD_PHASES, [path]: phase },
      ...prerequisites(path, phase),
    });
    const ledger = evaluation.resources.find((r) => r.type === PHASE_LEDGER_TYPE);
    expect((ledger?.inputs.ledger as Ledger).phases[path]?.phase).toBe(phase);
    expect(
      evaluation.resources.filter((r) => r.type === "stepwise:platform:PlatformServices"),
    ).toHaveLength(1);
  });
});
