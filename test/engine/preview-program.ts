/**
 * Runs the real engine's preview on the stepwise program itself (repository root index.ts):
 *
 *   ./run npx tsx test/engine/preview-program.ts [stack]      (default: dev)
 *
 * The checked-in stack files carry placeholder `secure:` values that no passphrase decrypts, so
 * the working copy gets stand-ins encrypted with the throwaway passphrase instead (the copy only;
 * stacks/ is never written). Here the preview is expected to stop where the program first
 * needs a provider plugin that cannot be had on this machine (docker, kubernetes, postgresql).
 */
import { readFileSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { EngineStack } from "../../tools/engine";

const SECURE_ENTRY = /\n {2}stepwise:([A-Za-z0-9]+):\n {4}secure: \S+/g;

async function main(stackName: string): Promise<void> {
  const engine = await EngineStack.open({
    projectDir: resolve(__dirname, "..", ".."),
    stack: stackName,
  });
  try {
    const file = join(engine.workDir, "stacks", `Pulumi.${stackName}.yaml`);
    const text = readFileSync(file, "utf8");
    const standIns: ConfigMap = {};
    for (const [, key] of text.matchAll(SECURE_ENTRY)) {
      standIns[key] = { value: `stand-in-${key}`, secret: true };
    }
    writeFileSync(file, text.replace(SECURE_ENTRY, ""));
    await engine.setConfig(standIns);
    const started = Date.now();
    const { plan, exitCode } = await engine.previewJson();
    console.log(`pulumi preview --json: exit ${exitCode} after ${Date.now() - started} ms`);
    console.log(`secure values replaced by stand-ins: ${Object.keys(standIns).join(", ")}`);
    console.log(`change summary: ${JSON.stringify(plan.changeSummary)}`);
    for (const step of plan.steps) console.log(`  ${step.op} ${step.urn}`);
    for (const diagnostic of plan.diagnostics ?? []) {
      console.log(
        `${diagnostic.severity}: ${diagnostic.urn ?? ""}\n  ${diagnostic.message.trim()}`,
      );
    }
    process.exitCode = exitCode === 0 ? 0 : 1;
  } finally {
    engine.dispose();
  }
}

main(process.argv[2] ?? "dev").catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
