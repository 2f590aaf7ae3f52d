import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planOffline } from "../../../tools/plan/offline-planner";
import { stackEvaluationConfig } from "../../../tools/plan/evaluation-config";
import fixtureProgram from "../../fixtures/plans/program";

const stackText = readFileSync(
  join(__dirname, "../../fixtures/plans/stacks/Pulumi.dev.yaml"),
  "utf8",
);
const withPhase = (path: string, phase: string) =>
  stackText.replace(new RegExp(`(\\n    ${path}: )[a-z-]+`), `$1${phase}`);
const config = (text: string) => stackEvaluationConfig(text, "Pulumi.dev.yaml");
const urn = (type: string, name: string) => `urn:pulumi:dev::stepwise::${type}::${name}`;
const ops = (steps: { op: string; urn: string }[]) =>
  steps.filter((s) => s.op !== "same").map((s) => [s.op, s.urn.split("::").slice(2).join("::")]);

describe("planOffline on the fixture program", () => {
  it("plans nothing but same steps when both configurations are equal", async () => {
    const { plan, before } = await planOffline({
      program: fixtureProgram,
      stack: "dev",
      before: config(stackText),
      after: config(stackText),
    });
    // network, redpanda+kafka (volume+container each), postgres (volume+container), 2 services,
    // the phase ledger
    expect(before).toHaveLength(10);
    expect(plan.steps.map((s) => s.op)).toEqual(Array(10).fill("same"));
    expect(plan.changeSummary).toEqual({ same: 10 });
    expect(plan.stepwise?.source).toBe("offline");
    expect(plan.stepwise?.note).toMatch(/desired-state diff.*not a provider diff/);
  });

  it("advancing events to dual-publish updates the producers' env and nothing else", async () => {
    const { plan } = await planOffline({
      program: fixtureProgram,
      stack: "dev",
      before: config(stackText),
      after: config(withPhase("events", "dual-publish")),
    });
    // envs is not in the Docker container's in-place list: the provider would replace.
    expect(ops(plan.steps)).toEqual([
      // The ledger has no pending inputs, so it registers before the containers.
      ["update", "pulumi-nodejs:dynamic/stepwise:PhaseLedger::phase-ledger"],
      ["replace", "docker:index/container:Container::orders"],
      ["replace", "docker:index/container:Container::inventory"],
    ]);
    const orders = plan.steps.find(
      (s) => s.urn === urn("docker:index/container:Container", "orders"),
    );
    expect(orders?.diffReasons).toEqual(["envs"]);
    expect(orders?.replaceReasons).toEqual(["envs"]);
    // The env list carries the database password, so the engine (and we) show it as a secret.
    expect(orders?.newState?.inputs?.envs).toBe("[secret]");
  });

  it("rolling events back to redpanda deletes Kafka's container and volume, in reverse order", async () => {
    const { plan } = await planOffline({
      program: fixtureProgram,
      stack: "dev",
      before: config(stackText),
      after: config(withPhase("events", "redpanda")),
    });
    expect(ops(plan.steps)).toEqual([
      ["update", "pulumi-nodejs:dynamic/stepwise:PhaseLedger::phase-ledger"],
      ["delete", "docker:index/container:Container::kafka"],
      ["delete", "docker:index/volume:Volume::kafka-data"],
    ]);
    expect(plan.changeSummary).toEqual({ same: 7, update: 1, delete: 2 });
  });

  it("provisioning Citus creates its volume and container; isolation: nothing of the first run leaks", async () => {
    const first = await planOffline({
      program: fixtureProgram,
      stack: "dev",
      before: config(stackText),
      after: config(withPhase("database", "citus-provisioned")),
    });
    expect(ops(first.plan.steps)).toEqual([
      ["create", "docker:index/volume:Volume::citus-data"],
      ["update", "pulumi-nodejs:dynamic/stepwise:PhaseLedger::phase-ledger"],
      ["create", "docker:index/container:Container::citus"],
    ]);
    // The same evaluation again, in the same process, gives the same plan.
    const second = await planOffline({
      program: fixtureProgram,
      stack: "dev",
      before: config(stackText),
      after: config(withPhase("database", "citus-provisioned")),
    });
    expect(second.plan.steps).toEqual(first.plan.steps);
    expect(second.after.map((r) => r.urn)).toEqual(first.after.map((r) => r.urn));
  });

  it("isolates the two evaluations: a config key only the first had does not reach the second", async () => {
    const withImage = stackText.replace(
      "config:\n",
      'config:\n  stepwise:image: "example/orders:2.0.0"\n',
    );
    const { plan, before, after } = await planOffline({
      program: fixtureProgram,
      stack: "dev",
      before: config(withImage),
      after: config(stackText),
    });
    const image = (resources: typeof before, name: string) =>
      resources.find((r) => r.name === name)?.inputs.image;
    expect(image(before, "orders")).toBe("example/orders:2.0.0");
    // A leak of the first configuration would leave 2.0.0 here.
    expect(image(after, "orders")).toBe("example/orders:1.0.0");
    expect(ops(plan.steps)).toEqual([
      ["replace", "docker:index/container:Container::orders"],
      ["replace", "docker:index/container:Container::inventory"],
    ]);
    expect(plan.steps.find((s) => s.op === "replace")?.replaceReasons).toEqual(["image"]);
  });

  it("reports invalid config as a ProgramEvaluationError naming the stack and the key", async () => {
    await expect(
      planOffline({
        program: fixtureProgram,
        stack: "dev",
        before: config(stackText),
        after: config(withPhase("events", "kafak")),
      }),
    ).rejects.toThrow(
      /stack dev \(after\): config stepwise:phases.events: "kafak" is not a phase of events; valid: redpanda, parallel/,
    );
  });
});
