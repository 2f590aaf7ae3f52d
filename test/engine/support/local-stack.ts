/**
 * The seed platform's local stack (examples/seed-platform/stacks/Pulumi.local.yaml) pointed at
 * the test services. Free of vitest, so
 * the engine tests and `npm run lane` (a lane to try by hand) share it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { EngineStack } from "../../../tools/engine";
import type { ServiceEndpoints } from "../../services/manager";
import { SEED_PLATFORM_DIR } from "../../support/seed-platform";

export const REPO_ROOT = join(__dirname, "..", "..", "..");
export const STACK = "local";
/** The Pulumi project the lane deploys: the seed platform. */
export const PROJECT_DIR = SEED_PLATFORM_DIR;
/**
 * What the engine's Node.js processes need to run the example from the repository's sources: tsx,
 * loaded first, resolves "stepwise-iac" through the example's tsconfig.json `paths` and compiles
 * the TypeScript; ts-node, which the SDK then registers too, only transpiles tsx's output. (The
 * language host built here takes no runtime options from Pulumi.yaml, so they cannot say it.)
 */
export const FROM_SOURCES: Readonly<Record<string, string>> = {
  NODE_OPTIONS: "--require tsx/cjs",
  PULUMI_NODEJS_TRANSPILE_ONLY: "true",
};
export const PACK = join(REPO_ROOT, "policies");
/** The passphrase of the bundled stacks' demo secrets (their header comment names it). */
export const PASSPHRASE = "stepwise-demo";

/**
 * Points the local stack at the test services: its external engines at the two Kafka clusters
 * (legacy standing in for Redpanda) and PostgreSQL's two databases, its kubernetes provider at
 * the test API server (the kubeconfig as a secret). `pulumi config set --path` on its stack file.
 */
export async function pointAtServices(
  engine: EngineStack,
  endpoints: ServiceEndpoints,
): Promise<void> {
  const pg = endpoints.postgres;
  const kubernetes = endpoints.kubernetes;
  if (!kubernetes) throw new Error("the test services run no Kubernetes control plane");
  const database = (name: "postgres" | "citus", db: string) => ({
    [`stepwise:externalEngines.${name}.host`]: { value: pg.host },
    [`stepwise:externalEngines.${name}.port`]: { value: String(pg.port) },
    [`stepwise:externalEngines.${name}.user`]: { value: pg.user },
    [`stepwise:externalEngines.${name}.database`]: { value: db },
    [`stepwise:externalEngines.${name}.password`]: { value: pg.password, secret: true },
  });
  await engine.setConfig(
    {
      "stepwise:externalEngines.redpanda.bootstrap": { value: endpoints.kafka.legacy.bootstrap },
      "stepwise:externalEngines.kafka.bootstrap": { value: endpoints.kafka.target.bootstrap },
      ...database("postgres", pg.databases.legacy),
      ...database("citus", pg.databases.target),
    },
    { path: true },
  );
  await engine.setConfig({
    "stepwise:kubeconfig": { value: readFileSync(kubernetes.kubeconfigFile, "utf8"), secret: true },
  });
}
