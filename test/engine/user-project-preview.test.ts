/**
 * A team's own project on the real engine: stepwise packed and installed into a temp copy of
 * test/fixtures/user-project (test/package/installed-project.ts, as the packaging test does),
 * its `local` stack (services on K3s, engines external) pointed at the test services, and the
 * real `pulumi preview` run there: the built CLI and Node.js language host run the project's
 * index.ts, which loads stepwise from the installed dist/, with the built kubernetes provider.
 * The namespace exists before the preview, so the provider sends every object to the test
 * API server as a server-side dry run: without it the provider skips that for objects in a
 * namespace still to be created, and a cluster it cannot reach (a wrong server or token, a
 * kubeconfig that does not parse) previews just as quietly, exit 0 and no warning (tried by
 * hand); the test reads the server's answers from the engine's event log to be sure.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Plan, PlanStep } from "../../migrations/plan-model";
import { EngineStack, type EnginePreview } from "../../tools/engine";
import {
  FIXTURE_PASSPHRASE,
  packAndInstall,
  PROJECT_NAME,
  REPO,
  type InstalledProject,
} from "../package/installed-project";
import { kubeCreate, kubeRequest } from "../services/kube-api";
import { pointAtServices } from "./support/local-stack";
import { kube } from "./support/real-state";

const STACK = "local";
/** A new namespace per run, so a reused API server holds nothing from an earlier one. */
const NAMESPACE = `ledger-${Date.now().toString(36)}`;
const SEED = /product-catalog|orders|inventory|platform-coordination/;

let installed: InstalledProject | undefined;
let engine: EngineStack | undefined;
let preview: EnginePreview;

beforeAll(async () => {
  installed = packAndInstall("stepwise-user-engine-");
  await kubeCreate(kube(), "/api/v1/namespaces", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: NAMESPACE },
  });
  engine = await EngineStack.open({
    projectDir: installed.project,
    stack: STACK,
    passphrase: FIXTURE_PASSPHRASE,
  });
  await pointAtServices(engine, inject("services"));
  await engine.setConfig({ "stepwise:k3s.namespace": { value: NAMESPACE } }, { path: true });
  preview = await engine.previewJson();
}, 600_000);

afterAll(async () => {
  engine?.dispose();
  if (installed) rmSync(installed.scratch, { recursive: true, force: true });
  await kubeRequest(kube(), "DELETE", `/api/v1/namespaces/${NAMESPACE}`);
});

/** The installed `stepwise` command in the project, as `npx stepwise` runs it there. */
function stepwise(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const bin = join(installed!.project, "node_modules", ".bin", "stepwise");
  return spawnSync(bin, args, { cwd: installed!.project, encoding: "utf8" });
}

function kubernetesObject(step: PlanStep): string {
  const inputs = (step.newState?.inputs ?? {}) as {
    kind?: string;
    metadata?: { name?: string; namespace?: string };
  };
  const where = inputs.metadata?.namespace ? `${inputs.metadata.namespace}/` : "";
  return `${inputs.kind} ${where}${inputs.metadata?.name}`;
}

/**
 * The providers' answers to the preview (each resource's planned outputs), by URN, from the
 * engine's event log: the `--json` document holds only inputs.
 */
function previewOutputs(eventLog: string): Map<string, Record<string, unknown>> {
  const events = readFileSync(eventLog, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as EngineEvent);
  return new Map(
    events.flatMap((event) => {
      const step = event.resOutputsEvent?.metadata;
      return step?.new?.outputs ? [[step.urn, step.new.outputs] as const] : [];
    }),
  );
}

function stepOf(plan: Plan, name: string): PlanStep {
  const step = plan.steps.find((candidate) => candidate.urn.endsWith(`::${name}`));
  if (!step) throw new Error(`the preview has no resource named ${name}`);
  return step;
}

const urnOf = (plan: Plan, name: string): string => stepOf(plan, name).urn;
const inputsOf = (plan: Plan, name: string): Record<string, unknown> =>
  stepOf(plan, name).newState?.inputs ?? {};

