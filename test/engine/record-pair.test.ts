/**
 * The real Pulumi engine (built by test/engine/build-engine.sh) on the record-pair fixture:
 * preview, up, preview after a config change, policy pack, destroy — through tools/engine.
 * Without the engine every test here fails with the message saying how to build it.
 */
import { rmSync } from "fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changedSteps } from "../../tools/engine";
import {
  capturedPlan,
  CHANGED_CONFIG,
  CREDENTIAL,
  openRecordPair,
  POLICY_PACK_DIR,
  readRecords,
  type RecordPairStack,
  stepLines,
  URNS,
} from "./support/record-pair";

describe("the real engine on the record-pair fixture", () => {
  let opened: RecordPairStack | undefined;
  let openError: Error | undefined;

  // Every test fails with the reason the stack could not be opened (e.g. "build the engine
  // with test/engine/build-engine.sh"), rather than being reported as skipped.
  beforeAll(async () => {
    try {
      opened = await openRecordPair();
    } catch (error) {
      openError = error instanceof Error ? error : new Error(String(error));
    }
  });
  function stack(): RecordPairStack {
    if (opened === undefined) throw openError ?? new Error("the fixture stack was not opened");
    return opened;
  }

  afterAll(() => {
    opened?.engine.dispose();
    if (opened) rmSync(opened.stateDir, { recursive: true, force: true });
  });

  it("previews a new stack as creates of the stack, component and four records", async () => {
    const { plan, exitCode } = await stack().engine.previewJson();
    expect(exitCode).toBe(0);
    // The engine orders steps by registration, which async inputs (the secret) can reorder.
    expect(stepLines(plan).sort()).toEqual(
      [
        `create ${URNS.stack}`,
        `create ${URNS.pair}`,
        `create ${URNS.record("anchor")}`,
        `create ${URNS.record("topic")}`,
        `create ${URNS.record("settings")}`,
        `create ${URNS.record("legacy")}`,
      ].sort(),
    );
    expect(plan.steps[0]?.urn).toBe(URNS.stack);
    expect(plan.changeSummary).toEqual({ create: 6 });
    expect(plan.diagnostics).toBeUndefined();
    expect(stepLines(capturedPlan("record-pair.initial.preview.json")).sort()).toEqual(
      stepLines(plan).sort(),
    );
    expect(readRecords(stack().stateDir)).toEqual({}); // a preview runs no provider create
  });

  it("up runs the dynamic provider: one record file per resource, no credential in them", async () => {
    const result = await stack().engine.up();
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toEqual({ create: 6 });
    expect(readRecords(stack().stateDir)).toEqual({
      anchor: { note: "unchanged" },
      topic: { partitions: 1 },
      settings: { retentionMs: 1000 },
      legacy: { role: "old" },
    });
    expect(JSON.stringify(readRecords(stack().stateDir))).not.toContain(CREDENTIAL);
    expect(result.outputs.topicId?.value).toMatch(/^topic-[0-9a-f]{8}$/);
  });

  it("previews the config change as replace, update, delete and create", async () => {
    await stack().engine.setConfig(CHANGED_CONFIG);
    const { plan, exitCode } = await stack().engine.previewJson();
    expect(exitCode).toBe(0);
    // With --show-sames the document lists the unchanged resources too (without it, `--json`
    // lists "same" only for the stack, as the captured document shows).
    expect(stepLines(plan).sort()).toEqual(
      [
        `same ${URNS.stack}`,
        `same ${URNS.pair}`,
        `same ${URNS.record("anchor")}`,
        `replace ${URNS.record("topic")}`,
        `update ${URNS.record("settings")}`,
        `create ${URNS.record("monitor")}`,
        `delete ${URNS.record("legacy")}`,
      ].sort(),
    );
    expect(plan.changeSummary).toEqual({ same: 3, replace: 1, update: 1, create: 1, delete: 1 });
    const byUrn = new Map(plan.steps.map((step) => [step.urn, step]));
    expect(byUrn.get(URNS.record("topic"))).toMatchObject({
      diffReasons: ["values"],
      replaceReasons: ["values"],
      detailedDiff: { "values.partitions": { kind: "update-replace", inputDiff: true } },
      oldState: { inputs: { kind: "topic", values: { partitions: 1 } } },
      newState: { inputs: { kind: "topic", values: { partitions: 3 } } },
    });
    expect(byUrn.get(URNS.record("settings"))).toMatchObject({
      diffReasons: ["values"],
      detailedDiff: { "values.retentionMs": { kind: "update", inputDiff: true } },
      newState: { inputs: { values: { retentionMs: 2000 } } },
    });
    expect(byUrn.get(URNS.record("settings"))?.replaceReasons).toBeUndefined();
    expect(changedSteps(capturedPlan("record-pair.change.preview.json"))).toEqual(
      changedSteps(plan),
    );
  });

  it('shows the secret credential only as "[secret]", in old and new state alike', async () => {
    const { plan } = await stack().engine.previewJson();
    const settings = plan.steps.find((step) => step.urn === URNS.record("settings"));
    expect(settings?.oldState?.inputs?.credential).toBe("[secret]");
    expect(settings?.newState?.inputs?.credential).toBe("[secret]");
    expect(JSON.stringify(plan)).not.toContain(CREDENTIAL);
  });

  it("runs a policy pack: a mandatory violation fails the preview", async () => {
    const verdict = await stack().engine.previewPolicies([POLICY_PACK_DIR]);
    expect(verdict.passed).toBe(false);
    expect(
      verdict.violations.map((violation) => [
        violation.policyPackName,
        violation.policyName,
        violation.enforcementLevel,
        violation.resourceUrn,
        violation.message.trim(),
      ]),
    ).toEqual([
      [
        "stepwise-engine-fixture",
        "topic-partitions-bounded",
        "mandatory",
        URNS.record("topic"),
        "A topic record keeps at most 2 partitions.\npair-topic asks for 3 partitions; at most 2 allowed",
      ],
    ]);
    // The --json document of the same preview has only the failure, not the violation.
    const { plan, exitCode } = await stack().engine.previewJson({ policyPacks: [POLICY_PACK_DIR] });
    expect(exitCode).toBe(1);
    expect(plan.diagnostics).toEqual([{ message: "error: preview failed\n", severity: "error" }]);
    expect(JSON.stringify(plan)).not.toContain("topic-partitions-bounded");
  });

  it("destroy deletes every record the provider wrote", async () => {
    const result = await stack().engine.destroy();
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toEqual({ delete: 6 });
    expect(readRecords(stack().stateDir)).toEqual({});
  });
});
