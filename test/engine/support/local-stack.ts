/**
 * The seed platform's local stack (examples/seed-platform/stacks/Pulumi.local.yaml) pointed at
 * the test services. Free of vitest, so
 * the engine tests and `npm run lane` (a lane to try by hand) share it.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { EngineStack } from "../../../tools/engine";
import type { ServiceEndpoints } from "../../services/manager";
import { SEED_PLATFORM_DIR } from "../../support/seed-platform";

export const REPO_ROOT = join(__dirname, "..", "..", "..");
export const STACK = "local";
/** The Pulumi project the lane deploys: the seed platform. */
export const PROJECT_DIR = SEED_PLATFORM_DIR;
/**
 * The program's environment under the engine: the SDK's ts-node only transpiles it, since `npm
 * run typecheck` checks its types and checking them again on every engine run costs most of a
 * preview's time on a small machine.
 */
export const PROGRAM_ENV: Readonly<Record<string, string>> = {
  PULUMI_NODEJS_TRANSPILE_ONLY: "true",
};

/**
 * Lets the example in an engine working copy (`workDir`) import "stepwise-iac" from the
 * repository's sources, as `npm install` of `file:../..` would link the built package: a package
 * in its node_modules whose main is the copy's api/index.ts, which the SDK's ts-node compiles.
 */
export function linkPackageSources(workDir: string): void {
  const link = join(workDir, "node_modules", "stepwise-iac");
  const main = relative(link, join(workDir, "..", "..", "api", "index.ts"));
  mkdirSync(link, { recursive: true });
  writeFileSync(join(link, "package.json"), JSON.stringify({ name: "stepwise-iac", main }));
}
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