describe(`pulumi preview of ${PROJECT_NAME} (stepwise installed from its tarball)`, () => {
  it("succeeds without errors, every resource the project's own", () => {
    const errors = (preview.plan.diagnostics ?? []).filter((d) => d.severity === "error");
    expect(errors.map((d) => d.message)).toEqual([]);
    expect(preview.exitCode).toBe(0);
    expect(preview.plan.steps.every((step) => step.op === "create")).toBe(true);
    expect(
      preview.plan.steps.every((step) =>
        step.urn.startsWith(`urn:pulumi:${STACK}::${PROJECT_NAME}::`),
      ),
    ).toBe(true);
    expect(preview.plan.steps.filter((step) => SEED.test(step.urn))).toEqual([]);
  });

  it("plans the team's two services on K3s and the stack's Prometheus, nothing else", () => {
    const objects = preview.plan.steps
      .filter((step) => step.newState?.type.startsWith("kubernetes:"))
      .map(kubernetesObject)
      .sort();
    expect(objects).toEqual(
      [
        `Namespace ${NAMESPACE}`,
        ...["ledger-api", "ledger-worker", "platform-prometheus"].flatMap((name) => [
          `Deployment ${NAMESPACE}/${name}`,
          `Service ${NAMESPACE}/${name}`,
          `ConfigMap ${NAMESPACE}/${name}-config`,
        ]),
        `Secret ${NAMESPACE}/ledger-api-secret`,
        `Secret ${NAMESPACE}/ledger-worker-secret`,
      ].sort(),
    );
    const deployment = inputsOf(preview.plan, "platform-k3s-ledger-api") as {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    expect(deployment.spec.template.spec.containers.map((c) => c.image)).toEqual([
      "example/ledger-api:3.2.0",
    ]);
    const ports = (name: string) =>
      (
        inputsOf(preview.plan, `platform-k3s-${name}-service`) as {
          spec: { ports: { port: number }[] };
        }
      ).spec.ports.map((port) => port.port);
    expect(ports("ledger-api")).toEqual([9090]);
    expect(ports("ledger-worker")).toEqual([9091]);
  });

  it("sent every Kubernetes object to the test API server, which accepted it in a dry run", () => {
    const outputs = previewOutputs(preview.eventLog);
    const answered = preview.plan.steps
      .filter((step) => step.newState?.type.startsWith("kubernetes:"))
      .map((step) => {
        const metadata = (outputs.get(step.urn)?.metadata ?? {}) as Record<string, unknown>;
        return `${kubernetesObject(step)} ${typeof metadata.uid} ${typeof metadata.creationTimestamp}`;
      });
    expect(answered.length).toBe(12);
    expect(answered.filter((line) => !line.endsWith(" string string"))).toEqual([]);
    const deployment = outputs.get(urnOf(preview.plan, "platform-k3s-ledger-api")) as {
      spec: { revisionHistoryLimit?: number };
    };
    // Filled in by the server, not declared by stepwise.
    expect(deployment.spec.revisionHistoryLimit).toBe(10);
  });

  it("plans the topic ledger-entries on the external Redpanda stand-in, and the ledger", () => {
    const topic = inputsOf(preview.plan, "topics-redpanda-ledger-entries");
    expect(topic).toMatchObject({
      name: "ledger-entries",
      partitions: 3,
      configs: { "retention.ms": "86400000" },
      bootstrap: inject("services").kafka.legacy.bootstrap,
    });
    const types = preview.plan.steps.map((step) => step.newState?.type);
    expect(types.filter((type) => type?.startsWith("pulumi-nodejs:dynamic/")).sort()).toEqual([
      "pulumi-nodejs:dynamic/stepwise:PhaseLedger",
      "pulumi-nodejs:dynamic/stepwise:Topic",
    ]);
  });

  // A dynamic provider is serialized as requires of the modules defining it: they must name
  // the installed package's exports, never a path into this repository.
  it("serializes its dynamic providers as requires of the installed stepwise-iac", () => {
    const required = preview.plan.steps.flatMap((step) => {
      const provider = step.newState?.inputs?.__provider;
      return typeof provider === "string"
        ? [...provider.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1])
        : [];
    });
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((module) => !module?.startsWith("stepwise-iac/internal/"))).toEqual([]);
    expect(JSON.stringify(preview.plan.steps)).not.toContain(REPO);
  });
});

describe(`the installed stepwise command in ${PROJECT_NAME}`, () => {
  it("plans the first deployment offline with exactly the engine's resources", () => {
    const result = stepwise("plan", STACK, "--initial", "--json");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const offline = (JSON.parse(result.stdout) as Plan).steps.map((s) => `${s.op} ${s.urn}`);
    const engineSteps = preview.plan.steps
      .filter((step) => step.newState?.type !== "pulumi:pulumi:Stack")
      .map((step) => `${step.op} ${step.urn}`);
    expect(offline.sort()).toEqual(engineSteps.sort());
  });

  it("shows the stack's status and plans advancing events", () => {
    const status = stepwise("status", STACK);
    expect(status.stderr).toBe("");
    expect(status.stdout).toMatch(/^local +platform +compose-retired /m);
    const plan = stepwise("plan", STACK, "--advance", "events", "--json");
    expect(plan.stderr).toBe("");
    expect(plan.status).toBe(0);
    const steps = (JSON.parse(plan.stdout) as Plan).steps.map(
      (step) => `${step.op} ${step.urn.split("::").pop()}`,
    );
    expect(steps).toEqual(
      expect.arrayContaining([
        "same platform-k3s-ledger-api",
        "same platform-k3s-ledger-worker",
        "same topics-redpanda-ledger-entries",
        "create topics-kafka-ledger-entries",
        "update phase-ledger",
      ]),
    );
    expect(steps.filter((step) => SEED.test(step))).toEqual([]);
  });
});
