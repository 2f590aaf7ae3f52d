/**
 * Runs the real engine's preview on the seed platform (examples/seed-platform):
 *
 *   PULUMI_CONFIG_PASSPHRASE=<the stacks' passphrase> ./run npx tsx test/engine/preview-program.ts [stack]
 *
 * (default stack: dev; the demo stacks name their passphrase in their header comment). The
 * dev, staging and prod stacks stop where the program first needs the docker provider, which
 * cannot be had here; `local` previews whole once the kubernetes provider is built (its
 * engines are external), though it reaches the test cluster only as `npm run lane` points it.
 */
import { EngineStack } from "../../tools/engine";
import { SEED_PLATFORM_DIR } from "../support/seed-platform";
import { linkPackageSources, PROGRAM_ENV } from "./support/local-stack";

async function main(stackName: string): Promise<void> {
  const engine = await EngineStack.open({
    projectDir: SEED_PLATFORM_DIR,
    stack: stackName,
    env: PROGRAM_ENV,
  });
  try {
    linkPackageSources(engine.workDir);
    const started = Date.now();
    const { plan, exitCode } = await engine.previewJson();
    console.log(`pulumi preview --json: exit ${exitCode} after ${Date.now() - started} ms`);
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
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
