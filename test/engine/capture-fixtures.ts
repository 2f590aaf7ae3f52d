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
import type { EnginePreview } from "../../tools/engine";
import {
  CHANGED_CONFIG,
  CREDENTIAL,
  openRecordPair,
  POLICY_PACK_DIR,
  stepLines,
} from "./support/record-pair";

const OUT_DIR = join(__dirname, "..", "fixtures", "engine");

function write(name: string, preview: EnginePreview): void {
  const text = JSON.stringify(preview.plan, null, 2);
  if (text.includes(CREDENTIAL)) throw new Error(`${name}: the credential is in plain text`);
  const scrubbed = text.split(tmpdir()).join("<tmp>");
  writeFileSync(join(OUT_DIR, name), `${scrubbed}\n`);
  console.log(`${name} (exit ${preview.exitCode}):\n  ${stepLines(preview.plan).join("\n  ")}`);
}

async function main(): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  const { engine, stateDir } = await openRecordPair();
  try {
    write("record-pair.initial.preview.json", await engine.previewJson());
    await engine.up();
    write("record-pair.unchanged.preview.json", await engine.previewJson());
    await engine.setConfig(CHANGED_CONFIG);
    write("record-pair.change.preview.json", await engine.previewJson());
    const policed = await engine.previewJson({ policyPacks: [POLICY_PACK_DIR] });
    write("record-pair.change-with-policy.preview.json", policed);
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
