import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { MIGRATION_PATHS, PATH_IDS, type PathId } from "../../../migrations";
import { SEED_ABSORBED, SEED_STACKS_DIR, seedProgram } from "../../support/seed-platform";
import { stackEvaluationConfig } from "../../../tools/plan/evaluation-config";
import type { Verdict } from "../../../policies/transition";
import { planAndCheck } from "../../../tools/plan/plan-and-check";
import { applyPhaseStep } from "../../../tools/stackfile";

// The planner on the real program and the bundled stacks (read only).
const NOW = new Date("2026-11-26T12:00:00.000Z");
const program = seedProgram;
const read = (stack: string) => readFileSync(join(SEED_STACKS_DIR, `Pulumi.${stack}.yaml`), "utf8");
const nonSame = (steps: { op: string; urn: string }[]) =>
  steps
    .filter((s) => s.op !== "same")
    .map((s) => `${s.op} ${s.urn.slice(s.urn.lastIndexOf("::") + 2)}`);

async function plan(stack: string, before: string, after: string) {
  return planAndCheck({
    program,
    stack,
    before: stackEvaluationConfig(before, "before"),
    after: stackEvaluationConfig(after, "after"),
    now: NOW,
  });
}

describe("offline plans of the bundled stacks", () => {
  it("dev, advance events to kafka-only: producers stop publishing to Redpanda, nothing else", async () => {
    const text = read("dev");
    const { text: after } = applyPhaseStep(text, "events", "advance", NOW, "dev");
    const result = await plan("dev", text, after);
    expect(nonSame(result.plan.steps).sort()).toEqual(
      [
        "update phase-ledger",
        "replace platform-compose-inventory",
        "replace platform-compose-orders",
        "update platform-k3s-platform-coordination-config",
        "update platform-k3s-product-catalog-config",
        "update platform-k3s-product-catalog-next-config",
        "update platform-k3s-platform-coordination",
        "update platform-k3s-product-catalog",
        "update platform-k3s-product-catalog-next",
      ].sort(),
    );
    const orders = result.plan.steps.find((s) => s.urn.endsWith("::platform-compose-orders"));
    expect(orders?.replaceReasons).toEqual(["envs"]);
    const deployment = result.plan.steps.find((s) =>
      s.urn.endsWith("::platform-k3s-product-catalog"),
    );
    // A changed pod template rolls the Deployment in place; only selector/name would replace it.
    expect(deployment?.diffReasons).toEqual(["spec"]);
    expect(result.moves).toEqual([
      { path: "events", from: "consumers-on-kafka", to: "kafka-only" },
    ]);
    expect(result.verdicts.filter((v) => !v.passed && v.level === "mandatory")).toEqual([]);
  });

  it("the same stack against itself plans only same steps", async () => {
    const text = read("staging");
    const result = await plan("staging", text, text);
    expect(nonSame(result.plan.steps)).toEqual([]);
    expect(result.plan.steps.length).toBeGreaterThan(10);
    expect(result.moves).toEqual([]);
  });

  it("prod, advance platform: coordination's Compose volume is only forgotten (retained), and it passes", async () => {
    const text = read("prod");
    const { text: after } = applyPhaseStep(text, "platform", "advance", NOW, "prod");
    const result = await plan("prod", text, after);
    const deletes = result.plan.steps
      .filter((s) => s.op === "delete")
      .map((s) => [s.oldState?.type, s.oldState?.retainOnDelete]);
    expect(deletes).toContainEqual(["docker:index/volume:Volume", true]);
    expect(result.verdicts.filter((v) => !v.passed)).toEqual([]);
  });
});

/**
 * A stack at `phase` of `path`, everything else as in dev, plus what that phase needs to be
 * valid config (a monolith image, engines on K3s once Compose is retired, no explicit
 * placement, api at its baseline while consolidation moves).
 */
function stackAt(path: PathId, phase: string): string {
  const document = parseDocument(read("dev"));
  document.setIn(["config", "stepwise:phases", path], phase);
  document.setIn(["config", "stepwise:monolithImage"], "firstviscount/modular-monolith:1.0.0");
  // Where a phase fixes placement, the program derives it; an explicit map would contradict
  // the rollback target (the drill reports exactly that for dev's platform path).
  document.deleteIn(["config", "stepwise:placement"]);
  // api and consolidation change the same services: only one of them may be under way.
  if (path === "consolidation") {
    document.setIn(["config", "stepwise:phases", "api"], "old");
    document.deleteIn(["config", "stepwise:previousPhases", "api"]);
  }
  if (path === "platform" && phase === "compose-retired") {
    for (const engine of ["redpanda", "kafka", "postgres", "citus", "prometheus"]) {
      document.setIn(["config", "stepwise:enginePlacement", engine], "k3s");
    }
  }
  document.deleteIn(["config", "stepwise:previousPhases", path]);
  return document.toString();
}

