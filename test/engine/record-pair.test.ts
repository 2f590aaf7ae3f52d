/**
 * The real Pulumi engine (built by test/engine/build-engine.sh) on the record-pair fixture:
 * preview, up, preview after a config change, policy pack, destroy — through tools/engine.
 * Without the engine every test here fails with the message saying how to build it.
 */
import { rmSync } from "fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
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
  let fixture: RecordPairStack;

  beforeAll(async () => {
    fixture = await openRecordPair();
  });

  afterAll(() => {
    fixture?.engine.dispose();
    if (fixture) rmSync(fixture.stateDir, { recursive: true, force: true });
  });

  it("previews a new stack as creates of the stack, component and four records", async () => {
    const { plan, exitCode } = await fixture.engine.previewJson();
    expect(exitCode).toBe(0);
    expect(stepLines(plan)).toEqual([
      `create ${URNS.stack}`,
      `create ${URNS.pair}`,
      `create ${URNS.record("anchor")}`,
      `create ${URNS.record("topic")}`,
      `create ${URNS.record("settings")}`,
      `create ${URNS.record("legacy")}`,
    ]);
    expect(plan.changeSummary).toEqual({ create: 6 });
    expect(readRecords(fixture.stateDir)).toEqual({}); // a preview runs no provider create
  });

  it("up runs the dynamic provider: one record file per resource, no credential in them", async () => {
    const result = await fixture.engine.up();
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toEqual({ create: 6 });
    expect(readRecords(fixture.stateDir)).toEqual({
      anchor: { note: "unchanged" },
      topic: { partitions: 1 },
      settings: { retentionMs: 1000 },
      legacy: { role: "old" },
    });
    expect(JSON.stringify(readRecords(fixture.stateDir))).not.toContain(CREDENTIAL);
    expect(result.outputs.topicId?.value).toMatch(/^topic-[0-9a-f]{8}$/);
  });

  it("previews the config change as same, replace, update, delete and create", async () => {
    await fixture.engine.setConfig(CHANGED_CONFIG);
    const { plan, exitCode } = await fixture.engine.previewJson();
    expect(exitCode).toBe(0);
    expect(stepLines(plan)).toEqual([
      `same ${URNS.stack}`,
      `same ${URNS.pair}`,
      `same ${URNS.record("anchor")}`,
      `replace ${URNS.record("topic")}`,
      `update ${URNS.record("settings")}`,
      `create ${URNS.record("monitor")}`,
      `delete ${URNS.record("legacy")}`,
    ]);
    const byUrn = new Map(plan.steps.map((step) => [step.urn, step]));
    expect(byUrn.get(URNS.record("topic"))).toMatchObject({
      diffReasons: ["values"],
      replaceReasons: ["values"],
      oldState: { inputs: { kind: "topic", values: { partitions: 1 } } },
      newState: { inputs: { kind: "topic", values: { partitions: 3 } } },
    });
    expect(byUrn.get(URNS.record("settings"))).toMatchObject({
      diffReasons: ["values"],
      newState: { inputs: { values: { retentionMs: 2000 } } },
    });
  });

  it('shows the secret credential only as "[secret]", in old and new state alike', async () => {
    const { plan } = await fixture.engine.previewJson();
    const settings = plan.steps.find((step) => step.urn === URNS.record("settings"));
    expect(settings?.oldState?.inputs?.credential).toBe("[secret]");
    expect(settings?.newState?.inputs?.credential).toBe("[secret]");
    expect(JSON.stringify(plan)).not.toContain(CREDENTIAL);
  });

  it("runs a policy pack: a mandatory violation fails the preview", async () => {
    const { plan, exitCode, stderr } = await fixture.engine.previewJson({
      policyPacks: [POLICY_PACK_DIR],
    });
    expect(exitCode).not.toBe(0);
    const reported = JSON.stringify(plan) + stderr;
    expect(reported).toContain("topic-partitions-bounded");
    expect(reported).toContain("pair-topic asks for 3 partitions; at most 2 allowed");
  });

  it("destroy deletes every record the provider wrote", async () => {
    const result = await fixture.engine.destroy();
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toEqual({ delete: 6 });
    expect(readRecords(fixture.stateDir)).toEqual({});
  });
});
