import { spawnSync } from "node:child_process";
import { join } from "node:path";

const REPO_ROOT = join(__dirname, "..", "..");

/**
 * Vitest global setup of the engine layer: builds the real Pulumi engine (the CLI and the
 * Node.js language host, from the Go module proxy) unless it is built already, the way the
 * integration layer starts its brokers. The first build takes about ten minutes on two cores;
 * later runs only check the version. STEPWISE_PULUMI points the tests at another engine instead.
 */
export default function setup(): void {
  if (process.env.STEPWISE_PULUMI) return;
  const script = join(REPO_ROOT, "test", "engine", "build-engine.sh");
  const build = spawnSync("bash", [script], { cwd: REPO_ROOT, stdio: "inherit" });
  if (build.status !== 0)
    throw new Error(
      `${script} failed (exit ${build.status ?? build.signal}): the engine tests need the ` +
        "pulumi CLI and its Node.js language host; see its output above and docs/engine.md",
    );
}
