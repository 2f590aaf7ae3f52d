/**
 * The record-pair fixture project (test/engine/fixtures/record-pair) and its two states, shared
 * by the engine tests and the fixture capture script.
 */
import { mkdtempSync, readdirSync, readFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import type { Plan } from "../../../migrations/plan-model";
import { EngineStack, parsePreviewDocument } from "../../../tools/engine";

export const RECORD_PAIR_DIR = join(__dirname, "..", "fixtures", "record-pair");
export const POLICY_PACK_DIR = join(__dirname, "..", "fixtures", "policy-pack");
export const STACK = "dev";
/** Where capture-fixtures.ts writes the real preview documents. */
export const CAPTURED_DIR = join(__dirname, "..", "..", "fixtures", "engine");
/** A made-up credential: the tests prove it never appears in plain text. */
export const CREDENTIAL = "fixture-credential-4f2b9c";

/** The committed stacks/Pulumi.dev.yaml holds the initial values; the secret is set here. */
export const INITIAL_CONFIG: ConfigMap = {
  credential: { value: CREDENTIAL, secret: true },
};

/** One config change that gives one resource of each step kind (see the fixture's index.ts). */
export const CHANGED_CONFIG: ConfigMap = {
  partitions: { value: "3" },
  retentionMs: { value: "2000" },
  withLegacy: { value: "false" },
  withMonitor: { value: "true" },
};

const URN_PREFIX = `urn:pulumi:${STACK}::record-pair::`;
const PAIR = "stepwise:fixture:RecordPair";
const RECORD = "pulumi-nodejs:dynamic/fixture:Record";

export const URNS = {
  stack: `${URN_PREFIX}pulumi:pulumi:Stack::record-pair-${STACK}`,
  pair: `${URN_PREFIX}${PAIR}::pair`,
  record: (name: string) => `${URN_PREFIX}${PAIR}$${RECORD}::pair-${name}`,
} as const;

export interface RecordPairStack {
  readonly engine: EngineStack;
  /** Where the fixture's dynamic provider writes one JSON file per record. */
  readonly stateDir: string;
}

export async function openRecordPair(): Promise<RecordPairStack> {
  const stateDir = mkdtempSync(join(tmpdir(), "stepwise-records-"));
  const engine = await EngineStack.open({
    projectDir: RECORD_PAIR_DIR,
    stack: STACK,
    env: { STEPWISE_ENGINE_FIXTURE_STATE: stateDir },
  });
  await engine.setConfig(INITIAL_CONFIG);
  return { engine, stateDir };
}

/** The steps as "op urn" lines in the engine's order: the part of a plan tests compare. */
export function stepLines(plan: Plan): string[] {
  return plan.steps.map((step) => `${step.op} ${step.urn}`);
}

/** The records the provider wrote, as `kind -> values`. */
export function readRecords(stateDir: string): Record<string, unknown> {
  const records: Record<string, unknown> = {};
  for (const file of readdirSync(stateDir).sort()) {
    const record = JSON.parse(readFileSync(join(stateDir, file), "utf8")) as {
      kind: string;
      values: unknown;
    };
    records[record.kind] = record.values;
  }
  return records;
}

/** A preview document captured from the engine into test/fixtures/engine. */
export function capturedPlan(name: string): Plan {
  const file = join(CAPTURED_DIR, name);
  return parsePreviewDocument(readFileSync(file, "utf8"), file);
}
