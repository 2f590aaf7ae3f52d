import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SEED_PLATFORM_DIR } from "../../support/seed-platform";

// The CLI as users run it (`npm run stepwise`: tsx, its own process, output into a pipe), not
// in-process as the other CLI tests, and in the seed platform's folder as a team runs it in its own
// project: the transform differs from vitest's (how modules are
// captured when a dynamic provider is serialized), and a process ends differently.
const REPO = join(__dirname, "../../..");

function stepwise(...argv: string[]) {
  const cli = join(REPO, "tools", "cli", "main.ts");
  return spawnSync(join(REPO, "node_modules", ".bin", "tsx"), [cli, ...argv], {
    cwd: SEED_PLATFORM_DIR,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
}

describe("stepwise in its own process", () => {
  it("prints a whole --json plan into a pipe (far over 64 KiB) and exits 0", () => {
    const run = stepwise(
      "plan",
      "dev",
      "--advance",
      "events",
      "--json",
      "--at",
      "2026-11-26T12:00:00Z",
    );
    expect([run.status, run.stderr]).toEqual([0, ""]);
    expect(run.stdout.length).toBeGreaterThan(256 * 1024);
    const plan = JSON.parse(run.stdout) as { steps: { urn: string }[] };
    expect(plan.steps.some((step) => step.urn.endsWith("::phase-ledger"))).toBe(true);
  }, 60_000);
});
