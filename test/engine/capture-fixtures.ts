/**
 * Captures real `pulumi preview --json` documents of the record-pair fixture into
 * test/fixtures/engine/, for the review renderer and planner tests that must not need the
 * engine. Run after building the engine:
 *
 *   ./run npx tsx test/engine/capture-fixtures.ts
 *
 * Only temp paths are rewritten (to "<tmp>"); a document holding the plain credential is refused.
 */
import { mkdirSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { format, resolveConfig } from "prettier";
import type { EnginePreview } from "../../tools/engine";
import {
  CAPTURED_DIR,
  CHANGED_CONFIG,
  CREDENTIAL,
  openRecordPair,
  POLICY_PACK_DIR,
  stepLines,
} from "./support/record-pair";

/** Writes JSON as the repository's Prettier would (layout only; the content is the engine's). */
async function writeJson(name: string, value: unknown): Promise<void> {
  const text = JSON.stringify(value);
  if (text.includes(CREDENTIAL)) throw new Error(`${name}: the credential is in plain text`);
  const scrubbed = text.split(tmpdir()).join("<tmp>");
  const file = join(CAPTURED_DIR, name);
  const options = (await resolveConfig(file)) ?? {};
  writeFileSync(file, await format(scrubbed, { ...options, filepath: file }));
}

async function write(name: string, preview: EnginePreview): Promise<void> {
  await writeJson(name, preview.plan);
  console.log(`${name} (exit ${preview.exitCode}):\n  ${stepLines(preview.plan).join("\n  ")}`);
}

async function main(): Promise<void> {
  mkdirSync(CAPTURED_DIR, { recursive: true });
  const { engine, stateDir } = await openRecordPair();
  try {
    await write("record-pair.initial.preview.json", await engine.previewJson());
    await engine.up();
    await write("record-pair.unchanged.preview.json", await engine.previewJson());
    await engine.setConfig(CHANGED_CONFIG);
    await write("record-pair.change.preview.json", await engine.previewJson());
    const policed = await engine.previewJson({ policyPacks: [POLICY_PACK_DIR] });
    await write("record-pair.change-with-policy.preview.json", policed);
    // The violations themselves come only through the event stream.
    const verdict = await engine.previewPolicies([POLICY_PACK_DIR]);
    await writeJson("record-pair.change.policy-events.json", verdict);
    await engine.destroy();
  } finally {
    engine.dispose();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
