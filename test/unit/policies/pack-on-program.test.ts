/**
 * The CrossGuard policies on what the real program registers for the bundled stacks (under
 * mocks), handed over the way CrossGuard hands them: secrets unwrapped, one resource at a time
 * for resource policies, all of them for stack policies.
 */
import { readFileSync } from "node:fs";
import type { PolicyResource, ResourceValidation } from "@pulumi/policy";
import { parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { stepwiseProgram, type ProgramOptions } from "../../../migrations/program";
import { packPolicies } from "../../../policies/pack/pack-policies";
import { isSecretValue, type RegisteredResource } from "../../../tools/evaluate";
import { planOffline } from "../../../tools/plan/offline-planner";
import { stackEvaluationConfig } from "../../../tools/plan/evaluation-config";
import { applyPhaseStep } from "../../../tools/stackfile";
import { NOW, collector, policyResource, resourceArgs, stackArgs } from "./support";
import { SEED_PLATFORM, seedServices, seedStackFile } from "../../support/seed-platform";

const read = (stack: string) => readFileSync(seedStackFile(stack), "utf8");

/** CrossGuard shows a policy secret values unwrapped. */
function unwrapSecrets(value: unknown): unknown {
  if (isSecretValue(value)) return unwrapSecrets(value.secret);
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

/** What the program registers for a stack file's text, as the stack named `stack`. */
async function registered(
  stack: string,
  text: string,
  services?: ProgramOptions["services"],
): Promise<RegisteredResource[]> {
  const config = stackEvaluationConfig(text, stack);
  const result = await planOffline({
    program: () => stepwiseProgram({ ...SEED_PLATFORM, ...(services ? { services } : {}) }),
    stack,
    before: config,
    after: config,
  });
  return [...result.after];
}

/** Every violation every pack policy reports, as "<policy>: <message>". */
function runPack(stack: string, resources: RegisteredResource[]): string[] {
  const out: string[] = [];
  const asPolicy = (r: RegisteredResource): PolicyResource =>
    policyResource(r.type, r.name, unwrapSecrets(r.inputs) as Record<string, unknown>, stack);
  for (const policy of packPolicies(() => NOW)) {
    const { report, violations } = collector();
    if ("validateStack" in policy) {
      void policy.validateStack(stackArgs(resources.map(asPolicy)), report);
    } else {
      const validate = policy.validateResource as ResourceValidation;
      for (const r of resources.filter((x) => x.custom)) {
        void validate(
          resourceArgs(
            r.type,
            r.name,
            unwrapSecrets(r.inputs) as Record<string, unknown>,
            {},
            stack,
          ),
          report,
        );
      }
    }
    out.push(...violations.map((v) => `${policy.name}: ${v.message.split(". To pass")[0] ?? ""}`));
  }
  return out;
}

describe("the pack on the program's resources", () => {
  it("finds nothing wrong with prod as bundled, nor with prod one step further", async () => {
    const prod = read("prod");
    expect(runPack("prod", await registered("prod", prod))).toEqual([]);
    const advanced = applyPhaseStep(prod, "events", "advance", NOW, "prod").text;
    expect(runPack("prod", await registered("prod", advanced))).toEqual([]);
  });

  it("reports a skipped phase from the PhaseLedger alone", async () => {
    const document = parseDocument(read("prod"));
    document.setIn(["config", "stepwise:phases", "database"], "dual-write");
    document.setIn(["config", "stepwise:previousPhases", "database"], "postgres");
    document.setIn(["config", "stepwise:enteredAt", "database"], NOW.toISOString());
    expect(runPack("prod", await registered("prod", document.toString()))).toEqual([
      'one-phase-step: path "database" moves 2 phases (postgres → dual-write) in one update; go to "citus-provisioned" first',
    ]);
  });

  it("reports staging's K3s workloads and missing drill once the stack is prod", async () => {
    const document = parseDocument(read("staging"));
    document.setIn(["config", "stepwise:environment"], "prod");
    const violations = runPack("prod", await registered("prod", document.toString()));
    // staging records no rollback drill: fine there (advisory), blocking in prod.
    expect(violations.filter((v) => !v.startsWith("k3s-prod-workloads: "))).toEqual([
      'rollback-drill-recent: path "events" steps forward to "parallel" in prod with no rollback drill recorded',
      'rollback-drill-recent: path "platform" steps forward to "coordination-on-k3s" in prod with no rollback drill recorded',
      'rollback-drill-recent: path "database" steps forward to "citus-provisioned" in prod with no rollback drill recorded',
    ]);
    // Coordination runs one replica on purpose and says why; without the reason it is flagged.
    expect(violations.filter((v) => v.startsWith("k3s-prod-workloads: "))).toEqual([]);
    const unexplained = await registered("prod", document.toString(), (url) =>
      seedServices(url).map((s) => ({ ...s, singleReplicaReason: undefined })),
    );
    expect(runPack("prod", unexplained)).toContain(
      "k3s-prod-workloads: platform-k3s-platform-coordination: replicas = 1; prod needs at least 2",
    );
  });
});
