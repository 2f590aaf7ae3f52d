import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, stackRepo } from "./stack-repo";

// A pull request must not weaken its own policy: every change is judged by the policy of its
// base side; a policy change rides alone; prod's floor lives in the pack, not in the stack file.
const repo = stackRepo();
afterAll(() => repo.remove());
const AT = "2026-11-26T12:00:00.000Z";
const SLOW = 120_000;

const plan = (stack: string) =>
  cli("plan", stack, "--base", "HEAD", "--stacks-dir", repo.stacksDir, "--at", AT);

function reset(stack: string): void {
  repo.edit(stack, (text) => text.replace(/ {2}stepwise:policy:\n( {4}.*\n)+/, ""));
}

describe("a pull request that weakens its own policy", () => {
  it(
    "prod relabelled as dev while Redpanda is retired at once: exit 2, the environment is the stack's",
    async () => {
      repo.edit("prod", (text) =>
        text
          .replace("    events: redpanda\n", "    events: redpanda-retired\n")
          .replace("config:\n", "config:\n  stepwise:policy:\n    environment: dev\n"),
      );
      const { code, err } = await plan("prod");
      expect(code).toBe(2);
      expect(err).toContain(
        'stepwise:policy.environment: "dev" contradicts stack "prod", which is named after prod',
      );
      repo.edit("prod", (text) =>
        text
          .replace("    events: redpanda-retired\n", "    events: redpanda\n")
          .replace("  stepwise:policy:\n    environment: dev\n", ""),
      );
    },
    SLOW,
  );

  it(
    "prod raising weightStep and allowing two paths: exit 2 naming prod's floor",
    async () => {
      repo.edit("prod", (text) =>
        text
          .replace("    api: old\n", "    api: canary\n")
          .replace("    consolidation: microservices\n", "    consolidation: monolith-parallel\n")
          .replace("    product-catalog: 10\n", "    product-catalog: 100\n")
          .replace(
            "config:\n",
            "config:\n  stepwise:policy:\n    allowMultiplePaths: true\n    weightStep: 100\n",
          ),
      );
      const { code, err } = await plan("prod");
      expect(code).toBe(2);
      expect(err).toContain(
        "stepwise:policy.weightStep: 100 is above prod's floor (policies/floor.ts) of 50",
      );
      expect(err).toContain(
        "stepwise:policy.allowMultiplePaths: true is not allowed by prod's floor (policies/floor.ts)",
      );
      repo.edit("prod", (text) =>
        text
          .replace("    api: canary\n", "    api: old\n")
          .replace("    consolidation: monolith-parallel\n", "    consolidation: microservices\n")
          .replace("    product-catalog: 100\n", "    product-catalog: 10\n"),
      );
      reset("prod");
    },
    SLOW,
  );

  it(
    "staging allowing two paths in the change that moves two: judged by the base's policy, exit 1",
    async () => {
      repo.edit("staging", (text) =>
        text
          .replace("    events: parallel\n", "    events: dual-publish\n")
          .replace("    platform: coordination-on-k3s\n", "    platform: services-moving\n")
          .replace("config:\n", "config:\n  stepwise:policy:\n    allowMultiplePaths: true\n"),
      );
      const { code, out } = await plan("staging");
      expect(code).toBe(1);
      expect(out).toMatch(/policy-change-alone.*allowMultiplePaths false → true/);
      expect(out).toMatch(/one-path-per-update.*2 paths move in one update/);
      reset("staging");
      repo.edit("staging", (text) =>
        text
          .replace("    events: dual-publish\n", "    events: parallel\n")
          .replace("    platform: services-moving\n", "    platform: coordination-on-k3s\n"),
      );
    },
    SLOW,
  );

  it(
    "a stack not named after an environment relabelled down: its base's rules judge the change",
    async () => {
      repo.edit("local", (text) =>
        text
          .replace("  stepwise:environment: staging\n", "  stepwise:environment: dev\n")
          .replace("    events: redpanda\n", "    events: dual-publish\n"),
      );
      const { code, out } = await plan("local");
      expect(code).toBe(1);
      expect(out).toMatch(/policy-change-alone.*environment staging → dev/);
      expect(out).toMatch(/one-phase-step.*moves 2 phases/);
      repo.edit("local", (text) =>
        text
          .replace("  stepwise:environment: dev\n", "  stepwise:environment: staging\n")
          .replace("    events: dual-publish\n", "    events: redpanda\n"),
      );
    },
    SLOW,
  );

  it(
    "a policy change on its own passes, and names old and new values",
    async () => {
      repo.edit("staging", (text) =>
        text.replace("config:\n", "config:\n  stepwise:policy:\n    weightStep: 10\n"),
      );
      const { code, out } = await plan("staging");
      expect(code).toBe(0);
      const lines = out.split("\n");
      // Shown at the top, right under the verdict: old value → new value.
      expect(lines.slice(3, 6)).toEqual([
        "",
        "POLICY CHANGES (judged by the policy in force; they apply from the next update):",
        "  weightStep: 25 → 10",
      ]);
      const markdown = await cli(
        "plan",
        "staging",
        "--base",
        "HEAD",
        "--markdown",
        "--stacks-dir",
        repo.stacksDir,
        "--at",
        AT,
      );
      expect(markdown.out).toContain(
        "> **This change alters the policy.** It is judged by the policy in force; the new settings apply from the next update:\n> - `weightStep`: `25` → `10`",
      );
      // A plan document reviewed later (`stepwise review`) is judged the same way, from the
      // policy its PhaseLedger step's old inputs recorded.
      const json = await cli(
        "plan",
        "staging",
        "--base",
        "HEAD",
        "--json",
        "--stacks-dir",
        repo.stacksDir,
        "--at",
        AT,
      );
      const document = join(repo.dir, "plan.json");
      writeFileSync(document, json.out);
      const reviewed = await cli("review", document, "--at", AT);
      expect(reviewed.code).toBe(0);
      expect(reviewed.out).toContain("  weightStep: 25 → 10");
      reset("staging");
    },
    SLOW,
  );

  it("pack-config cannot be talked into dev levels for prod", async () => {
    repo.edit("prod", (text) =>
      text.replace("  stepwise:environment: prod\n", "  stepwise:environment: dev\n"),
    );
    const { code, err } = await cli(
      "policies",
      "pack-config",
      "--stack",
      "prod",
      "--stacks-dir",
      repo.stacksDir,
    );
    expect(code).toBe(2);
    expect(err).toContain('contradicts stack "prod", which is named after prod');
    repo.edit("prod", (text) =>
      text.replace("  stepwise:environment: dev\n", "  stepwise:environment: prod\n"),
    );
  });

  it("pack-config --base takes the levels in force, not the ones the change writes", async () => {
    repo.edit("local", (text) =>
      text.replace(
        '    minimumPhaseTime: "0"\n',
        '    minimumPhaseTime: "0"\n    levels:\n      one-phase-step: advisory\n',
      ),
    );
    const levelOf = async (...extra: string[]) => {
      const args = ["policies", "pack-config", "--stack", "local", "--stacks-dir", repo.stacksDir];
      const { code, out } = await cli(...args, ...extra);
      expect(code).toBe(0);
      const config = JSON.parse(out) as Record<string, { enforcementLevel: string }>;
      return config["one-phase-step"]?.enforcementLevel;
    };
    expect(await levelOf()).toBe("advisory");
    expect(await levelOf("--base", "HEAD")).toBe("mandatory");
    repo.edit("local", (text) => text.replace("    levels:\n      one-phase-step: advisory\n", ""));
  });
});
