/**
 * npm run lane — the real lane, ready to try by hand: starts (or reuses) the test services with
 * the Kubernetes control plane, makes the `local` stack in .cache/local-lane (a local file
 * backend and a working copy of the project, so the checkout is never touched), points it at
 * the services, and prints the commands to deploy it and take migration steps. Run it again to
 * keep the stack and re-point it (the services' ports change when they restart).
 * Needs the engine, the control plane and the kubernetes provider built (test/engine/build-*.sh).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadStackConfig } from "../../migrations/config/stack-file-reader";
import { resolvePolicySettings, stackPolicyInput } from "../../policies/config";
import { packConfigFor } from "../../policies/pack-config";
import { EngineStack } from "../../tools/engine";
import { endpoints, startServices } from "../services/manager";
import { MissingPrerequisite } from "../services/prerequisites";
import {
  linkPackageSources,
  PROGRAM_ENV,
  PACK,
  PASSPHRASE,
  pointAtServices,
  PROJECT_DIR,
  REPO_ROOT,
  STACK,
} from "./support/local-stack";

const ROOT = join(REPO_ROOT, ".cache", "local-lane");

async function main(): Promise<void> {
  const { state } = await startServices((line) => console.error(line), { kubernetes: true });
  const engine = await EngineStack.open({
    projectDir: PROJECT_DIR,
    stack: STACK,
    passphrase: PASSPHRASE,
    root: ROOT,
    env: PROGRAM_ENV,
  });
  try {
    linkPackageSources(engine.workDir);
    await pointAtServices(engine, endpoints(state));
    const env = engine.environment();
    const stacks = join(engine.workDir, "stacks");
    const pack = engine.policyLauncher(PACK);
    // The pack's settings for the stack, as `stepwise policies pack-config` prints them.
    const raw = stackPolicyInput(loadStackConfig(join(stacks, `Pulumi.${STACK}.yaml`)).config);
    const packConfig = join(ROOT, "pack-config.json");
    writeFileSync(
      packConfig,
      JSON.stringify(
        packConfigFor(resolvePolicySettings(raw, { stack: STACK }), raw as Record<string, unknown>),
        null,
        2,
      ),
    );
    const up = `(cd ${engine.workDir} && pulumi up --stack ${STACK} --policy-pack ${pack} --policy-pack-config ${packConfig})`;
    const stepwise = `./run npm run --silent stepwise --`;
    console.log(
      [
        `The real lane is ready: stack "${STACK}" in ${engine.workDir}, state in ${env.PULUMI_BACKEND_URL}.`,
        "",
        "In this shell:",
        `  export PULUMI_BACKEND_URL=${env.PULUMI_BACKEND_URL} PULUMI_HOME=${env.PULUMI_HOME}`,
        `  export PULUMI_CONFIG_PASSPHRASE=${PASSPHRASE} PATH=${env.PATH?.split(":")[0]}:$PATH`,
        "",
        "Deploy, take a step, look:",
        `  ${up}`,
        `  ${stepwise} advance ${STACK} events -C ${engine.workDir}`,
        `  ${stepwise} plan ${STACK} --engine -C ${engine.workDir}`,
        `  ${up}`,
        `  ${stepwise} status ${STACK} --deployed -C ${engine.workDir}`,
        `  kubectl --kubeconfig ${state.kubernetes?.kubeconfigFile ?? "?"} -n stepwise get all`,
        "",
        "When done: `npm run services -- stop`, then remove .cache/local-lane.",
      ].join("\n"),
    );
  } finally {
    engine.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(
    error instanceof MissingPrerequisite
      ? `missing prerequisite: ${error.message}`
      : error instanceof Error
        ? error.message
        : error,
  );
  process.exit(error instanceof MissingPrerequisite ? 3 : 1);
});
