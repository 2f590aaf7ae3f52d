import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { endpoints, startServices, stopServices } from "../services/manager";

const REPO_ROOT = join(__dirname, "..", "..");

/**
 * The builds the engine layer needs, each idempotent (a version check once built): the Pulumi
 * CLI and its Node.js language host, the Kubernetes control plane, the kubernetes provider.
 * STEPWISE_PULUMI points the tests at another engine instead of the first.
 */
const BUILDS = [
  {
    script: "build-engine.sh",
    what: "the pulumi CLI and its Node.js language host",
    skip: "STEPWISE_PULUMI",
  },
  { script: "build-kubernetes.sh", what: "the Kubernetes control plane" },
  { script: "build-kubernetes-provider.sh", what: "the Pulumi kubernetes provider" },
] as const;

/**
 * Vitest global setup of the engine layer: builds what is not built yet (the first time about
 * half an hour on two cores; later runs only check versions), then starts, or reuses, the test
 * services with the Kubernetes control plane, the way the integration layer starts its brokers.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  for (const build of BUILDS) {
    if ("skip" in build && process.env[build.skip]) continue;
    const script = join(REPO_ROOT, "test", "engine", build.script);
    const result = spawnSync("bash", [script], { cwd: REPO_ROOT, stdio: "inherit" });
    if (result.status !== 0) {
      throw new Error(
        `${script} failed (exit ${result.status ?? result.signal}): the engine tests need ` +
          `${build.what}; see its output above and docs/engine.md`,
      );
    }
  }
  const { state, started } = await startServices((line) => console.log(`[services] ${line}`), {
    kubernetes: true,
  });
  project.provide("services", endpoints(state));
  return async () => {
    if (started && !process.env.STEPWISE_KEEP_SERVICES) await stopServices();
  };
}
