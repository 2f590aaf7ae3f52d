/**
 * stepwise's policy pack in the real engine: a preview with `--policy-pack policies` of a stack
 * holding a PhaseLedger (fixtures/ledger-stack), through tools/engine. This proves the pack
 * loads (PulumiPolicy.yaml, package.json, TypeScript) and that CrossGuard hands the ledger to
 * it. One preview takes ~30 s here.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { resolvePolicySettings } from "../../policies/config";
import { packConfigFor } from "../../policies/pack-config";
import { EngineStack, type PolicyVerdict } from "../../tools/engine";

const FIXTURE = join(__dirname, "fixtures", "ledger-stack");
const PACK = join(__dirname, "..", "..", "policies");

const recent = new Date(Date.now() - 2 * 86_400_000).toISOString();
const passed = { passed: true, recordedAt: recent, detail: "fixture" };
/** events skipped a phase; database took one gated step with its gate and a recent drill. */
const LEDGER = {
  phases: {
    events: { phase: "dual-publish", enteredAt: recent, previous: "redpanda" },
    database: { phase: "citus-provisioned", enteredAt: recent, previous: "postgres" },
  },
  gates: { "data-model-reviewed": passed, "rollback-drill": passed },
};
const PROMETHEUS = stringify({
  scrape_configs: ["redpanda", "kafka", "postgres", "citus"].map((system) => ({
    job_name: system,
    static_configs: [{ targets: [`${system}:9100`], labels: { system } }],
  })),
});

const openFixture = (stack: "prod" | "staging" = "prod") =>
  EngineStack.open({
    projectDir: FIXTURE,
    stack,
    env: {
      STEPWISE_FIXTURE_LEDGER: JSON.stringify(LEDGER),
      STEPWISE_FIXTURE_ENVIRONMENT: stack,
      STEPWISE_FIXTURE_PROMETHEUS: PROMETHEUS,
    },
  });

describe("the pack in the real engine", () => {
  it("blocks the skipped phase and passes the healthy step", async () => {
    const engine = await openFixture();
    let verdict: PolicyVerdict;
    try {
      verdict = await engine.previewPolicies([PACK]);
    } finally {
      engine.dispose();
    }
    expect(verdict.passed).toBe(false);
    expect(
      verdict.violations.map((v) => [v.policyPackName, v.policyName, v.enforcementLevel]),
    ).toEqual([["stepwise-no-big-bang", "one-phase-step", "mandatory"]]);
    expect(verdict.violations[0]?.message).toContain(
      'path "events" moves 2 phases (redpanda → dual-publish) in one update; go to "parallel" first. To pass:',
    );
  }, 300_000);

  it("takes the stack's levels from `stepwise policies pack-config`: advisory warns, does not block", async () => {
    // Staging may make a rule advisory; prod's floor keeps it mandatory (policies/floor.ts).
    const raw = { levels: { "one-phase-step": "advisory" } };
    expect(() => resolvePolicySettings(raw, { stack: "prod" })).toThrow(/below prod's floor/);
    const config = packConfigFor(resolvePolicySettings(raw, { stack: "staging" }), raw);
    const dir = mkdtempSync(join(tmpdir(), "stepwise-pack-config-"));
    const configFile = join(dir, "staging-policy.json");
    writeFileSync(configFile, JSON.stringify(config));
    const engine = await openFixture("staging");
    let verdict: PolicyVerdict;
    try {
      verdict = await engine.previewPolicies([PACK], [configFile]);
    } finally {
      engine.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(verdict.passed).toBe(true);
    expect(verdict.violations.map((v) => [v.policyName, v.enforcementLevel])).toEqual([
      ["one-phase-step", "advisory"],
    ]);
  }, 300_000);
});