describe("rolling back any phase of any path is planned", () => {
  const cases = PATH_IDS.flatMap((path) =>
    MIGRATION_PATHS[path].phases
      .slice(1)
      .map((phase) => [path, phase.id, phase.rollbackTo] as const),
  );

  it.each(cases)("%s: %s → %s", async (path, phase, target) => {
    const text = stackAt(path, phase);
    const step = applyPhaseStep(text, path, "rollback", NOW, "dev", SEED_ABSORBED);
    const { text: after, change } = step;
    expect(change.to).toBe(target);
    const result = await plan("dev", text, after);
    expect(result.moves).toEqual([{ path, from: phase, to: target }]);
    const ledger = result.plan.steps.find((s) => s.urn.endsWith("::phase-ledger"));
    expect(ledger?.op).toBe("update");
    // Every step is one of the engine's operations and the summary adds up.
    const total = Object.values(result.plan.changeSummary).reduce((a, b) => (a ?? 0) + (b ?? 0), 0);
    expect(total).toBe(result.plan.steps.length);
    expect(nonSame(result.plan.steps).length).toBeGreaterThanOrEqual(1);
  });
});

describe("the real-lane stack (local), offline", () => {
  const blocking = (verdicts: readonly Verdict[]) =>
    verdicts.filter((v) => !v.passed && v.level === "mandatory").map((v) => v.ruleId);

  it("walks events forward to retirement and back to redpanda, retirement waits for the window, reads going back to Redpanda for their gates", async () => {
    let text = read("local");
    let at = new Date("2026-12-02T00:00:00.000Z");
    const steps: string[] = [];
    const walk = async (direction: "advance" | "rollback", when: Date) => {
      const { text: after, change } = applyPhaseStep(text, "events", direction, when, "local");
      const result = await planAndCheck({
        program,
        stack: "local",
        before: stackEvaluationConfig(text, "before"),
        after: stackEvaluationConfig(after, "after"),
        now: when,
      });
      steps.push(`${change.from} -> ${change.to}: ${blocking(result.verdicts).join(",") || "ok"}`);
      return { after, result };
    };
    for (let i = 0; i < 4; i++) {
      text = (await walk("advance", at)).after;
      at = new Date(at.getTime() + 86_400_000);
    }
    // kafka-only is the cutover: retiring a day later is inside the 30-day window.
    await walk("advance", at);
    const lateAt = new Date(at.getTime() + 31 * 86_400_000);
    const late = await walk("advance", lateAt);
    text = late.after;
    // Each step back is taken after the one before: entry times never go backwards.
    for (let i = 1; i <= 5; i++) {
      text = (await walk("rollback", new Date(lateAt.getTime() + i * 60_000))).after;
    }
    expect(steps).toEqual([
      "redpanda -> parallel: ok",
      "parallel -> dual-publish: ok",
      "dual-publish -> consumers-on-kafka: ok",
      "consumers-on-kafka -> kafka-only: ok",
      "kafka-only -> redpanda-retired: stateful-delete-after-window",
      "kafka-only -> redpanda-retired: ok",
      "redpanda-retired -> kafka-only: ok",
      // Held until Redpanda has Kafka's records and the offsets are translated back (gates).
      "kafka-only -> consumers-on-kafka: phase-gates",
      "consumers-on-kafka -> dual-publish: phase-gates",
      "dual-publish -> parallel: ok",
      "parallel -> redpanda: ok",
    ]);
  });
});

describe("the real-lane stack (local): engines stay where they run", () => {
  it("refuses moving the external Kafka onto K3s while the phase uses it, not before", async () => {
    const at = new Date("2026-12-02T00:00:00.000Z");
    const moveKafka = (text: string): string => {
      const document = parseDocument(text);
      document.setIn(["config", "stepwise:enginePlacement", "kafka"], "k3s");
      document.deleteIn(["config", "stepwise:externalEngines", "kafka"]);
      return document.toString();
    };
    const verdict = async (before: string, after: string) => {
      const result = await planAndCheck({
        program,
        stack: "local",
        before: stackEvaluationConfig(before, "before"),
        after: stackEvaluationConfig(after, "after"),
        now: at,
      });
      return result.verdicts.filter((v) => v.ruleId === "engine-stays-put" && !v.passed);
    };
    const baseline = read("local");
    // At redpanda no phase uses Kafka yet: placing it elsewhere is free.
    expect(await verdict(baseline, moveKafka(baseline))).toEqual([]);
    const parallel = applyPhaseStep(baseline, "events", "advance", at, "local").text;
    const refused = await verdict(parallel, moveKafka(parallel));
    expect(refused.map((v) => [v.level, v.message.split(". To pass")[0]])).toEqual([
      [
        "mandatory",
        'kafka is in use and moves from "external" to "k3s" (stepwise:enginePlacement.kafka); a new, empty kafka would replace it',
      ],
    ]);
  });
});
