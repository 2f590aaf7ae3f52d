import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { endpoints, startServices, stopServices, type ServiceEndpoints } from "./manager";

declare module "vitest" {
  export interface ProvidedContext {
    services: ServiceEndpoints;
  }
}

const REPO_ROOT = join(__dirname, "..", "..");

/**
 * Vitest global setup of the integration layer: builds Traefik for the routing tests when it is
 * not built yet (minutes the first time, a version check later), then starts real brokers and
 * a database for every test file. Services this run started are stopped at the end; ones
 * started by hand are left running.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const script = join(REPO_ROOT, "test", "engine", "build-traefik.sh");
  const build = spawnSync("bash", [script], { cwd: REPO_ROOT, stdio: "inherit" });
  if (build.status !== 0) {
    throw new Error(
      `${script} failed (exit ${build.status ?? build.signal}): the routing tests need Traefik; ` +
        "see its output above and docs/engine.md",
    );
  }
  const { state, started } = await startServices((line) => console.log(`[services] ${line}`));
  project.provide("services", endpoints(state));
  return async () => {
    if (started && !process.env.STEPWISE_KEEP_SERVICES) await stopServices();
  };
}
