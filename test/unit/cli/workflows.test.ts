import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../../tools/cli/main";

// The workflows cannot run here; this proves they parse, are wired as intended, that every
// shell step is valid bash, and that every stepwise command and option they use exists.
const WORKFLOWS = join(__dirname, "../../../.github/workflows");

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  if?: string;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { "runs-on": string; steps: Step[] }>;
}

function load(file: string): Workflow {
  return parse(readFileSync(join(WORKFLOWS, file), "utf8")) as Workflow;
}

function runScripts(workflow: Workflow): string[] {
  return Object.values(workflow.jobs).flatMap((job) =>
    job.steps.map((s) => s.run).filter((r): r is string => r !== undefined),
  );
}

/** `npx tsx tools/cli/main.ts [-C <dir>] <command> … --flag` lines → [command, flags]. */
function stepwiseCalls(script: string): [string, string[]][] {
  const joined = script.replaceAll("\\\n", " ");
  return [...joined.matchAll(/tools\/cli\/main\.ts (?:-C \S+ )?(\w+)([^\n>]*)/g)].map((m) => [
    m[1] ?? "",
    [...(m[2] ?? "").matchAll(/(--[a-z-]+)/g)].map((f) => f[1] ?? ""),
  ]);
}

function expectValidBashAndCommands(workflow: Workflow): void {
  const program = buildProgram();
  for (const script of runScripts(workflow)) {
    execFileSync("bash", ["-n", "-c", script]);
    for (const [name, flags] of stepwiseCalls(script)) {
      const command = program.commands.find((c) => c.name() === name);
      expect(command, name).toBeDefined();
      const known = command?.options.map((o) => o.long) ?? [];
      for (const flag of flags) expect(known, `${name} ${flag}`).toContain(flag);
    }
  }
}

describe("pull-request plan workflow", () => {
  const workflow = load("stepwise-plan.yml");

  it("runs on pull requests touching stacks or the program, may comment, reads full history", () => {
    const pr = workflow.on.pull_request as { paths: string[] };
    expect(pr.paths).toContain("examples/seed-platform/**");
    expect(pr.paths).toContain("api/**");
    expect(workflow.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    const steps = workflow.jobs.plan?.steps ?? [];
    expect(steps[0]).toEqual({ uses: "actions/checkout@v4", with: { "fetch-depth": 0 } });
    expect(steps.some((s) => s.uses === "actions/github-script@v7")).toBe(true);
  });

  it("plans against the base with --base and --markdown, and its shell is valid", () => {
    const script = runScripts(workflow).join("\n");
    expect(script).toContain('git diff --name-only "$BASE_SHA"...HEAD');
    expect(stepwiseCalls(script)).toEqual([["plan", ["--base", "--markdown"]]]);
    expectValidBashAndCommands(workflow);
  });
});

describe("weekly drill workflow", () => {
  const workflow = load("stepwise-drill.yml");

  it("runs weekly and on demand", () => {
    const schedule = workflow.on.schedule as { cron: string }[];
    expect(schedule).toHaveLength(1);
    const fields = schedule[0]?.cron.split(" ") ?? [];
    expect(fields).toHaveLength(5);
    // minute hour * * <one weekday>: once a week.
    expect(fields.slice(2, 4)).toEqual(["*", "*"]);
    expect(fields[4]).toMatch(/^[0-6]$/);
    expect(workflow.on).toHaveProperty("workflow_dispatch");
  });

  it("drills every stack with valid shell and existing options", () => {
    expect(stepwiseCalls(runScripts(workflow).join("\n"))).toEqual([["drill", ["--markdown"]]]);
    expectValidBashAndCommands(workflow);
  });
});
